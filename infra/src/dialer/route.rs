//! What call events mean for the dialer, applied inside the transaction that records the event
//! and under the attempt's lock (`lock_attempt`: a row lock on PostgreSQL, the write lock on
//! SQLite), so two processes never apply events to one attempt at once. Events of different
//! calls of a campaign go on side by side: with hundreds of calls in flight, one lock for the
//! whole campaign made every answered person queue behind every other call's end and behind
//! the pacing tick.
//!
//! A person answers → the longest-idle ready agent gets them at once (their leg is already in
//! their room), else the safe-harbor message plays and an abandon is counted. The first person
//! to answer in a power group wins; the group's lines still ringing are cancelled. A call's end
//! settles its attempt, its lead and its agent.

use super::{Dialer, DialerError, agent_state as st, attempt_status as at, event, lead_status};
use crate::db::entity::{agent_session, call, callback, campaign, campaign_lead, dial_attempt};
use crate::db::repo::ledger;
use crate::db::scope;
use crate::telephony::{CallAction, CallStatus, CarrierEvent, EventKind};
use crate::voice::{CallObserver, ObserveFuture, Observed, calls, ingest::detected};
use chrono::{DateTime, Utc};
use outdial_domain::call_flow::{self, Command, HumanAction, Moment};
use outdial_domain::dialer::{CallEnd, LeadNext, Outcome, Redial, after_attempt, classify};
use outdial_domain::ids::TenantId;
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait, LockType},
};
use serde_json::json;

/// The dialer as the voice layer's call observer.
pub struct Router {
    pub dialer: Dialer,
}

impl CallObserver for Router {
    fn on_call_event<'a>(
        &'a self,
        txn: &'a sea_orm::DatabaseTransaction,
        call: &'a call::Model,
        event: &'a CarrierEvent,
        provider: &'a str,
        now: DateTime<Utc>,
    ) -> ObserveFuture<'a> {
        // The dialer's own clock, so its decisions and the tick's agree.
        let _ = now;
        let now = self.dialer.now();
        Box::pin(async move { observe(txn, call, event, provider, now).await.map_err(db_error) })
    }

    fn replay<'a>(
        &'a self,
        db: &'a sea_orm::DatabaseConnection,
        call: &'a call::Model,
        event: &'a CarrierEvent,
        provider: &'a str,
    ) -> ObserveFuture<'a> {
        Box::pin(async move { owed_bridge(db, call, event, provider).await.map_err(db_error) })
    }

    fn on_inbound_text<'a>(
        &'a self,
        txn: &'a sea_orm::DatabaseTransaction,
        text: &'a crate::db::entity::message::Model,
        _now: DateTime<Utc>,
    ) -> ObserveFuture<'a> {
        let now = self.dialer.now();
        Box::pin(async move {
            let events = super::texts::on_inbound(txn, text, now).await.map_err(db_error)?;
            Ok(Observed { events, ..Observed::default() })
        })
    }
}

fn db_error(e: DialerError) -> DbErr {
    match e {
        DialerError::Db(db) => db,
        other => DbErr::Custom(other.to_string()),
    }
}

/// Marks a cancelled line on its attempt (`detail`), so its end reads as cancelled.
const CANCELLED: &str = "cancelled";

