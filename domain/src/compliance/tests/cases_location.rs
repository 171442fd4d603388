//! COMPLIANCE.md §8 cases 1–13, 23 and 33: zones, DST, area codes, ZIPs, guard band.

use chrono::{NaiveDate, TimeDelta};

use super::*;

fn eval(input: &GateInput, when: &str) -> Decision {
    evaluate(input, &rules(), at(when))
}

fn call(phone: &str, when: &str) -> Decision {
    eval(&marketing_call(phone, at(when)), when)
}

#[test]
fn case_01_spring_forward_uses_edt_not_fixed_offset() {
    let blocked = call("+12125550100", "2026-03-08T11:30:00Z");
    assert_block(&blocked, &["CALLING_HOURS"]);
    assert_eq!(blocked.local_times[0].local.to_rfc3339(), "2026-03-08T07:30:00-04:00");
    assert_eq!(blocked.next_allowed_at, Some(at("2026-03-08T12:00:00Z")));
    assert_allow(&call("+12125550100", "2026-03-08T12:00:00Z"));
}

#[test]
fn case_02_fall_back_uses_est_after_transition() {
    assert_block(&call("+12125550100", "2026-11-01T12:30:00Z"), &["CALLING_HOURS"]);
    assert_allow(&call("+12125550100", "2026-11-01T13:00:00Z"));
}

#[test]
fn case_03_nonexistent_and_ambiguous_local_times() {
    let ny = Zone::parse("America/New_York").unwrap_or_else(|e| panic!("{e}"));
    let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_else(|| panic!("date"));
    let gap = date(2026, 3, 8).and_hms_opt(2, 30, 0).unwrap_or_default();
    assert_eq!(resolve_local(ny, gap), Some(at("2026-03-08T07:30:00Z")), "02:30 → 03:30 EDT");

    let fold = date(2026, 11, 1).and_hms_opt(1, 30, 0).unwrap_or_default();
    let first = resolve_local(ny, fold);
    assert_eq!(first, Some(at("2026-11-01T05:30:00Z")), "first 01:30 (EDT)");
    // The resolved callback still goes through the window check: 01:30 is night.
    let d = evaluate(&marketing_call("+12125550100", at("2026-11-01T05:30:00Z")), &rules(), at("2026-11-01T05:30:00Z"));
    assert_block(&d, &["CALLING_HOURS"]);
    assert_eq!(d.next_allowed_at, Some(at("2026-11-01T13:00:00Z")), "08:00 EST");
}

#[test]
fn case_04_navajo_nation_observes_dst_arizona_does_not() {
    let navajo = call("+19288710100", "2026-07-16T03:30:00Z");
    assert_block(&navajo, &["CALLING_HOURS"]);
    assert!(zone_names(&navajo).contains(&"America/Denver"));
    assert!(zone_names(&navajo).contains(&"America/Phoenix"));
    assert!(navajo.reasons.iter().any(|r| r.zone.map(|z| z.name()) == Some("America/Denver")));
    assert_allow(&call("+16025550100", "2026-07-16T03:30:00Z"));
}

#[test]
fn case_05_hawaii_and_guam_at_noon_eastern() {
    let when = "2026-07-15T16:00:00Z";
    assert_allow(&call("+12125550100", when));
    let hawaii = call("+18085550100", when);
    assert_block(&hawaii, &["CALLING_HOURS"]);
    assert_eq!(hawaii.local_times[0].local.to_rfc3339(), "2026-07-15T06:00:00-10:00");
    let guam = call("+16715550100", when);
    assert_block(&guam, &["CALLING_HOURS"]);
    assert_eq!(guam.local_times[0].local.to_rfc3339(), "2026-07-16T02:00:00+10:00");
}

#[test]
fn case_06_alaska_unknown_exchange_includes_adak() {
    let d = call("+19075550100", "2026-01-10T17:30:00Z");
    assert_block(&d, &["CALLING_HOURS"]);
    assert!(zone_names(&d).contains(&"America/Adak"));
    assert!(zone_names(&d).contains(&"America/Anchorage"));
    assert!(d.reasons.iter().any(|r| r.zone.map(|z| z.name()) == Some("America/Adak")));
}

