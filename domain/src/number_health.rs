//! Number health: is one of our outbound numbers being labelled as spam?
//!
//! Carrier analytics label numbers that dial a lot, connect rarely, or whose calls callees end
//! at once; a labelled number then connects even less. [`assess`] reads those signs from a
//! number's daily stats over the seven days ending `today` (and the seven before, for the
//! trend) into a [`HealthReport`]: a score that ranks numbers for caller ID and flags that
//! rest the number ([`next_state`]) until the labels fade.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

/// Score of a number with too few recent dials to judge: neither preferred nor shunned.
pub const NEUTRAL_SCORE: f64 = 0.5;

/// One number's calling on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayStats {
    /// The calendar day.
    pub date: NaiveDate,
    /// Calls placed.
    pub dials: u32,
    /// Calls answered by a person (not voicemail, not unanswered).
    pub connects: u32,
    /// Connected calls the callee ended within a few seconds (infra counts those under 6 s):
    /// what people do when their phone shows "Spam Likely".
    pub short_calls: u32,
}

/// Thresholds past which a number shows spam signs, and how long it then rests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealthPolicy {
    /// Connect rate (connects / dials) below which the number is flagged.
    pub min_connect_rate: f64,
    /// Share of connected calls that are short above which the number is flagged.
    pub max_short_call_share: f64,
    /// Dials on any single day above which the number is flagged.
    pub max_calls_per_day: u32,
    /// Relative fall of the connect rate from the previous week above which the number is
    /// flagged (0.3 = down by 30 %).
    pub max_wow_drop: f64,
    /// Dials in a week below which that week is too thin to judge.
    pub min_dials_for_judgement: u32,
    /// Days a flagged number rests before it dials again.
    pub cool_down_days: u32,
}

impl Default for HealthPolicy {
    fn default() -> Self {
        Self {
            min_connect_rate: 0.10,
            max_short_call_share: 0.30,
            // Carriers start labelling numbers that dial more than a hundred or so a day.
            max_calls_per_day: 100,
            max_wow_drop: 0.30,
            // Below fifty dials a handful of unanswered calls would swing every rate.
            min_dials_for_judgement: 50,
            // Two weeks lets labels fade, and keeps the week that flagged the number out of
            // both windows of the first report after it returns.
            cool_down_days: 14,
        }
    }
}

/// A sign that carriers may be labelling the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthFlag {
    /// The connect rate is under the policy's floor.
    LowConnectRate,
    /// The connect rate fell more than allowed since the previous week.
    ConnectRateFalling,
    /// Too many connected calls were ended by the callee within seconds.
    ManyShortCalls,
    /// Some day's dials exceeded the daily maximum.
    OverDailyVolume,
}

/// A number's health over the seven days ending `today`, against the seven before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealthReport {
    /// Dials in the last seven days.
    pub dials_7d: u32,
    /// Whether the last seven days had enough dials to judge; if not: no flags, neutral score.
    pub judged: bool,
    /// Connects per dial in the last seven days (0 without dials).
    pub connect_rate_7d: f64,
    /// Connects per dial in the seven days before, when that week had enough dials.
    pub connect_rate_prev_7d: Option<f64>,
    /// Relative change of the connect rate week over week (-0.4 = down by 40 %), when both
    /// weeks can be judged and the previous week connected at all.
    pub wow_change: Option<f64>,
    /// Share of the last seven days' connected calls that were short (0 without connects).
    pub short_call_share_7d: f64,
    /// Average dials per day over the last seven days.
    pub calls_per_day_7d: f64,
    /// Dials on the busiest of the last seven days.
    pub peak_day_dials_7d: u32,
    /// 0..=1, higher is healthier: at least ½ without flags, under ½ with any, and
    /// [`NEUTRAL_SCORE`] when not judged.
    pub score: f64,
    /// Spam signs, in [`HealthFlag`] order.
    pub flags: Vec<HealthFlag>,
}

/// Whether a number may be shown as caller ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum NumberState {
    /// In rotation.
    Active,
    /// Out of rotation from `since` until the morning of `until`.
    Rested {
        /// The day the number was flagged.
        since: NaiveDate,
        /// The first day it may dial again.
        until: NaiveDate,
    },
}

impl NumberState {
    /// Whether the number sits out on `today` (a rest whose end has passed no longer counts,
    /// even before [`next_state`] has run).
    pub fn rests_on(self, today: NaiveDate) -> bool {
        matches!(self, NumberState::Rested { until, .. } if today < until)
    }
}

/// Sums of one seven-day window.
#[derive(Default)]
struct Week {
    dials: u64,
    connects: u64,
    short_calls: u64,
    peak: u32,
}

impl Week {
    fn sum(stats: &[DayStats], first: NaiveDate, last: NaiveDate) -> Week {
        let mut week = Week::default();
        // Several rows for one day (one per trunk, say) simply add up.
        for day in stats.iter().filter(|s| (first..=last).contains(&s.date)) {
            week.dials += u64::from(day.dials);
            week.connects += u64::from(day.connects);
            week.short_calls += u64::from(day.short_calls);
            week.peak = week.peak.max(day.dials);
        }
        week
    }

