//! Cross-checks of the runtime tables (derived from the `zipcodes` crate and written in
//! Rust) against the reference files in `shared/data`, which are read by tests only.

use std::collections::BTreeSet;

use chrono::{Offset, TimeZone, Utc};
use chrono_tz::Tz;

use super::super::{npa, reference, rules::DayRule};
use super::*;

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/");

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{SHARED}{path}")).unwrap_or_else(|e| panic!("reference file {path}: {e}"))
}

/// Minimal CSV reader: quoted fields may contain commas.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let mut fields = Vec::new();
            let mut cur = String::new();
            let mut quoted = false;
            for c in line.chars() {
                match c {
                    '"' => quoted = !quoted,
                    ',' if !quoted => fields.push(std::mem::take(&mut cur)),
                    _ => cur.push(c),
                }
            }
            fields.push(cur);
            fields
        })
        .collect()
}

fn samples() -> Vec<chrono::DateTime<Utc>> {
    (1..=12)
        .flat_map(|m| [1, 15].map(move |d| (m, d)))
        .filter_map(|(m, d)| Utc.with_ymd_and_hms(2026, m, d, 12, 0, 0).single())
        .collect()
}

/// Two zones keep the same clock (offset) at every sample instant of 2026.
fn same_clock(a: Tz, b: Tz, at: &[chrono::DateTime<Utc>]) -> bool {
    at.iter()
        .all(|t| a.offset_from_utc_datetime(&t.naive_utc()).fix() == b.offset_from_utc_datetime(&t.naive_utc()).fix())
}

fn tz(name: &str) -> Tz {
    name.parse().unwrap_or_else(|_| panic!("chrono-tz cannot load {name}"))
}

/// Known, reviewed differences between the derived NPA table and the conservative CSV.
const ACCEPTED_NPA_DIFFERENCES: [(u16, &str); 2] = [
    // libphonenumber maps Adak to Pacific/Honolulu (no DST); the ZIP data uses the real
    // America/Adak, which is UTC-10 in winter and UTC-9 in summer.
    (907, "Pacific/Honolulu"),
    // 689 (Orlando overlay of 407/321) is Eastern only in the ZIP data; the CSV adds
    // Central. Reviewed: no Florida ZIP in Central time lists 689.
    (689, "America/Chicago"),
];

#[test]
fn case_12_npa_table_covers_the_conservative_reference() {
    let samples = samples();
    let text = read("derived/us_npa_tz_conservative.csv");
    let rows = csv_rows(&text);
    assert!(rows.len() > 350, "reference file looks truncated");
    let overlays: BTreeSet<u16> = npa::OVERLAY_PARENTS.iter().map(|(o, _)| *o).collect();
    let mut missing = Vec::new();
    let mut problems = Vec::new();
    for row in &rows {
        let code: u16 = row[0].parse().unwrap_or_else(|e| panic!("npa {:?}: {e}", row[0]));
        let zones: Vec<Tz> = row[2].split('|').map(tz).collect();
        assert!(!zones.is_empty(), "{code} has a zone");
        let Some(ours) = npa::lookup(code) else {
            missing.push(code);
            continue;
        };
        if ours.state.as_str() != row[1] {
            problems.push(format!("{code}: state {} vs reference {}", ours.state, row[1]));
        }
        for want in zones {
            let covered = ours.zones.iter().any(|z| same_clock(z.tz(), want, &samples));
            let accepted = ACCEPTED_NPA_DIFFERENCES.contains(&(code, want.name()));
            if !covered && !accepted {
                problems.push(format!("{code}: no zone keeping {} time in {:?}", want.name(), ours.zones));
            }
        }
    }
    assert!(problems.is_empty(), "NPA table disagrees with reference:\n{}", problems.join("\n"));
    // New overlays absent from the ZIP data must never be guessed: they resolve through
    // the ZIP or the state, else UNKNOWN_LOCATION (case 9).
    assert!(missing.len() <= 25, "coverage regressed: {missing:?}");
    assert!(missing.iter().all(|m| !overlays.contains(m)), "overlays are resolved via parent");
    let when = at("2026-07-15T17:00:00Z");
    for code in &missing {
        let d = evaluate(&marketing_call(&format!("+1{code}5550100"), when), &rules(), when);
        assert_block(&d, &["UNKNOWN_LOCATION"]);
    }
}

#[test]
fn zip_zones_agree_with_ziptz_reference() {
    let samples = samples();
    let text = read("ziptz/zip_timezones.csv");
    let (mut checked, mut unknown, mut wrong) = (0usize, 0usize, Vec::new());
    for row in csv_rows(&text) {
        let Ok(want) = row[1].parse::<Tz>() else { continue };
        let Some(place) = reference::zip_place(&row[0]) else {
            unknown += 1;
            continue;
        };
        checked += 1;
        if !place.zones.iter().any(|z| same_clock(z.tz(), want, &samples)) {
            wrong.push(format!("{} {} vs {:?}", row[0], row[1], place.zones));
        }
    }
    assert!(checked > 35_000, "only {checked} ZIPs checked ({unknown} unknown)");
    // Border ZIPs disagree between sources; the union rule tolerates a handful.
    assert!(
        wrong.len() * 200 < checked,
        "{} of {checked} ZIPs disagree: {:?}",
        wrong.len(),
        &wrong[..wrong.len().min(20)]
    );
}

