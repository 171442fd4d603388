//! The compliance gate over HTTP: checks ("may we contact this person now, or at `at`?"), the
//! audit log with CSV export, and the tenant's rule overrides and registry subscription.

use super::{contacts::ChannelDto, dto::PageOut};
use crate::{
    error::{ApiError, ApiResult, ErrorBody},
    extract::{ApiJson, ApiPath, ApiQuery, Auth, Credential, PageQuery},
    state::AppState,
};
use axum::{Json, extract::State, http::header, response::IntoResponse};
use chrono::{DateTime, Utc};
use outdial_domain::{
    compliance::{Channel, Decision, DialMode, LineType, Purpose, ReassignedCheck, TenantOverrides},
    contacts::{Phone, parse_state},
    tenancy::Role,
};
use outdial_infra::{
    db::{
        entity::{compliance_audit, reassigned_number},
        repo::{Page, audit, compliance_settings, reassigned},
    },
    gate::{self, Check, GateError},
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(check_compliance))
        .routes(routes!(list_audit))
        .routes(routes!(export_audit))
        .routes(routes!(get_audit_entry))
        .routes(routes!(get_compliance_settings, put_compliance_settings))
        .routes(routes!(get_registry_status))
        .routes(routes!(get_reassigned_answer, put_reassigned_answer))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegistryOut {
    /// Whether a National DNC copy is loaded.
    pub loaded: bool,
    /// The day the loaded copy was downloaded from the FTC; marketing calls need it ≤ 31 days old.
    pub copy_date: Option<chrono::NaiveDate>,
    /// Whether the copy is too old to scrub against today.
    pub stale: bool,
    /// Registered numbers in the copy.
    pub numbers: u64,
    /// Area codes the copy covers.
    pub area_codes: usize,
    /// Area codes of the agency's subscription that the copy does not cover.
    pub subscribed_not_covered: Vec<u16>,
}

/// The National DNC Registry copy the gate scrubs against (shared by every agency), and how it
/// fits this agency's subscription.
#[utoipa::path(get, path = "/v1/compliance/registry", tag = "compliance", operation_id = "get_registry_status",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "registry status", body = RegistryOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
    ))]
pub async fn get_registry_status(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<RegistryOut>> {
    let r = state.national_dnc.current();
    let settings = compliance_settings::get(&state.db, &auth.tenant).await?;
    let copy_date = r.copy_date();
    Ok(Json(RegistryOut {
        loaded: copy_date.is_some(),
        stale: copy_date.is_none_or(|d| (Utc::now().date_naive() - d).num_days() > 31),
        copy_date,
        numbers: r.len(),
        area_codes: r.npas().len(),
        subscribed_not_covered: settings.subscribed_area_codes.iter().copied().filter(|n| !r.covers_npa(*n)).collect(),
    }))
}

/// Why the tenant is contacting the person.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PurposeDto {
    Marketing,
    Informational,
    Collection,
}

impl PurposeDto {
    pub fn as_str(self) -> &'static str {
        gate::purpose_str(self.into())
    }
}

impl From<PurposeDto> for Purpose {
    fn from(p: PurposeDto) -> Purpose {
        match p {
            PurposeDto::Marketing => Purpose::Marketing,
            PurposeDto::Informational => Purpose::Informational,
            PurposeDto::Collection => Purpose::Collection,
        }
    }
}

/// How the call would be placed.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DialModeDto {
    Manual,
    Automated,
    Prerecorded,
}

