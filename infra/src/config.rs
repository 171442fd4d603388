//! Configuration from an optional TOML file and the environment (`OUTDIAL_*`, `DATABASE_URL`,
//! `REDIS_URL`), validated once at start. A bad value stops the process with a message that
//! names the key and what is expected.

use std::{collections::BTreeMap, path::PathBuf};

/// Where background jobs and realtime events travel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueBackend {
    /// apalis on SQLite next to the data, in-process fan-out: the embedded default.
    Sqlite,
    /// apalis on Redis and Redis pub/sub: production.
    Redis { url: String, prefix: String },
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Pretty,
}

/// How emails leave.
#[derive(Clone, PartialEq, Eq)]
pub enum MailTransport {
    /// Appended as JSON lines to `<data_dir>/mail.log` (and logged); the embedded default.
    Log,
    /// Sent over SMTP; the URL carries credentials and is never printed.
    Smtp { url: String },
}

impl std::fmt::Debug for MailTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MailTransport::Log => f.write_str("Log"),
            MailTransport::Smtp { .. } => f.write_str("Smtp(***)"),
        }
    }
}

/// The validated configuration.
#[derive(Clone)]
pub struct Config {
    pub host: String,
    pub port: u16,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub queue: QueueBackend,
    pub public_url: String,
    pub jwt_secret: Option<String>,
    pub access_token_ttl_secs: i64,
    pub refresh_token_ttl_secs: i64,
    pub mail: MailTransport,
    pub mail_from: String,
    pub log_format: LogFormat,
    pub web_dir: Option<PathBuf>,
    pub demo: bool,
    /// The National DNC Registry snapshot written by `outdial dnc import`.
    pub dnc_snapshot: PathBuf,
    /// First retry delay of a failed job in milliseconds; doubles per attempt.
    pub job_retry_base_ms: i64,
    /// How long a worker's claim on a job lasts without renewal (a crashed worker's jobs are
    /// taken over after this).
    pub job_lease_secs: i64,
    /// How often the dialer's pacing tick runs, in milliseconds.
    pub dialer_tick_ms: u64,
    /// A call with no webhook for this many seconds is looked up at the carrier (a final
    /// webhook the carrier gave up delivering).
    pub reconcile_quiet_secs: u64,
    /// How often every phone number's health is re-assessed (rests end, old calls age out).
    pub number_health_secs: u64,
    /// Sandbox demos and tests: the dialer's clock starts at this instant when the process
    /// starts (and then runs at wall-clock speed). Unset in production.
    pub dialer_clock_start: Option<chrono::DateTime<chrono::Utc>>,
    /// Test-only crash points (`crash_before_relay`, `crash_after_push`); see `queue::relay`.
    pub fault: Option<String>,
    /// Keys that encrypt carrier credentials (`id:base64`, first is current); default:
    /// generated once into the data dir.
    pub secret_keys: Option<String>,
    /// Where sandbox carrier accounts send their API calls (default: the one inside this process).
    pub sandbox_url: Option<String>,
    /// Multiplies the in-process sandbox carrier's simulated delays.
    pub sandbox_time_scale: f64,
    pub sandbox_seed: u64,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("data_dir", &self.data_dir)
            .field("database", &self.database_kind())
            .field("queue", &matches!(self.queue, QueueBackend::Redis { .. }).then_some("redis").unwrap_or("sqlite"))
            .field("public_url", &self.public_url)
            .field("mail", &self.mail)
            .finish_non_exhaustive()
    }
}

/// A configuration value that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("configuration error: {key}: expected {expected}, got {got:?}")]
pub struct ConfigError {
    pub key: String,
    pub expected: String,
    pub got: String,
}

fn bad(key: &str, expected: &str, got: &str) -> ConfigError {
    ConfigError { key: key.to_owned(), expected: expected.to_owned(), got: got.to_owned() }
}

