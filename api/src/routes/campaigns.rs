//! Campaigns: every dialer setting, the lists they dial, start / pause / resume / stop, live
//! stats with the abandon meter, and their dial attempts.

use super::dto::PageOut;
use crate::{
    error::{ApiError, ApiResult, ErrorBody},
    extract::{ApiJson, ApiPath, ApiQuery, Auth, PageQuery},
    state::AppState,
};
use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use outdial_domain::{
    dialer::{DialMode, Redial, schedule::Schedule},
    tenancy::Role,
};
use outdial_infra::db::entity::{campaign, dial_attempt};
use outdial_infra::db::scope;
use outdial_infra::dialer::{campaigns, engine};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_campaign, list_campaigns))
        .routes(routes!(get_campaign, update_campaign))
        .routes(routes!(start_campaign))
        .routes(routes!(pause_campaign))
        .routes(routes!(resume_campaign))
        .routes(routes!(stop_campaign))
        .routes(routes!(get_campaign_stats))
        .routes(routes!(list_campaign_attempts))
}

/// Seconds before a lead is dialled again after each outcome.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RedialIn {
    pub no_answer: Option<i64>,
    pub busy: Option<i64>,
    pub machine: Option<i64>,
    pub voicemail: Option<i64>,
    pub failed: Option<i64>,
    pub abandoned: Option<i64>,
}

/// Days and hours a campaign dials, in a named zone. Every dial also passes the compliance
/// gate, which applies the called party's own local calling windows.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleIn {
    /// IANA zone the hours are read in.
    #[schema(example = "America/New_York")]
    pub timezone: String,
    /// Days it dials: `mon`, `tue`, `wed`, `thu`, `fri`, `sat`, `sun`.
    #[schema(example = json!(["mon", "tue", "wed", "thu", "fri"]))]
    pub days: Vec<String>,
    /// Opening time, `HH:MM` (24 h).
    #[schema(example = "09:00")]
    pub start: String,
    /// Closing time, `HH:MM` (24 h), after `start`.
    #[schema(example = "20:00")]
    pub end: String,
}

impl From<ScheduleIn> for Schedule {
    fn from(s: ScheduleIn) -> Self {
        Schedule { timezone: s.timezone, days: s.days, start: s.start, end: s.end }
    }
}

