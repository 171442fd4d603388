//! Voicemail templates: recordings uploaded (WAV or MP3) or recorded in the browser, played
//! after the beep by campaigns that leave a voicemail. A campaign plays one by putting its
//! `audio_url` in `voicemail_url`; the carrier fetches that link, which needs no sign-in.

use crate::{
    error::{ApiError, ApiResult, ErrorBody},
    extract::{ApiJson, ApiPath, ApiQuery, Auth},
    state::AppState,
};
use axum::{
    Json, Router,
    body::Body,
    extract::{Path, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use outdial_domain::tenancy::Role;
use outdial_infra::db::entity::voicemail_template;
use outdial_infra::dialer::voicemails;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

/// The upload streams its body (over the JSON limit).
pub fn upload_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(upload_voicemail_template))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_voicemail_templates)).routes(routes!(
        get_voicemail_template,
        update_voicemail_template,
        delete_voicemail_template
    ))
}

/// What carriers fetch: not part of the API document.
pub fn media_router() -> Router<AppState> {
    Router::new().route("/media/voicemail/{id}/{file}", get(voicemail_audio))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VoicemailTemplateOut {
    #[schema(example = "vmt_01JD3T6X8Q4M2N7P9R5S0T1VWX")]
    pub id: String,
    pub name: String,
    /// `audio/wav` or `audio/mpeg`.
    pub content_type: String,
    pub size_bytes: i64,
    /// Known for WAV files.
    pub duration_ms: Option<i64>,
    /// The link carriers play it from (no sign-in; keep it to campaigns). Put it in a
    /// campaign's `voicemail_url` to leave this voicemail.
    pub audio_url: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn out(state: &AppState, t: voicemail_template::Model) -> VoicemailTemplateOut {
    VoicemailTemplateOut {
        audio_url: voicemails::audio_url(&state.voice.public_url(), &t),
        id: t.id,
        name: t.name,
        content_type: t.content_type,
        size_bytes: t.size_bytes,
        duration_ms: t.duration_ms,
        created_by: t.created_by,
        created_at: t.created_at,
        updated_at: t.updated_at,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// What people see it as, e.g. "Solar follow-up, short".
    pub name: String,
}

/// Adds a voicemail template: the audio file is the body (supervisors).
#[utoipa::path(post, path = "/v1/voicemail-templates", tag = "voicemails", operation_id = "upload_voicemail_template",
    params(UploadQuery),
    request_body(content = Vec<u8>, content_type = "audio/wav", description = "a WAV or MP3 file, 5 MB at most"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "stored", body = VoicemailTemplateOut),
        (status = 400, description = "upload_incomplete", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 413, description = "audio_too_large", body = ErrorBody),
        (status = 415, description = "unsupported_media_type", body = ErrorBody),
        (status = 422, description = "empty_audio, unsupported_audio, invalid_name", body = ErrorBody),
    ))]
pub async fn upload_voicemail_template(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<(StatusCode, Json<VoicemailTemplateOut>)> {
    auth.require(Role::Supervisor)?;
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let ct = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let taken = ["audio/wav", "audio/x-wav", "audio/wave", "audio/mpeg", "audio/mp3", "application/octet-stream"];
    if !taken.contains(&ct.as_str()) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the file as the body with Content-Type: audio/wav or audio/mpeg",
        ));
    }
    // Read as it comes, stopping as soon as it is over the limit.
    let mut bytes = Vec::new();
    let mut stream = body.into_data_stream();
    while let Some(frame) = stream.next().await {
        let chunk = frame.map_err(|_| {
            ApiError::new(StatusCode::BAD_REQUEST, "upload_incomplete", "the upload was cut off; send the file again")
        })?;
        if bytes.len() + chunk.len() > voicemails::MAX_BYTES {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "audio_too_large",
                format!("a recording may be {} MB at most", voicemails::MAX_BYTES / (1024 * 1024)),
            ));
        }
        bytes.extend_from_slice(&chunk);
    }
    let t = voicemails::create(&state.db, &auth.tenant, &q.name, bytes, auth.user_id.as_str(), Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(out(&state, t))))
}

