//! The outbox relay: hands due job rows to the queue and marks them queued. Several relays
//! (one per worker process) may run at once; a row handed over twice is harmless because the
//! worker's claim is a compare-and-set.

use super::{backend::JobRef, backend::Queue, outbox};
use sea_orm::DatabaseConnection;
use std::{sync::Arc, time::Duration};
use tokio::sync::{Notify, watch};

/// Test-only crash points, set with `OUTDIAL_FAULT`, that kill the process like `kill -9`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// After the job's transaction committed, before it is handed to the queue.
    CrashBeforeRelay,
    /// After the queue took the job, before the row is marked queued.
    CrashAfterPush,
}

impl Fault {
    pub fn parse(raw: Option<&str>) -> Option<Fault> {
        match raw {
            Some("crash_before_relay") => Some(Fault::CrashBeforeRelay),
            Some("crash_after_push") => Some(Fault::CrashAfterPush),
            _ => None,
        }
    }
}

/// Runs until `stop` turns true. `wake` lets a local writer skip the poll interval.
pub async fn run(
    db: DatabaseConnection,
    queue: Queue,
    wake: Arc<Notify>,
    fault: Option<Fault>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        match relay_once(&db, &queue, fault).await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "outbox relay pass failed; retrying"),
        }
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(Duration::from_millis(500)) => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            return;
        }
    }
}

/// One pass; returns how many rows it handed over.
pub async fn relay_once(db: &DatabaseConnection, queue: &Queue, fault: Option<Fault>) -> anyhow::Result<usize> {
    let now = chrono::Utc::now();
    let rows = outbox::due_for_relay(db, now, 100).await?;
    for row in &rows {
        if fault == Some(Fault::CrashBeforeRelay) {
            tracing::error!(job_id = %row.id, "fault injection: crashing before relay");
            std::process::abort();
        }
        queue
            .push(JobRef { job_id: row.id.clone(), tenant_id: row.tenant_id.clone(), trace_id: row.trace_id.clone() })
            .await?;
        if fault == Some(Fault::CrashAfterPush) {
            tracing::error!(job_id = %row.id, "fault injection: crashing after push");
            std::process::abort();
        }
        outbox::mark_queued(db, row, now).await?;
    }
    Ok(rows.len())
}
