//! The pacing tick. Every running campaign, about once a second, under its lock: end wrap-ups
//! that ran out, pause when nobody is logged in or the carrier keeps failing, settle attempts
//! whose end was missed, finish when the queue is empty, and otherwise ask the pacing policy
//! how many dials to place — then reserve that many leads and write their attempts and placing
//! jobs in the same transaction (the outbox), so a crash loses or doubles nothing. A campaign
//! paused or stopped with calls in flight or agents in wrap-up is still ticked, without
//! dialing, until they are done.

use super::{
    Dialer, DialerError, agent_state as st, attempt_status as at, campaign_status as cs, campaigns, dispositions,
    event, lead_status, pacing, route,
};
use crate::db::entity::{agent_session, call, callback, campaign, campaign_lead, dial_attempt, job};
use crate::db::scope;
use crate::queue::{Job, outbox};
use crate::voice::Observed;
use chrono::{DateTime, Duration, Utc};
use outdial_domain::dialer::Outcome;
use outdial_domain::ids::TenantId;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait},
};
use serde_json::json;
use tokio::sync::watch;

/// Why a campaign paused itself.
pub mod reasons {
    pub const NO_AGENTS: &str = "no_agents_logged_in";
    pub const CARRIER_FAILING: &str = "carrier_failing";
    /// Running, but its schedule is closed: nothing new is dialled until it opens.
    pub const OUTSIDE_SCHEDULE: &str = "outside_schedule";
}

/// How many carrier failures in a row pause a campaign.
const CARRIER_FAILURES_TO_PAUSE: u64 = 5;
/// An attempt with no news this long after its ring timeout is settled from its call row.
const STALE_AFTER_SECS: i64 = 300;
/// A call the carrier never confirmed (no call id from its answer, no webhook) this long after
/// the compare-and-set was never placed: the placing process died first (the create request,
/// with its retries, gives up well before).
const NOT_PLACED_AFTER_SECS: i64 = 60;

/// Runs the tick until `stop` turns true.
pub async fn run(d: Dialer, every: std::time::Duration, mut stop: watch::Receiver<bool>) {
    loop {
        if *stop.borrow() {
            return;
        }
        if let Err(e) = tick_all(&d, d.now()).await {
            tracing::warn!(error = %e, "dialer tick failed; trying again");
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => {}
        }
    }
}

/// One pass over every running campaign (and those paused for want of agents).
pub async fn tick_all(d: &Dialer, now: DateTime<Utc>) -> Result<(), DialerError> {
    if let Err(e) = announce_due_callbacks(d, now).await {
        tracing::warn!(error = %e, "announcing due callbacks failed");
    }
    // Every tenant's running campaigns, and those paused or stopped lately (winding down):
    // each then worked under its own tenant scope.
    let live = scope::global::<campaign::Entity>()
        .filter(
            campaign::Column::Status.eq(cs::RUNNING).or(campaign::Column::Status
                .is_in([cs::PAUSED, cs::STOPPED, cs::COMPLETED])
                .and(
                    campaign::Column::StatusReason
                        .eq(reasons::NO_AGENTS)
                        .or(campaign::Column::StatusAt.gte(now - Duration::hours(WIND_DOWN_HOURS))),
                )),
        )
        .all(&d.db)
        .await?;
    for c in live {
        let Ok(tenant) = TenantId::parse(&c.tenant_id) else { continue };
        // A campaign that does not dial is only locked (a write) when there is work for the
        // tick: an agent ready to resume one waiting for agents, a wrap-up to end, a call in
        // flight to watch.
        if c.status != cs::RUNNING && !winding_down(&d.db, &tenant, &c, now).await? {
            continue;
        }
        if let Err(e) = tick(d, &tenant, &c.id, now).await {
            tracing::warn!(campaign = %c.id, error = %e, "campaign tick failed");
        }
    }
    Ok(())
}