/// The agency's voicemail templates, by name.
#[utoipa::path(get, path = "/v1/voicemail-templates", tag = "voicemails", operation_id = "list_voicemail_templates",
    security(("bearer" = [])),
    responses((status = 200, description = "the templates", body = Vec<VoicemailTemplateOut>),
        (status = 401, description = "unauthenticated", body = ErrorBody)))]
pub async fn list_voicemail_templates(
    State(state): State<AppState>,
    auth: Auth,
) -> ApiResult<Json<Vec<VoicemailTemplateOut>>> {
    let all = voicemails::list(&state.db, &auth.tenant).await?;
    Ok(Json(all.into_iter().map(|t| out(&state, t)).collect()))
}

#[utoipa::path(get, path = "/v1/voicemail-templates/{id}", tag = "voicemails", operation_id = "get_voicemail_template",
    params(("id" = String, Path, description = "voicemail template id")), security(("bearer" = [])),
    responses((status = 200, description = "the template", body = VoicemailTemplateOut),
        (status = 404, description = "not_found", body = ErrorBody)))]
pub async fn get_voicemail_template(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<VoicemailTemplateOut>> {
    let t =
        voicemails::get(&state.db, &auth.tenant, &id).await.map_err(|_| ApiError::not_found("voicemail template"))?;
    Ok(Json(out(&state, t)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoicemailTemplatePatch {
    pub name: String,
}

/// Renames a template (supervisors).
#[utoipa::path(patch, path = "/v1/voicemail-templates/{id}", tag = "voicemails", operation_id = "update_voicemail_template",
    params(("id" = String, Path, description = "voicemail template id")), request_body = VoicemailTemplatePatch,
    security(("bearer" = [])),
    responses((status = 200, description = "renamed", body = VoicemailTemplateOut),
        (status = 404, description = "not_found", body = ErrorBody),
        (status = 422, description = "invalid_name", body = ErrorBody)))]
pub async fn update_voicemail_template(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<VoicemailTemplatePatch>,
) -> ApiResult<Json<VoicemailTemplateOut>> {
    auth.require(Role::Supervisor)?;
    voicemails::get(&state.db, &auth.tenant, &id).await.map_err(|_| ApiError::not_found("voicemail template"))?;
    let t = voicemails::rename(&state.db, &auth.tenant, &id, &body.name, Utc::now()).await?;
    Ok(Json(out(&state, t)))
}

/// Deletes a template no campaign plays (supervisors).
#[utoipa::path(delete, path = "/v1/voicemail-templates/{id}", tag = "voicemails", operation_id = "delete_voicemail_template",
    params(("id" = String, Path, description = "voicemail template id")), security(("bearer" = [])),
    responses((status = 204, description = "deleted"),
        (status = 404, description = "not_found", body = ErrorBody),
        (status = 409, description = "template_in_use", body = ErrorBody)))]
pub async fn delete_voicemail_template(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    auth.require(Role::Supervisor)?;
    voicemails::get(&state.db, &auth.tenant, &id).await.map_err(|_| ApiError::not_found("voicemail template"))?;
    voicemails::delete(&state.db, &auth.tenant, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The audio, for the carrier playing it (and the web app's player): `{token}.{wav|mp3}`.
async fn voicemail_audio(State(state): State<AppState>, Path((id, file)): Path<(String, String)>) -> Response {
    let token = file.rsplit_once('.').map_or(file.as_str(), |(t, _)| t);
    match voicemails::for_carrier(&state.db, &id, token).await {
        Ok(Some(t)) => (
            [(header::CONTENT_TYPE, t.content_type), (header::CACHE_CONTROL, "private, max-age=300".to_owned())],
            t.audio,
        )
            .into_response(),
        Ok(None) => ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such recording").into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}
