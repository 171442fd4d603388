//! TwiML documents Outdial answers with. Built as text with every attribute and body escaped.

/// Escapes text for an XML attribute or element body.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// One TwiML verb.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verb {
    /// Spoken text (consent announcement, safe-harbor message when there is no audio file).
    Say(String),
    Play(String),
    Pause(u32),
    /// Join the agent's conference; the lead starts talking to the agent at once.
    Conference {
        name: String,
        /// Record the conversation (both sides, one channel each); Twilio posts the saved
        /// recording to this URL.
        record: Option<String>,
        status_url: Option<String>,
        /// Joins muted (a supervisor listening).
        muted: bool,
        /// Heard only by this call (Twilio `coach`: a supervisor whispering to the agent).
        coach: Option<String>,
    },
    /// Start real-time transcription to a callback.
    StartTranscription {
        callback_url: String,
    },
    /// Fork the audio to a WebSocket (unidirectional).
    StartStream {
        url: String,
    },
    /// Leave a voicemail: record after the prompt.
    Record {
        action_url: String,
        max_secs: u32,
    },
    Hangup,
}

/// A TwiML `<Response>` of these verbs, in order.
pub fn response(verbs: &[Verb]) -> String {
    let mut x = String::from(r#"<?xml version="1.0" encoding="UTF-8"?><Response>"#);
    for verb in verbs {
        match verb {
            Verb::Say(text) => x.push_str(&format!("<Say>{}</Say>", esc(text))),
            Verb::Play(url) => x.push_str(&format!("<Play>{}</Play>", esc(url))),
            Verb::Pause(secs) => x.push_str(&format!(r#"<Pause length="{secs}"/>"#)),
            Verb::Conference { name, record, status_url, muted, coach } => {
                x.push_str("<Dial");
                if let Some(callback) = record {
                    x.push_str(&format!(
                        r#" record="record-from-answer-dual" recordingStatusCallback="{}""#,
                        esc(callback)
                    ));
                }
                x.push_str(r#"><Conference beep="false" startConferenceOnEnter="true" endConferenceOnExit="false""#);
                if let Some(url) = status_url {
                    x.push_str(&format!(r#" statusCallback="{}""#, esc(url)));
                }
                if *muted {
                    x.push_str(r#" muted="true""#);
                }
                if let Some(call) = coach {
                    x.push_str(&format!(r#" coach="{}""#, esc(call)));
                }
                x.push_str(&format!(">{}</Conference></Dial>", esc(name)));
            }
            Verb::StartTranscription { callback_url } => x.push_str(&format!(
                r#"<Start><Transcription statusCallbackUrl="{}" track="both_tracks" partialResults="false"/></Start>"#,
                esc(callback_url)
            )),
            Verb::StartStream { url } => x.push_str(&format!(r#"<Start><Stream url="{}"/></Start>"#, esc(url))),
            Verb::Record { action_url, max_secs } => {
                x.push_str(&format!(r#"<Record action="{}" maxLength="{max_secs}" playBeep="true"/>"#, esc(action_url)))
            }
            Verb::Hangup => x.push_str("<Hangup/>"),
        }
    }
    x.push_str("</Response>");
    x
}

/// The lead joins the agent's conference, after the recording notice where one is required;
/// with `record`, the conversation is recorded and the recording posted there.
pub fn bridge_to_agent(conference: &str, consent_notice: Option<&str>, record: Option<&str>) -> String {
    let mut verbs = Vec::new();
    if let Some(notice) = consent_notice {
        verbs.push(Verb::Say(notice.to_owned()));
    }
    verbs.push(Verb::Conference {
        name: conference.to_owned(),
        record: record.map(str::to_owned),
        status_url: None,
        muted: false,
        coach: None,
    });
    response(&verbs)
}

/// A supervisor joins the agent's room: muted to listen, coaching the agent's leg to whisper,
/// as a normal participant to barge. The room goes on when they leave.
pub fn monitor(room: &str, mode: outdial_domain::call_flow::MonitorMode, agent_call: &str) -> String {
    use outdial_domain::call_flow::MonitorMode;
    response(&[Verb::Conference {
        name: room.to_owned(),
        record: None,
        status_url: None,
        muted: mode == MonitorMode::Listen,
        coach: (mode == MonitorMode::Whisper).then(|| agent_call.to_owned()),
    }])
}

/// The safe-harbor message for an answered call with no agent free, then hang up.
pub fn safe_harbor(audio_url: Option<&str>, text: &str) -> String {
    let first = match audio_url {
        Some(url) => Verb::Play(url.to_owned()),
        None => Verb::Say(text.to_owned()),
    };
    response(&[first, Verb::Hangup])
}

/// Voicemail drop after the beep, then hang up.
pub fn voicemail_drop(audio_url: &str) -> String {
    response(&[Verb::Play(audio_url.to_owned()), Verb::Hangup])
}

/// Ends the call.
pub fn hangup() -> String {
    response(&[Verb::Hangup])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_orders_verbs() {
        let x = bridge_to_agent("agent <1> & co", Some("This call may be recorded."), Some("https://h/rec?call=c&x=1"));
        assert_eq!(
            x,
            r#"<?xml version="1.0" encoding="UTF-8"?><Response><Say>This call may be recorded.</Say><Dial record="record-from-answer-dual" recordingStatusCallback="https://h/rec?call=c&amp;x=1"><Conference beep="false" startConferenceOnEnter="true" endConferenceOnExit="false">agent &lt;1&gt; &amp; co</Conference></Dial></Response>"#
        );
        assert!(
            voicemail_drop("https://x/vm.mp3?a=1&b=2").contains("<Play>https://x/vm.mp3?a=1&amp;b=2</Play><Hangup/>")
        );
    }

    #[test]
    fn a_supervisor_joins_muted_coaching_or_as_a_party() {
        use outdial_domain::call_flow::MonitorMode;
        let listen = monitor("agent-1", MonitorMode::Listen, "CA1");
        assert!(listen.contains(r#" muted="true">agent-1</Conference>"#), "{listen}");
        assert!(!listen.contains("coach"), "{listen}");
        let whisper = monitor("agent-1", MonitorMode::Whisper, "CA1");
        assert!(whisper.contains(r#" coach="CA1">agent-1</Conference>"#), "{whisper}");
        assert!(!whisper.contains("muted"), "{whisper}");
        let barge = monitor("agent-1", MonitorMode::Barge, "CA1");
        assert!(!barge.contains("muted") && !barge.contains("coach"), "{barge}");
    }
}