impl From<Schedule> for ScheduleIn {
    fn from(s: Schedule) -> Self {
        ScheduleIn { timezone: s.timezone, days: s.days, start: s.start, end: s.end }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignIn {
    pub name: String,
    /// `preview`, `progressive`, `power` or `predictive`.
    pub mode: String,
    /// Lines per ready agent for `power` (1–3, first to answer wins).
    pub lines_per_agent: Option<i64>,
    /// Abandon ceiling in percent of live answers (at most 3, the default).
    pub abandon_target: Option<f64>,
    /// Answering-machine detection (default on).
    pub amd: Option<bool>,
    /// `hangup` (default) or `voicemail` (then `voicemail_url` plays after the beep).
    pub machine_action: Option<String>,
    pub voicemail_url: Option<String>,
    /// Seconds a call rings before it counts as unanswered (15–120, default 25).
    pub ring_timeout_secs: Option<i64>,
    /// `local_presence` (default) or `fixed` (then `caller_number_id`).
    pub caller_id_mode: Option<String>,
    pub caller_number_id: Option<String>,
    /// The carrier account that places the calls (default: the agency's first account).
    pub account_id: Option<String>,
    /// Attempts per lead (default 3).
    pub max_attempts: Option<i64>,
    pub redial: Option<RedialIn>,
    pub script_id: Option<String>,
    /// `marketing` (default), `informational` or `collection`.
    pub purpose: Option<String>,
    /// Named in the safe-harbor message a person hears when no agent is free.
    pub seller_name: String,
    /// Read out in the safe-harbor message (default: the caller ID).
    pub callback_number: Option<String>,
    /// Seconds of wrap-up before the agent is made ready again (0 = until the disposition; default 60).
    pub wrap_secs: Option<i64>,
    /// Record calls (the consent announcement plays where all parties must agree).
    pub record: Option<bool>,
    /// Text to send when a lead's attempts are used up.
    pub auto_sms: Option<String>,
    /// Days and hours it dials (default: whenever the compliance gate allows).
    pub schedule: Option<ScheduleIn>,
    /// Lists whose contacts the campaign dials.
    pub list_ids: Vec<String>,
}

impl CampaignIn {
    fn settings(self) -> ApiResult<campaigns::Settings> {
        let mode = DialMode::parse(&self.mode).ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_campaign_setting",
                "mode must be preview, progressive, power or predictive",
            )
        })?;
        let d = Redial::default();
        let r = self.redial.unwrap_or(RedialIn {
            no_answer: None,
            busy: None,
            machine: None,
            voicemail: None,
            failed: None,
            abandoned: None,
        });
        Ok(campaigns::Settings {
            name: self.name,
            mode,
            lines_per_agent: self.lines_per_agent.unwrap_or(if mode == DialMode::Power { 2 } else { 1 }),
            abandon_target: self.abandon_target.unwrap_or(3.0),
            amd: self.amd.unwrap_or(true),
            machine_action: self.machine_action.unwrap_or_else(|| "hangup".into()),
            voicemail_url: self.voicemail_url,
            ring_timeout_secs: self.ring_timeout_secs.unwrap_or(25),
            caller_id_mode: self.caller_id_mode.unwrap_or_else(|| "local_presence".into()),
            caller_number_id: self.caller_number_id,
            account_id: self.account_id,
            max_attempts: self.max_attempts.unwrap_or(3),
            redial: Redial {
                no_answer: r.no_answer.unwrap_or(d.no_answer),
                busy: r.busy.unwrap_or(d.busy),
                machine: r.machine.unwrap_or(d.machine),
                voicemail: r.voicemail.unwrap_or(d.voicemail),
                failed: r.failed.unwrap_or(d.failed),
                abandoned: r.abandoned.unwrap_or(d.abandoned),
            },
            script_id: self.script_id,
            purpose: self.purpose.unwrap_or_else(|| "marketing".into()),
            seller_name: self.seller_name,
            callback_number: self.callback_number,
            wrap_secs: self.wrap_secs.unwrap_or(60),
            record: self.record.unwrap_or(false),
            auto_sms: self.auto_sms,
            schedule: self.schedule.map(Into::into),
            list_ids: self.list_ids,
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignOut {
    #[schema(example = "cmp_01JD3T6X8Q4M2N7P9R5S0T1VWX")]
    pub id: String,
    pub name: String,
    pub mode: String,
    pub lines_per_agent: i64,
    pub abandon_target: f64,
    pub amd: bool,
    pub machine_action: String,
    pub voicemail_url: Option<String>,
    pub ring_timeout_secs: i64,
    pub caller_id_mode: String,
    pub caller_number_id: Option<String>,
    pub account_id: Option<String>,
    pub max_attempts: i64,
    pub redial: RedialIn,
    pub script_id: Option<String>,
    pub purpose: String,
    pub seller_name: String,
    pub callback_number: Option<String>,
    pub wrap_secs: i64,
    pub record: bool,
    pub auto_sms: Option<String>,
    pub schedule: Option<ScheduleIn>,
    /// When the schedule opens next, if it is closed now.
    pub opens_at: Option<DateTime<Utc>>,
    pub list_ids: Vec<String>,
    /// `draft`, `running`, `paused`, `stopped` or `completed`.
    pub status: String,
    /// Why the dialer paused, held or finished it on its own (`no_agents_logged_in`,
    /// `carrier_failing`, `outside_schedule`, `queue_empty`).
    pub status_reason: Option<String>,
    /// Who changed the status last (`user:...`, `system:dialer`).
    pub status_by: Option<String>,
    pub status_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn out(c: campaign::Model, list_ids: Vec<String>, now: DateTime<Utc>) -> CampaignOut {
    let r: Redial = serde_json::from_str(&c.redial).unwrap_or_default();
    let schedule = c.schedule.as_deref().and_then(|raw| serde_json::from_str::<Schedule>(raw).ok());
    let opens_at = campaigns::schedule_of(&c).map(|h| h.next_open(now)).filter(|at| *at > now);
    CampaignOut {
        id: c.id,
        name: c.name,
        mode: c.mode,
        lines_per_agent: c.lines_per_agent,
        abandon_target: c.abandon_target,
        amd: c.amd,
        machine_action: c.machine_action,
        voicemail_url: c.voicemail_url,
        ring_timeout_secs: c.ring_timeout_secs,
        caller_id_mode: c.caller_id_mode,
        caller_number_id: c.caller_number_id,
        account_id: c.account_id,
        max_attempts: c.max_attempts,
        redial: RedialIn {
            no_answer: Some(r.no_answer),
            busy: Some(r.busy),
            machine: Some(r.machine),
            voicemail: Some(r.voicemail),
            failed: Some(r.failed),
            abandoned: Some(r.abandoned),
        },
        script_id: c.script_id,
        purpose: c.purpose,
        seller_name: c.seller_name,
        callback_number: c.callback_number,
        wrap_secs: c.wrap_secs,
        record: c.record,
        auto_sms: c.auto_sms,
        schedule: schedule.map(Into::into),
        opens_at,
        list_ids,
        status: c.status,
        status_reason: c.status_reason,
        status_by: c.status_by,
        status_at: c.status_at,
        created_at: c.created_at,
        updated_at: c.updated_at,
    }
}

async fn full(state: &AppState, auth: &Auth, c: campaign::Model) -> ApiResult<CampaignOut> {
    let lists = campaigns::lists_of(&state.db, &auth.tenant, &c.id).await?;
    Ok(out(c, lists, state.dialer.now()))
}

fn actor(auth: &Auth) -> String {
    format!("user:{}", auth.user_id)
}

/// Creates a campaign (a draft until started).
#[utoipa::path(post, path = "/v1/campaigns", tag = "campaigns", operation_id = "create_campaign", request_body = CampaignIn, security(("bearer" = [])),
    responses((status = 201, description = "created", body = CampaignOut), (status = 422, description = "invalid_campaign_setting, unknown_list", body = ErrorBody), (status = 403, description = "forbidden", body = ErrorBody)))]
pub async fn create_campaign(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<CampaignIn>,
) -> ApiResult<(StatusCode, Json<CampaignOut>)> {
    auth.require(Role::Supervisor)?;
    let c = campaigns::create(&state.db, &auth.tenant, &body.settings()?, &actor(&auth), state.dialer.now()).await?;
    Ok((StatusCode::CREATED, Json(full(&state, &auth, c).await?)))
}

/// Campaigns, newest first.
#[utoipa::path(get, path = "/v1/campaigns", tag = "campaigns", operation_id = "list_campaigns", params(PageQuery), security(("bearer" = [])),
    responses((status = 200, description = "a page of campaigns", body = PageOut<CampaignOut>), (status = 401, description = "unauthenticated", body = ErrorBody)))]
