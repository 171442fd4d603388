//! Phone numbers: buy, import, release; team, default and caller name; health; and the
//! local-presence choice of caller ID for a list of leads.

use super::dto::PageOut;
use crate::{
    error::{ApiError, ApiResult, ErrorBody},
    extract::{ApiJson, ApiPath, ApiQuery, Auth, PageQuery},
    state::AppState,
};
use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, NaiveDate, Utc};
use outdial_domain::{contacts::Phone, tenancy::Role};
use outdial_infra::db::entity::phone_number;
use outdial_infra::voice::numbers;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(buy_number, list_numbers))
        .routes(routes!(import_numbers))
        .routes(routes!(choose_caller_ids))
        .routes(routes!(get_number, update_number, release_number))
        .routes(routes!(get_number_health))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NumberOut {
    #[schema(example = "num_01JD3T6X8Q4M2N7P9R5S0T1VWX")]
    pub id: String,
    pub account_id: String,
    pub e164: String,
    pub area_code: Option<i32>,
    /// States the area code serves.
    pub states: Vec<String>,
    pub zones: Vec<String>,
    pub voice: bool,
    pub sms: bool,
    pub mms: bool,
    pub caller_name: Option<String>,
    /// `none`, `pending` (kept until registered with the carrier's CNAM service), `registered`.
    pub cnam_status: String,
    /// `unregistered`, `pending`, `registered`, `not_capable` (10DLC / toll-free verification).
    pub messaging_status: String,
    pub team_id: Option<String>,
    pub is_default: bool,
    /// `active` or `rested` (taken out of rotation until `rested_until`).
    pub health_state: String,
    pub rested_until: Option<NaiveDate>,
    pub health_score: f64,
    pub created_at: DateTime<Utc>,
}

fn split(s: Option<String>) -> Vec<String> {
    s.map(|s| s.split(',').map(str::to_owned).collect()).unwrap_or_default()
}

impl From<phone_number::Model> for NumberOut {
    fn from(n: phone_number::Model) -> Self {
        NumberOut {
            id: n.id,
            account_id: n.account_id,
            e164: n.e164,
            area_code: n.area_code,
            states: split(n.states),
            zones: split(n.zones),
            voice: n.voice,
            sms: n.sms,
            mms: n.mms,
            caller_name: n.caller_name,
            cnam_status: n.cnam_status,
            messaging_status: n.messaging_status,
            team_id: n.team_id,
            is_default: n.is_default,
            health_state: n.health_state,
            rested_until: n.rested_until,
            health_score: n.health_score,
            created_at: n.created_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BuyNumberIn {
    pub account_id: String,
    /// An exact number to buy...
    pub number: Option<String>,
    /// ...or any number in this area code.
    pub area_code: Option<u16>,
}

/// Buys a number through the account's carrier and points its calls and texts at Outdial.
#[utoipa::path(post, path = "/v1/numbers", tag = "numbers", operation_id = "buy_number", request_body = BuyNumberIn,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "bought", body = NumberOut),
        (status = 404, description = "not_found", body = ErrorBody),
        (status = 422, description = "validation_failed or carrier_rejected", body = ErrorBody),
        (status = 502, description = "carrier_unavailable", body = ErrorBody),
    ))]
pub async fn buy_number(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<BuyNumberIn>,
) -> ApiResult<(StatusCode, Json<NumberOut>)> {
    auth.require(Role::Admin)?;
    let number = body
        .number
        .as_deref()
        .map(|n| Phone::parse(n).map_err(|_| ApiError::field("number", "must be a phone number like +15125550100")))
        .transpose()?;
    if body.area_code.is_some_and(|a| !(201..=989).contains(&a)) {
        return Err(ApiError::field("area_code", "must be a three-digit North American area code"));
    }
    if number.is_none() && body.area_code.is_none() {
        return Err(ApiError::field("number", "give a number or an area_code"));
    }
    let n = numbers::buy(&state.voice, &auth.tenant, &body.account_id, number, body.area_code, Utc::now())
        .await
        .map_err(not_found_as("carrier account"))?;
    Ok((StatusCode::CREATED, Json(n.into())))
}

fn not_found_as(what: &'static str) -> impl Fn(outdial_infra::voice::VoiceError) -> ApiError {
    move |e| match e {
        outdial_infra::voice::VoiceError::NotFound => ApiError::not_found(what),
        other => other.into(),
    }
}