/// Callbacks that came due are announced once (`callback.due`) to the agent who kept them, or
/// to everyone for one anyone may take, whether or not the dialer can place them yet (a preview
/// campaign, a paused one, an agent on a break). The claim is recorded before the event goes
/// out; a crash in between loses the realtime notice, not the callback (the list shows it due).
async fn announce_due_callbacks(d: &Dialer, now: DateTime<Utc>) -> Result<(), DialerError> {
    // Every tenant's callbacks just due; each is then claimed under its own tenant scope.
    let due = scope::global::<callback::Entity>()
        .filter(callback::Column::NotifiedAt.is_null())
        .filter(callback::Column::DueAt.lte(now))
        .filter(callback::Column::Status.eq("scheduled"))
        .limit(500)
        .all(&d.db)
        .await?;
    for cb in due {
        let Ok(tenant) = TenantId::parse(&cb.tenant_id) else { continue };
        let claimed = scope::update_many::<callback::Entity>(&tenant)
            .col_expr(callback::Column::NotifiedAt, Expr::value(now))
            .filter(callback::Column::Id.eq(&cb.id))
            .filter(callback::Column::NotifiedAt.is_null())
            .exec(&d.db)
            .await?;
        if claimed.rows_affected == 1 {
            let data = json!({
                "callback_id": cb.id, "campaign_id": cb.campaign_id, "contact_id": cb.contact_id,
                "phone": cb.phone, "user_id": cb.user_id, "due_at": cb.due_at, "note": cb.note,
            });
            d.publish(vec![event(tenant.as_str(), "callback.due", data)]).await;
        }
    }
    Ok(())
}

/// How long after a campaign stops dialing (paused, stopped, completed) the tick still ends its
/// wrap-ups and watches its calls in flight: longer than any call and wrap-up that began before.
const WIND_DOWN_HOURS: i64 = 12;

/// Whether a campaign that does not dial has work for the tick.
async fn winding_down<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    c: &campaign::Model,
    now: DateTime<Utc>,
) -> Result<bool, DialerError> {
    let sessions = super::sessions::active(conn, tenant, &c.id).await?;
    let resumes = c.status == cs::PAUSED
        && c.status_reason.as_deref() == Some(reasons::NO_AGENTS)
        && sessions.iter().any(|s| s.state == st::READY);
    if resumes || sessions.iter().any(|s| s.state == st::WRAP_UP && wrap_over(c, s, now)) {
        return Ok(true);
    }
    Ok(in_flight(tenant, &c.id).count(conn).await? > 0)
}

/// The campaign's attempts not over yet: calls in flight, and people on a call.
fn in_flight(tenant: &TenantId, campaign_id: &str) -> sea_orm::Select<dial_attempt::Entity> {
    scope::find::<dial_attempt::Entity>(tenant)
        .filter(dial_attempt::Column::CampaignId.eq(campaign_id))
        .filter(dial_attempt::Column::Status.is_in(at::LIVE.iter().copied()))
}

/// Whether an agent's wrap-up ran out (a campaign without a wrap time waits for the agent).
fn wrap_over(c: &campaign::Model, s: &agent_session::Model, now: DateTime<Utc>) -> bool {
    c.wrap_secs > 0 && now - s.state_since >= Duration::seconds(c.wrap_secs)
}

/// One tick of one campaign.
pub async fn tick(d: &Dialer, tenant: &TenantId, id: &str, now: DateTime<Utc>) -> Result<u32, DialerError> {
    let txn = crate::db::begin(&d.db).await?;
    // What the pacing learns from history, read before the lock (events keep flowing
    // meanwhile); the live state it decides on is read under it.
    let before = campaigns::get(&txn, tenant, id).await?;
    let learned = match before.status.as_str() {
        cs::RUNNING => Some(pacing::learn(&txn, tenant, &before, now).await?),
        _ => None,
    };
    let failing = carrier_failing(&txn, tenant, id).await?;
    let c = route::lock_campaign(&txn, tenant, id).await?;
    let locked = std::time::Instant::now();
    let mut out = Observed::default();
    let placed = tick_locked(&txn, tenant, &c, Seen { learned: learned.as_ref(), failing }, now, &mut out).await?;
    txn.commit().await?;
    tracing::debug!(campaign = %id, placed, held_ms = locked.elapsed().as_secs_f64() * 1000.0, "campaign tick");
    if placed > 0 {
        d.relay_wake.notify_one();
    }
    d.publish(out.events).await;
    Ok(placed)
}

