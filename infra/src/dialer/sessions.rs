//! Agent sessions: an agent joins a campaign with a persistent audio leg (their phone, or a
//! simulated one on a sandbox account) that sits in the agent's own conference room, so a
//! person who answers joins instantly. Ready, paused (with a reason), on call, wrap-up.

use super::{Dialer, DialerError, agent_state as st, campaign_status as cs, campaigns, event};
use crate::db::entity::{agent_session, campaign, carrier_account, phone_number};
use crate::db::scope;
use crate::telephony::{AmdMode, CallAction};
use crate::voice::{accounts, calls};
use chrono::{DateTime, Utc};
use outdial_domain::call_flow::{CallPlan, HumanAction, MachineAction};
use outdial_domain::contacts::Phone;
use outdial_domain::ids::TenantId;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr};
use serde_json::json;

/// The number a sandbox account's simulated agent phone answers on.
pub const SANDBOX_AGENT_PHONE: &str = "+14155552671";
/// Caller ID for an agent leg or a lead when a sandbox account owns no number yet.
pub const SANDBOX_CALLER_ID: &str = "+14155550123";

/// The carrier account a campaign dials through: the one it names, else the agency's first.
pub async fn account_for<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    c: &campaign::Model,
) -> Result<carrier_account::Model, DialerError> {
    if let Some(id) = &c.account_id {
        return Ok(accounts::get(conn, tenant, id).await?);
    }
    scope::find::<carrier_account::Entity>(tenant)
        .filter(carrier_account::Column::Status.eq("active"))
        .order_by_asc(carrier_account::Column::Id)
        .one(conn)
        .await?
        .ok_or_else(|| DialerError::Invalid("no_carrier_account", "connect a carrier account first".into()))
}

/// Some number of the account to present, for legs that need no local presence.
pub async fn any_number<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    account: &carrier_account::Model,
) -> Result<Phone, DialerError> {
    let n = scope::find::<phone_number::Entity>(tenant)
        .filter(phone_number::Column::AccountId.eq(&account.id))
        .filter(phone_number::Column::Status.eq("active"))
        .one(conn)
        .await?;
    match n {
        Some(n) => {
            Phone::parse(&n.e164).map_err(|_| DialerError::Invalid("no_caller_id", "a number is corrupt".into()))
        }
        None if account.sandbox => Ok(Phone::parse(SANDBOX_CALLER_ID).expect("valid sandbox caller id")),
        None => Err(DialerError::Invalid(
            "no_caller_id",
            "buy or import a phone number on this carrier account first".into(),
        )),
    }
}

/// Joins `user` to a campaign and dials their audio leg. The session is `connecting` until the
/// leg answers, then ready (or paused when `start_paused`).
pub async fn join(
    d: &Dialer,
    tenant: &TenantId,
    user_id: &str,
    campaign_id: &str,
    leg_phone: Option<&str>,
    now: DateTime<Utc>,
) -> Result<agent_session::Model, DialerError> {
    let c = campaigns::get(&d.db, tenant, campaign_id).await?;
    if matches!(c.status.as_str(), cs::STOPPED | cs::COMPLETED) {
        return Err(DialerError::Conflict("invalid_campaign_state", format!("the campaign is {}", c.status)));
    }
    let open = scope::find::<agent_session::Entity>(tenant)
        .filter(agent_session::Column::UserId.eq(user_id))
        .filter(agent_session::Column::State.is_in(st::ACTIVE.iter().copied()))
        .one(&d.db)
        .await?;
    if let Some(s) = open {
        return Err(DialerError::Conflict(
            "already_in_session",
            format!("you are already logged in to a campaign (session {}); leave it first", s.id),
        ));
    }
    let account = account_for(&d.db, tenant, &c).await?;
    let phone = match leg_phone {
        Some(p) => Phone::parse(p).map_err(|e| DialerError::Invalid("invalid_phone", format!("leg phone: {e}")))?,
        None if account.sandbox => {
            simulate_phone(d, SANDBOX_AGENT_PHONE).await?;
            Phone::parse(SANDBOX_AGENT_PHONE).expect("valid sandbox agent phone")
        }
        None => {
            return Err(DialerError::Invalid(
                "leg_required",
                "give the phone number the agent answers on (leg_phone)".into(),
            ));
        }
    };
    let id = crate::ids::agent_session().to_string();
    let room = format!("agent-{id}");
    agent_session::Entity::insert(agent_session::ActiveModel::from(agent_session::Model {
        tenant_id: tenant.to_string(),
        id: id.clone(),
        user_id: user_id.to_owned(),
        campaign_id: campaign_id.to_owned(),
        state: st::CONNECTING.into(),
        pause_reason: None,
        state_since: now,
        leg_call_id: None,
        leg_phone: Some(phone.as_str().to_owned()),
        room: room.clone(),
        attempt_id: None,
        created_at: now,
        ended_at: None,
        updated_at: now,
    }))
    .exec_without_returning(&d.db)
    .await?;
    let from = any_number(&d.db, tenant, &account).await?;
    let on_human =
        if account.provider == "telnyx" { HumanAction::Hold } else { HumanAction::Conference { name: room } };
    let leg_id = crate::ids::call().to_string();
    // The leg is linked before it is placed, so its first webhook finds the session.
    scope::update_many::<agent_session::Entity>(tenant)
        .col_expr(agent_session::Column::LegCallId, Expr::value(leg_id.clone()))
        .filter(agent_session::Column::Id.eq(&id))
        .exec(&d.db)
        .await?;
    let placed = dial_staff(d, tenant, leg_id, &account, from, phone, on_human, now).await;
    if let Err(e) = placed {
        end_session(&d.db, tenant, &id, now).await?;
        return Err(e.into());
    }
    d.publish(vec![event(tenant.as_str(), "agent.updated", json!({ "session_id": id, "state": st::CONNECTING }))])
        .await;
    get(&d.db, tenant, &id).await
}

