//! Agent sessions (join a campaign with an audio leg; ready, pause, leave, hang up), the lead
//! on the line with the script rendered for it, dispositions, callbacks and scripts.

use crate::{
    error::{ApiError, ApiResult, ErrorBody},
    extract::{ApiJson, ApiPath, Auth},
    state::AppState,
};
use axum::{
    Json,
    extract::State,
    http::{StatusCode, header},
    response::IntoResponse,
};
use chrono::{DateTime, Utc};
use outdial_domain::{
    dialer::{Category, script},
    tenancy::Role,
};
use outdial_infra::db::entity::{agent_session, contact, dial_attempt, disposition, script as script_row};
use outdial_infra::db::scope;
use outdial_infra::dialer::{agent_state, dispositions, route, sessions};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(join_campaign, list_agent_sessions))
        .routes(routes!(get_agent_session))
        .routes(routes!(set_agent_ready))
        .routes(routes!(pause_agent))
        .routes(routes!(leave_campaign))
        .routes(routes!(hangup_lead))
        .routes(routes!(preview_lead))
        .routes(routes!(dial_previewed))
        .routes(routes!(skip_previewed))
        .routes(routes!(list_dispositions, create_disposition))
        .routes(routes!(dispose_attempt))
        .routes(routes!(list_callbacks))
        .routes(routes!(callbacks_ical))
        .routes(routes!(create_script, list_scripts))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinIn {
    pub campaign_id: String,
    /// The phone the agent answers on (E.164). Optional on a sandbox carrier account, where a
    /// simulated phone answers.
    pub leg_phone: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LeadOnLine {
    pub attempt_id: String,
    pub contact_id: String,
    pub phone: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub state: Option<String>,
    /// The attempt's state: `scheduled` while previewed, then `dialing`, `ringing`,
    /// `detecting` (answered, AMD listening), `connected` while talking (or `abandoned`),
    /// `ended` afterwards.
    pub status: String,
    /// How the attempt ended (`connected`, `no_answer`, `busy`, `voicemail`, `machine`,
    /// `abandoned`, `failed`, `cancelled`, `blocked`); null while it is live.
    pub outcome: Option<String>,
    /// The campaign's script with this lead's merge fields filled in.
    pub script: Option<String>,
    pub connected_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgentSessionOut {
    #[schema(example = "ags_01JD3T6X8Q4M2N7P9R5S0T1VWX")]
    pub id: String,
    pub user_id: String,
    pub campaign_id: String,
    /// `connecting`, `ready`, `paused`, `on_call`, `wrap_up`, `offline`.
    pub state: String,
    pub pause_reason: Option<String>,
    /// When the agent entered the state.
    pub state_since: DateTime<Utc>,
    /// Seconds in the state, by the dialer's clock (for timers; no browser clock skew).
    pub in_state_secs: i64,
    /// The agent's own conference room (where their audio leg waits).
    pub room: String,
    pub leg_call_id: Option<String>,
    /// The call on the line or being wrapped up.
    pub lead: Option<LeadOnLine>,
    pub created_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

async fn out(state: &AppState, auth: &Auth, s: agent_session::Model) -> ApiResult<AgentSessionOut> {
    let lead = match &s.attempt_id {
        Some(id) => Some(lead_on_line(state, auth, id).await?),
        None => None,
    };
    Ok(AgentSessionOut {
        id: s.id,
        user_id: s.user_id,
        campaign_id: s.campaign_id,
        state: s.state,
        pause_reason: s.pause_reason,
        in_state_secs: (state.dialer.now() - s.state_since).num_seconds().max(0),
        state_since: s.state_since,
        room: s.room,
        leg_call_id: s.leg_call_id,
        lead,
        created_at: s.created_at,
        ended_at: s.ended_at,
    })
}

async fn lead_on_line(state: &AppState, auth: &Auth, attempt_id: &str) -> ApiResult<LeadOnLine> {
    let a = route::attempt(&state.db, &auth.tenant, attempt_id).await?;
    let person = scope::find::<contact::Entity>(&auth.tenant)
        .filter(contact::Column::Id.eq(&a.contact_id))
        .one(&state.db)
        .await?;
    let c = outdial_infra::dialer::campaigns::get(&state.db, &auth.tenant, &a.campaign_id).await?;
    let template = match &c.script_id {
        Some(id) => scope::find::<script_row::Entity>(&auth.tenant)
            .filter(script_row::Column::Id.eq(id))
            .one(&state.db)
            .await?
            .map(|s| s.body),
        None => None,
    };
    let last_call = scope::find::<dial_attempt::Entity>(&auth.tenant)
        .filter(dial_attempt::Column::ContactId.eq(&a.contact_id))
        .filter(dial_attempt::Column::Id.ne(&a.id))
        .filter(dial_attempt::Column::EndedAt.is_not_null())
        .order_by_desc(dial_attempt::Column::EndedAt)
        .one(&state.db)
        .await?
        .and_then(|p| p.ended_at);
    let rendered = template.map(|t| {
        let custom: serde_json::Value =
            person.as_ref().and_then(|p| serde_json::from_str(&p.custom).ok()).unwrap_or(serde_json::Value::Null);
        script::render(&t, &|name: &str| {
            let p = person.as_ref()?;
            match name {
                "FirstName" => p.first_name.clone(),
                "LastName" => p.last_name.clone(),
                "Company" => p.company.clone(),
                "State" => p.state.clone(),
                "Zip" => p.zip.clone(),
                "City" => p.city.clone(),
                "Phone" => Some(a.phone.clone()),
                "Seller" => Some(c.seller_name.clone()),
                "LastCallRelative" => last_call.map(|t| script::relative_days((state.dialer.now() - t).num_days())),
                other => match custom.get(other) {
                    Some(serde_json::Value::String(s)) => Some(s.clone()),
                    Some(serde_json::Value::Null) | None => None,
                    Some(v) => Some(v.to_string()),
                },
            }
        })
    });
    Ok(LeadOnLine {
        attempt_id: a.id,
        contact_id: a.contact_id,
        phone: a.phone,
        first_name: person.as_ref().and_then(|p| p.first_name.clone()),
        last_name: person.as_ref().and_then(|p| p.last_name.clone()),
        company: person.as_ref().and_then(|p| p.company.clone()),
        state: person.as_ref().and_then(|p| p.state.clone()),
        status: a.status,
        outcome: a.outcome,
        script: rendered,
        connected_at: a.connected_at,
    })
}

/// The session, if the caller may act on it: their own, or any for a supervisor.
async fn session_for(state: &AppState, auth: &Auth, id: &str) -> ApiResult<agent_session::Model> {
    let s = sessions::get(&state.db, &auth.tenant, id).await.map_err(|_| ApiError::not_found("agent session"))?;
    if s.user_id != auth.user_id.as_str() {
        auth.require(Role::Supervisor)?;
    }
    Ok(s)
}

/// Joins a campaign: dials the agent's audio leg into their own room.
#[utoipa::path(post, path = "/v1/agent-sessions", tag = "agents", operation_id = "join_campaign", request_body = JoinIn, security(("bearer" = [])),
    responses((status = 201, description = "joined; `connecting` until the leg answers", body = AgentSessionOut),
        (status = 409, description = "already_in_session, invalid_campaign_state", body = ErrorBody),
        (status = 422, description = "leg_required, invalid_phone, no_carrier_account", body = ErrorBody)))]
pub async fn join_campaign(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<JoinIn>,
) -> ApiResult<(StatusCode, Json<AgentSessionOut>)> {
    outdial_infra::dialer::campaigns::get(&state.db, &auth.tenant, &body.campaign_id)
        .await
        .map_err(|_| ApiError::not_found("campaign"))?;
    let s = sessions::join(
        &state.dialer,
        &auth.tenant,
        auth.user_id.as_str(),
        &body.campaign_id,
        body.leg_phone.as_deref(),
        state.dialer.now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(out(&state, &auth, s).await?)))
}

