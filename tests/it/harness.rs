//! `spawn_app`, HTTP helpers and backend set-up shared by every test.

use outdial_api::run::{Mode, Running, start};
use outdial_infra::config::Sources;
use rand::Rng;
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// Which storage the app under test uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// PostgreSQL + Redis (production shape).
    Postgres,
    /// SQLite + the in-process queue (embedded default).
    Sqlite,
}

/// Generates one test per backend from an `async fn name(backend: Backend)`.
#[macro_export]
macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod pg {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name($crate::harness::Backend::Postgres).await }) *
        }
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name($crate::harness::Backend::Sqlite).await }) *
        }
    };
}

pub fn pg_admin_url() -> String {
    std::env::var("OUTDIAL_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

pub fn redis_url() -> String {
    std::env::var("OUTDIAL_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

pub fn random_suffix() -> String {
    let mut rng = rand::thread_rng();
    (0..12).map(|_| (b'a' + rng.gen_range(0..26)) as char).collect()
}

/// A scratch directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        let p = std::env::temp_dir().join(format!("outdial-test-{}", random_suffix()));
        std::fs::create_dir_all(&p).expect("temp dir");
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn template_name() -> String {
    use outdial_migrations::MigratorTrait;
    let names: Vec<String> = outdial_migrations::Migrator::migrations().iter().map(|m| m.name().to_owned()).collect();
    let mut h: u64 = 1469598103934665603;
    for b in names.join(",").bytes() {
        h = (h ^ b as u64).wrapping_mul(1099511628211);
    }
    format!("outdial_tmpl_{:x}", h & 0xffff_ffff)
}

/// A fresh database cloned from a migrated template (made once, under an advisory lock, by
/// whichever test process gets there first).
pub async fn fresh_pg_database() -> String {
    let admin = Database::connect(format!("{}/postgres", pg_admin_url()))
        .await
        .expect("PostgreSQL must be running for the tests (see .ci/run)");
    let tmpl = template_name();
    admin.execute_unprepared("SELECT pg_advisory_lock(727274)").await.expect("lock");
    let exists = admin
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            format!("SELECT 1 FROM pg_database WHERE datname = '{tmpl}'"),
        ))
        .await
        .expect("query")
        .is_some();
    if !exists {
        admin.execute_unprepared(&format!("CREATE DATABASE {tmpl}_build")).await.expect("create template");
        {
            let db = Database::connect(format!("{}/{tmpl}_build", pg_admin_url())).await.expect("connect template");
            outdial_infra::db::migrate(&db).await.expect("migrate template");
            db.close().await.expect("close");
        }
        admin
            .execute_unprepared(&format!("ALTER DATABASE {tmpl}_build RENAME TO {tmpl}"))
            .await
            .expect("rename template");
    }
    admin.execute_unprepared("SELECT pg_advisory_unlock(727274)").await.expect("unlock");
    let name = format!("outdial_t_{}", random_suffix());
    admin.execute_unprepared(&format!("CREATE DATABASE {name} TEMPLATE {tmpl}")).await.expect("clone template");
    admin.close().await.ok();
    format!("{}/{name}", pg_admin_url())
}

/// Environment-style settings for a test instance.
pub async fn test_settings(backend: Backend, data_dir: &Path) -> Vec<(&'static str, String)> {
    let mut s = vec![
        ("OUTDIAL_PORT", "0".to_owned()),
        ("OUTDIAL_DATA_DIR", data_dir.display().to_string()),
        ("OUTDIAL_DEMO", "false".to_owned()),
        ("OUTDIAL_SANDBOX_TIME_SCALE", "0.02".to_owned()),
        ("OUTDIAL_LOG_FORMAT", "json".to_owned()),
        ("OUTDIAL_JOB_RETRY_BASE_MS", "50".to_owned()),
    ];
    if backend == Backend::Postgres {
        s.push(("DATABASE_URL", fresh_pg_database().await));
        s.push(("REDIS_URL", redis_url()));
        s.push(("OUTDIAL_REDIS_PREFIX", format!("t_{}", random_suffix())));
    }
    s
}

/// The app under test.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub data_dir: TempDir,
    running: Option<Running>,
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, &[]).await
}