/// What kind of line, when known.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LineTypeDto {
    Wireless,
    Landline,
    Unknown,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckIn {
    /// For voice and sms.
    #[schema(example = "+15125550100")]
    pub phone: Option<String>,
    /// For email.
    pub email: Option<String>,
    #[schema(example = "78701")]
    pub zip: Option<String>,
    #[schema(example = "TX")]
    pub state: Option<String>,
    /// A contact whose ZIP, state, consents and history apply (found by phone when omitted).
    pub contact_id: Option<String>,
    pub channel: ChannelDto,
    pub purpose: PurposeDto,
    /// The instant to decide for; default now ("what if" checks for supervisors and tests).
    pub at: Option<DateTime<Utc>>,
    pub debt_id: Option<String>,
    pub campaign_id: Option<String>,
    /// Default `manual` (a live agent dialing by hand); the dialer sends `automated`.
    pub dial_mode: Option<DialModeDto>,
    pub line_type: Option<LineTypeDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReasonOut {
    /// Stable code: DNC_INTERNAL, DNC_NATIONAL, DNC_STATE, DNC_STALE_REGISTRY, CALLING_HOURS, ...
    #[schema(example = "CALLING_HOURS")]
    pub code: String,
    pub state: Option<String>,
    pub zone: Option<String>,
    pub citation: String,
    pub detail: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LocalTimeOut {
    #[schema(example = "America/Chicago")]
    pub zone: String,
    /// RFC 3339 with the zone's offset.
    pub local: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeOut {
    pub code: String,
    pub detail: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionOut {
    /// `allow` or `block`.
    #[schema(example = "block")]
    pub decision: String,
    pub allowed: bool,
    pub reasons: Vec<ReasonOut>,
    pub notices: Vec<NoticeOut>,
    /// Every candidate state (area code, ZIP, state on file, address).
    pub states: Vec<String>,
    /// Every IANA zone of those places; the contact must be permitted in all of them.
    pub zones: Vec<String>,
    pub local_times: Vec<LocalTimeOut>,
    /// Inputs that could not be placed (unknown ZIP, unknown area code).
    pub unresolved: Vec<String>,
    pub ruleset_version: String,
    pub evaluated_at: DateTime<Utc>,
    /// The next instant the attempt would be allowed, when waiting can lift every block.
    pub next_allowed_at: Option<DateTime<Utc>>,
    pub contact_id: Option<String>,
    /// The audit-log entry that records this decision.
    pub audit_id: String,
}

pub fn decision_out(d: Decision, contact_id: Option<String>, audit_id: String) -> DecisionOut {
    DecisionOut {
        decision: if d.is_allowed() { "allow" } else { "block" }.into(),
        allowed: d.is_allowed(),
        reasons: d
            .reasons
            .into_iter()
            .map(|r| ReasonOut {
                code: r.code.as_str().into(),
                state: r.state.map(|s| s.as_str().to_owned()),
                zone: r.zone.map(|z| z.name().to_owned()),
                citation: r.citation,
                detail: r.detail,
            })
            .collect(),
        notices: d.notices.into_iter().map(|n| NoticeOut { code: n.code.as_str().into(), detail: n.detail }).collect(),
        states: d.jurisdiction.states.iter().map(|s| s.as_str().to_owned()).collect(),
        zones: d.jurisdiction.zones.iter().map(|z| z.name().to_owned()).collect(),
        local_times: d
            .local_times
            .into_iter()
            .map(|t| LocalTimeOut { zone: t.zone.name().into(), local: t.local.to_rfc3339() })
            .collect(),
        unresolved: d.jurisdiction.unresolved,
        ruleset_version: d.ruleset_version,
        evaluated_at: d.evaluated_at,
        next_allowed_at: d.next_allowed_at,
        contact_id,
        audit_id,
    }
}

pub fn actor(auth: &Auth) -> String {
    match &auth.credential {
        Credential::User => format!("user:{}", auth.user_id),
        Credential::ApiKey(k) => format!("api_key:{k}"),
    }
}

/// Asks the gate whether a call, text or email may go out (now, or at `at`). Every decision,
/// allow and block, is written to the audit log.
#[utoipa::path(post, path = "/v1/compliance/check", tag = "compliance", operation_id = "check_compliance", request_body = CheckIn,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the decision", body = DecisionOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 404, description = "no such contact", body = ErrorBody),
        (status = 422, description = "validation_failed", body = ErrorBody),
    ))]
pub async fn check_compliance(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<CheckIn>,
) -> ApiResult<Json<DecisionOut>> {
    let channel = match body.channel {
        ChannelDto::Voice => Channel::Voice,
        ChannelDto::Sms => Channel::Sms,
        ChannelDto::Email => Channel::Email,
    };
    let destination = match (channel, &body.phone, &body.email) {
        (Channel::Email, _, Some(e)) => e.clone(),
        (Channel::Email, _, None) => return Err(ApiError::field("email", "an email check needs the email")),
        (_, Some(p), _) => p.clone(),
        (_, None, _) => return Err(ApiError::field("phone", "a voice or sms check needs the phone")),
    };
    if destination.chars().count() > 320 {
        return Err(ApiError::field(if channel == Channel::Email { "email" } else { "phone" }, "is too long"));
    }
    let state_code = match body.state.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => Some(parse_state(s).map_err(|e| ApiError::field("state", e.to_string()))?),
        None => None,
    };
    let zip = match body.zip.as_deref().filter(|z| !z.trim().is_empty()) {
        Some(z) => Some(outdial_domain::contacts::parse_zip(z).map_err(|e| ApiError::field("zip", e.to_string()))?),
        None => None,
    };
    let now = Utc::now();
    let req = Check {
        channel,
        purpose: body.purpose.into(),
        destination,
        zip,
        state: state_code,
        contact_id: body.contact_id.clone(),
        campaign_id: body.campaign_id.clone(),
        debt_id: body.debt_id.clone(),
        dial_mode: match body.dial_mode.unwrap_or(DialModeDto::Manual) {
            DialModeDto::Manual => DialMode::Manual,
            DialModeDto::Automated => DialMode::Automated,
            DialModeDto::Prerecorded => DialMode::Prerecorded,
        },
        line_type: match body.line_type.unwrap_or(LineTypeDto::Unknown) {
            LineTypeDto::Wireless => LineType::Wireless,
            LineTypeDto::Landline => LineType::Landline,
            LineTypeDto::Unknown => LineType::Unknown,
        },
        at: body.at.unwrap_or(now),
        actor: actor(&auth),
    };
    let national = state.national.clone();
    let checked =
        gate::check(&state.db, &state.rules, &national, &auth.tenant, &req, now).await.map_err(|e| match e {
            GateError::UnknownContact => ApiError::not_found("contact"),
            GateError::Repo(r) => r.into(),
        })?;
    state.metrics.inc(
        "outdial_compliance_decisions_total",
        &[("decision", if checked.decision.is_allowed() { "allow" } else { "block" })],
    );
    Ok(Json(decision_out(checked.decision, checked.contact_id, checked.audit_id)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// A phone (E.164) or email.
    pub destination: Option<String>,
    pub contact_id: Option<String>,
    pub campaign_id: Option<String>,
    /// `allow` or `block`.
    pub decision: Option<String>,
    /// A reason code, e.g. CALLING_HOURS.
    pub code: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditOut {
    #[schema(example = "aud_01JD3T6X8Q4M2N7P9R5S0T1VWX")]
    pub id: String,
    pub decided_at: DateTime<Utc>,
    /// The instant the decision was for (differs from `decided_at` for "what if" checks).
    pub evaluated_at: DateTime<Utc>,
    pub channel: String,
    pub purpose: String,
    pub destination: String,
    pub contact_id: Option<String>,
    pub campaign_id: Option<String>,
    pub decision: String,
    pub codes: Vec<String>,
    pub ruleset_version: String,
    /// Who asked: `user:...`, `api_key:...`, `system:...`.
    pub actor: String,
    /// The full decision as recorded.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

fn codes_of(raw: &str) -> Vec<String> {
    raw.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

impl From<compliance_audit::Model> for AuditOut {
    fn from(a: compliance_audit::Model) -> Self {
        AuditOut {
            id: a.id,
            decided_at: a.decided_at,
            evaluated_at: a.evaluated_at,
            channel: a.channel,
            purpose: a.purpose,
            destination: a.destination,
            contact_id: a.contact_id,
            campaign_id: a.campaign_id,
            decision: a.verdict,
            codes: codes_of(&a.codes),
            ruleset_version: a.ruleset_version,
            actor: a.actor,
            detail: serde_json::from_str(&a.decision).unwrap_or(serde_json::Value::Null),
        }
    }
}

fn audit_filter(q: &AuditQuery) -> ApiResult<audit::Filter> {
    if let Some(d) = &q.decision
        && d != "allow"
        && d != "block"
    {
        return Err(ApiError::field("decision", "must be allow or block"));
    }
    if let Some(c) = &q.code
        && !c.chars().all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit() || ch == '_')
    {
        return Err(ApiError::field("code", "must be a reason code like CALLING_HOURS"));
    }
    let destination = q.destination.as_deref().map(|d| match outdial_domain::contacts::Phone::parse(d) {
        Ok(p) => p.as_str().to_owned(),
        Err(_) => d.trim().to_ascii_lowercase(),
    });
    Ok(audit::Filter {
        destination,
        contact_id: q.contact_id.clone(),
        campaign_id: q.campaign_id.clone(),
        verdict: q.decision.clone(),
        code: q.code.clone(),
        from: q.from,
        to: q.to,
    })
}

/// Searches the audit log, newest first (supervisors and up).
#[utoipa::path(get, path = "/v1/compliance/audit", tag = "compliance", operation_id = "list_audit", params(AuditQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "a page of decisions", body = PageOut<AuditOut>),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 422, description = "invalid_query", body = ErrorBody),
    ))]
pub async fn list_audit(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<PageOut<AuditOut>>> {
    auth.require(Role::Supervisor)?;
    let page = PageQuery { limit: q.limit, cursor: q.cursor.clone() }.page()?;
    let (rows, next_cursor) = audit::search(&state.db, &auth.tenant, &audit_filter(&q)?, &page).await?;
    Ok(Json(PageOut { data: rows.into_iter().map(Into::into).collect(), next_cursor }))
}

/// Exports the matching decisions as CSV (up to 100,000 rows; narrow with `from`/`to` for more).
#[utoipa::path(get, path = "/v1/compliance/audit/export", tag = "compliance", operation_id = "export_audit", params(AuditQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "CSV", body = String, content_type = "text/csv"),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 422, description = "invalid_query", body = ErrorBody),
    ))]