pub async fn list_campaigns(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<PageOut<CampaignOut>>> {
    let (rows, next_cursor) = campaigns::list(&state.db, &auth.tenant, &q.page()?).await?;
    let mut data = Vec::with_capacity(rows.len());
    for c in rows {
        data.push(full(&state, &auth, c).await?);
    }
    Ok(Json(PageOut { data, next_cursor }))
}

/// One campaign.
#[utoipa::path(get, path = "/v1/campaigns/{id}", tag = "campaigns", operation_id = "get_campaign",
    params(("id" = String, Path, description = "campaign id")), security(("bearer" = [])),
    responses((status = 200, description = "the campaign", body = CampaignOut), (status = 404, description = "not_found", body = ErrorBody)))]
pub async fn get_campaign(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<CampaignOut>> {
    let c = campaigns::get(&state.db, &auth.tenant, &id).await.map_err(|_| ApiError::not_found("campaign"))?;
    Ok(Json(full(&state, &auth, c).await?))
}

/// Replaces a campaign's settings (a running campaign dials with them from its next tick).
#[utoipa::path(put, path = "/v1/campaigns/{id}", tag = "campaigns", operation_id = "update_campaign", request_body = CampaignIn,
    params(("id" = String, Path, description = "campaign id")), security(("bearer" = [])),
    responses((status = 200, description = "updated", body = CampaignOut), (status = 404, description = "not_found", body = ErrorBody), (status = 422, description = "invalid_campaign_setting", body = ErrorBody)))]
pub async fn update_campaign(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<CampaignIn>,
) -> ApiResult<Json<CampaignOut>> {
    auth.require(Role::Supervisor)?;
    campaigns::get(&state.db, &auth.tenant, &id).await.map_err(|_| ApiError::not_found("campaign"))?;
    let c = campaigns::update(&state.db, &auth.tenant, &id, &body.settings()?, state.dialer.now()).await?;
    Ok(Json(full(&state, &auth, c).await?))
}

