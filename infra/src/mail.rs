//! Outgoing email: SMTP in production, a JSON-lines log file in the embedded default (so a
//! newcomer can open the invitation link without a mail server).

use crate::config::{Config, MailTransport};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor, message::header::ContentType};
use serde::Serialize;
use std::path::PathBuf;
use tokio::io::AsyncWriteExt;

/// One message.
#[derive(Debug, Clone, Serialize)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
    /// What the message is about (`invitation:inv_...`), for the log transport's readers.
    pub reference: String,
}

/// Why a send failed.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("mail transport unavailable: {0}")]
    Transient(String),
    #[error("message refused: {0}")]
    Permanent(String),
}

/// The configured transport.
#[derive(Clone)]
pub enum Mailer {
    Log { path: PathBuf, from: String },
    Smtp { transport: AsyncSmtpTransport<Tokio1Executor>, from: String },
}

impl Mailer {
    pub fn from_config(config: &Config) -> anyhow::Result<Mailer> {
        Ok(match &config.mail {
            MailTransport::Log => {
                Mailer::Log { path: config.data_dir.join("mail.log"), from: config.mail_from.clone() }
            }
            MailTransport::Smtp { url } => Mailer::Smtp {
                transport: AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| anyhow::anyhow!("OUTDIAL_SMTP_URL: {e}"))?
                    .build(),
                from: config.mail_from.clone(),
            },
        })
    }

    pub async fn send(&self, email: &Email) -> Result<(), MailError> {
        match self {
            Mailer::Log { path, from } => {
                let mut line = serde_json::to_value(email).map_err(|e| MailError::Permanent(e.to_string()))?;
                line["from"] = serde_json::Value::String(from.clone());
                line["sent_at"] = serde_json::Value::String(chrono::Utc::now().to_rfc3339());
                let mut text = line.to_string();
                text.push('\n');
                if let Some(dir) = path.parent() {
                    tokio::fs::create_dir_all(dir).await.map_err(|e| MailError::Transient(e.to_string()))?;
                }
                let mut f = tokio::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .await
                    .map_err(|e| MailError::Transient(e.to_string()))?;
                f.write_all(text.as_bytes()).await.map_err(|e| MailError::Transient(e.to_string()))?;
                f.sync_data().await.map_err(|e| MailError::Transient(e.to_string()))?;
                tracing::info!(reference = %email.reference, file = %path.display(), "email written to the mail log");
                Ok(())
            }
            Mailer::Smtp { transport, from } => {
                let msg = Message::builder()
                    .from(from.parse().map_err(|e| MailError::Permanent(format!("from: {e}")))?)
                    .to(email.to.parse().map_err(|e| MailError::Permanent(format!("to: {e}")))?)
                    .subject(&email.subject)
                    .header(ContentType::TEXT_PLAIN)
                    .body(email.text.clone())
                    .map_err(|e| MailError::Permanent(e.to_string()))?;
                match transport.send(msg).await {
                    Ok(_) => Ok(()),
                    Err(e) if e.is_permanent() => Err(MailError::Permanent(e.to_string())),
                    Err(e) => Err(MailError::Transient(e.to_string())),
                }
            }
        }
    }
}
