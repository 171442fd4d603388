//! Preview dialing: the agent sees the next lead before any call is placed, then dials it or
//! skips it. `next` reserves the lead for the agent with an attempt bound to them (scheduled,
//! no placing job yet); `dial` enqueues the placing job through the outbox; `skip` gives the
//! lead back to the end of the queue without spending an attempt. All three run under the
//! campaign lock, like the tick, so two agents never preview the same lead.

use super::{
    Dialer, DialerError, agent_state as st, attempt_status as at, campaign_status as cs, engine, event, lead_status,
    route, sessions,
};
use crate::db::entity::{agent_session, campaign_lead, dial_attempt};
use crate::db::scope;
use crate::queue::{Job, outbox};
use crate::voice::Observed;
use chrono::{DateTime, Duration, Utc};
use outdial_domain::dialer::{Outcome, priority};
use outdial_domain::ids::TenantId;
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, sea_query::Expr};
use serde_json::json;

/// Marks a previewed attempt whose placing job is written (the agent pressed dial).
const DIAL_REQUESTED: &str = "dial_requested";

/// A skipped lead comes back after this long, behind the leads not yet seen.
const SKIPPED_COMES_BACK_AFTER_MINS: i64 = 30;

/// The attempt the agent is previewing (scheduled and bound to them), if any.
async fn previewed<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    s: &agent_session::Model,
) -> Result<Option<dial_attempt::Model>, DialerError> {
    let Some(id) = &s.attempt_id else { return Ok(None) };
    let a = route::attempt(conn, tenant, id).await?;
    Ok((a.status == at::SCHEDULED && a.agent_session_id.as_deref() == Some(&s.id)).then_some(a))
}

