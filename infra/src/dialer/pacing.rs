//! The campaign's live state as the pacing policy sees it (`outdial_domain::pacing`, the same
//! code `outdial bench pacing` runs), and its answer turned into dials: each one bound to an
//! agent (progressive, power groups) or pooled (predictive).

use super::{DialerError, agent_state as st, attempt_status as at};
use crate::db::entity::{agent_session, campaign, dial_attempt};
use crate::db::scope;
use chrono::{DateTime, Duration, Utc};
use outdial_domain::dialer::Outcome;
use outdial_domain::ids::TenantId;
use outdial_domain::pacing::{
    AbandonMeter, AgentObs, AgentState, CallObs, CallStage, Estimates, Observation, Policy, Resolution,
    must_fall_back_with,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait, Func},
};

/// One dial to place: bound to an agent (and a first-connect-wins group) or pooled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Binding {
    pub agent: Option<String>,
    pub group: Option<String>,
}

/// How long a person who answered waits for an agent: nothing, as `route` plays the
/// safe-harbor message the moment no agent is ready. The look-ahead must not count on an agent
/// who frees up a moment after the person answered.
const PATIENCE_SECS: f64 = 0.0;

/// Ended attempts the estimates learn from.
const LEARN_FROM: u64 = 500;

fn secs(t: DateTime<Utc>, epoch: DateTime<Utc>) -> f64 {
    (t - epoch).num_milliseconds() as f64 / 1000.0
}

/// What the pacing learns from the campaign's history: the abandon meter and the estimates.
/// Statistics, so the tick reads them before it takes the campaign's lock: a few events
/// applied meanwhile change no decision, and the lock is held for less.
#[derive(Debug, Clone)]
pub struct Learned {
    meter: AbandonMeter,
    /// From the ended attempts; the people on a call now are added from the live state.
    est: Estimates,
    /// Where the estimates' learning window starts.
    window: DateTime<Utc>,
    /// Calls per second the campaign's carrier account places, when it has one.
    placing_rate: Option<f64>,
}

pub async fn learn<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    c: &campaign::Model,
    now: DateTime<Utc>,
) -> Result<Learned, DialerError> {
    let meter = meter(conn, tenant, &c.id, now).await?;
    let (est, window) = estimates(conn, tenant, c, c.created_at).await?;
    // Only pooled (predictive) dials are held to the carrier's rate.
    let placing_rate = match c.mode.as_str() {
        "predictive" => {
            super::sessions::account_for(conn, tenant, c).await.ok().map(|a| f64::from(Ord::max(a.calls_per_sec, 1)))
        }
        _ => None,
    };
    Ok(Learned { meter, est, window, placing_rate })
}

/// How many dials to place now, and for whom.
pub async fn decide<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    c: &campaign::Model,
    sessions: &[agent_session::Model],
    live: &[dial_attempt::Model],
    learned: &Learned,
    now: DateTime<Utc>,
) -> Result<Vec<Binding>, DialerError> {
    if c.mode == "preview" {
        return Ok(vec![]);
    }
    let epoch = c.created_at;
    let obs = observe(sessions, live, learned.meter, now, epoch);
    let est = &with_people_on_a_call(learned, sessions, live, now, epoch);
    let stored: Option<Policy> = c.pacing_state.as_deref().and_then(|s| serde_json::from_str(s).ok());
    let mut policy = match c.mode.as_str() {
        "power" => Policy::Power { lines: u32::try_from(c.lines_per_agent.clamp(1, 3)).unwrap_or(1) },
        "predictive" => match stored {
            Some(p @ Policy::Predictive(_)) => p,
            _ => Policy::predictive(),
        },
        _ => Policy::Progressive,
    };
    if let Policy::Predictive(p) = &mut policy {
        p.params.patience = PATIENCE_SECS;
    }
    // At the cap, every mode falls back to one line per agent until the meter recovers.
    let target = c.abandon_target / 100.0;
    // Power lines still ringing beyond one per agent may each turn into an abandon.
    let extra_lines = if c.mode == "power" {
        let mut per_agent: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
        for a in live.iter().filter(|a| matches!(a.status.as_str(), at::SCHEDULED | at::DIALING | at::RINGING)) {
            *per_agent.entry(a.agent_session_id.as_deref().unwrap_or("")).or_default() += 1;
        }
        per_agent.values().map(|n| n.saturating_sub(1)).sum()
    } else {
        0
    };
    let decision = if must_fall_back_with(&obs.meter, target, extra_lines) {
        Policy::Progressive.decide(&obs, est)
    } else {
        policy.decide(&obs, est)
    };
    if matches!(policy, Policy::Predictive(_)) {
        scope::update_many::<campaign::Entity>(tenant)
            .col_expr(campaign::Column::PacingState, Expr::value(serde_json::to_string(&policy).ok()))
            .filter(campaign::Column::Id.eq(&c.id))
            .exec(conn)
            .await?;
    }
    let dials = match learned.placing_rate {
        Some(rate) => (decision.dials as usize).min(placing_room(live, rate)),
        None => decision.dials as usize,
    };
    let mut groups: std::collections::HashMap<usize, String> = std::collections::HashMap::new();
    let grouped = c.mode == "power" && c.lines_per_agent > 1;
    Ok(decision
        .bind_to
        .iter()
        .take(dials)
        .map(|b| match b.and_then(|i| sessions.get(i).map(|s| (i, s))) {
            Some((i, s)) => Binding {
                agent: Some(s.id.clone()),
                group: grouped.then(|| groups.entry(i).or_insert_with(|| crate::ids::raw("grp_")).clone()),
            },
            None => Binding::default(),
        })
        .collect())
}

