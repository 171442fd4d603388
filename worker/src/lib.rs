//! Background work: the outbox relay, the apalis worker, and the handlers behind each job kind.

mod emails;
mod jobs;

use outdial_infra::{
    mail::Mailer,
    metrics::Metrics,
    queue::{Queue, relay, runner::Runner},
};

use std::sync::Arc;
use tokio::sync::{Notify, watch};

/// What the worker needs.
#[derive(Clone)]
pub struct WorkerDeps {
    pub db: outdial_infra::db::Db,
    pub queue: Queue,
    pub mailer: Mailer,
    pub metrics: Metrics,
    pub public_url: String,
    pub relay_wake: Arc<Notify>,
    pub fault: Option<relay::Fault>,
    pub retry_base_ms: i64,
    pub lease: chrono::Duration,
    pub imports: outdial_infra::import::process::ImportDeps,
    pub dialer: outdial_infra::dialer::Dialer,
    /// How often the pacing tick runs.
    pub tick_every: std::time::Duration,
    /// A call silent this long is looked up at the carrier.
    pub reconcile_quiet: std::time::Duration,
    /// How often every number's health is re-assessed.
    pub number_health_every: std::time::Duration,
}

/// Runs the relay and the apalis worker until `stop` turns true; the job in hand finishes first.
pub async fn run(deps: WorkerDeps, name: String, stop: watch::Receiver<bool>) -> anyhow::Result<()> {
    let relay_task = tokio::spawn(relay::run(
        deps.db.clone(),
        deps.queue.clone(),
        deps.relay_wake.clone(),
        deps.fault,
        stop.clone(),
    ));
    let handler = Arc::new(jobs::Jobs {
        emails: emails::EmailJobs {
            db: deps.db.clone(),
            mailer: deps.mailer.clone(),
            public_url: deps.public_url.clone(),
        },
        imports: deps.imports.clone(),
        dialer: deps.dialer.clone(),
    });
    let tick_task =
        tokio::spawn(outdial_infra::dialer::engine::run(deps.dialer.clone(), deps.tick_every, stop.clone()));
    let reconcile_task = tokio::spawn(outdial_infra::voice::reconcile::run(
        deps.dialer.voice.clone(),
        deps.reconcile_quiet,
        stop.clone(),
    ));
    let health_task = tokio::spawn(outdial_infra::voice::numbers::run_health_sweeps(
        deps.dialer.voice.clone(),
        deps.number_health_every,
        stop.clone(),
    ));
    let runner = Runner {
        db: deps.db.clone(),
        handler,
        metrics: deps.metrics.clone(),
        retry_base_ms: deps.retry_base_ms,
        lease: deps.lease,
    };
    // A backend error (Redis restarting, SQLite busy) ends an apalis worker; the job rows are
    // safe in the database, so the worker is started again after a pause until we are told to stop.
    // Each start registers under a new name: apalis refuses a name whose last heartbeat is recent,
    // which kept a restarted worker out for minutes.
    let mut starts = 0u32;
    loop {
        starts += 1;
        let worker_name = if starts == 1 { name.clone() } else { format!("{name}-r{starts}") };
        let mut stop_signal = stop.clone();
        let shutdown = async move {
            while !*stop_signal.borrow() {
                if stop_signal.changed().await.is_err() {
                    break;
                }
            }
        };
        let result = deps.queue.clone().run_worker(worker_name, runner.clone(), shutdown).await;
        if *stop.borrow() {
            relay_task.await?;
            tick_task.await?;
            reconcile_task.await?;
            health_task.await?;
            return result;
        }
        match result {
            Ok(()) => tracing::warn!("job worker stopped on its own; starting it again"),
            Err(e) => tracing::error!(error = %e, "job worker failed; starting it again in 1 s"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}