/// Dials one of the agency's own people (an agent's audio leg, a supervisor's phone): no AMD,
/// no recording, 30 s to answer; what they get on answering is `on_human`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn dial_staff(
    d: &Dialer,
    tenant: &TenantId,
    call_id: String,
    account: &carrier_account::Model,
    from: Phone,
    to: Phone,
    on_human: HumanAction,
    now: DateTime<Utc>,
) -> Result<crate::db::entity::call::Model, crate::voice::VoiceError> {
    let kind =
        if matches!(on_human, HumanAction::Monitor { .. }) { calls::kind::MONITOR } else { calls::kind::AGENT_LEG };
    let plan =
        CallPlan { on_human, on_machine: MachineAction::Hangup, recording_notice: None, record: false, amd: false };
    let new = calls::NewCall {
        kind,
        account_id: account.id.clone(),
        number_id: None,
        from,
        to,
        amd: AmdMode::Off,
        ring_timeout_secs: 30,
        plan,
    };
    calls::place_with_id(&d.voice, tenant, call_id, new, now).await
}

/// Makes the sandbox answer a number at once and hold the line for a whole shift, like an
/// agent's (or a supervisor's) phone.
pub(crate) async fn simulate_phone(d: &Dialer, number: &str) -> Result<(), DialerError> {
    let url = format!("{}/_sandbox/numbers/{number}", d.voice.sandbox_url());
    let body =
        json!({ "outcome": { "kind": "human", "pickup_ms": 300, "talk_ms": 12 * 3600 * 1000, "hangs_up": "agent" } });
    let res = reqwest::Client::new().put(&url).json(&body).send().await;
    match res {
        Ok(r) if r.status().is_success() => Ok(()),
        Ok(r) => {
            Err(DialerError::Invalid("sandbox_unavailable", format!("the sandbox carrier answered {}", r.status())))
        }
        Err(e) => Err(DialerError::Invalid("sandbox_unavailable", format!("the sandbox carrier is unreachable: {e}"))),
    }
}

pub async fn get<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    id: &str,
) -> Result<agent_session::Model, DialerError> {
    scope::find::<agent_session::Entity>(tenant)
        .filter(agent_session::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(DialerError::NotFound)
}

/// Sessions of a campaign that are logged in.
pub async fn active<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    campaign_id: &str,
) -> Result<Vec<agent_session::Model>, DialerError> {
    Ok(scope::find::<agent_session::Entity>(tenant)
        .filter(agent_session::Column::CampaignId.eq(campaign_id))
        .filter(agent_session::Column::State.is_in(st::ACTIVE.iter().copied()))
        .order_by_asc(agent_session::Column::StateSince)
        .all(conn)
        .await?)
}

