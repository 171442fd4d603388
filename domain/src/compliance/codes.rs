//! Stable, machine-readable codes carried by every compliance decision.
//!
//! The strings returned by [`ReasonCode::as_str`] and [`NoticeCode::as_str`] are part of
//! the audit log and the public API: never rename one, only add new ones.

use serde::{Deserialize, Serialize};

/// Why a dial, text or email was blocked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ReasonCode {
    /// The number is on the tenant's internal (entity-specific) do-not-call list.
    #[serde(rename = "DNC_INTERNAL")]
    DncInternal,
    /// The number is on the National Do Not Call Registry and no exemption applies.
    #[serde(rename = "DNC_NATIONAL")]
    DncNational,
    /// The number is on a state do-not-call list of a jurisdiction in the set.
    #[serde(rename = "DNC_STATE")]
    DncState,
    /// The registry copy used for the scrub is too old (or missing) for the safe harbor.
    #[serde(rename = "DNC_STALE_REGISTRY")]
    DncStaleRegistry,
    /// The seller has not paid for registry access to this area code.
    #[serde(rename = "DNC_AREA_CODE_NOT_SUBSCRIBED")]
    DncAreaCodeNotSubscribed,
    /// Outside the permitted hours of day in at least one zone of the set.
    #[serde(rename = "CALLING_HOURS")]
    CallingHours,
    /// The weekday is closed under a state rule (e.g. Sunday in Alabama).
    #[serde(rename = "STATE_DAY_BAN")]
    StateDayBan,
    /// The local date is a holiday on which a state forbids the contact.
    #[serde(rename = "HOLIDAY")]
    Holiday,
    /// A declared emergency bans solicitation in a jurisdiction of the set.
    #[serde(rename = "EMERGENCY_BAN")]
    EmergencyBan,
    /// A state or tenant frequency cap is reached.
    #[serde(rename = "FREQUENCY_CAP")]
    FrequencyCap,
    /// Regulation F: 7 calls within 7 consecutive days about this debt.
    #[serde(rename = "REG_F_7_IN_7")]
    RegF7In7,
    /// Regulation F: a conversation about this debt happened within the last 7 days.
    #[serde(rename = "REG_F_POST_CONVERSATION")]
    RegFPostConversation,
    /// The consent the purpose and channel need is missing, expired or revoked.
    #[serde(rename = "NO_CONSENT")]
    NoConsent,
    /// The consent on file predates a permanent disconnection (Reassigned Numbers Database).
    #[serde(rename = "REASSIGNED_NUMBER")]
    ReassignedNumber,
    /// The consumer opted out on this channel (STOP, unsubscribe, spoken request).
    #[serde(rename = "OPTED_OUT")]
    OptedOut,
    /// No candidate location, so no local time can be established.
    #[serde(rename = "UNKNOWN_LOCATION")]
    UnknownLocation,
    /// Foreign destination (outside the US and its territories, including NANP countries).
    #[serde(rename = "INTERNATIONAL")]
    International,
    /// The destination is not a parseable phone number (or email for the email channel).
    #[serde(rename = "INVALID_DESTINATION")]
    InvalidDestination,
    /// The number is on one of the tenant's own suppression lists (e.g. known litigators).
    #[serde(rename = "SUPPRESSION_LIST")]
    SuppressionList,
}

impl ReasonCode {
    /// The stable code string written to audit logs and API bodies.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DncInternal => "DNC_INTERNAL",
            Self::DncNational => "DNC_NATIONAL",
            Self::DncState => "DNC_STATE",
            Self::DncStaleRegistry => "DNC_STALE_REGISTRY",
            Self::DncAreaCodeNotSubscribed => "DNC_AREA_CODE_NOT_SUBSCRIBED",
            Self::CallingHours => "CALLING_HOURS",
            Self::StateDayBan => "STATE_DAY_BAN",
            Self::Holiday => "HOLIDAY",
            Self::EmergencyBan => "EMERGENCY_BAN",
            Self::FrequencyCap => "FREQUENCY_CAP",
            Self::RegF7In7 => "REG_F_7_IN_7",
            Self::RegFPostConversation => "REG_F_POST_CONVERSATION",
            Self::NoConsent => "NO_CONSENT",
            Self::ReassignedNumber => "REASSIGNED_NUMBER",
            Self::OptedOut => "OPTED_OUT",
            Self::UnknownLocation => "UNKNOWN_LOCATION",
            Self::International => "INTERNATIONAL",
            Self::InvalidDestination => "INVALID_DESTINATION",
            Self::SuppressionList => "SUPPRESSION_LIST",
        }
    }

    /// True when waiting can lift the block (hours, days, holidays, caps).
    ///
    /// Everything else needs an action (new consent, a fresh registry copy, a cleared
    /// emergency), so `next_allowed_at` is `None` when any such reason is present.
    pub fn is_temporal(self) -> bool {
        matches!(
            self,
            Self::CallingHours
                | Self::StateDayBan
                | Self::Holiday
                | Self::FrequencyCap
                | Self::RegF7In7
                | Self::RegFPostConversation
        )
    }

    /// Every code, for exhaustive tests and documentation.
    pub const ALL: [ReasonCode; 19] = [
        Self::DncInternal,
        Self::DncNational,
        Self::DncState,
        Self::DncStaleRegistry,
        Self::DncAreaCodeNotSubscribed,
        Self::CallingHours,
        Self::StateDayBan,
        Self::Holiday,
        Self::EmergencyBan,
        Self::FrequencyCap,
        Self::RegF7In7,
        Self::RegFPostConversation,
        Self::NoConsent,
        Self::ReassignedNumber,
        Self::OptedOut,
        Self::UnknownLocation,
        Self::International,
        Self::InvalidDestination,
        Self::SuppressionList,
    ];
}

impl std::fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Obligations attached to an allowed (or blocked) contact that do not block it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum NoticeCode {
    /// An all-party recording-consent state is in the set: play the disclosure before recording.
    #[serde(rename = "RECORDING_DISCLOSURE_REQUIRED")]
    RecordingDisclosureRequired,
    /// The Reassigned Numbers Database answered `no data`: no safe harbor, flag for review.
    #[serde(rename = "RND_NO_SAFE_HARBOR")]
    RndNoSafeHarbor,
}

impl NoticeCode {
    /// The stable code string written to audit logs and API bodies.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RecordingDisclosureRequired => "RECORDING_DISCLOSURE_REQUIRED",
            Self::RndNoSafeHarbor => "RND_NO_SAFE_HARBOR",
        }
    }
}

impl std::fmt::Display for NoticeCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
