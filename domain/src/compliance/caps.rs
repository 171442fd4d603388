//! Frequency caps and the Regulation F post-conversation rule, counted from the
//! consumer's append-only attempt ledger (COMPLIANCE.md §0.4).

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use super::codes::ReasonCode;
use super::decision::Reason;
use super::model::{AttemptOutcome, AttemptRecord, Channel, Direction, GateInput, same_address};
use super::place::{StateCode, Zone};
use super::rules::{CapCounts, CapKey, CapPeriod, ConversationCooldown, FrequencyCap, RuleSet};

/// Zones used to find local calendar days; UTC when the set is empty (email).
fn day_zones(zones: &BTreeSet<Zone>) -> Vec<Zone> {
    if zones.is_empty() { vec![Zone::from(chrono_tz::UTC)] } else { zones.iter().copied().collect() }
}

fn local_date(zone: Zone, t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&zone.tz()).date_naive()
}

/// Unmarked keys are shared: an attempt with no debt (or subject) may have been about
/// this one, so it counts — the stricter reading.
fn key_matches(mine: Option<&String>, theirs: Option<&String>) -> bool {
    match (mine, theirs) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

fn cap_binds(cap: &FrequencyCap, input: &GateInput, states: &BTreeSet<StateCode>) -> bool {
    cap.channels.contains(&input.channel)
        && cap.purposes.contains(&input.purpose)
        && cap.state.is_none_or(|s| states.contains(&s))
        && cap.campaign_id.as_ref().is_none_or(|c| input.campaign_id.as_ref() == Some(c))
}

fn counts(cap: &FrequencyCap, input: &GateInput, a: &AttemptRecord) -> bool {
    // Consumer-initiated contacts never count against the consumer (Reg F D2).
    a.direction == Direction::Outbound
        && cap.channels.contains(&a.channel)
        && cap.purposes.contains(&a.purpose)
        && cap.campaign_id.as_ref().is_none_or(|c| a.campaign_id.as_ref() == Some(c))
        && match cap.counts {
            CapCounts::AllOutbound => true,
            CapCounts::Connected => a.outcome.connected_to_number(),
        }
        && match cap.key {
            CapKey::Consumer => true,
            CapKey::Destination => same_address(&a.address, &input.destination),
            CapKey::Debt => key_matches(input.debt_id.as_ref(), a.debt_id.as_ref()),
            CapKey::Subject => key_matches(input.subject.as_ref(), a.subject.as_ref()),
        }
}

fn in_period(period: CapPeriod, at: DateTime<Utc>, t: DateTime<Utc>, zones: &[Zone]) -> bool {
    if at > t {
        return false;
    }
    match period {
        CapPeriod::Rolling { seconds } => at > t - TimeDelta::seconds(seconds),
        CapPeriod::LocalDays { days } => zones.iter().any(|&z| {
            let age = (local_date(z, t) - local_date(z, at)).num_days();
            age < i64::from(days)
        }),
    }
}

/// Every cap reached at `t`.
pub(crate) fn cap_reasons(
    rules: &RuleSet,
    input: &GateInput,
    states: &BTreeSet<StateCode>,
    zones: &BTreeSet<Zone>,
    t: DateTime<Utc>,
) -> Vec<Reason> {
    let zones = day_zones(zones);
    let mut reasons = Vec::new();
    for cap in rules.caps.iter().filter(|c| cap_binds(c, input, states)) {
        let used =
            input.history.iter().filter(|a| counts(cap, input, a) && in_period(cap.period, a.at, t, &zones)).count();
        if used >= usize::try_from(cap.max).unwrap_or(usize::MAX) {
            reasons.push(Reason {
                code: cap.code,
                state: cap.state,
                zone: None,
                citation: cap.citation.clone(),
                detail: format!("{}: {used} of {} already used", cap.name, cap.max),
            });
        }
    }
    for cooldown in
        rules.cooldowns.iter().filter(|c| c.channels.contains(&input.channel) && c.purposes.contains(&input.purpose))
    {
        if let Some(at) = recent_conversation(cooldown, input, &zones, t) {
            reasons.push(Reason::new(
                ReasonCode::RegFPostConversation,
                &cooldown.citation,
                format!("telephone conversation about this debt at {at}; day 1 of {} days", cooldown.days),
            ));
        }
    }
    reasons
}

/// A telephone conversation about the debt whose local day (day 1) began fewer than
/// `days` calendar days ago in some zone. Inbound conversations count too: the rule is
/// about having had a conversation, not who dialled.
fn recent_conversation(
    cooldown: &ConversationCooldown,
    input: &GateInput,
    zones: &[Zone],
    t: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    input
        .history
        .iter()
        .filter(|a| {
            a.outcome == AttemptOutcome::Conversation
                && a.channel == Channel::Voice
                && cooldown.purposes.contains(&a.purpose)
                && key_matches(input.debt_id.as_ref(), a.debt_id.as_ref())
                && in_period(CapPeriod::LocalDays { days: cooldown.days }, a.at, t, zones)
        })
        .map(|a| a.at)
        .max()
}

/// Instants at which a rolling counter loses an attempt: candidates for `next_allowed_at`.
pub(crate) fn rolling_expiries(rules: &RuleSet, input: &GateInput) -> Vec<DateTime<Utc>> {
    let mut out = Vec::new();
    for cap in &rules.caps {
        if let CapPeriod::Rolling { seconds } = cap.period {
            out.extend(input.history.iter().map(|a| a.at + TimeDelta::seconds(seconds)));
        }
    }
    out
}
