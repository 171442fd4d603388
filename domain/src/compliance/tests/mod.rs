//! Unit tests of the compliance gate: the COMPLIANCE.md §8 cases, property tests and
//! cross-checks of the runtime tables against the reference files in `shared/data`.

mod cases_dnc_consent;
mod cases_frequency;
mod cases_location;
mod cases_state_days;
mod props;
mod reference_data;

use chrono::{DateTime, TimeDelta, Utc};

use super::*;

/// Parses an RFC 3339 test instant.
pub(super) fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap_or_else(|e| panic!("bad test instant {s}: {e}")).with_timezone(&Utc)
}

pub(super) fn st(code: &str) -> StateCode {
    StateCode::parse(code).unwrap_or_else(|e| panic!("{e}"))
}

/// Clean, fresh scrubs against the national list and every state list.
pub(super) fn scrubbed(now: DateTime<Utc>) -> DncStatus {
    let fresh = RegistryScrub { listed: false, copy_obtained_at: Some(now - TimeDelta::days(1)) };
    DncStatus {
        internal: false,
        national: fresh,
        area_code_subscribed: true,
        state_lists: StateCode::all().map(|state| StateRegistryScrub { state, scrub: fresh }).collect(),
        suppression_lists: Vec::new(),
    }
}

/// A manual (live-agent) marketing call with clean DNC scrubs: the §8 default.
pub(super) fn marketing_call(phone: &str, now: DateTime<Utc>) -> GateInput {
    GateInput { dnc: scrubbed(now), ..GateInput::new(Channel::Voice, Purpose::Marketing, phone) }
}

pub(super) fn with_zip(mut input: GateInput, zip: &str) -> GateInput {
    input.location.zip = Some(zip.to_string());
    input
}

pub(super) fn consent(
    address: &str,
    level: ConsentLevel,
    channels: &[Channel],
    given_at: DateTime<Utc>,
) -> ConsentRecord {
    ConsentRecord {
        address: address.to_string(),
        level,
        channels: channels.to_vec(),
        given_at,
        revoked_at: None,
        expires_at: None,
    }
}

pub(super) fn attempt(when: DateTime<Utc>, address: &str, purpose: Purpose, outcome: AttemptOutcome) -> AttemptRecord {
    AttemptRecord {
        at: when,
        channel: Channel::Voice,
        direction: Direction::Outbound,
        address: address.to_string(),
        purpose,
        campaign_id: None,
        debt_id: None,
        subject: None,
        outcome,
    }
}

pub(super) fn rules() -> RuleSet {
    RuleSet::us_default()
}

pub(super) fn codes(d: &Decision) -> Vec<&'static str> {
    d.codes().into_iter().map(ReasonCode::as_str).collect()
}

#[track_caller]
pub(super) fn assert_allow(d: &Decision) {
    assert!(d.is_allowed(), "expected ALLOW at {}, got {:?}: {:#?}", d.evaluated_at, codes(d), d.reasons);
    assert_eq!(d.next_allowed_at, Some(d.evaluated_at));
}

#[track_caller]
pub(super) fn assert_block(d: &Decision, expected: &[&str]) {
    assert_eq!(d.verdict, Verdict::Block, "expected BLOCK at {}", d.evaluated_at);
    assert_eq!(codes(d), expected, "reasons: {:#?}", d.reasons);
}

pub(super) fn zone_names(d: &Decision) -> Vec<&'static str> {
    d.jurisdiction.zones.iter().map(Zone::name).collect()
}