async fn act(state: &AppState, auth: &Auth, id: &str, action: campaigns::Action) -> ApiResult<Json<CampaignOut>> {
    auth.require(Role::Supervisor)?;
    campaigns::get(&state.db, &auth.tenant, id).await.map_err(|_| ApiError::not_found("campaign"))?;
    let c = campaigns::act(&state.db, &auth.tenant, id, action, &actor(auth), state.dialer.now()).await?;
    let _ = state
        .events
        .publish(outdial_infra::events::Event {
            tenant_id: auth.tenant.to_string(),
            kind: "campaign.updated".into(),
            data: serde_json::json!({ "campaign_id": c.id, "status": c.status }),
        })
        .await;
    Ok(Json(full(state, auth, c).await?))
}

/// Starts dialing: queues the lists' contacts and paces calls to the agents who join.
#[utoipa::path(post, path = "/v1/campaigns/{id}/start", tag = "campaigns", operation_id = "start_campaign",
    params(("id" = String, Path, description = "campaign id")), security(("bearer" = [])),
    responses((status = 200, description = "running", body = CampaignOut), (status = 409, description = "invalid_campaign_state", body = ErrorBody), (status = 422, description = "no_lists", body = ErrorBody)))]
pub async fn start_campaign(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<CampaignOut>> {
    act(&state, &auth, &id, campaigns::Action::Start).await
}

/// Stops placing new calls; calls in progress finish.
#[utoipa::path(post, path = "/v1/campaigns/{id}/pause", tag = "campaigns", operation_id = "pause_campaign",
    params(("id" = String, Path, description = "campaign id")), security(("bearer" = [])),
    responses((status = 200, description = "paused", body = CampaignOut), (status = 409, description = "invalid_campaign_state", body = ErrorBody)))]
pub async fn pause_campaign(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<CampaignOut>> {
    act(&state, &auth, &id, campaigns::Action::Pause).await
}

/// Resumes a paused campaign.
#[utoipa::path(post, path = "/v1/campaigns/{id}/resume", tag = "campaigns", operation_id = "resume_campaign",
    params(("id" = String, Path, description = "campaign id")), security(("bearer" = [])),
    responses((status = 200, description = "running", body = CampaignOut), (status = 409, description = "invalid_campaign_state", body = ErrorBody)))]
pub async fn resume_campaign(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<CampaignOut>> {
    act(&state, &auth, &id, campaigns::Action::Resume).await
}

/// Stops a campaign for good (it can be started again later; finished leads stay finished).
#[utoipa::path(post, path = "/v1/campaigns/{id}/stop", tag = "campaigns", operation_id = "stop_campaign",
    params(("id" = String, Path, description = "campaign id")), security(("bearer" = [])),
    responses((status = 200, description = "stopped", body = CampaignOut), (status = 409, description = "invalid_campaign_state", body = ErrorBody)))]
pub async fn stop_campaign(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<CampaignOut>> {
    act(&state, &auth, &id, campaigns::Action::Stop).await
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignStatsOut {
    pub dials: u64,
    pub connects: u64,
    pub abandons: u64,
    /// Live answers (connects + abandons) over 30 days: the abandon rate's denominator.
    pub humans: u64,
    /// Abandons in percent of live answers over the last 30 days (the legal figure; must stay ≤ 3).
    pub abandon_pct_30d: f64,
    pub abandon_pct_today: f64,
    pub machines: u64,
    pub voicemails: u64,
    pub no_answers: u64,
    pub busy: u64,
    pub failed: u64,
    /// Dials the compliance gate refused.
    pub blocked: u64,
    pub in_flight: u64,
    pub leads_total: u64,
    pub leads_remaining: u64,
    pub agents_ready: u64,
    pub agents_on_call: u64,
    pub agents_wrap_up: u64,
    pub agents_paused: u64,
}

/// Live counters and the abandon meter.
#[utoipa::path(get, path = "/v1/campaigns/{id}/stats", tag = "campaigns", operation_id = "get_campaign_stats",
    params(("id" = String, Path, description = "campaign id")), security(("bearer" = [])),
    responses((status = 200, description = "counters", body = CampaignStatsOut), (status = 404, description = "not_found", body = ErrorBody)))]
