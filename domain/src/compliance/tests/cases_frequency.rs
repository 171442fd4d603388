//! COMPLIANCE.md §8 cases 14–16 and 24–26: area-code presumptions and frequency caps.

use chrono::TimeDelta;

use super::*;

const FL: &str = "+13055550100";

fn marketing_attempt(when: DateTime<Utc>, phone: &str) -> AttemptRecord {
    attempt(when, phone, Purpose::Marketing, AttemptOutcome::NoAnswer)
}

fn collection_call(phone: &str, debt: &str, now: DateTime<Utc>) -> GateInput {
    GateInput { debt_id: Some(debt.to_string()), ..GateInput::new(Channel::Voice, Purpose::Collection, phone) }
        .with_now_scrub(now)
}

trait WithScrub {
    fn with_now_scrub(self, now: DateTime<Utc>) -> Self;
}

impl WithScrub for GateInput {
    fn with_now_scrub(mut self, now: DateTime<Utc>) -> Self {
        self.dnc = scrubbed(now);
        self
    }
}

fn debt_call(when: DateTime<Utc>, debt: &str, outcome: AttemptOutcome) -> AttemptRecord {
    AttemptRecord { debt_id: Some(debt.to_string()), ..attempt(when, "+12125550100", Purpose::Collection, outcome) }
}

#[test]
fn case_14_florida_area_code_presumption_with_georgia_zip() {
    let when = at("2026-07-16T00:30:00Z"); // 20:30 EDT
    let input = with_zip(marketing_call(FL, when), "30303");
    let d = evaluate(&input, &rules(), when);
    assert_block(&d, &["CALLING_HOURS"]);
    assert!(d.reasons.iter().all(|r| r.state == Some(st("FL"))));
    assert!(d.jurisdiction.by_area_code(st("FL")));
    assert!(d.jurisdiction.candidates.iter().any(|c| c.state == st("GA") && c.source == LocationSource::Zip));
    // The Florida 3/24h cap applies as well.
    let noon = at("2026-07-15T16:00:00Z");
    let mut capped = with_zip(marketing_call(FL, noon), "30303");
    capped.history = (1..=3).map(|h| marketing_attempt(noon - TimeDelta::hours(h), FL)).collect();
    assert_block(&evaluate(&capped, &rules(), noon), &["FREQUENCY_CAP"]);
}

#[test]
fn case_15_oklahoma_number_with_texas_zip_on_sunday() {
    let when = at("2026-03-15T16:30:00Z"); // Sunday 11:30 CDT
    let input = with_zip(marketing_call("+14055550100", when), "75201");
    let d = evaluate(&input, &rules(), when);
    assert_block(&d, &["CALLING_HOURS"]);
    assert_eq!(d.reasons[0].state, Some(st("TX")));
    assert_eq!(d.next_allowed_at, Some(at("2026-03-15T17:00:00Z")));
    let later = at("2026-03-15T18:00:00Z");
    let mut capped = with_zip(marketing_call("+14055550100", later), "75201");
    capped.history = (1..=3).map(|h| marketing_attempt(later - TimeDelta::hours(h), "+14055550100")).collect();
    let d = evaluate(&capped, &rules(), later);
    assert_block(&d, &["FREQUENCY_CAP"]);
    assert_eq!(d.reasons[0].state, Some(st("OK")));
}

#[test]
fn case_16_per_consumer_counter_counts_every_number() {
    let now = at("2026-07-15T16:00:00Z");
    let mut input = marketing_call(FL, now);
    input.history = vec![
        marketing_attempt(now - TimeDelta::hours(3), FL),
        marketing_attempt(now - TimeDelta::hours(2), "+12125550199"),
        marketing_attempt(now - TimeDelta::hours(1), FL),
    ];
    assert_block(&evaluate(&input, &rules(), now), &["FREQUENCY_CAP"]);
    input.history.remove(1);
    assert_allow(&evaluate(&input, &rules(), now));
}

#[test]
fn case_24_three_per_rolling_24_hours() {
    let t = at("2026-07-15T14:00:00Z"); // 10:00 EDT
    let mut input = marketing_call(FL, t);
    for k in 0..3 {
        let when = t + TimeDelta::hours(k);
        assert_allow(&evaluate(&input, &rules(), when));
        input.history.push(marketing_attempt(when, FL));
    }
    let fourth = t + TimeDelta::hours(23) + TimeDelta::minutes(59);
    let d = evaluate(&input, &rules(), fourth);
    assert_block(&d, &["FREQUENCY_CAP"]);
    assert_eq!(d.next_allowed_at, Some(t + TimeDelta::hours(24)), "rolling, not calendar day");
    assert_allow(&evaluate(&input, &rules(), t + TimeDelta::hours(24) + TimeDelta::seconds(1)));
    // A subject the tenant marked as different counts separately; unmarked ones don't.
    for a in &mut input.history {
        a.subject = Some("auto".into());
    }
    input.subject = Some("home".into());
    assert_allow(&evaluate(&input, &rules(), fourth));
    input.subject = None;
    assert_block(&evaluate(&input, &rules(), fourth), &["FREQUENCY_CAP"]);
}

