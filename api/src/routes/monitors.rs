//! Supervisors on agents' calls: listen, whisper, barge, over the supervisor's own phone.

use crate::{
    error::{ApiError, ApiResult, ErrorBody},
    extract::{ApiJson, ApiPath, ApiQuery, Auth},
    state::AppState,
};
use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use outdial_domain::{call_flow::MonitorMode, tenancy::Role};
use outdial_infra::db::entity::monitor;
use outdial_infra::dialer::{monitors, sessions};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(start_monitor))
        .routes(routes!(list_monitors))
        .routes(routes!(get_monitor))
        .routes(routes!(switch_monitor))
        .routes(routes!(end_monitor))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MonitorIn {
    /// `listen` (hear the agent and the lead, unheard), `whisper` (only the agent hears you),
    /// `barge` (both hear you).
    #[schema(example = "listen")]
    pub mode: String,
    /// The phone you answer on (E.164). Optional on a sandbox carrier account, where a
    /// simulated phone answers.
    pub phone: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MonitorModeIn {
    /// `listen`, `whisper` or `barge`.
    #[schema(example = "whisper")]
    pub mode: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MonitorOut {
    #[schema(example = "mon_01JD3T6X8Q4M2N7P9R5S0T1VWX")]
    pub id: String,
    /// The agent session being monitored.
    pub session_id: String,
    /// The supervisor.
    pub user_id: String,
    /// `listen`, `whisper`, `barge`.
    pub mode: String,
    /// `dialing` (your phone is ringing), `connected`, `ended`.
    pub state: String,
    pub phone: String,
    /// The supervisor's call.
    pub call_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

impl From<monitor::Model> for MonitorOut {
    fn from(m: monitor::Model) -> Self {
        MonitorOut {
            id: m.id,
            session_id: m.session_id,
            user_id: m.user_id,
            mode: m.mode,
            state: m.state,
            phone: m.phone,
            call_id: m.call_id,
            created_at: m.created_at,
            ended_at: m.ended_at,
        }
    }
}

fn mode(s: &str) -> ApiResult<MonitorMode> {
    MonitorMode::parse(s).ok_or_else(|| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_mode", "mode must be listen, whisper or barge")
    })
}

async fn monitor_for(state: &AppState, auth: &Auth, id: &str) -> ApiResult<monitor::Model> {
    auth.require(Role::Supervisor)?;
    monitors::get(&state.db, &auth.tenant, id).await.map_err(|_| ApiError::not_found("monitor"))
}

/// Dials your phone into an agent's calls: listen, whisper or barge. You stay on the agent's
/// line across their calls until you end it or the agent leaves.
#[utoipa::path(post, path = "/v1/agent-sessions/{id}/monitors", tag = "agents", operation_id = "start_monitor", request_body = MonitorIn,
    params(("id" = String, Path, description = "agent session id")), security(("bearer" = [])),
    responses((status = 201, description = "your phone is being dialled", body = MonitorOut),
        (status = 403, description = "forbidden (supervisors and above)", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
        (status = 409, description = "agent_offline, agent_not_connected, already_monitoring, own_session", body = ErrorBody),
        (status = 422, description = "invalid_mode, invalid_phone, phone_required", body = ErrorBody)))]
pub async fn start_monitor(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<MonitorIn>,
) -> ApiResult<(StatusCode, Json<MonitorOut>)> {
    auth.require(Role::Supervisor)?;
    let mode = mode(&body.mode)?;
    sessions::get(&state.db, &auth.tenant, &id).await.map_err(|_| ApiError::not_found("agent session"))?;
    let m = monitors::start(
        &state.dialer,
        &auth.tenant,
        auth.user_id.as_str(),
        &id,
        mode,
        body.phone.as_deref(),
        state.dialer.now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(m.into())))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonitorQuery {
    /// Only this agent session's.
    pub session_id: Option<String>,
}

/// Monitors not yet ended, oldest first.
#[utoipa::path(get, path = "/v1/monitors", tag = "agents", operation_id = "list_monitors", params(MonitorQuery), security(("bearer" = [])),
    responses((status = 200, description = "live monitors", body = Vec<MonitorOut>), (status = 403, description = "forbidden", body = ErrorBody)))]
pub async fn list_monitors(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<MonitorQuery>,
) -> ApiResult<Json<Vec<MonitorOut>>> {
    auth.require(Role::Supervisor)?;
    let rows = monitors::live(&state.db, &auth.tenant, q.session_id.as_deref()).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

#[utoipa::path(get, path = "/v1/monitors/{id}", tag = "agents", operation_id = "get_monitor",
    params(("id" = String, Path, description = "monitor id")), security(("bearer" = [])),
    responses((status = 200, description = "the monitor", body = MonitorOut), (status = 404, description = "not_found", body = ErrorBody)))]
pub async fn get_monitor(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<MonitorOut>> {
    Ok(Json(monitor_for(&state, &auth, &id).await?.into()))
}

/// Switches between listen, whisper and barge on the live call.
#[utoipa::path(post, path = "/v1/monitors/{id}/mode", tag = "agents", operation_id = "switch_monitor", request_body = MonitorModeIn,
    params(("id" = String, Path, description = "monitor id")), security(("bearer" = [])),
    responses((status = 200, description = "switched", body = MonitorOut),
        (status = 404, description = "not_found", body = ErrorBody),
        (status = 409, description = "monitor_not_connected, monitor_ended", body = ErrorBody),
        (status = 422, description = "invalid_mode", body = ErrorBody)))]
pub async fn switch_monitor(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<MonitorModeIn>,
) -> ApiResult<Json<MonitorOut>> {
    monitor_for(&state, &auth, &id).await?;
    let mode = mode(&body.mode)?;
    let m = monitors::switch(&state.dialer, &auth.tenant, &id, mode, state.dialer.now()).await?;
    Ok(Json(m.into()))
}

/// Hangs up your call to the agent's line.
#[utoipa::path(post, path = "/v1/monitors/{id}/end", tag = "agents", operation_id = "end_monitor",
    params(("id" = String, Path, description = "monitor id")), security(("bearer" = [])),
    responses((status = 200, description = "ended", body = MonitorOut), (status = 404, description = "not_found", body = ErrorBody)))]
pub async fn end_monitor(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<MonitorOut>> {
    monitor_for(&state, &auth, &id).await?;
    let m = monitors::end(&state.dialer, &auth.tenant, &id, state.dialer.now()).await?;
    Ok(Json(m.into()))
}
