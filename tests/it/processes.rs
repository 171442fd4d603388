//! The `outdial` binary as an operator runs it: one `serve` process, or `migrate` + `api` +
//! `worker` as separate processes on PostgreSQL and Redis; bad configuration; a crash at the
//! worst moment of the outbox (fault injection, like `kill -9`).

use crate::{both, harness::*};
use reqwest::StatusCode;
use serde_json::json;
use std::{path::Path, process::Stdio, time::Duration};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

/// A running `outdial` child process.
pub struct Proc {
    pub child: Child,
    pub base: Option<String>,
    pub stdout: Vec<String>,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

fn command(args: &[&str], env: &[(&str, String)]) -> Command {
    let mut cmd = Command::new(outdial_bin());
    cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).stdin(Stdio::null()).kill_on_drop(true);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Starts `outdial` and waits for the line saying where it listens (or that the worker runs).
pub async fn spawn(args: &[&str], env: &[(&str, String)]) -> Proc {
    let mut child = command(args, env).spawn().expect("spawn outdial");
    // Logs go to stderr: drain them, or a full pipe would block the server.
    let mut errs = BufReader::new(child.stderr.take().expect("stderr")).lines();
    tokio::spawn(async move { while let Ok(Some(_)) = errs.next_line().await {} });
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut stdout = Vec::new();
    let mut base = None;
    let started = tokio::time::timeout(Duration::from_secs(60), async {
        while let Ok(Some(line)) = lines.next_line().await {
            stdout.push(line.clone());
            if let Some(rest) = line.strip_prefix("Outdial is running at ") {
                base = rest.split_whitespace().next().map(str::to_owned);
            }
            if line.starts_with("Outdial worker running") || base.is_some() {
                if line.contains("running at") {
                    // The demo line, when any, follows at once.
                    if let Ok(Ok(Some(next))) =
                        tokio::time::timeout(Duration::from_millis(300), lines.next_line()).await
                    {
                        stdout.push(next);
                    }
                }
                return true;
            }
        }
        false
    })
    .await;
    if started != Ok(true) {
        let status = child.wait().await.expect("exit status");
        panic!(
            "outdial {args:?} did not start ({status}): stdout {stdout:?}; run it by hand with the same environment to see its log"
        );
    }
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Proc { child, base, stdout }
}

fn env_of(settings: &[(&'static str, String)], extra: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    let mut env: Vec<(&'static str, String)> = settings.to_vec();
    for (k, v) in extra {
        env.retain(|(ek, _)| ek != k);
        env.push((k, v.to_string()));
    }
    env
}

async fn http(base: &str) -> TestApp {
    TestApp::attach(base)
}

both!(
    crash_between_commit_and_relay_loses_nothing,
    crash_between_push_and_mark_sends_once,
    import_survives_kill_9_with_one_contact_per_row
);

async fn crash_test(backend: Backend, fault: &str) {
    let dir = TempDir::new();
    let settings = test_settings(backend, &dir.0).await;
    let mut faulty = spawn(&["serve"], &env_of(&settings, &[("OUTDIAL_FAULT", fault)])).await;
    let app = http(faulty.base.as_deref().unwrap()).await;
    let owner = app.signup("Crashy").await;
    // The invitation commits with its job; the relay then dies at the fault point. The
    // response may or may not reach us before the process is gone.
    let _ = app
        .client
        .post(format!("{}/v1/invitations", app.base))
        .bearer_auth(&owner.token)
        .json(&json!({"email": "crash@example.test", "role": "agent"}))
        .send()
        .await;
    let status = tokio::time::timeout(Duration::from_secs(30), faulty.child.wait())
        .await
        .expect("the fault kills the process")
        .unwrap();
    assert!(!status.success(), "aborted, not a clean exit");
    assert!(read_mails(&dir.0).is_empty(), "nothing was sent before the crash");

    let restarted = spawn(&["serve"], &settings).await;
    let app = http(restarted.base.as_deref().unwrap()).await;
    let mail = wait_mail_in(&dir.0, "invitation:").await;
    assert_eq!(mail["to"], "crash@example.test");
    let login = app.post_anon("/v1/auth/login", json!({"email": owner.email, "password": PASSWORD})).await;
    let token = login.body["access_token"].as_str().unwrap().to_owned();
    let job = eventually("the job done", || async {
        let r = app.get("/v1/jobs", &token).await;
        let j = r.body["data"][0].clone();
        (j["status"] == "done").then_some(j)
    })
    .await;
    assert_eq!(job["attempts"], 1, "run once: {job}");
    // Give any duplicate delivery time to show up; there must be exactly one email.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let invitations: Vec<_> = read_mails(&dir.0)
        .into_iter()
        .filter(|m| m["reference"].as_str().unwrap().starts_with("invitation:"))
        .collect();
    assert_eq!(invitations.len(), 1, "{invitations:?}");
    // The invitation works.
    let acc = app
        .post_anon(
            "/v1/invitations/accept",
            json!({"token": token_from_mail(&mail), "name": "Crash", "password": PASSWORD}),
        )
        .await;
    assert_eq!(acc.status, StatusCode::OK, "{}", acc.body);
}

async fn crash_between_commit_and_relay_loses_nothing(backend: Backend) {
    crash_test(backend, "crash_before_relay").await;
}

async fn crash_between_push_and_mark_sends_once(backend: Backend) {
    crash_test(backend, "crash_after_push").await;
}

#[tokio::test]
async fn serve_in_an_empty_directory_prints_url_and_demo_login() {
    let dir = TempDir::new();
    let data = dir.0.join("fresh");
    let data_arg = data.display().to_string();
    let mut p =
        spawn(&["serve", "--port", "0", "--data-dir", &data_arg], &[("OUTDIAL_LOG_FORMAT", "json".into())]).await;
    let base = p.base.clone().unwrap();
    assert!(base.starts_with("http://localhost:"), "{base}");
    assert!(p.stdout.iter().any(|l| l.contains("demo@outdial.local")), "{:?}", p.stdout);
    for f in ["outdial.db", "queue.db", "jwt.secret"] {
        assert!(data.join(f).exists(), "{f} created");
    }
    let app = http(&base).await;
    let r =
        app.post_anon("/v1/auth/login", json!({"email": "demo@outdial.local", "password": "Outdial-demo-2026"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["tenant"]["name"], "Demo Agency");
    let pid = p.child.id().unwrap();
    Command::new("kill").arg("-TERM").arg(pid.to_string()).status().await.unwrap();
    let status = tokio::time::timeout(Duration::from_secs(20), p.child.wait()).await.expect("graceful exit").unwrap();
    assert!(status.success(), "SIGTERM shuts down cleanly: {status:?}");
}

/// Key rotation as an operator does it: a new key goes first in OUTDIAL_SECRET_KEYS, `outdial
/// secrets rotate` re-encrypts every carrier account with it, and the old key can go.
#[tokio::test]
async fn secrets_rotate_moves_every_carrier_account_to_the_new_key() {
    let dir = TempDir::new();
    let settings = test_settings(Backend::Sqlite, &dir.0).await;
    let k1 = outdial_infra::secrets::Keyring::generate("k1");
    let out = command(&["secrets", "new-key", "--id", "k2"], &settings).output().await.unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let k2 = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(k2.starts_with("k2:") && outdial_infra::secrets::Keyring::parse(&k2).is_ok(), "{k2}");
    let out = command(&["secrets", "new-key", "--id", "no spaces"], &settings).output().await.unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--id"), "{}", String::from_utf8_lossy(&out.stderr));
    // An agency signs up under k1: its sandbox account's credentials are sealed with it.
    let (email, password) = {
        let p = spawn(&["serve"], &env_of(&settings, &[("OUTDIAL_SECRET_KEYS", &k1)])).await;
        let app = http(p.base.as_deref().unwrap()).await;
        let o = app.signup("Rotating").await;
        (o.email.clone(), o.password.clone())
    };
    let rotate = |keys: String| {
        let env = env_of(&settings, &[("OUTDIAL_SECRET_KEYS", &keys)]);
        async move { command(&["secrets", "rotate"], &env).output().await.unwrap() }
    };
    // Without k1 the credentials cannot be opened: the error says which key and what to do.
    let out = rotate(k2.clone()).await;
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("key k1") && err.contains("OUTDIAL_SECRET_KEYS"), "{err}");
    // With both, every account moves to k2; a second run has nothing left to do.
    let out = rotate(format!("{k2},{k1}")).await;
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(said.contains("re-encrypted 1 carrier account(s) with key k2"), "{said}");
    let out = rotate(format!("{k2},{k1}")).await;
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("re-encrypted 0"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // k1 is gone from the configuration, and the account still works at the carrier.
    let p = spawn(&["serve"], &env_of(&settings, &[("OUTDIAL_SECRET_KEYS", &k2)])).await;
    let app = http(p.base.as_deref().unwrap()).await;
    let login = app.post_anon("/v1/auth/login", json!({"email": email, "password": password})).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    let token = login.body["access_token"].as_str().unwrap().to_owned();
    let account = app.get("/v1/carrier-accounts", &token).await.body["data"][0]["id"].as_str().unwrap().to_owned();
    let bought = app.post("/v1/numbers", &token, json!({ "account_id": account, "area_code": 212 })).await;
    assert_eq!(bought.status, StatusCode::CREATED, "{}", bought.body);
}

#[tokio::test]
async fn bad_configuration_names_the_key() {
    let cases: [(&[(&str, &str)], &str); 4] = [
        (&[("OUTDIAL_PORT", "eighty")], "OUTDIAL_PORT"),
        (&[("DATABASE_URL", "mysql://root:hunter2@db/x")], "DATABASE_URL"),
        (&[("REDIS_URL", "http://nope")], "REDIS_URL"),
        (&[("OUTDIAL_LOG_FORMAT", "xml")], "OUTDIAL_LOG_FORMAT"),
    ];
    for (env, key) in cases {
        let env: Vec<(&str, String)> = env.iter().map(|(k, v)| (*k, v.to_string())).collect();
        let out = command(&["serve"], &env).output().await.unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(key) && err.contains("expected"), "{err}");
        assert!(!err.contains("hunter2"), "secrets are not printed: {err}");
    }
    let dir = TempDir::new();
    let file = dir.0.join("outdial.toml");
    std::fs::write(&file, "port = 8080\nwhat_is_this = 1\n").unwrap();
    let out = command(&["--config", &file.display().to_string(), "serve"], &[]).output().await.unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("what_is_this"), "{err}");
}

async fn empty_pg_database() -> String {
    use sea_orm::{ConnectionTrait, Database};
    let admin = Database::connect(format!("{}/postgres", pg_admin_url())).await.unwrap();
    let name = format!("outdial_t_{}", random_suffix());
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.unwrap();
    format!("{}/{name}", pg_admin_url())
}

/// Production shape: `migrate`, then `api` and `worker` as separate processes sharing only
/// PostgreSQL and Redis. The invitation email is written by the worker process.
#[tokio::test]
async fn separate_api_and_worker_processes_on_postgres_and_redis() {
    let db = empty_pg_database().await;
    let api_dir = TempDir::new();
    let worker_dir = TempDir::new();
    let common = vec![
        ("DATABASE_URL", db.clone()),
        ("REDIS_URL", redis_url()),
        ("OUTDIAL_REDIS_PREFIX", format!("t_{}", random_suffix())),
        ("OUTDIAL_JWT_SECRET", "a-shared-secret-of-at-least-32-characters".to_owned()),
        ("OUTDIAL_PORT", "0".to_owned()),
    ];
    // The API refuses to start on a schema that is behind, and says what to run.
    let out = command(&["api", "--data-dir", &api_dir.0.display().to_string()], &common).output().await.unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("outdial migrate"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = command(&["migrate"], &common).output().await.unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let api = spawn(&["api", "--data-dir", &api_dir.0.display().to_string()], &common).await;
    let _worker = spawn(&["worker", "--data-dir", &worker_dir.0.display().to_string()], &common).await;
    let app = http(api.base.as_deref().unwrap()).await;
    let r = app.req(reqwest::Method::GET, "/readyz", None, None).await;
    assert_eq!((r.body["database"].as_str(), r.body["queue"].as_str()), (Some("postgres"), Some("redis")));
    let owner = app.signup("Split").await;
    let key =
        app.post("/v1/api-keys", &owner.token, json!({"name": "ci"})).await.body["key"].as_str().unwrap().to_owned();
    assert_eq!(app.get("/v1/me", &key).await.status, StatusCode::OK);
    let inv = app.post("/v1/invitations", &owner.token, json!({"email": "split@example.test", "role": "agent"})).await;
    assert_eq!(inv.status, StatusCode::CREATED);
    let mail = wait_mail_in(&worker_dir.0, "invitation:").await;
    assert_eq!(mail["to"], "split@example.test");
    assert!(read_mails(&api_dir.0).is_empty(), "the API process sends nothing itself");
    let _ = Path::new(&db);
}

/// A large import is killed (SIGKILL) twice mid-way; each restart resumes from the last
/// committed batch, and the end result has exactly one contact per input row.
async fn import_survives_kill_9_with_one_contact_per_row(backend: Backend) {
    const ROWS: usize = 30_000;
    let dir = TempDir::new();
    let settings = env_of(&test_settings(backend, &dir.0).await, &[("OUTDIAL_JOB_LEASE_SECS", "4")]);
    let mut csv = String::from("First Name,Last Name,Phone,Email,Zip\n");
    for i in 0..ROWS {
        // Distinct valid numbers across a few area codes.
        let npa = [212, 312, 512, 415, 305][i % 5];
        csv.push_str(&format!(
            "First{i},Last{i},{npa}-555-{:04},p{i}@example.test,{}\n",
            i / 5 % 10_000,
            ["10001", "60601", "78701", "94105", "33101"][i % 5]
        ));
    }
    let mut p = spawn(&["serve"], &settings).await;
    let app = http(p.base.as_deref().unwrap()).await;
    let owner = app.signup("Big List").await;
    let r = crate::imports::upload(&app, &owner.token, "?list_name=Big&auto_start=true", "text/csv", csv.into_bytes())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_owned();
    let list = r.body["list_id"].as_str().unwrap().to_owned();
    let mut seen_progress = Vec::new();
    for _ in 0..2 {
        let app = http(p.base.as_deref().unwrap()).await;
        let login = app.post_anon("/v1/auth/login", json!({"email": owner.email, "password": PASSWORD})).await;
        let token = login.body["access_token"].as_str().unwrap().to_owned();
        // Wait for the import to be part-way, then kill -9.
        let done = eventually("progress", || async {
            let r = app.get(&format!("/v1/imports/{id}"), &token).await;
            let n = r.body["rows_done"].as_i64().unwrap_or(0);
            (n > *seen_progress.last().unwrap_or(&0)).then_some(n)
        })
        .await;
        assert!(done < ROWS as i64, "killed before the end ({done} rows)");
        seen_progress.push(done);
        p.child.start_kill().unwrap();
        p.child.wait().await.unwrap();
        p = spawn(&["serve"], &settings).await;
    }
    let app = http(p.base.as_deref().unwrap()).await;
    let login = app.post_anon("/v1/auth/login", json!({"email": owner.email, "password": PASSWORD})).await;
    let token = login.body["access_token"].as_str().unwrap().to_owned();
    let mut last = serde_json::Value::Null;
    for _ in 0..1200 {
        last = app.get(&format!("/v1/imports/{id}"), &token).await.body;
        if last["status"] == "done" || last["status"] == "failed" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(last["status"], "done", "{last}");
    assert_eq!(last["rows_done"], ROWS, "{last}");
    assert_eq!(last["rows_created"], ROWS, "{last}");
    assert_eq!((last["rows_merged"].as_i64(), last["rows_failed"].as_i64()), (Some(0), Some(0)), "{last}");
    assert_eq!(app.get(&format!("/v1/lists/{list}"), &token).await.body["size"], ROWS, "one contact per row");
    for probe in ["212-555-0000", "512-555-1999", "305-555-5999"] {
        let r = app.get(&format!("/v1/contacts?q={probe}"), &token).await;
        assert_eq!(r.body["data"].as_array().unwrap().len(), 1, "{probe}: {}", r.body);
    }
    assert!(seen_progress.windows(2).all(|w| w[0] < w[1]), "progress survived the kills: {seen_progress:?}");
}
