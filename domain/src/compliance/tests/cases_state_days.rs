//! COMPLIANCE.md §8 cases 17–22: state weekday, Sunday, holiday and emergency rules.

use super::*;

fn call(phone: &str, when: &str) -> Decision {
    evaluate(&marketing_call(phone, at(when)), &rules(), at(when))
}

fn text(phone: &str, when: &str) -> Decision {
    let now = at(when);
    let mut input = marketing_call(phone, now);
    input.channel = Channel::Sms;
    input.consents.push(consent(phone, ConsentLevel::PriorExpressWritten, &[Channel::Sms], at("2025-01-01T00:00:00Z")));
    evaluate(&input, &rules(), now)
}

#[test]
fn case_17_texas_sunday_noon_weekday_nine_and_texts_from_sb140() {
    let dallas = "+12145550100";
    assert_block(&call(dallas, "2026-03-15T16:59:00Z"), &["CALLING_HOURS"]);
    assert_allow(&call(dallas, "2026-03-15T17:00:00Z"));
    let weekday = call(dallas, "2026-03-16T13:30:00Z");
    assert_block(&weekday, &["CALLING_HOURS"]);
    assert_eq!(weekday.reasons[0].state, Some(st("TX")));
    assert_eq!(weekday.next_allowed_at, Some(at("2026-03-16T14:00:00Z")));
    assert_allow(&call(dallas, "2026-03-16T14:00:00Z"));
    // Sunday 11:00 CDT: texts were not bound by Texas hours before 2025-09-01.
    assert_allow(&text(dallas, "2025-08-31T16:00:00Z"));
    let after = text(dallas, "2025-09-07T16:00:00Z");
    assert_block(&after, &["CALLING_HOURS"]);
    assert_eq!(after.next_allowed_at, Some(at("2025-09-07T17:00:00Z")));
}

#[test]
fn case_18_utah_pioneer_day_and_sunday_unless_consented() {
    let slc = "+18015550100";
    let pioneer = "2026-07-24T18:00:00Z";
    let d = call(slc, pioneer);
    assert_block(&d, &["HOLIDAY"]);
    assert!(d.reasons[0].detail.contains("Pioneer Day"));
    assert_eq!(d.next_allowed_at, Some(at("2026-07-25T14:00:00Z")), "Saturday 08:00 MDT");

    let mut consented = marketing_call(slc, at(pioneer));
    consented.consents.push(consent(slc, ConsentLevel::PriorExpress, &[Channel::Voice], at("2026-01-01T00:00:00Z")));
    assert_allow(&evaluate(&consented, &rules(), at(pioneer)));

    let sunday = "2026-07-26T18:00:00Z";
    assert_block(&call(slc, sunday), &["STATE_DAY_BAN"]);
    consented.dnc = scrubbed(at(sunday));
    assert_allow(&evaluate(&consented, &rules(), at(sunday)));
    // A consent for another number does not lift the ban.
    consented.consents[0].address = "+18015550199".into();
    assert_block(&evaluate(&consented, &rules(), at(sunday)), &["STATE_DAY_BAN"]);
}

#[test]
fn case_19_alabama_sundays_holidays_observance_and_exclusive_end() {
    let bham = "+12055550100";
    assert_block(&call(bham, "2026-07-19T17:00:00Z"), &["STATE_DAY_BAN"]);
    assert_block(&call(bham, "2026-12-25T18:00:00Z"), &["HOLIDAY"]);
    // 2027-07-04 is a Sunday, observed Monday 2027-07-05: both closed.
    assert_block(&call(bham, "2027-07-04T17:00:00Z"), &["HOLIDAY"]);
    let observed = call(bham, "2027-07-05T17:00:00Z");
    assert_block(&observed, &["HOLIDAY"]);
    assert_eq!(observed.next_allowed_at, Some(at("2027-07-06T13:00:00Z")));
    assert_allow(&call(bham, "2027-07-06T17:00:00Z"));
    // Saturday 2026-07-18: 20:00 CDT is outside (exclusive end), 19:59 inside.
    assert_block(&call(bham, "2026-07-19T01:00:00Z"), &["CALLING_HOURS"]);
    assert_allow(&call(bham, "2026-07-19T00:59:00Z"));
}