/// What the tick read before taking the lock.
struct Seen<'a> {
    /// `None` when the campaign was not running (then it does not dial this tick).
    learned: Option<&'a pacing::Learned>,
    /// The last few ended attempts all failed at the carrier.
    failing: bool,
}

async fn tick_locked(
    txn: &sea_orm::DatabaseTransaction,
    tenant: &TenantId,
    c: &campaign::Model,
    seen: Seen<'_>,
    now: DateTime<Utc>,
    out: &mut Observed,
) -> Result<u32, DialerError> {
    // The calls in flight are read before the agents. Call events do not wait for this lock
    // (they take their attempt's): a person routed between the two reads shows here as a
    // line still open and their agent as busy, which dials less, never more, than either
    // order of the two would.
    let live = in_flight(tenant, &c.id).all(txn).await?;
    let mut sessions = super::sessions::active(txn, tenant, &c.id).await?;
    // Whatever the campaign's status: a stopped or paused campaign's calls in flight still
    // reach people, so its agents come out of wrap-up to take them (else each would hear the
    // safe-harbor message and count as an abandon), and its missed call ends are settled.
    let mut moved = false;
    for s in &sessions {
        let over = s.state == st::WRAP_UP && wrap_over(c, s, now);
        if over {
            dispositions::end_wrap_up(txn, tenant, c, s, now, out).await?;
            moved = true;
        }
    }
    let before = live.len();
    let live = settle_stale(txn, tenant, c, live, now, out).await?;
    moved |= live.len() != before;
    // Wrap-ups ended and attempts settled above moved agents: read them again.
    if moved {
        sessions = super::sessions::active(txn, tenant, &c.id).await?;
    }
    if c.status == cs::PAUSED {
        // Paused for want of agents: back to work when one is ready.
        if c.status_reason.as_deref() == Some(reasons::NO_AGENTS) && sessions.iter().any(|s| s.state == st::READY) {
            campaigns::set_status(txn, tenant, &c.id, cs::RUNNING, None, "system:dialer", now).await?;
            out.events.push(event(
                tenant.as_str(),
                "campaign.updated",
                json!({ "campaign_id": c.id, "status": cs::RUNNING }),
            ));
        }
        return Ok(0);
    }
    if c.status != cs::RUNNING {
        return Ok(0);
    }
    if sessions.is_empty() && live.is_empty() {
        return pause(txn, tenant, c, reasons::NO_AGENTS, now, out).await;
    }
    if seen.failing {
        return pause(txn, tenant, c, reasons::CARRIER_FAILING, now, out).await;
    }
    // With calls in flight the campaign is not done, whatever the queue holds.
    if live.is_empty() && queued(txn, tenant, &c.id).await? == 0 {
        campaigns::set_status(txn, tenant, &c.id, cs::COMPLETED, Some("queue_empty"), "system:dialer", now).await?;
        out.events.push(event(
            tenant.as_str(),
            "campaign.updated",
            json!({ "campaign_id": c.id, "status": cs::COMPLETED }),
        ));
        return Ok(0);
    }
    // The schedule stops new dials only: calls in flight, wrap-ups and settling go on.
    let open = campaigns::schedule_of(c).is_none_or(|h| h.is_open(now));
    let reason = (!open).then_some(reasons::OUTSIDE_SCHEDULE);
    if c.status_reason.as_deref() != reason {
        campaigns::set_status(txn, tenant, &c.id, cs::RUNNING, reason, "system:dialer", now).await?;
        out.events.push(event(
            tenant.as_str(),
            "campaign.updated",
            json!({ "campaign_id": c.id, "status": cs::RUNNING, "reason": reason }),
        ));
    }
    if !open {
        return Ok(0);
    }
    let Some(learned) = seen.learned else { return Ok(0) };
    let wanted = pacing::decide(txn, tenant, c, &sessions, &live, learned, now).await?;
    if wanted.is_empty() {
        return Ok(0);
    }
    // A few more than the lines wanted: callbacks waiting for the agent who kept them are
    // passed over.
    let leads = next_leads(txn, tenant, &c.id, wanted.len() as u64 + OWNED_LOOKAHEAD, now).await?;
    let ids = reserve_many(txn, tenant, c, pair_with_owners(leads, wanted, &sessions, now), now).await?;
    let jobs: Vec<Job> = ids.into_iter().map(|attempt_id| Job::PlaceDialV1 { attempt_id }).collect();
    outbox::enqueue_many(txn, tenant, &jobs, "dialer", now).await?;
    Ok(jobs.len() as u32)
}