/// The agency's numbers.
#[utoipa::path(get, path = "/v1/numbers", tag = "numbers", operation_id = "list_numbers", params(PageQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "a page of numbers", body = PageOut<NumberOut>), (status = 401, description = "unauthenticated", body = ErrorBody)))]
pub async fn list_numbers(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<PageOut<NumberOut>>> {
    let (rows, next_cursor) = numbers::list(&state.db, &auth.tenant, &q.page()?).await?;
    Ok(Json(PageOut { data: rows.into_iter().map(Into::into).collect(), next_cursor }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportNumbersIn {
    pub account_id: String,
}

/// Brings the numbers already on a carrier account under Outdial.
#[utoipa::path(post, path = "/v1/numbers/import", tag = "numbers", operation_id = "import_numbers", request_body = ImportNumbersIn,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the newly imported numbers", body = Vec<NumberOut>),
        (status = 404, description = "not_found", body = ErrorBody),
        (status = 502, description = "carrier_unavailable", body = ErrorBody),
    ))]
pub async fn import_numbers(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<ImportNumbersIn>,
) -> ApiResult<Json<Vec<NumberOut>>> {
    auth.require(Role::Admin)?;
    let rows = numbers::import(&state.voice, &auth.tenant, &body.account_id, Utc::now())
        .await
        .map_err(not_found_as("carrier account"))?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// One number.
#[utoipa::path(get, path = "/v1/numbers/{id}", tag = "numbers", operation_id = "get_number",
    params(("id" = String, Path, description = "number id")), security(("bearer" = [])),
    responses((status = 200, description = "the number", body = NumberOut), (status = 404, description = "not_found", body = ErrorBody)))]
pub async fn get_number(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<NumberOut>> {
    Ok(Json(numbers::get(&state.db, &auth.tenant, &id).await.map_err(not_found_as("number"))?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NumberPatchIn {
    /// The team whose agents take its inbound calls (`null` to clear).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub team_id: Option<Option<String>>,
    /// The fallback caller ID when nothing local fits.
    pub is_default: Option<bool>,
    /// The caller name (CNAM) to register, up to 15 characters.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub caller_name: Option<Option<String>>,
}

/// A field that is present (possibly `null`) versus absent.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// Sets a number's team, default flag or caller name.
#[utoipa::path(patch, path = "/v1/numbers/{id}", tag = "numbers", operation_id = "update_number",
    params(("id" = String, Path, description = "number id")), request_body = NumberPatchIn, security(("bearer" = [])),
    responses((status = 200, description = "updated", body = NumberOut), (status = 404, description = "not_found", body = ErrorBody),
        (status = 422, description = "validation_failed", body = ErrorBody)))]
pub async fn update_number(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<NumberPatchIn>,
) -> ApiResult<Json<NumberOut>> {
    auth.require(Role::Admin)?;
    if let Some(Some(name)) = &body.caller_name {
        let ok = !name.trim().is_empty()
            && name.len() <= 15
            && name.chars().all(|c| c.is_ascii_alphanumeric() || " .,&-'".contains(c));
        if !ok {
            return Err(ApiError::field("caller_name", "1 to 15 letters, digits, spaces and . , & - '"));
        }
    }
    if let Some(Some(team)) = &body.team_id {
        outdial_infra::db::repo::teams::get(&state.db, &auth.tenant, team)
            .await
            .map_err(|_| ApiError::field("team_id", "no such team"))?;
    }
    let patch =
        numbers::NumberPatch { team_id: body.team_id, is_default: body.is_default, caller_name: body.caller_name };
    Ok(Json(
        numbers::update(&state.db, &auth.tenant, &id, patch, Utc::now()).await.map_err(not_found_as("number"))?.into(),
    ))
}

/// Releases a number back to the carrier.
#[utoipa::path(delete, path = "/v1/numbers/{id}", tag = "numbers", operation_id = "release_number",
    params(("id" = String, Path, description = "number id")), security(("bearer" = [])),
    responses((status = 204, description = "released"), (status = 404, description = "not_found", body = ErrorBody),
        (status = 502, description = "carrier_unavailable", body = ErrorBody)))]