/// Pooled dials may wait at most this long for the carrier's calls-per-second limit.
const PLACING_QUEUE_SECS: f64 = 5.0;

/// How many more pooled dials the carrier can place within [`PLACING_QUEUE_SECS`], given the
/// calls not placed yet. The policy sees a call not placed yet as dialled now; a deeper queue
/// would keep producing people for long after the policy saw its agents fill up, and it could
/// no longer take those dials back.
fn placing_room(live: &[dial_attempt::Model], rate: f64) -> usize {
    let waiting = live.iter().filter(|a| matches!(a.status.as_str(), at::SCHEDULED | at::DIALING)).count();
    ((rate * PLACING_QUEUE_SECS).ceil() as usize).saturating_sub(waiting)
}

fn observe(
    sessions: &[agent_session::Model],
    live: &[dial_attempt::Model],
    meter: AbandonMeter,
    now: DateTime<Utc>,
    epoch: DateTime<Utc>,
) -> Observation {
    let index: std::collections::HashMap<&str, usize> =
        sessions.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect();
    let mut agents: Vec<AgentObs> = sessions
        .iter()
        .map(|s| AgentObs {
            state: match s.state.as_str() {
                st::READY => AgentState::Ready,
                st::ON_CALL => AgentState::Talking,
                st::WRAP_UP => AgentState::Wrapping,
                _ => AgentState::Paused,
            },
            since: secs(s.state_since, epoch),
            open_lines: 0,
        })
        .collect();
    let mut calls = Vec::new();
    for a in live {
        // A call not placed yet (its placing job waits for a worker or for the carrier's
        // calls-per-second limit: scheduled or dialling) has all its ringing ahead of it: it is
        // seen as dialled now, not as ringing since it was queued, which would make it look
        // like a no-answer. A ringing call's `dialed_at` is when the carrier took it.
        let placed = a.dialed_at.filter(|_| !matches!(a.status.as_str(), at::SCHEDULED | at::DIALING));
        let dialed = secs(placed.unwrap_or(now), epoch);
        let agent = a.agent_session_id.as_deref().and_then(|id| index.get(id).copied());
        let stage = match a.status.as_str() {
            at::SCHEDULED | at::DIALING | at::RINGING => (CallStage::Ringing, dialed),
            at::DETECTING => (CallStage::Detecting, a.answered_at.map_or(dialed, |t| secs(t, epoch))),
            _ => continue,
        };
        if let Some(i) = agent {
            agents[i].open_lines += 1;
        }
        calls.push(CallObs { stage: stage.0, since: stage.1, dialed, agent });
    }
    Observation { now: secs(now, epoch), time_of_day: 0.0, agents, calls, meter }
}

/// The abandon meter over the rolling 30 days, today and the last minute, counted by the
/// database (one grouped row per outcome) rather than by reading every ended attempt of a
/// month-long campaign on every tick.
async fn meter<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    campaign_id: &str,
    now: DateTime<Utc>,
) -> Result<AbandonMeter, DialerError> {
    use dial_attempt::Column as A;
    let today = day_start(now);
    let minute_ago = now - Duration::seconds(60);
    let rows = scope::find::<dial_attempt::Entity>(tenant)
        .filter(A::CampaignId.eq(campaign_id))
        .filter(A::Status.eq(at::ENDED))
        .filter(A::CreatedAt.gte(now - Duration::days(30)))
        .select_only()
        .column(A::Outcome)
        .column_as(Expr::col(A::Id).count(), "n")
        .column_as(count_if(Expr::col(A::CreatedAt).gte(today)), "today")
        .column_as(count_if(Expr::col(A::CreatedAt).gt(minute_ago)), "last_minute")
        .column_as(
            count_if(Expr::col(A::DialedAt).is_not_null().and(Expr::col(A::CreatedAt).gte(today))),
            "dialed_today",
        )
        .column_as(count_if(Expr::col(A::DialedAt).gt(minute_ago)), "dialed_last_minute")
        .group_by(A::Outcome)
        .into_tuple::<(Option<String>, i64, i64, i64, i64, i64)>()
        .all(conn)
        .await?;
    let mut meter = AbandonMeter::default();
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    for (outcome, all, today, last_minute, dialed_today, dialed_last_minute) in rows {
        let Some(o) = outcome.as_deref().and_then(Outcome::parse) else { continue };
        if o.human() {
            meter.humans += n(all);
            meter.humans_today += n(today);
        }
        if o == Outcome::Abandoned {
            meter.abandons += n(all);
            meter.abandons_today += n(today);
            meter.abandons_last_minute += n(last_minute);
        }
        meter.dials_today += n(dialed_today);
        meter.dials_last_minute += n(dialed_last_minute);
    }
    Ok(meter)
}

