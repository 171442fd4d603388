//! HTTP plumbing shared by the adapters: one client with timeouts, retries only for requests
//! the carrier deduplicates or that change nothing.

use super::CarrierError;
use std::time::Duration;

/// The HTTP client every adapter uses.
pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(3))
        .timeout(Duration::from_secs(10))
        .pool_idle_timeout(Duration::from_secs(60))
        .build()
        .expect("the TLS backend initialises")
}

/// Runs `send` up to three times while it fails transiently. Only for idempotent requests.
pub(crate) async fn with_retries<T, F, Fut>(idempotent: bool, mut send: F) -> Result<T, CarrierError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, CarrierError>>,
{
    let attempts = if idempotent { 3 } else { 1 };
    let mut delay = Duration::from_millis(100);
    let mut last = None;
    for _ in 0..attempts {
        match send().await {
            Ok(v) => return Ok(v),
            Err(e) if e.retryable() => {
                tracing::warn!(operation = e.operation, detail = %e.detail, "carrier request failed, retrying");
                last = Some(e);
                tokio::time::sleep(delay).await;
                delay *= 4;
            }
            Err(e) => return Err(e),
        }
    }
    Err(last.expect("at least one attempt"))
}
