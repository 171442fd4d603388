//! Holiday calendars as data: how a holiday's date is computed and how it is observed.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// How the date of a holiday is found in a given year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum HolidayRule {
    /// Same month and day every year (July 4).
    Fixed {
        /// 1–12.
        month: u32,
        /// 1–31.
        day: u32,
    },
    /// The nth weekday of a month (third Monday of January).
    NthWeekday {
        /// 1–12.
        month: u32,
        /// Day of week.
        weekday: Weekday,
        /// 1–5.
        nth: u8,
    },
    /// The last weekday of a month (last Monday of May).
    LastWeekday {
        /// 1–12.
        month: u32,
        /// Day of week.
        weekday: Weekday,
    },
    /// Days from Western Easter Sunday (Good Friday = -2, Mardi Gras = -47).
    EasterOffset {
        /// Signed offset in days.
        days: i64,
    },
    /// General election day: the Tuesday after the first Monday of November.
    ElectionDay,
    /// One specific date (tenant-added closures, one-off proclamations).
    Date {
        /// The date.
        date: NaiveDate,
    },
}

/// Which extra date is treated as the holiday when it falls on a weekend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Observance {
    /// Only the date itself.
    AsIs,
    /// Saturday is also observed on the Friday before, Sunday on the Monday after.
    SatFriSunMon,
    /// Sunday is also observed on the Monday after.
    SunMon,
}

/// A named holiday in a state's (or the federal) calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    /// Name for audit logs ("Pioneer Day").
    pub name: String,
    /// How its date is computed.
    pub rule: HolidayRule,
    /// How a weekend date is shifted.
    pub observance: Observance,
}

impl Holiday {
    /// Builds a holiday entry.
    pub fn new(name: &str, rule: HolidayRule, observance: Observance) -> Self {
        Self { name: name.to_string(), rule, observance }
    }

    /// The date in `year` and its observed date if different. Both are blocked: the
    /// statutes say "legal holiday" and a weekend holiday is legally both days in most
    /// states (COMPLIANCE.md §8 case 19: 2027-07-04 and Mon 2027-07-05).
    pub fn dates_in(&self, year: i32) -> Vec<NaiveDate> {
        let Some(actual) = self.rule.date_in(year) else {
            return Vec::new();
        };
        let shifted = match (self.observance, actual.weekday()) {
            (Observance::SatFriSunMon, Weekday::Sat) => actual.pred_opt(),
            (Observance::SatFriSunMon | Observance::SunMon, Weekday::Sun) => actual.succ_opt(),
            _ => None,
        };
        std::iter::once(actual).chain(shifted).collect()
    }
}

impl HolidayRule {
    /// The holiday's date in `year`, or `None` if the rule names no such day.
    pub fn date_in(&self, year: i32) -> Option<NaiveDate> {
        match *self {
            Self::Fixed { month, day } => NaiveDate::from_ymd_opt(year, month, day),
            Self::NthWeekday { month, weekday, nth } => NaiveDate::from_weekday_of_month_opt(year, month, weekday, nth),
            Self::LastWeekday { month, weekday } => {
                let first_next = if month == 12 {
                    NaiveDate::from_ymd_opt(year + 1, 1, 1)?
                } else {
                    NaiveDate::from_ymd_opt(year, month + 1, 1)?
                };
                let last = first_next.pred_opt()?;
                let back = (7 + last.weekday().num_days_from_monday() - weekday.num_days_from_monday()) % 7;
                last.checked_sub_days(Days::new(u64::from(back)))
            }
            Self::EasterOffset { days } => {
                let easter = easter_sunday(year)?;
                if days >= 0 {
                    easter.checked_add_days(Days::new(days.unsigned_abs()))
                } else {
                    easter.checked_sub_days(Days::new(days.unsigned_abs()))
                }
            }
            Self::ElectionDay => {
                let first_monday = NaiveDate::from_weekday_of_month_opt(year, 11, Weekday::Mon, 1)?;
                first_monday.succ_opt()
            }
            Self::Date { date } => (date.year() == year).then_some(date),
        }
    }
}

/// Western (Gregorian) Easter Sunday, anonymous Gregorian algorithm.
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// The holiday of `calendar` falling on `date` (actual or observed), if any.
pub fn holiday_on(calendar: &[Holiday], date: NaiveDate) -> Option<&Holiday> {
    // A Saturday January 1 is observed on December 31 of the year before.
    calendar.iter().find(|h| (date.year() - 1..=date.year() + 1).any(|y| h.dates_in(y).contains(&date)))
}

/// Federal legal public holidays, 5 U.S.C. 6103(a), observed Sat→Fri / Sun→Mon
/// (Executive Order 11582). Used for business-day deadlines (10 business days to honor a
/// do-not-call or revocation request, COMPLIANCE.md F10/F13).
pub fn federal_holidays() -> Vec<Holiday> {
    use HolidayRule::*;
    use Observance::SatFriSunMon as Obs;
    vec![
        Holiday::new("New Year's Day", Fixed { month: 1, day: 1 }, Obs),
        Holiday::new("Birthday of Martin Luther King, Jr.", nth(1, Weekday::Mon, 3), Obs),
        Holiday::new("Washington's Birthday", nth(2, Weekday::Mon, 3), Obs),
        Holiday::new("Memorial Day", LastWeekday { month: 5, weekday: Weekday::Mon }, Obs),
        Holiday::new("Juneteenth", Fixed { month: 6, day: 19 }, Obs),
        Holiday::new("Independence Day", Fixed { month: 7, day: 4 }, Obs),
        Holiday::new("Labor Day", nth(9, Weekday::Mon, 1), Obs),
        Holiday::new("Columbus Day", nth(10, Weekday::Mon, 2), Obs),
        Holiday::new("Veterans Day", Fixed { month: 11, day: 11 }, Obs),
        Holiday::new("Thanksgiving Day", nth(11, Weekday::Thu, 4), Obs),
        Holiday::new("Christmas Day", Fixed { month: 12, day: 25 }, Obs),
    ]
}

/// Shorthand for [`HolidayRule::NthWeekday`].
pub fn nth(month: u32, weekday: Weekday, nth: u8) -> HolidayRule {
    HolidayRule::NthWeekday { month, weekday, nth }
}

/// The date `business_days` business days after `start` (weekends and federal holidays
/// skipped). The deadline for honoring an opt-out received on `start`.
pub fn add_business_days(start: NaiveDate, business_days: u32) -> NaiveDate {
    let federal = federal_holidays();
    let mut date = start;
    let mut left = business_days;
    while left > 0 {
        let Some(next) = date.succ_opt() else {
            return date;
        };
        date = next;
        let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
        // Only observed (weekday) dates matter here; weekend dates are already skipped.
        if !weekend && holiday_on(&federal, date).is_none() {
            left -= 1;
        }
    }
    date
}
