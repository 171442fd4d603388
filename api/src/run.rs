//! Starting and stopping the process in each mode: `serve` (API + workers in one process),
//! `api`, `worker`. The test harness uses the same entry points.

use crate::state::AppState;
use outdial_domain::{ids::TenantId, tenancy::Role};
use outdial_infra::{
    auth::password,
    config::Config,
    db::repo::{members, tenants, users},
    queue::relay::Fault,
};
use outdial_migrations::{Migrator, MigratorTrait};
use std::net::SocketAddr;
use tokio::{sync::watch, task::JoinHandle};

/// Which parts this process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Everything in one process; migrates at start; seeds the demo agency when configured.
    Serve,
    /// The HTTP tier only; the schema must be current (`outdial migrate`).
    Api,
    /// The outbox relay and job workers only.
    Worker,
}

/// The demo login printed at start in the embedded default.
pub const DEMO_EMAIL: &str = "demo@outdial.local";
pub const DEMO_PASSWORD: &str = "Outdial-demo-2026";

/// A started process.
pub struct Running {
    pub addr: Option<SocketAddr>,
    pub state: AppState,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<anyhow::Result<()>>>,
}

impl Running {
    /// Graceful stop: no new requests, in-flight requests and the job in hand finish.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        let _ = self.stop.send(true);
        self.join().await
    }

    /// Waits until every part has stopped.
    pub async fn join(self) -> anyhow::Result<()> {
        for t in self.tasks {
            t.await??;
        }
        Ok(())
    }

    /// A handle that stops the process when sent `true`.
    pub fn stopper(&self) -> watch::Sender<bool> {
        self.stop.clone()
    }
}

/// Starts the process in `mode`.
pub async fn start(config: Config, mode: Mode) -> anyhow::Result<Running> {
    let state = AppState::build(config.clone(), mode == Mode::Serve).await?;
    if mode != Mode::Serve {
        let pending = Migrator::get_pending_migrations(&state.db).await?;
        if !pending.is_empty() {
            anyhow::bail!("the database schema is {} migration(s) behind; run `outdial migrate` first", pending.len());
        }
    }
    if mode == Mode::Serve && config.demo {
        seed_demo(&state).await?;
    }
    let (stop, stop_rx) = watch::channel(false);
    let mut tasks: Vec<JoinHandle<anyhow::Result<()>>> = Vec::new();
    let mut addr = None;
    if mode != Mode::Worker {
        let listener = tokio::net::TcpListener::bind((config.host.as_str(), config.port)).await.map_err(|e| {
            anyhow::anyhow!(
                "cannot listen on {}:{} ({e}); set OUTDIAL_PORT or --port to a free port",
                config.host,
                config.port
            )
        })?;
        let bound = listener.local_addr()?;
        addr = Some(bound);
        if config.port == 0 {
            // Tests bind port 0: carriers must call back the port actually bound.
            let public = format!("http://127.0.0.1:{}", bound.port());
            let sandbox = config.sandbox_url.clone().unwrap_or_else(|| format!("{public}/sandbox"));
            state.voice.set_urls(&public, &sandbox);
        }
        let app = crate::app(state.clone());
        let mut rx = stop_rx.clone();
        tasks.push(tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    while !*rx.borrow() {
                        if rx.changed().await.is_err() {
                            break;
                        }
                    }
                })
                .await?;
            Ok(())
        }));
    }
    tasks.push(tokio::spawn({
        let (state, stop) = (state.clone(), stop_rx.clone());
        async move {
            crate::state::watch_registry(state, stop).await;
            Ok(())
        }
    }));
    if mode != Mode::Api {
        let deps = outdial_worker::WorkerDeps {
            db: state.db.clone(),
            queue: state.queue.clone(),
            mailer: state.mailer.clone(),
            metrics: state.metrics.clone(),
            public_url: config.public_url.clone(),
            relay_wake: state.relay_wake.clone(),
            fault: Fault::parse(config.fault.as_deref()),
            retry_base_ms: config.job_retry_base_ms,
            lease: chrono::Duration::seconds(config.job_lease_secs),
            imports: outdial_infra::import::process::ImportDeps {
                db: state.db.clone(),
                national: state.national.clone(),
                spool_dir: config.data_dir.join("spool"),
                events: Some(state.events.clone()),
            },
            dialer: state.dialer.clone(),
            tick_every: std::time::Duration::from_millis(config.dialer_tick_ms),
            reconcile_quiet: std::time::Duration::from_secs(config.reconcile_quiet_secs),
            number_health_every: std::time::Duration::from_secs(config.number_health_secs),
        };
        let name = format!("outdial-worker-{}", outdial_infra::ids::raw(""));
        tasks.push(tokio::spawn(outdial_worker::run(deps, name, stop_rx.clone())));
    }
    Ok(Running { addr, state, stop, tasks })
}

/// Creates the demo agency and its owner once.
async fn seed_demo(state: &AppState) -> anyhow::Result<()> {
    if users::by_email(&state.db, DEMO_EMAIL).await?.is_some() {
        return Ok(());
    }
    let now = chrono::Utc::now();
    let hash = password::hash(DEMO_PASSWORD.to_owned()).await?;
    let tx = outdial_infra::db::begin(&state.db).await?;
    let tenant = tenants::create(&tx, "Demo Agency", now).await?;
    let user = users::create(&tx, DEMO_EMAIL, "Demo Owner", &hash, now).await?;
    members::add(&tx, &TenantId::parse(&tenant.id)?, &user.id, Role::Owner, now).await?;
    outdial_infra::voice::accounts::create_default_sandbox(&tx, &state.voice, &TenantId::parse(&tenant.id)?, now)
        .await?;
    tx.commit().await?;
    tracing::info!(tenant_id = %tenant.id, "demo agency created");
    Ok(())
}

/// Waits for Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