/// How long a callback an agent kept for themselves ("for me") waits for that agent once it
/// is due; after that anyone may take it, so no promised callback goes unmade.
pub const OWN_CALLBACK_GRACE_MINS: i64 = 15;
/// Extra leads read per tick so that callbacks waiting for their agent do not block the rest.
const OWNED_LOOKAHEAD: u64 = 20;

/// Whether a kept callback has waited for its agent long enough.
fn grace_over(lead: &campaign_lead::Model, now: DateTime<Utc>) -> bool {
    now - lead.next_at >= Duration::minutes(OWN_CALLBACK_GRACE_MINS)
}

/// Whether a due lead may go to `user` now: nobody kept it, they did, or its owner's grace
/// is over.
pub(crate) fn free_for(lead: &campaign_lead::Model, user: &str, now: DateTime<Utc>) -> bool {
    match lead.callback_user_id.as_deref() {
        None => true,
        Some(owner) => owner == user || grace_over(lead, now),
    }
}

/// Pairs due leads (best first) with the lines the pacer wants. A callback an agent kept for
/// themselves goes to that agent, on one of their lines or a pooled one bound to them, when
/// they are ready; until then it waits (for the grace period) and the other leads go first.
fn pair_with_owners(
    leads: Vec<campaign_lead::Model>,
    mut wanted: Vec<pacing::Binding>,
    sessions: &[agent_session::Model],
    now: DateTime<Utc>,
) -> Vec<(campaign_lead::Model, pacing::Binding)> {
    let mut paired = Vec::new();
    let mut anyone = Vec::new();
    for lead in leads {
        let Some(owner) = lead.callback_user_id.clone() else {
            anyone.push(lead);
            continue;
        };
        let expired = grace_over(&lead, now);
        let ready = sessions.iter().find(|s| s.user_id == owner && s.state == st::READY);
        let line = ready.and_then(|s| {
            let i = wanted
                .iter()
                .position(|b| b.agent.as_deref() == Some(s.id.as_str()))
                .or_else(|| wanted.iter().position(|b| b.agent.is_none()))?;
            let mut b = wanted.remove(i);
            b.agent = Some(s.id.clone());
            Some(b)
        });
        match line {
            Some(b) => paired.push((lead, b)),
            None if expired => anyone.push(lead),
            None => {}
        }
    }
    paired.extend(anyone.into_iter().zip(wanted));
    paired
}

/// The queue's next `n` leads due now, best first (priority, then the longest waiting).
pub(crate) async fn next_leads<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    campaign_id: &str,
    n: u64,
    now: DateTime<Utc>,
) -> Result<Vec<campaign_lead::Model>, DialerError> {
    Ok(scope::find::<campaign_lead::Entity>(tenant)
        .filter(campaign_lead::Column::CampaignId.eq(campaign_id))
        .filter(campaign_lead::Column::Status.eq(lead_status::READY))
        .filter(campaign_lead::Column::NextAt.lte(now))
        .order_by_desc(campaign_lead::Column::Priority)
        .order_by_asc(campaign_lead::Column::NextAt)
        .limit(n)
        .all(conn)
        .await?)
}

/// Reserves a lead (`ready → scheduled`) and writes its next attempt, bound to an agent and a
/// power group when given; `None` when another transaction took the lead first. The caller
/// enqueues the placing job in the same transaction (or, in preview, when the agent says so).
pub(crate) async fn reserve<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    c: &campaign::Model,
    lead: &campaign_lead::Model,
    agent: Option<String>,
    group: Option<String>,
    now: DateTime<Utc>,
) -> Result<Option<String>, DialerError> {
    let bind = pacing::Binding { agent, group };
    Ok(reserve_many(conn, tenant, c, vec![(lead.clone(), bind)], now).await?.pop())
}

/// Rows per statement when many leads are reserved at once (well under both databases' limits
/// on bound values).
const RESERVE_CHUNK: usize = 500;