pub async fn attempt<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    id: &str,
) -> Result<dial_attempt::Model, DialerError> {
    scope::find::<dial_attempt::Entity>(tenant)
        .filter(dial_attempt::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(DialerError::NotFound)
}

/// Takes the campaign's lock for the rest of the transaction and returns the campaign, in one
/// statement: the lock is held until commit. The tick, campaign changes, dispositions and the
/// preview actions take it; call events do not (`lock_attempt`). Where both are taken, the
/// campaign's comes first.
///
/// PostgreSQL: `SELECT ... FOR NO KEY UPDATE`, which writes no new row version. (Bumping a
/// column instead left a dead version of the campaign's row per event; with thousands of
/// events a minute and waiters always pinning the page, pruning lagged and every lock walked
/// a growing chain.) Foreign-key checks of rows that reference the campaign still pass.
/// SQLite has one writer: an `UPDATE` takes it.
pub async fn lock_campaign<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    id: &str,
) -> Result<campaign::Model, DialerError> {
    let asked = std::time::Instant::now();
    let locked = if conn.get_database_backend() == DbBackend::Postgres {
        scope::find::<campaign::Entity>(tenant)
            .filter(campaign::Column::Id.eq(id))
            .lock(LockType::NoKeyUpdate)
            .one(conn)
            .await?
    } else {
        scope::update_many::<campaign::Entity>(tenant)
            .col_expr(campaign::Column::Version, Expr::col(campaign::Column::Version).add(1))
            .filter(campaign::Column::Id.eq(id))
            .exec_with_returning(conn)
            .await?
            .into_iter()
            .next()
    };
    tracing::trace!(campaign = %id, waited_ms = asked.elapsed().as_secs_f64() * 1000.0, "campaign locked");
    locked.ok_or(DialerError::NotFound)
}

/// Takes the lock of one attempt for the rest of the transaction and returns the attempt as it
/// is now. Everything that moves an attempt once it is placed goes through it: the events of
/// its call, the tick settling it, a stand-down, a disposition. A line of a power group locks
/// its whole group, in id order: routing one line cancels the others, and two lines answered
/// at once would otherwise each hold one lock and wait for the other.
///
/// PostgreSQL: `SELECT ... FOR NO KEY UPDATE`. SQLite: its transactions here take the write
/// lock when they begin (`crate::db::begin`), so this only reads.
pub async fn lock_attempt<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    a: &dial_attempt::Model,
) -> Result<dial_attempt::Model, DialerError> {
    let mine = dial_attempt::Column::Id.eq(&a.id);
    let mut q = scope::find::<dial_attempt::Entity>(tenant).filter(match &a.group_id {
        Some(group) => mine.or(dial_attempt::Column::GroupId.eq(group)),
        None => mine,
    });
    if conn.get_database_backend() == DbBackend::Postgres {
        q = q.order_by_asc(dial_attempt::Column::Id).lock(LockType::NoKeyUpdate);
    }
    q.all(conn).await?.into_iter().find(|r| r.id == a.id).ok_or(DialerError::NotFound)
}

async fn observe(
    txn: &sea_orm::DatabaseTransaction,
    call: &call::Model,
    event: &CarrierEvent,
    provider: &str,
    now: DateTime<Utc>,
) -> Result<Observed, DialerError> {
    let mut out = Observed::default();
    if call.direction != "outbound" {
        return Ok(out);
    }
    let Ok(tenant) = TenantId::parse(&call.tenant_id) else { return Ok(out) };
    if matches!(calls::plan_of(call).map(|p| p.on_human), Some(HumanAction::Monitor { .. })) {
        super::monitors::observe_leg(txn, &tenant, call, now, &mut out).await?;
        return Ok(out);
    }
    // A call says what it is for; one from before that was kept may be either.
    let kind = call.kind.as_deref();
    if matches!(kind, None | Some(calls::kind::AGENT_LEG)) {
        let leg = scope::find::<agent_session::Entity>(&tenant)
            .filter(agent_session::Column::LegCallId.eq(&call.id))
            .one(txn)
            .await?;
        if let Some(session) = leg {
            agent_leg(txn, &tenant, &session, call, now, &mut out).await?;
            return Ok(out);
        }
    }
    if !matches!(kind, None | Some(calls::kind::LEAD)) {
        return Ok(out);
    }
    let Some(a) =
        scope::find::<dial_attempt::Entity>(&tenant).filter(dial_attempt::Column::CallId.eq(&call.id)).one(txn).await?
    else {
        return Ok(out);
    };
    if a.status == at::ENDED {
        return Ok(out);
    }
    if provider == "telnyx" && event.kind == EventKind::SpeakEnded {
        announced(txn, &tenant, &a, call, now, &mut out).await?;
        return Ok(out);
    }
    let final_status = matches!(&event.kind, EventKind::Status { status, .. } if status.is_final());
    if !final_status && !routes_now(&a, call, event, provider) {
        // Nothing this event changes but the attempt's own progress (a first ring, an answer
        // before detection) or nothing at all (call.initiated, playback, speech, bridged...):
        // no need to queue behind the campaign's other events. States only move forward, so
        // an attempt read before the lock is at most behind, never ahead.
        if let Some(moved) = record_progress(txn, &tenant, &a, call, now).await? {
            out.events.push(attempt_event(&moved));
        }
        return Ok(out);
    }
    // Re-read under the attempt's lock: another event of its call may have moved it. The
    // campaign's lock is not needed: agents are taken by compare-and-set, a lead moves only
    // with its own attempt, and the tick reads attempts before agents (see `engine`), so a
    // person routed meanwhile reads there as a line still open, never as a free agent.
    let mut a = lock_attempt(txn, &tenant, &a).await?;
    if a.status == at::ENDED {
        return Ok(out);
    }
    let campaign = super::campaigns::get(txn, &tenant, &a.campaign_id).await?;
    if !final_status {
        if let Some(next) = progress(&a, call) {
            a = set_attempt(
                txn,
                &a,
                |m| {
                    m.status = Set(next.into());
                    if next == at::DETECTING {
                        m.answered_at = Set(Some(now));
                    }
                },
                now,
            )
            .await?;
            out.events.push(attempt_event(&a));
        }
        if routes_now(&a, call, event, provider) {
            route_person(txn, &tenant, &campaign, a, call, provider, now, &mut out).await?;
        }
        return Ok(out);
    }
    finish(txn, &tenant, &campaign, a, call, now, &mut out).await?;
    Ok(out)
}