/// Logged-in agents (the caller's own session for an agent; everyone's for a supervisor).
#[utoipa::path(get, path = "/v1/agent-sessions", tag = "agents", operation_id = "list_agent_sessions", security(("bearer" = [])),
    responses((status = 200, description = "active sessions", body = Vec<AgentSessionOut>), (status = 401, description = "unauthenticated", body = ErrorBody)))]
pub async fn list_agent_sessions(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<AgentSessionOut>>> {
    let mut q = scope::find::<agent_session::Entity>(&auth.tenant)
        .filter(agent_session::Column::State.is_in(agent_state::ACTIVE.iter().copied()));
    if !auth.role.at_least(Role::Supervisor) {
        q = q.filter(agent_session::Column::UserId.eq(auth.user_id.as_str()));
    }
    let rows = q.order_by_asc(agent_session::Column::StateSince).all(&state.db).await?;
    let mut data = Vec::with_capacity(rows.len());
    for s in rows {
        data.push(out(&state, &auth, s).await?);
    }
    Ok(Json(data))
}

/// A session with the lead on the line and its script.
#[utoipa::path(get, path = "/v1/agent-sessions/{id}", tag = "agents", operation_id = "get_agent_session",
    params(("id" = String, Path, description = "agent session id")), security(("bearer" = [])),
    responses((status = 200, description = "the session", body = AgentSessionOut), (status = 404, description = "not_found", body = ErrorBody)))]
