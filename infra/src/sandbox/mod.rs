//! The sandbox carrier: an HTTP server that speaks Twilio's REST API 2010 and Telnyx Call
//! Control v2 / Messaging on the wire (same paths, bodies, status codes, error shapes, signed
//! webhooks) and simulates the world behind them: leads who answer, voicemail greetings with
//! beeps, busy lines, no answers, AMD with each carrier's values, SMS receipts and replies,
//! inbound calls. Seeded and configurable per number; faults can be injected. It runs inside
//! `outdial serve` (under `/sandbox`) and standalone (`outdial sandbox-carrier`).

mod calls;
mod control;
mod hooks;
mod telnyx;
mod twilio;
mod twiml;
pub mod world;

use crate::telephony::telnyx::signature::Signer;
use axum::Router;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use tokio::time::Instant;

/// The least real time the simulated world waits on the application (see `wait_for_app`).
const APP_WAIT_FLOOR_MS: u64 = 5_000;
pub use world::{Ender, Mix, Outcome, SmsBehaviour, Timing};

/// How the simulated world behaves.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    pub seed: u64,
    pub mix: Mix,
    pub timing: Timing,
    /// Multiplies every simulated delay (0.01 runs a 10 s ring in 100 ms).
    pub time_scale: f64,
    /// Seed of the Ed25519 key that signs Telnyx-style webhooks.
    pub telnyx_key_seed: [u8; 32],
    /// When set, only these Twilio account sid → auth token pairs are accepted; otherwise any
    /// well-formed credentials are.
    pub twilio_accounts: Option<HashMap<String, String>>,
    /// When set, only these Telnyx API keys are accepted.
    pub telnyx_api_keys: Option<HashSet<String>>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            seed: 1,
            mix: Mix::default(),
            timing: Timing::default(),
            time_scale: 1.0,
            telnyx_key_seed: [7; 32],
            twilio_accounts: None,
            telnyx_api_keys: None,
        }
    }
}

/// Injected faults.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// The next N REST requests answer 503.
    pub rest_5xx: u32,
    /// The next N REST requests hang for 15 s (longer than any client timeout).
    pub rest_timeout: u32,
    /// Every webhook is delivered twice.
    pub webhook_duplicates: bool,
    /// Each webhook is delayed by a random 0..N ms, so they can arrive out of order.
    pub webhook_reorder_ms: u64,
    /// Each webhook is delayed by N ms.
    pub webhook_delay_ms: u64,
    /// The next N final call webhooks (Twilio `completed` status callback, Telnyx
    /// `call.hangup`) are never delivered: the carrier gave up on them.
    pub drop_final_webhooks: u32,
}

/// A request the sandbox received, kept for conformance checks.
#[derive(Debug, Clone, Serialize)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    /// Form pairs for Twilio, empty for JSON.
    pub form: Vec<(String, String)>,
    pub json: Option<serde_json::Value>,
}

/// A webhook the sandbox sent.
#[derive(Debug, Clone, Serialize)]
pub struct RecordedWebhook {
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub status: Option<u16>,
}

/// A number registered at the simulated carrier.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SimNumber {
    pub id: String,
    /// Twilio account sid or Telnyx API key.
    pub account: String,
    pub provider: &'static str,
    pub phone: String,
    pub voice_url: Option<String>,
    pub sms_url: Option<String>,
    pub status_url: Option<String>,
}

#[derive(Default)]
pub(crate) struct State {
    pub overrides: HashMap<String, Outcome>,
    pub sms: HashMap<String, SmsBehaviour>,
    pub attempts: HashMap<String, u64>,
    pub calls: HashMap<String, calls::SimCall>,
    pub twilio_tokens: HashMap<String, String>,
    pub numbers: HashMap<String, SimNumber>,
    /// Telnyx account (API key) → where its connection and messaging profile send events.
    pub telnyx_hooks: HashMap<String, String>,
    pub telnyx_commands: HashMap<(String, String), serde_json::Value>,
    /// (lead, our number) pairs where the lead texted STOP.
    pub opted_out: HashSet<(String, String)>,
    pub requests: Vec<RecordedRequest>,
    pub webhooks: Vec<RecordedWebhook>,
    pub faults: Faults,
    pub next_number: u32,
}

