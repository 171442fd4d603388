//! Property-style tests driven by a small deterministic PRNG: random US numbers, ZIPs and
//! instants around DST transitions.

use chrono::{Datelike, NaiveTime, TimeDelta, Timelike, Weekday};

use super::super::reference;
use super::*;

/// SplitMix64: tiny, deterministic, good enough to spread test inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// Instants of US DST transitions (02:00 local Eastern, roughly) in 2025–2027.
const TRANSITIONS: [&str; 6] = [
    "2025-03-09T07:00:00Z",
    "2025-11-02T06:00:00Z",
    "2026-03-08T07:00:00Z",
    "2026-11-01T06:00:00Z",
    "2027-03-14T07:00:00Z",
    "2027-11-07T06:00:00Z",
];

fn random_input(rng: &mut Rng, npas: &[u16], zips: &[String]) -> (GateInput, DateTime<Utc>) {
    let base = at(rng.pick::<&str>(&TRANSITIONS));
    let offset = rng.below(6 * 86_400) as i64 - 3 * 86_400;
    let now = base + TimeDelta::seconds(offset);
    let phone = format!("+1{}{}{:04}", rng.pick(npas), 200 + rng.below(800), rng.below(10_000));
    let purpose = *rng.pick(&[Purpose::Marketing, Purpose::Marketing, Purpose::Collection, Purpose::Informational]);
    let channel = if rng.chance(20) { Channel::Sms } else { Channel::Voice };
    let mut input = marketing_call(&phone, now);
    input.purpose = purpose;
    input.channel = channel;
    input.debt_id = Some("d1".into());
    input.consents.push(consent(
        &phone,
        ConsentLevel::PriorExpressWritten,
        &[Channel::Sms],
        now - TimeDelta::days(400),
    ));
    if rng.chance(50) {
        input.location.zip = Some(rng.pick(zips).clone());
    }
    if rng.chance(15) {
        let states: Vec<StateCode> = StateCode::all().collect();
        input.location.state_on_file = Some(*rng.pick(&states));
    }
    for _ in 0..rng.below(5) {
        let back = TimeDelta::seconds(1 + rng.below(3 * 86_400) as i64);
        let outcome = *rng.pick(&[AttemptOutcome::NoAnswer, AttemptOutcome::Conversation, AttemptOutcome::Busy]);
        input.history.push(AttemptRecord {
            channel,
            debt_id: Some("d1".into()),
            ..attempt(now - back, &phone, purpose, outcome)
        });
    }
    (input, now)
}

/// Independent statement of the state windows for manual marketing voice calls, from
/// COMPLIANCE.md §2 (minutes after midnight; `None` = closed; holidays not modelled).
fn oracle_state_window(state: &str, day: Weekday) -> Option<(u32, u32)> {
    let h = |a: u32, b: u32| Some((a * 60, b * 60));
    let sunday = day == Weekday::Sun;
    match state {
        "AL" | "LA" | "MS" if sunday => None,
        "AL" | "LA" | "MS" | "FL" | "OK" | "MD" | "WA" | "WY" | "MA" => h(8, 20),
        "CT" | "NV" => h(9, 20),
        "KY" => h(10, 21),
        "MI" | "MN" | "NM" => h(9, 21),
        "TX" if sunday => h(12, 21),
        "TX" => h(9, 21),
        "PA" if sunday => Some((13 * 60 + 30, 21 * 60)),
        "RI" if sunday => None,
        "RI" if day == Weekday::Sat => h(10, 17),
        "RI" => h(9, 18),
        "UT" if sunday => None,
        _ => h(0, 24),
    }
}

