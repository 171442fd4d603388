//! Pure conversions between Outdial's requests and Twilio's form bodies and callbacks.

use super::super::*;
use chrono::{DateTime, Utc};
use serde::Deserialize;

/// Form parameters as sent (repeated keys are arrays).
pub type Form = Vec<(String, String)>;

fn p(form: &mut Form, k: &str, v: impl Into<String>) {
    form.push((k.to_owned(), v.into()));
}

/// `POST /Calls.json` body.
pub fn create_call(call: &PlaceCall) -> Form {
    let mut f = Form::new();
    p(&mut f, "To", call.to.as_str());
    p(&mut f, "From", call.from.as_str());
    p(&mut f, "Url", &call.urls.answer);
    p(&mut f, "Method", "POST");
    p(&mut f, "StatusCallback", &call.urls.status);
    p(&mut f, "StatusCallbackMethod", "POST");
    for event in ["initiated", "ringing", "answered", "completed"] {
        p(&mut f, "StatusCallbackEvent", event);
    }
    p(&mut f, "Timeout", call.ring_timeout_secs.clamp(5, 600).to_string());
    if let Some(limit) = call.time_limit_secs {
        p(&mut f, "TimeLimit", limit.to_string());
    }
    match call.amd {
        AmdMode::Off => {}
        mode => {
            let detection = if mode == AmdMode::DetectBeep { "DetectMessageEnd" } else { "Enable" };
            p(&mut f, "MachineDetection", detection);
            p(&mut f, "AsyncAmd", "true");
            p(&mut f, "AsyncAmdStatusCallback", &call.urls.amd);
            p(&mut f, "AsyncAmdStatusCallbackMethod", "POST");
        }
    }
    f
}

/// `POST /Calls/{Sid}.json` body for an action, or `None` when Twilio does it another way.
pub fn update_call(action: &CallAction) -> Option<Form> {
    let twiml = match action {
        CallAction::Hangup => return Some(vec![("Status".into(), "completed".into())]),
        CallAction::JoinConference { name } => super::twiml::bridge_to_agent(name, None, None),
        CallAction::Play { audio_url } => super::twiml::voicemail_drop(audio_url),
        CallAction::Speak { text } => super::twiml::response(&[super::twiml::Verb::Say(text.clone())]),
        CallAction::Twiml { twiml } => twiml.clone(),
        _ => return None,
    };
    Some(vec![("Twiml".into(), twiml)])
}

/// `POST /Messages.json` body.
pub fn create_message(msg: &SendMessage) -> Form {
    let mut f = Form::new();
    p(&mut f, "To", msg.to.as_str());
    p(&mut f, "From", msg.from.as_str());
    if !msg.body.is_empty() {
        p(&mut f, "Body", &msg.body);
    }
    for url in &msg.media_urls {
        p(&mut f, "MediaUrl", url);
    }
    p(&mut f, "StatusCallback", &msg.status_url);
    f
}

/// `POST /IncomingPhoneNumbers.json` (buy) or `/IncomingPhoneNumbers/{Sid}.json` (configure).
pub fn number_form(number: Option<&str>, area_code: Option<u16>, hooks: &NumberHooks, name: Option<&str>) -> Form {
    let mut f = Form::new();
    if let Some(n) = number {
        p(&mut f, "PhoneNumber", n);
    }
    if let Some(a) = area_code {
        p(&mut f, "AreaCode", a.to_string());
    }
    p(&mut f, "VoiceUrl", &hooks.voice_url);
    p(&mut f, "VoiceMethod", "POST");
    p(&mut f, "SmsUrl", &hooks.sms_url);
    p(&mut f, "SmsMethod", "POST");
    p(&mut f, "StatusCallback", &hooks.status_url);
    p(&mut f, "StatusCallbackMethod", "POST");
    if let Some(n) = name {
        p(&mut f, "FriendlyName", n);
    }
    f
}

/// The parts of a Call resource we read.
#[derive(Debug, Deserialize)]
pub struct CallResource {
    pub sid: String,
    pub status: String,
    /// Seconds, once the call is over (a string in Twilio's JSON).
    #[serde(default)]
    pub duration: Option<String>,
}

