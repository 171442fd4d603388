//! A simulated call floor: an agency signs up over the REST API, adds its agents, loads leads,
//! runs a campaign against the sandbox carrier and works it as agents would (dispositions,
//! callbacks, a do-not-call request), then audits what happened from the API and from the
//! carrier's own record: every lead settled, no number dialled twice for one attempt, the
//! abandon meter, voicemail drops, the safe-harbor message, and the time from "a person
//! answered" to an agent on the line. `outdial bench engine` and the acceptance tests run it.

use anyhow::{Context, anyhow, bail};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// What to run.
#[derive(Debug, Clone)]
pub struct FloorOptions {
    /// Base URL of the Outdial API (a load balancer in front of several processes is fine).
    pub base: String,
    /// Base URL of the sandbox carrier (for its call records).
    pub sandbox: String,
    /// The mail log the invitations are written to (`<data_dir>/mail.log`).
    pub mail_log: PathBuf,
    /// `twilio` or `telnyx`.
    pub provider: String,
    /// `progressive`, `power` or `predictive`.
    pub mode: String,
    pub lines_per_agent: u32,
    pub agents: usize,
    pub leads: usize,
    /// Agents disposition every call (`true`), or wrap-up ends by itself after `wrap_secs`.
    pub dispose: bool,
    pub wrap_secs: i64,
    pub max_attempts: i64,
    /// Stop the campaign after this long and let the calls in flight finish (a benchmark);
    /// `None`: run until the campaign completes.
    pub run_for: Option<Duration>,
    /// Give up (an error) after this long.
    pub deadline: Duration,
    /// Print progress lines to stderr.
    pub progress: bool,
    /// Notified once the campaign runs with every agent joined (fault injection starts then).
    pub dialing: Option<std::sync::Arc<tokio::sync::Notify>>,
}

/// Percentiles of a set of latencies, in milliseconds.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Latency {
    pub n: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Latency {
    pub fn of(mut v: Vec<f64>) -> Latency {
        if v.is_empty() {
            return Latency::default();
        }
        v.sort_by(f64::total_cmp);
        let at = |q: f64| v[((v.len() as f64 * q).ceil() as usize).clamp(1, v.len()) - 1];
        Latency { n: v.len(), p50_ms: at(0.50), p95_ms: at(0.95), p99_ms: at(0.99), max_ms: v[v.len() - 1] }
    }
}

/// What happened, from the API's and the carrier's records.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FloorReport {
    pub provider: String,
    pub mode: String,
    pub agents: usize,
    pub leads: usize,
    pub completed: bool,
    pub seconds: f64,
    pub attempts: usize,
    pub dials: usize,
    pub carrier_calls: usize,
    pub connects: u64,
    pub abandons: u64,
    pub abandon_pct: f64,
    pub voicemails: usize,
    pub voicemail_plays: usize,
    pub blocked: usize,
    pub dispositions: usize,
    /// People who asked to be called back (one callback disposition or more).
    pub callbacks_given: usize,
    pub callbacks_redialled: usize,
    pub dnc_given: usize,
    /// Attempts of a lead after it asked not to be called again (must be 0).
    pub dialled_after_dnc: usize,
    /// Phones whose carrier calls differ from their dialled attempts (must be 0).
    pub double_dials: usize,
    /// Attempts that never settled (must be 0).
    pub unsettled: usize,
    /// Leads still open in a completed campaign (must be 0).
    pub leads_lost: u64,
    /// Leads with more counted attempts than `max_attempts` (must be 0).
    pub over_max_attempts: usize,
    /// Connected attempts the agents never dispositioned (0 when agents disposition).
    pub undispositioned: usize,
    pub peak_in_flight: u64,
    pub mean_in_flight: f64,
    /// A person answered → an agent on the line (carrier's clock, real time).
    pub bridge: Latency,
    /// A person answered, no agent free → the safe-harbor message starts.
    pub safe_harbor: Latency,
    /// Abandoned people who heard no safe-harbor message within 2 s.
    pub safe_harbor_late: usize,
    /// People who answered and got neither an agent nor speech (must be 0).
    pub unserved_humans: usize,
    /// The carrier's log of the first few such calls, to see what happened.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unserved_logs: Vec<String>,
}

