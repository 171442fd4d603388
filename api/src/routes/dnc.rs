//! The internal do-not-call list and the suppression lists (state DNC lists, litigators...).

use super::dto::PageOut;
use crate::{
    error::{ApiError, ApiResult, ErrorBody},
    extract::{ApiJson, ApiPath, ApiQuery, Auth, PageQuery},
    state::AppState,
};
use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use outdial_domain::{
    contacts::{Phone, parse_state, parse_text},
    tenancy::{Email, Role, parse_name},
};
use outdial_infra::db::{
    entity::{dnc_entry, suppression_list},
    repo::dnc::{self, Target},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_dnc_entry, list_dnc_entries))
        .routes(routes!(get_dnc_entry, delete_dnc_entry))
        .routes(routes!(create_suppression_list, list_suppression_lists))
        .routes(routes!(get_suppression_list, delete_suppression_list))
        .routes(routes!(add_suppression_entries))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DncIn {
    /// A phone number to stop calling and texting (give this or `email`).
    pub phone: Option<String>,
    /// An email address to stop emailing.
    pub email: Option<String>,
    /// Why (the consumer's words, a complaint reference).
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DncOut {
    #[schema(example = "dnc_01JD3T6X8Q4M2N7P9R5S0T1VWX")]
    pub id: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub reason: Option<String>,
    /// `api`, `ui`, `disposition`, `sms_stop`, `unsubscribe`, `import`.
    pub source: String,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<dnc_entry::Model> for DncOut {
    fn from(d: dnc_entry::Model) -> Self {
        DncOut {
            id: d.id,
            phone: d.phone,
            email: d.email,
            reason: d.reason,
            source: d.source,
            created_by: d.created_by,
            created_at: d.created_at,
        }
    }
}

fn target(phone: Option<&str>, email: Option<&str>) -> ApiResult<Target> {
    match (phone, email) {
        (Some(p), None) => Phone::parse(p)
            .map(|p| Target::Phone(p.as_str().to_owned()))
            .map_err(|_| ApiError::field("phone", "must be a phone number like (512) 555-0100")),
        (None, Some(e)) => Email::parse(e)
            .map(|e| Target::Email(e.as_str().to_owned()))
            .map_err(|e| ApiError::field("email", e.to_string())),
        _ => Err(ApiError::field("phone", "give exactly one of phone or email")),
    }
}

/// Adds a phone or email to the internal do-not-call list; effective for the very next check.
/// Adding one that is already listed answers 200 with the existing entry.
#[utoipa::path(post, path = "/v1/dnc", tag = "dnc", operation_id = "create_dnc_entry", request_body = DncIn,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "added", body = DncOut),
        (status = 200, description = "already listed", body = DncOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 422, description = "validation_failed", body = ErrorBody),
    ))]
pub async fn create_dnc_entry(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<DncIn>,
) -> ApiResult<(StatusCode, Json<DncOut>)> {
    // Any member may honor a consumer's request not to be called.
    auth.require(Role::Agent)?;
    let t = target(body.phone.as_deref(), body.email.as_deref())?;
    let reason = body
        .reason
        .as_deref()
        .map(|r| parse_text(r, 500).map_err(|e| ApiError::field("reason", e.to_string())))
        .transpose()?
        .flatten();
    let source = match auth.credential {
        crate::extract::Credential::User => "ui",
        crate::extract::Credential::ApiKey(_) => "api",
    };
    let (row, created) =
        dnc::add(&state.db, &auth.tenant, &t, reason, source, Some(auth.user_id.to_string()), Utc::now()).await?;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(row.into())))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DncQuery {
    /// Find the entry for this phone.
    pub phone: Option<String>,
    /// Find the entry for this email.
    pub email: Option<String>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// Lists (or looks up) internal do-not-call entries.
#[utoipa::path(get, path = "/v1/dnc", tag = "dnc", operation_id = "list_dnc_entries", params(DncQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "a page of entries", body = PageOut<DncOut>),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 422, description = "invalid_query", body = ErrorBody),
    ))]
