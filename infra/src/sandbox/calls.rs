//! Simulated calls: the life of one call from creation to hangup, told to the application in
//! each carrier's own webhooks.

use super::twiml::{self, Verb};
use super::{Sandbox, world};
use serde::Serialize;
use serde_json::{Value, json};

/// Twilio settings given at call creation.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TwilioLeg {
    pub url: Option<String>,
    pub twiml: Option<String>,
    pub status_callback: Option<String>,
    pub events: Vec<String>,
    pub machine_detection: Option<String>,
    pub async_amd: bool,
    pub amd_callback: Option<String>,
}

/// Telnyx settings given at call creation.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TelnyxLeg {
    pub webhook_url: String,
    pub client_state: Option<String>,
    pub amd: String,
    pub connection_id: String,
    pub leg_id: String,
    pub session_id: String,
    pub start_time: String,
}

/// One call at the simulated carrier.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SimCall {
    pub id: String,
    pub provider: &'static str,
    pub account: String,
    pub from: String,
    pub to: String,
    pub inbound: bool,
    /// Twilio wording: queued, ringing, in-progress, completed, busy, no-answer, failed, canceled.
    pub status: &'static str,
    pub outcome: Option<world::Outcome>,
    pub timeout_s: u64,
    /// What happened, in order, with simulated milliseconds since the call was created.
    pub log: Vec<String>,
    pub created_ms: u64,
    pub answered_ms: Option<u64>,
    /// When the machine greeting ended with a beep.
    pub beep_ms: Option<u64>,
    pub ended: bool,
    pub duration_s: u64,
    pub conference: Option<String>,
    /// Twilio `<Conference muted="true">`: in the room, heard by nobody.
    pub conference_muted: bool,
    /// Twilio `<Conference coach="CA...">`: heard only by that call.
    pub coach: Option<String>,
    pub bridged_with: Option<String>,
    /// Telnyx `supervise_call_control_id`: the leg this call supervises.
    pub supervising: Option<String>,
    /// Telnyx `supervisor_role`: `barge`, `whisper` or `monitor`.
    pub supervisor_role: Option<String>,
    /// Telnyx `park_after_unbridge: self`: this leg outlives its bridge partner.
    pub park_after_unbridge: bool,
    pub recording: bool,
    /// Twilio: where the saved recording is posted (`recordingStatusCallback` on `<Dial>`,
    /// `RecordingStatusCallback` on a started recording).
    pub recording_callback: Option<String>,
    /// Bumped whenever new TwiML replaces what the call is doing.
    pub twiml_gen: u64,
    pub seq: u32,
    pub twilio: Option<TwilioLeg>,
    pub telnyx: Option<TelnyxLeg>,
    /// Real microseconds since the sandbox started when the carrier told the application that
    /// a person answered (the AMD verdict, or the answer itself without AMD).
    pub human_us: Option<u64>,
    /// Real microseconds when the call first got something from the application: an agent
    /// (a conference or a bridge) or speech (the safe-harbor message).
    pub served_us: Option<u64>,
    pub served_by: Option<&'static str>,
}

impl SimCall {
    pub fn new(id: String, provider: &'static str, account: String, from: String, to: String, created_ms: u64) -> Self {
        SimCall {
            id,
            provider,
            account,
            from,
            to,
            inbound: false,
            status: "queued",
            outcome: None,
            timeout_s: 60,
            log: vec![],
            created_ms,
            answered_ms: None,
            beep_ms: None,
            ended: false,
            duration_s: 0,
            conference: None,
            conference_muted: false,
            coach: None,
            bridged_with: None,
            supervising: None,
            supervisor_role: None,
            park_after_unbridge: false,
            recording: false,
            recording_callback: None,
            twiml_gen: 0,
            seq: 0,
            twilio: None,
            telnyx: None,
            human_us: None,
            served_us: None,
            served_by: None,
        }
    }
}

impl Sandbox {
    /// Appends to a call's log; `false` if the call is gone or over.
    pub(crate) fn note(&self, call_id: &str, what: impl Into<String>) -> bool {
        let now = self.now_ms();
        let mut s = self.lock();
        match s.calls.get_mut(call_id) {
            Some(c) => {
                let at = now.saturating_sub(c.created_ms);
                c.log.push(format!("{at}ms {}", what.into()));
                !c.ended
            }
            None => false,
        }
    }

