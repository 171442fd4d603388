//! `outdial bench webhooks`: signed Telnyx call events, as the sandbox carrier signs them, sent
//! over HTTP to a running Outdial, which verifies, deduplicates, persists, applies and
//! publishes each one. Some events are sent twice and some calls' events out of order; the
//! report gives events per second, the latency of each request, and what the database holds
//! afterwards: every distinct event recorded once, every call at its final state.

use crate::floor::Latency;
use anyhow::{Context, bail};
use futures::StreamExt;
use outdial_infra::db::entity::{call, carrier_event};
use outdial_infra::db::scope;
use outdial_infra::telephony::telnyx::signature::Signer;
use outdial_infra::voice::calls;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde::Serialize;
use serde_json::json;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct WebhookBenchOptions {
    /// Simulated calls; each sends four events (initiated, answered, AMD, hangup).
    pub calls: usize,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Share of events delivered a second time (0–1).
    pub duplicate: f64,
    /// Share of calls whose events arrive shuffled (0–1).
    pub reorder: f64,
    pub seed: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct WebhookBenchReport {
    pub database: String,
    pub queue: String,
    pub calls: usize,
    pub concurrency: usize,
    pub requests: usize,
    pub distinct_events: usize,
    pub duplicates_sent: usize,
    pub seconds: f64,
    pub events_per_sec: f64,
    pub latency: Latency,
    /// Requests answered with anything but 2xx (must be 0).
    pub refused: usize,
    /// Event rows in the database (must equal `distinct_events`).
    pub recorded: u64,
    /// Calls at their final state (must equal `calls`).
    pub calls_final: u64,
}

impl std::fmt::Display for WebhookBenchReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "webhooks on {} + {}: {} requests ({} distinct events, {} duplicates) from {} calls, {} in flight",
            self.database,
            self.queue,
            self.requests,
            self.distinct_events,
            self.duplicates_sent,
            self.calls,
            self.concurrency
        )?;
        writeln!(f, "  {:.0} events/s over {:.2} s", self.events_per_sec, self.seconds)?;
        writeln!(
            f,
            "  latency: p50 {:.2} ms  p95 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
            self.latency.p50_ms, self.latency.p95_ms, self.latency.p99_ms, self.latency.max_ms
        )?;
        writeln!(
            f,
            "  checks: refused {}  recorded {} of {} distinct  calls final {} of {}",
            self.refused, self.recorded, self.distinct_events, self.calls_final, self.calls
        )
    }
}

impl WebhookBenchReport {
    pub fn check(&self) -> anyhow::Result<()> {
        if self.refused > 0 {
            bail!("{} webhooks were refused\n{self}", self.refused);
        }
        if self.recorded != self.distinct_events as u64 {
            bail!("events recorded {} times for {} distinct events\n{self}", self.recorded, self.distinct_events);
        }
        if self.calls_final != self.calls as u64 {
            bail!("only {} of {} calls reached their final state\n{self}", self.calls_final, self.calls);
        }
        Ok(())
    }
}

/// A small deterministic generator (xorshift), so runs with one seed send the same traffic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() % 1_000_000) as f64 / 1_000_000.0 < p
    }
}

struct Delivery {
    body: String,
    timestamp: String,
    signature: String,
}

