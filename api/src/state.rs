//! Shared application state, built once from the configuration.

use outdial_domain::compliance::RuleSet;
use outdial_infra::{
    auth::jwt::JwtKeys,
    config::{Config, QueueBackend},
    db::{self, Db},
    events::EventBus,
    mail::Mailer,
    metrics::Metrics,
    queue::Queue,
};
use outdial_infra::{dnc::national::NationalDnc, gate::NationalRegistry};
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
    /// The national DNC registry shared by every tenant (the gate's view of `national_dnc`).
    pub national: Arc<dyn NationalRegistry>,
    /// The same registry, for status and atomic reloads.
    pub national_dnc: NationalDnc,
    /// Carrier accounts, numbers, calls and webhooks.
    pub voice: outdial_infra::voice::Voice,
    /// The sandbox carrier served by this process under `/sandbox`.
    pub sandbox: outdial_infra::sandbox::Sandbox,
    /// Campaigns, agent sessions, pacing and call routing.
    pub dialer: outdial_infra::dialer::Dialer,
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
        let national_dnc = load_registry(&config)?;
        let keyring = secret_keys(&config)?;
        let sandbox_url = config.sandbox_url.clone().unwrap_or_else(|| format!("{}/sandbox", config.public_url));
        let voice =
            outdial_infra::voice::Voice::new(db.clone(), keyring, &config.public_url, &sandbox_url, events.clone());
        let sandbox = outdial_infra::sandbox::Sandbox::new(outdial_infra::sandbox::SandboxConfig {
            seed: config.sandbox_seed,
            time_scale: config.sandbox_time_scale,
            ..Default::default()
        });
        let relay_wake = Arc::new(Notify::new());
        let rules = Arc::new(RuleSet::us_default());
        let national: Arc<dyn NationalRegistry> = Arc::new(national_dnc.clone());
        let dialer = outdial_infra::dialer::Dialer {
            db: db.clone(),
            voice: voice.clone(),
            events: events.clone(),
            rules: rules.clone(),
            national: national.clone(),
            relay_wake: relay_wake.clone(),
            clock_offset: config.dialer_clock_start.map(|t| t - chrono::Utc::now()).unwrap_or_default(),
        };
        // Every process that ingests webhooks routes answered calls.
        dialer.install();
        Ok(AppState {
            config: Arc::new(config),
            db,
            queue,
            jwt,
            events,
            metrics: Metrics::default(),
            mailer,
            relay_wake,
            rules,
            national,
            national_dnc,
            voice,
            sandbox,
            dialer,
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

/// The configured keyring, or one generated once into `<data_dir>/secret.keys`. Separate
/// processes must share `OUTDIAL_SECRET_KEYS`.
pub(crate) fn secret_keys(config: &Config) -> anyhow::Result<outdial_infra::secrets::Keyring> {
    use outdial_infra::secrets::Keyring;
    if let Some(spec) = &config.secret_keys {
        return Ok(Keyring::parse(spec)?);
    }
    let path = config.data_dir.join("secret.keys");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        return Keyring::parse(existing.trim()).map_err(|e| {
            anyhow::anyhow!("{} is not a valid keyring ({e}); restore it or set OUTDIAL_SECRET_KEYS", path.display())
        });
    }
    std::fs::create_dir_all(&config.data_dir)?;
    let spec = Keyring::generate("k1");
    std::fs::write(&path, &spec).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    Ok(Keyring::parse(&spec)?)
}

/// Opens the National DNC snapshot when there is one. Without it the registry is empty with no
/// copy date, so marketing calls block with `DNC_STALE_REGISTRY` until `outdial dnc import` runs.
fn load_registry(config: &Config) -> anyhow::Result<NationalDnc> {
    if !config.dnc_snapshot.exists() {
        tracing::warn!(path = %config.dnc_snapshot.display(), "no National DNC snapshot; run `outdial dnc import` (marketing calls are blocked until then)");
        return Ok(NationalDnc::unloaded());
    }
    let dnc = NationalDnc::open(&config.dnc_snapshot).map_err(|e| {
        anyhow::anyhow!(
            "cannot load the National DNC snapshot {}: {e}; run `outdial dnc import` again",
            config.dnc_snapshot.display()
        )
    })?;
    tracing::info!(numbers = dnc.current().len(), copy_date = ?dnc.copy_date(), "National DNC registry loaded");
    Ok(dnc)
}

/// Watches the snapshot file and swaps a new copy in atomically when `outdial dnc import`
/// replaces it; checks go on against the old copy until the new one is loaded and verified.
pub async fn watch_registry(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    let path = state.config.dnc_snapshot.clone();
    let modified = |p: &std::path::Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let mut seen = modified(&path);
    loop {
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(10)) => {}
            _ = stop.changed() => return,
        }
        let now = modified(&path);
        if now.is_some() && now != seen {
            let (dnc, p) = (state.national_dnc.clone(), path.clone());
            match tokio::task::spawn_blocking(move || dnc.reload(&p)).await {
                Ok(Ok(r)) => {
                    tracing::info!(numbers = r.len(), copy_date = ?r.copy_date(), "National DNC registry reloaded")
                }
                Ok(Err(e)) => {
                    tracing::error!(error = %e, "new National DNC snapshot refused; keeping the previous copy")
                }
                Err(e) => tracing::error!(error = %e, "registry reload task failed"),
            }
            seen = now;
        }
    }
}
