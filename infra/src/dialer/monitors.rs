//! Supervisors on agents' calls. A supervisor's own phone is dialled and joins the agent's
//! audio: on Twilio into the agent's conference room (muted to listen, coaching the agent's leg
//! to whisper, a normal participant to barge); on Telnyx as a call supervising the agent's leg
//! (`supervise_call_control_id` with `supervisor_role`). The monitor follows the agent across
//! calls, since the agent's leg and room outlive each lead, and ends when either side hangs up.

use super::{Dialer, DialerError, agent_state as st, event, sessions};
use crate::db::entity::{agent_session, call, monitor};
use crate::db::scope;
use crate::telephony::CallAction;
use crate::voice::{Observed, accounts, calls};
use chrono::{DateTime, Utc};
use outdial_domain::call_flow::{HumanAction, MonitorMode};
use outdial_domain::contacts::Phone;
use outdial_domain::ids::TenantId;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr};
use serde_json::json;

/// The number a sandbox account's simulated supervisor phone answers on.
pub const SANDBOX_SUPERVISOR_PHONE: &str = "+14155552672";

/// Monitor states.
pub mod state {
    /// The supervisor's phone is ringing.
    pub const DIALING: &str = "dialing";
    pub const CONNECTED: &str = "connected";
    pub const ENDED: &str = "ended";
    pub const LIVE: &[&str] = &[DIALING, CONNECTED];
}

/// Dials `phone` (the simulated supervisor phone on a sandbox account when `None`) into the
/// agent's audio in `mode`.
pub async fn start(
    d: &Dialer,
    tenant: &TenantId,
    user_id: &str,
    session_id: &str,
    mode: MonitorMode,
    phone: Option<&str>,
    now: DateTime<Utc>,
) -> Result<monitor::Model, DialerError> {
    let s = sessions::get(&d.db, tenant, session_id).await?;
    if s.user_id == user_id {
        return Err(DialerError::Conflict("own_session", "you cannot monitor your own session".into()));
    }
    if !st::ACTIVE.contains(&s.state.as_str()) {
        return Err(DialerError::Conflict("agent_offline", "the agent has left the campaign".into()));
    }
    let leg = match &s.leg_call_id {
        Some(id) => Some(calls::get(&d.db, tenant, id).await?),
        None => None,
    };
    let Some((leg, agent_call)) = leg.filter(|l| l.answered_at.is_some() && l.ended_at.is_none()).and_then(|l| {
        let provider_id = l.provider_call_id.clone()?;
        Some((l, provider_id))
    }) else {
        return Err(DialerError::Conflict(
            "agent_not_connected",
            "the agent's audio leg is not connected yet; try again once they are ready".into(),
        ));
    };
    let mine = scope::find::<monitor::Entity>(tenant)
        .filter(monitor::Column::SessionId.eq(session_id))
        .filter(monitor::Column::UserId.eq(user_id))
        .filter(monitor::Column::State.is_in(state::LIVE.iter().copied()))
        .one(&d.db)
        .await?;
    if let Some(m) = mine {
        return Err(DialerError::Conflict(
            "already_monitoring",
            format!("you are already on this agent's calls (monitor {}); change its mode or end it", m.id),
        ));
    }
    let account = accounts::get(&d.db, tenant, &leg.account_id).await?;
    let phone = match phone {
        Some(p) => Phone::parse(p).map_err(|e| DialerError::Invalid("invalid_phone", format!("phone: {e}")))?,
        None if account.sandbox => {
            sessions::simulate_phone(d, SANDBOX_SUPERVISOR_PHONE).await?;
            Phone::parse(SANDBOX_SUPERVISOR_PHONE).expect("valid sandbox supervisor phone")
        }
        None => {
            return Err(DialerError::Invalid("phone_required", "give the phone number you answer on (phone)".into()));
        }
    };
    let from = sessions::any_number(&d.db, tenant, &account).await?;
    let id = crate::ids::monitor().to_string();
    let call_id = crate::ids::call().to_string();
    // The row names its call before the call is placed, so the call's first webhook finds it.
    monitor::Entity::insert(monitor::ActiveModel::from(monitor::Model {
        tenant_id: tenant.to_string(),
        id: id.clone(),
        session_id: session_id.to_owned(),
        user_id: user_id.to_owned(),
        mode: mode.as_str().into(),
        state: state::DIALING.into(),
        phone: phone.as_str().to_owned(),
        call_id: Some(call_id.clone()),
        created_at: now,
        ended_at: None,
        updated_at: now,
    }))
    .exec_without_returning(&d.db)
    .await?;
    let on_human = HumanAction::Monitor { room: s.room.clone(), mode, agent_call };
    let placed = sessions::dial_staff(d, tenant, call_id, &account, from, phone, on_human, now).await;
    if let Err(e) = placed {
        close(&d.db, tenant, &id, now).await?;
        return Err(e.into());
    }
    let m = get(&d.db, tenant, &id).await?;
    d.publish(vec![monitor_event(&m)]).await;
    Ok(m)
}

