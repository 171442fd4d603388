//! A thin wrapper over apalis so the rest of the code never sees backend types: SQLite next to
//! the data in the embedded default, Redis in production. It only carries job references; the
//! `jobs` table holds the truth.

use super::runner::Runner;
use crate::config::{Config, QueueBackend};
use apalis::prelude::*;
use apalis_redis::RedisStorage;
use apalis_sqlite::SqliteStorage;
use serde::{Deserialize, Serialize};
use std::future::Future;

/// Wakes an idle apalis worker every `period`. apalis-core 1.0's own `IntervalStrategy` arms
/// its next timer without polling it, so after the first tick nothing wakes the worker again
/// (jobs then wait for the 30 s heartbeat); this ticker re-arms and polls its timer on every
/// tick so a waker is always registered.
struct Ticker {
    sleep: std::pin::Pin<Box<tokio::time::Sleep>>,
    period: std::time::Duration,
}

impl Ticker {
    fn new(period: std::time::Duration) -> Ticker {
        Ticker { sleep: Box::pin(tokio::time::sleep(period)), period }
    }
}

impl futures::Stream for Ticker {
    type Item = ();

    fn poll_next(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Option<()>> {
        if self.sleep.as_mut().poll(cx).is_pending() {
            return std::task::Poll::Pending;
        }
        let next = tokio::time::Instant::now() + self.period;
        self.sleep.as_mut().reset(next);
        let _ = self.sleep.as_mut().poll(cx);
        std::task::Poll::Ready(Some(()))
    }
}

/// What travels through the queue: ids and the trace context, nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobRef {
    pub job_id: String,
    pub tenant_id: String,
    pub trace_id: String,
}

/// The queue, on one of the two backends.
#[derive(Clone)]
pub enum Queue {
    Sqlite(SqliteStorage<JobRef>),
    Redis(RedisStorage<JobRef>),
}

impl std::fmt::Debug for Queue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.kind())
    }
}

const QUEUE_NAME: &str = "outdial-jobs";
/// How often an idle worker asks the backend for work.
const POLL: std::time::Duration = std::time::Duration::from_millis(200);

impl Queue {
    /// Connects to the configured backend and prepares it.
    pub async fn connect(config: &Config) -> anyhow::Result<Queue> {
        match &config.queue {
            QueueBackend::Sqlite => {
                std::fs::create_dir_all(&config.data_dir)?;
                let opts = apalis_sqlite::SqliteConnectOptions::new()
                    .filename(config.data_dir.join("queue.db"))
                    .create_if_missing(true)
                    .busy_timeout(std::time::Duration::from_secs(10));
                let pool = apalis_sqlite::SqlitePoolOptions::new().max_connections(4).connect_with(opts).await?;
                SqliteStorage::setup(&pool).await?;
                let cfg = apalis_sqlite::Config::default().queue(QUEUE_NAME);
                Ok(Queue::Sqlite(SqliteStorage::new(&pool).with_config(cfg)))
            }
            QueueBackend::Redis { url, prefix } => {
                // A loaded machine can take longer than redis' default 500 ms to answer a queue
                // script; a timeout there kills the apalis worker, so allow a generous one.
                let config = redis::aio::ConnectionManagerConfig::new()
                    .set_response_timeout(Some(std::time::Duration::from_secs(10)));
                let conn = redis::Client::open(url.as_str())?.get_connection_manager_with_config(config).await?;
                let cfg = apalis_redis::Config::default().queue(format!("{prefix}:{QUEUE_NAME}"));
                Ok(Queue::Redis(RedisStorage::new(conn).with_config(cfg)))
            }
        }
    }

    /// `sqlite` or `redis`.
    pub fn kind(&self) -> &'static str {
        match self {
            Queue::Sqlite(_) => "sqlite",
            Queue::Redis(_) => "redis",
        }
    }

    /// Hands a job reference to the queue.
    pub async fn push(&self, job: JobRef) -> anyhow::Result<()> {
        match self.clone() {
            Queue::Sqlite(mut s) => s.push(job).await.map_err(|e| anyhow::anyhow!("sqlite queue: {e}")),
            Queue::Redis(mut s) => s.push(job).await.map_err(|e| anyhow::anyhow!("redis queue: {e}")),
        }
    }

    /// Whether the backend answers (for `/readyz`).
    pub async fn ping(&self) -> bool {
        match self {
            Queue::Sqlite(s) => sea_orm::sqlx::query("SELECT 1").execute(s.pool()).await.is_ok(),
            Queue::Redis(s) => {
                let mut conn = s.clone().get_connection().clone();
                redis::cmd("PING").query_async::<String>(&mut conn).await.is_ok()
            }
        }
    }

    /// Runs an apalis worker that feeds every delivered reference to the runner, until
    /// `shutdown` resolves; the job in hand is finished first.
    pub async fn run_worker<F>(self, name: String, runner: Runner, shutdown: F) -> anyhow::Result<()>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        async fn handle(job: JobRef, runner: Data<Runner>) -> Result<(), BoxDynError> {
            runner.run(job).await;
            Ok(())
        }
        let signal = async move {
            shutdown.await;
            Ok::<(), std::io::Error>(())
        };
        match self {
            Queue::Sqlite(s) => {
                WorkerBuilder::new(name)
                    .backend(s.poll_with_stream(Ticker::new(POLL)))
                    .data(runner)
                    .build(handle)
                    .run_until(signal)
                    .await?
            }
            Queue::Redis(s) => {
                WorkerBuilder::new(name)
                    .backend(s.poll_with_stream(Ticker::new(POLL)))
                    .data(runner)
                    .build(handle)
                    .run_until(signal)
                    .await?
            }
        }
        Ok(())
    }
}