pub async fn spawn_app_with(backend: Backend, extra: &[(&'static str, &str)]) -> TestApp {
    // OUTDIAL_TEST_LOG=debug shows the app's logs in a failing test's output.
    if let Ok(filter) = std::env::var("OUTDIAL_TEST_LOG") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_test_writer()
            .try_init();
    }
    let data_dir = TempDir::new();
    let mut sources = Sources::default();
    for (k, v) in test_settings(backend, &data_dir.0).await {
        sources.set(k, v);
    }
    for (k, v) in extra {
        sources.set(k, *v);
    }
    let config = sources.build().expect("test config");
    let running = start(config, Mode::Serve).await.expect("app starts");
    let addr = running.addr.expect("listening");
    TestApp {
        base: format!("http://{addr}"),
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .expect("client"),
        data_dir,
        running: Some(running),
    }
}

/// A response: status, body as JSON (Null when empty or not JSON), headers.
pub struct Res {
    pub status: StatusCode,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Res {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }
}

/// A signed-up agency owner.
pub struct Owner {
    pub token: String,
    pub refresh: String,
    pub user_id: String,
    pub tenant_id: String,
    pub email: String,
    pub password: String,
}

pub const PASSWORD: &str = "Correct-horse-42";

impl TestApp {
    /// The running application's state (voice services, sandbox carrier, database).
    pub fn state(&self) -> &outdial_api::state::AppState {
        &self.running.as_ref().expect("running").state
    }

    pub async fn req(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Res {
        let mut rb = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let res = rb.send().await.expect("request sent");
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap_or_default();
        Res { status, body: serde_json::from_str(&text).unwrap_or(Value::Null), headers }
    }

    pub async fn get(&self, path: &str, token: &str) -> Res {
        self.req(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Res {
        self.req(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Res {
        self.req(Method::PATCH, path, Some(token), Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Res {
        self.req(Method::DELETE, path, Some(token), None).await
    }

    pub async fn put(&self, path: &str, token: &str) -> Res {
        self.req(Method::PUT, path, Some(token), None).await
    }

    pub async fn post_anon(&self, path: &str, body: Value) -> Res {
        self.req(Method::POST, path, None, Some(body)).await
    }

    /// Signs up a new agency with a unique email.
    pub async fn signup(&self, agency: &str) -> Owner {
        let email = format!("owner-{}@{}.test", random_suffix(), agency.to_ascii_lowercase().replace(' ', ""));
        let r = self
            .post_anon(
                "/v1/auth/signup",
                json!({"agency_name": agency, "name": "Owner Person", "email": email, "password": PASSWORD}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "signup: {}", r.body);
        Owner {
            token: r.body["access_token"].as_str().expect("access").to_owned(),
            refresh: r.body["refresh_token"].as_str().expect("refresh").to_owned(),
            user_id: r.body["user"]["id"].as_str().expect("user").to_owned(),
            tenant_id: r.body["tenant"]["id"].as_str().expect("tenant").to_owned(),
            email,
            password: PASSWORD.to_owned(),
        }
    }

    /// Waits (up to 20 s) until a mail whose reference starts with `reference` arrives.
    pub async fn wait_mail(&self, reference: &str) -> Value {
        wait_mail_in(&self.data_dir.0, reference).await
    }

    /// Invites `email` with `role` and accepts as a new person; returns the new member's token.
    pub async fn add_member(&self, owner: &Owner, role: &str) -> (String, String) {
        let email = format!("member-{}@example.test", random_suffix());
        let inv = self.post("/v1/invitations", &owner.token, json!({"email": email, "role": role})).await;
        assert_eq!(inv.status, StatusCode::CREATED, "{}", inv.body);
        let id = inv.body["id"].as_str().expect("id").to_owned();
        let mail = self.wait_mail(&format!("invitation:{id}")).await;
        let token = token_from_mail(&mail);
        let acc = self
            .post_anon("/v1/invitations/accept", json!({"token": token, "name": "New Member", "password": PASSWORD}))
            .await;
        assert_eq!(acc.status, StatusCode::OK, "{}", acc.body);
        (
            acc.body["access_token"].as_str().expect("token").to_owned(),
            acc.body["user"]["id"].as_str().expect("id").to_owned(),
        )
    }

    /// A client for an `outdial` process started elsewhere (no lifecycle of its own).
    pub fn attach(base: &str) -> TestApp {
        TestApp { base: base.to_owned(), client: reqwest::Client::new(), data_dir: TempDir::new(), running: None }
    }

    pub async fn stop(mut self) {
        if let Some(r) = self.running.take() {
            r.shutdown().await.expect("clean shutdown");
        }
    }
}

pub fn read_mails(dir: &Path) -> Vec<Value> {
    std::fs::read_to_string(dir.join("mail.log"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

pub async fn wait_mail_in(dir: &Path, reference: &str) -> Value {
    for _ in 0..200 {
        if let Some(m) =
            read_mails(dir).into_iter().find(|m| m["reference"].as_str().is_some_and(|r| r.starts_with(reference)))
        {
            return m;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no mail {reference} within 20 s; mails: {:?}", read_mails(dir));
}

/// The `token=` of the link in a mail.
pub fn token_from_mail(mail: &Value) -> String {
    let text = mail["text"].as_str().expect("text");
    let start = text.find("token=").expect("link with token") + "token=".len();
    text[start..].split_whitespace().next().expect("token").to_owned()
}

/// Polls `f` every 100 ms until it returns Some, for up to 60 s. (CI on 2 shared cores has
/// shown PostgreSQL+Redis job pick-ups stall for over 20 s at once across unrelated tests; a
/// wait this long tells such a stall from a thing that never happens.)
pub async fn eventually<T, F, Fut>(what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// The `outdial` command under test.
pub fn outdial_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_outdial-under-test"))
}