    /// Real microseconds since the sandbox started (latency is measured in real time, whatever
    /// the time scale of the simulated world).
    fn real_us(&self) -> u64 {
        self.0.started.elapsed().as_micros() as u64
    }

    /// The application is about to hear that a person answered.
    fn mark_human(&self, call_id: &str) {
        let now = self.real_us();
        if let Some(c) = self.lock().calls.get_mut(call_id) {
            c.human_us.get_or_insert(now);
        }
    }

    /// The call got an agent or speech for the first time.
    pub(crate) fn mark_served(&self, call_id: &str, by: &'static str) {
        let now = self.real_us();
        if let Some(c) = self.lock().calls.get_mut(call_id).filter(|c| c.served_us.is_none()) {
            c.served_us = Some(now);
            c.served_by = Some(by);
        }
    }

    /// The calls whose voice this call hears now, by each carrier's rules: everyone in its
    /// Twilio conference but the muted and those coaching someone else; its Telnyx bridge
    /// partner; a Telnyx supervisor hears its leg and that leg's partner, and is heard by the
    /// leg when barging or whispering, by the partner only when barging.
    pub(crate) fn hears(&self, call_id: &str) -> Vec<String> {
        let s = self.lock();
        let live = |id: &str| s.calls.get(id).filter(|c| !c.ended && c.answered_ms.is_some());
        let Some(me) = live(call_id) else { return vec![] };
        let mut out = std::collections::BTreeSet::new();
        for other in s.calls.values().filter(|o| o.id != me.id && live(&o.id).is_some()) {
            let same_room = me.conference.is_some() && other.conference == me.conference;
            if same_room && !other.conference_muted && other.coach.as_ref().is_none_or(|c| *c == me.id) {
                out.insert(other.id.clone());
            }
            if let (Some(target), Some(role)) = (&other.supervising, &other.supervisor_role) {
                let to_me = *target == me.id && matches!(role.as_str(), "barge" | "whisper");
                let to_partner = me.bridged_with.as_ref() == Some(target) && role == "barge";
                if to_me || to_partner {
                    out.insert(other.id.clone());
                }
            }
        }
        if let Some(p) = me.bridged_with.as_deref().and_then(live) {
            out.insert(p.id.clone());
        }
        if let Some(leg) = me.supervising.as_deref().and_then(live) {
            out.insert(leg.id.clone());
            if let Some(p) = leg.bridged_with.as_deref().and_then(live) {
                out.insert(p.id.clone());
            }
        }
        out.into_iter().collect()
    }

    fn call(&self, call_id: &str) -> Option<SimCall> {
        self.lock().calls.get(call_id).cloned()
    }

    pub(crate) fn alive(&self, call_id: &str) -> bool {
        self.call(call_id).is_some_and(|c| !c.ended)
    }

    /// Drives an outbound call from creation to its end.
    pub(crate) async fn drive(self, call_id: String) {
        let t = self.0.config.timing.clone();
        let Some(call) = self.call(&call_id) else { return };
        self.sleep(t.setup_ms).await;
        self.status_event(&call_id, "initiated").await;
        self.sleep(t.setup_ms).await;
        if !self.alive(&call_id) {
            return;
        }
        self.set_status(&call_id, "ringing");
        self.status_event(&call_id, "ringing").await;
        let ring_limit_ms = call.timeout_s * 1000;
        match call.outcome.clone().unwrap_or(world::Outcome::NoAnswer) {
            world::Outcome::Busy => {
                self.sleep(2_000).await;
                self.end(&call_id, "busy", "callee").await;
            }
            world::Outcome::Failed { after_ms } => {
                self.sleep(after_ms).await;
                self.end(&call_id, "failed", "unknown").await;
            }
            world::Outcome::NoAnswer | world::Outcome::Invalid => {
                self.sleep(ring_limit_ms).await;
                self.end(&call_id, "no-answer", "unknown").await;
            }
            world::Outcome::Human { pickup_ms, .. } | world::Outcome::Machine { pickup_ms, .. }
                if pickup_ms > ring_limit_ms =>
            {
                self.sleep(ring_limit_ms).await;
                self.end(&call_id, "no-answer", "unknown").await;
            }
            world::Outcome::Human { pickup_ms, talk_ms, hangs_up } => {
                self.sleep(pickup_ms).await;
                if !self.answer(&call_id, true).await {
                    return;
                }
                self.detect(&call_id, true, 0).await;
                // Someone who hears nothing waits a moment before hanging up (at least the
                // application's reaction time, whatever the time scale); once served, they talk.
                if self.call(&call_id).is_some_and(|c| c.served_us.is_none()) {
                    self.wait_for_app(talk_ms).await;
                } else {
                    self.sleep(talk_ms).await;
                }
                let source = if hangs_up == world::Ender::Lead { "callee" } else { "caller" };
                self.end(&call_id, "completed", source).await;
            }
            world::Outcome::Machine { pickup_ms, greeting_ms, beep } => {
                self.sleep(pickup_ms).await;
                if !self.answer(&call_id, false).await {
                    return;
                }
                self.detect(&call_id, false, greeting_ms).await;
                let _ = beep;
                // The machine records whatever comes (the application's message), then gives up.
                self.wait_for_app(30_000).await;
                self.end(&call_id, "completed", "callee").await;
            }
        }
    }

