//! The rule set: every constraint the gate applies, as data, versioned.
//!
//! [`RuleSet::us_default`] is the shipped seed (see `state_rules.rs` and `caps.rs` for the
//! tables and their citations); tenants adjust it with [`TenantOverrides`]. Per
//! COMPLIANCE.md §0.5 and the header note, state rules are configuration, not constants.

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveTime, TimeDelta};
use serde::{Deserialize, Serialize};

use super::codes::ReasonCode;
use super::holidays::Holiday;
use super::model::{Channel, ConsentLevel, DialMode, LineType, Purpose};
use super::place::StateCode;

/// Version of the shipped rule tables; recorded on every decision for the audit log.
/// Bump it whenever a table or a rule's semantics change.
pub const RULESET_VERSION: &str = "us-2026.07.1";

/// How sure the sources are about a rule (COMPLIANCE.md header: P / S / U).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// Primary text was read.
    Primary,
    /// Only agreeing secondary sources.
    Secondary,
    /// One industry table or memory: verify before relying on it.
    Unverified,
}

/// A permitted span of local clock time: `start` inclusive, `end` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    /// First permitted instant of the day.
    pub start: NaiveTime,
    /// First forbidden instant after the window (exclusive end).
    pub end: NaiveTime,
}

impl Window {
    /// A window from whole hours and minutes; `None` if a time is invalid.
    pub fn hm(start_h: u32, start_m: u32, end_h: u32, end_m: u32) -> Option<Self> {
        Some(Self {
            start: NaiveTime::from_hms_opt(start_h, start_m, 0)?,
            end: NaiveTime::from_hms_opt(end_h, end_m, 0)?,
        })
    }
}

/// What a state allows on one kind of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum DayRule {
    /// The state adds nothing (the federal floor still applies).
    Unrestricted,
    /// No contact at all that day.
    Closed,
    /// Contact only inside the window.
    Window {
        /// The permitted span.
        window: Window,
    },
}

/// A channel a state rule covers, optionally from a date (Texas texts from 2025-09-01).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelScope {
    /// The channel.
    pub channel: Channel,
    /// First local date the rule binds this channel; `None` = always.
    pub from: Option<NaiveDate>,
}

/// One state's calling-time rule (COMPLIANCE.md §2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateRule {
    /// The state.
    pub state: StateCode,
    /// Channels bound, with start dates.
    pub channels: Vec<ChannelScope>,
    /// Purposes bound (state telemarketing acts cover solicitation only).
    pub purposes: Vec<Purpose>,
    /// Rule binds only artificial/prerecorded-voice calls (Nebraska).
    pub prerecorded_only: bool,
    /// Monday to Friday.
    pub weekdays: DayRule,
    /// Saturday.
    pub saturday: DayRule,
    /// Sunday.
    pub sunday: DayRule,
    /// Days in `holiday_calendar`; `Unrestricted` means holidays are ordinary days.
    pub holidays: DayRule,
    /// The state's holiday list.
    pub holiday_calendar: Vec<Holiday>,
    /// The statute names standard time literally (Mississippi "Central Standard Time"),
    /// so the window must also hold on the zone's standard-time clock during DST.
    pub standard_time_clock: bool,
    /// Prior express consent lifts the whole rule (Utah 13-25a-103(3)).
    pub consent_exempts: bool,
    /// First local date the rule is in force.
    pub effective_from: Option<NaiveDate>,
    /// Statute or regulation.
    pub citation: String,
    /// Source quality.
    pub confidence: Confidence,
}

impl StateRule {
    /// Whether the rule binds this channel, purpose and dial mode on `local_date`.
    pub fn binds(&self, channel: Channel, purpose: Purpose, mode: DialMode, local_date: NaiveDate) -> bool {
        if self.prerecorded_only && !(channel == Channel::Voice && mode == DialMode::Prerecorded) {
            return false;
        }
        if self.effective_from.is_some_and(|from| local_date < from) {
            return false;
        }
        self.purposes.contains(&purpose)
            && self.channels.iter().any(|s| s.channel == channel && s.from.is_none_or(|from| local_date >= from))
    }
}