pub async fn release_number(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    auth.require(Role::Admin)?;
    numbers::release(&state.voice, &auth.tenant, &id, Utc::now()).await.map_err(not_found_as("number"))?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
// Named apart from the /healthz body and the contact ledger's attempts in the OpenAPI document.
#[schema(as = NumberHealthOut)]
pub struct HealthOut {
    pub number: NumberOut,
    /// Connect rate over the last 7 days (0..1).
    pub connect_rate_7d: f64,
    pub connect_rate_prev_7d: Option<f64>,
    /// Relative week-over-week change of the connect rate.
    pub wow_change: Option<f64>,
    pub short_call_share_7d: f64,
    pub calls_per_day_7d: f64,
    /// Enough dials this week to judge.
    pub judged: bool,
    /// `low_connect_rate`, `connect_rate_falling`, `many_short_calls`, `over_daily_volume`.
    pub flags: Vec<String>,
    /// Calls per day over the last 14 days.
    pub history: Vec<DayOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DayOut {
    pub date: NaiveDate,
    pub dials: u32,
    pub connects: u32,
    pub short_calls: u32,
}

/// A number's health: connect rate and its trend, short calls, volume, flags and history.
#[utoipa::path(get, path = "/v1/numbers/{id}/health", tag = "numbers", operation_id = "get_number_health",
    params(("id" = String, Path, description = "number id")), security(("bearer" = [])),
    responses((status = 200, description = "the health report", body = HealthOut), (status = 404, description = "not_found", body = ErrorBody)))]
pub async fn get_number_health(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<HealthOut>> {
    let today = Utc::now().date_naive();
    let report = numbers::refresh_health(&state.db, &auth.tenant, &id, today).await.map_err(not_found_as("number"))?;
    let number = numbers::get(&state.db, &auth.tenant, &id).await.map_err(not_found_as("number"))?;
    let history = numbers::day_stats(&state.db, &auth.tenant, &id, today).await?;
    Ok(Json(HealthOut {
        number: number.into(),
        connect_rate_7d: report.connect_rate_7d,
        connect_rate_prev_7d: report.connect_rate_prev_7d,
        wow_change: report.wow_change,
        short_call_share_7d: report.short_call_share_7d,
        calls_per_day_7d: report.calls_per_day_7d,
        judged: report.judged,
        flags: report
            .flags
            .iter()
            .map(|f| serde_json::to_value(f).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default())
            .collect(),
        history: history
            .into_iter()
            .map(|d| DayOut { date: d.date, dials: d.dials, connects: d.connects, short_calls: d.short_calls })
            .collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallerIdIn {
    /// Lead phone numbers, up to 1,000.
    pub phones: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CallerIdOut {
    pub phone: String,
    pub number_id: Option<String>,
    pub caller_id: Option<String>,
    /// `area_code`, `state`, `time_zone`, `healthiest`, `default`.
    pub tier: Option<String>,
}

/// Chooses the caller ID for each lead: exact area code, same state, same time zone,
/// healthiest, default — never a rested number while a healthy one exists; volume is spread
/// round-robin among equals.
#[utoipa::path(post, path = "/v1/numbers/caller-id", tag = "numbers", operation_id = "choose_caller_ids", request_body = CallerIdIn,
    security(("bearer" = [])),
    responses((status = 200, description = "one choice per phone, in order", body = Vec<CallerIdOut>),
        (status = 422, description = "validation_failed", body = ErrorBody)))]
pub async fn choose_caller_ids(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<CallerIdIn>,
) -> ApiResult<Json<Vec<CallerIdOut>>> {
    if body.phones.is_empty() || body.phones.len() > 1000 {
        return Err(ApiError::field("phones", "give 1 to 1,000 phone numbers"));
    }
    let mut phones = Vec::with_capacity(body.phones.len());
    for (i, p) in body.phones.iter().enumerate() {
        phones.push(Phone::parse(p).map_err(|_| ApiError::field(&format!("phones[{i}]"), "not a phone number"))?);
    }
    let rotation = u64::from(Utc::now().timestamp_subsec_nanos());
    let choices =
        numbers::choose_caller_ids(&state.db, &auth.tenant, &phones, Utc::now().date_naive(), rotation).await?;
    Ok(Json(
        phones
            .iter()
            .zip(choices)
            .map(|(p, c)| CallerIdOut {
                phone: p.as_str().to_owned(),
                number_id: c.as_ref().map(|c| c.number_id.clone()),
                caller_id: c.as_ref().map(|c| c.phone.as_str().to_owned()),
                tier: c.map(|c| {
                    serde_json::to_value(c.tier).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
                }),
            })
            .collect(),
    ))
}