/// Runs the benchmark against the Outdial at `base`, whose database is `state`'s.
pub async fn run(
    state: &crate::state::AppState,
    base: &str,
    o: &WebhookBenchOptions,
    mut log: impl FnMut(&str),
) -> anyhow::Result<WebhookBenchReport> {
    if o.calls == 0 || o.concurrency == 0 || !(0.0..=1.0).contains(&o.duplicate) || !(0.0..=1.0).contains(&o.reorder) {
        bail!("--calls and --concurrency must be at least 1; --duplicate and --reorder from 0 to 1");
    }
    let http =
        reqwest::Client::builder().timeout(Duration::from_secs(30)).pool_max_idle_per_host(o.concurrency).build()?;
    let tag = format!("{:x}", std::process::id());
    let signup: serde_json::Value = http
        .post(format!("{base}/v1/auth/signup"))
        .json(&json!({"agency_name": "Webhook bench", "name": "Bench Owner",
                       "email": format!("bench-{tag}@webhooks.test"), "password": "Correct-horse-42"}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let token = signup["access_token"].as_str().context("signup gave no token")?;
    let tenant = signup["tenant"]["id"].as_str().context("signup gave no tenant")?;
    let tenant_id = outdial_domain::ids::TenantId::parse(tenant)?;
    let account: serde_json::Value = http
        .post(format!("{base}/v1/carrier-accounts"))
        .bearer_auth(token)
        .json(&json!({"name": "Telnyx sandbox", "provider": "telnyx", "sandbox": true}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let account = account["id"].as_str().context("no account id")?.to_owned();
    let url = format!("{base}/webhooks/telnyx/{account}");
    log(&format!("writing {} calls", o.calls));
    let now = chrono::Utc::now();
    // A lead's call nobody is routed to: the dialer looks for its attempt (as it does for every
    // lead's call) and finds none, so events change the call's state and nothing else.
    let plan = serde_json::to_string(&outdial_domain::call_flow::CallPlan {
        on_human: outdial_domain::call_flow::HumanAction::Hold,
        on_machine: outdial_domain::call_flow::MachineAction::Hangup,
        recording_notice: None,
        record: false,
        amd: true,
    })
    .expect("plans serialize");
    let rows: Vec<call::ActiveModel> = (0..o.calls)
        .map(|i| {
            let to = format!("+1212555{:04}", i % 10_000);
            let leg = calls::Leg { direction: "outbound", from: "+12125550100", to: &to };
            call::ActiveModel::from(call::Model {
                provider_call_id: Some(format!("v3:bench{tag}-{i}")),
                kind: Some(calls::kind::LEAD.to_owned()),
                recording_url: None,
                recording_secs: None,
                plan: plan.clone(),
                ..calls::fresh(&tenant_id, format!("call_bench{tag}_{i}"), &account, leg, now)
            })
        })
        .collect();
    for chunk in rows.chunks(500) {
        call::Entity::insert_many(chunk.to_vec()).exec_without_returning(&state.db).await?;
    }
    log("signing events");
    let signer = Signer::from_seed(&outdial_infra::sandbox::SandboxConfig::default().telnyx_key_seed);
    let mut rng = Rng(o.seed.max(1).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let ts = chrono::Utc::now().timestamp();
    let mut per_call: Vec<Vec<Delivery>> = (0..o.calls)
        .map(|i| {
            let cc = format!("v3:bench{tag}-{i}");
            let common = json!({"call_control_id": cc, "call_leg_id": format!("leg-{i}"),
                                "call_session_id": format!("session-{i}"), "connection_id": "bench",
                                "from": "+12125550100", "to": format!("+1212555{:04}", i % 10_000),
                                "start_time": now.to_rfc3339()});
            let events = [
                ("call.initiated", json!({"direction": "outgoing", "state": "bridging"})),
                ("call.answered", json!({"state": "answered"})),
                ("call.machine.detection.ended", json!({"result": "human"})),
                (
                    "call.hangup",
                    json!({"hangup_cause": "normal_clearing", "hangup_source": "callee",
                                        "sip_hangup_cause": "200", "state": "hangup"}),
                ),
            ];
            events
                .iter()
                .enumerate()
                .map(|(k, (kind, extra))| {
                    let mut payload = common.clone();
                    for (key, v) in extra.as_object().expect("object") {
                        payload[key] = v.clone();
                    }
                    let occurred = now + chrono::Duration::milliseconds(k as i64 * 1000);
                    let body = json!({
                        "data": {"record_type": "event", "event_type": kind, "id": format!("evt-{tag}-{i}-{k}"),
                                 "occurred_at": occurred.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                                 "payload": payload},
                        "meta": {"attempt": 1, "delivered_to": url},
                    })
                    .to_string();
                    let signature = signer.sign(ts, body.as_bytes());
                    Delivery { body, timestamp: ts.to_string(), signature }
                })
                .collect()
        })
        .collect();
    for events in per_call.iter_mut() {
        if rng.chance(o.reorder) {
            // Fisher–Yates over the call's four events.
            for k in (1..events.len()).rev() {
                let j = (rng.next() % (k as u64 + 1)) as usize;
                events.swap(k, j);
            }
        }
    }
    // Calls interleave as they would on a busy floor: every call's first event, then every
    // call's second, and so on; duplicates follow a little later.
    let mut order: Vec<(usize, usize)> = vec![];
    let mut duplicates = vec![];
    for k in 0..4 {
        for (i, _) in per_call.iter().enumerate() {
            order.push((i, k));
            if rng.chance(o.duplicate) {
                duplicates.push((i, k));
            }
        }
        let at = order.len().saturating_sub(o.calls / 2);
        let tail = order.split_off(at);
        order.append(&mut duplicates);
        order.extend(tail);
    }
    let duplicates_sent = order.len() - o.calls * 4;
    log(&format!("sending {} webhooks, {} at a time", order.len(), o.concurrency));
    let per_call = &per_call;
    let started = Instant::now();
    let results: Vec<(bool, f64)> = futures::stream::iter(order.iter().copied())
        .map(|(i, k)| {
            let (http, url) = (http.clone(), url.clone());
            async move {
                let d = &per_call[i][k];
                let t = Instant::now();
                let ok = http
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("telnyx-timestamp", &d.timestamp)
                    .header("telnyx-signature-ed25519", &d.signature)
                    .body(d.body.clone())
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success());
                (ok, t.elapsed().as_secs_f64() * 1000.0)
            }
        })
        .buffer_unordered(o.concurrency)
        .collect()
        .await;
    let seconds = started.elapsed().as_secs_f64();
    let recorded = scope::find::<carrier_event::Entity>(&tenant_id)
        .filter(carrier_event::Column::AccountId.eq(&account))
        .count(&state.db)
        .await?;
    let calls_final = scope::find::<call::Entity>(&tenant_id)
        .filter(call::Column::AccountId.eq(&account))
        .filter(call::Column::Status.eq("completed"))
        .filter(call::Column::EndedAt.is_not_null())
        .count(&state.db)
        .await?;
    Ok(WebhookBenchReport {
        database: state.config.database_kind().into(),
        queue: state.queue.kind().to_string(),
        calls: o.calls,
        concurrency: o.concurrency,
        requests: results.len(),
        distinct_events: o.calls * 4,
        duplicates_sent,
        seconds,
        events_per_sec: results.len() as f64 / seconds,
        latency: Latency::of(results.iter().map(|(_, ms)| *ms).collect()),
        refused: results.iter().filter(|(ok, _)| !ok).count(),
        recorded,
        calls_final,
    })
}