/// Reserves many leads at once: one compare-and-set `UPDATE ... RETURNING` and one multi-row
/// insert of attempts per chunk, instead of two statements per lead, so a tick that places
/// hundreds of dials holds the campaign's lock for a few round trips. Returns the attempt ids
/// of the leads it reserved, in the order given; a lead another transaction took is left out.
pub(crate) async fn reserve_many<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    c: &campaign::Model,
    picks: Vec<(campaign_lead::Model, pacing::Binding)>,
    now: DateTime<Utc>,
) -> Result<Vec<String>, DialerError> {
    let mut ids = Vec::with_capacity(picks.len());
    for chunk in picks.chunks(RESERVE_CHUNK) {
        let taken: std::collections::HashSet<String> = scope::update_many::<campaign_lead::Entity>(tenant)
            .col_expr(campaign_lead::Column::Status, Expr::value(lead_status::SCHEDULED))
            .col_expr(campaign_lead::Column::UpdatedAt, Expr::value(now))
            .filter(campaign_lead::Column::CampaignId.eq(&c.id))
            .filter(campaign_lead::Column::ContactId.is_in(chunk.iter().map(|(l, _)| l.contact_id.as_str())))
            .filter(campaign_lead::Column::Status.eq(lead_status::READY))
            .exec_with_returning(conn)
            .await?
            .into_iter()
            .map(|l| l.contact_id)
            .collect();
        let mut rows = Vec::with_capacity(taken.len());
        for (lead, bind) in chunk.iter().filter(|(l, _)| taken.contains(&l.contact_id)) {
            let id = crate::ids::dial_attempt().to_string();
            rows.push(dial_attempt::ActiveModel::from(dial_attempt::Model {
                tenant_id: tenant.to_string(),
                id: id.clone(),
                campaign_id: c.id.clone(),
                contact_id: lead.contact_id.clone(),
                phone: lead.phone.clone(),
                seq: lead.attempts + 1,
                status: at::SCHEDULED.into(),
                agent_session_id: bind.agent.clone(),
                group_id: bind.group.clone(),
                call_id: None,
                outcome: None,
                counts: false,
                abandoned: false,
                disposition: None,
                disposition_note: None,
                detail: None,
                created_at: now,
                dialed_at: None,
                answered_at: None,
                connected_at: None,
                ended_at: None,
                wrapped_at: None,
                updated_at: now,
            }));
            ids.push(id);
        }
        if !rows.is_empty() {
            dial_attempt::Entity::insert_many(rows).exec_without_returning(conn).await?;
        }
    }
    Ok(ids)
}

async fn pause<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    c: &campaign::Model,
    reason: &str,
    now: DateTime<Utc>,
    out: &mut Observed,
) -> Result<u32, DialerError> {
    campaigns::set_status(conn, tenant, &c.id, cs::PAUSED, Some(reason), "system:dialer", now).await?;
    out.events.push(event(
        tenant.as_str(),
        "campaign.updated",
        json!({ "campaign_id": c.id, "status": cs::PAUSED, "reason": reason }),
    ));
    Ok(0)
}

/// How many of the campaign's leads are still to be worked (ready, or waiting for a redial).
async fn queued<C: ConnectionTrait>(conn: &C, tenant: &TenantId, id: &str) -> Result<u64, DialerError> {
    Ok(scope::find::<campaign_lead::Entity>(tenant)
        .filter(campaign_lead::Column::CampaignId.eq(id))
        .filter(campaign_lead::Column::Status.is_in(lead_status::OPEN.iter().copied()))
        .count(conn)
        .await?)
}

/// The last few ended attempts all failed at the carrier.
async fn carrier_failing<C: ConnectionTrait>(conn: &C, tenant: &TenantId, id: &str) -> Result<bool, DialerError> {
    let last = scope::find::<dial_attempt::Entity>(tenant)
        .filter(dial_attempt::Column::CampaignId.eq(id))
        .filter(dial_attempt::Column::Status.eq(at::ENDED))
        .filter(dial_attempt::Column::EndedAt.is_not_null())
        .order_by_desc(dial_attempt::Column::EndedAt)
        .limit(CARRIER_FAILURES_TO_PAUSE)
        .all(conn)
        .await?;
    Ok(last.len() as u64 == CARRIER_FAILURES_TO_PAUSE
        && last.iter().all(|a| a.detail.as_deref().is_some_and(|d| d.starts_with("carrier:"))))
}

