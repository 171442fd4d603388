//! Calls, texts and numbers on top of the carrier adapters: carrier accounts with encrypted
//! credentials, verified and deduplicated webhooks applied to calls, number buying and
//! health, local-presence caller ID, inbound calls.

pub mod accounts;
pub mod calls;
pub mod ingest;
pub mod numbers;
pub mod reconcile;

use crate::db::entity::carrier_account;
use crate::events::EventBus;
use crate::secrets::Keyring;
use crate::telephony::{
    AnyCarrier, Provider,
    telnyx::{self, TelnyxClient, TelnyxCredentials},
    twilio::{self, TwilioClient, TwilioCredentials},
};
use sea_orm::DatabaseConnection;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Decrypted credentials of one account.
#[derive(Clone, Debug)]
pub enum Credentials {
    Twilio(TwilioCredentials),
    Telnyx(TelnyxCredentials),
}

/// Adapters by account id, with the account's `updated_at` they were built from.
type AdapterCache = HashMap<String, (chrono::DateTime<chrono::Utc>, AnyCarrier)>;

/// Accounts that webhooks named lately, with when each was read: every webhook needs its
/// account, and carriers send many a second.
type WebhookAccounts = HashMap<String, (std::time::Instant, carrier_account::Model)>;

/// How long a webhook's account is used without reading it again. A rotated credential is
/// picked up at once anyway (a signature that fails against a remembered account is checked
/// again against the stored one); a disconnected account's webhooks may be taken this long.
const WEBHOOK_ACCOUNT_TTL: std::time::Duration = std::time::Duration::from_secs(5);

/// Everything the voice services need, cheap to clone.
#[derive(Clone)]
pub struct Voice {
    pub db: DatabaseConnection,
    pub keyring: Keyring,
    /// Where carriers reach our webhooks, and where sandbox accounts send their API calls
    /// (known once the listener is bound).
    urls: Arc<std::sync::RwLock<(String, String)>>,
    pub events: EventBus,
    adapters: Arc<Mutex<AdapterCache>>,
    webhook_accounts: Arc<Mutex<WebhookAccounts>>,
    observer: Arc<std::sync::RwLock<Option<Arc<dyn CallObserver>>>>,
}

/// What an observer wants done after the event's transaction commits.
#[derive(Default)]
pub struct Observed {
    /// The call as the observer left it (a new plan: the agent a person is routed to).
    pub call: Option<crate::db::entity::call::Model>,
    /// Actions on calls (this one or others: the agent's leg, lines to cancel), run after commit.
    pub actions: Vec<(crate::db::entity::call::Model, crate::telephony::CallAction)>,
    /// Realtime events to publish after commit.
    pub events: Vec<crate::events::Event>,
}

/// The future an observer returns.
pub type ObserveFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<Observed, sea_orm::DbErr>> + Send + 'a>>;

/// Told about every call event inside the transaction that records it, so what the event means
/// for the dialer commits (or not) together with the event itself.
pub trait CallObserver: Send + Sync {
    fn on_call_event<'a>(
        &'a self,
        txn: &'a sea_orm::DatabaseTransaction,
        call: &'a crate::db::entity::call::Model,
        event: &'a crate::telephony::CarrierEvent,
        provider: &'a str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> ObserveFuture<'a>;

    /// Asked when a webhook already recorded is delivered again (the process that took it
    /// first may have died between its commit and its commands): the commands the event owed
    /// to other calls (a Telnyx bridge from the agent's leg), sent again under the same command
    /// ids, which the carrier deduplicates.
    fn replay<'a>(
        &'a self,
        db: &'a sea_orm::DatabaseConnection,
        call: &'a crate::db::entity::call::Model,
        event: &'a crate::telephony::CarrierEvent,
        provider: &'a str,
    ) -> ObserveFuture<'a> {
        let _ = (db, call, event, provider);
        Box::pin(async { Ok(Observed::default()) })
    }

    /// Told about every new inbound text, inside the transaction that records it (STOP must
    /// take effect with the text itself). Only `events` of the answer are used.
    fn on_inbound_text<'a>(
        &'a self,
        txn: &'a sea_orm::DatabaseTransaction,
        text: &'a crate::db::entity::message::Model,
        now: chrono::DateTime<chrono::Utc>,
    ) -> ObserveFuture<'a> {
        let _ = (txn, text, now);
        Box::pin(async { Ok(Observed::default()) })
    }
}

