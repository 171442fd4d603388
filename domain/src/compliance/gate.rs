//! The compliance gate: one pure function from an attempt, the rules and an instant to a
//! decision.

use chrono::{DateTime, Utc};

use super::caps::cap_reasons;
use super::codes::{NoticeCode, ReasonCode};
use super::consent::{consent_reasons, opt_out_reasons, usable_consent};
use super::decision::{Decision, Notice, Reason, Verdict, ZoneTime};
use super::dnc::dnc_reasons;
use super::jurisdiction::{JurisdictionSet, resolve};
use super::model::{ConsentLevel, GateInput};
use super::rules::RuleSet;
use super::search::next_allowed;
use super::windows::{TimeScope, time_reasons};

/// Decides whether `input` may be placed at `now` under `rules`.
///
/// Blocked unless the attempt is permitted in every candidate jurisdiction and every zone
/// of the set. Never reads the clock: `now` is the instant decided.
pub fn evaluate(input: &GateInput, rules: &RuleSet, now: DateTime<Utc>) -> Decision {
    let (jurisdiction, mut reasons) = match resolve(input.channel, &input.destination, &input.location) {
        Ok(set) => (set, Vec::new()),
        Err(u) => {
            let cite = match u.code {
                ReasonCode::International => "47 USC 227; 16 CFR 310 (US rule set only)",
                _ => "COMPLIANCE.md §0.2-§0.3 (location must be known to know local time)",
            };
            (*u.partial, vec![Reason::new(u.code, cite, u.detail)])
        }
    };
    let (more, mut notices) = reasons_at(input, rules, &jurisdiction, now);
    reasons.extend(more);

    if input.channel == super::model::Channel::Voice
        && jurisdiction.states.iter().any(|s| rules.all_party_recording.contains(s))
    {
        notices.push(Notice {
            code: NoticeCode::RecordingDisclosureRequired,
            detail: "an all-party consent state is in the set: disclose before recording".into(),
        });
    }

    let next_allowed_at = if reasons.is_empty() {
        Some(now)
    } else if reasons.iter().all(|r| r.code.is_temporal()) {
        next_allowed(input, rules, &jurisdiction, now)
    } else {
        None
    };
    let local_times = jurisdiction
        .zones
        .iter()
        .map(|&zone| ZoneTime { zone, local: now.with_timezone(&zone.tz()).fixed_offset() })
        .collect();
    Decision {
        verdict: if reasons.is_empty() { Verdict::Allow } else { Verdict::Block },
        reasons,
        notices,
        jurisdiction,
        local_times,
        ruleset_version: rules.version.clone(),
        evaluated_at: now,
        next_allowed_at,
    }
}

/// Every reason to block at `t` other than the location itself, plus notices.
pub(crate) fn reasons_at(
    input: &GateInput,
    rules: &RuleSet,
    jurisdiction: &JurisdictionSet,
    t: DateTime<Utc>,
) -> (Vec<Reason>, Vec<Notice>) {
    let mut reasons = opt_out_reasons(input, t);
    let (consent, notices) = consent_reasons(rules, input, t);
    reasons.extend(consent);
    reasons.extend(dnc_reasons(rules, input, &jurisdiction.states, t));

    if input.channel.is_phone() {
        // While the LPSC reports to the EOC every solicitation is banned and exemptions are
        // suspended: consent and purpose do not matter (La. R.S. 45:844.31).
        for state in jurisdiction.states.iter().filter(|s| rules.emergency_bans.contains(s)) {
            reasons.push(Reason {
                state: Some(*state),
                ..Reason::new(
                    ReasonCode::EmergencyBan,
                    "La. R.S. 45:844.31 (state-of-emergency ban); tenant emergency switch",
                    format!("declared emergency in {state}"),
                )
            });
        }
    }

    let scope = TimeScope {
        channel: input.channel,
        purpose: input.purpose,
        mode: input.dial_mode,
        has_consent: usable_consent(input, ConsentLevel::PriorExpress, t).is_some(),
        jurisdiction,
    };
    reasons.extend(time_reasons(rules, &scope, t));
    reasons.extend(cap_reasons(rules, input, &jurisdiction.states, &jurisdiction.zones, t));
    (reasons, notices)
}
