//! Email jobs: invitations and password resets. Each run mints a fresh link secret (only its
//! hash is stored), sends the message, and records that it left.

use outdial_domain::ids::TenantId;
use outdial_infra::{
    db::{
        Db,
        repo::{RepoError, invitations, sessions, users},
    },
    mail::{Email, MailError, Mailer},
    queue::runner::JobError,
};

pub struct EmailJobs {
    pub db: Db,
    pub mailer: Mailer,
    pub public_url: String,
}

fn db_err(e: RepoError) -> JobError {
    match e {
        RepoError::NotFound => JobError::permanent("the row this job is about no longer exists"),
        other => JobError::retryable(other.to_string()),
    }
}

fn mail_err(e: MailError) -> JobError {
    match e {
        MailError::Transient(m) => JobError::retryable(m),
        MailError::Permanent(m) => JobError::permanent(m),
    }
}

impl EmailJobs {
    pub async fn invitation(&self, tenant: &TenantId, id: &str) -> Result<(), JobError> {
        let (inv, secret) = invitations::mint_token(&self.db, tenant, id).await.map_err(db_err)?;
        if inv.revoked_at.is_some() || inv.accepted_at.is_some() {
            tracing::info!("invitation no longer pending; nothing to send");
            return Ok(());
        }
        let agency = outdial_infra::db::repo::tenants::get(&self.db, tenant).await.map_err(db_err)?;
        let link = format!("{}/accept-invitation?token={secret}", self.public_url);
        let email = Email {
            to: inv.email.clone(),
            subject: format!("You're invited to {} on Outdial", agency.name),
            text: format!(
                "You have been invited to join {} on Outdial as {}.\n\nAccept the invitation: {link}\n\nThe link works once and expires on {}.",
                agency.name,
                inv.role,
                inv.expires_at.format("%Y-%m-%d %H:%M UTC")
            ),
            reference: format!("invitation:{}", inv.id),
        };
        self.mailer.send(&email).await.map_err(mail_err)?;
        invitations::mark_sent(&self.db, tenant, id, chrono::Utc::now()).await.map_err(db_err)
    }

    pub async fn password_reset(&self, tenant: &TenantId, id: &str) -> Result<(), JobError> {
        let (reset, secret) = sessions::mint_reset_token(&self.db, tenant, id).await.map_err(db_err)?;
        let user = users::by_id(&self.db, &reset.user_id).await.map_err(db_err)?;
        let link = format!("{}/reset-password?token={secret}", self.public_url);
        let email = Email {
            to: user.email.clone(),
            subject: "Reset your Outdial password".to_owned(),
            text: format!(
                "Someone asked to reset the password of your Outdial account.\n\nChoose a new password: {link}\n\nThe link works once and expires in one hour. If it wasn't you, ignore this message."
            ),
            reference: format!("password_reset:{}", reset.id),
        };
        self.mailer.send(&email).await.map_err(mail_err)
    }
}