    fn set_status(&self, call_id: &str, status: &'static str) {
        if let Some(c) = self.lock().calls.get_mut(call_id).filter(|c| !c.ended) {
            c.status = status;
        }
    }

    /// The far end picks up (`human`: a person, not a machine).
    async fn answer(&self, call_id: &str, human: bool) -> bool {
        let now = self.now_ms();
        let (twilio, amd) = {
            let mut s = self.lock();
            let Some(c) = s.calls.get_mut(call_id).filter(|c| !c.ended) else { return false };
            c.status = "in-progress";
            c.answered_ms = Some(now);
            let amd = c.twilio.as_ref().is_some_and(|t| t.machine_detection.is_some())
                || c.telnyx.as_ref().is_some_and(|t| t.amd != "disabled");
            (c.twilio.clone(), amd)
        };
        if human && !amd {
            self.mark_human(call_id);
        }
        self.note(call_id, "answered");
        self.status_event(call_id, "answered").await;
        if let Some(tw) = twilio {
            // Without AMD, or with async AMD, TwiML runs at once.
            if tw.machine_detection.is_none() || tw.async_amd {
                let (sb, id) = (self.clone(), call_id.to_owned());
                tokio::spawn(async move { sb.fetch_twiml(&id, None).await });
            }
        }
        self.alive(call_id)
    }

    /// Answering-machine detection, with each carrier's values and timing.
    async fn detect(&self, call_id: &str, human: bool, greeting_ms: u64) {
        let t = self.0.config.timing.clone();
        let Some(call) = self.call(call_id) else { return };
        let beep = matches!(call.outcome, Some(world::Outcome::Machine { beep: true, .. }));
        if let Some(tw) = &call.twilio {
            let Some(mode) = tw.machine_detection.clone() else { return };
            let answered_by = if human {
                self.sleep(t.amd_human_ms).await;
                "human"
            } else if mode == "DetectMessageEnd" {
                self.sleep(greeting_ms).await;
                self.mark_beep(call_id, beep);
                if beep { "machine_end_beep" } else { "machine_end_silence" }
            } else {
                self.sleep(t.amd_machine_ms.min(greeting_ms)).await;
                "machine_start"
            };
            if !self.note(call_id, format!("amd {answered_by}")) {
                return;
            }
            if human {
                self.mark_human(call_id);
            }
            let ms = if human { t.amd_human_ms } else { greeting_ms };
            if tw.async_amd {
                if let Some(url) = &tw.amd_callback {
                    let params = vec![
                        ("AccountSid".into(), call.account.clone()),
                        ("CallSid".into(), call.id.clone()),
                        ("AnsweredBy".into(), answered_by.into()),
                        ("MachineDetectionDuration".into(), ms.to_string()),
                    ];
                    self.twilio_hook(&call.account, url, params).await;
                }
            } else {
                let (sb, id, by) = (self.clone(), call_id.to_owned(), answered_by.to_owned());
                tokio::spawn(async move { sb.fetch_twiml(&id, Some((&by, ms))).await });
            }
        } else if let Some(tx) = &call.telnyx {
            if tx.amd == "disabled" {
                return;
            }
            if human {
                self.sleep(t.amd_human_ms).await;
            } else {
                self.sleep(t.amd_machine_ms.min(greeting_ms)).await;
            }
            let result = if human { "human" } else { "machine" };
            if !self.note(call_id, format!("amd {result}")) {
                return;
            }
            if human {
                self.mark_human(call_id);
            }
            self.telnyx_call_event(call_id, "call.machine.detection.ended", json!({ "result": result })).await;
            if !human && matches!(tx.amd.as_str(), "detect_beep" | "greeting_end" | "premium") {
                self.sleep(greeting_ms.saturating_sub(t.amd_machine_ms.min(greeting_ms))).await;
                self.mark_beep(call_id, beep);
                let result = if beep { "beep_detected" } else { "ended" };
                if self.note(call_id, format!("greeting {result}")) {
                    self.telnyx_call_event(call_id, "call.machine.greeting.ended", json!({ "result": result })).await;
                }
            }
        }
    }