/// The Telnyx bridge from the agent's leg that routing this person owed, for a repeated
/// delivery of the event that routed them (Twilio's connect is the call's own TwiML, which the
/// voice layer re-sends by itself).
async fn owed_bridge<C: ConnectionTrait>(
    conn: &C,
    call: &call::Model,
    event: &CarrierEvent,
    provider: &str,
) -> Result<Observed, DialerError> {
    let mut out = Observed::default();
    let Some(plan) = calls::plan_of(call) else { return Ok(out) };
    // Without a notice the bridge is owed when the person is routed; with one, when the
    // notice has been said (routing then owes the notice, which the voice layer re-sends).
    let owed = match &plan.recording_notice {
        None => person_now(call, event, provider),
        Some(_) => event.kind == EventKind::SpeakEnded && plan.on_human == HumanAction::Hold,
    };
    if provider != "telnyx" || call.direction != "outbound" || !owed {
        return Ok(out);
    }
    let Ok(tenant) = TenantId::parse(&call.tenant_id) else { return Ok(out) };
    let Some(a) = scope::find::<dial_attempt::Entity>(&tenant)
        .filter(dial_attempt::Column::CallId.eq(&call.id))
        .one(conn)
        .await?
    else {
        return Ok(out);
    };
    let (at::CONNECTED, Some(agent)) = (a.status.as_str(), &a.agent_session_id) else {
        return Ok(out);
    };
    let session = scope::find::<agent_session::Entity>(&tenant)
        .filter(agent_session::Column::Id.eq(agent))
        .filter(agent_session::Column::AttemptId.eq(&a.id))
        .one(conn)
        .await?;
    let leg = match session.and_then(|s| s.leg_call_id) {
        Some(id) => calls::get(conn, &tenant, &id).await.ok(),
        None => None,
    };
    if let Some(leg) = leg.filter(|l| l.ended_at.is_none()) {
        out.actions.extend(telnyx_connect(leg, call));
    }
    Ok(out)
}

/// What puts a routed person through to their agent on Telnyx: the agent's leg, parked between
/// calls, bridges to the lead's call. (A recorded campaign starts recording when the carrier
/// says the bridge is up: the voice layer's answer to `call.bridged`.)
fn telnyx_connect(leg: call::Model, lead: &call::Model) -> Option<(call::Model, CallAction)> {
    let lead_cc = lead.provider_call_id.clone()?;
    Some((leg, CallAction::Bridge { other_call_id: lead_cc, park_after: true }))
}