#[test]
fn case_07_multi_zone_area_code_850_uses_union() {
    // Without licensed NPA-NXX data every 850 number gets {Chicago, New_York}; for 850-434
    // (Pensacola, Central only) that is stricter than needed, never looser.
    for phone in ["+18505550100", "+18504340100"] {
        let d = call(phone, "2026-01-15T13:30:00Z");
        assert_eq!(zone_names(&d), ["America/Chicago", "America/New_York"]);
        assert_block(&d, &["CALLING_HOURS"]);
        assert_eq!(d.next_allowed_at, Some(at("2026-01-15T14:00:00Z")));
    }
    assert_block(&call("+18505550100", "2026-01-16T01:05:00Z"), &["CALLING_HOURS"]);
    // FL 8–20 on the union: the allowed band is 14:00Z–01:00Z (30 s guard band).
    assert_allow(&call("+18505550100", "2026-01-15T14:00:00Z"));
    assert_allow(&call("+18505550100", "2026-01-16T00:59:00Z"));
    assert_block(&call("+18505550100", "2026-01-16T00:59:45Z"), &["CALLING_HOURS"]);
    assert_block(&call("+18505550100", "2026-01-16T01:00:00Z"), &["CALLING_HOURS"]);
}

#[test]
fn case_08_overlays_inherit_parent_zones() {
    let when = at("2026-07-15T16:00:00Z");
    let zones = |phone: &str| {
        let d = evaluate(&marketing_call(phone, when), &rules(), when);
        (d.jurisdiction.zones.clone(), d.jurisdiction.states.clone())
    };
    let (z448, _) = zones("+14485550100");
    assert!(z448.contains(&Zone::parse("America/Chicago").unwrap_or_else(|e| panic!("{e}"))));
    assert!(z448.contains(&Zone::parse("America/New_York").unwrap_or_else(|e| panic!("{e}"))));
    for (overlay, parent) in [(448, 850), (930, 812), (364, 270), (458, 541), (729, 423), (986, 208)] {
        let (oz, os) = zones(&format!("+1{overlay}5550100"));
        let (pz, ps) = zones(&format!("+1{parent}5550100"));
        assert!(oz.is_superset(&pz), "{overlay} must inherit {parent}: {oz:?} vs {pz:?}");
        assert_eq!(os, ps, "{overlay} and {parent} are in the same state");
    }
}

#[test]
fn case_09_area_code_missing_from_data_falls_back_never_defaults() {
    let when = "2026-07-15T17:00:00Z";
    let bare = call("+13575550100", when);
    assert_block(&bare, &["UNKNOWN_LOCATION"]);
    assert!(bare.jurisdiction.zones.is_empty(), "no silent default zone");
    assert_eq!(bare.next_allowed_at, None);

    let zip = eval(&with_zip(marketing_call("+13575550100", at(when)), "93701"), when);
    assert_eq!(zone_names(&zip), ["America/Los_Angeles"]);
    assert_allow(&zip);

    let mut by_state = marketing_call("+13575550100", at(when));
    by_state.location.state_on_file = Some(st("TX"));
    let d = eval(&by_state, when);
    // Texas spans Central and Mountain (El Paso): the state union.
    assert!(zone_names(&d).contains(&"America/Chicago"));
    assert!(zone_names(&d).contains(&"America/Denver"));
    assert_allow(&d);
}

#[test]
fn case_10_non_geographic_numbers_need_zip_or_address() {
    let when = "2026-07-15T17:00:00Z";
    for phone in ["+18005550100", "+18335550100", "+18885550100", "+19005550100", "+15005550100", "+15335550100"] {
        let d = call(phone, when);
        assert_block(&d, &["UNKNOWN_LOCATION"]);
        let with = eval(&with_zip(marketing_call(phone, at(when)), "30303"), when);
        assert_eq!(zone_names(&with), ["America/New_York"], "{phone}");
        assert_allow(&with);
    }
    // A 5XX-looking geographic code is not swept up: 505 is New Mexico.
    assert_eq!(classify("+15055550100"), Ok(PhoneClass::Domestic { npa: 505, nxx: 555 }));
}

#[test]
fn case_11_foreign_nanp_and_international_are_blocked() {
    let when = "2026-07-15T17:00:00Z";
    for phone in ["+18765550100", "+18095550100", "+14415550100", "+14165550100", "+442079460000"] {
        let d = call(phone, when);
        assert_block(&d, &["INTERNATIONAL"]);
        assert_eq!(d.next_allowed_at, None, "{phone}");
    }
    // A US ZIP on file does not make a Jamaican number domestic.
    let d = eval(&with_zip(marketing_call("+18765550100", at(when)), "10001"), when);
    assert_block(&d, &["INTERNATIONAL"]);
}