#[test]
fn state_zone_unions_cover_reference() {
    let samples = samples();
    for row in csv_rows(&read("derived/us_state_timezones.csv")) {
        let Ok(state) = StateCode::parse(&row[0]) else { continue };
        let ours = reference::state_zones(state);
        for want in row[1].split('|').map(tz) {
            // Known ziptz quirks (COMPLIANCE.md §3): one NV ZIP in Phoenix, Wake Island in HI.
            if [("NV", "America/Phoenix"), ("HI", "Pacific/Wake")].contains(&(state.as_str(), want.name())) {
                continue;
            }
            assert!(
                ours.iter().any(|z| same_clock(z.tz(), want, &samples)),
                "{state}: {} not covered by {ours:?}",
                want.name()
            );
        }
    }
}

fn parse_day(field: &str) -> Option<DayRule> {
    let f = field.trim();
    if f.is_empty() {
        return Some(DayRule::Unrestricted);
    }
    if f.starts_with("closed") {
        return Some(DayRule::Closed);
    }
    let hm = |s: &str| {
        let (h, m) = s.split_once(':')?;
        chrono::NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
    };
    let span = f.split_whitespace().next()?;
    let (a, b) = span.split_once('-')?;
    Some(DayRule::Window { window: Window { start: hm(a)?, end: hm(b)? } })
}

#[test]
fn seed_state_rules_match_state_call_windows_csv() {
    let rules = rules();
    let mut seen = 0;
    for row in csv_rows(&read("derived/state_call_windows.csv")) {
        if row[0] == "US-FEDERAL" {
            assert_eq!(parse_day(&row[2]), Some(DayRule::Window { window: rules.federal.window }));
            continue;
        }
        let state = StateCode::parse(&row[0]).unwrap_or_else(|e| panic!("{e}"));
        let rule = rules.states.iter().find(|r| r.state == state).unwrap_or_else(|| panic!("no seed rule for {state}"));
        seen += 1;
        // Nebraska's weekday columns are empty; the row is about prerecorded Sundays.
        for (field, ours, name) in [
            (&row[2], rule.weekdays, "mon_fri"),
            (&row[3], rule.saturday, "saturday"),
            (&row[4], rule.sunday, "sunday"),
        ] {
            assert_eq!(parse_day(field), Some(ours), "{state} {name}: {field:?}");
        }
        let closes_holidays = row[5].starts_with("closed");
        assert_eq!(closes_holidays, rule.holidays == DayRule::Closed, "{state} holidays: {:?}", row[5]);
        let texts = ["+text", "+ text", "texts"].iter().any(|k| row[1].contains(k));
        assert_eq!(texts, rule.channels.iter().any(|c| c.channel == Channel::Sms), "{state} texts");
    }
    assert_eq!(seen, rules.states.len(), "every seeded state is in the reference table");
}

#[test]
fn state_flags_match_reference() {
    let rules = rules();
    for row in csv_rows(&read("derived/state_flags.csv")) {
        let state = StateCode::parse(&row[0]).unwrap_or_else(|e| panic!("{e}"));
        let all_party = row[1].starts_with('Y') || row[1].contains("treat as Y");
        assert_eq!(rules.all_party_recording.contains(&state), all_party, "{state} recording");
        assert_eq!(rules.state_dnc_lists.contains(&state), row[3].starts_with('Y'), "{state} DNC list");
    }
}

#[test]
fn holiday_rules_compute_known_dates() {
    let date = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap_or_else(|| panic!("date"));
    assert_eq!(easter_sunday(2026), Some(date(2026, 4, 5)));
    assert_eq!(easter_sunday(2027), Some(date(2027, 3, 28)));
    let fed = federal_holidays();
    assert_eq!(holiday_on(&fed, date(2026, 9, 7)).map(|h| h.name.as_str()), Some("Labor Day"));
    assert_eq!(holiday_on(&fed, date(2026, 5, 25)).map(|h| h.name.as_str()), Some("Memorial Day"));
    assert_eq!(holiday_on(&fed, date(2026, 11, 26)).map(|h| h.name.as_str()), Some("Thanksgiving Day"));
    // New Year's Day 2028 is a Saturday: observed Friday 2027-12-31.
    assert!(holiday_on(&fed, date(2027, 12, 31)).is_some());
    assert!(holiday_on(&fed, date(2026, 9, 8)).is_none());
    let election = HolidayRule::ElectionDay;
    assert_eq!(election.date_in(2026), Some(date(2026, 11, 3)));
}