/// Telnyx: the recording notice said to a routed person has ended; their agent bridges in now.
async fn announced(
    txn: &sea_orm::DatabaseTransaction,
    tenant: &TenantId,
    a: &dial_attempt::Model,
    call: &call::Model,
    now: DateTime<Utc>,
    out: &mut Observed,
) -> Result<(), DialerError> {
    let Some(mut plan) = calls::plan_of(call) else { return Ok(()) };
    let HumanAction::Announce { agent_call, .. } = &plan.on_human else { return Ok(()) };
    if a.status != at::CONNECTED || call.ended_at.is_some() {
        return Ok(());
    }
    let leg = calls::get(txn, tenant, agent_call).await.ok().filter(|l| l.ended_at.is_none());
    plan.on_human = HumanAction::Hold;
    let mut m: call::ActiveModel = call.clone().into();
    m.plan = Set(serde_json::to_string(&plan).expect("plans serialize"));
    m.updated_at = Set(now);
    let call = m.update(txn).await?;
    if let Some(leg) = leg {
        out.actions.extend(telnyx_connect(leg, &call));
    }
    out.call = Some(call);
    Ok(())
}

/// Whether this event connects a person the attempt has not routed yet.
fn routes_now(a: &dial_attempt::Model, call: &call::Model, event: &CarrierEvent, provider: &str) -> bool {
    person_now(call, event, provider) && matches!(a.status.as_str(), at::DIALING | at::RINGING | at::DETECTING)
}

/// The status a first ring or an answer moves the attempt to, if any.
fn progress(a: &dial_attempt::Model, call: &call::Model) -> Option<&'static str> {
    match a.status.as_str() {
        at::DIALING | at::RINGING if call.answered_at.is_some() => Some(at::DETECTING),
        at::DIALING if call.status == CallStatus::Ringing.as_str() => Some(at::RINGING),
        _ => None,
    }
}

/// Records a first ring (`dialing → ringing`) or an answer (`→ detecting`, with its time)
/// without reading the attempt under its lock first, by compare-and-set on its status: the
/// moved attempt, or `None` when there was nothing to record or another event moved it first.
///
/// Why this needs no lock of its own: neither move frees or takes an agent or a lead, and
/// every writer under the attempt's lock either moves the attempt further (routing, the end, a
/// cancel) or reads it as a snapshot (the tick's look-ahead). An attempt that moved on fails
/// the compare-and-set; a writer under the lock changes only the columns it sets, so this
/// move is never undone. Half the events of a campaign are rings and answers.
async fn record_progress<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    a: &dial_attempt::Model,
    call: &call::Model,
    now: DateTime<Utc>,
) -> Result<Option<dial_attempt::Model>, DialerError> {
    let Some(next) = progress(a, call) else { return Ok(None) };
    let answered = next == at::DETECTING;
    let mut update = scope::update_many::<dial_attempt::Entity>(tenant)
        .col_expr(dial_attempt::Column::Status, Expr::value(next))
        .col_expr(dial_attempt::Column::UpdatedAt, Expr::value(now));
    if answered {
        // When the dialer learnt of the answer, on its own clock like the attempt's other times
        // (the pacing measures pickups from them): the call keeps the carrier's own time, which
        // a demo or test clock does not move and which Twilio gives to the second.
        update = update.col_expr(dial_attempt::Column::AnsweredAt, Expr::value(now));
    }
    let moved = update
        .filter(dial_attempt::Column::Id.eq(&a.id))
        .filter(dial_attempt::Column::Status.eq(&a.status))
        .exec_with_returning(conn)
        .await?;
    Ok(moved.into_iter().next())
}

/// Whether this event is the moment the call's plan connects a person.
fn person_now(call: &call::Model, event: &CarrierEvent, provider: &str) -> bool {
    let Some(plan) = calls::plan_of(call) else { return false };
    let moment = match (&event.kind, provider) {
        (EventKind::Answered { answered_by: Some(by) }, _) => Moment::Detected(detected(*by)),
        (EventKind::Answered { answered_by: None }, _) => Moment::Answered,
        (EventKind::Status { status: CallStatus::InProgress, .. }, "telnyx") => Moment::Answered,
        (EventKind::Amd { result, .. }, _) => Moment::Detected(detected(*result)),
        _ => return false,
    };
    matches!(call_flow::decide(&plan, moment), Command::Connect(_))
}