    fn connect_rate(&self) -> f64 {
        ratio(self.connects, self.dials)
    }
}

/// Reads the spam signs of one number from its daily stats. Days after `today` or more than
/// thirteen days before it are ignored.
pub fn assess(stats: &[DayStats], today: NaiveDate, policy: &HealthPolicy) -> HealthReport {
    let back = |days: u64| today.checked_sub_days(Days::new(days)).unwrap_or(NaiveDate::MIN);
    let current = Week::sum(stats, back(6), today);
    let previous = Week::sum(stats, back(13), back(7));
    let enough = |week: &Week| week.dials >= u64::from(policy.min_dials_for_judgement);

    let judged = enough(&current);
    let connect_rate_7d = current.connect_rate();
    let connect_rate_prev_7d = enough(&previous).then(|| previous.connect_rate());
    let wow_change =
        connect_rate_prev_7d.filter(|prev| judged && *prev > 0.0).map(|prev| (connect_rate_7d - prev) / prev);
    let short_call_share_7d = ratio(current.short_calls, current.connects);

    let signs = [
        (connect_rate_7d < policy.min_connect_rate, HealthFlag::LowConnectRate),
        (wow_change.is_some_and(|change| -change > policy.max_wow_drop), HealthFlag::ConnectRateFalling),
        (short_call_share_7d > policy.max_short_call_share, HealthFlag::ManyShortCalls),
        (current.peak > policy.max_calls_per_day, HealthFlag::OverDailyVolume),
    ];
    let flags: Vec<HealthFlag> =
        signs.into_iter().filter(|(shown, _)| judged && *shown).map(|(_, flag)| flag).collect();

    let score = if judged {
        let drop = wow_change.map_or(0.0, |change| (-change).max(0.0));
        // Connect rate is the most direct evidence of a label; volume is a cause, not evidence.
        let marks = [
            (0.4, over(connect_rate_7d, policy.min_connect_rate)),
            (0.3, under(short_call_share_7d, policy.max_short_call_share)),
            (0.2, under(drop, policy.max_wow_drop)),
            (0.1, under(f64::from(current.peak), f64::from(policy.max_calls_per_day))),
        ];
        // One sign past its threshold is enough to make a number unhealthy however good the
        // rest look: a flagged number scores its worst sign, below every unflagged number.
        if flags.is_empty() {
            marks.iter().map(|(weight, mark)| weight * mark).sum()
        } else {
            marks.iter().map(|(_, mark)| *mark).fold(1.0, f64::min)
        }
    } else {
        NEUTRAL_SCORE
    };

    HealthReport {
        dials_7d: u32::try_from(current.dials).unwrap_or(u32::MAX),
        judged,
        connect_rate_7d,
        connect_rate_prev_7d,
        wow_change,
        short_call_share_7d,
        calls_per_day_7d: current.dials as f64 / 7.0,
        peak_day_dials_7d: current.peak,
        score: score.clamp(0.0, 1.0),
        flags,
    }
}

/// The number's state after today's report: a flagged active number rests for the cool-down;
/// a rested number returns once the cool-down is over, whatever the report says, because
/// while resting it has no fresh calls to be judged on.
pub fn next_state(current: NumberState, report: &HealthReport, today: NaiveDate, policy: &HealthPolicy) -> NumberState {
    match current {
        NumberState::Active if !report.flags.is_empty() => NumberState::Rested {
            since: today,
            until: today.checked_add_days(Days::new(u64::from(policy.cool_down_days))).unwrap_or(NaiveDate::MAX),
        },
        NumberState::Rested { until, .. } if today >= until => NumberState::Active,
        unchanged => unchanged,
    }
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 { 0.0 } else { part as f64 / whole as f64 }
}

/// How well `x` clears the `floor`: 0 at zero, ½ at the floor, 1 at twice the floor.
fn over(x: f64, floor: f64) -> f64 {
    if floor <= 0.0 {
        return 1.0;
    }
    (x / (2.0 * floor)).clamp(0.0, 1.0)
}

