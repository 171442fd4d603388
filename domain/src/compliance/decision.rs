//! What the gate answers: a verdict, the reasons, and everything the audit log needs.

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

use super::codes::{NoticeCode, ReasonCode};
use super::jurisdiction::JurisdictionSet;
use super::place::{StateCode, Zone};

/// Allow or block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The attempt may be placed now.
    Allow,
    /// The attempt must not be placed now.
    Block,
}

/// One reason an attempt is blocked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// Stable code.
    pub code: ReasonCode,
    /// State whose rule blocked, `None` for federal or tenant-wide rules.
    pub state: Option<StateCode>,
    /// Zone in which a time rule failed, if the reason is zone-specific.
    pub zone: Option<Zone>,
    /// Statute, regulation or policy.
    pub citation: String,
    /// Human-readable explanation for agents and auditors.
    pub detail: String,
}

impl Reason {
    /// A reason without a state or zone.
    pub fn new(code: ReasonCode, citation: &str, detail: impl Into<String>) -> Self {
        Self { code, state: None, zone: None, citation: citation.to_string(), detail: detail.into() }
    }
}

/// An obligation that does not block the attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// Stable code.
    pub code: NoticeCode,
    /// Explanation.
    pub detail: String,
}

/// The consumer's local time in one zone of the set at the evaluated instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneTime {
    /// The zone.
    pub zone: Zone,
    /// Local time with its UTC offset (RFC 3339 when serialized).
    pub local: DateTime<FixedOffset>,
}

/// The gate's answer for one contact attempt at one instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// Allow or block.
    pub verdict: Verdict,
    /// Every reason to block (empty when allowed).
    pub reasons: Vec<Reason>,
    /// Obligations that hold even when allowed (recording disclosure, RND review).
    pub notices: Vec<Notice>,
    /// Candidate states and zones.
    pub jurisdiction: JurisdictionSet,
    /// Local time in each zone of the set.
    pub local_times: Vec<ZoneTime>,
    /// Version of the rule set that decided.
    pub ruleset_version: String,
    /// The instant evaluated.
    pub evaluated_at: DateTime<Utc>,
    /// The first instant at or after `evaluated_at` at which the attempt would be allowed,
    /// if waiting can lift every block; `None` when only an action can (or none found
    /// within the search horizon).
    pub next_allowed_at: Option<DateTime<Utc>>,
}

impl Decision {
    /// True when the verdict is [`Verdict::Allow`].
    pub fn is_allowed(&self) -> bool {
        self.verdict == Verdict::Allow
    }

    /// The distinct reason codes, sorted.
    pub fn codes(&self) -> Vec<ReasonCode> {
        let mut codes: Vec<ReasonCode> = self.reasons.iter().map(|r| r.code).collect();
        codes.sort();
        codes.dedup();
        codes
    }

    /// Whether a notice with this code is attached.
    pub fn has_notice(&self, code: NoticeCode) -> bool {
        self.notices.iter().any(|n| n.code == code)
    }
}
