//! What the caller tells the gate: the contact, the intended contact attempt, and the
//! facts infra has already looked up (consent, opt-outs, DNC scrubs, attempt history).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::place::StateCode;

/// The medium of a contact attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// A telephone call.
    Voice,
    /// A text message (the FCC treats texts as calls).
    Sms,
    /// An email (CAN-SPAM: opt-out regime, no calling hours).
    Email,
}

impl Channel {
    /// Voice and SMS go to a phone number and share TCPA rules.
    pub fn is_phone(self) -> bool {
        matches!(self, Self::Voice | Self::Sms)
    }
}

/// Why the tenant is contacting the consumer; decides which rule sets bind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Telemarketing / telephone solicitation (TCPA, TSR, state telemarketing acts).
    Marketing,
    /// Informational (appointment reminders, policy servicing); no solicitation.
    Informational,
    /// Debt collection (FDCPA / Regulation F, state collection rules).
    Collection,
}

/// How a voice call is placed; decides the consent a call needs (47 CFR 64.1200(a)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DialMode {
    /// An agent dials the number by hand (no autodialer, no recorded voice).
    #[default]
    Manual,
    /// Predictive/progressive dialer or automated text platform.
    Automated,
    /// Artificial or prerecorded voice, including AI-generated voice.
    Prerecorded,
}

/// The kind of line, when infra knows it (carrier lookup).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineType {
    /// Mobile line.
    Wireless,
    /// Residential landline.
    Landline,
    /// Not known: treated as wireless, the stricter case.
    #[default]
    Unknown,
}

/// Where the consumer is said to be, besides the phone number itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactLocation {
    /// Lead ZIP (5 digits or ZIP+4).
    pub zip: Option<String>,
    /// State recorded on the lead.
    pub state_on_file: Option<StateCode>,
    /// State of the mailing/residence address.
    pub address_state: Option<StateCode>,
}

/// Strength of a consent record (47 CFR 64.1200(a)(1)–(3), (f)(9)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentLevel {
    /// Prior express consent (e.g. the consumer gave the number for this purpose).
    PriorExpress,
    /// Prior express written consent: signed agreement naming the number and seller.
    PriorExpressWritten,
}

/// One consent the consumer gave, as recorded by the tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRecord {
    /// Phone number (E.164) or email address the consent names.
    pub address: String,
    /// Strength of the consent.
    pub level: ConsentLevel,
    /// Channels the consent covers.
    pub channels: Vec<Channel>,
    /// When it was given. A consent given after an opt-out re-opts the consumer in.
    pub given_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Contractual expiry, if any.
    pub expires_at: Option<DateTime<Utc>>,
}

/// An opt-out (STOP reply, spoken do-not-call request, email unsubscribe).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptOutRecord {
    /// Phone number (E.164) or email address that opted out.
    pub address: String,
    /// Channel the request arrived on.
    pub channel: Channel,
    /// When it was received.
    pub received_at: DateTime<Utc>,
}

/// Result of scrubbing the number against one registry copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RegistryScrub {
    /// The number is on the list.
    pub listed: bool,
    /// When the registry copy used was obtained; `None` means no scrub was done.
    pub copy_obtained_at: Option<DateTime<Utc>>,
}

/// Result of scrubbing against a state's own do-not-call list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateRegistryScrub {
    /// The state whose list was used.
    pub state: StateCode,
    /// Membership and freshness.
    pub scrub: RegistryScrub,
}

/// Every do-not-call fact infra looked up for the destination number.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DncStatus {
    /// On the tenant's internal (entity-specific) list.
    pub internal: bool,
    /// National Do Not Call Registry scrub.
    pub national: RegistryScrub,
    /// The seller's SAN subscription covers the number's area code (16 CFR 310.8).
    pub area_code_subscribed: bool,
    /// Scrubs against state lists.
    pub state_lists: Vec<StateRegistryScrub>,
    /// Names of the tenant's custom suppression lists (e.g. known litigators) holding the number.
    #[serde(default)]
    pub suppression_lists: Vec<String>,
}

/// Kind of established business relationship (16 CFR 310.4(b)(1)(iii)(B)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EbrKind {
    /// Purchase or transaction: exempt for 18 months.
    Purchase,
    /// Inquiry or application: exempt for 3 months.
    Inquiry,
}

/// An established business relationship that can exempt from the National DNC Registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EstablishedBusinessRelationship {
    /// Purchase or inquiry.
    pub kind: EbrKind,
    /// Date of the last purchase/transaction or of the inquiry.
    pub at: DateTime<Utc>,
}

