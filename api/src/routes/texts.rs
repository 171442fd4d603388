//! Texts: send one through the compliance gate, the inbox, a lead's thread. Inbound STOP, HELP
//! and START are handled as they arrive (see `outdial_infra::dialer::texts`).

use super::dto::PageOut;
use crate::{
    error::{ApiError, ApiResult, ErrorBody},
    extract::{ApiJson, ApiPath, ApiQuery, Auth, PageQuery},
    state::AppState,
};
use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use outdial_domain::{contacts::Phone, tenancy::Role};
use outdial_infra::db::entity::message;
use outdial_infra::dialer::texts::{self, NewText};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(send_message, list_messages))
        .routes(routes!(message_thread))
        .routes(routes!(get_message))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageIn {
    /// The person's number, E.164.
    #[schema(example = "+12125550123")]
    pub to: String,
    /// Up to 1,600 characters; may be empty (or left out) when `media_urls` are given.
    #[serde(default)]
    pub body: String,
    /// A picture text (MMS): up to 10 public `https` URLs of images, audio, video or PDFs that
    /// the carrier fetches and delivers with the text.
    #[serde(default)]
    #[schema(example = json!(["https://example.com/flyer.jpg"]))]
    pub media_urls: Vec<String>,
    /// The number to send from (default: the one this conversation used, else one in the
    /// person's area code, else any number that can text).
    pub number_id: Option<String>,
    pub contact_id: Option<String>,
    /// `marketing` (default), `informational` or `collection`: what the compliance gate applies.
    pub purpose: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageOut {
    #[schema(example = "msg_01JD3T6X8Q4M2N7P9R5S0T1VWX")]
    pub id: String,
    /// `outbound` or `inbound`.
    pub direction: String,
    pub from: String,
    pub to: String,
    pub body: String,
    /// The media of a picture text (MMS), sent or received; empty for a plain text.
    pub media_urls: Vec<String>,
    /// `queued`, `sending`, `sent`, `delivered`, `undelivered`, `failed`, `blocked` (the gate
    /// refused it as it was leaving) or `received`.
    pub status: String,
    /// Why it failed or was blocked (carrier error, or the gate's reasons with the audit id).
    pub error: Option<String>,
    pub number_id: Option<String>,
    pub contact_id: Option<String>,
    /// `marketing`, `informational`, `collection`, or `reply` (the answer to STOP, HELP, START).
    pub purpose: Option<String>,
    /// `user:...`, `system:texts`.
    pub sent_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<message::Model> for MessageOut {
    fn from(m: message::Model) -> Self {
        MessageOut {
            media_urls: texts::media_of(&m),
            id: m.id,
            direction: m.direction,
            from: m.from_e164,
            to: m.to_e164,
            body: m.body,
            status: m.status,
            error: m.error_code,
            number_id: m.number_id,
            contact_id: m.contact_id,
            purpose: m.purpose,
            sent_by: m.sent_by,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// Sends a text, or a picture text (MMS) with `media_urls`. The compliance gate decides first (do-not-contact lists, opt-outs, quiet
/// hours in the person's time zones, consent); a refusal is a 422 naming the rules and the
/// audit entry. The text is then queued and sent once.
#[utoipa::path(post, path = "/v1/messages", tag = "texts", operation_id = "send_message", request_body = MessageIn,
    security(("bearer" = [])),
    responses((status = 202, description = "queued to send", body = MessageOut),
        (status = 422, description = "invalid_phone, invalid_body, invalid_media, invalid_purpose, unknown_number, unknown_contact, no_number, blocked_by_compliance", body = ErrorBody),
        (status = 401, description = "unauthenticated", body = ErrorBody)))]
pub async fn send_message(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<MessageIn>,
) -> ApiResult<(StatusCode, Json<MessageOut>)> {
    auth.require(Role::Agent)?;
    let m = texts::queue(
        &state.dialer,
        &auth.tenant,
        NewText {
            to: body.to,
            body: body.body,
            media_urls: body.media_urls,
            number_id: body.number_id,
            contact_id: body.contact_id,
            purpose: body.purpose.unwrap_or_else(|| "marketing".into()),
            actor: format!("user:{}", auth.user_id),
        },
    )
    .await?;
    Ok((StatusCode::ACCEPTED, Json(m.into())))
}

/// Every text, sent and received, newest first.
#[utoipa::path(get, path = "/v1/messages", tag = "texts", operation_id = "list_messages", params(PageQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "a page of texts", body = PageOut<MessageOut>), (status = 401, description = "unauthenticated", body = ErrorBody)))]
pub async fn list_messages(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<PageOut<MessageOut>>> {
    let (rows, next_cursor) = texts::list(&state.db, &auth.tenant, &q.page()?).await?;
    Ok(Json(PageOut { data: rows.into_iter().map(Into::into).collect(), next_cursor }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ThreadQuery {
    /// The person's number, E.164.
    pub phone: String,
    /// The latest N texts (1 to 500, default 200).
    pub limit: Option<u64>,
}

/// A conversation with one number, oldest first.
#[utoipa::path(get, path = "/v1/messages/thread", tag = "texts", operation_id = "message_thread", params(ThreadQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "the texts", body = Vec<MessageOut>), (status = 422, description = "invalid_field", body = ErrorBody)))]
pub async fn message_thread(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<ThreadQuery>,
) -> ApiResult<Json<Vec<MessageOut>>> {
    let phone = Phone::parse(q.phone.trim()).map_err(|e| ApiError::field("phone", e.to_string()))?;
    let limit = q.limit.unwrap_or(200);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::field("limit", "must be from 1 to 500"));
    }
    let rows = texts::thread(&state.db, &auth.tenant, &phone, limit).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// One text.
#[utoipa::path(get, path = "/v1/messages/{id}", tag = "texts", operation_id = "get_message",
    params(("id" = String, Path, description = "message id")), security(("bearer" = [])),
    responses((status = 200, description = "the text", body = MessageOut), (status = 404, description = "not_found", body = ErrorBody)))]
pub async fn get_message(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<MessageOut>> {
    let m = texts::get(&state.db, &auth.tenant, &id).await.map_err(|_| ApiError::not_found("message"))?;
    Ok(Json(m.into()))
}