impl std::fmt::Display for FloorReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{} {} campaign, {} agents, {} leads: {} in {:.1} s",
            self.provider,
            self.mode,
            self.agents,
            self.leads,
            if self.completed { "completed" } else { "stopped" },
            self.seconds
        )?;
        writeln!(
            f,
            "  attempts {}  dials {}  carrier calls {}  connects {}  abandons {} ({:.2}%)  voicemails {} (played {})  blocked {}",
            self.attempts,
            self.dials,
            self.carrier_calls,
            self.connects,
            self.abandons,
            self.abandon_pct,
            self.voicemails,
            self.voicemail_plays,
            self.blocked
        )?;
        writeln!(
            f,
            "  dispositions {}  callbacks {} (redialled {})  dnc {}  in flight: peak {} mean {:.0}",
            self.dispositions,
            self.callbacks_given,
            self.callbacks_redialled,
            self.dnc_given,
            self.peak_in_flight,
            self.mean_in_flight
        )?;
        let l = |x: &Latency| {
            format!(
                "n {} p50 {:.1} ms p95 {:.1} ms p99 {:.1} ms max {:.1} ms",
                x.n, x.p50_ms, x.p95_ms, x.p99_ms, x.max_ms
            )
        };
        writeln!(f, "  answered → agent:        {}", l(&self.bridge))?;
        writeln!(f, "  answered → safe harbor:  {}", l(&self.safe_harbor))?;
        writeln!(
            f,
            "  checks: double dials {}  unsettled {}  leads lost {}  over max attempts {}  dialled after DNC {}  undispositioned {}  safe harbor late {}  unserved {}",
            self.double_dials,
            self.unsettled,
            self.leads_lost,
            self.over_max_attempts,
            self.dialled_after_dnc,
            self.undispositioned,
            self.safe_harbor_late,
            self.unserved_humans
        )?;
        for log in &self.unserved_logs {
            writeln!(f, "  unserved: {log}")?;
        }
        Ok(())
    }
}

impl FloorReport {
    /// The invariants every run must keep; an error names the first one broken.
    pub fn check(&self) -> anyhow::Result<()> {
        let broken = [
            (self.double_dials, "a number was dialled twice for one attempt"),
            (self.unsettled, "attempts never settled"),
            (self.leads_lost as usize, "leads were lost"),
            (self.over_max_attempts, "leads were dialled more than max_attempts"),
            (self.dialled_after_dnc, "a lead was dialled after asking not to be"),
            (self.safe_harbor_late, "abandoned people waited over 2 s for the safe-harbor message"),
            (self.unserved_humans, "people answered and heard nothing"),
        ];
        for (n, what) in broken {
            if n > 0 {
                bail!("{what}: {n}\n{self}");
            }
        }
        if self.abandon_pct > 3.0 {
            bail!("the abandon rate broke 3%\n{self}");
        }
        Ok(())
    }
}

const PASSWORD: &str = "Correct-horse-42";

struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        let mut delay = Duration::from_millis(100);
        // A restarting process (the kill -9 tests) answers with a refused connection or a 5xx
        // for a moment; anything else is the answer.
        for attempt in 0.. {
            let mut req = self.http.request(method.clone(), format!("{}{path}", self.base));
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            if let Some(b) = &body {
                req = req.json(b);
            }
            match req.send().await {
                Ok(r) if r.status().is_server_error() && attempt < 30 => {}
                Ok(r) => {
                    let status = r.status();
                    let text = r.text().await.unwrap_or_default();
                    let v: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
                    if !status.is_success() {
                        return Err(
                            anyhow::Error::new(Status(status.as_u16())).context(format!("{method} {path}: {v}"))
                        );
                    }
                    return Ok(v);
                }
                Err(e) if attempt >= 30 => return Err(anyhow!("{method} {path}: {e}")),
                Err(_) => {}
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(1));
        }
        unreachable!()
    }

    async fn get(&self, path: &str, token: &str) -> anyhow::Result<Value> {
        self.call(reqwest::Method::GET, path, Some(token), None).await
    }

    async fn post(&self, path: &str, token: Option<&str>, body: Value) -> anyhow::Result<Value> {
        self.call(reqwest::Method::POST, path, token, Some(body)).await
    }
}

