//! Pure conversions between Outdial's requests and Telnyx JSON bodies and webhook events.

use super::super::*;
use base64::Engine;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// `POST /v2/calls` body.
pub fn create_call(call: &PlaceCall, connection_id: &str) -> Value {
    let amd = match call.amd {
        AmdMode::Off => "disabled",
        AmdMode::Detect => "detect",
        AmdMode::DetectBeep => "detect_beep",
    };
    let mut body = json!({
        "connection_id": connection_id,
        "to": call.to.as_str(),
        "from": call.from.as_str(),
        "answering_machine_detection": amd,
        "timeout_secs": call.ring_timeout_secs.clamp(5, 600),
        "client_state": b64(&call.client_state),
        "command_id": call.idempotency_key,
        "webhook_url": call.urls.status,
        "webhook_url_method": "POST",
    });
    if let Some(limit) = call.time_limit_secs {
        body["time_limit_secs"] = json!(limit.clamp(30, 14_400));
    }
    if let Some(s) = &call.supervise {
        body["supervise_call_control_id"] = json!(s.call_id);
        body["supervisor_role"] = json!(supervisor_role(s.mode));
    }
    body
}

/// Telnyx's name for a monitor mode.
fn supervisor_role(mode: outdial_domain::call_flow::MonitorMode) -> &'static str {
    use outdial_domain::call_flow::MonitorMode;
    match mode {
        MonitorMode::Listen => "monitor",
        MonitorMode::Whisper => "whisper",
        MonitorMode::Barge => "barge",
    }
}

/// The action path segment and body for a call action, or `None` when Telnyx has no such action.
pub fn action(action: &CallAction, command_id: &str) -> Option<(&'static str, Value)> {
    let (name, mut body) = match action {
        CallAction::Answer => ("answer", json!({})),
        CallAction::Hangup => ("hangup", json!({})),
        CallAction::Bridge { other_call_id, park_after } => {
            let mut body = json!({ "call_control_id": other_call_id });
            if *park_after {
                body["park_after_unbridge"] = json!("self");
            }
            ("bridge", body)
        }
        CallAction::Play { audio_url } => ("playback_start", json!({ "audio_url": audio_url })),
        CallAction::Speak { text } => {
            ("speak", json!({ "payload": text, "voice": "female", "language": "en-US", "payload_type": "text" }))
        }
        CallAction::StartRecording { dual_channel } => {
            ("record_start", json!({ "format": "mp3", "channels": if *dual_channel { "dual" } else { "single" } }))
        }
        CallAction::StartTranscription { .. } => ("transcription_start", json!({ "transcription_tracks": "both" })),
        CallAction::StartStream { url } => {
            ("streaming_start", json!({ "stream_url": url, "stream_track": "both_tracks" }))
        }
        CallAction::Transfer { to, from } => ("transfer", json!({ "to": to.as_str(), "from": from.as_str() })),
        CallAction::SwitchSupervisorRole { mode } => {
            ("switch_supervisor_role", json!({ "role": supervisor_role(*mode) }))
        }
        CallAction::JoinConference { .. } | CallAction::Twiml { .. } => return None,
    };
    // Setting a role is idempotent by nature, and its request takes no `command_id`.
    if name != "switch_supervisor_role" {
        body["command_id"] = json!(command_id);
    }
    Some((name, body))
}

/// `POST /v2/messages` body.
pub fn create_message(msg: &SendMessage, messaging_profile_id: Option<&str>) -> Value {
    let mut body = json!({
        "from": msg.from.as_str(),
        "to": msg.to.as_str(),
        "webhook_url": msg.status_url,
        "type": if msg.media_urls.is_empty() { "SMS" } else { "MMS" },
    });
    if !msg.body.is_empty() {
        body["text"] = json!(msg.body);
    }
    if !msg.media_urls.is_empty() {
        body["media_urls"] = json!(msg.media_urls);
    }
    if let Some(profile) = messaging_profile_id {
        body["messaging_profile_id"] = json!(profile);
    }
    body
}

/// How long a saved recording runs, from its start and end times.
fn recording_secs(p: &Value) -> Option<u32> {
    let at = |k: &str| p[k].as_str().and_then(|t| DateTime::parse_from_rfc3339(t).ok());
    let secs = (at("recording_ended_at")? - at("recording_started_at")?).num_seconds();
    u32::try_from(secs).ok()
}

/// Telnyx error body → (code, detail).
pub fn error(body: &Value) -> (Option<String>, Option<String>) {
    let first = &body["errors"][0];
    let code = first["code"].as_str().map(str::to_owned).or_else(|| first["code"].as_i64().map(|c| c.to_string()));
    let detail = first["detail"].as_str().or(first["title"].as_str()).map(str::to_owned);
    (code, detail)
}

/// Message status in `to[0].status` → normalized.
pub fn message_status(s: &str) -> Option<MessageStatus> {
    Some(match s {
        "queued" | "scheduled" => MessageStatus::Queued,
        "sending" => MessageStatus::Sending,
        "sent" => MessageStatus::Sent,
        "delivered" => MessageStatus::Delivered,
        "delivery_unconfirmed" => MessageStatus::Sent,
        "delivery_failed" => MessageStatus::Undelivered,
        "sending_failed" | "expired" => MessageStatus::Failed,
        "webhook_delivered" | "received" => MessageStatus::Received,
        _ => return None,
    })
}

fn hangup_status(cause: &str) -> CallStatus {
    match cause {
        "user_busy" => CallStatus::Busy,
        "timeout" | "no_answer" => CallStatus::NoAnswer,
        "originator_cancel" => CallStatus::Canceled,
        "call_rejected" | "not_found" | "unspecified" => CallStatus::Failed,
        _ => CallStatus::Completed,
    }
}

