//! COMPLIANCE.md §8 cases 29–32: DNC scrubs, opt-outs, reassigned numbers, consent.

use chrono::{NaiveDate, TimeDelta};

use super::*;

const NY: &str = "+12125550100";

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_else(|| panic!("bad date"))
}

#[test]
fn case_29_registry_copy_age_and_area_code_subscription() {
    let mut input = marketing_call(NY, at("2026-06-02T00:00:00Z"));
    input.dnc.national.copy_obtained_at = Some(at("2026-06-01T12:00:00Z"));
    assert_allow(&evaluate(&input, &rules(), at("2026-07-02T16:00:00Z")));
    let stale = evaluate(&input, &rules(), at("2026-07-03T16:00:00Z"));
    assert_block(&stale, &["DNC_STALE_REGISTRY"]);
    assert_eq!(stale.next_allowed_at, None, "waiting never refreshes a registry copy");

    input.dnc.national.copy_obtained_at = Some(at("2026-07-01T12:00:00Z"));
    input.dnc.area_code_subscribed = false;
    assert_block(&evaluate(&input, &rules(), at("2026-07-02T16:00:00Z")), &["DNC_AREA_CODE_NOT_SUBSCRIBED"]);

    let mut never = marketing_call(NY, at("2026-07-02T16:00:00Z"));
    never.dnc.national.copy_obtained_at = None;
    assert_block(&evaluate(&never, &rules(), at("2026-07-02T16:00:00Z")), &["DNC_STALE_REGISTRY"]);
}

#[test]
fn national_registry_exemptions_written_consent_and_ebr() {
    let now = at("2026-07-15T16:00:00Z");
    let mut input = marketing_call(NY, now);
    input.dnc.national.listed = true;
    assert_block(&evaluate(&input, &rules(), now), &["DNC_NATIONAL"]);
    input.ebr = Some(EstablishedBusinessRelationship { kind: EbrKind::Purchase, at: at("2025-09-15T00:00:00Z") });
    assert_allow(&evaluate(&input, &rules(), now));
    input.ebr = Some(EstablishedBusinessRelationship { kind: EbrKind::Purchase, at: at("2024-12-15T00:00:00Z") });
    assert_block(&evaluate(&input, &rules(), now), &["DNC_NATIONAL"]);
    input.ebr = Some(EstablishedBusinessRelationship { kind: EbrKind::Inquiry, at: at("2026-03-15T00:00:00Z") });
    assert_block(&evaluate(&input, &rules(), now), &["DNC_NATIONAL"]);
    input.consents.push(consent(NY, ConsentLevel::PriorExpressWritten, &[Channel::Voice], at("2026-01-01T00:00:00Z")));
    assert_allow(&evaluate(&input, &rules(), now));
    // Registries bind telemarketing only.
    let mut info = marketing_call(NY, now);
    info.dnc.national.listed = true;
    info.purpose = Purpose::Informational;
    assert_allow(&evaluate(&info, &rules(), now));
}

#[test]
fn internal_dnc_beats_consent_and_every_purpose() {
    let now = at("2026-07-15T16:00:00Z");
    for purpose in [Purpose::Marketing, Purpose::Informational, Purpose::Collection] {
        let mut input = marketing_call(NY, now);
        input.purpose = purpose;
        input.dnc.internal = true;
        input.consents.push(consent(
            NY,
            ConsentLevel::PriorExpressWritten,
            &[Channel::Voice],
            at("2026-01-01T00:00:00Z"),
        ));
        assert_block(&evaluate(&input, &rules(), now), &["DNC_INTERNAL"]);
    }
}

#[test]
fn state_dnc_list_membership_and_missing_scrub() {
    let now = at("2026-07-15T16:00:00Z");
    let mut input = marketing_call("+13055550100", now);
    for s in &mut input.dnc.state_lists {
        if s.state == st("FL") {
            s.scrub.listed = true;
        }
    }
    let d = evaluate(&input, &rules(), now);
    assert_block(&d, &["DNC_STATE"]);
    assert_eq!(d.reasons[0].state, Some(st("FL")));
    input.dnc.state_lists.retain(|s| s.state != st("FL"));
    assert_block(&evaluate(&input, &rules(), now), &["DNC_STALE_REGISTRY"]);
    // New York keeps no list of its own: nothing to scrub.
    let mut ny = marketing_call(NY, now);
    ny.dnc.state_lists.clear();
    assert_allow(&evaluate(&ny, &rules(), now));
}

#[test]
fn case_30_stop_is_honored_immediately_and_deadline_counts_business_days() {
    let friday = at("2026-07-17T18:00:00Z");
    let mut input = marketing_call(NY, friday);
    input.opt_outs.push(OptOutRecord {
        address: "+1 (212) 555-0100".into(),
        channel: Channel::Sms,
        received_at: friday,
    });
    let saturday = at("2026-07-18T16:00:00Z");
    input.dnc = scrubbed(saturday);
    let d = evaluate(&input, &rules(), saturday);
    assert_block(&d, &["OPTED_OUT"]);
    assert_eq!(d.next_allowed_at, None);
    // Before the STOP arrived the call was fine.
    assert_allow(&evaluate(&input, &rules(), friday - TimeDelta::hours(1)));
    // The legal ceiling: 10 business days, skipping weekends and federal holidays.
    assert_eq!(add_business_days(date(2026, 7, 17), 10), date(2026, 7, 31));
    // July 4 2026 is a Saturday, observed Friday July 3.
    assert_eq!(add_business_days(date(2026, 6, 26), 10), date(2026, 7, 13));
}