/// An allowed decision must sit inside every window that binds it: the federal floor in
/// every zone, a state's window in the zones where the consumer would be in that state
/// (every zone for the area-code presumption states FL, OK, CT).
fn assert_inside_windows(input: &GateInput, d: &Decision) {
    assert!(!d.local_times.is_empty(), "allowed phone contact without a zone: {input:?}");
    let minutes_in = |zone: &Zone| {
        let zt = d.local_times.iter().find(|zt| zt.zone == *zone).unwrap_or_else(|| panic!("no local time for {zone}"));
        (zt.local, zt.local.hour() * 60 + zt.local.minute())
    };
    for zt in &d.local_times {
        let (local, minutes) = minutes_in(&zt.zone);
        assert!(
            (8 * 60..21 * 60).contains(&minutes),
            "federal floor broken at {local} in {} for {}",
            zt.zone,
            input.destination
        );
    }
    if input.purpose != Purpose::Marketing || input.channel != Channel::Voice {
        return;
    }
    for state in &d.jurisdiction.states {
        let presumed = ["CT", "FL", "OK"].contains(&state.as_str()) && d.jurisdiction.by_area_code(*state);
        let zones = if presumed { d.jurisdiction.zones.clone() } else { d.jurisdiction.zones_for(*state) };
        assert!(!zones.is_empty(), "{state} has no zones");
        for zone in &zones {
            let (local, minutes) = minutes_in(zone);
            let window = oracle_state_window(state.as_str(), local.weekday());
            let inside = window.is_some_and(|(a, b)| (a..b).contains(&minutes));
            assert!(inside, "{state} window broken at {local} in {zone} for {}", input.destination);
        }
    }
}

#[test]
fn property_allowed_instants_are_inside_every_window_and_next_allowed_is_allowed() {
    let npas: Vec<u16> = reference::known_npas().into_iter().collect();
    let zips: Vec<String> =
        zipcodes::database().iter().filter(|z| z.country == "US").map(|z| z.zip_code.clone()).collect();
    let rules = rules();
    let mut rng = Rng(0x0D1A_1C0D_E5EE_D001);
    let (mut allowed, mut waited) = (0, 0);
    for case in 0..300 {
        let (input, now) = random_input(&mut rng, &npas, &zips);
        let d = evaluate(&input, &rules, now);
        if d.is_allowed() {
            allowed += 1;
            assert_inside_windows(&input, &d);
            assert_eq!(d.next_allowed_at, Some(now));
            continue;
        }
        if !d.reasons.iter().all(|r| r.code.is_temporal()) {
            assert_eq!(d.next_allowed_at, None, "case {case}: {:?}", d.reasons);
            continue;
        }
        let next = d
            .next_allowed_at
            .unwrap_or_else(|| panic!("case {case}: temporal block with no next instant: {:?}", d.reasons));
        assert!(next > now, "case {case}");
        let later = evaluate(&input, &rules, next);
        assert!(later.is_allowed(), "case {case}: next_allowed_at {next} is blocked: {:?}", later.reasons);
        assert_inside_windows(&input, &later);
        // Nothing between now and next is allowed: next really is the first instant.
        let gap = next - now;
        let step = (gap / 150).max(TimeDelta::minutes(1));
        let mut t = now + step;
        while t < next {
            assert!(!evaluate(&input, &rules, t).is_allowed(), "case {case}: {t} allowed before {next}");
            t += step;
        }
        let just_before = next - TimeDelta::seconds(1);
        if just_before > now {
            assert!(!evaluate(&input, &rules, just_before).is_allowed(), "case {case}: {just_before}");
        }
        waited += 1;
    }
    // The generator must exercise both branches, or the test proves nothing.
    assert!(allowed > 30 && waited > 30, "allowed {allowed}, waited {waited}");
}

#[test]
fn property_every_instant_of_a_dst_day_agrees_with_the_local_clock() {
    // Sweep two DST days minute by minute for a few single-zone numbers: allowed exactly
    // when the local clock is in [08:00, 21:00) minus the guard band.
    let rules = rules();
    let open = NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default();
    let close = NaiveTime::from_hms_opt(20, 59, 30).unwrap_or_default();
    for (phone, day) in [
        ("+12125550100", "2026-03-08T00:00:00Z"),
        ("+13125550100", "2026-11-01T00:00:00Z"),
        ("+16025550100", "2026-03-08T00:00:00Z"),
        ("+12065550100", "2026-11-01T00:00:00Z"),
    ] {
        let start = at(day);
        let input = GateInput { dnc: scrubbed(start), ..GateInput::new(Channel::Voice, Purpose::Collection, phone) };
        for minute in (0..48 * 60).step_by(7) {
            let t = start + TimeDelta::minutes(minute);
            let d = evaluate(&input, &rules, t);
            let local = d.local_times[0].local.time();
            let expected = local >= open && local <= close;
            assert_eq!(d.is_allowed(), expected, "{phone} at {t} (local {local})");
        }
    }
}