pub async fn export_audit(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<impl IntoResponse> {
    auth.require(Role::Supervisor)?;
    let filter = audit_filter(&q)?;
    let mut out = String::from(
        "id,decided_at,evaluated_at,channel,purpose,destination,contact_id,campaign_id,decision,codes,ruleset_version,actor\n",
    );
    let mut page = Page { cursor: None, limit: 1000 };
    let mut rows_total = 0;
    loop {
        let (rows, next) = audit::search(&state.db, &auth.tenant, &filter, &page).await?;
        for a in rows {
            rows_total += 1;
            let line = [
                a.id.clone(),
                a.decided_at.to_rfc3339(),
                a.evaluated_at.to_rfc3339(),
                a.channel,
                a.purpose,
                a.destination,
                a.contact_id.unwrap_or_default(),
                a.campaign_id.unwrap_or_default(),
                a.verdict,
                codes_of(&a.codes).join(" "),
                a.ruleset_version,
                a.actor,
            ]
            .iter()
            .map(|f| super::csv_field(f))
            .collect::<Vec<_>>()
            .join(",");
            out.push_str(&line);
            out.push('\n');
        }
        match next {
            Some(c) if rows_total < 100_000 => page.cursor = Some(c),
            _ => break,
        }
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"compliance-audit.csv\""),
        ],
        out,
    ))
}

