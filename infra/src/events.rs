//! Realtime fan-out: an in-process broadcast in the embedded default, Redis pub/sub in
//! production so any API replica can serve any subscriber. Events are notifications; the
//! database stays the source of truth.

use futures::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

/// One event for a tenant's subscribers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub tenant_id: String,
    pub kind: String,
    pub data: serde_json::Value,
}

/// Publishes to every process; subscribers read the local broadcast.
#[derive(Clone)]
pub struct EventBus {
    local: broadcast::Sender<Event>,
    redis: Option<(redis::aio::ConnectionManager, String)>,
}

impl EventBus {
    /// The in-process bus.
    pub fn local() -> EventBus {
        EventBus { local: broadcast::channel(1024).0, redis: None }
    }

    /// A bus over Redis pub/sub on `<prefix>:events`; a background task relays what Redis
    /// delivers into the local broadcast.
    pub async fn redis(url: &str, prefix: &str) -> anyhow::Result<EventBus> {
        let client = redis::Client::open(url)?;
        let conn = redis::aio::ConnectionManager::new(client.clone()).await?;
        let channel = format!("{prefix}:events");
        let bus = EventBus { local: broadcast::channel(1024).0, redis: Some((conn, channel.clone())) };
        let mut pubsub = client.get_async_pubsub().await?;
        pubsub.subscribe(&channel).await?;
        let local = bus.local.clone();
        tokio::spawn(async move {
            let mut stream = pubsub.into_on_message();
            while let Some(msg) = stream.next().await {
                let Ok(payload) = msg.get_payload::<String>() else { continue };
                match serde_json::from_str::<Event>(&payload) {
                    Ok(ev) => {
                        let _ = local.send(ev);
                    }
                    Err(e) => tracing::warn!(error = %e, "undecodable event on the bus"),
                }
            }
        });
        Ok(bus)
    }

    /// Sends an event to every subscriber in every process.
    pub async fn publish(&self, event: Event) -> anyhow::Result<()> {
        match &self.redis {
            None => {
                let _ = self.local.send(event);
                Ok(())
            }
            Some((conn, channel)) => {
                let mut conn = conn.clone();
                let payload = serde_json::to_string(&event)?;
                redis::cmd("PUBLISH").arg(channel).arg(payload).query_async::<i64>(&mut conn).await?;
                Ok(())
            }
        }
    }

    /// A receiver of every event published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.local.subscribe()
    }
}
