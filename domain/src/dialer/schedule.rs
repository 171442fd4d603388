//! A campaign's dialing schedule: the days and hours it dials, in a named IANA zone. The
//! schedule only narrows dialing: every dial still passes the compliance gate, which applies
//! the called party's own local windows.

use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::SettingError;

/// Days and hours, as a supervisor sets them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    /// The IANA zone the hours are read in, e.g. `America/New_York`.
    pub timezone: String,
    /// The days it dials: `mon` … `sun`.
    pub days: Vec<String>,
    /// Opening time, `HH:MM` (inclusive).
    pub start: String,
    /// Closing time, `HH:MM` (exclusive), after `start` on the same day.
    pub end: String,
}

const DAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
];

fn bad(problem: impl Into<String>) -> SettingError {
    SettingError { field: "schedule", problem: problem.into() }
}

fn time(raw: &str, which: &str) -> Result<NaiveTime, SettingError> {
    NaiveTime::parse_from_str(raw.trim(), "%H:%M")
        .map_err(|_| bad(format!("{which} must be HH:MM (24 h), got {raw:?}")))
}

/// A schedule checked and ready to answer "open now?".
#[derive(Debug, Clone)]
pub struct Hours {
    zone: Tz,
    days: Vec<Weekday>,
    start: NaiveTime,
    end: NaiveTime,
}

impl Schedule {
    /// Checks the schedule and returns it in usable form.
    pub fn hours(&self) -> Result<Hours, SettingError> {
        let zone: Tz =
            self.timezone.trim().parse().map_err(|_| {
                bad(format!("timezone {:?} is not an IANA zone (e.g. America/New_York)", self.timezone))
            })?;
        if self.days.is_empty() {
            return Err(bad("days must name at least one day (mon … sun)"));
        }
        let mut days = Vec::new();
        for d in &self.days {
            let key = d.trim().to_ascii_lowercase();
            let Some((_, day)) = DAYS.iter().find(|(name, _)| *name == key) else {
                return Err(bad(format!("day {d:?} is not one of mon, tue, wed, thu, fri, sat, sun")));
            };
            if !days.contains(day) {
                days.push(*day);
            }
        }
        let (start, end) = (time(&self.start, "start")?, time(&self.end, "end")?);
        if end <= start {
            return Err(bad("end must be after start on the same day"));
        }
        Ok(Hours { zone, days, start, end })
    }
}

impl Hours {
    /// Whether the campaign may dial at `at`.
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        let local = at.with_timezone(&self.zone);
        self.days.contains(&local.weekday()) && local.time() >= self.start && local.time() < self.end
    }

    /// The next instant the schedule opens at or after `at` (`at` itself when open).
    pub fn next_open(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        if self.is_open(at) {
            return at;
        }
        let today = at.with_timezone(&self.zone).date_naive();
        for offset in 0..=7 {
            let day = today + Duration::days(offset);
            if !self.days.contains(&day.weekday()) {
                continue;
            }
            // A start inside a spring-forward gap opens at the first valid minute after it.
            let mut t = day.and_time(self.start);
            let opens = loop {
                if let Some(x) = self.zone.from_local_datetime(&t).earliest() {
                    break x.with_timezone(&Utc);
                }
                t += Duration::minutes(1);
            };
            if opens > at {
                return opens;
            }
        }
        // Unreachable with at least one day, kept total.
        at + Duration::days(7)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sched(days: &[&str], start: &str, end: &str) -> Schedule {
        Schedule {
            timezone: "America/New_York".into(),
            days: days.iter().map(|d| (*d).to_owned()).collect(),
            start: start.into(),
            end: end.into(),
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn open_on_its_days_and_hours_in_its_zone() {
        let h = sched(&["mon", "tue", "wed", "thu", "fri"], "09:00", "17:30").hours().unwrap();
        // Wednesday 2026-11-18: 09:00 EST is 14:00 UTC.
        assert!(!h.is_open(utc("2026-11-18T13:59:59Z")));
        assert!(h.is_open(utc("2026-11-18T14:00:00Z")));
        assert!(h.is_open(utc("2026-11-18T22:29:59Z")));
        assert!(!h.is_open(utc("2026-11-18T22:30:00Z")));
        // Saturday.
        assert!(!h.is_open(utc("2026-11-21T16:00:00Z")));
    }

    #[test]
    fn next_open_skips_closed_days_and_crosses_dst() {
        let h = sched(&["mon"], "09:00", "17:00").hours().unwrap();
        // Saturday 2026-11-21 → Monday 2026-11-23 09:00 EST.
        assert_eq!(h.next_open(utc("2026-11-21T16:00:00Z")), utc("2026-11-23T14:00:00Z"));
        // Open now: now.
        assert_eq!(h.next_open(utc("2026-11-23T15:00:00Z")), utc("2026-11-23T15:00:00Z"));
        // After closing on Monday: the next Monday.
        assert_eq!(h.next_open(utc("2026-11-23T22:00:00Z")), utc("2026-11-30T14:00:00Z"));
        // Across the spring change: Monday 2027-03-15 09:00 EDT is 13:00 UTC.
        assert_eq!(h.next_open(utc("2027-03-13T12:00:00Z")), utc("2027-03-15T13:00:00Z"));
    }

    #[test]
    fn bad_schedules_say_what_is_wrong() {
        let e = |s: Schedule| s.hours().unwrap_err().problem;
        assert!(e(sched(&[], "09:00", "17:00")).contains("at least one day"));
        assert!(e(sched(&["funday"], "09:00", "17:00")).contains("funday"));
        assert!(e(sched(&["mon"], "9am", "17:00")).contains("start must be HH:MM"));
        assert!(e(sched(&["mon"], "17:00", "09:00")).contains("end must be after start"));
        let mut s = sched(&["mon"], "09:00", "17:00");
        s.timezone = "EST+5".into();
        assert!(e(s).contains("IANA"));
    }
}
