//! Do-not-call checks on the scrub results infra supplies (COMPLIANCE.md F6–F10).

use std::collections::BTreeSet;

use chrono::{DateTime, Months, Utc};

use super::codes::ReasonCode;
use super::consent::usable_consent;
use super::decision::Reason;
use super::model::{ConsentLevel, EbrKind, GateInput, Purpose, RegistryScrub};
use super::place::StateCode;
use super::rules::RuleSet;

/// A copy is fresh when obtained no more than `max_days` calendar days before the call
/// (16 CFR 310.4(b)(3)(iv): "not more than 31 days prior to the date any call is made").
/// Dates are compared in UTC, which can only make a copy look older.
fn fresh(scrub: &RegistryScrub, max_days: i64, t: DateTime<Utc>) -> bool {
    scrub.copy_obtained_at.is_some_and(|at| at <= t && (t.date_naive() - at.date_naive()).num_days() <= max_days)
}

fn ebr_in_force(rules: &RuleSet, input: &GateInput, t: DateTime<Utc>) -> bool {
    input.ebr.is_some_and(|ebr| {
        let months = match ebr.kind {
            EbrKind::Purchase => rules.federal.ebr_purchase_months,
            EbrKind::Inquiry => rules.federal.ebr_inquiry_months,
        };
        ebr.at <= t && ebr.at.checked_add_months(Months::new(months)).is_some_and(|end| t < end)
    })
}

/// Every do-not-call reason at `t`.
pub(crate) fn dnc_reasons(
    rules: &RuleSet,
    input: &GateInput,
    states: &BTreeSet<StateCode>,
    t: DateTime<Utc>,
) -> Vec<Reason> {
    let mut reasons = Vec::new();
    if !input.channel.is_phone() {
        return reasons;
    }
    // An entity-specific request beats EBR and consent (F6, F10); the product applies it
    // to every purpose, since the consumer asked this tenant not to call.
    if input.dnc.internal {
        reasons.push(Reason::new(
            ReasonCode::DncInternal,
            "47 CFR 64.1200(d); 16 CFR 310.4(b)(1)(iii)(A)",
            "number is on the internal do-not-call list",
        ));
    }
    // The tenant's own suppression lists (litigators, complainers) bind every purpose.
    for list in &input.dnc.suppression_lists {
        reasons.push(Reason::new(
            ReasonCode::SuppressionList,
            "tenant policy",
            format!("number is on the tenant's suppression list {list:?}"),
        ));
    }
    // Registries bind telemarketing only.
    if input.purpose != Purpose::Marketing {
        return reasons;
    }
    let max_days = rules.federal.registry_max_age_days;
    // The consumer's signed written agreement exempts from the registries (F6).
    let written = usable_consent(input, ConsentLevel::PriorExpressWritten, t).is_some();

    if !input.dnc.area_code_subscribed {
        reasons.push(Reason::new(
            ReasonCode::DncAreaCodeNotSubscribed,
            "16 CFR 310.8",
            "seller has no registry access for this area code",
        ));
    }
    if !fresh(&input.dnc.national, max_days, t) {
        reasons.push(Reason::new(
            ReasonCode::DncStaleRegistry,
            "16 CFR 310.4(b)(3)(iv); 47 CFR 64.1200(c)(2)(i)(D)",
            format!("National DNC copy missing or older than {max_days} days"),
        ));
    }
    if input.dnc.national.listed && !written && !ebr_in_force(rules, input, t) {
        reasons.push(Reason::new(
            ReasonCode::DncNational,
            "16 CFR 310.4(b)(1)(iii)(B); 47 CFR 64.1200(c)(2)",
            "number is on the National Do Not Call Registry",
        ));
    }
    for &state in states.iter().filter(|s| rules.state_dnc_lists.contains(s)) {
        let scrub = input.dnc.state_lists.iter().find(|s| s.state == state);
        let cite = "state do-not-call statute (COMPLIANCE.md §2 State DNC lists)";
        match scrub {
            Some(s) if fresh(&s.scrub, max_days, t) => {
                // State acts differ on EBR; only written consent is taken as an exemption.
                if s.scrub.listed && !written {
                    reasons.push(Reason {
                        state: Some(state),
                        ..Reason::new(ReasonCode::DncState, cite, format!("on the {state} do-not-call list"))
                    });
                }
            }
            _ => reasons.push(Reason {
                state: Some(state),
                ..Reason::new(
                    ReasonCode::DncStaleRegistry,
                    cite,
                    format!("{state} do-not-call list not scrubbed within {max_days} days"),
                )
            }),
        }
    }
    reasons
}