/// The start of `now`'s day (UTC), where "today" counts begin.
pub(crate) fn day_start(now: DateTime<Utc>) -> DateTime<Utc> {
    now.date_naive().and_time(chrono::NaiveTime::MIN).and_utc()
}

/// How many rows of a grouped read meet `cond` (`SUM(CASE WHEN cond THEN 1 ELSE 0 END)`).
pub(crate) fn count_if(cond: Expr) -> Expr {
    Expr::from(Func::sum(Expr::case(cond, 1).finally(0)))
}

/// Estimates from the campaign's most recent ended attempts, on top of the priors, and the
/// start of their learning window ([`with_people_on_a_call`] adds the people talking now).
///
/// Every dial counts by when it resolved: a no-answer or a failure when it ended, a person
/// when they answered. The window is the span of the last [`LEARN_FROM`] ended attempts; a
/// person who answered inside it counts whether or not their call has ended. Counting people
/// only once their talk ended would hide the ones talking now, the most recent ones: at the
/// start of a campaign the mix would look like no-answers and machines only, and the policy
/// would dial as if few people picked up. Talk time counts the same way: the talk inside the
/// window, still going or not, over the talks that ended ([`Estimates::talk_exposure`]).
async fn estimates<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    c: &campaign::Model,
    epoch: DateTime<Utc>,
) -> Result<(Estimates, DateTime<Utc>), DialerError> {
    use dial_attempt::Column as A;
    let ended = scope::find::<dial_attempt::Entity>(tenant)
        .filter(A::CampaignId.eq(&c.id))
        .filter(A::Status.eq(at::ENDED))
        .filter(A::DialedAt.is_not_null())
        .filter(A::EndedAt.is_not_null())
        .order_by_desc(A::EndedAt)
        .limit(LEARN_FROM)
        .all(conn)
        .await?;
    let window = match ended.last().and_then(|a| a.ended_at) {
        Some(oldest) if ended.len() as u64 == LEARN_FROM => oldest,
        _ => epoch,
    };
    let mut est = Estimates::prior();
    est.ring_timeout = c.ring_timeout_secs as f64;
    est.wrap_prior = (c.wrap_secs > 0).then_some(c.wrap_secs as f64);
    let gap = |a, b| gap(a, b, epoch);
    est.talk_exposure = Some(0.0);
    est.wrap_exposure = Some(0.0);
    for a in &ended {
        let Some(o) = a.outcome.as_deref().and_then(Outcome::parse) else { continue };
        match o {
            Outcome::Connected | Outcome::Abandoned => {
                person(&mut est, a, a.ended_at, window, epoch);
                if let Some(t) = gap(a.connected_at, a.ended_at).filter(|_| o == Outcome::Connected) {
                    est.observe(Resolution::Talk(t));
                }
                if let Some(w) = gap(a.ended_at, a.wrapped_at).filter(|_| o == Outcome::Connected) {
                    est.observe(Resolution::Wrap(w));
                    est.wrap_exposure = Some(est.wrap_exposure.unwrap_or(0.0) + w);
                }
            }
            Outcome::Machine | Outcome::Voicemail => {
                if let Some(p) = gap(a.dialed_at, a.answered_at) {
                    est.observe(Resolution::Machine { pickup: p, amd: 3.5 });
                }
            }
            Outcome::NoAnswer => est.observe(Resolution::NoAnswer),
            Outcome::Busy | Outcome::Failed => {
                est.observe(Resolution::Failed { hold: gap(a.dialed_at, a.ended_at).unwrap_or(3.0) });
            }
            Outcome::Cancelled | Outcome::Blocked => {}
        }
    }
    Ok((est, window))
}

