//! Holiday calendars of the states that close on holidays (COMPLIANCE.md §2 "Holiday
//! calendars"). Shipped as data a tenant can extend (`TenantOverrides::extra_holidays`).
//! Both the actual date and the observed weekday are closed.

use chrono::Weekday::{Mon, Thu};

use super::holidays::{Holiday, HolidayRule, HolidayRule::*, Observance, nth};

fn fixed(month: u32, day: u32) -> HolidayRule {
    Fixed { month, day }
}

fn last_mon(month: u32) -> HolidayRule {
    LastWeekday { month, weekday: Mon }
}

/// Alabama state holidays, Ala. Code 1-3-8, observed Sat→Fri / Sun→Mon (as COMPLIANCE.md
/// §2 reports). Mardi Gras is a holiday only in Baldwin and Mobile counties; it is kept
/// statewide because the gate does not know the county.
pub fn alabama() -> Vec<Holiday> {
    let o = Observance::SatFriSunMon;
    vec![
        Holiday::new("New Year's Day", fixed(1, 1), o),
        Holiday::new("Robert E. Lee / Martin Luther King Jr. Birthday", nth(1, Mon, 3), o),
        Holiday::new("George Washington / Thomas Jefferson Birthday", nth(2, Mon, 3), o),
        Holiday::new("Mardi Gras (Baldwin and Mobile counties)", EasterOffset { days: -47 }, o),
        Holiday::new("Confederate Memorial Day", nth(4, Mon, 4), o),
        Holiday::new("National Memorial Day", last_mon(5), o),
        Holiday::new("Jefferson Davis' Birthday", nth(6, Mon, 1), o),
        Holiday::new("Independence Day", fixed(7, 4), o),
        Holiday::new("Labor Day", nth(9, Mon, 1), o),
        Holiday::new("Columbus Day / American Indian Heritage Day", nth(10, Mon, 2), o),
        Holiday::new("Veterans' Day", fixed(11, 11), o),
        Holiday::new("Thanksgiving Day", nth(11, Thu, 4), o),
        Holiday::new("Christmas Day", fixed(12, 25), o),
    ]
}

/// Louisiana holidays for LPSC General Order R-29617. [U]: the LPSC-designated list was not
/// read; this is the state's legal-holiday list (La. R.S. 1:55) including the Battle of New
/// Orleans (Jan 8) and Mardi Gras, which COMPLIANCE.md §2 names. Verify before relying on it.
pub fn louisiana() -> Vec<Holiday> {
    let o = Observance::SatFriSunMon;
    vec![
        Holiday::new("New Year's Day", fixed(1, 1), o),
        Holiday::new("Battle of New Orleans", fixed(1, 8), Observance::AsIs),
        Holiday::new("Martin Luther King Jr. Day", nth(1, Mon, 3), o),
        Holiday::new("Mardi Gras", EasterOffset { days: -47 }, Observance::AsIs),
        Holiday::new("Good Friday", EasterOffset { days: -2 }, Observance::AsIs),
        Holiday::new("Memorial Day", last_mon(5), o),
        Holiday::new("Independence Day", fixed(7, 4), o),
        Holiday::new("Labor Day", nth(9, Mon, 1), o),
        Holiday::new("Veterans Day", fixed(11, 11), o),
        Holiday::new("Thanksgiving Day", nth(11, Thu, 4), o),
        Holiday::new("Christmas Day", fixed(12, 25), o),
    ]
}