/// Attempts whose call ended without the dialer hearing of it (a lost webhook), or whose
/// placing was cut off by a crash after the compare-and-set, are settled here; never re-dialled.
async fn settle_stale(
    txn: &sea_orm::DatabaseTransaction,
    tenant: &TenantId,
    c: &campaign::Model,
    live: Vec<dial_attempt::Model>,
    now: DateTime<Utc>,
    out: &mut Observed,
) -> Result<Vec<dial_attempt::Model>, DialerError> {
    let mut kept = Vec::with_capacity(live.len());
    for a in live {
        if !placing_cut(&a, now) && !stale(c, &a, now) {
            kept.push(a);
            continue;
        }
        // Settled under its lock, as read now: an event of its call may have come meanwhile.
        let a = route::lock_attempt(txn, tenant, &a).await?;
        if a.status == at::ENDED {
            continue;
        }
        if placing_cut(&a, now) && not_placed(txn, tenant, &a, now).await? {
            // Nobody was called: the lead goes back to the queue with its attempt unspent.
            let mut m: dial_attempt::ActiveModel = a.clone().into();
            m.dialed_at = sea_orm::Set(None);
            let a = sea_orm::ActiveModelTrait::update(m, txn).await?;
            route::settle(txn, tenant, c, a, Outcome::Cancelled, Some("placing interrupted".into()), now, out).await?;
            continue;
        }
        if !stale(c, &a, now) {
            kept.push(a);
            continue;
        }
        let row = match &a.call_id {
            Some(id) => scope::find::<call::Entity>(tenant).filter(call::Column::Id.eq(id)).one(txn).await?,
            None => None,
        };
        match row {
            Some(call) if call.ended_at.is_some() => route::finish(txn, tenant, c, a, &call, now, out).await?,
            Some(_) => kept.push(a),
            None => {
                route::settle(txn, tenant, c, a, Outcome::Failed, Some("placing interrupted".into()), now, out).await?
            }
        }
    }
    Ok(kept)
}

/// Dialling long enough ago that its placing may have been cut off.
fn placing_cut(a: &dial_attempt::Model, now: DateTime<Utc>) -> bool {
    a.status == at::DIALING && a.dialed_at.is_some_and(|t| now - t > Duration::seconds(NOT_PLACED_AFTER_SECS))
}

/// No end heard of long after the ring timeout (a lost webhook).
fn stale(c: &campaign::Model, a: &dial_attempt::Model, now: DateTime<Utc>) -> bool {
    let since = a.dialed_at.unwrap_or(a.created_at);
    a.status != at::SCHEDULED
        && a.status != at::CONNECTED
        && now - since > Duration::seconds(c.ring_timeout_secs + STALE_AFTER_SECS)
}

/// Whether a dialling attempt's call never reached the carrier: its placing job is no longer
/// running (the process died: its lease ran out), and there is no call row (it died before
/// writing one) or a row the carrier never answered for (no call id from the create request,
/// no webhook). Such a row is closed as failed.
async fn not_placed(
    txn: &sea_orm::DatabaseTransaction,
    tenant: &TenantId,
    a: &dial_attempt::Model,
    now: DateTime<Utc>,
) -> Result<bool, DialerError> {
    let Some(id) = &a.call_id else { return Ok(true) };
    let Some(row) = scope::find::<call::Entity>(tenant).filter(call::Column::Id.eq(id)).one(txn).await? else {
        return Ok(true);
    };
    if row.provider_call_id.is_some() || row.ended_at.is_some() || row.status != "queued" {
        return Ok(false);
    }
    // A placing job still alive (its lease renewed while it waits, e.g. on the account's
    // calls-per-second limit) has not given up: it may yet reach the carrier.
    let alive = scope::find::<job::Entity>(tenant)
        .filter(job::Column::Status.eq(crate::queue::outbox::status::RUNNING))
        .filter(job::Column::Kind.eq("PlaceDialV1"))
        .filter(job::Column::ClaimedUntil.gt(Utc::now()))
        .filter(job::Column::Payload.contains(a.id.as_str()))
        .count(txn)
        .await?;
    if alive > 0 {
        return Ok(false);
    }
    scope::update_many::<call::Entity>(tenant)
        .col_expr(call::Column::Status, Expr::value("failed"))
        .col_expr(call::Column::LastError, Expr::value("never reached the carrier: the placing process stopped"))
        .col_expr(call::Column::EndedAt, Expr::value(now))
        .col_expr(call::Column::UpdatedAt, Expr::value(now))
        .filter(call::Column::Id.eq(id))
        .filter(call::Column::ProviderCallId.is_null())
        .exec(txn)
        .await?;
    Ok(true)
}

