//! Consent, opt-outs and reassigned numbers.

use chrono::{DateTime, Utc};

use super::codes::{NoticeCode, ReasonCode};
use super::decision::{Notice, Reason};
use super::model::{Channel, ConsentLevel, ConsentRecord, GateInput, ReassignedCheck, same_address};
use super::rules::RuleSet;

fn channels_related(a: Channel, b: Channel) -> bool {
    // A STOP by text also ends calls: opt-outs are per number, across voice and SMS
    // (COMPLIANCE.md §4 "Implementation"). Email stands apart.
    a == b || (a.is_phone() && b.is_phone())
}

/// A consent is in force at `t` when given, not revoked or expired, and not followed by
/// an opt-out for the same address.
fn in_force(c: &ConsentRecord, input: &GateInput, t: DateTime<Utc>) -> bool {
    same_address(&c.address, &input.destination)
        && c.channels.contains(&input.channel)
        && c.given_at <= t
        && c.revoked_at.is_none_or(|r| r > t)
        && c.expires_at.is_none_or(|e| e > t)
        && !input.opt_outs.iter().any(|o| {
            same_address(&o.address, &input.destination)
                && channels_related(o.channel, input.channel)
                && o.received_at >= c.given_at
                && o.received_at <= t
        })
}

/// A consent of at least `level` that is in force and not invalidated by a reassignment
/// of the number after it was given (47 CFR 64.1200(m)).
pub(crate) fn usable_consent(input: &GateInput, level: ConsentLevel, t: DateTime<Utc>) -> Option<&ConsentRecord> {
    input.consents.iter().find(|c| c.level >= level && in_force(c, input, t) && !reassigned_since(input.reassigned, c))
}

fn reassigned_since(check: ReassignedCheck, c: &ConsentRecord) -> bool {
    matches!(check, ReassignedCheck::Disconnected { at } if at >= c.given_at)
}

/// `NO_CONSENT` / `REASSIGNED_NUMBER` when the attempt needs consent it lacks, and the
/// RND notice when it relies on consent without the database's safe harbor.
pub(crate) fn consent_reasons(rules: &RuleSet, input: &GateInput, t: DateTime<Utc>) -> (Vec<Reason>, Vec<Notice>) {
    let Some(level) = rules.consent.required(input.channel, input.purpose, input.dial_mode, input.line_type) else {
        return (Vec::new(), Vec::new());
    };
    let cite = "47 USC 227(b)(1); 47 CFR 64.1200(a)(1)-(3), (f)(9)";
    if usable_consent(input, level, t).is_some() {
        let notices = match input.reassigned {
            ReassignedCheck::NoData | ReassignedCheck::NotChecked => vec![Notice {
                code: NoticeCode::RndNoSafeHarbor,
                detail: "Reassigned Numbers Database gave no `no` answer: no safe harbor".into(),
            }],
            _ => Vec::new(),
        };
        return (Vec::new(), notices);
    }
    let stale = input
        .consents
        .iter()
        .any(|c| c.level >= level && in_force(c, input, t) && reassigned_since(input.reassigned, c));
    let reason = if stale {
        Reason::new(
            ReasonCode::ReassignedNumber,
            "47 CFR 64.1200(m); FCC 18-177",
            "the number was permanently disconnected after the consent was given",
        )
    } else {
        Reason::new(ReasonCode::NoConsent, cite, format!("{level:?} consent required for this number and channel"))
    };
    (vec![reason], Vec::new())
}

/// `OPTED_OUT` when the address opted out and has not opted back in since (a consent given
/// after the opt-out, e.g. START after STOP, re-opts in).
pub(crate) fn opt_out_reasons(input: &GateInput, t: DateTime<Utc>) -> Vec<Reason> {
    let active = input.opt_outs.iter().find(|o| {
        o.received_at <= t
            && same_address(&o.address, &input.destination)
            && channels_related(o.channel, input.channel)
            && !input.consents.iter().any(|c| {
                same_address(&c.address, &input.destination)
                    && c.channels.contains(&input.channel)
                    && c.given_at > o.received_at
                    && c.given_at <= t
                    && c.revoked_at.is_none_or(|r| r > t)
            })
    });
    active
        .map(|o| {
            // Honoring is immediate: the 10-business-day limit is a ceiling, not a grace period.
            Reason::new(
                ReasonCode::OptedOut,
                "47 CFR 64.1200(a)(10)-(12), (d); 15 USC 7704(a)(4)",
                format!("opt-out received on {:?} at {}", o.channel, o.received_at),
            )
        })
        .into_iter()
        .collect()
}
