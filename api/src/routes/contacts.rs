//! Contacts (leads): CRUD, search, consents, debts, the attempt ledger, JSON bulk create.

use super::{FieldErrors, dto::PageOut};
use crate::{
    error::{ApiError, ApiResult, ErrorBody},
    extract::{ApiJson, ApiPath, ApiQuery, Auth, PageQuery},
    state::AppState,
};
use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use outdial_domain::{
    contacts::{Phone, parse_state, parse_text, parse_zip},
    tenancy::{Email, Role},
};
use outdial_infra::db::{
    entity::{consent, contact, contact_attempt, debt},
    repo::{
        contacts::{self, Fields, Full, NewConsent, NewContact, NewDebt},
        ledger, lists, members,
    },
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_contact, list_contacts))
        .routes(routes!(bulk_create_contacts))
        .routes(routes!(get_contact, update_contact, delete_contact))
        .routes(routes!(add_consent))
        .routes(routes!(revoke_consent))
        .routes(routes!(add_debt))
        .routes(routes!(record_attempt, list_attempts))
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhoneIn {
    /// As people write it; normalized to E.164 (US is the default country).
    #[schema(example = "(512) 555-0100")]
    pub number: String,
    #[schema(example = "mobile")]
    pub label: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactIn {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    #[serde(default)]
    pub phones: Vec<PhoneIn>,
    #[serde(default)]
    pub emails: Vec<String>,
    #[schema(example = "78701")]
    pub zip: Option<String>,
    /// Two-letter state on file.
    #[schema(example = "TX")]
    pub state: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    /// State of the street address, when it differs from `state`.
    pub address_state: Option<String>,
    /// Tenant-defined fields (a JSON object).
    #[schema(value_type = Object)]
    pub custom: Option<serde_json::Map<String, serde_json::Value>>,
    pub lead_type: Option<String>,
    pub source: Option<String>,
    pub score: Option<i32>,
    /// `new` unless given.
    pub stage: Option<String>,
    /// A member of the agency who owns the lead.
    pub owner_id: Option<String>,
    /// Lists to put the contact in.
    #[serde(default)]
    pub list_ids: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PhoneOut {
    #[schema(example = "+15125550100")]
    pub number: String,
    pub label: Option<String>,
    /// `internal` or `national` when the number was on a do-not-call list at import or since.
    pub dnc_flag: Option<String>,
    /// Candidate states resolved at import (area code, ZIP, state on file).
    pub states: Vec<String>,
    /// Their IANA time zones.
    pub zones: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentOut {
    pub id: String,
    pub address: String,
    /// `prior_express` or `prior_express_written`.
    pub level: String,
    pub channels: Vec<String>,
    pub source: String,
    pub scope: Option<String>,
    pub evidence: Option<String>,
    pub given_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
}

impl From<consent::Model> for ConsentOut {
    fn from(c: consent::Model) -> Self {
        ConsentOut {
            id: c.id,
            address: c.address,
            level: c.level,
            channels: c.channels.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
            source: c.source,
            scope: c.scope,
            evidence: c.evidence,
            given_at: c.given_at,
            revoked_at: c.revoked_at,
            expires_at: c.expires_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DebtOut {
    pub id: String,
    pub account_number: Option<String>,
    pub creditor: Option<String>,
    pub balance_cents: Option<i64>,
    pub status: String,
}

impl From<debt::Model> for DebtOut {
    fn from(d: debt::Model) -> Self {
        DebtOut {
            id: d.id,
            account_number: d.account_number,
            creditor: d.creditor,
            balance_cents: d.balance_cents,
            status: d.status,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactOut {
    #[schema(example = "lead_01JD3T6X8Q4M2N7P9R5S0T1VWX")]
    pub id: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub phones: Vec<PhoneOut>,
    pub emails: Vec<String>,
    pub zip: Option<String>,
    pub state: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub address_state: Option<String>,
    #[schema(value_type = Object)]
    pub custom: serde_json::Value,
    pub lead_type: Option<String>,
    pub source: Option<String>,
    pub score: i32,
    pub stage: String,
    pub owner_id: Option<String>,
    pub list_ids: Vec<String>,
    pub consents: Vec<ConsentOut>,
    pub debts: Vec<DebtOut>,
    pub import_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A contact as listed (no phones or consents; fetch one for those).
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactSummaryOut {
    pub id: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub zip: Option<String>,
    pub state: Option<String>,
    pub stage: String,
    pub score: i32,
    pub created_at: DateTime<Utc>,
}

impl From<contact::Model> for ContactSummaryOut {
    fn from(c: contact::Model) -> Self {
        ContactSummaryOut {
            id: c.id,
            first_name: c.first_name,
            last_name: c.last_name,
            company: c.company,
            zip: c.zip,
            state: c.state,
            stage: c.stage,
            score: c.score,
            created_at: c.created_at,
        }
    }
}

impl From<Full> for ContactOut {
    fn from(f: Full) -> Self {
        let c = f.contact;
        ContactOut {
            id: c.id,
            first_name: c.first_name,
            last_name: c.last_name,
            company: c.company,
            phones: f
                .phones
                .into_iter()
                .map(|p| PhoneOut {
                    states: split(p.states.as_deref()),
                    zones: split(p.zones.as_deref()),
                    number: p.e164,
                    label: p.label,
                    dnc_flag: p.dnc_flag,
                })
                .collect(),
            emails: f.emails.into_iter().map(|e| e.email).collect(),
            zip: c.zip,
            state: c.state,
            address: c.address,
            city: c.city,
            address_state: c.address_state,
            custom: serde_json::from_str(&c.custom).unwrap_or_else(|_| serde_json::json!({})),
            lead_type: c.lead_type,
            source: c.source,
            score: c.score,
            stage: c.stage,
            owner_id: c.owner_id,
            list_ids: f.list_ids,
            consents: f.consents.into_iter().map(Into::into).collect(),
            debts: f.debts.into_iter().map(Into::into).collect(),
            import_id: c.import_id,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

fn split(raw: Option<&str>) -> Vec<String> {
    raw.map(|s| s.split(',').filter(|x| !x.is_empty()).map(str::to_owned).collect()).unwrap_or_default()
}

const STAGES: [&str; 7] = ["new", "contacted", "qualified", "callback", "won", "lost", "do_not_contact"];

/// Validates a contact body into repository values; errors are keyed by field path.
pub fn validate(body: &ContactIn, errs: &mut FieldErrors, prefix: &str, require_address: bool) -> Option<NewContact> {
    let key = |f: &str| format!("{prefix}{f}");
    let text = |errs: &mut FieldErrors, f: &str, v: &Option<String>, max: usize| -> Option<String> {
        v.as_deref().and_then(|raw| errs.check(&key(f), parse_text(raw, max)).flatten())
    };
    let first_name = text(errs, "first_name", &body.first_name, 100);
    let last_name = text(errs, "last_name", &body.last_name, 100);
    let company = text(errs, "company", &body.company, 200);
    let address = text(errs, "address", &body.address, 300);
    let city = text(errs, "city", &body.city, 100);
    let lead_type = text(errs, "lead_type", &body.lead_type, 50);
    let source = text(errs, "source", &body.source, 100);
    let zip = body.zip.as_deref().filter(|z| !z.trim().is_empty()).and_then(|z| errs.check(&key("zip"), parse_zip(z)));
    let state =
        body.state.as_deref().filter(|z| !z.trim().is_empty()).and_then(|s| errs.check(&key("state"), parse_state(s)));
    let address_state = body
        .address_state
        .as_deref()
        .filter(|z| !z.trim().is_empty())
        .and_then(|s| errs.check(&key("address_state"), parse_state(s)));
    let stage = body.stage.clone().unwrap_or_else(|| "new".into());
    if !STAGES.contains(&stage.as_str()) {
        errs.check::<(), _>(&key("stage"), Err(format!("must be one of {}", STAGES.join(", "))));
    }
    let mut phones = Vec::new();
    for (i, p) in body.phones.iter().enumerate() {
        if let Some(ph) = errs.check(
            &key(&format!("phones[{i}].number")),
            Phone::parse(&p.number).map_err(|_| "must be a phone number like (512) 555-0100 or +15125550100"),
        ) {
            let label = p
                .label
                .as_deref()
                .and_then(|l| errs.check(&key(&format!("phones[{i}].label")), parse_text(l, 30)).flatten());
            phones.push((ph.as_str().to_owned(), label));
        }
    }
    let mut emails = Vec::new();
    for (i, e) in body.emails.iter().enumerate() {
        if let Some(em) = errs.check(&key(&format!("emails[{i}]")), Email::parse(e)) {
            emails.push(em.as_str().to_owned());
        }
    }
    if require_address && body.phones.is_empty() && body.emails.is_empty() {
        errs.check::<(), _>(&key("phones"), Err("a contact needs at least one phone or email"));
    }
    if body.phones.len() > 10 || body.emails.len() > 10 {
        errs.check::<(), _>(&key("phones"), Err("at most 10 phones and 10 emails"));
    }
    let custom = body.custom.clone().unwrap_or_default();
    if serde_json::Value::Object(custom.clone()).to_string().len() > 16_384 {
        errs.check::<(), _>(&key("custom"), Err("must be at most 16 KB of JSON"));
    }
    Some(NewContact {
        fields: Fields {
            first_name,
            last_name,
            company,
            zip,
            state: state.map(|s| s.as_str().to_owned()),
            address,
            city,
            address_state: address_state.map(|s| s.as_str().to_owned()),
            custom,
            lead_type,
            source,
            score: body.score.unwrap_or(0),
            stage,
            owner_id: body.owner_id.clone(),
        },
        phones,
        emails,
    })
}

async fn check_refs(
    state: &AppState,
    auth: &Auth,
    body: &ContactIn,
    errs: &mut FieldErrors,
    prefix: &str,
) -> ApiResult<()> {
    if let Some(owner) = &body.owner_id
        && members::get(&state.db, &auth.tenant, owner).await.is_err()
    {
        errs.check::<(), _>(&format!("{prefix}owner_id"), Err("is not a member of this agency"));
    }
    for (i, l) in body.list_ids.iter().enumerate() {
        if lists::get(&state.db, &auth.tenant, l).await.is_err() {
            errs.check::<(), _>(&format!("{prefix}list_ids[{i}]"), Err("no such list"));
        }
    }
    Ok(())
}

/// Creates a contact. A phone or email that already belongs to a contact is a 409
/// `duplicate_contact` naming it.
#[utoipa::path(post, path = "/v1/contacts", tag = "contacts", operation_id = "create_contact", request_body = ContactIn,
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "retry-safe creation")),
    responses(
        (status = 201, description = "created", body = ContactOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 409, description = "duplicate_contact", body = ErrorBody),
        (status = 422, description = "validation_failed", body = ErrorBody),
    ))]
pub async fn create_contact(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<ContactIn>,
) -> ApiResult<(StatusCode, Json<ContactOut>)> {
    auth.require(Role::Supervisor)?;
    let mut errs = FieldErrors::default();
    let new = validate(&body, &mut errs, "", true);
    check_refs(&state, &auth, &body, &mut errs, "").await?;
    errs.finish()?;
    let new = new.ok_or_else(|| ApiError::internal("validated contact missing"))?;
    let now = Utc::now();
    let tx = outdial_infra::db::begin(&state.db).await?;
    let c = contacts::create(&tx, &auth.tenant, &new, None, now).await.map_err(ApiError::repo("contact"))?;
    for l in &body.list_ids {
        lists::add_members(&tx, &auth.tenant, l, std::slice::from_ref(&c.id), now).await?;
    }
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(contacts::get_full(&state.db, &auth.tenant, &c.id).await?.into())))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkIn {
    /// Up to 1,000 contacts; for more, upload a CSV to `/v1/imports`.
    pub contacts: Vec<ContactIn>,
    /// Add every created or matched contact to this list.
    pub list_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BulkRowOut {
    pub index: usize,
    /// `created`, `merged` (matched an existing contact by phone or email) or `failed`.
    pub status: String,
    pub contact_id: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub errors: Option<std::collections::BTreeMap<String, String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BulkOut {
    pub created: usize,
    pub merged: usize,
    pub failed: usize,
    pub rows: Vec<BulkRowOut>,
}

/// Creates many contacts in one call. Each row succeeds or fails on its own; rows matching an
/// existing contact by phone or email are merged into it, not duplicated.
#[utoipa::path(post, path = "/v1/contacts/bulk", tag = "contacts", operation_id = "bulk_create_contacts", request_body = BulkIn,
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "retry-safe creation")),
    responses(
        (status = 200, description = "per-row results", body = BulkOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 404, description = "no such list", body = ErrorBody),
        (status = 422, description = "validation_failed", body = ErrorBody),
    ))]
pub async fn bulk_create_contacts(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<BulkIn>,
) -> ApiResult<Json<BulkOut>> {
    auth.require(Role::Supervisor)?;
    if body.contacts.is_empty() || body.contacts.len() > 1000 {
        return Err(ApiError::field("contacts", "send 1 to 1,000 contacts; upload a CSV to /v1/imports for more"));
    }
    if let Some(l) = &body.list_id {
        lists::get(&state.db, &auth.tenant, l).await.map_err(ApiError::repo("list"))?;
    }
    let now = Utc::now();
    let mut out = BulkOut { created: 0, merged: 0, failed: 0, rows: Vec::new() };
    let tx = outdial_infra::db::begin(&state.db).await?;
    let mut in_list = Vec::new();
    for (index, row) in body.contacts.iter().enumerate() {
        let mut errs = FieldErrors::default();
        let new = validate(row, &mut errs, "", true);
        check_refs(&state, &auth, row, &mut errs, "").await?;
        if let Err(e) = errs.finish() {
            out.failed += 1;
            out.rows.push(BulkRowOut { index, status: "failed".into(), contact_id: None, errors: e.fields });
            continue;
        }
        let Some(new) = new else { continue };
        let phones: Vec<String> = new.phones.iter().map(|(p, _)| p.clone()).collect();
        let (id, status) = match contacts::find_duplicate(&tx, &auth.tenant, &phones, &new.emails).await? {
            Some(existing) => {
                contacts::merge(&tx, &auth.tenant, &existing, &new, now).await?;
                out.merged += 1;
                (existing, "merged")
            }
            None => {
                let c =
                    contacts::create(&tx, &auth.tenant, &new, None, now).await.map_err(ApiError::repo("contact"))?;
                out.created += 1;
                (c.id, "created")
            }
        };
        for l in &row.list_ids {
            lists::add_members(&tx, &auth.tenant, l, std::slice::from_ref(&id), now).await?;
        }
        in_list.push(id.clone());
        out.rows.push(BulkRowOut { index, status: status.into(), contact_id: Some(id), errors: None });
    }
    if let Some(l) = &body.list_id {
        lists::add_members(&tx, &auth.tenant, l, &in_list, now).await?;
    }
    tx.commit().await?;
    Ok(Json(out))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactQuery {
    /// A phone (any format), an email, or part of a name or company.
    pub q: Option<String>,
    pub list_id: Option<String>,
    pub state: Option<String>,
    pub stage: Option<String>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Lists and searches contacts.
#[utoipa::path(get, path = "/v1/contacts", tag = "contacts", operation_id = "list_contacts", params(ContactQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "a page of contacts", body = PageOut<ContactSummaryOut>),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 422, description = "invalid_query", body = ErrorBody),
    ))]
pub async fn list_contacts(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<ContactQuery>,
) -> ApiResult<Json<PageOut<ContactSummaryOut>>> {
    let page = PageQuery { limit: q.limit, cursor: q.cursor.clone() }.page()?;
    let text = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(|t| match Phone::parse(t) {
        Ok(p) if t.chars().filter(char::is_ascii_digit).count() >= 10 => p.as_str().to_owned(),
        _ => t.chars().take(100).collect(),
    });
    let filter = contacts::Filter {
        q: text,
        list_id: q.list_id,
        state: q.state.map(|s| s.to_ascii_uppercase()),
        stage: q.stage,
    };
    let (rows, next_cursor) = contacts::list(&state.db, &auth.tenant, &filter, &page).await?;
    Ok(Json(PageOut { data: rows.into_iter().map(Into::into).collect(), next_cursor }))
}

/// One contact with phones, emails, consents, debts and lists.
#[utoipa::path(get, path = "/v1/contacts/{id}", tag = "contacts", operation_id = "get_contact",
    params(("id" = String, Path, description = "contact id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the contact", body = ContactOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
    ))]
pub async fn get_contact(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<ContactOut>> {
    Ok(Json(contacts::get_full(&state.db, &auth.tenant, &id).await.map_err(ApiError::repo("contact"))?.into()))
}

/// Replaces a contact's fields; phones and emails given are added (existing ones stay).
#[utoipa::path(patch, path = "/v1/contacts/{id}", tag = "contacts", operation_id = "update_contact", request_body = ContactIn,
    params(("id" = String, Path, description = "contact id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "updated", body = ContactOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
        (status = 409, description = "duplicate_contact", body = ErrorBody),
        (status = 422, description = "validation_failed", body = ErrorBody),
    ))]
pub async fn update_contact(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ContactIn>,
) -> ApiResult<Json<ContactOut>> {
    auth.require(Role::Agent)?;
    let current = contacts::get_full(&state.db, &auth.tenant, &id).await.map_err(ApiError::repo("contact"))?;
    let mut errs = FieldErrors::default();
    // A patch may carry no phone or email: the contact keeps its own.
    let new = validate(&body, &mut errs, "", false);
    check_refs(&state, &auth, &body, &mut errs, "").await?;
    errs.finish()?;
    let new = new.ok_or_else(|| ApiError::internal("validated contact missing"))?;
    let now = Utc::now();
    let tx = outdial_infra::db::begin(&state.db).await?;
    contacts::update(&tx, &auth.tenant, &id, &new.fields, now).await.map_err(ApiError::repo("contact"))?;
    let known_phones: Vec<&str> = current.phones.iter().map(|p| p.e164.as_str()).collect();
    let known_emails: Vec<&str> = current.emails.iter().map(|e| e.email.as_str()).collect();
    let add_phones: Vec<(String, Option<String>)> = body
        .phones
        .iter()
        .filter_map(|p| Phone::parse(&p.number).ok().map(|ph| (ph.as_str().to_owned(), p.label.clone())))
        .filter(|(p, _)| !known_phones.contains(&p.as_str()))
        .collect();
    let add_emails: Vec<String> = body
        .emails
        .iter()
        .filter_map(|e| Email::parse(e).ok())
        .map(|e| e.as_str().to_owned())
        .filter(|e| !known_emails.contains(&e.as_str()))
        .collect();
    contacts::attach(
        &tx,
        &auth.tenant,
        &id,
        &add_phones,
        &add_emails,
        current.phones.len() as i32,
        current.emails.len() as i32,
        now,
    )
    .await
    .map_err(ApiError::repo("contact"))?;
    for l in &body.list_ids {
        lists::add_members(&tx, &auth.tenant, l, std::slice::from_ref(&id), now).await?;
    }
    tx.commit().await?;
    Ok(Json(contacts::get_full(&state.db, &auth.tenant, &id).await?.into()))
}

/// Deletes a contact and everything attached to it. The attempt ledger and audit log keep
/// their rows (they are the record of what happened).
#[utoipa::path(delete, path = "/v1/contacts/{id}", tag = "contacts", operation_id = "delete_contact",
    params(("id" = String, Path, description = "contact id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "deleted"),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
    ))]
pub async fn delete_contact(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    auth.require(Role::Supervisor)?;
    let tx = outdial_infra::db::begin(&state.db).await?;
    contacts::delete(&tx, &auth.tenant, &id).await.map_err(ApiError::repo("contact"))?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The consent levels of TCPA.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsentLevelDto {
    PriorExpress,
    PriorExpressWritten,
}

/// A channel.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ChannelDto {
    Voice,
    Sms,
    Email,
}

impl ChannelDto {
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelDto::Voice => "voice",
            ChannelDto::Sms => "sms",
            ChannelDto::Email => "email",
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentIn {
    /// The phone or email the consent covers.
    pub address: String,
    pub level: ConsentLevelDto,
    pub channels: Vec<ChannelDto>,
    /// Where it came from (web form, recorded call, signed agreement).
    pub source: String,
    /// What it covers (products, seller).
    pub scope: Option<String>,
    /// Proof: a URL, a recording id, a form submission id.
    pub evidence: Option<String>,
    pub given_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Records a consent for one of the contact's phones or emails.
#[utoipa::path(post, path = "/v1/contacts/{id}/consents", tag = "contacts", operation_id = "add_consent", request_body = ConsentIn,
    params(("id" = String, Path, description = "contact id")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "recorded", body = ConsentOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
        (status = 422, description = "validation_failed", body = ErrorBody),
    ))]
pub async fn add_consent(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ConsentIn>,
) -> ApiResult<(StatusCode, Json<ConsentOut>)> {
    auth.require(Role::Agent)?;
    let full = contacts::get_full(&state.db, &auth.tenant, &id).await.map_err(ApiError::repo("contact"))?;
    let address = match Phone::parse(&body.address) {
        Ok(p) => p.as_str().to_owned(),
        Err(_) => Email::parse(&body.address)
            .map(|e| e.as_str().to_owned())
            .map_err(|_| ApiError::field("address", "must be one of the contact's phones or emails"))?,
    };
    if !full.phones.iter().any(|p| p.e164 == address) && !full.emails.iter().any(|e| e.email == address) {
        return Err(ApiError::field("address", "must be one of the contact's phones or emails"));
    }
    let mut errs = FieldErrors::default();
    let source = errs.check("source", parse_text(&body.source, 200)).flatten();
    if source.is_none() {
        errs.check::<(), _>("source", Err("say where the consent came from"));
    }
    if body.channels.is_empty() {
        errs.check::<(), _>("channels", Err("name at least one channel"));
    }
    if body.given_at > Utc::now() + chrono::Duration::minutes(5) {
        errs.check::<(), _>("given_at", Err("cannot be in the future"));
    }
    let scope = body.scope.as_deref().and_then(|s| errs.check("scope", parse_text(s, 300)).flatten());
    let evidence = body.evidence.as_deref().and_then(|s| errs.check("evidence", parse_text(s, 2000)).flatten());
    errs.finish()?;
    let level = match body.level {
        ConsentLevelDto::PriorExpress => "prior_express",
        ConsentLevelDto::PriorExpressWritten => "prior_express_written",
    };
    let c = NewConsent {
        address,
        level: level.into(),
        channels: body.channels.iter().map(|c| c.as_str().to_owned()).collect(),
        source: source.unwrap_or_default(),
        scope,
        evidence,
        given_at: body.given_at,
        expires_at: body.expires_at,
    };
    let row =
        contacts::add_consent(&state.db, &auth.tenant, &id, &c, Utc::now()).await.map_err(ApiError::repo("contact"))?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// Revokes a consent (kept on record with its revocation time).
#[utoipa::path(delete, path = "/v1/contacts/{id}/consents/{consent_id}", tag = "contacts", operation_id = "revoke_consent",
    params(("id" = String, Path, description = "contact id"), ("consent_id" = String, Path, description = "consent id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "revoked"),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
    ))]
pub async fn revoke_consent(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath((id, consent_id)): ApiPath<(String, String)>,
) -> ApiResult<StatusCode> {
    auth.require(Role::Agent)?;
    contacts::revoke_consent(&state.db, &auth.tenant, &id, &consent_id, Utc::now())
        .await
        .map_err(ApiError::repo("consent"))?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DebtIn {
    pub account_number: Option<String>,
    pub creditor: Option<String>,
    pub balance_cents: Option<i64>,
}

/// Records a debt (account) of a collection contact; Regulation F counts attempts per debt.
#[utoipa::path(post, path = "/v1/contacts/{id}/debts", tag = "contacts", operation_id = "add_debt", request_body = DebtIn,
    params(("id" = String, Path, description = "contact id")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "recorded", body = DebtOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
        (status = 422, description = "validation_failed", body = ErrorBody),
    ))]
pub async fn add_debt(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<DebtIn>,
) -> ApiResult<(StatusCode, Json<DebtOut>)> {
    auth.require(Role::Supervisor)?;
    let mut errs = FieldErrors::default();
    let account_number =
        body.account_number.as_deref().and_then(|s| errs.check("account_number", parse_text(s, 100)).flatten());
    let creditor = body.creditor.as_deref().and_then(|s| errs.check("creditor", parse_text(s, 200)).flatten());
    if body.balance_cents.is_some_and(|b| b < 0) {
        errs.check::<(), _>("balance_cents", Err("cannot be negative"));
    }
    errs.finish()?;
    let d = NewDebt { account_number, creditor, balance_cents: body.balance_cents };
    let row =
        contacts::add_debt(&state.db, &auth.tenant, &id, &d, Utc::now()).await.map_err(ApiError::repo("contact"))?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// An attempt's outcome as the ledger records it.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeDto {
    Conversation,
    AnsweredNoConversation,
    Voicemail,
    NoAnswer,
    Busy,
    DidNotConnect,
    Delivered,
    Failed,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttemptIn {
    pub contact_id: Option<String>,
    /// The phone or email contacted.
    pub address: String,
    pub channel: ChannelDto,
    /// `outbound` unless given.
    pub direction: Option<String>,
    pub purpose: super::compliance::PurposeDto,
    pub campaign_id: Option<String>,
    pub debt_id: Option<String>,
    pub outcome: OutcomeDto,
    pub occurred_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptOut {
    pub id: String,
    pub contact_id: Option<String>,
    pub address: String,
    pub channel: String,
    pub direction: String,
    pub purpose: String,
    pub campaign_id: Option<String>,
    pub debt_id: Option<String>,
    pub outcome: String,
    pub occurred_at: DateTime<Utc>,
}

impl From<contact_attempt::Model> for AttemptOut {
    fn from(a: contact_attempt::Model) -> Self {
        AttemptOut {
            id: a.id,
            contact_id: a.contact_id,
            address: a.address,
            channel: a.channel,
            direction: a.direction,
            purpose: a.purpose,
            campaign_id: a.campaign_id,
            debt_id: a.debt_id,
            outcome: a.outcome,
            occurred_at: a.occurred_at,
        }
    }
}

/// Appends to the contact-attempt ledger (for touches made outside Outdial). Frequency caps and
/// Regulation F counters count these at once.
#[utoipa::path(post, path = "/v1/attempts", tag = "contacts", operation_id = "record_attempt", request_body = AttemptIn,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "recorded", body = AttemptOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 404, description = "no such contact", body = ErrorBody),
        (status = 422, description = "validation_failed", body = ErrorBody),
    ))]
pub async fn record_attempt(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<AttemptIn>,
) -> ApiResult<(StatusCode, Json<AttemptOut>)> {
    auth.require(Role::Agent)?;
    let address = match body.channel {
        ChannelDto::Email => Email::parse(&body.address)
            .map(|e| e.as_str().to_owned())
            .map_err(|e| ApiError::field("address", e.to_string()))?,
        _ => Phone::parse(&body.address)
            .map(|p| p.as_str().to_owned())
            .map_err(|e| ApiError::field("address", e.to_string()))?,
    };
    if let Some(c) = &body.contact_id {
        contacts::get(&state.db, &auth.tenant, c).await.map_err(ApiError::repo("contact"))?;
    }
    let direction = body.direction.clone().unwrap_or_else(|| "outbound".into());
    if direction != "outbound" && direction != "inbound" {
        return Err(ApiError::field("direction", "must be outbound or inbound"));
    }
    if body.occurred_at > Utc::now() + chrono::Duration::minutes(5) {
        return Err(ApiError::field("occurred_at", "cannot be in the future"));
    }
    let outcome =
        serde_json::to_value(body.outcome).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    let row = ledger::append(
        &state.db,
        &auth.tenant,
        &ledger::NewAttempt {
            contact_id: body.contact_id.clone(),
            address,
            channel: body.channel.as_str().into(),
            direction,
            purpose: body.purpose.as_str().into(),
            campaign_id: body.campaign_id.clone(),
            debt_id: body.debt_id.clone(),
            outcome,
            occurred_at: body.occurred_at,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AttemptQuery {
    pub contact_id: Option<String>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// The ledger, newest first.
#[utoipa::path(get, path = "/v1/attempts", tag = "contacts", operation_id = "list_attempts", params(AttemptQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "a page of attempts", body = PageOut<AttemptOut>),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 422, description = "invalid_query", body = ErrorBody),
    ))]
pub async fn list_attempts(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<AttemptQuery>,
) -> ApiResult<Json<PageOut<AttemptOut>>> {
    let page = PageQuery { limit: q.limit, cursor: q.cursor }.page()?;
    let (rows, next_cursor) = ledger::list(&state.db, &auth.tenant, q.contact_id.as_deref(), &page).await?;
    Ok(Json(PageOut { data: rows.into_iter().map(Into::into).collect(), next_cursor }))
}