/// Parses a verified webhook body into an event.
pub fn parse_event(body: &[u8]) -> Result<CarrierEvent, WebhookError> {
    let v: Value = serde_json::from_slice(body).map_err(|e| WebhookError::Malformed(format!("not JSON: {e}")))?;
    let data = &v["data"];
    let (Some(id), Some(event_type)) = (data["id"].as_str(), data["event_type"].as_str()) else {
        return Err(WebhookError::Malformed("`data.id` and `data.event_type` are required".into()));
    };
    let p = &data["payload"];
    let s = |k: &str| p[k].as_str().map(str::to_owned);
    let bad = |k: &str| WebhookError::Malformed(format!("`payload.{k}` is missing or unknown"));
    let occurred_at =
        data["occurred_at"].as_str().and_then(|t| DateTime::parse_from_rfc3339(t).ok()).map(|t| t.with_timezone(&Utc));
    let started = |k: &str| p[k].as_str().and_then(|t| DateTime::parse_from_rfc3339(t).ok());
    let (subject, kind) = if event_type.starts_with("message.") {
        let subject = s("id").ok_or_else(|| bad("id"))?;
        let kind = if event_type == "message.received" {
            let media_urls = p["media"]
                .as_array()
                .map(|m| m.iter().filter_map(|x| x["url"].as_str().map(str::to_owned)).collect())
                .unwrap_or_default();
            EventKind::MessageReceived { body: s("text").unwrap_or_default(), media_urls }
        } else {
            let raw = p["to"][0]["status"].as_str().ok_or_else(|| bad("to[0].status"))?;
            let status = message_status(raw).ok_or_else(|| bad("to[0].status"))?;
            let error_code = p["errors"][0]["code"].as_str().map(str::to_owned);
            EventKind::MessageStatus { status, error_code }
        };
        (subject, kind)
    } else {
        // `call.recording.saved` names the leg only.
        let subject = s("call_control_id").or_else(|| s("call_leg_id")).ok_or_else(|| bad("call_control_id"))?;
        let kind = match event_type {
            "call.initiated" if p["direction"] == "incoming" => EventKind::IncomingCall,
            "call.initiated" => EventKind::Status { status: CallStatus::Initiated, duration_secs: None, hangup: None },
            "call.ringing" => EventKind::Status { status: CallStatus::Ringing, duration_secs: None, hangup: None },
            "call.answered" => EventKind::Status { status: CallStatus::InProgress, duration_secs: None, hangup: None },
            "call.hangup" => {
                let cause = p["hangup_cause"].as_str().unwrap_or("normal_clearing");
                let hangup = match p["hangup_source"].as_str() {
                    Some("caller") => Some(HangupSource::Caller),
                    Some("callee") => Some(HangupSource::Callee),
                    _ => Some(HangupSource::Unknown),
                };
                let duration_secs = match (started("start_time"), occurred_at) {
                    (Some(a), Some(b)) => u32::try_from((b - a.with_timezone(&Utc)).num_seconds()).ok(),
                    _ => None,
                };
                EventKind::Status { status: hangup_status(cause), duration_secs, hangup }
            }
            "call.machine.detection.ended" | "call.machine.premium.detection.ended" => {
                let result = match p["result"].as_str().ok_or_else(|| bad("result"))? {
                    "human" | "human_residence" | "human_business" => AmdResult::Human,
                    "machine" => AmdResult::Machine,
                    "fax_detected" => AmdResult::Fax,
                    _ => AmdResult::Unknown,
                };
                EventKind::Amd { result, detection_ms: None }
            }
            "call.machine.greeting.ended" | "call.machine.premium.greeting.ended" => {
                let result = match p["result"].as_str().ok_or_else(|| bad("result"))? {
                    "beep_detected" => AmdResult::MachineBeep,
                    "ended" | "no_beep_detected" => AmdResult::MachineEnd,
                    _ => AmdResult::Unknown,
                };
                EventKind::Amd { result, detection_ms: None }
            }
            "call.playback.ended" => EventKind::PlaybackEnded,
            "call.speak.ended" => EventKind::SpeakEnded,
            "call.bridged" => EventKind::Bridged,
            "call.recording.saved" => EventKind::RecordingReady {
                url: p["recording_urls"]["mp3"]
                    .as_str()
                    .or(p["public_recording_urls"]["mp3"].as_str())
                    .unwrap_or_default()
                    .to_owned(),
                duration_secs: recording_secs(p),
            },
            "call.transcription" => {
                let t = &p["transcription_data"];
                EventKind::Transcript {
                    text: t["transcript"].as_str().unwrap_or_default().to_owned(),
                    is_final: t["is_final"].as_bool().unwrap_or(true),
                    track: t["transcription_track"].as_str().unwrap_or("inbound").to_owned(),
                }
            }
            other => EventKind::Other { name: other.to_owned() },
        };
        (subject, kind)
    };
    let client_state = p["client_state"]
        .as_str()
        .and_then(|c| base64::engine::general_purpose::STANDARD.decode(c).ok())
        .and_then(|c| String::from_utf8(c).ok());
    let party = |k: &str| match &p[k] {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("phone_number").and_then(Value::as_str).map(str::to_owned),
        Value::Array(a) => a.first().and_then(|o| o["phone_number"].as_str()).map(str::to_owned),
        _ => None,
    };
    let direction = match p["direction"].as_str() {
        Some("incoming" | "inbound") => Some(CallDirection::Inbound),
        Some(_) => Some(CallDirection::Outbound),
        None => None,
    };
    Ok(CarrierEvent {
        key: format!("tx:{id}"),
        subject_id: subject,
        kind,
        from: party("from"),
        to: party("to"),
        direction,
        client_state,
        occurred_at,
    })
}