/// Answer of the FCC Reassigned Numbers Database for the consent date (47 CFR 64.1200(m)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "result")]
pub enum ReassignedCheck {
    /// Not queried.
    #[default]
    NotChecked,
    /// `no data`: no safe harbor.
    NoData,
    /// `no`: not permanently disconnected since the consent date.
    NotReassigned,
    /// `yes`: permanently disconnected at this instant.
    Disconnected {
        /// Disconnection date reported by the database.
        at: DateTime<Utc>,
    },
}

/// Whether an attempt was placed by the tenant or started by the consumer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Placed by the tenant.
    #[default]
    Outbound,
    /// Started by the consumer; never counted against caps.
    Inbound,
}

/// How an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptOutcome {
    /// A telephone conversation with the consumer took place.
    Conversation,
    /// Answered, but no conversation with the consumer (wrong party, hang-up).
    AnsweredNoConversation,
    /// Answering machine / voicemail.
    Voicemail,
    /// Rang out unanswered.
    NoAnswer,
    /// Busy signal: the call did not connect to the dialed number.
    Busy,
    /// Network error, invalid number: the call did not connect.
    DidNotConnect,
    /// Text or email delivered (or accepted by the carrier).
    Delivered,
    /// Text or email rejected.
    Failed,
}

impl AttemptOutcome {
    /// Regulation F excludes calls that did not connect to the dialed number from the
    /// 7-in-7 count (12 CFR 1006.14(b)(3) as summarized in COMPLIANCE.md D2 [U]).
    pub fn connected_to_number(self) -> bool {
        !matches!(self, Self::Busy | Self::DidNotConnect)
    }
}

/// One entry of the consumer's append-only contact ledger, across all their numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptRecord {
    /// When the attempt was placed (or the inbound contact started).
    pub at: DateTime<Utc>,
    /// Medium.
    pub channel: Channel,
    /// Outbound or consumer-initiated.
    pub direction: Direction,
    /// Number or email address used.
    pub address: String,
    /// Purpose of the attempt.
    pub purpose: Purpose,
    /// Campaign that placed it.
    pub campaign_id: Option<String>,
    /// Debt it was about (collection).
    pub debt_id: Option<String>,
    /// Subject matter key, set when the tenant marks product lines as separate subjects.
    pub subject: Option<String>,
    /// How it ended.
    pub outcome: AttemptOutcome,
}

/// Everything the gate needs to decide one contact attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateInput {
    /// Medium of the intended attempt.
    pub channel: Channel,
    /// Purpose of the intended attempt.
    pub purpose: Purpose,
    /// How a voice call would be placed.
    pub dial_mode: DialMode,
    /// Line type of the destination number, if known.
    pub line_type: LineType,
    /// Phone number (E.164) for voice/SMS, email address for email.
    pub destination: String,
    /// ZIP and states on file.
    pub location: ContactLocation,
    /// Campaign placing the attempt.
    pub campaign_id: Option<String>,
    /// Debt the attempt is about (collection).
    pub debt_id: Option<String>,
    /// Subject matter key (see [`AttemptRecord::subject`]).
    pub subject: Option<String>,
    /// Consents on file for this consumer.
    pub consents: Vec<ConsentRecord>,
    /// Opt-outs on file for this consumer.
    pub opt_outs: Vec<OptOutRecord>,
    /// Do-not-call scrub results for the destination.
    pub dnc: DncStatus,
    /// Established business relationship, if any.
    pub ebr: Option<EstablishedBusinessRelationship>,
    /// Reassigned Numbers Database answer for the destination.
    pub reassigned: ReassignedCheck,
    /// The consumer's contact history across all numbers and addresses.
    pub history: Vec<AttemptRecord>,
}

impl GateInput {
    /// A minimal input: no consent, no scrubs, no history, nothing on file.
    pub fn new(channel: Channel, purpose: Purpose, destination: impl Into<String>) -> Self {
        Self {
            channel,
            purpose,
            dial_mode: DialMode::default(),
            line_type: LineType::default(),
            destination: destination.into(),
            location: ContactLocation::default(),
            campaign_id: None,
            debt_id: None,
            subject: None,
            consents: Vec::new(),
            opt_outs: Vec::new(),
            dnc: DncStatus::default(),
            ebr: None,
            reassigned: ReassignedCheck::default(),
            history: Vec::new(),
        }
    }
}

/// Canonical form of an address for comparisons: digits only for phone numbers
/// (so `+1 (212) 555-0100` equals `+12125550100`), lower case for email.
pub(crate) fn same_address(a: &str, b: &str) -> bool {
    if a.contains('@') || b.contains('@') {
        return a.trim().eq_ignore_ascii_case(b.trim());
    }
    let digits = |s: &str| -> String {
        let d: String = s.chars().filter(char::is_ascii_digit).collect();
        // Treat national 10-digit NANP numbers and +1 numbers alike.
        if d.len() == 10 { format!("1{d}") } else { d }
    };
    let (da, db) = (digits(a), digits(b));
    !da.is_empty() && da == db
}