/// The learnt estimates plus the people on a call now (or hearing the safe-harbor message),
/// from the live attempts the tick read under the campaign's lock, and the wrap-ups going on.
fn with_people_on_a_call(
    learned: &Learned,
    sessions: &[agent_session::Model],
    live: &[dial_attempt::Model],
    now: DateTime<Utc>,
    epoch: DateTime<Utc>,
) -> Estimates {
    let mut est = learned.est.clone();
    for a in live.iter().filter(|a| matches!(a.status.as_str(), at::CONNECTED | at::ABANDONED)) {
        person(&mut est, a, Some(now), learned.window, epoch);
    }
    // A wrap-up still going has lasted at least this long: leaving it out would learn the
    // short wrap-ups only.
    for s in sessions.iter().filter(|s| s.state == st::WRAP_UP) {
        if let Some(w) = gap(Some(Ord::max(s.state_since, learned.window)), Some(now), epoch) {
            est.wrap_exposure = Some(est.wrap_exposure.unwrap_or(0.0) + w);
        }
    }
    est
}

/// Seconds from `a` to `b` (never negative), when both are known.
fn gap(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>, epoch: DateTime<Utc>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some((secs(b, epoch) - secs(a, epoch)).max(0.0)),
        _ => None,
    }
}

/// A person who answered: counted in the mix if they answered inside the window, and their
/// talk inside the window (up to `end`, their call's end or now) added to the talk exposure.
fn person(
    est: &mut Estimates,
    a: &dial_attempt::Model,
    end: Option<DateTime<Utc>>,
    window: DateTime<Utc>,
    epoch: DateTime<Utc>,
) {
    let gap = |a, b| gap(a, b, epoch);
    if let (Some(p), true) = (gap(a.dialed_at, a.answered_at), a.answered_at.is_some_and(|t| t >= window)) {
        let amd = gap(a.answered_at, a.connected_at.or(end)).unwrap_or(2.0).min(10.0);
        est.observe(Resolution::Human { pickup: p, amd });
    }
    if let Some(talk) = gap(a.connected_at.map(|t| Ord::max(t, window)), end) {
        est.talk_exposure = Some(est.talk_exposure.unwrap_or(0.0) + talk);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt(status: &str, created_at: DateTime<Utc>, dialed_at: Option<DateTime<Utc>>) -> dial_attempt::Model {
        dial_attempt::Model {
            tenant_id: "ten_1".into(),
            id: format!("att_{status}"),
            campaign_id: "cmp_1".into(),
            contact_id: "con_1".into(),
            phone: "+12125550100".into(),
            seq: 1,
            status: status.into(),
            agent_session_id: None,
            group_id: None,
            call_id: None,
            outcome: None,
            counts: true,
            abandoned: false,
            disposition: None,
            disposition_note: None,
            detail: None,
            created_at,
            dialed_at,
            answered_at: None,
            connected_at: None,
            ended_at: None,
            wrapped_at: None,
            updated_at: created_at,
        }
    }

    /// Pooled dials never queue for the carrier's limit for more than five seconds of its rate.
    #[test]
    fn the_placing_queue_holds_five_seconds_of_the_carriers_rate() {
        let now = DateTime::parse_from_rfc3339("2026-11-18T16:00:00Z").unwrap().to_utc();
        let mut live: Vec<_> = (0..30).map(|_| attempt(at::SCHEDULED, now, None)).collect();
        live.extend((0..5).map(|_| attempt(at::DIALING, now, Some(now))));
        live.extend((0..50).map(|_| attempt(at::RINGING, now, Some(now))));
        assert_eq!(placing_room(&live, 50.0), 215);
        assert_eq!(placing_room(&live, 5.0), 0);
    }

    /// A call queued behind the carrier's calls-per-second limit has not rung yet: the policy
    /// must expect all of its answers ahead (as for a call dialled now), not see a call that
    /// has rung for as long as it waited, which looks like a no-answer and makes it dial more.
    #[test]
    fn a_call_not_placed_yet_is_seen_as_dialled_now() {
        let epoch = DateTime::parse_from_rfc3339("2026-11-18T16:00:00Z").unwrap().to_utc();
        let now = epoch + Duration::seconds(600);
        let live = [
            attempt(at::SCHEDULED, now - Duration::seconds(30), None),
            attempt(at::RINGING, now - Duration::seconds(30), Some(now - Duration::seconds(20))),
            // Its placing job began 8 s ago and waits for the carrier's limit.
            attempt(at::DIALING, now - Duration::seconds(10), Some(now - Duration::seconds(8))),
        ];
        let obs = observe(&[], &live, AbandonMeter::default(), now, epoch);
        assert_eq!(obs.calls.len(), 3);
        assert_eq!((obs.calls[0].stage, obs.calls[0].since, obs.calls[0].dialed), (CallStage::Ringing, 600.0, 600.0));
        assert_eq!((obs.calls[1].since, obs.calls[1].dialed), (580.0, 580.0));
        assert_eq!((obs.calls[2].since, obs.calls[2].dialed), (600.0, 600.0));
    }
}