    fn mark_beep(&self, call_id: &str, beep: bool) {
        let now = self.now_ms();
        if let Some(c) = self.lock().calls.get_mut(call_id).filter(|_| beep) {
            c.beep_ms = Some(now);
        }
    }

    /// Asks the application for TwiML (Twilio) and runs it.
    pub(crate) async fn fetch_twiml(&self, call_id: &str, amd: Option<(&str, u64)>) {
        let Some(call) = self.call(call_id) else { return };
        let Some(tw) = call.twilio.clone() else { return };
        let xml = match (&tw.twiml, &tw.url) {
            (Some(x), _) => Some(x.clone()),
            (None, Some(url)) => {
                let mut params = self.twilio_params(&call);
                if let Some((by, ms)) = amd {
                    params.push(("AnsweredBy".into(), by.into()));
                    params.push(("MachineDetectionDuration".into(), ms.to_string()));
                }
                self.twilio_hook(&call.account, url, params).await
            }
            (None, None) => None,
        };
        match xml.as_deref().and_then(twiml::parse) {
            Some(verbs) => {
                let generation = self.lock().calls.get_mut(call_id).map(|c| {
                    c.twiml_gen += 1;
                    c.twiml_gen
                });
                if let Some(g) = generation {
                    self.run_twiml(call_id, verbs, g).await;
                }
            }
            None => {
                self.note(call_id, "error: no TwiML from the application (Twilio error 12100)");
                self.end(call_id, "completed", "caller").await;
            }
        }
    }

    /// Replaces what the call is doing with new TwiML (UpdateCall `Twiml`).
    pub(crate) async fn replace_twiml(self, call_id: String, xml: String) {
        let Some(verbs) = twiml::parse(&xml) else {
            self.note(&call_id, "error: invalid TwiML in update");
            return;
        };
        let generation = self.lock().calls.get_mut(&call_id).map(|c| {
            c.twiml_gen += 1;
            c.conference = None;
            c.conference_muted = false;
            c.coach = None;
            c.twiml_gen
        });
        if let Some(g) = generation {
            self.run_twiml(&call_id, verbs, g).await;
        }
    }

    async fn run_twiml(&self, call_id: &str, verbs: Vec<Verb>, generation: u64) {
        let t = self.0.config.timing.clone();
        for verb in verbs {
            let current = self.lock().calls.get(call_id).map(|c| (c.twiml_gen, c.ended, c.beep_ms));
            let Some((g, ended, beep_ms)) = current else { return };
            if ended || g != generation {
                return;
            }
            match verb.name.as_str() {
                "Say" => {
                    self.mark_served(call_id, "speech");
                    self.note(call_id, format!("say {}", verb.text));
                    self.sleep(t.playback_ms).await;
                }
                "Play" => {
                    let after_beep = if beep_ms.is_some() { " after beep" } else { "" };
                    self.note(call_id, format!("play {}{after_beep}", verb.text));
                    let (sb, id, url) = (self.clone(), call_id.to_owned(), verb.text.clone());
                    tokio::spawn(async move { sb.fetch_media(&id, &url).await });
                    self.sleep(t.playback_ms).await;
                }
                "Pause" => {
                    let secs: u64 = verb.attr("length").and_then(|l| l.parse().ok()).unwrap_or(1);
                    self.wait_for_app(secs * 1000).await;
                }
                "Dial" => {
                    for child in &verb.children {
                        if child.name == "Conference" {
                            self.mark_served(call_id, "agent");
                            self.note(call_id, format!("conference {}", child.text));
                            if let Some(c) = self.lock().calls.get_mut(call_id) {
                                c.conference = Some(child.text.clone());
                                c.conference_muted = child.attr("muted") == Some("true");
                                c.coach = child.attr("coach").map(str::to_owned);
                                if verb.attr("record").is_some() {
                                    c.recording = true;
                                    c.recording_callback = verb.attr("recordingStatusCallback").map(str::to_owned);
                                }
                            }
                        } else {
                            self.note(call_id, format!("dial {} {}", child.name, child.text));
                        }
                    }
                    // The call stays in the conference until someone hangs up.
                    return;
                }
                "Start" => {
                    for child in &verb.children {
                        self.note(call_id, format!("start {}", child.name));
                    }
                }
                "Record" => {
                    self.note(call_id, "record voicemail");
                    self.sleep(10_000).await;
                    // The caller has left a message: it goes to the action URL, whose answer
                    // (TwiML) ends the call here.
                    if let (Some(url), Some(call)) = (verb.attr("action"), self.call(call_id)) {
                        let mut params = self.twilio_params(&call);
                        params.extend(recording_params(&call, 10));
                        params.push(("Digits".into(), "hangup".into()));
                        self.twilio_hook(&call.account, url, params).await;
                    }
                }
                "Hangup" => {
                    self.note(call_id, "hangup by TwiML");
                    self.end(call_id, "completed", "caller").await;
                    return;
                }
                other => {
                    self.note(call_id, format!("ignored verb {other}"));
                }
            }
        }
        // TwiML ran out: Twilio ends the call.
        let still = self.lock().calls.get(call_id).map(|c| c.twiml_gen == generation && !c.ended);
        if still == Some(true) {
            self.end(call_id, "completed", "caller").await;
        }
    }

