//! Carrier-neutral requests, statuses and events.

use chrono::{DateTime, Utc};
use outdial_domain::contacts::Phone;
use serde::{Deserialize, Serialize};

/// Which carrier protocol an account speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    Twilio,
    Telnyx,
}

impl Provider {
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Twilio => "twilio",
            Provider::Telnyx => "telnyx",
        }
    }
    pub fn parse(s: &str) -> Option<Provider> {
        match s {
            "twilio" => Some(Provider::Twilio),
            "telnyx" => Some(Provider::Telnyx),
            _ => None,
        }
    }
}

/// Answering-machine detection wanted on a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum AmdMode {
    /// No detection.
    #[default]
    Off,
    /// Human or machine as soon as it is known.
    Detect,
    /// Also wait for the end of a machine greeting (the beep), for voicemail drop.
    DetectBeep,
}

/// Where a carrier reports what happens to a call or message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackUrls {
    /// Twilio asks this URL for TwiML when the call is answered; Telnyx ignores it.
    pub answer: String,
    /// Call progress (Twilio status callback; Telnyx sends every event here).
    pub status: String,
    /// Async AMD results (Twilio); Telnyx sends them to `status`.
    pub amd: String,
}

/// An outbound call to place.
#[derive(Debug, Clone)]
pub struct PlaceCall {
    pub to: Phone,
    pub from: Phone,
    pub amd: AmdMode,
    /// Seconds to let it ring before giving up.
    pub ring_timeout_secs: u32,
    pub time_limit_secs: Option<u32>,
    pub urls: CallbackUrls,
    /// Echoed back on every event (Telnyx `client_state`); our call id.
    pub client_state: String,
    /// Deduplicates retries at carriers that support it (Telnyx `command_id`).
    pub idempotency_key: String,
    /// A supervisor's call that supervises another leg from the start (Telnyx
    /// `supervise_call_control_id`; Twilio does this with the answer's TwiML instead).
    pub supervise: Option<Supervise>,
}

/// The leg a supervisor's call supervises, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Supervise {
    /// The carrier's id of the supervised leg.
    pub call_id: String,
    pub mode: outdial_domain::call_flow::MonitorMode,
}

/// A call as the carrier reports it when asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallSnapshot {
    pub status: CallStatus,
    pub duration_secs: Option<u32>,
}

/// What the carrier said when it accepted a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedCall {
    /// Twilio `CallSid`, Telnyx `call_control_id`.
    pub provider_call_id: String,
    pub status: CallStatus,
}

/// Something to do on a live call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallAction {
    /// Pick up an incoming call (Telnyx; Twilio answers by returning TwiML).
    Answer,
    Hangup,
    /// Join the call into a named conference (the agent's room): Twilio TwiML redirect.
    JoinConference {
        name: String,
    },
    /// Bridge to another live call leg (Telnyx `bridge`). With `park_after`, this leg stays
    /// up (parked) when the other one leaves: an agent's persistent leg.
    Bridge {
        other_call_id: String,
        park_after: bool,
    },
    Play {
        audio_url: String,
    },
    Speak {
        text: String,
    },
    StartRecording {
        dual_channel: bool,
    },
    StartTranscription {
        callback_url: String,
    },
    StartStream {
        url: String,
    },
    /// Replace what the call is doing with new TwiML (Twilio only).
    Twiml {
        twiml: String,
    },
    /// Transfer the call to another number.
    Transfer {
        to: Phone,
        from: Phone,
    },
    /// Change how a supervisor's call supervises its leg (Telnyx `switch_supervisor_role`;
    /// Twilio re-joins the room with new TwiML instead).
    SwitchSupervisorRole {
        mode: outdial_domain::call_flow::MonitorMode,
    },
}