pub(crate) struct Inner {
    pub config: SandboxConfig,
    pub signer: Signer,
    pub http: reqwest::Client,
    pub state: Mutex<State>,
    pub started: Instant,
}

/// A running sandbox carrier (cheap to clone).
#[derive(Clone)]
pub struct Sandbox(pub(crate) Arc<Inner>);

impl Sandbox {
    pub fn new(config: SandboxConfig) -> Sandbox {
        let signer = Signer::from_seed(&config.telnyx_key_seed);
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .expect("the TLS backend initialises");
        Sandbox(Arc::new(Inner { config, signer, http, state: Mutex::new(State::default()), started: Instant::now() }))
    }

    /// The public key Telnyx-style webhooks verify with (base64).
    pub fn telnyx_public_key(&self) -> String {
        self.0.signer.public_key_b64()
    }

    /// The HTTP routes: Twilio under `/2010-04-01`, Telnyx under `/v2`, control under `/_sandbox`.
    pub fn router<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        Router::new().merge(twilio::router()).merge(telnyx::router()).merge(control::router()).with_state(self.clone())
    }

    /// Sets where a Telnyx account's connection and messaging profile send webhooks (what
    /// the Telnyx portal does).
    pub fn set_telnyx_webhook(&self, api_key: &str, url: &str) {
        self.lock().telnyx_hooks.insert(api_key.to_owned(), url.to_owned());
    }

    /// Overrides what happens when `number` is dialled.
    pub fn set_outcome(&self, number: &str, outcome: Outcome) {
        self.lock().overrides.insert(number.to_owned(), outcome);
    }

    pub fn set_faults(&self, faults: Faults) {
        self.lock().faults = faults;
    }

    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sleeps `ms` of simulated time.
    pub(crate) async fn sleep(&self, ms: u64) {
        let real = (ms as f64 * self.0.config.time_scale).max(0.0);
        if real >= 1.0 {
            tokio::time::sleep(std::time::Duration::from_micros((real * 1000.0) as u64)).await;
        }
    }

    /// Sleeps `ms` of simulated time where the world waits on the application (a TwiML
    /// `<Pause>` holding a call for the next instruction, a person listening to silence): never
    /// less than `min(ms, APP_WAIT_FLOOR_MS)` of real time, because the application's reaction
    /// time does not shrink with the time scale. A compressed world would otherwise end a
    /// call before any real application could answer it.
    pub(crate) async fn wait_for_app(&self, ms: u64) {
        let floor = std::time::Duration::from_millis(ms.min(APP_WAIT_FLOOR_MS));
        let started = std::time::Instant::now();
        self.sleep(ms).await;
        if let Some(rest) = floor.checked_sub(started.elapsed()) {
            tokio::time::sleep(rest).await;
        }
    }

    /// Milliseconds of simulated time since the sandbox started.
    pub(crate) fn now_ms(&self) -> u64 {
        (self.0.started.elapsed().as_secs_f64() * 1000.0 / self.0.config.time_scale.max(1e-6)) as u64
    }

    /// Takes one pending REST fault, if any.
    pub(crate) async fn rest_fault(&self) -> Option<axum::response::Response> {
        use axum::response::IntoResponse;
        let (fail, hang) = {
            let mut s = self.lock();
            if s.faults.rest_5xx > 0 {
                s.faults.rest_5xx -= 1;
                (true, false)
            } else if s.faults.rest_timeout > 0 {
                s.faults.rest_timeout -= 1;
                (false, true)
            } else {
                (false, false)
            }
        };
        if hang {
            tokio::time::sleep(std::time::Duration::from_secs(15)).await;
        }
        (fail || hang).then(|| (axum::http::StatusCode::SERVICE_UNAVAILABLE, "service unavailable").into_response())
    }
}

/// Random hex of `n` digits (sids).
pub(crate) fn hex_id(n: usize) -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    (0..n).map(|_| char::from_digit(rng.gen_range(0..16), 16).expect("digit")).collect()
}

/// A random UUID v4 string.
pub(crate) fn uuid() -> String {
    let h = hex_id(32);
    format!("{}-{}-4{}-a{}-{}", &h[0..8], &h[8..12], &h[13..16], &h[17..20], &h[20..32])
}