/// Pennsylvania legal holidays for 73 P.S. 2245(a)(10) (holiday ban since 2019-12-03).
/// [U]: list per the state's legal-holiday statute as remembered (44 P.S. 11), including
/// Good Friday, Flag Day and general Election Day; verify.
pub fn pennsylvania() -> Vec<Holiday> {
    let o = Observance::SunMon;
    vec![
        Holiday::new("New Year's Day", fixed(1, 1), o),
        Holiday::new("Martin Luther King Jr. Day", nth(1, Mon, 3), o),
        Holiday::new("Presidents' Day", nth(2, Mon, 3), o),
        Holiday::new("Good Friday", EasterOffset { days: -2 }, Observance::AsIs),
        Holiday::new("Memorial Day", last_mon(5), o),
        Holiday::new("Flag Day", fixed(6, 14), o),
        Holiday::new("Juneteenth", fixed(6, 19), o),
        Holiday::new("Independence Day", fixed(7, 4), o),
        Holiday::new("Labor Day", nth(9, Mon, 1), o),
        Holiday::new("Columbus Day", nth(10, Mon, 2), o),
        Holiday::new("Election Day", ElectionDay, Observance::AsIs),
        Holiday::new("Veterans Day", fixed(11, 11), o),
        Holiday::new("Thanksgiving Day", nth(11, Thu, 4), o),
        Holiday::new("Christmas Day", fixed(12, 25), o),
    ]
}

/// Rhode Island: "not on state/federal holidays" (R.I. Gen. Laws 5-61-3.6), so the union of
/// the state holidays (incl. Independence Day May 4 and Victory Day, second Monday of
/// August, named in COMPLIANCE.md §2) and the federal list.
pub fn rhode_island() -> Vec<Holiday> {
    let o = Observance::SatFriSunMon;
    vec![
        Holiday::new("New Year's Day", fixed(1, 1), o),
        Holiday::new("Martin Luther King Jr. Day", nth(1, Mon, 3), o),
        Holiday::new("Washington's Birthday", nth(2, Mon, 3), o),
        Holiday::new("Rhode Island Independence Day", fixed(5, 4), Observance::AsIs),
        Holiday::new("Memorial Day", last_mon(5), o),
        Holiday::new("Juneteenth", fixed(6, 19), o),
        Holiday::new("Independence Day", fixed(7, 4), o),
        Holiday::new("Victory Day", nth(8, Mon, 2), o),
        Holiday::new("Labor Day", nth(9, Mon, 1), o),
        Holiday::new("Columbus Day / Indigenous Peoples' Day", nth(10, Mon, 2), o),
        Holiday::new("Veterans Day", fixed(11, 11), o),
        Holiday::new("Thanksgiving Day", nth(11, Thu, 4), o),
        Holiday::new("Christmas Day", fixed(12, 25), o),
    ]
}

/// Utah legal holidays (Utah Code 63G-1-301), including Pioneer Day (July 24), for the
/// holiday ban of Utah Code 13-25a-103(3). Observed Sat→Fri / Sun→Mon.
pub fn utah() -> Vec<Holiday> {
    let o = Observance::SatFriSunMon;
    vec![
        Holiday::new("New Year's Day", fixed(1, 1), o),
        Holiday::new("Martin Luther King Jr. Day", nth(1, Mon, 3), o),
        Holiday::new("Washington and Lincoln Day", nth(2, Mon, 3), o),
        Holiday::new("Memorial Day", last_mon(5), o),
        Holiday::new("Juneteenth National Freedom Day", fixed(6, 19), o),
        Holiday::new("Independence Day", fixed(7, 4), o),
        Holiday::new("Pioneer Day", fixed(7, 24), o),
        Holiday::new("Labor Day", nth(9, Mon, 1), o),
        Holiday::new("Columbus Day", nth(10, Mon, 2), o),
        Holiday::new("Veterans Day", fixed(11, 11), o),
        Holiday::new("Thanksgiving Day", nth(11, Thu, 4), o),
        Holiday::new("Christmas Day", fixed(12, 25), o),
    ]
}

/// Nebraska holidays for the prerecorded-message rule (Neb. Admin. Code tit. 291 ch. 11
/// §3, [U]): the federal list plus Arbor Day (last Friday of April), as remembered. Verify.
pub fn nebraska() -> Vec<Holiday> {
    let mut list = super::holidays::federal_holidays();
    list.push(Holiday::new("Arbor Day", LastWeekday { month: 4, weekday: chrono::Weekday::Fri }, Observance::AsIs));
    list
}