/// The agent's own leg: it answering makes the agent ready; it ending logs them out.
async fn agent_leg(
    txn: &sea_orm::DatabaseTransaction,
    tenant: &TenantId,
    s: &agent_session::Model,
    call: &call::Model,
    now: DateTime<Utc>,
    out: &mut Observed,
) -> Result<(), DialerError> {
    if call.ended_at.is_some() {
        super::monitors::agent_gone(txn, tenant, s, now, out).await?;
        if s.state != st::OFFLINE {
            super::sessions::end_session(txn, tenant, &s.id, now).await?;
            out.events.push(event(
                tenant.as_str(),
                "agent.updated",
                json!({ "session_id": s.id, "state": st::OFFLINE }),
            ));
        }
    } else if call.answered_at.is_some() && s.state == st::CONNECTING {
        scope::update_many::<agent_session::Entity>(tenant)
            .col_expr(agent_session::Column::State, Expr::value(st::READY))
            .col_expr(agent_session::Column::StateSince, Expr::value(now))
            .col_expr(agent_session::Column::UpdatedAt, Expr::value(now))
            .filter(agent_session::Column::Id.eq(&s.id))
            .filter(agent_session::Column::State.eq(st::CONNECTING))
            .exec(txn)
            .await?;
        out.events.push(event(tenant.as_str(), "agent.updated", json!({ "session_id": s.id, "state": st::READY })));
    }
    Ok(())
}

async fn set_attempt<C: ConnectionTrait>(
    conn: &C,
    a: &dial_attempt::Model,
    f: impl FnOnce(&mut dial_attempt::ActiveModel),
    now: DateTime<Utc>,
) -> Result<dial_attempt::Model, DialerError> {
    let mut m: dial_attempt::ActiveModel = a.clone().into();
    f(&mut m);
    m.updated_at = Set(now);
    Ok(m.update(conn).await?)
}

pub(crate) fn attempt_event(a: &dial_attempt::Model) -> crate::events::Event {
    event(
        &a.tenant_id,
        "attempt.updated",
        json!({
            "attempt_id": a.id, "campaign_id": a.campaign_id, "contact_id": a.contact_id,
            "status": a.status, "outcome": a.outcome, "agent_session_id": a.agent_session_id,
        }),
    )
}