/// How long a window a frequency cap looks back over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum CapPeriod {
    /// A rolling window of fixed length ending now ("3 per 24 hours").
    Rolling {
        /// Length in seconds.
        seconds: i64,
    },
    /// Today and the previous `days - 1` local calendar days, in every zone of the set
    /// ("7 consecutive days").
    LocalDays {
        /// Number of calendar days, today included.
        days: u32,
    },
}

/// Which attempts share one counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CapKey {
    /// Every attempt to the consumer, on any of their numbers.
    Consumer,
    /// Attempts to the same number or address only.
    Destination,
    /// Attempts about the same debt.
    Debt,
    /// Attempts on the same subject matter, on any number; unmarked attempts share one
    /// subject (a tenant must mark product lines to count them apart).
    Subject,
}

/// Which outbound attempts count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CapCounts {
    /// Every outbound attempt, whatever its outcome.
    AllOutbound,
    /// Placed calls that reached the number (busy / network failures excluded).
    Connected,
}

/// A frequency cap (state statute, Regulation F, or tenant policy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrequencyCap {
    /// Short name for audit logs.
    pub name: String,
    /// Code reported when the cap is reached.
    pub code: ReasonCode,
    /// Applies only when this state is in the jurisdiction set; `None` = everywhere.
    pub state: Option<StateCode>,
    /// Applies only to attempts of this campaign; `None` = all campaigns.
    pub campaign_id: Option<String>,
    /// Channels counted and bound.
    pub channels: Vec<Channel>,
    /// Purposes counted and bound.
    pub purposes: Vec<Purpose>,
    /// Counter key.
    pub key: CapKey,
    /// Which attempts count.
    pub counts: CapCounts,
    /// Attempts allowed inside the period; the next one is blocked.
    pub max: u32,
    /// Look-back period.
    pub period: CapPeriod,
    /// Statute or policy.
    pub citation: String,
}

/// Regulation F's "no call within 7 days after a conversation" rule (12 CFR 1006.14(b)(2)(i)(B)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationCooldown {
    /// Calendar days blocked, the conversation day being day 1.
    pub days: u32,
    /// Purposes bound.
    pub purposes: Vec<Purpose>,
    /// Channels bound.
    pub channels: Vec<Channel>,
    /// Citation.
    pub citation: String,
}

/// Consent each purpose needs on phone channels (47 CFR 64.1200(a)(1)–(3)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentPolicy {
    /// Marketing by autodialer, text or recorded voice.
    pub marketing: Option<ConsentLevel>,
    /// Informational by autodialer, text or recorded voice.
    pub informational: Option<ConsentLevel>,
    /// Collection by autodialer, text or recorded voice.
    pub collection: Option<ConsentLevel>,
}

impl ConsentPolicy {
    /// The consent an attempt needs, or `None` when the TCPA consent rules do not reach it.
    ///
    /// Manual live-agent calls need no consent (only DNC rules); autodialed calls and all
    /// texts need it when the line may be wireless; prerecorded voice needs it on any line
    /// for marketing (64.1200(a)(3)) and on wireless lines otherwise.
    pub fn required(&self, channel: Channel, purpose: Purpose, mode: DialMode, line: LineType) -> Option<ConsentLevel> {
        let wireless = channel == Channel::Sms || line != LineType::Landline;
        let reached = match (channel, mode) {
            (Channel::Email, _) => false,
            (Channel::Sms, _) => true,
            (Channel::Voice, DialMode::Manual) => false,
            (Channel::Voice, DialMode::Automated) => wireless,
            (Channel::Voice, DialMode::Prerecorded) => wireless || purpose == Purpose::Marketing,
        };
        if !reached {
            return None;
        }
        match purpose {
            Purpose::Marketing => self.marketing,
            Purpose::Informational => self.informational,
            Purpose::Collection => self.collection,
        }
    }
}

