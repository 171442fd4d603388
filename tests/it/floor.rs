//! The dialer's acceptance runs: a 20-agent floor works a campaign over 1,000 leads against
//! the sandbox carrier, in Twilio mode and in Telnyx mode, until it completes; the books are
//! audited from the API and from the carrier's own record (`outdial_api::floor`).

use crate::harness::{Backend, TestApp, spawn_app_with};
use outdial_api::floor::{FloorOptions, FloorReport, run};
use std::time::Duration;

/// A Wednesday, 11:00 in New York: inside every calling window for the leads.
const CLOCK: &str = "2026-11-18T16:00:00Z";

pub fn options(base: &str, sandbox: &str, mail_log: std::path::PathBuf, provider: &str, mode: &str) -> FloorOptions {
    FloorOptions {
        base: base.to_owned(),
        sandbox: sandbox.to_owned(),
        mail_log,
        provider: provider.into(),
        mode: mode.into(),
        lines_per_agent: 2,
        agents: 20,
        leads: 1000,
        dispose: true,
        wrap_secs: 0,
        max_attempts: 2,
        run_for: None,
        deadline: Duration::from_secs(900),
        progress: std::env::var("OUTDIAL_TEST_PROGRESS").is_ok(),
        dialing: None,
    }
}

/// What every completed floor run must show besides the invariants `check` enforces.
pub fn assert_complete(r: &FloorReport) {
    r.check().unwrap_or_else(|e| panic!("{e}"));
    assert!(r.completed, "{r}");
    assert_eq!(r.unsettled, 0, "{r}");
    assert_eq!(r.undispositioned, 0, "{r}");
    assert!(r.connects > 50, "people reached agents: {r}");
    assert!(r.attempts > r.leads, "no-answers and machines were redialled: {r}");
    assert!(r.voicemails > 0 && r.voicemail_plays >= r.voicemails, "voicemails dropped: {r}");
    assert!(r.callbacks_given > 0 && r.callbacks_redialled == r.callbacks_given, "callbacks came back: {r}");
    assert!(r.dnc_given > 0, "{r}");
    assert!(r.bridge.n as u64 >= r.connects, "every connect was timed at the carrier: {r}");
}

async fn app(backend: Backend) -> TestApp {
    spawn_app_with(backend, &[("OUTDIAL_DIALER_CLOCK_START", CLOCK), ("OUTDIAL_DIALER_TICK_MS", "100")]).await
}

async fn floor(backend: Backend, provider: &str, mode: &str) {
    let app = app(backend).await;
    let o = options(&app.base, &format!("{}/sandbox", app.base), app.data_dir.0.join("mail.log"), provider, mode);
    let report = run(&o).await.unwrap_or_else(|e| panic!("{e:#}"));
    println!("{report}");
    assert_complete(&report);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_agents_work_1000_leads_to_completion_in_twilio_mode_predictive() {
    floor(Backend::Postgres, "twilio", "predictive").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_agents_work_1000_leads_to_completion_in_telnyx_mode_power() {
    floor(Backend::Postgres, "telnyx", "power").await;
}
