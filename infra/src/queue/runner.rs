//! Runs one delivered job: claim it (compare-and-set), dispatch it to the job handlers, record
//! the outcome. Duplicate deliveries lose the claim and do nothing.

use super::{backend::JobRef, job::Job, outbox};
use crate::metrics::Metrics;
use outdial_domain::ids::TenantId;
use sea_orm::DatabaseConnection;
use std::{future::Future, pin::Pin, sync::Arc};
use tracing::Instrument;

/// Why a job run failed, and whether trying again can help.
#[derive(Debug)]
pub struct JobError {
    pub message: String,
    pub retryable: bool,
}

impl JobError {
    /// A failure a later attempt may not hit (network, a busy server).
    pub fn retryable(message: impl Into<String>) -> JobError {
        JobError { message: message.into(), retryable: true }
    }

    /// A failure no retry can fix (the row it needs is gone, the payload is invalid).
    pub fn permanent(message: impl Into<String>) -> JobError {
        JobError { message: message.into(), retryable: false }
    }
}

/// The future a handler returns.
pub type JobFuture<'a> = Pin<Box<dyn Future<Output = Result<(), JobError>> + Send + 'a>>;

/// What the worker crate implements: the work behind each job kind.
pub trait JobHandler: Send + Sync {
    fn handle<'a>(&'a self, tenant: &'a TenantId, job: &'a Job) -> JobFuture<'a>;
}

/// Shared by every delivery.
#[derive(Clone)]
pub struct Runner {
    pub db: DatabaseConnection,
    pub handler: Arc<dyn JobHandler>,
    pub metrics: Metrics,
    /// First retry delay in milliseconds.
    pub retry_base_ms: i64,
    /// How long a claim lasts without renewal.
    pub lease: chrono::Duration,
}

impl Runner {
    /// Claims and runs one job. Errors are recorded on the row (and logged), never returned:
    /// the queue's delivery is done either way, the row decides what happens next.
    pub async fn run(&self, job: JobRef) {
        let span =
            tracing::info_span!("job", job_id = %job.job_id, tenant_id = %job.tenant_id, trace_id = %job.trace_id);
        async {
            if let Err(e) = self.try_run(&job).await {
                tracing::error!(error = %e, "job bookkeeping failed; the relay will hand it over again");
            }
        }
        .instrument(span)
        .await
    }

    async fn try_run(&self, job: &JobRef) -> anyhow::Result<()> {
        let tenant = TenantId::parse(&job.tenant_id)?;
        let now = chrono::Utc::now();
        let Some(row) = outbox::claim(&self.db, &tenant, &job.job_id, now, self.lease).await? else {
            tracing::debug!("duplicate delivery; another run owns or finished this job");
            self.metrics.inc("outdial_jobs_duplicate_deliveries_total", &[]);
            return Ok(());
        };
        // Keep the lease while the job runs (imports take minutes); a dead worker stops
        // renewing and the relay hands the job to another.
        let renewer = {
            let (db, row, lease) = (self.db.clone(), row.clone(), self.lease);
            let every = (lease / 4).to_std().unwrap_or(std::time::Duration::from_secs(5));
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(every).await;
                    if let Err(e) = outbox::renew(&db, &row, chrono::Utc::now(), lease).await {
                        tracing::warn!(error = %e, "could not renew the job lease");
                    }
                }
            })
        };
        let outcome = match serde_json::from_str::<Job>(&row.payload) {
            Ok(payload) => self.handler.handle(&tenant, &payload).await,
            Err(e) => Err(JobError::permanent(format!("undecodable payload: {e}"))),
        };
        renewer.abort();
        let now = chrono::Utc::now();
        match outcome {
            Ok(()) => {
                outbox::finish(&self.db, &row, now).await?;
                self.metrics.inc("outdial_jobs_total", &[("kind", &row.kind), ("outcome", "done")]);
                tracing::info!(kind = %row.kind, attempt = row.attempts, "job done");
            }
            Err(e) => {
                outbox::fail(&self.db, &row, &e.message, e.retryable, self.retry_base_ms, now).await?;
                self.metrics.inc("outdial_jobs_total", &[("kind", &row.kind), ("outcome", "failed")]);
                tracing::warn!(kind = %row.kind, attempt = row.attempts, error = %e.message, retryable = e.retryable, "job failed");
            }
        }
        Ok(())
    }
}