#[test]
fn case_25_reg_f_seven_in_seven_per_debt() {
    // Day 1 = Monday 2026-07-13; calls at 10:00 EDT (14:00Z).
    let day = |n: i64, hour: i64| at("2026-07-13T14:00:00Z") + TimeDelta::days(n - 1) + TimeDelta::hours(hour);
    let mut input = collection_call("+12125550100", "debt_1", day(1, 0));
    let plan = [(1, 0), (1, 1), (2, 0), (3, 0), (4, 0), (5, 0), (6, 0)];
    for (n, h) in plan {
        let when = day(n, h);
        input.dnc = scrubbed(when);
        assert_allow(&evaluate(&input, &rules(), when));
        input.history.push(debt_call(when, "debt_1", AttemptOutcome::NoAnswer));
    }
    let eighth = evaluate(&input, &rules(), day(7, 0));
    assert_block(&eighth, &["REG_F_7_IN_7"]);
    // Day 8 drops day 1's two calls: allowed from local midnight, i.e. 08:00 EDT.
    assert_eq!(eighth.next_allowed_at, Some(at("2026-07-20T12:00:00Z")));

    // A busy signal did not connect: excluded.
    let mut busy = input.clone();
    busy.history[0].outcome = AttemptOutcome::Busy;
    assert_allow(&evaluate(&busy, &rules(), day(7, 0)));
    // Consumer-initiated calls are not counted.
    let mut inbound = input.clone();
    inbound.history[0].direction = Direction::Inbound;
    assert_allow(&evaluate(&inbound, &rules(), day(7, 0)));
    // A second debt has its own counter.
    let mut other = input.clone();
    other.debt_id = Some("debt_2".into());
    for a in &mut other.history {
        a.debt_id = Some("debt_1".into());
    }
    assert_allow(&evaluate(&other, &rules(), day(7, 0)));
    // Texts are not calls under the 7-in-7 presumption.
    let mut sms = input.clone();
    sms.channel = Channel::Sms;
    sms.consents.push(consent("+12125550100", ConsentLevel::PriorExpress, &[Channel::Sms], day(1, 0)));
    assert_allow(&evaluate(&sms, &rules(), day(7, 0)));
}

#[test]
fn case_25_reg_f_no_call_for_seven_days_after_conversation() {
    let monday = at("2026-07-13T14:00:00Z");
    let mut input = collection_call("+12125550100", "debt_1", monday);
    input.history.push(debt_call(monday, "debt_1", AttemptOutcome::Conversation));
    for n in 1..=6 {
        let when = monday + TimeDelta::days(n);
        input.dnc = scrubbed(when);
        let d = evaluate(&input, &rules(), when);
        assert_block(&d, &["REG_F_POST_CONVERSATION"]);
        assert_eq!(d.next_allowed_at, Some(at("2026-07-20T12:00:00Z")), "following Monday 08:00 EDT");
    }
    let next_monday = monday + TimeDelta::days(7);
    input.dnc = scrubbed(next_monday);
    assert_allow(&evaluate(&input, &rules(), next_monday));
    // The conversation was about debt_1, not debt_2.
    input.debt_id = Some("debt_2".into());
    assert_allow(&evaluate(&input, &rules(), monday + TimeDelta::days(1)));
}

#[test]
fn case_26_massachusetts_two_per_seven_days_per_debt() {
    let now = at("2026-07-15T16:00:00Z");
    let boston = "+16175550100";
    let mut input = collection_call(boston, "d1", now);
    input.history = vec![AttemptRecord {
        debt_id: Some("d1".into()),
        ..attempt(now - TimeDelta::days(6), boston, Purpose::Collection, AttemptOutcome::Voicemail)
    }];
    assert_allow(&evaluate(&input, &rules(), now));
    input.history.push(AttemptRecord {
        channel: Channel::Sms,
        debt_id: Some("d1".into()),
        ..attempt(now - TimeDelta::days(2), boston, Purpose::Collection, AttemptOutcome::Delivered)
    });
    let d = evaluate(&input, &rules(), now);
    assert_block(&d, &["FREQUENCY_CAP"]);
    assert_eq!(d.reasons[0].state, Some(st("MA")));
    // The first communication leaves the 7-day window 7×24 h after it was sent.
    assert_eq!(d.next_allowed_at, Some(now + TimeDelta::days(1)));
    // The same history under New York rules is fine (Reg F allows 7).
    let mut ny = input.clone();
    ny.destination = "+12125550100".into();
    assert_allow(&evaluate(&ny, &rules(), now));
}

#[test]
fn tenant_cap_per_channel_and_campaign() {
    let now = at("2026-07-15T16:00:00Z");
    let phone = "+12125550100";
    let tenant = rules().with_overrides(&TenantOverrides {
        caps: vec![FrequencyCap {
            name: "spring promo: 1 call per day".into(),
            code: ReasonCode::FrequencyCap,
            state: None,
            campaign_id: Some("cmp_spring".into()),
            channels: vec![Channel::Voice],
            purposes: vec![Purpose::Marketing],
            key: CapKey::Destination,
            counts: CapCounts::AllOutbound,
            max: 1,
            period: CapPeriod::Rolling { seconds: 86_400 },
            citation: "tenant policy".into(),
        }],
        ..TenantOverrides::default()
    });
    let mut input = marketing_call(phone, now);
    input.campaign_id = Some("cmp_spring".into());
    input.history.push(AttemptRecord {
        campaign_id: Some("cmp_spring".into()),
        ..marketing_attempt(now - TimeDelta::hours(2), phone)
    });
    assert_block(&evaluate(&input, &tenant, now), &["FREQUENCY_CAP"]);
    input.campaign_id = Some("cmp_other".into());
    assert_allow(&evaluate(&input, &tenant, now));
}