/// One recorded decision (supervisors and up).
#[utoipa::path(get, path = "/v1/compliance/audit/{id}", tag = "compliance", operation_id = "get_audit_entry",
    params(("id" = String, Path, description = "audit id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the decision", body = AuditOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
    ))]
pub async fn get_audit_entry(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<AuditOut>> {
    auth.require(Role::Supervisor)?;
    Ok(Json(audit::get(&state.db, &auth.tenant, &id).await.map_err(ApiError::repo("audit entry"))?.into()))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsIn {
    /// Rule overrides (guard band, replacement state rules, extra holidays, caps per channel and
    /// campaign, emergency bans, consent policy), as the rules engine's `TenantOverrides`.
    #[schema(value_type = Object)]
    pub overrides: serde_json::Value,
    /// Area codes of the agency's National DNC Registry subscription.
    pub subscribed_area_codes: Vec<u16>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsOut {
    /// Bumped on every change; decisions record it as `+tN` on the rule-set version.
    pub revision: i32,
    #[schema(value_type = Object)]
    pub overrides: serde_json::Value,
    pub subscribed_area_codes: Vec<u16>,
    /// The base rule-set version.
    pub ruleset_version: String,
}

fn settings_out(s: compliance_settings::Settings) -> SettingsOut {
    SettingsOut {
        revision: s.revision,
        overrides: serde_json::to_value(&s.overrides).unwrap_or_default(),
        subscribed_area_codes: s.subscribed_area_codes.into_iter().collect(),
        ruleset_version: outdial_domain::compliance::RULESET_VERSION.into(),
    }
}

/// The agency's compliance settings (supervisors and up).
#[utoipa::path(get, path = "/v1/compliance/settings", tag = "compliance", operation_id = "get_compliance_settings",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "settings", body = SettingsOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
    ))]