pub async fn list_dnc_entries(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<DncQuery>,
) -> ApiResult<Json<PageOut<DncOut>>> {
    let page = PageQuery { limit: q.limit, cursor: q.cursor }.page()?;
    let search = match (q.phone.as_deref(), q.email.as_deref()) {
        (None, None) => None,
        (p, e) => Some(target(p, e)?),
    };
    let (rows, next_cursor) = dnc::list(&state.db, &auth.tenant, search.as_ref(), &page).await?;
    Ok(Json(PageOut { data: rows.into_iter().map(Into::into).collect(), next_cursor }))
}

/// One internal do-not-call entry.
#[utoipa::path(get, path = "/v1/dnc/{id}", tag = "dnc", operation_id = "get_dnc_entry",
    params(("id" = String, Path, description = "entry id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the entry", body = DncOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
    ))]
pub async fn get_dnc_entry(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<DncOut>> {
    Ok(Json(dnc::get(&state.db, &auth.tenant, &id).await.map_err(ApiError::repo("do-not-call entry"))?.into()))
}

/// Removes an entry added by mistake (supervisors and up).
#[utoipa::path(delete, path = "/v1/dnc/{id}", tag = "dnc", operation_id = "delete_dnc_entry",
    params(("id" = String, Path, description = "entry id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "removed"),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
    ))]
pub async fn delete_dnc_entry(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    auth.require(Role::Supervisor)?;
    dnc::delete(&state.db, &auth.tenant, &id).await.map_err(ApiError::repo("do-not-call entry"))?;
    Ok(StatusCode::NO_CONTENT)
}

/// What a suppression list is.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SuppressionKind {
    /// A state's do-not-call list (`state` required); scrubbed against for marketing calls.
    State,
    /// The agency's own list (e.g. known litigators); blocks every call and text.
    Custom,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuppressionListIn {
    pub name: String,
    pub kind: SuppressionKind,
    /// For `state` lists: the two-letter state.
    pub state: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SuppressionListOut {
    #[schema(example = "sup_01JD3T6X8Q4M2N7P9R5S0T1VWX")]
    pub id: String,
    pub name: String,
    pub kind: String,
    pub state: Option<String>,
    /// When the loaded copy was obtained from its source (state lists must be under 31 days old).
    pub copy_obtained_at: Option<DateTime<Utc>>,
    pub entries: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<suppression_list::Model> for SuppressionListOut {
    fn from(l: suppression_list::Model) -> Self {
        SuppressionListOut {
            id: l.id,
            name: l.name,
            kind: l.kind,
            state: l.state,
            copy_obtained_at: l.copy_obtained_at,
            entries: l.entries,
            created_at: l.created_at,
            updated_at: l.updated_at,
        }
    }
}

/// Creates a suppression list (admins and owners).
#[utoipa::path(post, path = "/v1/suppression-lists", tag = "dnc", operation_id = "create_suppression_list", request_body = SuppressionListIn,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "created", body = SuppressionListOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 422, description = "validation_failed", body = ErrorBody),
    ))]
pub async fn create_suppression_list(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<SuppressionListIn>,
) -> ApiResult<(StatusCode, Json<SuppressionListOut>)> {
    auth.require(Role::Admin)?;
    let name = parse_name(&body.name).map_err(|e| ApiError::field("name", e.to_string()))?;
    let st = match (body.kind, body.state.as_deref()) {
        (SuppressionKind::State, Some(s)) => {
            Some(parse_state(s).map_err(|e| ApiError::field("state", e.to_string()))?.as_str().to_owned())
        }
        (SuppressionKind::State, None) => return Err(ApiError::field("state", "a state list needs its state")),
        (SuppressionKind::Custom, Some(_)) => return Err(ApiError::field("state", "only state lists have a state")),
        (SuppressionKind::Custom, None) => None,
    };
    let kind = if body.kind == SuppressionKind::State { "state" } else { "custom" };
    let l = dnc::create_list(
        &state.db,
        &auth.tenant,
        &dnc::NewList { name, kind: kind.into(), state: st, copy_obtained_at: None },
        Utc::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(l.into())))
}