pub async fn get_agent_session(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<AgentSessionOut>> {
    let s = session_for(&state, &auth, &id).await?;
    Ok(Json(out(&state, &auth, s).await?))
}

/// Ready for calls.
#[utoipa::path(post, path = "/v1/agent-sessions/{id}/ready", tag = "agents", operation_id = "set_agent_ready",
    params(("id" = String, Path, description = "agent session id")), security(("bearer" = [])),
    responses((status = 200, description = "ready", body = AgentSessionOut), (status = 409, description = "invalid_agent_state", body = ErrorBody)))]
pub async fn set_agent_ready(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<AgentSessionOut>> {
    session_for(&state, &auth, &id).await?;
    let s = sessions::set_availability(&state.dialer, &auth.tenant, &id, true, None, state.dialer.now()).await?;
    Ok(Json(out(&state, &auth, s).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PauseIn {
    /// Why (break, lunch, training, meeting...).
    pub reason: Option<String>,
}

/// Paused: no calls are paced for the agent.
#[utoipa::path(post, path = "/v1/agent-sessions/{id}/pause", tag = "agents", operation_id = "pause_agent", request_body = PauseIn,
    params(("id" = String, Path, description = "agent session id")), security(("bearer" = [])),
    responses((status = 200, description = "paused", body = AgentSessionOut), (status = 409, description = "invalid_agent_state", body = ErrorBody)))]
pub async fn pause_agent(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<PauseIn>,
) -> ApiResult<Json<AgentSessionOut>> {
    session_for(&state, &auth, &id).await?;
    let s =
        sessions::set_availability(&state.dialer, &auth.tenant, &id, false, body.reason, state.dialer.now()).await?;
    Ok(Json(out(&state, &auth, s).await?))
}

/// Logs out of the campaign and hangs up the audio leg.
#[utoipa::path(post, path = "/v1/agent-sessions/{id}/leave", tag = "agents", operation_id = "leave_campaign",
    params(("id" = String, Path, description = "agent session id")), security(("bearer" = [])),
    responses((status = 200, description = "offline", body = AgentSessionOut), (status = 404, description = "not_found", body = ErrorBody)))]
pub async fn leave_campaign(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<AgentSessionOut>> {
    session_for(&state, &auth, &id).await?;
    let s = sessions::leave(&state.dialer, &auth.tenant, &id, state.dialer.now()).await?;
    Ok(Json(out(&state, &auth, s).await?))
}

/// Hangs up the lead on the agent's line (the agent stays in their room, in wrap-up).
#[utoipa::path(post, path = "/v1/agent-sessions/{id}/hangup", tag = "agents", operation_id = "hangup_lead",
    params(("id" = String, Path, description = "agent session id")), security(("bearer" = [])),
    responses((status = 204, description = "hung up"), (status = 409, description = "not_on_call", body = ErrorBody)))]