pub async fn get_compliance_settings(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<SettingsOut>> {
    auth.require(Role::Supervisor)?;
    Ok(Json(settings_out(compliance_settings::get(&state.db, &auth.tenant).await?)))
}

/// Replaces the agency's compliance settings (admins and owners). Effective at the next check.
#[utoipa::path(put, path = "/v1/compliance/settings", tag = "compliance", operation_id = "put_compliance_settings", request_body = SettingsIn,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "saved", body = SettingsOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 422, description = "validation_failed", body = ErrorBody),
    ))]
pub async fn put_compliance_settings(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<SettingsIn>,
) -> ApiResult<Json<SettingsOut>> {
    auth.require(Role::Admin)?;
    let overrides: TenantOverrides = serde_json::from_value(body.overrides)
        .map_err(|e| ApiError::field("overrides", format!("not valid rule overrides: {e}")))?;
    if body.subscribed_area_codes.iter().any(|c| !(200..=999).contains(c)) {
        return Err(ApiError::field("subscribed_area_codes", "area codes are 200 to 999"));
    }
    let codes: BTreeSet<u16> = body.subscribed_area_codes.into_iter().collect();
    let saved = compliance_settings::put(&state.db, &auth.tenant, &overrides, &codes, Utc::now()).await?;
    Ok(Json(settings_out(saved)))
}