/// Gives the person to the longest-idle ready agent (the bound agent first), or leaves the
/// safe-harbor plan in place and counts the abandon.
#[allow(clippy::too_many_arguments)]
async fn route_person(
    txn: &sea_orm::DatabaseTransaction,
    tenant: &TenantId,
    campaign: &campaign::Model,
    a: dial_attempt::Model,
    call: &call::Model,
    provider: &str,
    now: DateTime<Utc>,
    out: &mut Observed,
) -> Result<(), DialerError> {
    // The bound agent first, then the longest idle, a few at a time: each is taken by
    // compare-and-set, as another person may be routed to them at the same moment.
    let mut taken = match &a.agent_session_id {
        Some(bound) => take_agent(txn, tenant, bound, &a.id, now).await?,
        None => None,
    };
    for _ in 0..TAKE_ROUNDS {
        if taken.is_some() {
            break;
        }
        let ready: Vec<String> = scope::find::<agent_session::Entity>(tenant)
            .select_only()
            .column(agent_session::Column::Id)
            .filter(agent_session::Column::CampaignId.eq(&campaign.id))
            .filter(agent_session::Column::State.eq(st::READY))
            .filter(agent_session::Column::LegCallId.is_not_null())
            .order_by_asc(agent_session::Column::StateSince)
            .limit(TAKE_AT_ONCE)
            .into_tuple()
            .all(txn)
            .await?;
        if ready.is_empty() {
            break;
        }
        for id in ready {
            taken = take_agent(txn, tenant, &id, &a.id, now).await?;
            if taken.is_some() {
                break;
            }
        }
    }
    let Some(agent) = taken else {
        let a = set_attempt(
            txn,
            &a,
            |m| {
                m.status = Set(at::ABANDONED.into());
                m.abandoned = Set(true);
            },
            now,
        )
        .await?;
        out.events.push(attempt_event(&a));
        return Ok(());
    };
    let mut plan = calls::plan_of(call).expect("a dialer call has a plan");
    if provider == "telnyx" {
        let leg = match &agent.leg_call_id {
            Some(id) => calls::get(txn, tenant, id).await.ok(),
            None => None,
        };
        plan.on_human = HumanAction::Hold;
        match (leg, plan.recording_notice.clone()) {
            // The notice first (the call's own command, below in the voice layer); the bridge
            // follows when it ends.
            (Some(leg), Some(text)) => plan.on_human = HumanAction::Announce { text, agent_call: leg.id },
            (Some(leg), None) => out.actions.extend(telnyx_connect(leg, call)),
            (None, _) => {}
        }
    } else {
        plan.on_human = HumanAction::Conference { name: agent.room.clone() };
    }
    let mut m: call::ActiveModel = call.clone().into();
    m.plan = Set(serde_json::to_string(&plan).expect("plans serialize"));
    m.updated_at = Set(now);
    out.call = Some(m.update(txn).await?);
    let a = set_attempt(
        txn,
        &a,
        |m| {
            m.status = Set(at::CONNECTED.into());
            m.agent_session_id = Set(Some(agent.id.clone()));
            m.connected_at = Set(Some(now));
        },
        now,
    )
    .await?;
    out.events.push(attempt_event(&a));
    out.events.push(event(
        tenant.as_str(),
        "agent.updated",
        json!({ "session_id": agent.id, "state": st::ON_CALL, "attempt_id": a.id, "contact_id": a.contact_id }),
    ));
    cancel_group(txn, tenant, &a, now, out).await
}

/// Ready agents read at a time for a person to route, and how many times the read is repeated
/// when others took every one of them first.
const TAKE_AT_ONCE: u64 = 8;
const TAKE_ROUNDS: usize = 4;

/// Takes a ready agent (with their leg up) for an attempt: the agent as taken, or `None` when
/// they are no longer ready.
async fn take_agent(
    txn: &sea_orm::DatabaseTransaction,
    tenant: &TenantId,
    id: &str,
    attempt_id: &str,
    now: DateTime<Utc>,
) -> Result<Option<agent_session::Model>, DialerError> {
    let taken = scope::update_many::<agent_session::Entity>(tenant)
        .col_expr(agent_session::Column::State, Expr::value(st::ON_CALL))
        .col_expr(agent_session::Column::AttemptId, Expr::value(attempt_id))
        .col_expr(agent_session::Column::StateSince, Expr::value(now))
        .col_expr(agent_session::Column::UpdatedAt, Expr::value(now))
        .filter(agent_session::Column::Id.eq(id))
        .filter(agent_session::Column::State.eq(st::READY))
        .filter(agent_session::Column::LegCallId.is_not_null())
        .exec_with_returning(txn)
        .await?;
    Ok(taken.into_iter().next())
}

/// First connect wins: the group's other lines still ringing are cancelled; lines already
/// picked up go on (a person there is routed to another agent or hears the safe-harbor
/// message, a machine gets the voicemail).
async fn cancel_group(
    txn: &sea_orm::DatabaseTransaction,
    tenant: &TenantId,
    winner: &dial_attempt::Model,
    now: DateTime<Utc>,
    out: &mut Observed,
) -> Result<(), DialerError> {
    let Some(group) = &winner.group_id else { return Ok(()) };
    let siblings = scope::find::<dial_attempt::Entity>(tenant)
        .filter(dial_attempt::Column::GroupId.eq(group))
        .filter(dial_attempt::Column::Id.ne(&winner.id))
        .filter(dial_attempt::Column::Status.is_in([at::SCHEDULED, at::DIALING, at::RINGING]))
        .all(txn)
        .await?;
    for s in siblings {
        let s = set_attempt(txn, &s, |m| m.detail = Set(Some(CANCELLED.into())), now).await?;
        match s.call_id.as_deref() {
            Some(call_id) if s.status != at::SCHEDULED => {
                // A line already picked up is left alone: a person there is routed to another
                // agent or hears the safe-harbor message when AMD says so; hanging up on them
                // would be an abandon with nothing said.
                if let Ok(c) = calls::get(txn, tenant, call_id).await
                    && c.ended_at.is_none()
                    && c.answered_at.is_none()
                    && c.provider_call_id.is_some()
                {
                    out.actions.push((c, CallAction::Hangup));
                }
            }
            // Not placed yet: the placing job sees the mark and stands down.
            _ => {}
        }
    }
    Ok(())
}