/// Counts for dashboards: attempts by outcome, live answers and abandons (30 days and today).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Stats {
    pub dials: u64,
    pub connects: u64,
    pub abandons: u64,
    pub humans: u64,
    pub abandon_pct_30d: f64,
    pub humans_today: u64,
    pub abandons_today: u64,
    pub abandon_pct_today: f64,
    pub machines: u64,
    pub voicemails: u64,
    pub no_answers: u64,
    pub busy: u64,
    pub failed: u64,
    pub blocked: u64,
    pub in_flight: u64,
    pub leads_total: u64,
    pub leads_remaining: u64,
    pub agents_ready: u64,
    pub agents_on_call: u64,
    pub agents_wrap_up: u64,
    pub agents_paused: u64,
}

pub async fn stats<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Stats, DialerError> {
    use dial_attempt::Column as A;
    // Counted by the database, one grouped row per outcome: a wallboard asks every few seconds,
    // and a month of a busy campaign is hundreds of thousands of attempts.
    use super::pacing::{count_if, day_start};
    let today = day_start(now);
    let rows = scope::find::<dial_attempt::Entity>(tenant)
        .filter(A::CampaignId.eq(id))
        .filter(A::CreatedAt.gte(now - Duration::days(30)))
        .select_only()
        .column(A::Outcome)
        .column_as(Expr::col(A::Id).count(), "n")
        .column_as(count_if(Expr::col(A::CreatedAt).gte(today)), "today")
        .column_as(count_if(Expr::col(A::DialedAt).is_not_null()), "dialed")
        .group_by(A::Outcome)
        .into_tuple::<(Option<String>, i64, i64, i64)>()
        .all(conn)
        .await?;
    let mut s = Stats::default();
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    for (outcome, all, today, dialed) in rows {
        let (all, today) = (n(all), n(today));
        s.dials += n(dialed);
        match outcome.as_deref().and_then(Outcome::parse) {
            Some(o) => {
                if o.human() {
                    s.humans += all;
                    s.humans_today += today;
                }
                match o {
                    Outcome::Connected => s.connects += all,
                    Outcome::Abandoned => {
                        s.abandons += all;
                        s.abandons_today += today;
                    }
                    Outcome::Machine => s.machines += all,
                    Outcome::Voicemail => s.voicemails += all,
                    Outcome::NoAnswer => s.no_answers += all,
                    Outcome::Busy => s.busy += all,
                    Outcome::Failed => s.failed += all,
                    Outcome::Blocked => s.blocked += all,
                    Outcome::Cancelled => {}
                }
            }
            None => s.in_flight += all,
        }
    }
    let pct = |a: u64, h: u64| if h == 0 { 0.0 } else { 100.0 * a as f64 / h as f64 };
    s.abandon_pct_30d = pct(s.abandons, s.humans);
    s.abandon_pct_today = pct(s.abandons_today, s.humans_today);
    let leads = scope::find::<campaign_lead::Entity>(tenant).filter(campaign_lead::Column::CampaignId.eq(id));
    s.leads_total = leads.clone().count(conn).await?;
    s.leads_remaining =
        leads.filter(campaign_lead::Column::Status.is_in(lead_status::OPEN.iter().copied())).count(conn).await?;
    for a in super::sessions::active(conn, tenant, id).await? {
        match a.state.as_str() {
            st::READY => s.agents_ready += 1,
            st::ON_CALL => s.agents_on_call += 1,
            st::WRAP_UP => s.agents_wrap_up += 1,
            _ => s.agents_paused += 1,
        }
    }
    Ok(s)
}