/// Keys the loader knows, with their TOML names (the env name is `OUTDIAL_` + upper case,
/// except `DATABASE_URL` and `REDIS_URL`).
pub const KEYS: &[(&str, &str, &str)] = &[
    ("OUTDIAL_HOST", "host", "address to listen on (default 127.0.0.1)"),
    ("OUTDIAL_PORT", "port", "HTTP port (default 8080)"),
    ("OUTDIAL_DATA_DIR", "data_dir", "directory for the SQLite database, queue and mail log (default ./data)"),
    ("DATABASE_URL", "database_url", "sqlite://... or postgres://... (default sqlite under the data dir)"),
    ("REDIS_URL", "redis_url", "redis://...; when set, jobs and events go through Redis"),
    ("OUTDIAL_REDIS_PREFIX", "redis_prefix", "key prefix in Redis (default outdial)"),
    ("OUTDIAL_PUBLIC_URL", "public_url", "base URL used in emailed links (default http://HOST:PORT)"),
    ("OUTDIAL_JWT_SECRET", "jwt_secret", "at least 32 characters; default: generated once into the data dir"),
    ("OUTDIAL_ACCESS_TOKEN_TTL_SECS", "access_token_ttl_secs", "access token lifetime, 60-86400 (default 900)"),
    ("OUTDIAL_REFRESH_TOKEN_TTL_SECS", "refresh_token_ttl_secs", "refresh token lifetime (default 2592000)"),
    ("OUTDIAL_SMTP_URL", "smtp_url", "smtp://user:pass@host:port or smtps://...; default: log transport"),
    ("OUTDIAL_MAIL_FROM", "mail_from", "sender address (default Outdial <no-reply@outdial.local>)"),
    ("OUTDIAL_LOG_FORMAT", "log_format", "json or pretty (default json)"),
    ("OUTDIAL_WEB_DIR", "web_dir", "built web app to serve (default web/dist when present)"),
    ("OUTDIAL_DEMO", "demo", "true or false: seed the demo tenant at start (default true with SQLite)"),
    (
        "OUTDIAL_JOB_RETRY_BASE_MS",
        "job_retry_base_ms",
        "first retry delay of a failed job, doubling per attempt (default 2000)",
    ),
    (
        "OUTDIAL_JOB_LEASE_SECS",
        "job_lease_secs",
        "how long a crashed worker's job waits before another takes it (default 60)",
    ),
    ("OUTDIAL_DIALER_TICK_MS", "dialer_tick_ms", "how often the dialer paces each campaign (default 1000)"),
    (
        "OUTDIAL_RECONCILE_QUIET_SECS",
        "reconcile_quiet_secs",
        "a call silent this long is looked up at the carrier, in case its final webhook was lost (default 120)",
    ),
    (
        "OUTDIAL_NUMBER_HEALTH_SECS",
        "number_health_secs",
        "how often every number's health is re-assessed: rests end, old calls age out (default 3600)",
    ),
    (
        "OUTDIAL_DIALER_CLOCK_START",
        "dialer_clock_start",
        "sandbox demos and tests: RFC 3339 instant the dialer's clock starts from (default: the real time)",
    ),
    ("OUTDIAL_FAULT", "fault", "test-only crash point"),
    (
        "OUTDIAL_SECRET_KEYS",
        "secret_keys",
        "keys encrypting carrier credentials, `id:base64-32-bytes[,older...]`; default: generated into the data dir",
    ),
    (
        "OUTDIAL_SANDBOX_URL",
        "sandbox_url",
        "base URL of the sandbox carrier (default: the one built into this process, under /sandbox)",
    ),
    (
        "OUTDIAL_SANDBOX_TIME_SCALE",
        "sandbox_time_scale",
        "speed of the built-in sandbox carrier's simulated world: 1 = real time, 0.01 = 100x faster",
    ),
    ("OUTDIAL_SANDBOX_SEED", "sandbox_seed", "seed of the built-in sandbox carrier's outcomes (default 1)"),
];

/// Raw key/value source: the TOML file first, the environment over it, then CLI flags over both.
#[derive(Default, Debug)]
pub struct Sources {
    values: BTreeMap<&'static str, String>,
}