/// Reserves the next lead for the agent (or gives back the one already reserved).
pub async fn next(d: &Dialer, tenant: &TenantId, session_id: &str, now: DateTime<Utc>) -> Result<String, DialerError> {
    let s = sessions::get(&d.db, tenant, session_id).await?;
    let txn = crate::db::begin(&d.db).await?;
    let c = route::lock_campaign(&txn, tenant, &s.campaign_id).await?;
    if c.mode != "preview" {
        return Err(DialerError::Conflict(
            "not_preview_mode",
            format!("campaign {} dials by itself ({}); previews are for preview campaigns", c.id, c.mode),
        ));
    }
    if c.status != cs::RUNNING {
        return Err(DialerError::Conflict(
            "invalid_campaign_state",
            format!("the campaign is {}; start it first", c.status),
        ));
    }
    let s = sessions::get(&txn, tenant, session_id).await?;
    if let Some(a) = previewed(&txn, tenant, &s).await? {
        return Ok(a.id);
    }
    if let Some(hours) = super::campaigns::schedule_of(&c).filter(|h| !h.is_open(now)) {
        return Err(DialerError::Conflict(
            "outside_schedule",
            format!("the campaign's schedule is closed; it opens at {}", hours.next_open(now).to_rfc3339()),
        ));
    }
    if s.state != st::READY {
        return Err(DialerError::Conflict(
            "invalid_agent_state",
            format!("an agent who is {} cannot take a lead; become ready first", s.state),
        ));
    }
    // The agent's own callbacks first; those other agents kept for themselves are passed over.
    let due = engine::next_leads(&txn, tenant, &c.id, 25, now).await?;
    let mine = due.iter().position(|l| l.callback_user_id.as_deref() == Some(s.user_id.as_str()));
    let pick = mine.or_else(|| due.iter().position(|l| engine::free_for(l, &s.user_id, now)));
    let Some(lead) = pick.map(|i| due[i].clone()) else {
        return Err(DialerError::Conflict("queue_empty", "no lead is due now; try again later".into()));
    };
    let Some(id) = engine::reserve(&txn, tenant, &c, &lead, Some(s.id.clone()), None, now).await? else {
        return Err(DialerError::Conflict("queue_busy", "the lead was taken meanwhile; try again".into()));
    };
    scope::update_many::<agent_session::Entity>(tenant)
        .col_expr(agent_session::Column::AttemptId, Expr::value(id.clone()))
        .col_expr(agent_session::Column::UpdatedAt, Expr::value(now))
        .filter(agent_session::Column::Id.eq(&s.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    d.publish(vec![event(
        tenant.as_str(),
        "agent.updated",
        json!({ "session_id": s.id, "state": st::READY, "attempt_id": id, "previewing": true }),
    )])
    .await;
    Ok(id)
}

/// Places the call to the lead the agent is previewing.
pub async fn dial(d: &Dialer, tenant: &TenantId, session_id: &str, now: DateTime<Utc>) -> Result<String, DialerError> {
    let s = sessions::get(&d.db, tenant, session_id).await?;
    let txn = crate::db::begin(&d.db).await?;
    let c = route::lock_campaign(&txn, tenant, &s.campaign_id).await?;
    if c.status != cs::RUNNING {
        return Err(DialerError::Conflict(
            "invalid_campaign_state",
            format!("the campaign is {}; start it first", c.status),
        ));
    }
    let s = sessions::get(&txn, tenant, session_id).await?;
    let Some(a) = previewed(&txn, tenant, &s).await? else {
        return Err(DialerError::Conflict("nothing_previewed", "take a lead first (POST …/preview)".into()));
    };
    if s.state != st::READY {
        // The person would answer to nobody (or to another agent).
        return Err(DialerError::Conflict(
            "invalid_agent_state",
            format!("an agent who is {} cannot dial; become ready first", s.state),
        ));
    }
    // A second press before the job ran finds the job already written (the attempt was read
    // under the lock).
    if a.detail.as_deref() != Some(DIAL_REQUESTED) {
        scope::update_many::<dial_attempt::Entity>(tenant)
            .col_expr(dial_attempt::Column::Detail, Expr::value(DIAL_REQUESTED))
            .col_expr(dial_attempt::Column::UpdatedAt, Expr::value(now))
            .filter(dial_attempt::Column::Id.eq(&a.id))
            .exec(&txn)
            .await?;
        outbox::enqueue(&txn, tenant, &Job::PlaceDialV1 { attempt_id: a.id.clone() }, "dialer", now).await?;
    }
    txn.commit().await?;
    d.relay_wake.notify_one();
    Ok(a.id)
}

/// Gives the previewed lead back without calling it; it returns later, behind the others.
pub async fn skip(d: &Dialer, tenant: &TenantId, session_id: &str, now: DateTime<Utc>) -> Result<(), DialerError> {
    let s = sessions::get(&d.db, tenant, session_id).await?;
    let txn = crate::db::begin(&d.db).await?;
    let c = route::lock_campaign(&txn, tenant, &s.campaign_id).await?;
    let s = sessions::get(&txn, tenant, session_id).await?;
    let Some(a) = previewed(&txn, tenant, &s).await? else {
        return Err(DialerError::Conflict("nothing_previewed", "no lead is being previewed".into()));
    };
    if a.detail.as_deref() == Some(DIAL_REQUESTED) {
        return Err(DialerError::Conflict("already_dialing", "the call to this lead is being placed".into()));
    }
    let mut out = Observed::default();
    let contact = a.contact_id.clone();
    route::settle(&txn, tenant, &c, a, Outcome::Cancelled, Some("skipped by the agent".into()), now, &mut out).await?;
    scope::update_many::<campaign_lead::Entity>(tenant)
        .col_expr(campaign_lead::Column::NextAt, Expr::value(now + Duration::minutes(SKIPPED_COMES_BACK_AFTER_MINS)))
        .col_expr(campaign_lead::Column::Priority, Expr::value(priority::REDIAL))
        .filter(campaign_lead::Column::CampaignId.eq(&c.id))
        .filter(campaign_lead::Column::ContactId.eq(&contact))
        .filter(campaign_lead::Column::Status.eq(lead_status::READY))
        .exec(&txn)
        .await?;
    scope::update_many::<agent_session::Entity>(tenant)
        .col_expr(agent_session::Column::AttemptId, Expr::value(Option::<String>::None))
        .col_expr(agent_session::Column::UpdatedAt, Expr::value(now))
        .filter(agent_session::Column::Id.eq(&s.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    d.publish(out.events).await;
    Ok(())
}