#[test]
fn case_31_reassigned_number_invalidates_consent() {
    let now = at("2026-07-15T16:00:00Z");
    let mut input = marketing_call(NY, now);
    input.channel = Channel::Sms;
    input.consents.push(consent(NY, ConsentLevel::PriorExpressWritten, &[Channel::Sms], at("2025-05-01T00:00:00Z")));
    input.reassigned = ReassignedCheck::Disconnected { at: at("2025-09-10T00:00:00Z") };
    let d = evaluate(&input, &rules(), now);
    assert_block(&d, &["REASSIGNED_NUMBER"]);
    assert_eq!(d.next_allowed_at, None);

    input.reassigned = ReassignedCheck::NoData;
    let d = evaluate(&input, &rules(), now);
    assert_allow(&d);
    assert!(d.has_notice(NoticeCode::RndNoSafeHarbor), "no data = no safe harbor, flag");

    input.reassigned = ReassignedCheck::NotReassigned;
    let d = evaluate(&input, &rules(), now);
    assert_allow(&d);
    assert!(!d.has_notice(NoticeCode::RndNoSafeHarbor));
    // A consent given after the disconnection belongs to the new subscriber.
    input.reassigned = ReassignedCheck::Disconnected { at: at("2025-09-10T00:00:00Z") };
    input.consents.push(consent(NY, ConsentLevel::PriorExpressWritten, &[Channel::Sms], at("2025-10-01T00:00:00Z")));
    assert_allow(&evaluate(&input, &rules(), now));
}

#[test]
fn case_32_start_after_stop_re_opts_in() {
    let now = at("2026-07-15T16:00:00Z");
    let mut input = marketing_call(NY, now);
    input.channel = Channel::Sms;
    input.consents.push(consent(NY, ConsentLevel::PriorExpressWritten, &[Channel::Sms], at("2026-01-01T00:00:00Z")));
    input.opt_outs.push(OptOutRecord {
        address: NY.into(),
        channel: Channel::Sms,
        received_at: at("2026-07-01T00:00:00Z"),
    });
    // STOP also revokes the written consent it followed.
    assert_block(&evaluate(&input, &rules(), now), &["NO_CONSENT", "OPTED_OUT"]);
    input.consents.push(consent(NY, ConsentLevel::PriorExpressWritten, &[Channel::Sms], at("2026-07-02T00:00:00Z")));
    assert_allow(&evaluate(&input, &rules(), now));
}

#[test]
fn consent_required_by_purpose_mode_and_line() {
    let now = at("2026-07-15T16:00:00Z");
    let mut input = marketing_call(NY, now);
    input.dial_mode = DialMode::Automated;
    assert_block(&evaluate(&input, &rules(), now), &["NO_CONSENT"]);
    input.line_type = LineType::Landline;
    assert_allow(&evaluate(&input, &rules(), now));
    input.dial_mode = DialMode::Prerecorded;
    assert_block(&evaluate(&input, &rules(), now), &["NO_CONSENT"]);
    input.consents.push(consent(NY, ConsentLevel::PriorExpress, &[Channel::Voice], at("2026-01-01T00:00:00Z")));
    assert_block(&evaluate(&input, &rules(), now), &["NO_CONSENT"]);
    input.consents.push(consent(NY, ConsentLevel::PriorExpressWritten, &[Channel::Voice], at("2026-01-01T00:00:00Z")));
    assert_allow(&evaluate(&input, &rules(), now));
    // Revoked consent is no consent.
    input.consents.iter_mut().for_each(|c| c.revoked_at = Some(at("2026-07-01T00:00:00Z")));
    assert_block(&evaluate(&input, &rules(), now), &["NO_CONSENT"]);
}

#[test]
fn email_has_no_calling_hours_but_honors_unsubscribe() {
    let three_am = at("2026-07-15T07:00:00Z");
    let mut input = GateInput::new(Channel::Email, Purpose::Marketing, "Pat@Example.com");
    assert_allow(&evaluate(&input, &rules(), three_am));
    input.opt_outs.push(OptOutRecord {
        address: "pat@example.com".into(),
        channel: Channel::Email,
        received_at: at("2026-07-01T00:00:00Z"),
    });
    assert_block(&evaluate(&input, &rules(), three_am), &["OPTED_OUT"]);
    // An SMS STOP from another address does not unsubscribe email.
    input.opt_outs[0] =
        OptOutRecord { address: NY.into(), channel: Channel::Sms, received_at: at("2026-07-01T00:00:00Z") };
    assert_allow(&evaluate(&input, &rules(), three_am));
}

#[test]
fn invalid_destination_is_blocked() {
    let now = at("2026-07-15T16:00:00Z");
    for bad in ["", "not a number", "+1212"] {
        let d = evaluate(&marketing_call(bad, now), &rules(), now);
        assert_block(&d, &["INVALID_DESTINATION"]);
    }
}

#[test]
fn tenant_suppression_list_blocks_every_purpose_and_no_wait_lifts_it() {
    let now = at("2026-07-15T16:00:00Z");
    for purpose in [Purpose::Marketing, Purpose::Informational, Purpose::Collection] {
        let mut input = marketing_call(NY, now);
        input.purpose = purpose;
        input.dnc.suppression_lists.push("Known litigators".into());
        let d = evaluate(&input, &rules(), now);
        assert_block(&d, &["SUPPRESSION_LIST"]);
        assert_eq!(d.next_allowed_at, None);
    }
}
