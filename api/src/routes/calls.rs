//! Calls and texts as the carriers reported them, callback tasks, and browser voice tokens.

use super::dto::PageOut;
use crate::{
    error::{ApiError, ApiResult, ErrorBody},
    extract::{ApiJson, ApiPath, ApiQuery, Auth, PageQuery},
    state::AppState,
};
use axum::{Json, extract::State};
use chrono::{DateTime, Utc};
use outdial_infra::db::entity::{call, task};
use outdial_infra::db::scope;
use outdial_infra::voice::{Credentials, calls};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_calls))
        .routes(routes!(get_call))
        .routes(routes!(list_tasks))
        .routes(routes!(create_voice_token))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CallOut {
    #[schema(example = "call_01JD3T6X8Q4M2N7P9R5S0T1VWX")]
    pub id: String,
    pub account_id: String,
    pub number_id: Option<String>,
    /// `outbound` or `inbound`.
    pub direction: String,
    pub from: String,
    pub to: String,
    /// `queued`, `initiated`, `ringing`, `in_progress`, `completed`, `busy`, `no_answer`, `failed`, `canceled`.
    pub status: String,
    /// `human`, `machine`, `machine_beep`, `machine_end`, `fax`, `unknown`.
    pub answered_by: Option<String>,
    /// `us` or `them`.
    pub hangup_source: Option<String>,
    pub duration_secs: Option<i32>,
    pub voicemail_dropped: bool,
    /// The last carrier error on this call, if any.
    pub last_error: Option<String>,
    /// The carrier's recording (a recorded conversation, an inbound caller's voicemail), once
    /// the carrier has saved it.
    pub recording_url: Option<String>,
    pub recording_secs: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
}

impl From<call::Model> for CallOut {
    fn from(c: call::Model) -> Self {
        CallOut {
            id: c.id,
            account_id: c.account_id,
            number_id: c.number_id,
            direction: c.direction,
            from: c.from_e164,
            to: c.to_e164,
            status: c.status,
            answered_by: c.answered_by,
            hangup_source: c.hangup_source,
            duration_secs: c.duration_secs,
            voicemail_dropped: c.voicemail_dropped,
            last_error: c.last_error,
            recording_url: c.recording_url,
            recording_secs: c.recording_secs,
            created_at: c.created_at,
            answered_at: c.answered_at,
            ended_at: c.ended_at,
        }
    }
}

/// Calls, newest first.
#[utoipa::path(get, path = "/v1/calls", tag = "calls", operation_id = "list_calls", params(PageQuery), security(("bearer" = [])),
    responses((status = 200, description = "a page of calls", body = PageOut<CallOut>), (status = 401, description = "unauthenticated", body = ErrorBody)))]
pub async fn list_calls(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<PageOut<CallOut>>> {
    let (rows, next_cursor) = calls::list(&state.db, &auth.tenant, &q.page()?).await?;
    Ok(Json(PageOut { data: rows.into_iter().map(Into::into).collect(), next_cursor }))
}

/// One call.
#[utoipa::path(get, path = "/v1/calls/{id}", tag = "calls", operation_id = "get_call",
    params(("id" = String, Path, description = "call id")), security(("bearer" = [])),
    responses((status = 200, description = "the call", body = CallOut), (status = 404, description = "not_found", body = ErrorBody)))]
pub async fn get_call(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<CallOut>> {
    let c = calls::get(&state.db, &auth.tenant, &id).await.map_err(|_| ApiError::not_found("call"))?;
    Ok(Json(c.into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskOut {
    pub id: String,
    /// `callback`.
    pub kind: String,
    /// Who to call back.
    pub phone: String,
    pub number_id: Option<String>,
    pub call_id: Option<String>,
    pub team_id: Option<String>,
    pub note: Option<String>,
    /// `open` or `done`.
    pub status: String,
    pub due_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// Open callback tasks (e.g. missed inbound calls), oldest due first.
#[utoipa::path(get, path = "/v1/tasks", tag = "calls", operation_id = "list_tasks", params(PageQuery), security(("bearer" = [])),
    responses((status = 200, description = "a page of tasks", body = PageOut<TaskOut>), (status = 401, description = "unauthenticated", body = ErrorBody)))]
pub async fn list_tasks(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<PageOut<TaskOut>>> {
    let page = q.page()?;
    let mut query = scope::find::<task::Entity>(&auth.tenant).filter(task::Column::Status.eq("open"));
    if let Some(c) = &page.cursor {
        query = query.filter(task::Column::Id.gt(c.as_str()));
    }
    let rows = query.order_by_asc(task::Column::Id).limit(page.limit + 1).all(&state.db).await?;
    let (rows, next_cursor) = page.finish(rows, |t| t.id.clone());
    Ok(Json(PageOut {
        data: rows
            .into_iter()
            .map(|t| TaskOut {
                id: t.id,
                kind: t.kind,
                phone: t.phone,
                number_id: t.number_id,
                call_id: t.call_id,
                team_id: t.team_id,
                note: t.note,
                status: t.status,
                due_at: t.due_at,
                created_at: t.created_at,
            })
            .collect(),
        next_cursor,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoiceTokenIn {
    /// The Twilio carrier account whose API key signs the token.
    pub account_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VoiceTokenOut {
    /// A Twilio Access Token (JWT) for the browser Voice SDK.
    pub token: String,
    pub identity: String,
    pub expires_at: DateTime<Utc>,
}

/// An access token so the caller's browser can hold the agent audio leg.
#[utoipa::path(post, path = "/v1/voice/token", tag = "calls", operation_id = "create_voice_token", request_body = VoiceTokenIn,
    security(("bearer" = [])),
    responses((status = 200, description = "the token", body = VoiceTokenOut), (status = 404, description = "not_found", body = ErrorBody),
        (status = 422, description = "no_voice_api_key", body = ErrorBody)))]
pub async fn create_voice_token(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<VoiceTokenIn>,
) -> ApiResult<Json<VoiceTokenOut>> {
    let account = outdial_infra::voice::accounts::get(&state.db, &auth.tenant, &body.account_id)
        .await
        .map_err(|_| ApiError::not_found("carrier account"))?;
    let Credentials::Twilio(c) = state.voice.credentials(&account)? else {
        return Err(ApiError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "no_voice_api_key",
            "browser tokens are minted for Twilio accounts",
        ));
    };
    let (Some(key), Some(secret)) = (c.api_key_sid.as_deref(), c.api_key_secret.as_deref()) else {
        return Err(ApiError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "no_voice_api_key",
            "add api_key_sid and api_key_secret to the carrier account's credentials",
        ));
    };
    let now = Utc::now();
    let identity = auth.user_id.to_string();
    let token = outdial_infra::telephony::twilio::token::mint(
        &outdial_infra::telephony::twilio::token::VoiceToken {
            account_sid: &c.account_sid,
            api_key_sid: key,
            api_key_secret: secret,
            identity: &identity,
            outgoing_application_sid: c.twiml_app_sid.as_deref(),
            outgoing_params: serde_json::Map::new(),
            incoming_allow: true,
            ttl_secs: 3600,
        },
        now.timestamp(),
    )
    .map_err(ApiError::internal)?;
    Ok(Json(VoiceTokenOut { token, identity, expires_at: now + chrono::Duration::seconds(3600) }))
}