impl CallAction {
    pub fn name(&self) -> &'static str {
        match self {
            CallAction::Answer => "answer",
            CallAction::Hangup => "hangup",
            CallAction::JoinConference { .. } => "join_conference",
            CallAction::Bridge { .. } => "bridge",
            CallAction::Play { .. } => "play",
            CallAction::Speak { .. } => "speak",
            CallAction::StartRecording { .. } => "start_recording",
            CallAction::StartTranscription { .. } => "start_transcription",
            CallAction::StartStream { .. } => "start_stream",
            CallAction::Twiml { .. } => "twiml",
            CallAction::Transfer { .. } => "transfer",
            CallAction::SwitchSupervisorRole { .. } => "switch_supervisor_role",
        }
    }
}

/// A text to send.
#[derive(Debug, Clone)]
pub struct SendMessage {
    pub to: Phone,
    pub from: Phone,
    pub body: String,
    pub media_urls: Vec<String>,
    pub status_url: String,
}

/// What the carrier said when it accepted a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMessage {
    pub provider_message_id: String,
    pub status: MessageStatus,
}

/// Which number to buy.
#[derive(Debug, Clone)]
pub struct BuyNumber {
    /// An exact number, or any number in `area_code`.
    pub number: Option<Phone>,
    pub area_code: Option<u16>,
    pub hooks: NumberHooks,
    pub friendly_name: Option<String>,
}

/// Where a number's inbound calls and texts go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberHooks {
    pub voice_url: String,
    pub sms_url: String,
    pub status_url: String,
}

/// A number held on the carrier account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedNumber {
    /// Twilio `PN...` sid; Telnyx phone number id.
    pub provider_number_id: String,
    pub phone: Phone,
    pub voice: bool,
    pub sms: bool,
    pub mms: bool,
}

/// Normalized call status, ordered by how far a call has progressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallStatus {
    Queued,
    Initiated,
    Ringing,
    InProgress,
    Completed,
    Busy,
    NoAnswer,
    Failed,
    Canceled,
}

impl CallStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CallStatus::Queued => "queued",
            CallStatus::Initiated => "initiated",
            CallStatus::Ringing => "ringing",
            CallStatus::InProgress => "in_progress",
            CallStatus::Completed => "completed",
            CallStatus::Busy => "busy",
            CallStatus::NoAnswer => "no_answer",
            CallStatus::Failed => "failed",
            CallStatus::Canceled => "canceled",
        }
    }
    pub fn parse(s: &str) -> Option<CallStatus> {
        Some(match s {
            "queued" => CallStatus::Queued,
            "initiated" => CallStatus::Initiated,
            "ringing" => CallStatus::Ringing,
            "in_progress" => CallStatus::InProgress,
            "completed" => CallStatus::Completed,
            "busy" => CallStatus::Busy,
            "no_answer" => CallStatus::NoAnswer,
            "failed" => CallStatus::Failed,
            "canceled" => CallStatus::Canceled,
            _ => return None,
        })
    }
    /// Progress rank: a late, reordered event never moves a call backwards.
    pub fn rank(self) -> u8 {
        match self {
            CallStatus::Queued => 0,
            CallStatus::Initiated => 1,
            CallStatus::Ringing => 2,
            CallStatus::InProgress => 3,
            _ => 4,
        }
    }
    pub fn is_final(self) -> bool {
        self.rank() == 4
    }
}

/// Normalized answering-machine detection result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AmdResult {
    Human,
    /// A machine, greeting still playing.
    Machine,
    /// The greeting ended with a beep: drop the voicemail now.
    MachineBeep,
    /// The greeting ended without a beep (silence or other).
    MachineEnd,
    Fax,
    Unknown,
}

impl AmdResult {
    pub fn as_str(self) -> &'static str {
        match self {
            AmdResult::Human => "human",
            AmdResult::Machine => "machine",
            AmdResult::MachineBeep => "machine_beep",
            AmdResult::MachineEnd => "machine_end",
            AmdResult::Fax => "fax",
            AmdResult::Unknown => "unknown",
        }
    }
    pub fn is_machine(self) -> bool {
        matches!(self, AmdResult::Machine | AmdResult::MachineBeep | AmdResult::MachineEnd | AmdResult::Fax)
    }
}