impl Sources {
    /// Reads the config file (if any) and the process environment.
    pub fn from_env_and_file(file: Option<&std::path::Path>) -> Result<Sources, ConfigError> {
        let mut s = Sources::default();
        if let Some(path) = file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| bad("OUTDIAL_CONFIG", "a readable TOML file", &format!("{} ({e})", path.display())))?;
            let table: toml::Table =
                toml::from_str(&text).map_err(|e| bad("OUTDIAL_CONFIG", "valid TOML", &e.to_string()))?;
            for (k, v) in table {
                let Some((env, _, _)) = KEYS.iter().find(|(_, t, _)| *t == k) else {
                    return Err(bad(&k, "one of the documented configuration keys", &k));
                };
                let text = match v {
                    toml::Value::String(s) => s,
                    toml::Value::Integer(i) => i.to_string(),
                    toml::Value::Boolean(b) => b.to_string(),
                    toml::Value::Float(f) => f.to_string(),
                    _ => return Err(bad(env, "a string, number or boolean", &k)),
                };
                s.values.insert(env, text);
            }
        }
        for (env, _, _) in KEYS {
            if let Ok(v) = std::env::var(env) {
                s.values.insert(env, v);
            }
        }
        Ok(s)
    }

    /// Sets a key from a command-line flag (highest precedence).
    pub fn set(&mut self, env_key: &'static str, value: impl Into<String>) {
        self.values.insert(env_key, value.into());
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str).filter(|v| !v.trim().is_empty())
    }

    /// Validates every value and builds the configuration.
    pub fn build(&self) -> Result<Config, ConfigError> {
        let host = self.get("OUTDIAL_HOST").unwrap_or("127.0.0.1").to_owned();
        let port = match self.get("OUTDIAL_PORT") {
            None => 8080,
            Some(v) => v.parse::<u16>().map_err(|_| bad("OUTDIAL_PORT", "a TCP port number 0-65535", v))?,
        };
        let data_dir = PathBuf::from(self.get("OUTDIAL_DATA_DIR").unwrap_or("./data"));
        let database_url = match self.get("DATABASE_URL") {
            None => format!("sqlite://{}/outdial.db?mode=rwc", data_dir.display()),
            Some(v) if v.starts_with("sqlite:") || v.starts_with("postgres://") || v.starts_with("postgresql://") => {
                v.to_owned()
            }
            Some(v) => return Err(bad("DATABASE_URL", "a sqlite:// or postgres:// URL", &redact_url(v))),
        };
        let prefix = self.get("OUTDIAL_REDIS_PREFIX").unwrap_or("outdial").to_owned();
        if !prefix.chars().all(|c| c.is_ascii_alphanumeric() || "-_:.".contains(c)) {
            return Err(bad("OUTDIAL_REDIS_PREFIX", "letters, digits and - _ : .", &prefix));
        }
        let queue = match self.get("REDIS_URL") {
            None => QueueBackend::Sqlite,
            Some(v) if v.starts_with("redis://") || v.starts_with("rediss://") => {
                QueueBackend::Redis { url: v.to_owned(), prefix }
            }
            Some(v) => return Err(bad("REDIS_URL", "a redis:// URL", &redact_url(v))),
        };
        let public_url = match self.get("OUTDIAL_PUBLIC_URL") {
            None => format!(
                "http://{}:{}",
                if host == "0.0.0.0" || host == "127.0.0.1" { "localhost" } else { &host },
                port
            ),
            Some(v) if v.starts_with("http://") || v.starts_with("https://") => v.trim_end_matches('/').to_owned(),
            Some(v) => return Err(bad("OUTDIAL_PUBLIC_URL", "an http:// or https:// URL", v)),
        };
        let jwt_secret = match self.get("OUTDIAL_JWT_SECRET") {
            Some(v) if v.len() < 32 => {
                return Err(bad("OUTDIAL_JWT_SECRET", "at least 32 characters", "a shorter secret"));
            }
            other => other.map(str::to_owned),
        };
        let int = |key: &str, default: i64, min: i64, max: i64| -> Result<i64, ConfigError> {
            match self.get(key) {
                None => Ok(default),
                Some(v) => v
                    .parse::<i64>()
                    .ok()
                    .filter(|n| (min..=max).contains(n))
                    .ok_or_else(|| bad(key, &format!("a whole number from {min} to {max}"), v)),
            }
        };
        let access_token_ttl_secs = int("OUTDIAL_ACCESS_TOKEN_TTL_SECS", 900, 60, 86_400)?;
        let refresh_token_ttl_secs = int("OUTDIAL_REFRESH_TOKEN_TTL_SECS", 30 * 86_400, 3_600, 365 * 86_400)?;
        let mail = match self.get("OUTDIAL_SMTP_URL") {
            None => MailTransport::Log,
            Some(v) if v.starts_with("smtp://") || v.starts_with("smtps://") => {
                MailTransport::Smtp { url: v.to_owned() }
            }
            Some(v) => return Err(bad("OUTDIAL_SMTP_URL", "an smtp:// or smtps:// URL", &redact_url(v))),
        };
        let mail_from = self.get("OUTDIAL_MAIL_FROM").unwrap_or("Outdial <no-reply@outdial.local>").to_owned();
        if !mail_from.contains('@') {
            return Err(bad("OUTDIAL_MAIL_FROM", "an address like Name <name@example.com>", &mail_from));
        }
        let log_format = match self.get("OUTDIAL_LOG_FORMAT").unwrap_or("json") {
            "json" => LogFormat::Json,
            "pretty" => LogFormat::Pretty,
            v => return Err(bad("OUTDIAL_LOG_FORMAT", "json or pretty", v)),
        };
        let web_dir = self.get("OUTDIAL_WEB_DIR").map(PathBuf::from);
        let is_sqlite = database_url.starts_with("sqlite:");
        let demo = match self.get("OUTDIAL_DEMO") {
            None => is_sqlite,
            Some("true" | "1") => true,
            Some("false" | "0") => false,
            Some(v) => return Err(bad("OUTDIAL_DEMO", "true or false", v)),
        };
        let job_retry_base_ms = int("OUTDIAL_JOB_RETRY_BASE_MS", 2000, 10, 600_000)?;
        let dnc_snapshot = self
            .get("OUTDIAL_DNC_SNAPSHOT")
            .map(PathBuf::from)
            .unwrap_or_else(|| data_dir.join("dnc").join("national.snap"));
        let job_lease_secs = int("OUTDIAL_JOB_LEASE_SECS", 60, 4, 3600)?;
        let dialer_tick_ms = int("OUTDIAL_DIALER_TICK_MS", 1000, 50, 60_000)? as u64;
        let reconcile_quiet_secs = int("OUTDIAL_RECONCILE_QUIET_SECS", 120, 1, 86_400)? as u64;
        let number_health_secs = int("OUTDIAL_NUMBER_HEALTH_SECS", 3600, 1, 86_400)? as u64;
        let dialer_clock_start = match self.get("OUTDIAL_DIALER_CLOCK_START") {
            None => None,
            Some(v) => Some(
                chrono::DateTime::parse_from_rfc3339(v)
                    .map_err(|_| bad("OUTDIAL_DIALER_CLOCK_START", "an RFC 3339 instant like 2026-11-18T16:00:00Z", v))?
                    .with_timezone(&chrono::Utc),
            ),
        };
        let fault = self.get("OUTDIAL_FAULT").map(str::to_owned);
        let secret_keys = match self.get("OUTDIAL_SECRET_KEYS") {
            Some(v) if crate::secrets::Keyring::parse(v).is_err() => {
                return Err(bad(
                    "OUTDIAL_SECRET_KEYS",
                    "id:base64-of-32-bytes, comma-separated",
                    "a malformed keyring",
                ));
            }
            other => other.map(str::to_owned),
        };
        let sandbox_url = match self.get("OUTDIAL_SANDBOX_URL") {
            Some(v) if v.starts_with("http://") || v.starts_with("https://") => {
                Some(v.trim_end_matches('/').to_owned())
            }
            Some(v) => return Err(bad("OUTDIAL_SANDBOX_URL", "an http:// or https:// URL", v)),
            None => None,
        };
        let sandbox_time_scale = match self.get("OUTDIAL_SANDBOX_TIME_SCALE") {
            None => 1.0,
            Some(v) => v
                .parse::<f64>()
                .ok()
                .filter(|f| (0.0001..=100.0).contains(f))
                .ok_or_else(|| bad("OUTDIAL_SANDBOX_TIME_SCALE", "a number from 0.0001 to 100", v))?,
        };
        let sandbox_seed = match self.get("OUTDIAL_SANDBOX_SEED") {
            None => 1,
            Some(v) => v.parse::<u64>().map_err(|_| bad("OUTDIAL_SANDBOX_SEED", "a whole number", v))?,
        };
        Ok(Config {
            host,
            port,
            data_dir,
            database_url,
            queue,
            public_url,
            jwt_secret,
            access_token_ttl_secs,
            refresh_token_ttl_secs,
            mail,
            mail_from,
            log_format,
            web_dir,
            demo,
            dnc_snapshot,
            job_retry_base_ms,
            job_lease_secs,
            dialer_tick_ms,
            reconcile_quiet_secs,
            number_health_secs,
            dialer_clock_start,
            fault,
            secret_keys,
            sandbox_url,
            sandbox_time_scale,
            sandbox_seed,
        })
    }
}