/// How well `x` stays under `limit`: 1 at zero, ½ at the limit, 0 at twice the limit. Half
/// marks at the limit keep a number that barely passes ranked below one well clear of it.
fn under(x: f64, limit: f64) -> f64 {
    if limit <= 0.0 {
        return if x <= 0.0 { 1.0 } else { 0.0 };
    }
    (1.0 - x / (2.0 * limit)).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, m, d).unwrap()
    }

    /// `n` identical days ending on `last`.
    fn days(last: NaiveDate, n: u64, dials: u32, connects: u32, short_calls: u32) -> Vec<DayStats> {
        (0..n).map(|i| DayStats { date: last - Days::new(i), dials, connects, short_calls }).collect()
    }

    fn report(stats: &[DayStats]) -> HealthReport {
        assess(stats, day(3, 14), &HealthPolicy::default())
    }

    #[test]
    fn a_healthy_number_has_no_flags_and_outscores_a_weaker_one() {
        let strong = report(&days(day(3, 14), 7, 60, 18, 1));
        assert_eq!(strong.flags, []);
        assert!(strong.judged);
        assert_eq!(strong.dials_7d, 420);
        assert!((strong.connect_rate_7d - 0.3).abs() < 1e-9);
        assert!(strong.score > 0.8, "{}", strong.score);

        let weaker = report(&days(day(3, 14), 7, 60, 7, 1));
        assert_eq!(weaker.flags, []);
        assert!(weaker.score < strong.score);
    }

    #[test]
    fn too_few_dials_are_not_judged() {
        // 35 dials this week without a single connect, and an old busy fortnight out of range.
        let mut stats = days(day(3, 14), 7, 5, 0, 0);
        stats.extend(days(day(2, 28), 7, 300, 0, 0));
        stats.push(DayStats { date: day(3, 15), dials: 500, connects: 0, short_calls: 0 });
        let r = report(&stats);
        assert!(!r.judged);
        assert_eq!(r.dials_7d, 35);
        assert_eq!(r.flags, []);
        assert_eq!(r.score, NEUTRAL_SCORE);
    }

    #[test]
    fn a_low_connect_rate_is_flagged() {
        let r = report(&days(day(3, 14), 7, 60, 3, 0));
        assert_eq!(r.flags, [HealthFlag::LowConnectRate]);
        assert!(r.score < NEUTRAL_SCORE, "{}", r.score);
    }

    #[test]
    fn many_short_calls_are_flagged() {
        let r = report(&days(day(3, 14), 7, 60, 15, 8));
        assert!((r.short_call_share_7d - 8.0 / 15.0).abs() < 1e-9);
        assert_eq!(r.flags, [HealthFlag::ManyShortCalls]);
    }

    #[test]
    fn one_day_over_the_daily_volume_is_flagged() {
        let mut stats = days(day(3, 13), 6, 60, 15, 0);
        stats.push(DayStats { date: day(3, 14), dials: 150, connects: 38, short_calls: 0 });
        let r = report(&stats);
        assert_eq!(r.peak_day_dials_7d, 150);
        assert!((r.calls_per_day_7d - 510.0 / 7.0).abs() < 1e-9);
        assert_eq!(r.flags, [HealthFlag::OverDailyVolume]);
    }

    #[test]
    fn a_falling_connect_rate_is_flagged_week_over_week() {
        // 25 % last week, 15 % this week: still above the 10 % floor, but down 40 %.
        let mut stats = days(day(3, 7), 7, 60, 15, 0);
        stats.extend(days(day(3, 14), 7, 60, 9, 0));
        let r = report(&stats);
        assert_eq!(r.connect_rate_prev_7d, Some(0.25));
        assert!((r.wow_change.unwrap() + 0.4).abs() < 1e-9);
        assert_eq!(r.flags, [HealthFlag::ConnectRateFalling]);

        // Down 20 % is within the policy.
        let mut mild = days(day(3, 7), 7, 60, 15, 0);
        mild.extend(days(day(3, 14), 7, 60, 12, 0));
        assert_eq!(report(&mild).flags, []);

        // A thin previous week gives no trend at all.
        let mut thin = days(day(3, 7), 2, 10, 5, 0);
        thin.extend(days(day(3, 14), 7, 60, 9, 0));
        let r = report(&thin);
        assert_eq!((r.connect_rate_prev_7d, r.wow_change), (None, None));
        assert_eq!(r.flags, []);
    }

    #[test]
    fn a_flagged_number_rests_for_the_cool_down_then_returns() {
        let policy = HealthPolicy::default();
        let bad = days(day(3, 14), 7, 60, 3, 0);
        let flagged = assess(&bad, day(3, 14), &policy);
        let clean = assess(&days(day(3, 14), 7, 60, 18, 0), day(3, 14), &policy);
        assert_eq!(next_state(NumberState::Active, &clean, day(3, 14), &policy), NumberState::Active);

        let rested = next_state(NumberState::Active, &flagged, day(3, 14), &policy);
        assert_eq!(rested, NumberState::Rested { since: day(3, 14), until: day(3, 28) });
        assert!(rested.rests_on(day(3, 27)) && !rested.rests_on(day(3, 28)));

        // No calls while resting: the daily reports are unjudged, the rest runs its course.
        let quiet = assess(&bad, day(3, 21), &policy);
        assert!(!quiet.judged);
        assert_eq!(next_state(rested, &quiet, day(3, 21), &policy), rested);
        assert_eq!(next_state(rested, &flagged, day(3, 27), &policy), rested);
        assert_eq!(next_state(rested, &assess(&bad, day(3, 28), &policy), day(3, 28), &policy), NumberState::Active);
        // The cool-down is over even if a stale report still carries flags.
        assert_eq!(next_state(rested, &flagged, day(3, 28), &policy), NumberState::Active);
    }
}
