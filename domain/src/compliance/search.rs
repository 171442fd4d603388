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
    let plan = Plan::new(input, rules, jurisdiction, now);
    // Candidates are made one day-long band at a time, in order, so the usual answer (the next
    // window opening) costs a day's candidates, not the whole horizon's.
    for band in 0..=SEARCH_HORIZON_DAYS as i64 {
        let from = now + TimeDelta::days(band);
        let to = (now + TimeDelta::days(band + 1)).min(plan.horizon);
        for t in plan.candidates_between(from, to) {
            let (reasons, _) = reasons_at(input, rules, jurisdiction, t);
            if reasons.is_empty() {
                return Some(t);
            }
            if reasons.iter().any(|r| !r.code.is_temporal()) {
                return None;
            }
        }
        if to >= plan.horizon {
            break;
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

/// Everything the candidate instants are made from.
struct Plan {
    now: DateTime<Utc>,
    horizon: DateTime<Utc>,
    starts: BTreeSet<NaiveTime>,
    zones: Vec<Zone>,
    standard_clock_rules: bool,
    expiries: Vec<DateTime<Utc>>,
}

impl Plan {
    fn new(input: &GateInput, rules: &RuleSet, jurisdiction: &JurisdictionSet, now: DateTime<Utc>) -> Plan {
        let zones: Vec<Zone> = if jurisdiction.zones.is_empty() {
            vec![Zone::from(chrono_tz::UTC)]
        } else {
            jurisdiction.zones.iter().copied().collect()
        };
        // Statutes naming standard time open on the standard clock: the instant whose
        // standard-time reading is the window start.
        let standard_clock_rules =
            rules.states.iter().any(|r| r.standard_time_clock && jurisdiction.states.contains(&r.state));
        Plan {
            now,
            horizon: now + TimeDelta::days(SEARCH_HORIZON_DAYS as i64),
            starts: window_starts(rules, jurisdiction),
            zones,
            standard_clock_rules,
            expiries: rolling_expiries(rules, input).into_iter().collect(),
        }
    }

    /// The candidates in `[from, to)` (and after `now`, up to the horizon), in order. A
    /// candidate's local date is within a day of the band's, so only those dates are made; the
    /// dates stay within yesterday .. today + horizon in each zone, as a full scan would use.
    fn candidates_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> BTreeSet<DateTime<Utc>> {
        let mut out = BTreeSet::new();
        for &zone in &self.zones {
            let today = self.now.with_timezone(&zone.tz()).date_naive();
            let (Some(first_allowed), Some(last_allowed)) =
                (today.checked_sub_days(Days::new(1)), today.checked_add_days(Days::new(SEARCH_HORIZON_DAYS)))
            else {
                continue;
            };
            let (Some(lo), Some(hi)) = (
                from.with_timezone(&zone.tz()).date_naive().checked_sub_days(Days::new(1)),
                to.with_timezone(&zone.tz()).date_naive().checked_add_days(Days::new(1)),
            ) else {
                continue;
            };
            let std_offset = standard_clock(zone, self.now) - self.now.naive_utc();
            for date in lo.max(first_allowed).iter_days().take_while(|d| *d <= hi.min(last_allowed)) {
                for &start in &self.starts {
                    let local = date.and_time(start);
                    out.extend(resolve_local(zone, local));
                    if self.standard_clock_rules {
                        out.insert(DateTime::from_naive_utc_and_offset(local - std_offset, Utc));
                    }
                }
            }
        }
        out.extend(self.expiries.iter().copied());
        // Bands are half-open, except that the last one keeps the horizon itself.
        let in_band = |t: &DateTime<Utc>| *t >= from && (*t < to || (to == self.horizon && *t == to));
        out.into_iter().filter(|t| *t > self.now && *t <= self.horizon && in_band(t)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compliance::{
        jurisdiction::resolve,
        model::{AttemptOutcome, AttemptRecord, Channel, Direction, Purpose},
        tests::{marketing_call, with_zip},
    };

    // The search before it went band by band: every candidate of the horizon, in order.
    fn next_allowed_full_scan(
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

    /// The band-by-band search answers exactly as the full scan over a year of instants,
    /// zones with DST, multi-zone and standard-clock states, and rolling caps.
    #[test]
    fn band_search_equals_full_scan() {
        let rules = RuleSet::us_default();
        let start = DateTime::parse_from_rfc3339("2026-03-01T00:00:00Z").unwrap().with_timezone(&Utc);
        let cases: [(&str, Option<&str>); 9] = [
            ("+12125550100", None),
            ("+18505550100", None),
            ("+19288710100", None),
            ("+19075550100", None),
            ("+13055550100", Some("30303")),
            ("+12055550100", None),
            ("+16015550100", None),
            ("+14015550100", None),
            ("+15125550100", Some("98101")),
        ];
        let mut compared = 0;
        for (phone, zip) in cases {
            for step in 0..160 {
                let now = start + TimeDelta::minutes(step * (23 * 60 + 17) * 2 + 11);
                let mut input = marketing_call(phone, now);
                if let Some(z) = zip {
                    input = with_zip(input, z);
                }
                if step % 3 == 0 {
                    // Three calls in the last day: Florida-style rolling caps expire inside the search.
                    for h in [2, 5, 9] {
                        input.history.push(AttemptRecord {
                            at: now - TimeDelta::hours(h),
                            channel: Channel::Voice,
                            direction: Direction::Outbound,
                            address: phone.to_owned(),
                            purpose: Purpose::Marketing,
                            campaign_id: None,
                            debt_id: None,
                            subject: None,
                            outcome: AttemptOutcome::NoAnswer,
                        });
                    }
                }
                let Ok(j) = resolve(input.channel, &input.destination, &input.location) else { continue };
                assert_eq!(
                    next_allowed(&input, &rules, &j, now),
                    next_allowed_full_scan(&input, &rules, &j, now),
                    "{phone} {zip:?} at {now}"
                );
                compared += 1;
            }
        }
        assert!(compared > 1000, "{compared}");
    }
}
