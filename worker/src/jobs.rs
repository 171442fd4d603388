//! Dispatch from a job kind to the work behind it.

use crate::emails::EmailJobs;
use outdial_domain::ids::TenantId;
use outdial_infra::{
    dialer::{Dialer, DialerError, place, texts},
    import::process::{self, ImportDeps},
    queue::{
        Job,
        runner::{JobError, JobFuture, JobHandler},
    },
};

pub struct Jobs {
    pub emails: EmailJobs,
    pub imports: ImportDeps,
    pub dialer: Dialer,
}

impl JobHandler for Jobs {
    fn handle<'a>(&'a self, tenant: &'a TenantId, job: &'a Job) -> JobFuture<'a> {
        Box::pin(async move {
            match job {
                Job::SendInvitationEmailV1 { invitation_id } => self.emails.invitation(tenant, invitation_id).await,
                Job::SendPasswordResetEmailV1 { reset_id } => self.emails.password_reset(tenant, reset_id).await,
                Job::ImportContactsV1 { import_id } => {
                    let result = process::run(&self.imports, tenant, import_id).await;
                    // A file that cannot be imported is marked failed with the reason, so the
                    // person who uploaded it sees what to fix.
                    if let Err(e) = &result
                        && !e.retryable
                        && let Err(db) = process::fail(&self.imports.db, tenant, import_id, &e.message).await
                    {
                        tracing::error!(error = %db, "could not mark the import failed");
                    }
                    result
                }
                Job::PlaceDialV1 { attempt_id } => {
                    place::run(&self.dialer, tenant, attempt_id).await.map_err(job_error)
                }
                Job::SendTextV1 { message_id } => {
                    texts::send(&self.dialer, tenant, message_id).await.map_err(job_error)
                }
            }
        })
    }
}

fn job_error(e: DialerError) -> JobError {
    match e {
        DialerError::Db(_) | DialerError::Voice(_) | DialerError::Repo(_) => JobError::retryable(e.to_string()),
        other => JobError::permanent(other.to_string()),
    }
}