/// The parts of a Message resource we read.
#[derive(Debug, Deserialize)]
pub struct MessageResource {
    pub sid: String,
    pub status: String,
}

/// The parts of an IncomingPhoneNumber resource we read.
#[derive(Debug, Deserialize)]
pub struct NumberResource {
    pub sid: String,
    pub phone_number: String,
    #[serde(default)]
    pub capabilities: Capabilities,
}

#[derive(Debug, Deserialize, Default)]
pub struct Capabilities {
    #[serde(default)]
    pub voice: bool,
    #[serde(default, alias = "SMS")]
    pub sms: bool,
    #[serde(default, alias = "MMS")]
    pub mms: bool,
}

/// `GET /IncomingPhoneNumbers.json` page.
#[derive(Debug, Deserialize)]
pub struct NumberPage {
    pub incoming_phone_numbers: Vec<NumberResource>,
}

/// Twilio's error body.
#[derive(Debug, Deserialize)]
pub struct ErrorBody {
    pub code: Option<i64>,
    pub message: Option<String>,
}

/// `CallStatus` / resource `status` → normalized. Tolerates `initiated` (PROVIDERS.md §2b).
pub fn call_status(s: &str) -> Option<CallStatus> {
    Some(match s {
        "queued" => CallStatus::Queued,
        "initiated" => CallStatus::Initiated,
        "ringing" => CallStatus::Ringing,
        "in-progress" | "answered" => CallStatus::InProgress,
        "completed" => CallStatus::Completed,
        "busy" => CallStatus::Busy,
        "no-answer" => CallStatus::NoAnswer,
        "failed" => CallStatus::Failed,
        "canceled" => CallStatus::Canceled,
        _ => return None,
    })
}

/// `AnsweredBy` → normalized.
pub fn answered_by(s: &str) -> Option<AmdResult> {
    Some(match s {
        "human" => AmdResult::Human,
        "machine_start" => AmdResult::Machine,
        "machine_end_beep" => AmdResult::MachineBeep,
        "machine_end_silence" | "machine_end_other" => AmdResult::MachineEnd,
        "fax" => AmdResult::Fax,
        "unknown" => AmdResult::Unknown,
        _ => return None,
    })
}

/// `MessageStatus` → normalized.
pub fn message_status(s: &str) -> Option<MessageStatus> {
    Some(match s {
        "queued" | "accepted" | "scheduled" => MessageStatus::Queued,
        "sending" => MessageStatus::Sending,
        "sent" => MessageStatus::Sent,
        "delivered" | "read" => MessageStatus::Delivered,
        "undelivered" | "partially_delivered" => MessageStatus::Undelivered,
        "failed" | "canceled" => MessageStatus::Failed,
        "received" | "receiving" => MessageStatus::Received,
        _ => return None,
    })
}

/// Which of our Twilio callback URLs a request came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hook {
    /// TwiML request for an answered outbound call, or an incoming call.
    Voice,
    Status,
    Amd,
    Sms,
    SmsStatus,
    Recording,
    Transcription,
}

impl Hook {
    pub fn parse(s: &str) -> Option<Hook> {
        Some(match s {
            "voice" => Hook::Voice,
            "status" => Hook::Status,
            "amd" => Hook::Amd,
            "sms" => Hook::Sms,
            "sms-status" => Hook::SmsStatus,
            "recording" => Hook::Recording,
            "transcription" => Hook::Transcription,
            _ => return None,
        })
    }
}

struct Params<'a>(&'a [(String, String)]);

impl Params<'_> {
    fn get(&self, k: &str) -> Option<&str> {
        self.0.iter().find(|(name, _)| name == k).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
    }
    fn need(&self, k: &str) -> Result<&str, WebhookError> {
        self.get(k).ok_or_else(|| WebhookError::Malformed(format!("`{k}` is missing")))
    }
    fn num(&self, k: &str) -> Option<u32> {
        self.get(k).and_then(|v| v.parse().ok())
    }
}

