//! The dialer under fire, in production shape: two `api` and two `worker` processes on
//! PostgreSQL and Redis behind a load balancer, the sandbox carrier as its own process. While
//! a 20-agent floor works its campaign (in Twilio and in Telnyx mode), API and worker processes
//! are killed with SIGKILL at random moments and started again; the campaign still completes
//! with no lead lost, no number dialled twice for one attempt and consistent counters.

use crate::floor::{assert_complete, options};
use crate::harness::{Backend, TempDir, random_suffix, test_settings};
use crate::processes::{Proc, spawn};
use axum::{body::Body, extract::Request, response::Response};
use rand::Rng;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

/// A free TCP port on the loopback interface.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A load balancer: round robin over the backends; a request that cannot reach one (refused,
/// reset by a process that died mid-request) is tried on the next, as a production balancer
/// with retries does. Carrier webhooks are deduplicated by the API, so a retry is safe.
async fn balancer(backends: Vec<String>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    let next = Arc::new(AtomicUsize::new(0));
    let backends = Arc::new(backends);
    let app = axum::Router::new().fallback(move |req: Request| {
        let (client, next, backends) = (client.clone(), next.clone(), backends.clone());
        async move {
            let (parts, body) = req.into_parts();
            let body = axum::body::to_bytes(body, 64 * 1024 * 1024).await.unwrap_or_default();
            let path = parts.uri.path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_default();
            let first = next.fetch_add(1, Ordering::Relaxed);
            for i in 0..200 {
                let backend = &backends[(first + i) % backends.len()];
                let mut req = client.request(parts.method.clone(), format!("{backend}{path}")).body(body.clone());
                for (k, v) in &parts.headers {
                    if k != "host" && k != "content-length" && k != "connection" {
                        req = req.header(k, v);
                    }
                }
                match req.send().await {
                    Ok(r) => {
                        let mut out = Response::builder().status(r.status().as_u16());
                        for (k, v) in r.headers() {
                            if k != "transfer-encoding" && k != "content-length" && k != "connection" {
                                out = out.header(k, v);
                            }
                        }
                        let bytes = r.bytes().await.unwrap_or_default();
                        return out.body(Body::from(bytes)).unwrap();
                    }
                    // Both down for a moment (restarting): wait a little between rounds.
                    Err(_) if i % backends.len() == backends.len() - 1 => {
                        tokio::time::sleep(Duration::from_millis(100)).await
                    }
                    Err(_) => {}
                }
            }
            Response::builder().status(502).body(Body::from("no backend")).unwrap()
        }
    });
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

/// The sandbox carrier as its own process; returns it and its base URL.
async fn sandbox_process() -> (tokio::process::Child, String) {
    let mut child = Command::new(crate::harness::outdial_bin())
        .args(["sandbox-carrier", "--port", "0", "--time-scale", "0.02"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn the sandbox carrier");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line()).await.unwrap().unwrap().unwrap();
    let base = line
        .strip_prefix("sandbox carrier on ")
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .to_owned();
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, base)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_campaign_survives_kill_9_of_api_and_worker_processes() {
    chaos("twilio").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_telnyx_campaign_survives_kill_9_of_api_and_worker_processes() {
    chaos("telnyx").await;
}

/// The floor in `provider` mode while processes are killed.
async fn chaos(provider: &str) {
    let dir = TempDir::new();
    let (_sandbox, sandbox) = sandbox_process().await;
    let ports = [free_port(), free_port()];
    let lb = balancer(ports.iter().map(|p| format!("http://127.0.0.1:{p}")).collect()).await;
    let mut env = test_settings(Backend::Postgres, &dir.0).await;
    env.retain(|(k, _)| *k != "OUTDIAL_PORT");
    env.extend([
        ("OUTDIAL_PUBLIC_URL", lb.clone()),
        ("OUTDIAL_SANDBOX_URL", sandbox.clone()),
        ("OUTDIAL_JWT_SECRET", format!("chaos-secret-{}-0123456789abcdef", random_suffix())),
        ("OUTDIAL_SECRET_KEYS", outdial_infra::secrets::Keyring::generate("k1")),
        ("OUTDIAL_DIALER_TICK_MS", "100".to_owned()),
        ("OUTDIAL_JOB_LEASE_SECS", "4".to_owned()),
    ]);
    // The database comes migrated from the template; `migrate` is a no-op that must succeed.
    let migrated = Command::new(crate::harness::outdial_bin()).arg("migrate").envs(env.clone()).output().await.unwrap();
    assert!(migrated.status.success(), "{}", String::from_utf8_lossy(&migrated.stderr));
    // The dialer's clock reads 11:00 in New York when the test starts, in every process: one
    // started later starts its clock later (a clock going back at each restart would be a
    // test artefact no real deployment has).
    let test_start = std::time::Instant::now();
    let clock: chrono::DateTime<chrono::Utc> = "2026-11-18T16:00:00Z".parse().unwrap();
    let args = move |i: usize| -> (Vec<&'static str>, Vec<(&'static str, String)>) {
        let mut e = env.clone();
        let now = clock + chrono::Duration::from_std(test_start.elapsed()).unwrap();
        e.push(("OUTDIAL_DIALER_CLOCK_START", now.to_rfc3339()));
        if i < 2 {
            e.push(("OUTDIAL_PORT", ports[i].to_string()));
            (vec!["api"], e)
        } else {
            (vec!["worker"], e)
        }
    };
    let mut procs: Vec<Proc> = vec![];
    for i in 0..4 {
        let (a, e) = args(i);
        procs.push(spawn(&a, &e).await);
    }
    let procs = Arc::new(tokio::sync::Mutex::new(procs));
    // The floor: set up first, then the chaos starts once the campaign is dialing.
    let mut o = options(&lb, &sandbox, dir.0.join("mail.log"), provider, "predictive");
    o.deadline = Duration::from_secs(1200);
    let dialing = Arc::new(tokio::sync::Notify::new());
    o.dialing = Some(dialing.clone());
    let floor = tokio::spawn(async move { outdial_api::floor::run(&o).await });
    let done = Arc::new(AtomicBool::new(false));
    let chaos = {
        let (procs, done) = (procs.clone(), done.clone());
        tokio::spawn(async move {
            // The agency signs up, loads its leads and starts dialing before the first kill.
            dialing.notified().await;
            let mut kills = 0;
            while !done.load(Ordering::Relaxed) {
                let (i, pause) = {
                    let mut rng = rand::thread_rng();
                    (rng.gen_range(0..4), rng.gen_range(1500..4000))
                };
                {
                    let mut ps = procs.lock().await;
                    ps[i].child.start_kill().unwrap();
                    ps[i].child.wait().await.unwrap();
                    kills += 1;
                    let (a, e) = args(i);
                    ps[i] = spawn(&a, &e).await;
                }
                tokio::time::sleep(Duration::from_millis(pause)).await;
            }
            kills
        })
    };
    let report = floor.await.unwrap();
    done.store(true, Ordering::Relaxed);
    let kills = chaos.await.unwrap();
    let report = report.unwrap_or_else(|e| panic!("{e:#}"));
    println!("{kills} processes killed\n{report}");
    assert!(kills >= 3, "the processes were killed during the campaign ({kills})");
    assert_complete(&report);
}
