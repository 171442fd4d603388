//! The browser app in real headless Chromium: `web/e2e/first_hour.mjs` walks an agency's first
//! hour (signup, a list and a CSV import, a campaign, the agent cockpit, a disposition by
//! hotkey, a callback, the wallboard) against the app served by `outdial` itself.

use crate::harness::{Backend, TempDir, spawn_app_with};
use std::path::PathBuf;
use std::process::Command;

/// A Wednesday, 11:00 in New York: inside the calling window for 212 numbers.
const CLOCK: &str = "2026-11-18T16:00:00Z";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agency_works_its_first_hour_in_the_browser() {
    let web = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../web").canonicalize().expect("web/ exists");
    let dist = web.join("dist");
    for needed in [dist.join("index.html"), web.join("node_modules/playwright-core")] {
        assert!(
            needed.exists(),
            "{} is missing: run `npm ci && npm run build` in {} before the tests",
            needed.display(),
            web.display()
        );
    }
    let app = spawn_app_with(
        Backend::Sqlite,
        &[
            ("OUTDIAL_WEB_DIR", dist.to_str().expect("utf-8 path")),
            ("OUTDIAL_DIALER_CLOCK_START", CLOCK),
            ("OUTDIAL_DIALER_TICK_MS", "100"),
        ],
    )
    .await;
    let shots = TempDir::new();
    let base = app.base.clone();
    let script = web.join("e2e/first_hour.mjs");
    let shots_dir = shots.0.clone();
    // The script reads the invitation it sends an agent from the app's mail log.
    let mail_log = app.data_dir.0.join("mail.log");
    // The script runs for tens of seconds; keep it off the runtime the app is served from.
    let out = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(script)
            .arg(&base)
            .arg(&shots_dir)
            .env("E2E_MAIL_LOG", mail_log)
            .current_dir(&web)
            .output()
    })
    .await
    .expect("join")
    .expect("node runs (Node 20 must be installed)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(out.status.success(), "first_hour.mjs failed ({}):\n{stdout}\n{stderr}", out.status);
    let shots_taken = std::fs::read_dir(&shots.0).expect("screenshots").count();
    assert!(shots_taken >= 5, "screenshots saved: {shots_taken}");
    app.stop().await;
}