pub async fn get_campaign_stats(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<CampaignStatsOut>> {
    campaigns::get(&state.db, &auth.tenant, &id).await.map_err(|_| ApiError::not_found("campaign"))?;
    let s = engine::stats(&state.db, &auth.tenant, &id, state.dialer.now()).await?;
    Ok(Json(CampaignStatsOut {
        dials: s.dials,
        connects: s.connects,
        abandons: s.abandons,
        humans: s.humans,
        abandon_pct_30d: s.abandon_pct_30d,
        abandon_pct_today: s.abandon_pct_today,
        machines: s.machines,
        voicemails: s.voicemails,
        no_answers: s.no_answers,
        busy: s.busy,
        failed: s.failed,
        blocked: s.blocked,
        in_flight: s.in_flight,
        leads_total: s.leads_total,
        leads_remaining: s.leads_remaining,
        agents_ready: s.agents_ready,
        agents_on_call: s.agents_on_call,
        agents_wrap_up: s.agents_wrap_up,
        agents_paused: s.agents_paused,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
// Named apart from the /healthz body and the contact ledger's attempts in the OpenAPI document.
#[schema(as = DialAttemptOut)]
pub struct AttemptOut {
    #[schema(example = "dial_01JD3T6X8Q4M2N7P9R5S0T1VWX")]
    pub id: String,
    pub campaign_id: String,
    pub contact_id: String,
    pub phone: String,
    /// 1 for the lead's first attempt.
    pub seq: i64,
    /// `scheduled`, `dialing`, `ringing`, `detecting`, `connected`, `abandoned`, `ended`.
    pub status: String,
    pub agent_session_id: Option<String>,
    pub call_id: Option<String>,
    /// `connected`, `abandoned`, `machine`, `voicemail`, `no_answer`, `busy`, `failed`, `cancelled`, `blocked`.
    pub outcome: Option<String>,
    /// Whether it used up one of the lead's attempts.
    pub counts: bool,
    pub disposition: Option<String>,
    pub disposition_note: Option<String>,
    /// Why it was blocked or failed.
    pub detail: Option<String>,
    pub created_at: DateTime<Utc>,
    pub dialed_at: Option<DateTime<Utc>>,
    /// When the dialer heard that someone (or a machine) picked up.
    pub answered_at: Option<DateTime<Utc>>,
    pub connected_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    /// When the agent's wrap-up of the call ended (a disposition, or the wrap time ran out).
    pub wrapped_at: Option<DateTime<Utc>>,
}

impl From<dial_attempt::Model> for AttemptOut {
    fn from(a: dial_attempt::Model) -> Self {
        AttemptOut {
            id: a.id,
            campaign_id: a.campaign_id,
            contact_id: a.contact_id,
            phone: a.phone,
            seq: a.seq,
            status: a.status,
            agent_session_id: a.agent_session_id,
            call_id: a.call_id,
            outcome: a.outcome,
            counts: a.counts,
            disposition: a.disposition,
            disposition_note: a.disposition_note,
            detail: a.detail,
            created_at: a.created_at,
            dialed_at: a.dialed_at,
            connected_at: a.connected_at,
            answered_at: a.answered_at,
            ended_at: a.ended_at,
            wrapped_at: a.wrapped_at,
        }
    }
}

/// A campaign's dial attempts, oldest first.
#[utoipa::path(get, path = "/v1/campaigns/{id}/attempts", tag = "campaigns", operation_id = "list_campaign_attempts",
    params(("id" = String, Path, description = "campaign id"), PageQuery), security(("bearer" = [])),
    responses((status = 200, description = "a page of attempts", body = PageOut<AttemptOut>), (status = 404, description = "not_found", body = ErrorBody)))]
pub async fn list_campaign_attempts(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<PageOut<AttemptOut>>> {
    campaigns::get(&state.db, &auth.tenant, &id).await.map_err(|_| ApiError::not_found("campaign"))?;
    let page = q.page()?;
    let mut query = scope::find::<dial_attempt::Entity>(&auth.tenant).filter(dial_attempt::Column::CampaignId.eq(&id));
    if let Some(c) = &page.cursor {
        query = query.filter(dial_attempt::Column::Id.gt(c.as_str()));
    }
    let rows = query.order_by_asc(dial_attempt::Column::Id).limit(page.limit + 1).all(&state.db).await?;
    let (rows, next_cursor) = page.finish(rows, |a| a.id.clone());
    Ok(Json(PageOut { data: rows.into_iter().map(Into::into).collect(), next_cursor }))
}
