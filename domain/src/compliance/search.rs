//! Searching forward for the first instant an attempt would be allowed.

use std::collections::BTreeSet;

use chrono::{DateTime, Days, NaiveTime, TimeDelta, Utc};

use super::caps::rolling_expiries;
use super::gate::reasons_at;
use super::jurisdiction::JurisdictionSet;
use super::model::GateInput;
use super::place::Zone;
use super::rules::{DayRule, RuleSet};
use super::windows::{resolve_local, standard_clock};

/// How far ahead to look. Long enough for a Regulation F week, a holiday weekend and a
/// Massachusetts 7-day window together.
pub const SEARCH_HORIZON_DAYS: u64 = 45;

/// The first instant after `now` with no reason to block, or `None` if a non-temporal
/// reason appears first (a registry copy goes stale, a consent expires) or the horizon
/// passes.
///
/// The allowed set is a union of intervals, and each interval opens either at a window
/// start (local or standard clock) in some zone, at a local midnight (day bans, holidays,
/// day-based counters, effective dates) or when a rolling counter drops an attempt; so
/// testing exactly those instants in order finds the earliest allowed one.
pub(crate) fn next_allowed(
    input: &GateInput,
    rules: &RuleSet,
    jurisdiction: &JurisdictionSet,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    for t in candidates(input, rules, jurisdiction, now) {
        let (reasons, _) = reasons_at(input, rules, jurisdiction, t);
        if reasons.is_empty() {
            return Some(t);
        }
        if reasons.iter().any(|r| !r.code.is_temporal()) {
            return None;
        }
    }
    None
}

fn window_starts(rules: &RuleSet, jurisdiction: &JurisdictionSet) -> BTreeSet<NaiveTime> {
    let mut starts = BTreeSet::from([NaiveTime::MIN, rules.federal.window.start]);
    for rule in rules.states.iter().filter(|r| jurisdiction.states.contains(&r.state)) {
        for day in [rule.weekdays, rule.saturday, rule.sunday, rule.holidays] {
            if let DayRule::Window { window } = day {
                starts.insert(window.start);
            }
        }
    }
    starts
}

fn candidates(
    input: &GateInput,
    rules: &RuleSet,
    jurisdiction: &JurisdictionSet,
    now: DateTime<Utc>,
) -> BTreeSet<DateTime<Utc>> {
    let horizon = now + TimeDelta::days(SEARCH_HORIZON_DAYS as i64);
    let starts = window_starts(rules, jurisdiction);
    let zones: Vec<Zone> = if jurisdiction.zones.is_empty() {
        vec![Zone::from(chrono_tz::UTC)]
    } else {
        jurisdiction.zones.iter().copied().collect()
    };
    // Statutes naming standard time open on the standard clock: the instant whose
    // standard-time reading is the window start.
    let standard_clock_rules =
        rules.states.iter().any(|r| r.standard_time_clock && jurisdiction.states.contains(&r.state));
    let mut out = BTreeSet::new();
    for zone in zones {
        let today = now.with_timezone(&zone.tz()).date_naive();
        let Some(first) = today.checked_sub_days(Days::new(1)) else {
            continue;
        };
        let std_offset = standard_clock(zone, now) - now.naive_utc();
        for date in first.iter_days().take(SEARCH_HORIZON_DAYS as usize + 2) {
            for &start in &starts {
                let local = date.and_time(start);
                out.extend(resolve_local(zone, local));
                if standard_clock_rules {
                    out.insert(DateTime::from_naive_utc_and_offset(local - std_offset, Utc));
                }
            }
        }
    }
    out.extend(rolling_expiries(rules, input));
    out.into_iter().filter(|t| *t > now && *t <= horizon).collect()
}