/// Ready or paused, as the agent asks. On a call or in wrap-up the agent must finish first
/// (a disposition ends wrap-up).
pub async fn set_availability(
    d: &Dialer,
    tenant: &TenantId,
    id: &str,
    ready: bool,
    reason: Option<String>,
    now: DateTime<Utc>,
) -> Result<agent_session::Model, DialerError> {
    let s = get(&d.db, tenant, id).await?;
    let (to, reason) =
        if ready { (st::READY, None) } else { (st::PAUSED, Some(reason.unwrap_or_else(|| "break".into()))) };
    match s.state.as_str() {
        st::READY | st::PAUSED => {}
        st::CONNECTING if !ready => {}
        other => {
            return Err(DialerError::Conflict(
                "invalid_agent_state",
                format!("an agent who is {other} cannot become {to}; finish the call and its disposition first"),
            ));
        }
    }
    let res = scope::update_many::<agent_session::Entity>(tenant)
        .col_expr(agent_session::Column::State, Expr::value(to))
        .col_expr(agent_session::Column::PauseReason, Expr::value(reason))
        .col_expr(agent_session::Column::StateSince, Expr::value(now))
        .col_expr(agent_session::Column::UpdatedAt, Expr::value(now))
        .filter(agent_session::Column::Id.eq(id))
        .filter(agent_session::Column::State.eq(&s.state))
        .exec(&d.db)
        .await?;
    if res.rows_affected == 0 {
        return Err(DialerError::Conflict("invalid_agent_state", "the session changed meanwhile; try again".into()));
    }
    d.publish(vec![event(tenant.as_str(), "agent.updated", json!({ "session_id": id, "state": to }))]).await;
    get(&d.db, tenant, id).await
}

/// Logs the agent out: hangs up their leg. A lead on the line stays connected until it ends.
pub async fn leave(
    d: &Dialer,
    tenant: &TenantId,
    id: &str,
    now: DateTime<Utc>,
) -> Result<agent_session::Model, DialerError> {
    // A lead being previewed goes back to the queue.
    match super::preview::skip(d, tenant, id, now).await {
        Ok(()) | Err(DialerError::Conflict(..)) => {}
        Err(e) => return Err(e),
    }
    let s = get(&d.db, tenant, id).await?;
    end_session(&d.db, tenant, id, now).await?;
    if let Some(leg) = &s.leg_call_id
        && let Ok(call) = calls::get(&d.db, tenant, leg).await
        && call.ended_at.is_none()
    {
        let _ = calls::act(&d.voice, &call, &CallAction::Hangup, &format!("leave-{id}")).await;
    }
    d.publish(vec![event(tenant.as_str(), "agent.updated", json!({ "session_id": id, "state": st::OFFLINE }))]).await;
    get(&d.db, tenant, id).await
}

pub(crate) async fn end_session<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    id: &str,
    now: DateTime<Utc>,
) -> Result<(), DialerError> {
    scope::update_many::<agent_session::Entity>(tenant)
        .col_expr(agent_session::Column::State, Expr::value(st::OFFLINE))
        .col_expr(agent_session::Column::EndedAt, Expr::value(now))
        .col_expr(agent_session::Column::StateSince, Expr::value(now))
        .col_expr(agent_session::Column::UpdatedAt, Expr::value(now))
        .filter(agent_session::Column::Id.eq(id))
        .filter(agent_session::Column::State.ne(st::OFFLINE))
        .exec(conn)
        .await?;
    Ok(())
}

/// Hangs up the lead the agent is talking to.
pub async fn hangup_lead(d: &Dialer, tenant: &TenantId, id: &str) -> Result<(), DialerError> {
    let s = get(&d.db, tenant, id).await?;
    let Some(attempt_id) = s.attempt_id.filter(|_| s.state == st::ON_CALL) else {
        return Err(DialerError::Conflict("not_on_call", "the agent is not on a call".into()));
    };
    let a = super::route::attempt(&d.db, tenant, &attempt_id).await?;
    let Some(call_id) = a.call_id else {
        return Err(DialerError::Conflict("not_on_call", "the call has no leg".into()));
    };
    let call = calls::get(&d.db, tenant, &call_id).await?;
    calls::act(&d.voice, &call, &CallAction::Hangup, &format!("agent-hangup-{attempt_id}")).await?;
    Ok(())
}
