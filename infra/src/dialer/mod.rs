//! The dialer engine (ARCHITECTURE.md §5): campaigns and their lead queue, agent sessions with
//! persistent audio legs, the pacing tick that reserves leads and writes attempts with their
//! placing jobs in one transaction, the placing job (compare-and-set, then the compliance gate,
//! then the carrier), and the call observer that routes answered people to agents, each call's
//! events under its attempt's lock.

pub mod analytics;
pub mod campaigns;
pub mod dispositions;
pub mod engine;
pub mod monitors;
pub mod pacing;
pub mod place;
pub mod preview;
pub mod route;
pub mod sessions;
pub mod texts;
pub mod voicemails;

use crate::events::{Event, EventBus};
use crate::gate::NationalRegistry;
use crate::voice::Voice;
use outdial_domain::compliance::RuleSet;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// Everything the dialer needs, cheap to clone.
#[derive(Clone)]
pub struct Dialer {
    pub db: DatabaseConnection,
    pub voice: Voice,
    pub events: EventBus,
    pub rules: Arc<RuleSet>,
    pub national: Arc<dyn NationalRegistry>,
    /// Nudges the outbox relay after a tick commits placing jobs.
    pub relay_wake: Arc<tokio::sync::Notify>,
    /// Added to the wall clock for every dialer decision (zero in production). Set from
    /// `OUTDIAL_DIALER_CLOCK_START` so a sandbox demo or a test can run inside calling hours
    /// whatever the real time of day.
    pub clock_offset: chrono::Duration,
}

/// Why a dialer operation failed.
#[derive(Debug, thiserror::Error)]
pub enum DialerError {
    #[error("not found")]
    NotFound,
    /// Bad input: a stable code and what to fix.
    #[error("{1}")]
    Invalid(&'static str, String),
    /// The resource is not in a state that allows this.
    #[error("{1}")]
    Conflict(&'static str, String),
    #[error(transparent)]
    Voice(#[from] crate::voice::VoiceError),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
    #[error(transparent)]
    Repo(#[from] crate::db::repo::RepoError),
}

impl Dialer {
    /// The dialer's clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now() + self.clock_offset
    }

    /// Installs the dialer as the observer of every call event this process ingests.
    pub fn install(&self) {
        self.voice.set_observer(Arc::new(route::Router { dialer: self.clone() }));
    }

    pub(crate) async fn publish(&self, events: Vec<Event>) {
        for e in events {
            let _ = self.events.publish(e).await;
        }
    }
}

/// A realtime event for a tenant.
pub(crate) fn event(tenant: &str, kind: &str, data: serde_json::Value) -> Event {
    Event { tenant_id: tenant.to_owned(), kind: kind.to_owned(), data }
}

/// Lead queue states.
pub mod lead_status {
    pub const READY: &str = "ready";
    pub const SCHEDULED: &str = "scheduled";
    pub const AWAITING_DISPOSITION: &str = "awaiting_disposition";
    pub const DONE: &str = "done";
    pub const EXHAUSTED: &str = "exhausted";
    pub const BLOCKED: &str = "blocked";
    /// Still to be worked: the campaign is not finished while any lead is in one of these.
    pub const OPEN: &[&str] = &[READY, SCHEDULED, AWAITING_DISPOSITION];
}

/// Attempt states. `scheduled → dialing → ringing → detecting → connected|abandoned → ended`;
/// every path ends in `ended` with an outcome.
pub mod attempt_status {
    pub const SCHEDULED: &str = "scheduled";
    pub const DIALING: &str = "dialing";
    pub const RINGING: &str = "ringing";
    pub const DETECTING: &str = "detecting";
    pub const CONNECTED: &str = "connected";
    pub const ABANDONED: &str = "abandoned";
    pub const ENDED: &str = "ended";
    /// Not yet over: the dialer still expects carrier events for these.
    pub const LIVE: &[&str] = &[SCHEDULED, DIALING, RINGING, DETECTING, CONNECTED, ABANDONED];
}

/// Agent session states.
pub mod agent_state {
    pub const CONNECTING: &str = "connecting";
    pub const READY: &str = "ready";
    pub const PAUSED: &str = "paused";
    pub const ON_CALL: &str = "on_call";
    pub const WRAP_UP: &str = "wrap_up";
    pub const OFFLINE: &str = "offline";
    /// Logged in (their leg may carry a call).
    pub const ACTIVE: &[&str] = &[CONNECTING, READY, PAUSED, ON_CALL, WRAP_UP];
}

/// Campaign states.
pub mod campaign_status {
    pub const DRAFT: &str = "draft";
    pub const RUNNING: &str = "running";
    pub const PAUSED: &str = "paused";
    pub const STOPPED: &str = "stopped";
    pub const COMPLETED: &str = "completed";
}
