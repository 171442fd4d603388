//! Shared application state, built once from the configuration.

use outdial_domain::compliance::RuleSet;
use outdial_infra::gate::{NationalRegistry, NoRegistry};
use outdial_infra::{
    auth::jwt::JwtKeys,
    config::{Config, QueueBackend},
    db::{self, Db},
    events::EventBus,
    mail::Mailer,
    metrics::Metrics,
    queue::Queue,
};
use std::sync::Arc;
use tokio::sync::Notify;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Db,
    pub queue: Queue,
    pub jwt: JwtKeys,
    pub events: EventBus,
    pub metrics: Metrics,
    pub mailer: Mailer,
    /// Nudges a relay in this process after a job row is committed.
    pub relay_wake: Arc<Notify>,
    /// The built-in rule set (tenant overrides are applied per check).
    pub rules: Arc<RuleSet>,
    /// The national DNC registry shared by every tenant.
    pub national: Arc<dyn NationalRegistry>,
}

impl AppState {
    /// Connects to the database (migrating it when `migrate`), the queue and the event bus.
    pub async fn build(config: Config, migrate: bool) -> anyhow::Result<AppState> {
        let db = db::connect(&config).await.map_err(|e| {
            anyhow::anyhow!(
                "cannot open the database ({}): {e}",
                outdial_infra::config::redact_url(&config.database_url)
            )
        })?;
        if migrate {
            db::migrate(&db).await.map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
        }
        let queue = Queue::connect(&config).await.map_err(|e| anyhow::anyhow!("cannot open the job queue: {e}"))?;
        let events = match &config.queue {
            QueueBackend::Sqlite => EventBus::local(),
            QueueBackend::Redis { url, prefix } => EventBus::redis(url, prefix).await?,
        };
        let secret = jwt_secret(&config)?;
        let jwt = JwtKeys::new(secret.as_bytes(), config.access_token_ttl_secs);
        let mailer = Mailer::from_config(&config)?;
        Ok(AppState {
            config: Arc::new(config),
            db,
            queue,
            jwt,
            events,
            metrics: Metrics::default(),
            mailer,
            relay_wake: Arc::new(Notify::new()),
            rules: Arc::new(RuleSet::us_default()),
            national: Arc::new(NoRegistry),
        })
    }
}

/// The configured secret, or one generated once into `<data_dir>/jwt.secret` (the embedded
/// default must survive restarts without logging everyone out). Separate API processes must
/// share `OUTDIAL_JWT_SECRET`.
fn jwt_secret(config: &Config) -> anyhow::Result<String> {
    if let Some(s) = &config.jwt_secret {
        return Ok(s.clone());
    }
    let path = config.data_dir.join("jwt.secret");
    if let Ok(existing) = std::fs::read_to_string(&path)
        && existing.trim().len() >= 32
    {
        return Ok(existing.trim().to_owned());
    }
    std::fs::create_dir_all(&config.data_dir)?;
    let secret = outdial_infra::auth::token::new_secret();
    std::fs::write(&path, &secret).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    Ok(secret)
}