/// Why a voice operation failed.
#[derive(Debug, thiserror::Error)]
pub enum VoiceError {
    #[error("not found")]
    NotFound,
    #[error("{1}")]
    Invalid(&'static str, String),
    #[error(transparent)]
    Carrier(#[from] crate::telephony::CarrierError),
    #[error(transparent)]
    Repo(#[from] crate::db::repo::RepoError),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
    #[error(transparent)]
    Secret(#[from] crate::secrets::SecretError),
}

impl Voice {
    pub fn new(
        db: DatabaseConnection,
        keyring: Keyring,
        public_url: &str,
        sandbox_url: &str,
        events: EventBus,
    ) -> Voice {
        Voice {
            db,
            keyring,
            urls: Arc::new(std::sync::RwLock::new((
                public_url.trim_end_matches('/').to_owned(),
                sandbox_url.trim_end_matches('/').to_owned(),
            ))),
            events,
            adapters: Arc::default(),
            webhook_accounts: Arc::default(),
            observer: Arc::default(),
        }
    }

    /// Installs the dialer (it is built on top of this value, so it arrives afterwards).
    pub fn set_observer(&self, observer: Arc<dyn CallObserver>) {
        *self.observer.write().unwrap_or_else(|p| p.into_inner()) = Some(observer);
    }

    pub(crate) fn observer(&self) -> Option<Arc<dyn CallObserver>> {
        self.observer.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Sets the URLs once the listener's address is known.
    pub fn set_urls(&self, public_url: &str, sandbox_url: &str) {
        *self.urls.write().unwrap_or_else(|p| p.into_inner()) =
            (public_url.trim_end_matches('/').to_owned(), sandbox_url.trim_end_matches('/').to_owned());
    }

    pub fn public_url(&self) -> String {
        self.urls.read().unwrap_or_else(|p| p.into_inner()).0.clone()
    }

    pub fn sandbox_url(&self) -> String {
        self.urls.read().unwrap_or_else(|p| p.into_inner()).1.clone()
    }

    /// Opens an account's credentials.
    pub fn credentials(&self, account: &carrier_account::Model) -> Result<Credentials, VoiceError> {
        let plain = self.keyring.open(&account.key_id, &account.credentials, &account.id)?;
        let bad = |_| VoiceError::Invalid("corrupt_credentials", "the stored credentials cannot be read".into());
        Ok(match Provider::parse(&account.provider) {
            Some(Provider::Twilio) => Credentials::Twilio(serde_json::from_slice(&plain).map_err(bad)?),
            _ => Credentials::Telnyx(serde_json::from_slice(&plain).map_err(bad)?),
        })
    }

    /// The adapter for an account (kept between calls so rate limits and connections persist).
    pub fn carrier(&self, account: &carrier_account::Model) -> Result<AnyCarrier, VoiceError> {
        let cached = self.adapters.lock().unwrap_or_else(|p| p.into_inner()).get(&account.id).cloned();
        if let Some((_, c)) = cached.filter(|(stamp, _)| *stamp == account.updated_at) {
            return Ok(c);
        }
        let base = match (&account.base_url, account.sandbox) {
            (_, true) => self.sandbox_url(),
            (Some(b), false) => b.clone(),
            (None, false) => match account.provider.as_str() {
                "twilio" => twilio::DEFAULT_BASE_URL.to_owned(),
                _ => telnyx::DEFAULT_BASE_URL.to_owned(),
            },
        };
        let cps = u32::try_from(account.calls_per_sec).unwrap_or(1);
        let mps = u32::try_from(account.messages_per_sec).unwrap_or(1);
        let carrier = match self.credentials(account)? {
            Credentials::Twilio(c) => AnyCarrier::Twilio(TwilioClient::new(&base, c, cps, mps)),
            Credentials::Telnyx(c) => AnyCarrier::Telnyx(TelnyxClient::new(&base, c, cps, mps)),
        };
        self.adapters
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(account.id.clone(), (account.updated_at, carrier.clone()));
        Ok(carrier)
    }

    /// The account a webhook names; `remembered` says whether it came from memory (read
    /// within the last few seconds) rather than the database just now.
    pub async fn account_for_webhook(
        &self,
        id: &str,
        fresh: bool,
    ) -> Result<(carrier_account::Model, bool), VoiceError> {
        if !fresh {
            let cached = self.webhook_accounts.lock().unwrap_or_else(|p| p.into_inner()).get(id).cloned();
            if let Some((_, account)) = cached.filter(|(at, _)| at.elapsed() < WEBHOOK_ACCOUNT_TTL) {
                return Ok((account, true));
            }
        }
        let read = accounts::by_id_for_webhook(&self.db, id).await;
        let mut cache = self.webhook_accounts.lock().unwrap_or_else(|p| p.into_inner());
        match read {
            Ok(account) => {
                cache.insert(id.to_owned(), (std::time::Instant::now(), account.clone()));
                Ok((account, false))
            }
            Err(e) => {
                cache.remove(id);
                Err(e)
            }
        }
    }

    /// Our webhook base for an account: `/webhooks/{provider}/{account_id}`.
    pub fn hook_base(&self, account: &carrier_account::Model) -> String {
        format!("{}/webhooks/{}/{}", self.public_url(), account.provider, account.id)
    }
}