/// Federal rules every phone contact is held to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FederalRules {
    /// Calling hours at the called party's location: 8 a.m. to 9 p.m.
    /// (47 CFR 64.1200(c)(1); 16 CFR 310.4(c); 12 CFR 1006.6(b)(1)(i)).
    pub window: Window,
    /// Apply the window to informational contacts too. The TCPA hours reach only
    /// solicitations, but a reminder at 6 a.m. is what consumers complain about.
    pub window_for_informational: bool,
    /// Maximum age in days of the registry copy used for a scrub (16 CFR 310.4(b)(3)(iv)).
    pub registry_max_age_days: i64,
    /// EBR exemption after a purchase, in months (16 CFR 310.4(b)(1)(iii)(B)).
    pub ebr_purchase_months: u32,
    /// EBR exemption after an inquiry, in months.
    pub ebr_inquiry_months: u32,
}

/// The full set of rules the gate evaluates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSet {
    /// Recorded on every decision ([`RULESET_VERSION`] plus any tenant revision).
    pub version: String,
    /// Federal floor.
    pub federal: FederalRules,
    /// State calling-time rules.
    pub states: Vec<StateRule>,
    /// Frequency caps (state, Regulation F, tenant).
    pub caps: Vec<FrequencyCap>,
    /// Regulation F post-conversation rule.
    pub cooldowns: Vec<ConversationCooldown>,
    /// States with a declared emergency in force (switch per state; La. R.S. 45:844.31).
    pub emergency_bans: BTreeSet<StateCode>,
    /// States that presume the called party is in the state of the area code
    /// (FL FTSA, OK 15 O.S. 775C, CT 42-288a; COMPLIANCE.md §0.1): their rules bind in
    /// every zone of the set when the area code is theirs.
    pub area_code_presumption: BTreeSet<StateCode>,
    /// States whose own do-not-call list must be scrubbed for marketing.
    pub state_dnc_lists: BTreeSet<StateCode>,
    /// All-party recording-consent states (a disclosure must play before recording).
    pub all_party_recording: BTreeSet<StateCode>,
    /// Consent per purpose.
    pub consent: ConsentPolicy,
    /// Time a dial may still ring after it starts (ring timeout): a call is allowed only
    /// if it would stop ringing by the window's end (COMPLIANCE.md §8 case 23).
    pub guard_band_seconds: i64,
}

impl RuleSet {
    /// The guard band as a duration (negative values count as zero).
    pub fn guard_band(&self) -> TimeDelta {
        TimeDelta::seconds(self.guard_band_seconds.max(0))
    }

    /// Applies a tenant's overrides. Tenants can tighten or replace state rules and add
    /// caps and closures; they cannot remove the federal floor.
    pub fn with_overrides(mut self, overrides: &TenantOverrides) -> Self {
        if let Some(guard) = overrides.guard_band_seconds {
            self.guard_band_seconds = guard.max(0);
        }
        for replacement in &overrides.state_rules {
            self.states.retain(|r| r.state != replacement.state);
            self.states.push(replacement.clone());
        }
        for closure in &overrides.extra_holidays {
            for rule in self.states.iter_mut().filter(|r| r.state == closure.state) {
                rule.holiday_calendar.push(closure.holiday.clone());
            }
        }
        self.caps.extend(overrides.caps.iter().cloned());
        self.emergency_bans.extend(overrides.emergency_bans.iter().copied());
        if let Some(consent) = &overrides.consent {
            self.consent = consent.clone();
        }
        if let Some(revision) = &overrides.revision {
            self.version = format!("{}+{revision}", self.version);
        }
        self
    }
}

/// A holiday a tenant adds to one state's calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateHoliday {
    /// The state.
    pub state: StateCode,
    /// The holiday.
    pub holiday: Holiday,
}

/// A tenant's adjustments to the shipped rule set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TenantOverrides {
    /// Revision label appended to the version on decisions (e.g. the settings row version).
    pub revision: Option<String>,
    /// Ring timeout / guard band in seconds.
    pub guard_band_seconds: Option<i64>,
    /// Replacement state rules (whole rule per state).
    pub state_rules: Vec<StateRule>,
    /// Extra closures per state.
    pub extra_holidays: Vec<StateHoliday>,
    /// Tenant-defined caps per channel and campaign.
    pub caps: Vec<FrequencyCap>,
    /// Emergency bans switched on.
    pub emergency_bans: Vec<StateCode>,
    /// Replacement consent policy.
    pub consent: Option<ConsentPolicy>,
}