/// Changes how the supervisor is on the call, live.
pub async fn switch(
    d: &Dialer,
    tenant: &TenantId,
    id: &str,
    mode: MonitorMode,
    now: DateTime<Utc>,
) -> Result<monitor::Model, DialerError> {
    let m = get(&d.db, tenant, id).await?;
    match m.state.as_str() {
        state::CONNECTED => {}
        state::DIALING => {
            return Err(DialerError::Conflict(
                "monitor_not_connected",
                "your phone has not answered yet; change the mode once you are on the call".into(),
            ));
        }
        _ => return Err(DialerError::Conflict("monitor_ended", "this monitor has ended; start a new one".into())),
    }
    if m.mode == mode.as_str() {
        return Ok(m);
    }
    let c = calls::get(&d.db, tenant, m.call_id.as_deref().unwrap_or_default()).await?;
    let mut plan = calls::plan_of(&c).ok_or(DialerError::NotFound)?;
    let HumanAction::Monitor { room, agent_call, .. } = plan.on_human.clone() else {
        return Err(DialerError::NotFound);
    };
    let account = accounts::get(&d.db, tenant, &c.account_id).await?;
    let action = if account.provider == "telnyx" {
        CallAction::SwitchSupervisorRole { mode }
    } else {
        CallAction::Twiml { twiml: crate::telephony::twilio::twiml::monitor(&room, mode, &agent_call) }
    };
    // A fresh command id: switching back to an earlier mode is a new command, not a repeat.
    calls::act(&d.voice, &c, &action, &crate::ids::raw("mon-switch-")).await?;
    plan.on_human = HumanAction::Monitor { room, mode, agent_call };
    scope::update_many::<call::Entity>(tenant)
        .col_expr(call::Column::Plan, Expr::value(serde_json::to_string(&plan).expect("plans serialize")))
        .filter(call::Column::Id.eq(&c.id))
        .exec(&d.db)
        .await?;
    scope::update_many::<monitor::Entity>(tenant)
        .col_expr(monitor::Column::Mode, Expr::value(mode.as_str()))
        .col_expr(monitor::Column::UpdatedAt, Expr::value(now))
        .filter(monitor::Column::Id.eq(id))
        .exec(&d.db)
        .await?;
    let m = get(&d.db, tenant, id).await?;
    d.publish(vec![monitor_event(&m)]).await;
    Ok(m)
}

/// Hangs up the supervisor's call. Ending an ended monitor changes nothing.
pub async fn end(d: &Dialer, tenant: &TenantId, id: &str, now: DateTime<Utc>) -> Result<monitor::Model, DialerError> {
    let m = get(&d.db, tenant, id).await?;
    if m.state == state::ENDED {
        return Ok(m);
    }
    if let Some(call_id) = &m.call_id
        && let Ok(c) = calls::get(&d.db, tenant, call_id).await
        && c.ended_at.is_none()
        && c.provider_call_id.is_some()
    {
        calls::act(&d.voice, &c, &CallAction::Hangup, &format!("mon-end-{id}")).await?;
    }
    close(&d.db, tenant, id, now).await?;
    let m = get(&d.db, tenant, id).await?;
    d.publish(vec![monitor_event(&m)]).await;
    Ok(m)
}