#[test]
fn case_12_rule_tables_use_real_codes_and_loadable_zones() {
    let rules = rules();
    for rule in &rules.states {
        assert!(StateCode::all().any(|s| s == rule.state));
    }
    for set in [&rules.all_party_recording, &rules.state_dnc_lists, &rules.emergency_bans] {
        assert!(set.iter().all(|s| StateCode::all().any(|x| x == *s)));
    }
    assert!(StateCode::parse("XX").is_err());
    assert!(StateCode::parse("AA").is_err(), "military codes carry no local time");
}

#[test]
fn case_13_zip_disagrees_with_area_code() {
    let input = |w: &str| with_zip(marketing_call("+12125550100", at(w)), "98101");
    let early = eval(&input("2026-07-15T14:30:00Z"), "2026-07-15T14:30:00Z");
    assert_block(&early, &["CALLING_HOURS"]);
    assert_eq!(early.jurisdiction.states.iter().map(|s| s.as_str()).collect::<Vec<_>>(), ["NY", "WA"]);
    assert_eq!(early.next_allowed_at, Some(at("2026-07-15T15:00:00Z")));
    assert_allow(&eval(&input("2026-07-16T00:30:00Z"), "2026-07-16T00:30:00Z"));
    assert_block(&eval(&input("2026-07-15T14:59:00Z"), "2026-07-15T14:59:00Z"), &["CALLING_HOURS"]);
    assert_allow(&eval(&input("2026-07-15T15:00:00Z"), "2026-07-15T15:00:00Z"));
    assert_allow(&eval(&input("2026-07-16T00:59:00Z"), "2026-07-16T00:59:00Z"));
    assert_block(&eval(&input("2026-07-16T01:00:00Z"), "2026-07-16T01:00:00Z"), &["CALLING_HOURS"]);
}

#[test]
fn case_23_window_end_includes_ring_time() {
    // 20:59:50 EDT with a 30 s ring timeout would ring past 21:00.
    let when = at("2026-07-16T00:59:50Z");
    let input = marketing_call("+12125550100", when);
    let mut rules =
        rules().with_overrides(&TenantOverrides { guard_band_seconds: Some(30), ..TenantOverrides::default() });
    assert_block(&evaluate(&input, &rules, when), &["CALLING_HOURS"]);
    // Ringing until exactly 21:00:00 is still inside.
    assert_allow(&evaluate(&input, &rules, when - TimeDelta::seconds(20)));
    rules.guard_band_seconds = 0;
    assert_allow(&evaluate(&input, &rules, when));
    assert_block(&evaluate(&input, &rules, at("2026-07-16T01:00:00Z")), &["CALLING_HOURS"]);
}

#[test]
fn case_33_all_party_recording_state_in_set_requires_disclosure() {
    let when = "2026-07-15T18:00:00Z";
    let d = eval(&with_zip(marketing_call("+14155550100", at(when)), "89501"), when);
    assert_allow(&d);
    assert!(d.has_notice(NoticeCode::RecordingDisclosureRequired));
    // Florida number, Georgia ZIP: Florida is all-party.
    let fl = eval(&with_zip(marketing_call("+13055550100", at(when)), "30303"), when);
    assert!(fl.has_notice(NoticeCode::RecordingDisclosureRequired));
    let ny = call("+12125550100", when);
    assert!(!ny.has_notice(NoticeCode::RecordingDisclosureRequired));
}

#[test]
fn decision_records_version_and_serializes_stable_codes() {
    let d = call("+12125550100", "2026-03-08T11:30:00Z");
    assert_eq!(d.ruleset_version, RULESET_VERSION);
    let json = serde_json_like(&d.reasons[0].code);
    assert_eq!(json, "CALLING_HOURS");
    for code in ReasonCode::ALL {
        assert_eq!(serde_json_like(&code), code.as_str());
    }
    let tenant =
        rules().with_overrides(&TenantOverrides { revision: Some("t42".into()), ..TenantOverrides::default() });
    let d = evaluate(&marketing_call("+12125550100", at("2026-03-08T12:00:00Z")), &tenant, at("2026-03-08T12:00:00Z"));
    assert_eq!(d.ruleset_version, format!("{RULESET_VERSION}+t42"));
}

fn serde_json_like<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        other => panic!("expected a JSON string, got {other:?}"),
    }
}