    /// Ends the call once, with the final status in Twilio wording.
    pub(crate) async fn end(&self, call_id: &str, status: &'static str, source: &str) {
        let now = self.now_ms();
        let partner = {
            let mut s = self.lock();
            let Some(c) = s.calls.get_mut(call_id) else { return };
            if c.ended {
                return;
            }
            c.ended = true;
            c.status = status;
            c.duration_s = c.answered_ms.map(|a| now.saturating_sub(a) / 1000).unwrap_or(0);
            c.bridged_with.take()
        };
        self.note(call_id, format!("ended {status} by {source}"));
        let dropped = {
            let mut s = self.lock();
            let drop = s.faults.drop_final_webhooks > 0;
            if drop {
                s.faults.drop_final_webhooks -= 1;
            }
            drop
        };
        if dropped {
            self.note(call_id, "final webhook lost");
        }
        if let Some(call) = self.call(call_id).filter(|_| !dropped) {
            if call.twilio.is_some() || (call.provider == "twilio" && call.inbound) {
                self.status_event(call_id, "completed").await;
                if let (true, Some(_), Some(url)) = (call.recording, call.answered_ms, &call.recording_callback) {
                    let mut params =
                        vec![("AccountSid".to_owned(), call.account.clone()), ("CallSid".to_owned(), call.id.clone())];
                    params.extend(recording_params(&call, call.duration_s));
                    params.push(("RecordingChannels".into(), "2".into()));
                    params.push(("RecordingSource".into(), "DialVerb".into()));
                    params.push(("RecordingStartTime".into(), chrono::Utc::now().to_rfc2822()));
                    self.twilio_hook(&call.account, url, params).await;
                }
            } else if call.telnyx.is_some() {
                let cause = match status {
                    "busy" => "user_busy",
                    "no-answer" => "timeout",
                    "failed" => "call_rejected",
                    "canceled" => "originator_cancel",
                    _ => "normal_clearing",
                };
                let payload = json!({
                    "hangup_cause": cause,
                    "hangup_source": source,
                    "sip_hangup_cause": if status == "busy" { "486" } else { "200" },
                    "state": "hangup",
                });
                self.telnyx_call_event(call_id, "call.hangup", payload).await;
                if call.recording && call.answered_ms.is_some() {
                    let url = format!("https://sandbox.invalid/recordings/{call_id}.mp3");
                    let tx = call.telnyx.clone().expect("telnyx leg");
                    let payload = json!({
                        "call_leg_id": tx.leg_id, "call_session_id": tx.session_id,
                        "client_state": tx.client_state, "connection_id": tx.connection_id,
                        "channels": "dual",
                        "recording_urls": { "mp3": url, "wav": null },
                        "public_recording_urls": { "mp3": url, "wav": null },
                        "recording_started_at": tx.start_time,
                        "recording_ended_at": chrono::Utc::now().to_rfc3339(),
                    });
                    self.telnyx_hook(&tx.webhook_url, "call.recording.saved", payload).await;
                }
            }
        }
        if let Some(other) = partner {
            let parks = {
                let mut s = self.lock();
                match s.calls.get_mut(&other) {
                    Some(o) if o.park_after_unbridge => {
                        o.bridged_with = None;
                        true
                    }
                    _ => false,
                }
            };
            if parks {
                self.note(&other, "parked after unbridge");
            } else {
                Box::pin(self.end(&other, "completed", "unknown")).await;
            }
        }
    }