pub async fn hangup_lead(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    session_for(&state, &auth, &id).await?;
    sessions::hangup_lead(&state.dialer, &auth.tenant, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Preview dialing: reserves the next lead for the agent and shows it (with its script) as the
/// session's `lead`, before any call. The same lead again until it is dialled or skipped.
#[utoipa::path(post, path = "/v1/agent-sessions/{id}/preview", tag = "agents", operation_id = "preview_lead",
    params(("id" = String, Path, description = "agent session id")), security(("bearer" = [])),
    responses((status = 200, description = "the session with the previewed lead", body = AgentSessionOut), (status = 404, description = "not_found", body = ErrorBody),
        (status = 409, description = "not_preview_mode, invalid_campaign_state, invalid_agent_state, queue_empty, queue_busy", body = ErrorBody)))]
pub async fn preview_lead(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<AgentSessionOut>> {
    session_for(&state, &auth, &id).await?;
    outdial_infra::dialer::preview::next(&state.dialer, &auth.tenant, &id, state.dialer.now()).await?;
    let s = sessions::get(&state.db, &auth.tenant, &id).await?;
    Ok(Json(out(&state, &auth, s).await?))
}

/// Preview dialing: calls the lead the agent is previewing (through the compliance gate, like
/// every dial). Pressing twice places one call.
#[utoipa::path(post, path = "/v1/agent-sessions/{id}/dial", tag = "agents", operation_id = "dial_previewed",
    params(("id" = String, Path, description = "agent session id")), security(("bearer" = [])),
    responses((status = 202, description = "the call is being placed", body = AgentSessionOut), (status = 404, description = "not_found", body = ErrorBody),
        (status = 409, description = "nothing_previewed, invalid_campaign_state", body = ErrorBody)))]
pub async fn dial_previewed(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<(StatusCode, Json<AgentSessionOut>)> {
    session_for(&state, &auth, &id).await?;
    outdial_infra::dialer::preview::dial(&state.dialer, &auth.tenant, &id, state.dialer.now()).await?;
    let s = sessions::get(&state.db, &auth.tenant, &id).await?;
    Ok((StatusCode::ACCEPTED, Json(out(&state, &auth, s).await?)))
}

/// Preview dialing: passes on the previewed lead without calling; it comes back later, behind
/// the others, with no attempt spent.
#[utoipa::path(post, path = "/v1/agent-sessions/{id}/skip", tag = "agents", operation_id = "skip_previewed",
    params(("id" = String, Path, description = "agent session id")), security(("bearer" = [])),
    responses((status = 200, description = "skipped", body = AgentSessionOut), (status = 404, description = "not_found", body = ErrorBody),
        (status = 409, description = "nothing_previewed, already_dialing", body = ErrorBody)))]