/// The HTTP status of a failed call, kept in the error chain.
#[derive(Debug, thiserror::Error)]
#[error("HTTP {0}")]
struct Status(u16);

fn status_of(e: &anyhow::Error) -> Option<u16> {
    e.chain().find_map(|c| c.downcast_ref::<Status>()).map(|s| s.0)
}

fn suffix() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
    format!("{:x}{:x}", nanos, std::process::id())
}

/// A lead's number: New York City numbers, all inside the calling window of the test clock.
pub fn lead_phone(i: usize) -> String {
    const AREAS: [u32; 5] = [212, 646, 718, 917, 347];
    format!("+1{}555{:04}", AREAS[(i / 8000) % AREAS.len()], 2000 + i % 8000)
}

/// Runs the floor and audits it.
pub async fn run(o: &FloorOptions) -> anyhow::Result<FloorReport> {
    let api = Api { http: reqwest::Client::builder().timeout(Duration::from_secs(30)).build()?, base: o.base.clone() };
    let say = |msg: String| {
        if o.progress {
            eprintln!("{msg}");
        }
    };
    let tag = suffix();
    let signup = api
        .post(
            "/v1/auth/signup",
            None,
            json!({"agency_name": format!("Floor {tag}"), "name": "Floor Owner",
                   "email": format!("owner-{tag}@floor.test"), "password": PASSWORD}),
        )
        .await?;
    let owner = signup["access_token"].as_str().context("signup gave no token")?.to_owned();
    let account = match o.provider.as_str() {
        "twilio" => None,
        "telnyx" => {
            let a = api
                .post(
                    "/v1/carrier-accounts",
                    Some(&owner),
                    // A floor this size buys a higher calls-per-second limit than the default.
                    json!({"name": "Telnyx sandbox", "provider": "telnyx", "sandbox": true,
                           "calls_per_sec": (o.agents as u32 * o.lines_per_agent / 4).clamp(10, 50)}),
                )
                .await?;
            Some(a["id"].as_str().context("no account id")?.to_owned())
        }
        other => bail!("unknown provider {other:?}: twilio or telnyx"),
    };
    say(format!("loading {} leads", o.leads));
    let list = api.post("/v1/lists", Some(&owner), json!({"name": "Floor leads"})).await?;
    let list = list["id"].as_str().context("no list id")?.to_owned();
    let phones: Vec<String> = (0..o.leads).map(lead_phone).collect();
    for chunk in (0..o.leads).collect::<Vec<_>>().chunks(1000) {
        let contacts: Vec<Value> = chunk
            .iter()
            .map(|&i| {
                json!({"first_name": format!("Lead{i}"), "state": "NY", "zip": "10001",
                       "phones": [{"number": phones[i], "label": "landline"}]})
            })
            .collect();
        api.post("/v1/contacts/bulk", Some(&owner), json!({"list_id": list, "contacts": contacts})).await?;
    }
    say(format!("inviting {} agents", o.agents));
    let agents = add_agents(&api, &owner, o).await?;
    let mut body = json!({
        "name": format!("Floor {}", o.mode), "mode": o.mode, "list_ids": [list], "seller_name": "Acme Solar",
        "callback_number": "+12125550199", "purpose": "informational",
        "amd": true, "machine_action": "voicemail", "voicemail_url": "https://example.test/vm.mp3",
        "ring_timeout_secs": 20, "max_attempts": o.max_attempts, "wrap_secs": o.wrap_secs,
        "redial": {"no_answer": 1, "busy": 1, "machine": 1, "voicemail": 1, "failed": 1, "abandoned": 1},
        "lines_per_agent": o.lines_per_agent,
    });
    if let Some(a) = &account {
        body["account_id"] = json!(a);
    }
    let campaign = api.post("/v1/campaigns", Some(&owner), body).await?;
    let campaign = campaign["id"].as_str().context("no campaign id")?.to_owned();
    api.post(&format!("/v1/campaigns/{campaign}/start"), Some(&owner), json!({})).await?;
    say("agents joining".into());
    let mut sessions = vec![];
    for token in &agents {
        let s = api.post("/v1/agent-sessions", Some(token), json!({"campaign_id": campaign})).await?;
        sessions.push((token.clone(), s["id"].as_str().context("no session id")?.to_owned()));
    }
    if let Some(n) = &o.dialing {
        n.notify_one();
    }
    let started = Instant::now();
    let mut given: HashMap<String, String> = HashMap::new();
    let mut dnc_at: HashMap<String, chrono::DateTime<chrono::Utc>> = HashMap::new();
    let (mut peak, mut in_flight_sum, mut samples) = (0u64, 0u64, 0u64);
    let mut last_sample = Instant::now() - Duration::from_secs(1);
    let mut stopped = false;
    let completed = loop {
        if started.elapsed() > o.deadline {
            bail!(
                "the campaign did not finish in {:?}: {}",
                o.deadline,
                api.get(&format!("/v1/campaigns/{campaign}/stats"), &owner).await.unwrap_or_default()
            );
        }
        let c = api.get(&format!("/v1/campaigns/{campaign}"), &owner).await?;
        let status = c["status"].as_str().unwrap_or_default().to_owned();
        if status == "paused" && c["status_reason"] == "carrier_failing" {
            bail!("the campaign paused itself: {c}");
        }
        if last_sample.elapsed() >= Duration::from_secs(1) {
            last_sample = Instant::now();
            let stats = api.get(&format!("/v1/campaigns/{campaign}/stats"), &owner).await?;
            let n = stats["in_flight"].as_u64().unwrap_or(0);
            peak = peak.max(n);
            in_flight_sum += n;
            samples += 1;
            say(format!(
                "{:>5.0} s  {status}  in flight {n:>4}  dials {:>6}  connects {:>5}  abandons {:>3}  leads left {:>6}",
                started.elapsed().as_secs_f64(),
                stats["dials"],
                stats["connects"],
                stats["abandons"],
                stats["leads_remaining"]
            ));
            if stopped && n == 0 {
                break false;
            }
        }
        if status == "completed" {
            break true;
        }
        if let Some(limit) = o.run_for
            && !stopped
            && started.elapsed() >= limit
        {
            api.post(&format!("/v1/campaigns/{campaign}/stop"), Some(&owner), json!({})).await?;
            stopped = true;
        }
        if o.dispose {
            dispose_wrap_ups(&api, &owner, &sessions, &mut given, &mut dnc_at).await?;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let seconds = started.elapsed().as_secs_f64();
    say("auditing".into());
    // Every call of the campaign has ended at the carrier before the books are read.
    let lead_phones: HashSet<&str> = phones.iter().map(String::as_str).collect();
    let calls = loop {
        let calls = sandbox_calls(&api.http, &o.sandbox).await?;
        let live = calls.iter().filter(|c| lead_phones.contains(c["to"].as_str().unwrap_or("")) && c["ended"] != true);
        if live.count() == 0 || started.elapsed() > o.deadline {
            break calls;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let mut r = audit(&api, &owner, &campaign, o, &calls, &lead_phones, &given, &dnc_at).await?;
    r.completed = completed;
    r.seconds = seconds;
    r.peak_in_flight = peak;
    r.mean_in_flight = if samples == 0 { 0.0 } else { in_flight_sum as f64 / samples as f64 };
    for (token, session) in &sessions {
        api.post(&format!("/v1/agent-sessions/{session}/leave"), Some(token), json!({})).await?;
    }
    Ok(r)
}

/// Invites `o.agents` agents and accepts each invitation from the mail log.
async fn add_agents(api: &Api, owner: &str, o: &FloorOptions) -> anyhow::Result<Vec<String>> {
    let mut ids = vec![];
    for i in 0..o.agents {
        let inv = api
            .post(
                "/v1/invitations",
                Some(owner),
                json!({"email": format!("agent{i}-{}@floor.test", suffix()), "role": "agent"}),
            )
            .await?;
        ids.push(inv["id"].as_str().context("no invitation id")?.to_owned());
    }
    let waited = Instant::now();
    let mut tokens: HashMap<String, String> = HashMap::new();
    while tokens.len() < ids.len() {
        if waited.elapsed() > Duration::from_secs(120) {
            bail!("only {} of {} invitation mails arrived in {}", tokens.len(), ids.len(), o.mail_log.display());
        }
        let text = std::fs::read_to_string(&o.mail_log).unwrap_or_default();
        for line in text.lines() {
            let Ok(mail) = serde_json::from_str::<Value>(line) else { continue };
            let reference = mail["reference"].as_str().unwrap_or_default();
            let Some(id) = reference.strip_prefix("invitation:") else { continue };
            let body = mail["text"].as_str().unwrap_or_default();
            if let Some(start) = body.find("token=") {
                let token = body[start + 6..].split_whitespace().next().unwrap_or_default();
                tokens.insert(id.to_owned(), token.to_owned());
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut out = vec![];
    for id in &ids {
        let acc = api
            .post(
                "/v1/invitations/accept",
                None,
                json!({"token": tokens[id], "name": "Floor Agent", "password": PASSWORD}),
            )
            .await?;
        out.push(acc["access_token"].as_str().context("accept gave no token")?.to_owned());
    }
    Ok(out)
}

/// Dispositions every call in wrap-up: the first a callback, every 50th a do-not-call, the
/// rest interested or not.
async fn dispose_wrap_ups(
    api: &Api,
    owner: &str,
    sessions: &[(String, String)],
    given: &mut HashMap<String, String>,
    dnc_at: &mut HashMap<String, chrono::DateTime<chrono::Utc>>,
) -> anyhow::Result<()> {
    let list = api.get("/v1/agent-sessions", owner).await?;
    let wrapping: HashSet<&str> = list
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["state"] == "wrap_up")
        .filter_map(|s| s["id"].as_str())
        .collect();
    for (token, id) in sessions.iter().filter(|(_, id)| wrapping.contains(id.as_str())) {
        let s = api.get(&format!("/v1/agent-sessions/{id}"), token).await?;
        let Some(attempt) = s["lead"]["attempt_id"].as_str() else { continue };
        if given.contains_key(attempt) {
            continue;
        }
        let n = given.len();
        let code = match n {
            _ if n.is_multiple_of(10) && n <= 50 => "callback",
            _ if n % 50 == 7 => "dnc",
            _ if n.is_multiple_of(2) => "interested",
            _ => "not_interested",
        };
        match api.post(&format!("/v1/dial-attempts/{attempt}/disposition"), Some(token), json!({"code": code})).await {
            Ok(_) => {}
            // Given already (a retried request whose first answer was lost), or the wrap-up
            // ran out meanwhile.
            Err(e) if status_of(&e) == Some(409) => {}
            Err(e) => return Err(e),
        }
        if code == "dnc" {
            let contact = s["lead"]["contact_id"].as_str().unwrap_or_default().to_owned();
            dnc_at.insert(contact, chrono::Utc::now());
        }
        given.insert(attempt.to_owned(), code.to_owned());
    }
    Ok(())
}

async fn sandbox_calls(http: &reqwest::Client, sandbox: &str) -> anyhow::Result<Vec<Value>> {
    let v: Value = http.get(format!("{sandbox}/_sandbox/calls")).send().await?.error_for_status()?.json().await?;
    Ok(v["calls"].as_array().cloned().unwrap_or_default())
}

async fn all_attempts(api: &Api, owner: &str, campaign: &str) -> anyhow::Result<Vec<Value>> {
    let mut out = vec![];
    let mut cursor = String::new();
    loop {
        let r = api.get(&format!("/v1/campaigns/{campaign}/attempts?limit=200{cursor}"), owner).await?;
        out.extend(r["data"].as_array().cloned().unwrap_or_default());
        match r["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => return Ok(out),
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn audit(
    api: &Api,
    owner: &str,
    campaign: &str,
    o: &FloorOptions,
    calls: &[Value],
    lead_phones: &HashSet<&str>,
    given: &HashMap<String, String>,
    dnc_at: &HashMap<String, chrono::DateTime<chrono::Utc>>,
) -> anyhow::Result<FloorReport> {
    let attempts = all_attempts(api, owner, campaign).await?;
    let stats = api.get(&format!("/v1/campaigns/{campaign}/stats"), owner).await?;
    let lead_calls: Vec<&Value> =
        calls.iter().filter(|c| lead_phones.contains(c["to"].as_str().unwrap_or(""))).collect();
    let mut carrier: HashMap<&str, usize> = HashMap::new();
    for c in &lead_calls {
        *carrier.entry(c["to"].as_str().unwrap_or("")).or_default() += 1;
    }
    let mut r = FloorReport {
        provider: o.provider.clone(),
        mode: o.mode.clone(),
        agents: o.agents,
        leads: o.leads,
        attempts: attempts.len(),
        carrier_calls: lead_calls.len(),
        connects: stats["connects"].as_u64().unwrap_or(0),
        abandons: stats["abandons"].as_u64().unwrap_or(0),
        abandon_pct: stats["abandon_pct_30d"].as_f64().unwrap_or(0.0),
        leads_lost: if o.run_for.is_none() { stats["leads_remaining"].as_u64().unwrap_or(0) } else { 0 },
        dispositions: given.len(),
        dnc_given: given.values().filter(|c| *c == "dnc").count(),
        ..Default::default()
    };
    let mut dialled: HashMap<&str, usize> = HashMap::new();
    let mut counted: HashMap<&str, i64> = HashMap::new();
    let mut per_contact: HashMap<&str, usize> = HashMap::new();
    for a in &attempts {
        let phone = a["phone"].as_str().unwrap_or("");
        let contact = a["contact_id"].as_str().unwrap_or("");
        *per_contact.entry(contact).or_default() += 1;
        if a["status"] != "ended" {
            r.unsettled += 1;
        }
        let refused = a["detail"].as_str().is_some_and(|d| d.starts_with("carrier:"));
        if a["dialed_at"].is_string() && a["outcome"] != "blocked" && !a["call_id"].is_null() && !refused {
            *dialled.entry(phone).or_default() += 1;
            r.dials += 1;
        }
        if a["outcome"] == "blocked" {
            r.blocked += 1;
        }
        if a["outcome"] == "voicemail" {
            r.voicemails += 1;
        }
        if a["counts"] == true {
            *counted.entry(contact).or_default() += 1;
        }
        if a["outcome"] == "connected" && o.dispose && !given.contains_key(a["id"].as_str().unwrap_or("")) {
            r.undispositioned += 1;
        }
        if let Some(when) = dnc_at.get(contact) {
            let created = a["created_at"].as_str().and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
            if created.is_some_and(|t| t > *when + chrono::Duration::seconds(1)) && a["dialed_at"].is_string() {
                r.dialled_after_dnc += 1;
            }
        }
    }
    let phones: HashSet<&str> = dialled.keys().chain(carrier.keys()).copied().collect();
    r.double_dials = phones.into_iter().filter(|p| dialled.get(p) != carrier.get(p)).count();
    let callback_contacts: HashSet<&str> = attempts
        .iter()
        .filter(|a| given.get(a["id"].as_str().unwrap_or("")).is_some_and(|c| c == "callback"))
        .filter_map(|a| a["contact_id"].as_str())
        .collect();
    // A callback the person asked for is made whatever attempts the lead has used.
    r.over_max_attempts =
        counted.iter().filter(|(c, n)| **n > o.max_attempts && !callback_contacts.contains(*c)).count();
    r.callbacks_given = callback_contacts.len();
    r.callbacks_redialled = callback_contacts.iter().filter(|c| per_contact.get(*c).is_some_and(|n| *n >= 2)).count();
    r.voicemail_plays =
        lead_calls.iter().filter(|c| c["log"].to_string().contains("https://example.test/vm.mp3")).count();
    let (mut bridge, mut harbor) = (vec![], vec![]);
    for c in &lead_calls {
        let Some(h) = c["human_us"].as_u64() else { continue };
        let Some(s) = c["served_us"].as_u64() else {
            r.unserved_humans += 1;
            if r.unserved_logs.len() < 5 {
                r.unserved_logs.push(format!("{} to {}: {}", c["id"], c["to"], c["log"]));
            }
            continue;
        };
        let ms = s.saturating_sub(h) as f64 / 1000.0;
        match c["served_by"].as_str() {
            Some("agent") => bridge.push(ms),
            Some("speech") => {
                if ms > 2000.0 {
                    r.safe_harbor_late += 1;
                }
                harbor.push(ms)
            }
            _ => {}
        }
    }
    r.bridge = Latency::of(bridge);
    r.safe_harbor = Latency::of(harbor);
    Ok(r)
}