/// Settles an attempt whose call ended: its outcome, its lead's next step, its agent.
pub(crate) async fn finish(
    txn: &sea_orm::DatabaseTransaction,
    tenant: &TenantId,
    campaign: &campaign::Model,
    a: dial_attempt::Model,
    call: &call::Model,
    now: DateTime<Utc>,
    out: &mut Observed,
) -> Result<(), DialerError> {
    let outcome = classify(CallEnd {
        status: &call.status,
        answered_by: call.answered_by.as_deref(),
        answered: call.answered_at.is_some(),
        connected: a.status == at::CONNECTED,
        abandoned: a.abandoned,
        voicemail_dropped: call.voicemail_dropped,
        cancelled: a.detail.as_deref() == Some(CANCELLED),
    });
    settle(txn, tenant, campaign, a, outcome, None, now, out).await
}

/// Ends an attempt with `outcome` and moves its lead and agent on.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn settle<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    campaign: &campaign::Model,
    a: dial_attempt::Model,
    outcome: Outcome,
    detail: Option<String>,
    now: DateTime<Utc>,
    out: &mut Observed,
) -> Result<(), DialerError> {
    let connected = outcome == Outcome::Connected;
    let a = set_attempt(
        conn,
        &a,
        |m| {
            m.status = Set(at::ENDED.into());
            m.outcome = Set(Some(outcome.as_str().into()));
            m.counts = Set(outcome.counts());
            m.ended_at = Set(Some(now));
            if let Some(d) = detail {
                m.detail = Set(Some(d));
            }
        },
        now,
    )
    .await?;
    out.events.push(attempt_event(&a));
    if outcome != Outcome::Blocked && a.dialed_at.is_some() {
        ledger::append(
            conn,
            tenant,
            &ledger::NewAttempt {
                contact_id: Some(a.contact_id.clone()),
                address: a.phone.clone(),
                channel: "voice".into(),
                direction: "outbound".into(),
                purpose: campaign.purpose.clone(),
                campaign_id: Some(campaign.id.clone()),
                debt_id: None,
                outcome: ledger_outcome(outcome).into(),
                occurred_at: a.dialed_at.unwrap_or(now),
            },
        )
        .await?;
    }
    if a.dialed_at.is_some() && !matches!(outcome, Outcome::Blocked | Outcome::Cancelled) {
        // The callback that brought the lead back has been made.
        scope::update_many::<callback::Entity>(tenant)
            .col_expr(callback::Column::Status, Expr::value("done"))
            .col_expr(callback::Column::UpdatedAt, Expr::value(now))
            .filter(callback::Column::CampaignId.eq(&a.campaign_id))
            .filter(callback::Column::ContactId.eq(&a.contact_id))
            .filter(callback::Column::Status.eq("scheduled"))
            .filter(callback::Column::DueAt.lte(now))
            .exec(conn)
            .await?;
    }
    if let Some(lead) = lead_of(conn, tenant, &a).await? {
        let used = lead.attempts + i64::from(outcome.counts());
        let redial: Redial = serde_json::from_str(&campaign.redial).unwrap_or_default();
        let next = if outcome == Outcome::Blocked {
            // Set by the placing job: it knows when the gate would allow the dial.
            LeadNext::Exhausted
        } else {
            after_attempt(outcome, used, campaign.max_attempts, &redial, now)
        };
        move_lead(conn, &lead, used, next, Some(outcome.as_str()), now).await?;
        if next == LeadNext::Exhausted && outcome != Outcome::Blocked && campaign.auto_sms.is_some() {
            out.events.push(event(
                tenant.as_str(),
                "lead.attempts_exhausted",
                json!({ "campaign_id": campaign.id, "contact_id": lead.contact_id, "phone": lead.phone }),
            ));
        }
    }
    if connected && let Some(agent) = &a.agent_session_id {
        // An agent who gave the disposition during the call has nothing left to wrap up (and,
        // in a campaign without a wrap time, nothing would end their wrap-up).
        let wrapped = a.disposition.is_some();
        let (to, attempt_id) = if wrapped { (st::READY, None) } else { (st::WRAP_UP, Some(a.id.clone())) };
        let res = scope::update_many::<agent_session::Entity>(tenant)
            .col_expr(agent_session::Column::State, Expr::value(to))
            .col_expr(agent_session::Column::AttemptId, Expr::value(attempt_id))
            .col_expr(agent_session::Column::StateSince, Expr::value(now))
            .col_expr(agent_session::Column::UpdatedAt, Expr::value(now))
            .filter(agent_session::Column::Id.eq(agent))
            .filter(agent_session::Column::State.eq(st::ON_CALL))
            .filter(agent_session::Column::AttemptId.eq(&a.id))
            .exec(conn)
            .await?;
        if wrapped && res.rows_affected == 1 {
            scope::update_many::<dial_attempt::Entity>(tenant)
                .col_expr(dial_attempt::Column::WrappedAt, Expr::value(now))
                .filter(dial_attempt::Column::Id.eq(&a.id))
                .exec(conn)
                .await?;
        }
        out.events.push(event(
            tenant.as_str(),
            "agent.updated",
            json!({ "session_id": agent, "state": to, "attempt_id": a.id }),
        ));
    }
    Ok(())
}

