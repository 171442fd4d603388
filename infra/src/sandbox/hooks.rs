//! Signed webhook delivery, with the injected faults (delay, reordering, duplicates).

use super::{RecordedWebhook, Sandbox};
use crate::telephony::twilio::signature;
use rand::Rng;
use serde_json::{Value, json};

impl Sandbox {
    /// How long to hold a webhook back, per the current faults.
    fn webhook_delay(&self) -> (u64, bool) {
        let f = self.lock().faults.clone();
        let jitter = if f.webhook_reorder_ms > 0 { rand::thread_rng().gen_range(0..=f.webhook_reorder_ms) } else { 0 };
        (f.webhook_delay_ms + jitter, f.webhook_duplicates)
    }

    /// POSTs a Twilio callback signed with the account's auth token; returns the response body.
    pub(crate) async fn twilio_hook(
        &self,
        account_sid: &str,
        url: &str,
        params: Vec<(String, String)>,
    ) -> Option<String> {
        let token = self.lock().twilio_tokens.get(account_sid).cloned()?;
        let sig = signature::compute(&token, url, &params);
        let headers =
            vec![("X-Twilio-Signature".to_owned(), sig), ("I-Twilio-Idempotency-Token".to_owned(), super::uuid())];
        let body = serde_urlencoded::to_string(&params).unwrap_or_default();
        self.deliver(url, headers, body, "application/x-www-form-urlencoded").await
    }

    /// POSTs a Telnyx event envelope signed with the sandbox's Ed25519 key.
    pub(crate) async fn telnyx_hook(&self, url: &str, event_type: &str, payload: Value) -> Option<String> {
        let body = json!({
            "data": {
                "record_type": "event",
                "event_type": event_type,
                "id": super::uuid(),
                "occurred_at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                "payload": payload,
            },
            "meta": { "attempt": 1, "delivered_to": url },
        })
        .to_string();
        let ts = chrono::Utc::now().timestamp();
        let headers = vec![
            ("telnyx-timestamp".to_owned(), ts.to_string()),
            ("telnyx-signature-ed25519".to_owned(), self.0.signer.sign(ts, body.as_bytes())),
        ];
        self.deliver(url, headers, body, "application/json").await
    }

    /// Fetches audio the application asked to play, as a carrier does, and notes on the call
    /// what came back (the application's link must work without signing in).
    pub(crate) async fn fetch_media(&self, call_id: &str, url: &str) {
        let res = self.0.http.get(url).timeout(std::time::Duration::from_secs(3)).send().await;
        let what = match res {
            Ok(r) if r.status().is_success() => {
                let ct = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
                match r.bytes().await {
                    Ok(b) => format!("media fetched: {} bytes {ct}", b.len()),
                    Err(_) => "media unreadable".to_owned(),
                }
            }
            Ok(r) => format!("media unreachable: HTTP {}", r.status().as_u16()),
            Err(_) => "media unreachable".to_owned(),
        };
        self.note(call_id, what);
    }

    async fn deliver(
        &self,
        url: &str,
        headers: Vec<(String, String)>,
        body: String,
        content_type: &str,
    ) -> Option<String> {
        let (delay, duplicate) = self.webhook_delay();
        if delay > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
        }
        let copies = if duplicate { 2 } else { 1 };
        let mut answer = None;
        for _ in 0..copies {
            let mut req = self.0.http.post(url).header("content-type", content_type).body(body.clone());
            for (k, v) in &headers {
                req = req.header(k, v);
            }
            let (status, text) = match req.send().await {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    (Some(status), resp.text().await.ok())
                }
                Err(e) => {
                    tracing::warn!(%url, error = %e, "sandbox carrier could not deliver a webhook");
                    (None, None)
                }
            };
            self.lock().webhooks.push(RecordedWebhook {
                url: url.to_owned(),
                headers: headers.clone(),
                body: body.clone(),
                status,
            });
            if status.is_some_and(|s| (200..300).contains(&s)) && answer.is_none() {
                answer = text;
            }
        }
        answer
    }
}