/// Parses a verified callback into an event.
pub fn parse_callback(hook: Hook, params: &[(String, String)]) -> Result<CarrierEvent, WebhookError> {
    let q = Params(params);
    let bad = |k: &str, v: &str| WebhookError::Malformed(format!("`{k}` has an unknown value `{v}`"));
    let direction =
        q.get("Direction").map(|d| if d == "inbound" { CallDirection::Inbound } else { CallDirection::Outbound });
    let occurred_at =
        q.get("Timestamp").and_then(|t| DateTime::parse_from_rfc2822(t).ok()).map(|t| t.with_timezone(&Utc));
    let (key, subject, kind) = match hook {
        Hook::Status => {
            let sid = q.need("CallSid")?;
            let raw = q.need("CallStatus")?;
            let status = call_status(raw).ok_or_else(|| bad("CallStatus", raw))?;
            let duration_secs = q.num("CallDuration");
            (format!("{sid}:status:{raw}"), sid, EventKind::Status { status, duration_secs, hangup: None })
        }
        Hook::Amd => {
            let sid = q.need("CallSid")?;
            let raw = q.need("AnsweredBy")?;
            let result = answered_by(raw).ok_or_else(|| bad("AnsweredBy", raw))?;
            (format!("{sid}:amd"), sid, EventKind::Amd { result, detection_ms: q.num("MachineDetectionDuration") })
        }
        Hook::Voice => {
            let sid = q.need("CallSid")?;
            if direction == Some(CallDirection::Inbound) {
                (format!("{sid}:incoming"), sid, EventKind::IncomingCall)
            } else {
                let answered_by = q.get("AnsweredBy").and_then(answered_by);
                (format!("{sid}:answered"), sid, EventKind::Answered { answered_by })
            }
        }
        Hook::Sms => {
            let sid = q
                .get("MessageSid")
                .or(q.get("SmsSid"))
                .ok_or_else(|| WebhookError::Malformed("`MessageSid` is missing".into()))?;
            let body = q.get("Body").unwrap_or_default().to_owned();
            let count = q.num("NumMedia").unwrap_or(0);
            let media_urls = (0..count).filter_map(|i| q.get(&format!("MediaUrl{i}")).map(str::to_owned)).collect();
            (format!("{sid}:received"), sid, EventKind::MessageReceived { body, media_urls })
        }
        Hook::SmsStatus => {
            let sid = q
                .get("MessageSid")
                .or(q.get("SmsSid"))
                .ok_or_else(|| WebhookError::Malformed("`MessageSid` is missing".into()))?;
            let raw = q
                .get("MessageStatus")
                .or(q.get("SmsStatus"))
                .ok_or_else(|| WebhookError::Malformed("`MessageStatus` is missing".into()))?;
            let status = message_status(raw).ok_or_else(|| bad("MessageStatus", raw))?;
            let error_code = q.get("ErrorCode").map(str::to_owned);
            (format!("{sid}:status:{raw}"), sid, EventKind::MessageStatus { status, error_code })
        }
        Hook::Recording => {
            let sid = q.need("CallSid")?;
            let rec = q.need("RecordingSid")?;
            let status = q.get("RecordingStatus").unwrap_or("completed");
            let url = q.need("RecordingUrl")?.to_owned();
            (
                format!("{rec}:{status}"),
                sid,
                EventKind::RecordingReady { url, duration_secs: q.num("RecordingDuration") },
            )
        }
        Hook::Transcription => {
            let sid = q.need("CallSid")?;
            let tsid = q.need("TranscriptionSid")?;
            let event = q.need("TranscriptionEvent")?;
            let seq = q.get("SequenceId").unwrap_or("0");
            let kind = if event == "transcription-content" {
                let data: serde_json::Value = serde_json::from_str(q.need("TranscriptionData")?)
                    .map_err(|_| WebhookError::Malformed("`TranscriptionData` is not JSON".into()))?;
                EventKind::Transcript {
                    text: data["transcript"].as_str().unwrap_or_default().to_owned(),
                    is_final: q.get("Final") == Some("true"),
                    track: q.get("Track").unwrap_or("inbound_track").to_owned(),
                }
            } else {
                EventKind::Other { name: format!("call.{event}") }
            };
            (format!("{tsid}:{event}:{seq}"), sid, kind)
        }
    };
    Ok(CarrierEvent {
        key: format!("tw:{key}"),
        subject_id: subject.to_owned(),
        kind,
        from: q.get("From").map(str::to_owned),
        to: q.get("To").map(str::to_owned),
        direction,
        client_state: None,
        occurred_at,
    })
}