pub async fn skip_previewed(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<AgentSessionOut>> {
    session_for(&state, &auth, &id).await?;
    outdial_infra::dialer::preview::skip(&state.dialer, &auth.tenant, &id, state.dialer.now()).await?;
    let s = sessions::get(&state.db, &auth.tenant, &id).await?;
    Ok(Json(out(&state, &auth, s).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DispositionOut {
    pub id: String,
    pub code: String,
    pub label: String,
    /// `contact`, `no_contact`, `sale`, `callback`, `dnc`, `bad_number`.
    pub category: String,
    /// The key that picks it in the cockpit.
    pub hotkey: Option<String>,
    pub position: i64,
}

impl From<disposition::Model> for DispositionOut {
    fn from(d: disposition::Model) -> Self {
        DispositionOut {
            id: d.id,
            code: d.code,
            label: d.label,
            category: d.category,
            hotkey: d.hotkey,
            position: d.position,
        }
    }
}

/// The agency's dispositions in display order.
#[utoipa::path(get, path = "/v1/dispositions", tag = "agents", operation_id = "list_dispositions", security(("bearer" = [])),
    responses((status = 200, description = "the set", body = Vec<DispositionOut>), (status = 401, description = "unauthenticated", body = ErrorBody)))]
pub async fn list_dispositions(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<DispositionOut>>> {
    let rows = dispositions::list(&state.db, &auth.tenant, state.dialer.now()).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DispositionIn {
    /// Lowercase letters, digits and `_`.
    pub code: String,
    pub label: String,
    /// `contact`, `no_contact`, `sale`, `callback`, `dnc`, `bad_number`.
    pub category: String,
    /// One key, unused by the other dispositions.
    pub hotkey: Option<String>,
}

/// Adds a disposition.
#[utoipa::path(post, path = "/v1/dispositions", tag = "agents", operation_id = "create_disposition", request_body = DispositionIn, security(("bearer" = [])),
    responses((status = 201, description = "created", body = DispositionOut), (status = 409, description = "disposition_exists", body = ErrorBody), (status = 422, description = "invalid_code, invalid_category, invalid_hotkey", body = ErrorBody)))]
pub async fn create_disposition(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<DispositionIn>,
) -> ApiResult<(StatusCode, Json<DispositionOut>)> {
    auth.require(Role::Admin)?;
    let category = Category::parse(&body.category).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_category",
            "category must be contact, no_contact, sale, callback, dnc or bad_number",
        )
    })?;
    let d = dispositions::create(
        &state.db,
        &auth.tenant,
        &body.code,
        &body.label,
        category,
        body.hotkey,
        state.dialer.now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(d.into())))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DispositionGiven {
    pub code: String,
    pub note: Option<String>,
    /// For a callback disposition: when to call back (default: now).
    pub callback_at: Option<DateTime<Utc>>,
    /// For a callback disposition: only this agent takes it.
    #[serde(default)]
    pub callback_mine: bool,
    /// `ready` (default: next call) or `pause`.
    pub then: Option<String>,
}

/// Dispositions a call that reached the agent; ends wrap-up.
#[utoipa::path(post, path = "/v1/dial-attempts/{id}/disposition", tag = "agents", operation_id = "dispose_attempt", request_body = DispositionGiven,
    params(("id" = String, Path, description = "dial attempt id")), security(("bearer" = [])),
    responses((status = 200, description = "recorded", body = super::campaigns::AttemptOut), (status = 404, description = "not_found", body = ErrorBody),
        (status = 409, description = "already_dispositioned, not_dispositionable", body = ErrorBody), (status = 422, description = "unknown_disposition", body = ErrorBody)))]