/// Lists the suppression lists.
#[utoipa::path(get, path = "/v1/suppression-lists", tag = "dnc", operation_id = "list_suppression_lists", params(PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "a page of lists", body = PageOut<SuppressionListOut>),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 422, description = "invalid_query", body = ErrorBody),
    ))]
pub async fn list_suppression_lists(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<PageOut<SuppressionListOut>>> {
    let (rows, next_cursor) = dnc::lists(&state.db, &auth.tenant, &q.page()?).await?;
    Ok(Json(PageOut { data: rows.into_iter().map(Into::into).collect(), next_cursor }))
}

/// One suppression list.
#[utoipa::path(get, path = "/v1/suppression-lists/{id}", tag = "dnc", operation_id = "get_suppression_list",
    params(("id" = String, Path, description = "list id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the list", body = SuppressionListOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
    ))]
pub async fn get_suppression_list(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<SuppressionListOut>> {
    Ok(Json(dnc::get_list(&state.db, &auth.tenant, &id).await.map_err(ApiError::repo("suppression list"))?.into()))
}

/// Deletes a suppression list (admins and owners).
#[utoipa::path(delete, path = "/v1/suppression-lists/{id}", tag = "dnc", operation_id = "delete_suppression_list",
    params(("id" = String, Path, description = "list id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "deleted"),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
    ))]
pub async fn delete_suppression_list(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    auth.require(Role::Admin)?;
    dnc::delete_list(&state.db, &auth.tenant, &id).await.map_err(ApiError::repo("suppression list"))?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuppressionEntriesIn {
    /// Up to 10,000 numbers a call.
    pub phones: Vec<String>,
    /// When this copy was obtained from its source (required for state lists).
    pub copy_obtained_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SuppressionEntriesOut {
    pub added: u64,
    /// Input numbers that are not phone numbers, with their position.
    pub invalid: Vec<InvalidPhone>,
    pub list: SuppressionListOut,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvalidPhone {
    pub index: usize,
    pub value: String,
}

/// Adds numbers to a suppression list (admins and owners).
#[utoipa::path(post, path = "/v1/suppression-lists/{id}/entries", tag = "dnc", operation_id = "add_suppression_entries", request_body = SuppressionEntriesIn,
    params(("id" = String, Path, description = "list id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "added", body = SuppressionEntriesOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
        (status = 422, description = "validation_failed", body = ErrorBody),
    ))]
pub async fn add_suppression_entries(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<SuppressionEntriesIn>,
) -> ApiResult<Json<SuppressionEntriesOut>> {
    auth.require(Role::Admin)?;
    let list = dnc::get_list(&state.db, &auth.tenant, &id).await.map_err(ApiError::repo("suppression list"))?;
    if body.phones.len() > 10_000 {
        return Err(ApiError::field("phones", "at most 10,000 numbers a call"));
    }
    if list.kind == "state" && body.copy_obtained_at.is_none() {
        return Err(ApiError::field("copy_obtained_at", "say when this copy of the state list was obtained"));
    }
    if body.copy_obtained_at.is_some_and(|t| t > Utc::now() + chrono::Duration::minutes(5)) {
        return Err(ApiError::field("copy_obtained_at", "cannot be in the future"));
    }
    let mut valid = Vec::new();
    let mut invalid = Vec::new();
    for (index, raw) in body.phones.iter().enumerate() {
        match Phone::parse(raw) {
            Ok(p) => valid.push(p.as_str().to_owned()),
            Err(_) => invalid.push(InvalidPhone { index, value: raw.chars().take(40).collect() }),
        }
    }
    let now = Utc::now();
    let added = dnc::add_entries(&state.db, &auth.tenant, &id, &valid, body.copy_obtained_at, now).await?;
    let list = dnc::get_list(&state.db, &auth.tenant, &id).await?;
    Ok(Json(SuppressionEntriesOut { added, invalid, list: list.into() }))
}
