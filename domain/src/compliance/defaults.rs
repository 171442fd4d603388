//! The shipped US rule set: federal floor, state tables, caps and per-state flags.

use std::collections::BTreeSet;

use super::codes::ReasonCode;
use super::model::{Channel, ConsentLevel, Purpose};
use super::place::StateCode;
use super::rules::{
    CapCounts, CapKey, CapPeriod, ConsentPolicy, ConversationCooldown, FederalRules, FrequencyCap, RULESET_VERSION,
    RuleSet, Window,
};
use super::state_rules::seed_state_rules;

const DAY: i64 = 24 * 60 * 60;

fn states(codes: &[&str]) -> BTreeSet<StateCode> {
    codes.iter().filter_map(|c| StateCode::parse(c).ok()).collect()
}

impl RuleSet {
    /// The shipped rules for US contacts, versioned as [`RULESET_VERSION`].
    pub fn us_default() -> Self {
        Self {
            version: RULESET_VERSION.to_string(),
            federal: FederalRules {
                // 47 CFR 64.1200(c)(1); 16 CFR 310.4(c); 12 CFR 1006.6(b)(1)(i).
                window: Window::hm(8, 0, 21, 0)
                    .unwrap_or(Window { start: chrono::NaiveTime::MIN, end: chrono::NaiveTime::MIN }),
                window_for_informational: true,
                // 16 CFR 310.4(b)(3)(iv); 47 CFR 64.1200(c)(2)(i)(D).
                registry_max_age_days: 31,
                // 16 CFR 310.4(b)(1)(iii)(B): 18 months after purchase, 3 after inquiry.
                ebr_purchase_months: 18,
                ebr_inquiry_months: 3,
            },
            states: seed_state_rules(),
            caps: seed_caps(),
            cooldowns: vec![ConversationCooldown {
                days: 7,
                purposes: vec![Purpose::Collection],
                channels: vec![Channel::Voice],
                citation: "12 CFR 1006.14(b)(2)(i)(B)".to_string(),
            }],
            emergency_bans: BTreeSet::new(),
            area_code_presumption: states(&["CT", "FL", "OK"]),
            // COMPLIANCE.md §2 "State DNC lists": the 11 two vendors agree on, plus Mississippi
            // (state_flags.csv: AG-administered since 2023, [U]) — scrubbing one list too many
            // is the safe side.
            state_dnc_lists: states(&["CO", "FL", "IN", "LA", "MA", "MO", "MS", "OK", "PA", "TN", "TX", "WY"]),
            // COMPLIANCE.md §2 "Recording consent"; MI and DE contested, treated as all-party.
            all_party_recording: states(&[
                "CA", "CT", "DE", "FL", "IL", "MD", "MA", "MI", "MT", "NV", "NH", "PA", "WA",
            ]),
            // 47 CFR 64.1200(a)(2)–(3): PEWC for telemarketing by autodialer/recorded voice;
            // prior express consent otherwise. FL/MD/OK also require PEWC for automated
            // selection and dialing (Fla. Stat. 501.059; Md. Com. Law 14-4501; 15 O.S. 775C).
            consent: ConsentPolicy {
                marketing: Some(ConsentLevel::PriorExpressWritten),
                informational: Some(ConsentLevel::PriorExpress),
                collection: Some(ConsentLevel::PriorExpress),
            },
            guard_band_seconds: 30,
        }
    }
}

fn seed_caps() -> Vec<FrequencyCap> {
    let mut caps = Vec::new();
    // "3 per 24 h same subject, any number": Fla. Stat. 501.616(6)(b); 15 O.S. 775C.4;
    // Md. Com. Law 14-4503 (calls or texts). Every placed attempt counts.
    for (state, citation) in [
        ("FL", "Fla. Stat. 501.616(6)(b)"),
        ("OK", "15 O.S. 775C.4"),
        ("MD", "Md. Code, Com. Law 14-4501 et seq. (SB 90, 2023)"),
    ] {
        caps.push(FrequencyCap {
            name: format!("{state} 3 per 24h same subject"),
            code: ReasonCode::FrequencyCap,
            state: StateCode::parse(state).ok(),
            campaign_id: None,
            channels: vec![Channel::Voice, Channel::Sms],
            purposes: vec![Purpose::Marketing],
            key: CapKey::Subject,
            counts: CapCounts::AllOutbound,
            max: 3,
            period: CapPeriod::Rolling { seconds: DAY },
            citation: citation.to_string(),
        });
    }
    // Regulation F 7-in-7 per debt: placed calls that connected to the number count;
    // texts are not "calls" here. 12 CFR 1006.14(b)(2)(i)(A).
    caps.push(FrequencyCap {
        name: "Reg F 7 calls in 7 days per debt".to_string(),
        code: ReasonCode::RegF7In7,
        state: None,
        campaign_id: None,
        channels: vec![Channel::Voice],
        purposes: vec![Purpose::Collection],
        key: CapKey::Debt,
        counts: CapCounts::Connected,
        max: 7,
        period: CapPeriod::LocalDays { days: 7 },
        citation: "12 CFR 1006.14(b)(2)(i)(A)".to_string(),
    });
    // Massachusetts: 2 telephone communications (calls, texts, recorded messages) per
    // 7-day period per debt. Rolling 7×24h is the stricter reading of "7-day period".
    caps.push(FrequencyCap {
        name: "MA collection 2 per 7 days per debt".to_string(),
        code: ReasonCode::FrequencyCap,
        state: StateCode::parse("MA").ok(),
        campaign_id: None,
        channels: vec![Channel::Voice, Channel::Sms],
        purposes: vec![Purpose::Collection],
        key: CapKey::Debt,
        counts: CapCounts::AllOutbound,
        max: 2,
        period: CapPeriod::Rolling { seconds: 7 * DAY },
        citation: "940 CMR 7.04(1)(f); 209 CMR 18.16(1)(d)".to_string(),
    });
    caps
}