#[test]
fn case_20_rhode_island_holidays_saturday_and_weekday_hours() {
    let prov = "+14015550100";
    assert_block(&call(prov, "2026-09-07T16:00:00Z"), &["HOLIDAY"]);
    // Saturday 2026-09-12: 10:00–17:00.
    assert_block(&call(prov, "2026-09-12T21:00:00Z"), &["CALLING_HOURS"]);
    assert_allow(&call(prov, "2026-09-12T20:59:00Z"));
    assert_block(&call(prov, "2026-09-12T13:30:00Z"), &["CALLING_HOURS"]);
    // Wednesday 2026-09-09: 09:00–18:00.
    assert_block(&call(prov, "2026-09-09T22:00:00Z"), &["CALLING_HOURS"]);
    assert_allow(&call(prov, "2026-09-09T21:59:00Z"));
    assert_block(&call(prov, "2026-09-13T16:00:00Z"), &["STATE_DAY_BAN"]);
    // Rhode Island Independence Day, May 4 2026 (Monday).
    assert_block(&call(prov, "2026-05-04T16:00:00Z"), &["HOLIDAY"]);
}

#[test]
fn case_21_mississippi_standard_time_sunday_and_no_holidays() {
    let jackson = "+16015550100";
    // Summer: 08:30 CDT is 07:30 CST, outside the literal "Central Standard Time" window.
    let early = call(jackson, "2026-07-15T13:30:00Z");
    assert_block(&early, &["CALLING_HOURS"]);
    assert_eq!(early.reasons[0].state, Some(st("MS")));
    assert_eq!(early.next_allowed_at, Some(at("2026-07-15T14:00:00Z")), "09:00 CDT");
    assert_allow(&call(jackson, "2026-07-15T14:00:00Z"));
    assert_allow(&call(jackson, "2026-07-16T00:59:00Z"));
    assert_block(&call(jackson, "2026-07-16T01:00:00Z"), &["CALLING_HOURS"]);
    // Winter: 08:00 CST opens.
    assert_allow(&call(jackson, "2026-01-15T14:00:00Z"));
    assert_block(&call(jackson, "2026-07-19T17:00:00Z"), &["STATE_DAY_BAN"]);
    // Christmas 2026 is a Friday: no holiday restriction in Mississippi any more.
    assert_allow(&call(jackson, "2026-12-25T18:00:00Z"));
}

#[test]
fn case_22_pennsylvania_holiday_and_louisiana_emergency() {
    // July 4 2026 is a Saturday, normally open 08:00–21:00 in Pennsylvania.
    assert_block(&call("+12155550100", "2026-07-04T16:00:00Z"), &["HOLIDAY"]);
    assert_allow(&call("+12155550100", "2026-07-11T16:00:00Z"));

    let when = at("2026-07-15T17:00:00Z");
    let nola = "+15045550100";
    let mut emergency = rules();
    emergency.emergency_bans.insert(st("LA"));
    let mut consented = marketing_call(nola, when);
    consented.consents.push(consent(
        nola,
        ConsentLevel::PriorExpressWritten,
        &[Channel::Voice, Channel::Sms],
        at("2026-01-01T00:00:00Z"),
    ));
    let d = evaluate(&consented, &emergency, when);
    assert_block(&d, &["EMERGENCY_BAN"]);
    assert_eq!(d.next_allowed_at, None, "only clearing the emergency lifts it");
    let collection = GateInput::new(Channel::Voice, Purpose::Collection, nola);
    assert_block(&evaluate(&collection, &emergency, when), &["EMERGENCY_BAN"]);
    // A Louisiana ZIP puts a Texas number under the ban too.
    let tx = with_zip(marketing_call("+12145550100", when), "70112");
    assert_block(&evaluate(&tx, &emergency, when), &["EMERGENCY_BAN"]);
    // Cleared.
    assert_allow(&evaluate(&consented, &rules(), when));
}
