//! Client-side rate limit per carrier account (calls and messages per second), so a burst
//! from the dialer queues here instead of being refused by the carrier with a 429.

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;

/// A token bucket: `per_sec` tokens a second, bursts up to `per_sec`.
#[derive(Clone, Debug)]
pub struct RateLimiter {
    per_sec: f64,
    state: Arc<Mutex<(f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(per_sec: u32) -> RateLimiter {
        let per_sec = f64::from(per_sec.max(1));
        RateLimiter { per_sec, state: Arc::new(Mutex::new((per_sec, Instant::now()))) }
    }

    /// Waits until one request may go.
    pub async fn acquire(&self) {
        loop {
            let wait = {
                let mut state = self.state.lock().await;
                let now = Instant::now();
                let refill = now.duration_since(state.1).as_secs_f64() * self.per_sec;
                state.0 = (state.0 + refill).min(self.per_sec);
                state.1 = now;
                if state.0 >= 1.0 {
                    state.0 -= 1.0;
                    return;
                }
                Duration::from_secs_f64((1.0 - state.0) / self.per_sec)
            };
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn spreads_a_burst_over_time() {
        let limiter = RateLimiter::new(20);
        let start = Instant::now();
        for _ in 0..30 {
            limiter.acquire().await;
        }
        // 20 go at once; the next 10 must wait for half a second of refill.
        let elapsed = start.elapsed().as_secs_f64();
        assert!(elapsed >= 0.45, "{elapsed}");
    }
}