    /// The standard Twilio voice request parameters for a call.
    pub(crate) fn twilio_params(&self, call: &SimCall) -> Vec<(String, String)> {
        let status = call.status;
        vec![
            ("AccountSid".into(), call.account.clone()),
            ("ApiVersion".into(), "2010-04-01".into()),
            ("CallSid".into(), call.id.clone()),
            ("CallStatus".into(), status.into()),
            ("Direction".into(), if call.inbound { "inbound" } else { "outbound-api" }.into()),
            ("From".into(), call.from.clone()),
            ("To".into(), call.to.clone()),
        ]
    }

    /// A Twilio status callback (for subscribed events; `completed` always) or the matching
    /// Telnyx event.
    async fn status_event(&self, call_id: &str, event: &str) {
        let Some(call) = self.call(call_id) else { return };
        if let Some(tw) = &call.twilio {
            let Some(url) = &tw.status_callback else { return };
            if event != "completed" && !tw.events.iter().any(|e| e == event) {
                return;
            }
            let seq = {
                let mut s = self.lock();
                let c = s.calls.get_mut(call_id).expect("call exists");
                c.seq += 1;
                c.seq - 1
            };
            let mut params = self.twilio_params(&call);
            params.push(("CallbackSource".into(), "call-progress-events".into()));
            params.push(("SequenceNumber".into(), seq.to_string()));
            params.push(("Timestamp".into(), chrono::Utc::now().to_rfc2822()));
            if event == "completed" {
                params.push(("CallDuration".into(), call.duration_s.to_string()));
                params.push(("Duration".into(), call.duration_s.div_ceil(60).to_string()));
            }
            self.twilio_hook(&call.account, url, params).await;
        } else if call.telnyx.is_some() {
            match event {
                "initiated" => {
                    let payload = json!({ "direction": "outgoing", "state": "bridging" });
                    self.telnyx_call_event(call_id, "call.initiated", payload).await;
                }
                "answered" => {
                    let payload = json!({ "state": "answered" });
                    self.telnyx_call_event(call_id, "call.answered", payload).await;
                }
                _ => {}
            }
        }
    }

    /// Sends a Telnyx call event with the common payload fields filled in.
    pub(crate) async fn telnyx_call_event(&self, call_id: &str, event_type: &str, extra: Value) {
        let Some(call) = self.call(call_id) else { return };
        let Some(tx) = &call.telnyx else { return };
        let mut payload = json!({
            "call_control_id": call.id,
            "call_leg_id": tx.leg_id,
            "call_session_id": tx.session_id,
            "connection_id": tx.connection_id,
        });
        let with_parties = matches!(
            event_type,
            "call.initiated"
                | "call.answered"
                | "call.hangup"
                | "call.bridged"
                | "call.machine.detection.ended"
                | "call.machine.greeting.ended"
        );
        if with_parties {
            payload["from"] = json!(call.from);
            payload["to"] = json!(call.to);
        }
        if matches!(event_type, "call.initiated" | "call.answered" | "call.hangup") {
            payload["start_time"] = json!(tx.start_time);
        }
        if let Some(cs) = &tx.client_state {
            payload["client_state"] = json!(cs);
        }
        if let (Value::Object(p), Value::Object(e)) = (&mut payload, extra) {
            p.extend(e);
        }
        self.telnyx_hook(&tx.webhook_url, event_type, payload).await;
    }
}

/// What Twilio says of a saved recording: its id, where it is, that it is complete, how long.
fn recording_params(call: &SimCall, secs: u64) -> Vec<(String, String)> {
    let sid = format!("RE{}", &call.id[2..].chars().rev().collect::<String>());
    vec![
        ("RecordingSid".into(), sid.clone()),
        (
            "RecordingUrl".into(),
            format!("https://api.twilio.com/2010-04-01/Accounts/{}/Recordings/{sid}", call.account),
        ),
        ("RecordingStatus".into(), "completed".into()),
        ("RecordingDuration".into(), secs.to_string()),
    ]
}
