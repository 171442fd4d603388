//! Calling windows: is an instant inside every permitted window, in every zone of the set,
//! under the federal floor and every binding state rule (COMPLIANCE.md §0.2)?

use chrono::{DateTime, Datelike, NaiveDateTime, Offset, TimeDelta, TimeZone, Utc, Weekday};
use chrono_tz::OffsetComponents;

use super::codes::ReasonCode;
use super::decision::Reason;
use super::holidays::holiday_on;
use super::jurisdiction::JurisdictionSet;
use super::model::{Channel, DialMode, Purpose};
use super::place::Zone;
use super::rules::{DayRule, RuleSet, StateRule, Window};

/// The facts about an attempt that decide which time rules bind it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TimeScope<'a> {
    pub channel: Channel,
    pub purpose: Purpose,
    pub mode: DialMode,
    /// A valid consent lifts rules marked `consent_exempts` (Utah).
    pub has_consent: bool,
    pub jurisdiction: &'a JurisdictionSet,
}

/// Interprets a wall-clock time in a zone. A time skipped by a spring-forward gap is
/// shifted forward by the gap (02:30 on 2026-03-08 New York → 03:30 EDT); an ambiguous
/// fall-back time takes its first occurrence (COMPLIANCE.md §8 case 3).
pub fn resolve_local(zone: Zone, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    let tz = zone.tz();
    if let Some(dt) = tz.from_local_datetime(&local).earliest() {
        return Some(dt.with_timezone(&Utc));
    }
    // In a gap: read the time with the offset in force just before the gap.
    (1..=48).find_map(|k| {
        let before = local - TimeDelta::minutes(30 * k);
        let offset = tz.from_local_datetime(&before).earliest()?.offset().fix();
        offset.from_local_datetime(&local).single().map(|dt| dt.with_timezone(&Utc))
    })
}

/// The zone's standard-time clock reading of `t` (no DST), for statutes that name
/// "standard time" literally.
pub(crate) fn standard_clock(zone: Zone, t: DateTime<Utc>) -> NaiveDateTime {
    let offset = zone.tz().offset_from_utc_datetime(&t.naive_utc());
    t.naive_utc() + offset.base_utc_offset()
}

fn local_clock(zone: Zone, t: DateTime<Utc>) -> NaiveDateTime {
    t.with_timezone(&zone.tz()).naive_local()
}

/// Inside `[start, end)` at dial time, and the last ringing instant still before `end`
/// on the same local day.
fn inside(window: &Window, dial: NaiveDateTime, ring_end: NaiveDateTime) -> bool {
    let t = dial.time();
    t >= window.start && t < window.end && ring_end.date() == dial.date() && ring_end.time() < window.end
}

/// The federal floor binds phone channels for marketing and collection, and informational
/// contacts unless the rule set turns that off.
pub(crate) fn federal_binds(rules: &RuleSet, channel: Channel, purpose: Purpose) -> bool {
    channel.is_phone() && (purpose != Purpose::Informational || rules.federal.window_for_informational)
}

/// Whether a state rule binds this attempt on the local date of `dial` (consent
/// exemptions applied).
fn binds(rule: &StateRule, scope: &TimeScope<'_>, dial: NaiveDateTime) -> bool {
    rule.binds(scope.channel, scope.purpose, scope.mode, dial.date()) && !(rule.consent_exempts && scope.has_consent)
}

/// Every time-of-day, weekday and holiday violation at `t`.
pub(crate) fn time_reasons(rules: &RuleSet, scope: &TimeScope<'_>, t: DateTime<Utc>) -> Vec<Reason> {
    let guard = rules.guard_band();
    // The last instant the call may still be ringing.
    let ring_end_at = if guard > TimeDelta::zero() { t + guard - TimeDelta::nanoseconds(1) } else { t };
    let mut reasons = Vec::new();
    let jurisdiction = scope.jurisdiction;
    for &zone in &jurisdiction.zones {
        let dial = local_clock(zone, t);
        let ring_end = local_clock(zone, ring_end_at);
        if federal_binds(rules, scope.channel, scope.purpose) && !inside(&rules.federal.window, dial, ring_end) {
            reasons.push(Reason {
                code: ReasonCode::CallingHours,
                state: None,
                zone: Some(zone),
                citation: "47 CFR 64.1200(c)(1); 16 CFR 310.4(c); 12 CFR 1006.6(b)(1)(i)".into(),
                detail: format!("{} local in {zone} is outside 08:00-21:00", dial.format("%a %H:%M:%S")),
            });
        }
    }
    for rule in rules.states.iter().filter(|r| jurisdiction.states.contains(&r.state)) {
        // A state's hours are local time at a called party in that state; a state that
        // presumes the called party is there by area code (FL, OK, CT) binds in every
        // zone of the set, since the consumer may be anywhere.
        let zones = if rules.area_code_presumption.contains(&rule.state) && jurisdiction.by_area_code(rule.state) {
            jurisdiction.zones.clone()
        } else {
            jurisdiction.zones_for(rule.state)
        };
        for zone in zones {
            let dial = local_clock(zone, t);
            if !binds(rule, scope, dial) {
                continue;
            }
            let ring_end = local_clock(zone, ring_end_at);
            if let Some(r) = rule_reason(rule, zone, dial, ring_end, "local") {
                reasons.push(r);
            }
            if rule.standard_time_clock {
                let std_dial = standard_clock(zone, t);
                let std_end = standard_clock(zone, ring_end_at);
                if let Some(r) = rule_reason(rule, zone, std_dial, std_end, "standard-time") {
                    reasons.push(r);
                }
            }
        }
    }
    dedupe(reasons)
}

fn rule_reason(
    rule: &StateRule,
    zone: Zone,
    dial: NaiveDateTime,
    ring_end: NaiveDateTime,
    clock: &str,
) -> Option<Reason> {
    let date = dial.date();
    let holiday = match rule.holidays {
        DayRule::Unrestricted => None,
        _ => holiday_on(&rule.holiday_calendar, date),
    };
    let (day_rule, closed_code, what) = match holiday {
        Some(h) => (rule.holidays, ReasonCode::Holiday, h.name.clone()),
        None => match date.weekday() {
            Weekday::Sat => (rule.saturday, ReasonCode::StateDayBan, "Saturday".to_string()),
            Weekday::Sun => (rule.sunday, ReasonCode::StateDayBan, "Sunday".to_string()),
            _ => (rule.weekdays, ReasonCode::StateDayBan, "weekday".to_string()),
        },
    };
    let (code, detail) = match day_rule {
        DayRule::Unrestricted => return None,
        DayRule::Closed => (closed_code, format!("{} closes on {what} ({date})", rule.state)),
        DayRule::Window { window } => {
            if inside(&window, dial, ring_end) {
                return None;
            }
            (
                ReasonCode::CallingHours,
                format!(
                    "{} allows {}-{} on {what}; {clock} time in {zone} is {}",
                    rule.state,
                    window.start.format("%H:%M"),
                    window.end.format("%H:%M"),
                    dial.format("%H:%M:%S")
                ),
            )
        }
    };
    Some(Reason { code, state: Some(rule.state), zone: Some(zone), citation: rule.citation.clone(), detail })
}

fn dedupe(mut reasons: Vec<Reason>) -> Vec<Reason> {
    let mut seen = Vec::new();
    reasons.retain(|r| {
        let key = (r.code, r.state, r.zone);
        if seen.contains(&key) {
            false
        } else {
            seen.push(key);
            true
        }
    });
    reasons
}