impl Config {
    /// `sqlite` or `postgres`, for logs and `/readyz`.
    pub fn database_kind(&self) -> &'static str {
        if self.database_url.starts_with("sqlite:") { "sqlite" } else { "postgres" }
    }
}

/// Hides the password in a URL before it is printed.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://***@{}", &url[..s], &url[at + 1..]),
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(pairs: &[(&'static str, &str)]) -> Result<Config, ConfigError> {
        let mut s = Sources::default();
        for (k, v) in pairs {
            s.set(k, *v);
        }
        s.build()
    }

    #[test]
    fn defaults_are_the_embedded_mode() {
        let c = build(&[]).unwrap();
        assert_eq!(c.port, 8080);
        assert!(c.database_url.starts_with("sqlite://./data/"));
        assert_eq!(c.queue, QueueBackend::Sqlite);
        assert!(c.demo);
    }

    #[test]
    fn bad_values_name_the_key() {
        let e = build(&[("OUTDIAL_PORT", "eighty")]).unwrap_err().to_string();
        assert!(e.contains("OUTDIAL_PORT") && e.contains("port number"), "{e}");
        let e = build(&[("DATABASE_URL", "mysql://u:secret@h/db")]).unwrap_err().to_string();
        assert!(e.contains("DATABASE_URL") && !e.contains("secret"), "{e}");
        let e = build(&[("OUTDIAL_JWT_SECRET", "short")]).unwrap_err().to_string();
        assert!(e.contains("OUTDIAL_JWT_SECRET"), "{e}");
    }
}