pub async fn get<C: ConnectionTrait>(conn: &C, tenant: &TenantId, id: &str) -> Result<monitor::Model, DialerError> {
    scope::find::<monitor::Entity>(tenant)
        .filter(monitor::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(DialerError::NotFound)
}

/// Monitors not yet ended, oldest first; of one session when given.
pub async fn live<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    session_id: Option<&str>,
) -> Result<Vec<monitor::Model>, DialerError> {
    let mut q =
        scope::find::<monitor::Entity>(tenant).filter(monitor::Column::State.is_in(state::LIVE.iter().copied()));
    if let Some(s) = session_id {
        q = q.filter(monitor::Column::SessionId.eq(s));
    }
    Ok(q.order_by_asc(monitor::Column::CreatedAt).all(conn).await?)
}

async fn close<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    id: &str,
    now: DateTime<Utc>,
) -> Result<bool, DialerError> {
    let res = scope::update_many::<monitor::Entity>(tenant)
        .col_expr(monitor::Column::State, Expr::value(state::ENDED))
        .col_expr(monitor::Column::EndedAt, Expr::value(now))
        .col_expr(monitor::Column::UpdatedAt, Expr::value(now))
        .filter(monitor::Column::Id.eq(id))
        .filter(monitor::Column::State.ne(state::ENDED))
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

pub(crate) fn monitor_event(m: &monitor::Model) -> crate::events::Event {
    event(
        &m.tenant_id,
        "monitor.updated",
        json!({ "monitor_id": m.id, "session_id": m.session_id, "user_id": m.user_id, "mode": m.mode, "state": m.state }),
    )
}

/// The supervisor's own call: answering connects the monitor; its end ends it.
pub(crate) async fn observe_leg(
    txn: &sea_orm::DatabaseTransaction,
    tenant: &TenantId,
    c: &call::Model,
    now: DateTime<Utc>,
    out: &mut Observed,
) -> Result<(), DialerError> {
    let Some(m) = scope::find::<monitor::Entity>(tenant).filter(monitor::Column::CallId.eq(&c.id)).one(txn).await?
    else {
        return Ok(());
    };
    let moved = if c.ended_at.is_some() {
        close(txn, tenant, &m.id, now).await?
    } else if c.answered_at.is_some() && m.state == state::DIALING {
        let res = scope::update_many::<monitor::Entity>(tenant)
            .col_expr(monitor::Column::State, Expr::value(state::CONNECTED))
            .col_expr(monitor::Column::UpdatedAt, Expr::value(now))
            .filter(monitor::Column::Id.eq(&m.id))
            .filter(monitor::Column::State.eq(state::DIALING))
            .exec(txn)
            .await?;
        res.rows_affected == 1
    } else {
        false
    };
    if moved {
        out.events.push(monitor_event(&get(txn, tenant, &m.id).await?));
    }
    Ok(())
}

/// The agent's leg ended: whoever was on their calls is hung up.
pub(crate) async fn agent_gone(
    txn: &sea_orm::DatabaseTransaction,
    tenant: &TenantId,
    s: &agent_session::Model,
    now: DateTime<Utc>,
    out: &mut Observed,
) -> Result<(), DialerError> {
    for m in live(txn, tenant, Some(&s.id)).await? {
        close(txn, tenant, &m.id, now).await?;
        if let Some(call_id) = &m.call_id
            && let Ok(c) = calls::get(txn, tenant, call_id).await
            && c.ended_at.is_none()
        {
            out.actions.push((c, CallAction::Hangup));
        }
        out.events.push(monitor_event(&get(txn, tenant, &m.id).await?));
    }
    Ok(())
}