/// Normalized message status, ordered like [`CallStatus`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    Queued,
    Sending,
    Sent,
    Delivered,
    Undelivered,
    Failed,
    Received,
}

impl MessageStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Queued => "queued",
            MessageStatus::Sending => "sending",
            MessageStatus::Sent => "sent",
            MessageStatus::Delivered => "delivered",
            MessageStatus::Undelivered => "undelivered",
            MessageStatus::Failed => "failed",
            MessageStatus::Received => "received",
        }
    }
    pub fn parse(s: &str) -> Option<MessageStatus> {
        Some(match s {
            "queued" => MessageStatus::Queued,
            "sending" => MessageStatus::Sending,
            "sent" => MessageStatus::Sent,
            "delivered" => MessageStatus::Delivered,
            "undelivered" => MessageStatus::Undelivered,
            "failed" => MessageStatus::Failed,
            "received" => MessageStatus::Received,
            _ => return None,
        })
    }
    pub fn rank(self) -> u8 {
        match self {
            MessageStatus::Queued => 0,
            MessageStatus::Sending => 1,
            MessageStatus::Sent => 2,
            _ => 3,
        }
    }
}

/// Who ended a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HangupSource {
    Caller,
    Callee,
    Unknown,
}

/// Call or inbound direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallDirection {
    Outbound,
    Inbound,
}

/// What happened, as the carrier told us.
#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    Status {
        status: CallStatus,
        duration_secs: Option<u32>,
        hangup: Option<HangupSource>,
    },
    Amd {
        result: AmdResult,
        detection_ms: Option<u32>,
    },
    /// Twilio is asking what to do with an answered call (TwiML expected in the response).
    Answered {
        answered_by: Option<AmdResult>,
    },
    /// A call to one of our numbers.
    IncomingCall,
    PlaybackEnded,
    SpeakEnded,
    Bridged,
    RecordingReady {
        url: String,
        duration_secs: Option<u32>,
    },
    Transcript {
        text: String,
        is_final: bool,
        track: String,
    },
    MessageStatus {
        status: MessageStatus,
        error_code: Option<String>,
    },
    MessageReceived {
        body: String,
        /// Pictures and other media of an MMS, as the carrier hosts them.
        media_urls: Vec<String>,
    },
    /// Recognised but not used by Outdial; kept in the event log.
    Other {
        name: String,
    },
}

impl EventKind {
    pub fn name(&self) -> String {
        match self {
            EventKind::Status { status, .. } => format!("call.{}", status.as_str()),
            EventKind::Amd { .. } => "call.amd".into(),
            EventKind::Answered { .. } => "call.answered".into(),
            EventKind::IncomingCall => "call.incoming".into(),
            EventKind::PlaybackEnded => "call.playback_ended".into(),
            EventKind::SpeakEnded => "call.speak_ended".into(),
            EventKind::Bridged => "call.bridged".into(),
            EventKind::RecordingReady { .. } => "call.recording_ready".into(),
            EventKind::Transcript { .. } => "call.transcript".into(),
            EventKind::MessageStatus { status, .. } => format!("message.{}", status.as_str()),
            EventKind::MessageReceived { .. } => "message.received".into(),
            EventKind::Other { name } => name.clone(),
        }
    }
}

/// One verified carrier event.
#[derive(Debug, Clone, PartialEq)]
pub struct CarrierEvent {
    /// Deduplication key, unique per carrier account (Telnyx event id; for Twilio, derived
    /// from the call or message sid and what happened).
    pub key: String,
    /// Call sid / call_control_id, or message sid / id.
    pub subject_id: String,
    pub kind: EventKind,
    pub from: Option<String>,
    pub to: Option<String>,
    pub direction: Option<CallDirection>,
    /// Our call id as echoed by the carrier (Telnyx `client_state`).
    pub client_state: Option<String>,
    pub occurred_at: Option<DateTime<Utc>>,
}