fn ledger_outcome(o: Outcome) -> &'static str {
    match o {
        Outcome::Connected => "conversation",
        Outcome::Voicemail => "voicemail",
        Outcome::NoAnswer => "no_answer",
        Outcome::Busy => "busy",
        Outcome::Failed | Outcome::Cancelled | Outcome::Blocked => "did_not_connect",
        Outcome::Abandoned | Outcome::Machine => "answered_no_conversation",
    }
}

/// The campaign's queue entry for one contact.
pub(crate) async fn lead_of<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    a: &dial_attempt::Model,
) -> Result<Option<campaign_lead::Model>, DialerError> {
    Ok(scope::find::<campaign_lead::Entity>(tenant)
        .filter(campaign_lead::Column::CampaignId.eq(&a.campaign_id))
        .filter(campaign_lead::Column::ContactId.eq(&a.contact_id))
        .one(conn)
        .await?)
}

/// Takes a lead out of the queue for good (`done` or `blocked`).
pub(crate) async fn close_lead<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    lead: &campaign_lead::Model,
    status: &str,
) -> Result<(), DialerError> {
    scope::update_many::<campaign_lead::Entity>(tenant)
        .col_expr(campaign_lead::Column::Status, Expr::value(status))
        .filter(campaign_lead::Column::CampaignId.eq(&lead.campaign_id))
        .filter(campaign_lead::Column::ContactId.eq(&lead.contact_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Writes a lead's next step.
pub(crate) async fn move_lead<C: ConnectionTrait>(
    conn: &C,
    lead: &campaign_lead::Model,
    attempts: i64,
    next: LeadNext,
    last_outcome: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), DialerError> {
    let mut m: campaign_lead::ActiveModel = lead.clone().into();
    m.attempts = Set(attempts);
    match next {
        LeadNext::Ready { at, priority } => {
            m.status = Set(lead_status::READY.into());
            m.next_at = Set(at);
            m.priority = Set(priority);
        }
        LeadNext::AwaitDisposition => m.status = Set(lead_status::AWAITING_DISPOSITION.into()),
        LeadNext::Exhausted => m.status = Set(lead_status::EXHAUSTED.into()),
    }
    if let Some(o) = last_outcome {
        m.last_outcome = Set(Some(o.into()));
    }
    m.updated_at = Set(now);
    m.update(conn).await?;
    Ok(())
}