/// What the FCC's Reassigned Numbers Database answered for a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReassignedResult {
    /// `yes`: permanently disconnected on `disconnected_at`; consents given before then no
    /// longer count (`REASSIGNED_NUMBER`).
    Disconnected,
    /// `no`: not permanently disconnected since the consents on file.
    NotReassigned,
    /// `no data`: no safe harbor; checks carry the notice `RND_NO_SAFE_HARBOR`.
    NoData,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReassignedIn {
    /// The number the database was asked about.
    #[schema(example = "+12125550100")]
    pub phone: String,
    pub result: ReassignedResult,
    /// When the number was permanently disconnected (required with `disconnected`, refused
    /// otherwise).
    pub disconnected_at: Option<DateTime<Utc>>,
    /// When the database was asked (default now).
    pub checked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReassignedOut {
    pub phone: String,
    pub result: ReassignedResult,
    pub disconnected_at: Option<DateTime<Utc>>,
    pub checked_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<reassigned_number::Model> for ReassignedOut {
    fn from(r: reassigned_number::Model) -> Self {
        let result = match reassigned::check_of(&r) {
            ReassignedCheck::Disconnected { .. } => ReassignedResult::Disconnected,
            ReassignedCheck::NotReassigned => ReassignedResult::NotReassigned,
            ReassignedCheck::NoData | ReassignedCheck::NotChecked => ReassignedResult::NoData,
        };
        ReassignedOut {
            phone: r.e164,
            result,
            disconnected_at: r.disconnected_at,
            checked_at: r.checked_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReassignedQuery {
    /// The number.
    pub phone: String,
}

fn rnd_phone(raw: &str) -> ApiResult<String> {
    Phone::parse(raw)
        .map(|p| p.as_str().to_owned())
        .map_err(|_| ApiError::field("phone", "must be a phone number like (212) 555-0100"))
}

/// The Reassigned Numbers Database answer recorded for a number (supervisors and up).
#[utoipa::path(get, path = "/v1/compliance/reassigned", tag = "compliance", operation_id = "get_reassigned_answer",
    params(ReassignedQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the latest answer", body = ReassignedOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 404, description = "not_found: no answer recorded", body = ErrorBody),
        (status = 422, description = "validation_failed", body = ErrorBody),
    ))]
pub async fn get_reassigned_answer(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<ReassignedQuery>,
) -> ApiResult<Json<ReassignedOut>> {
    auth.require(Role::Supervisor)?;
    let phone = rnd_phone(&q.phone)?;
    let found = reassigned::find(&state.db, &auth.tenant, &phone).await?;
    Ok(Json(found.ok_or_else(|| ApiError::not_found("reassigned-number answer"))?.into()))
}

/// Records what the FCC's Reassigned Numbers Database answered for a number (47 CFR
/// 64.1200(m)), replacing the answer before; every check of the number from then on uses it.
/// The agency queries the database itself (its own RND subscription) and records the answer
/// here (supervisors and up).
#[utoipa::path(put, path = "/v1/compliance/reassigned", tag = "compliance", operation_id = "put_reassigned_answer",
    request_body = ReassignedIn,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "recorded", body = ReassignedOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 422, description = "validation_failed", body = ErrorBody),
    ))]
pub async fn put_reassigned_answer(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<ReassignedIn>,
) -> ApiResult<Json<ReassignedOut>> {
    auth.require(Role::Supervisor)?;
    let phone = rnd_phone(&body.phone)?;
    let now = Utc::now();
    let checked_at = body.checked_at.unwrap_or(now);
    if checked_at > now + chrono::Duration::minutes(5) {
        return Err(ApiError::field("checked_at", "is in the future; give when the database was asked"));
    }
    let answer = match (body.result, body.disconnected_at) {
        (ReassignedResult::Disconnected, Some(at)) if at > checked_at => {
            return Err(ApiError::field("disconnected_at", "is after checked_at"));
        }
        (ReassignedResult::Disconnected, Some(at)) => ReassignedCheck::Disconnected { at },
        (ReassignedResult::Disconnected, None) => {
            return Err(ApiError::field("disconnected_at", "is required when the result is disconnected"));
        }
        (_, Some(_)) => {
            return Err(ApiError::field("disconnected_at", "is given only when the result is disconnected"));
        }
        (ReassignedResult::NotReassigned, None) => ReassignedCheck::NotReassigned,
        (ReassignedResult::NoData, None) => ReassignedCheck::NoData,
    };
    Ok(Json(reassigned::put(&state.db, &auth.tenant, &phone, answer, checked_at, now).await?.into()))
}