pub async fn dispose_attempt(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<DispositionGiven>,
) -> ApiResult<Json<super::campaigns::AttemptOut>> {
    let a = route::attempt(&state.db, &auth.tenant, &id).await.map_err(|_| ApiError::not_found("dial attempt"))?;
    if let Some(s) = &a.agent_session_id {
        session_for(&state, &auth, s).await?;
    }
    let then_ready = match body.then.as_deref() {
        None | Some("ready") => true,
        Some("pause") => false,
        Some(_) => {
            return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_then", "then must be ready or pause"));
        }
    };
    let given = dispositions::Given {
        code: body.code,
        note: body.note,
        callback_at: body.callback_at,
        callback_mine: body.callback_mine,
        then_ready,
    };
    let a = dispositions::dispose(&state.dialer, &auth.tenant, &id, auth.user_id.as_str(), &given, state.dialer.now())
        .await?;
    Ok(Json(a.into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CallbackOut {
    pub id: String,
    pub campaign_id: String,
    pub contact_id: String,
    pub phone: String,
    /// Only this user takes it; `null` = anyone.
    pub user_id: Option<String>,
    pub due_at: DateTime<Utc>,
    pub note: Option<String>,
    /// When it came due and its agent (or everyone) was told (event `callback.due`); null
    /// while it is in the future.
    pub notified_at: Option<DateTime<Utc>>,
}

/// Scheduled callbacks, soonest first: the caller's own and those for anyone.
#[utoipa::path(get, path = "/v1/callbacks", tag = "agents", operation_id = "list_callbacks", security(("bearer" = [])),
    responses((status = 200, description = "callbacks", body = Vec<CallbackOut>), (status = 401, description = "unauthenticated", body = ErrorBody)))]
pub async fn list_callbacks(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<CallbackOut>>> {
    let rows = dispositions::callbacks_for(&state.db, &auth.tenant, Some(auth.user_id.as_str())).await?;
    Ok(Json(
        rows.into_iter()
            .map(|c| CallbackOut {
                id: c.id,
                campaign_id: c.campaign_id,
                contact_id: c.contact_id,
                phone: c.phone,
                user_id: c.user_id,
                due_at: c.due_at,
                note: c.note,
                notified_at: c.notified_at,
            })
            .collect(),
    ))
}

/// The caller's callbacks as an iCalendar feed.
#[utoipa::path(get, path = "/v1/callbacks/calendar", tag = "agents", operation_id = "callbacks_ical", security(("bearer" = [])),
    responses((status = 200, description = "text/calendar", body = String, content_type = "text/calendar"), (status = 401, description = "unauthenticated", body = ErrorBody)))]
pub async fn callbacks_ical(State(state): State<AppState>, auth: Auth) -> ApiResult<impl IntoResponse> {
    let rows = dispositions::callbacks_for(&state.db, &auth.tenant, Some(auth.user_id.as_str())).await?;
    Ok(([(header::CONTENT_TYPE, "text/calendar; charset=utf-8")], dispositions::ical(&rows, state.dialer.now())))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScriptIn {
    pub name: String,
    /// Text with merge fields (`{FirstName}`, `{State}`, `{LastCallRelative}`, custom fields) and
    /// branches (`{?Field}shown when set{/Field}`, `{!Field}shown when empty{/Field}`).
    pub body: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScriptOut {
    pub id: String,
    pub name: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// Adds a call script.
#[utoipa::path(post, path = "/v1/scripts", tag = "agents", operation_id = "create_script", request_body = ScriptIn, security(("bearer" = [])),
    responses((status = 201, description = "created", body = ScriptOut), (status = 422, description = "invalid_script", body = ErrorBody)))]
pub async fn create_script(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<ScriptIn>,
) -> ApiResult<(StatusCode, Json<ScriptOut>)> {
    auth.require(Role::Supervisor)?;
    if body.name.trim().is_empty() || body.body.trim().is_empty() || body.body.len() > 20_000 {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_script",
            "a script needs a name and a body of at most 20,000 characters",
        ));
    }
    let now = Utc::now();
    let row = script_row::Model {
        tenant_id: auth.tenant.to_string(),
        id: outdial_infra::ids::script().to_string(),
        name: body.name.trim().to_owned(),
        body: body.body,
        created_at: now,
        updated_at: now,
    };
    script_row::Entity::insert(script_row::ActiveModel::from(row.clone())).exec_without_returning(&state.db).await?;
    Ok((
        StatusCode::CREATED,
        Json(ScriptOut { id: row.id, name: row.name, body: row.body, created_at: row.created_at }),
    ))
}

/// Call scripts.
#[utoipa::path(get, path = "/v1/scripts", tag = "agents", operation_id = "list_scripts", security(("bearer" = [])),
    responses((status = 200, description = "scripts", body = Vec<ScriptOut>), (status = 401, description = "unauthenticated", body = ErrorBody)))]
pub async fn list_scripts(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<ScriptOut>>> {
    let rows =
        scope::find::<script_row::Entity>(&auth.tenant).order_by_asc(script_row::Column::Id).all(&state.db).await?;
    Ok(Json(
        rows.into_iter()
            .map(|s| ScriptOut { id: s.id, name: s.name, body: s.body, created_at: s.created_at })
            .collect(),
    ))
}
