//! The dialer end to end against the sandbox carrier, in Twilio mode and in Telnyx mode: agents
//! join with simulated audio legs, the engine paces calls, people who answer are bridged into
//! the agents' rooms, machines get the voicemail after the beep, agents disposition with the
//! API, callbacks come back, and the books balance: no lead dialled twice for one attempt, no
//! lead lost, the abandon meter under 3%.

use crate::both;
use crate::harness::{Backend, Owner, TestApp, spawn_app_with};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::{Duration, Instant};

both!(
    a_progressive_campaign_runs_to_completion_in_twilio_mode,
    a_power_campaign_runs_to_completion_in_telnyx_mode,
    a_predictive_campaign_paces_pooled_calls_within_the_cap_guard,
    campaign_settings_are_checked_and_states_enforced,
    dialer_resources_are_invisible_to_other_tenants,
    a_preview_campaign_dials_only_the_leads_the_agent_chooses,
    a_campaign_dials_only_inside_its_schedule,
    a_repeated_event_sends_the_bridge_the_first_delivery_lost,
    a_stopped_campaigns_wrap_ups_still_end,
    a_disposition_given_during_the_call_leaves_nothing_to_wrap_up,
    a_callback_kept_for_me_waits_for_its_agent,
    a_voicemail_drop_lost_after_its_claim_is_sent_again,
    a_supervisor_listens_whispers_and_barges_in_twilio_mode,
    a_supervisor_listens_whispers_and_barges_in_telnyx_mode,
    a_lost_final_webhook_is_made_good_from_the_carrier_in_twilio_mode,
    a_lost_final_webhook_is_made_good_from_the_carrier_in_telnyx_mode,
    a_recorded_campaign_announces_before_the_agent_joins_in_twilio_mode,
    a_recorded_campaign_announces_before_the_agent_joins_in_telnyx_mode,
    campaign_analytics_count_by_hour_state_number_and_disposition,
    a_voicemail_template_is_uploaded_and_left_after_the_beep,
);

/// A Wednesday, 11:00 in New York: inside every calling window for 212 numbers.
const CLOCK: &str = "2026-11-18T16:00:00Z";

async fn app(backend: Backend) -> TestApp {
    spawn_app_with(backend, &[("OUTDIAL_DIALER_CLOCK_START", CLOCK), ("OUTDIAL_DIALER_TICK_MS", "100")]).await
}

/// A Telnyx-protocol sandbox carrier account for the agency; its id.
async fn telnyx_account(app: &TestApp, o: &Owner) -> String {
    let account = app
        .post(
            "/v1/carrier-accounts",
            &o.token,
            json!({"name": "Telnyx sandbox", "provider": "telnyx", "sandbox": true}),
        )
        .await;
    assert_eq!(account.status, StatusCode::CREATED, "{}", account.body);
    account.body["id"].as_str().unwrap().to_owned()
}

/// GET on the sandbox carrier's control API.
async fn sandbox_get(app: &TestApp, path: &str) -> Value {
    let r = app.client.get(format!("{}/sandbox/_sandbox/{path}", app.base)).send().await.unwrap();
    r.json().await.unwrap()
}

/// PUT on the sandbox carrier's control API (a number's behaviour, faults).
async fn sandbox_put(app: &TestApp, path: &str, body: Value) {
    let r = app.client.put(format!("{}/sandbox/_sandbox/{path}", app.base)).json(&body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
}

/// The carrier's call to `number`, once the carrier has it.
async fn carrier_call_to(app: &TestApp, number: &str) -> Value {
    crate::harness::eventually("the lead's call placed", || async {
        let sim = sandbox_get(app, "calls").await;
        sim["calls"].as_array().unwrap().iter().find(|c| c["to"] == number).cloned()
    })
    .await
}

/// The first webhook the carrier sent whose body holds every one of `needles`.
async fn webhook_with(app: &TestApp, needles: &[&str]) -> Option<Value> {
    let hooks = sandbox_get(app, "webhooks").await;
    hooks["webhooks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| needles.iter().all(|n| h["body"].as_str().unwrap().contains(n)))
        .cloned()
}

/// Delivers a recorded webhook again, exactly as the carrier sent it (signature included).
async fn redeliver(app: &TestApp, hook: &Value, content_type: &str) {
    let mut again = app.client.post(hook["url"].as_str().unwrap()).body(hook["body"].as_str().unwrap().to_owned());
    for h in hook["headers"].as_array().unwrap() {
        again = again.header(h[0].as_str().unwrap(), h[1].as_str().unwrap());
    }
    let r = again.header("content-type", content_type).send().await.unwrap();
    assert!(r.status().is_success(), "{}", r.status());
}

/// A list of `n` New York leads (landlines) and its id.
async fn leads(app: &TestApp, o: &Owner, n: usize, first: usize) -> String {
    let list = app.post("/v1/lists", &o.token, json!({"name": format!("Leads {first}")})).await;
    assert_eq!(list.status, StatusCode::CREATED, "{}", list.body);
    let list = list.body["id"].as_str().unwrap().to_owned();
    let contacts: Vec<Value> = (first..first + n)
        .map(|i| {
            json!({"first_name": format!("Lead{i}"), "state": "NY", "zip": "10001",
                   "phones": [{"number": format!("+1212555{:04}", 2000 + i), "label": "landline"}]})
        })
        .collect();
    let r = app.post("/v1/contacts/bulk", &o.token, json!({"list_id": list, "contacts": contacts})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["created"].as_u64(), Some(n as u64), "{}", r.body);
    list
}

fn campaign_body(name: &str, mode: &str, list: &str, extra: Value) -> Value {
    let mut b = json!({
        "name": name, "mode": mode, "list_ids": [list], "seller_name": "Acme Solar",
        "callback_number": "+12125550199", "purpose": "informational",
        "amd": true, "machine_action": "voicemail", "voicemail_url": "https://example.test/vm.mp3",
        "ring_timeout_secs": 20, "max_attempts": 2, "wrap_secs": 0,
        "redial": {"no_answer": 1, "busy": 1, "machine": 1, "voicemail": 1, "failed": 1, "abandoned": 1}
    });
    for (k, v) in extra.as_object().unwrap() {
        b[k] = v.clone();
    }
    b
}

/// Works the campaign as the agents would until it completes: every call in wrap-up gets a
/// disposition (one callback and one do-not-call among them). Returns the dispositions given.
async fn work(app: &TestApp, campaign: &str, agents: &[(String, String)], o: &Owner) -> HashMap<String, String> {
    let started = Instant::now();
    let mut given = HashMap::new();
    let mut n = 0usize;
    loop {
        let c = app.get(&format!("/v1/campaigns/{campaign}"), &o.token).await;
        if c.body["status"] == "completed" {
            return given;
        }
        assert!(
            started.elapsed() < Duration::from_secs(150),
            "campaign did not complete: {} stats {}",
            c.body,
            app.get(&format!("/v1/campaigns/{campaign}/stats"), &o.token).await.body
        );
        // Waiting for agents (started before they joined) is lifted by the next tick once one
        // is ready; any other pause is the dialer giving up.
        let waiting = c.body["status_reason"] == "no_agents_logged_in";
        assert!(c.body["status"] != "paused" || waiting, "the campaign paused itself: {}", c.body);
        for (token, session) in agents {
            let s = app.get(&format!("/v1/agent-sessions/{session}"), token).await;
            assert_eq!(s.status, StatusCode::OK, "{}", s.body);
            if s.body["state"] != "wrap_up" {
                continue;
            }
            let lead = &s.body["lead"];
            assert_eq!(lead["status"], "ended");
            if let Some(script) = lead["script"].as_str() {
                assert!(script.starts_with(&format!("Hi {},", lead["first_name"].as_str().unwrap())), "{script}");
            }
            let code = match n {
                0 => "callback",
                1 => "dnc",
                k if k % 2 == 0 => "interested",
                _ => "not_interested",
            };
            let attempt = lead["attempt_id"].as_str().unwrap();
            let r = app
                .post(&format!("/v1/dial-attempts/{attempt}/disposition"), token, json!({"code": code, "note": "ok"}))
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            let again =
                app.post(&format!("/v1/dial-attempts/{attempt}/disposition"), token, json!({"code": code})).await;
            assert_eq!(again.code(), "already_dispositioned");
            given.insert(attempt.to_owned(), code.to_owned());
            n += 1;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn all_attempts(app: &TestApp, o: &Owner, campaign: &str) -> Vec<Value> {
    let mut out = vec![];
    let mut cursor = String::new();
    loop {
        let r = app.get(&format!("/v1/campaigns/{campaign}/attempts?limit=200{cursor}"), &o.token).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        out.extend(r.body["data"].as_array().unwrap().iter().cloned());
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => return out,
        }
    }
}

async fn join(app: &TestApp, token: &str, campaign: &str) -> String {
    let r = app.post("/v1/agent-sessions", token, json!({"campaign_id": campaign})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["state"], "connecting");
    let id = r.body["id"].as_str().unwrap().to_owned();
    crate::harness::eventually("the agent's leg answered", || async {
        let s = app.get(&format!("/v1/agent-sessions/{id}"), token).await;
        (s.body["state"] == "ready").then_some(())
    })
    .await;
    id
}

/// Checks what every user of the product would: each lead dialled at most `max_attempts`
/// times and once per attempt at the carrier, outcomes that add up, the abandon meter, the
/// safe-harbor message and voicemail drops heard at the carrier.
async fn audit(
    app: &TestApp,
    o: &Owner,
    campaign: &str,
    leads: usize,
    given: &HashMap<String, String>,
    max_abandon_pct: Option<f64>,
) -> Value {
    let attempts = all_attempts(app, o, campaign).await;
    let calls = sandbox_get(app, "calls").await;
    let calls = calls["calls"].as_array().unwrap().clone();
    let mut carrier_calls: HashMap<String, usize> = HashMap::new();
    for c in &calls {
        *carrier_calls.entry(c["to"].as_str().unwrap().to_owned()).or_default() += 1;
    }
    let mut dialled: HashMap<String, usize> = HashMap::new();
    let mut per_lead: HashMap<String, i64> = HashMap::new();
    for a in &attempts {
        assert_eq!(a["status"], "ended", "every attempt settled: {a}");
        let refused = a["detail"].as_str().is_some_and(|d| d.starts_with("carrier:"));
        if a["dialed_at"].is_string() && a["outcome"] != "blocked" && !a["call_id"].is_null() && !refused {
            *dialled.entry(a["phone"].as_str().unwrap().to_owned()).or_default() += 1;
        }
        if a["counts"] == true {
            *per_lead.entry(a["contact_id"].as_str().unwrap().to_owned()).or_default() += 1;
        }
        if a["outcome"] == "connected" {
            assert!(a["agent_session_id"].is_string());
        }
    }
    for (phone, n) in &dialled {
        assert_eq!(carrier_calls.get(phone), Some(n), "carrier calls to {phone} match its dialled attempts");
    }
    assert!(per_lead.values().all(|n| *n <= 2), "max_attempts holds");
    let connected: Vec<&Value> = attempts.iter().filter(|a| a["outcome"] == "connected").collect();
    assert!(!connected.is_empty(), "some people reached an agent");
    for a in &connected {
        assert!(given.contains_key(a["id"].as_str().unwrap()), "every connected call was dispositioned: {a}");
    }
    let stats = app.get(&format!("/v1/campaigns/{campaign}/stats"), &o.token).await.body;
    assert_eq!(stats["leads_total"].as_u64(), Some(leads as u64));
    assert_eq!(stats["leads_remaining"].as_u64(), Some(0));
    assert_eq!(stats["connects"].as_u64(), Some(connected.len() as u64));
    if let Some(max) = max_abandon_pct {
        assert!(stats["abandon_pct_30d"].as_f64().unwrap() <= max, "{stats}");
    }
    // The voicemail was left after the beep on machines; abandoned people heard who called.
    let logs: Vec<String> = calls
        .iter()
        .flat_map(|c| c["log"].as_array().unwrap().iter().map(|l| l.as_str().unwrap().to_owned()))
        .collect();
    let voicemails = attempts.iter().filter(|a| a["outcome"] == "voicemail").count();
    assert!(voicemails > 0, "some machines answered: {stats}");
    let played = logs.iter().filter(|l| l.contains("https://example.test/vm.mp3")).count();
    assert!(played >= voicemails, "{played} voicemail plays for {voicemails} voicemails");
    // A line cancelled (first connect won elsewhere) in the instant it was picked up is counted
    // as an abandon, the strict reading, though nobody was there to route: it heard nothing.
    let routed_abandon = |b: &Value| b["outcome"] == "abandoned" && b["detail"] != "cancelled";
    for a in attempts.iter().filter(|a| routed_abandon(a)) {
        let abandoned = attempts.iter().filter(|b| routed_abandon(b) && b["phone"] == a["phone"]).count();
        let heard =
            calls.iter().filter(|c| c["to"] == a["phone"] && c["log"].to_string().contains("Acme Solar")).count();
        assert!(heard >= abandoned, "every abandoned person heard the safe-harbor message: {a}");
    }
    // The do-not-call disposition reached the internal list at once.
    let dnc = app.get("/v1/dnc", &o.token).await;
    assert_eq!(dnc.body["data"].as_array().unwrap().len(), 1, "{}", dnc.body);
    stats
}

async fn a_progressive_campaign_runs_to_completion_in_twilio_mode(backend: Backend) {
    let app = app(backend).await;
    let o = app.signup("Dialer Twilio").await;
    let list = leads(&app, &o, 24, 0).await;
    let script = app
        .post(
            "/v1/scripts",
            &o.token,
            json!({"name": "Intro", "body": "Hi {FirstName}, this is {Seller}.{?Company} At {Company}?{/Company}"}),
        )
        .await;
    assert_eq!(script.status, StatusCode::CREATED, "{}", script.body);
    let body = campaign_body("Solar NY", "progressive", &list, json!({"script_id": script.body["id"]}));
    let c = app.post("/v1/campaigns", &o.token, body).await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.body);
    let id = c.body["id"].as_str().unwrap().to_owned();
    assert_eq!(c.body["status"], "draft");
    let (t2, _) = app.add_member(&o, "agent").await;
    let (t3, _) = app.add_member(&o, "agent").await;
    let started = app.post(&format!("/v1/campaigns/{id}/start"), &o.token, json!({})).await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    assert_eq!(started.body["status"], "running");
    let mut agents = vec![];
    for t in [o.token.clone(), t2, t3] {
        let s = join(&app, &t, &id).await;
        agents.push((t, s));
    }
    let given = work(&app, &id, &agents, &o).await;
    let stats = audit(&app, &o, &id, 24, &given, Some(3.0)).await;
    assert_eq!(stats["abandons"].as_u64(), Some(0), "progressive never abandons: {stats}");
    // The callback came back to the queue first and was dialled again.
    let attempts = all_attempts(&app, &o, &id).await;
    let cb = given.iter().find(|(_, c)| c.as_str() == "callback").map(|(a, _)| a.clone()).unwrap();
    let lead = attempts.iter().find(|a| a["id"] == cb.as_str()).unwrap()["contact_id"].clone();
    assert!(attempts.iter().filter(|a| a["contact_id"] == lead).count() >= 2, "the callback was dialled");
    assert!(app.get("/v1/callbacks", &o.token).await.body.as_array().unwrap().is_empty(), "the callback was made");
    let ics = app.client.get(format!("{}/v1/callbacks/calendar", app.base)).bearer_auth(&o.token).send().await.unwrap();
    assert!(ics.text().await.unwrap().starts_with("BEGIN:VCALENDAR"));
    for (t, s) in &agents {
        let r = app.post(&format!("/v1/agent-sessions/{s}/leave"), t, json!({})).await;
        assert_eq!(r.body["state"], "offline", "{}", r.body);
    }
    app.stop().await;
}

async fn a_power_campaign_runs_to_completion_in_telnyx_mode(backend: Backend) {
    let app = app(backend).await;
    let o = app.signup("Dialer Telnyx").await;
    let account = telnyx_account(&app, &o).await;
    let list = leads(&app, &o, 24, 100).await;
    let body = campaign_body("Power NY", "power", &list, json!({"lines_per_agent": 2, "account_id": account}));
    let c = app.post("/v1/campaigns", &o.token, body).await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.body);
    let id = c.body["id"].as_str().unwrap().to_owned();
    app.post(&format!("/v1/campaigns/{id}/start"), &o.token, json!({})).await;
    let (t2, _) = app.add_member(&o, "agent").await;
    let mut agents = vec![];
    for t in [o.token.clone(), t2] {
        let s = join(&app, &t, &id).await;
        agents.push((t, s));
    }
    let given = work(&app, &id, &agents, &o).await;
    audit(&app, &o, &id, 24, &given, None).await;
    // Bridged to the agent's parked leg: the agent legs outlived every lead.
    for (t, s) in &agents {
        let s = app.get(&format!("/v1/agent-sessions/{s}"), t).await;
        assert_eq!(s.body["state"], "ready", "{}", s.body);
    }
    app.stop().await;
}

async fn campaign_settings_are_checked_and_states_enforced(backend: Backend) {
    let app = app(backend).await;
    let o = app.signup("Dialer Rules").await;
    let list = leads(&app, &o, 2, 300).await;
    let bad =
        app.post("/v1/campaigns", &o.token, campaign_body("x", "power", &list, json!({"ring_timeout_secs": 10}))).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.code(), "invalid_campaign_setting");
    assert!(bad.body["detail"].as_str().unwrap().contains("ring_timeout_secs"), "{}", bad.body);
    let bad = app
        .post("/v1/campaigns", &o.token, campaign_body("x", "predictive", &list, json!({"abandon_target": 5.0})))
        .await;
    assert_eq!(bad.code(), "invalid_campaign_setting");
    let bad = app.post("/v1/campaigns", &o.token, campaign_body("x", "turbo", &list, json!({}))).await;
    assert_eq!(bad.code(), "invalid_campaign_setting");
    let bad = app
        .post("/v1/campaigns", &o.token, campaign_body("x", "power", "list_01JD3T6X8Q4M2N7P9R5S0T1VWX", json!({})))
        .await;
    assert_eq!(bad.code(), "unknown_list");
    let c = app.post("/v1/campaigns", &o.token, campaign_body("ok", "progressive", &list, json!({}))).await;
    let id = c.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.post(&format!("/v1/campaigns/{id}/pause"), &o.token, json!({})).await.code(),
        "invalid_campaign_state"
    );
    let (agent, _) = app.add_member(&o, "agent").await;
    assert_eq!(app.post(&format!("/v1/campaigns/{id}/start"), &agent, json!({})).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.post(&format!("/v1/campaigns/{id}/start"), &o.token, json!({})).await.body["status"], "running");
    // Nobody logged in: the campaign pauses itself and says why.
    for _ in 0..100 {
        let c = app.get(&format!("/v1/campaigns/{id}"), &o.token).await;
        if c.body["status"] == "paused" {
            assert_eq!(c.body["status_reason"], "no_agents_logged_in");
            assert_eq!(c.body["status_by"], "system:dialer");
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(app.get(&format!("/v1/campaigns/{id}"), &o.token).await.body["status"], "paused");
    // An agent joining brings it back.
    let s = join(&app, &agent, &id).await;
    let twice = app.post("/v1/agent-sessions", &agent, json!({"campaign_id": id})).await;
    assert_eq!(twice.code(), "already_in_session");
    let mut resumed = false;
    for _ in 0..100 {
        if app.get(&format!("/v1/campaigns/{id}"), &o.token).await.body["status"] == "running" {
            resumed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(resumed, "an agent's arrival resumes a campaign paused for want of agents");
    let stop = app.post(&format!("/v1/campaigns/{id}/stop"), &o.token, json!({})).await;
    assert_eq!(stop.body["status"], "stopped");
    assert_eq!(stop.body["status_by"], format!("user:{}", o.user_id));
    let r = app.post(&format!("/v1/agent-sessions/{s}/leave"), &agent, json!({})).await;
    assert_eq!(r.status, StatusCode::OK);
    let d = app.get("/v1/dispositions", &o.token).await;
    assert_eq!(d.body.as_array().unwrap().len(), 7);
    let dup =
        app.post("/v1/dispositions", &o.token, json!({"code": "sale", "label": "Sale", "category": "sale"})).await;
    assert_eq!(dup.code(), "disposition_exists");
    let hot = app
        .post("/v1/dispositions", &o.token, json!({"code": "vip", "label": "VIP", "category": "sale", "hotkey": "1"}))
        .await;
    assert_eq!(hot.code(), "invalid_hotkey");
    let ok = app
        .post("/v1/dispositions", &o.token, json!({"code": "vip", "label": "VIP", "category": "sale", "hotkey": "9"}))
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    app.stop().await;
}

async fn dialer_resources_are_invisible_to_other_tenants(backend: Backend) {
    let app = app(backend).await;
    let a = app.signup("Dialer A").await;
    let b = app.signup("Dialer B").await;
    let list = leads(&app, &a, 2, 400).await;
    let c = app.post("/v1/campaigns", &a.token, campaign_body("A", "progressive", &list, json!({}))).await;
    let id = c.body["id"].as_str().unwrap().to_owned();
    let script = app.post("/v1/scripts", &a.token, json!({"name": "S", "body": "Hi"})).await;
    let s = join(&app, &a.token, &id).await;
    for path in [
        format!("/v1/campaigns/{id}"),
        format!("/v1/campaigns/{id}/stats"),
        format!("/v1/campaigns/{id}/attempts"),
        format!("/v1/agent-sessions/{s}"),
    ] {
        assert_eq!(app.get(&path, &b.token).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(app.post(&format!("/v1/campaigns/{id}/start"), &b.token, json!({})).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.post(&format!("/v1/agent-sessions/{s}/leave"), &b.token, json!({})).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post("/v1/agent-sessions", &b.token, json!({"campaign_id": id})).await.status,
        StatusCode::NOT_FOUND
    );
    // B's campaign cannot dial A's list.
    let theirs = app.post("/v1/campaigns", &b.token, campaign_body("B", "progressive", &list, json!({}))).await;
    assert_eq!(theirs.code(), "unknown_list");
    assert!(app.get("/v1/campaigns", &b.token).await.body["data"].as_array().unwrap().is_empty());
    assert!(app.get("/v1/agent-sessions", &b.token).await.body.as_array().unwrap().is_empty());
    let scripts = app.get("/v1/scripts", &b.token).await;
    assert!(!scripts.body.to_string().contains(script.body["id"].as_str().unwrap()));
    app.stop().await;
}

async fn a_predictive_campaign_paces_pooled_calls_within_the_cap_guard(backend: Backend) {
    let app = app(backend).await;
    let o = app.signup("Dialer Predictive").await;
    let list = leads(&app, &o, 30, 200).await;
    let c = app.post("/v1/campaigns", &o.token, campaign_body("Predictive NY", "predictive", &list, json!({}))).await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.body);
    let id = c.body["id"].as_str().unwrap().to_owned();
    app.post(&format!("/v1/campaigns/{id}/start"), &o.token, json!({})).await;
    let (t2, _) = app.add_member(&o, "agent").await;
    let (t3, _) = app.add_member(&o, "agent").await;
    let mut agents = vec![];
    for t in [o.token.clone(), t2, t3] {
        let s = join(&app, &t, &id).await;
        agents.push((t, s));
    }
    let given = work(&app, &id, &agents, &o).await;
    let stats = audit(&app, &o, &id, 30, &given, None).await;
    // Pooled: calls are not bound to an agent until a person answers.
    let attempts = all_attempts(&app, &o, &id).await;
    assert!(attempts.iter().any(|a| a["outcome"] == "connected"));
    assert!(attempts.iter().filter(|a| a["outcome"] != "connected").all(|a| a["agent_session_id"].is_null()));
    // The cap guard tolerates at most 3% of 100 live answers while the period is young.
    assert!(stats["abandons"].as_u64().unwrap() <= 3, "{stats}");
    app.stop().await;
}

async fn a_preview_campaign_dials_only_the_leads_the_agent_chooses(backend: Backend) {
    let app = app(backend).await;
    let o = app.signup("Dialer Preview").await;
    let list = leads(&app, &o, 3, 500).await;
    // Everyone answers in person after 4 s and talks a minute.
    for i in 500..503 {
        let number = format!("+1212555{:04}", 2000 + i);
        sandbox_put(
            &app,
            &format!("numbers/{number}"),
            json!({"outcome": {"kind": "human", "pickup_ms": 4000, "talk_ms": 60000}}),
        )
        .await;
    }
    let script = app.post("/v1/scripts", &o.token, json!({"name": "P", "body": "Hi {FirstName}"})).await;
    let c = app
        .post(
            "/v1/campaigns",
            &o.token,
            campaign_body("Preview NY", "preview", &list, json!({"script_id": script.body["id"]})),
        )
        .await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.body);
    let id = c.body["id"].as_str().unwrap().to_owned();
    let s = join(&app, &o.token, &id).await;
    let early = app.post(&format!("/v1/agent-sessions/{s}/preview"), &o.token, json!({})).await;
    assert_eq!(early.code(), "invalid_campaign_state", "{}", early.body);
    app.post(&format!("/v1/campaigns/{id}/start"), &o.token, json!({})).await;
    // Nothing is dialled by itself.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(all_attempts(&app, &o, &id).await.is_empty(), "a preview campaign waits for the agent");
    assert_eq!(
        app.post(&format!("/v1/agent-sessions/{s}/dial"), &o.token, json!({})).await.code(),
        "nothing_previewed"
    );
    // The agent sees a lead, the same one when asking again, and passes on it.
    let p = app.post(&format!("/v1/agent-sessions/{s}/preview"), &o.token, json!({})).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let first = p.body["lead"].clone();
    assert_eq!(first["status"], "scheduled");
    assert!(first["script"].as_str().unwrap().starts_with("Hi Lead"), "{first}");
    let again = app.post(&format!("/v1/agent-sessions/{s}/preview"), &o.token, json!({})).await;
    assert_eq!(again.body["lead"]["attempt_id"], first["attempt_id"]);
    let skipped = app.post(&format!("/v1/agent-sessions/{s}/skip"), &o.token, json!({})).await;
    assert_eq!(skipped.status, StatusCode::OK, "{}", skipped.body);
    assert!(skipped.body["lead"].is_null(), "{}", skipped.body);
    // The next lead is another one; the agent dials it, twice by mistake: one call.
    let p = app.post(&format!("/v1/agent-sessions/{s}/preview"), &o.token, json!({})).await;
    let second = p.body["lead"].clone();
    assert_ne!(second["contact_id"], first["contact_id"], "the skipped lead waits behind the others");
    // A paused agent cannot dial: the person would answer to nobody.
    app.post(&format!("/v1/agent-sessions/{s}/pause"), &o.token, json!({"reason": "coffee"})).await;
    let paused = app.post(&format!("/v1/agent-sessions/{s}/dial"), &o.token, json!({})).await;
    assert_eq!(paused.code(), "invalid_agent_state", "{}", paused.body);
    app.post(&format!("/v1/agent-sessions/{s}/ready"), &o.token, json!({})).await;
    let d = app.post(&format!("/v1/agent-sessions/{s}/dial"), &o.token, json!({})).await;
    assert_eq!(d.status, StatusCode::ACCEPTED, "{}", d.body);
    app.post(&format!("/v1/agent-sessions/{s}/dial"), &o.token, json!({})).await;
    let on_call = crate::harness::eventually("the dialled person on the line", || async {
        let r = app.get(&format!("/v1/agent-sessions/{s}"), &o.token).await;
        (r.body["state"] == "on_call").then_some(r.body)
    })
    .await;
    assert_eq!(on_call["lead"]["attempt_id"], second["attempt_id"], "the person reached this agent: {on_call}");
    // Another tenant cannot preview, dial or skip on this session.
    let other = app.signup("Dialer Preview Other").await;
    for action in ["preview", "dial", "skip"] {
        let r = app.post(&format!("/v1/agent-sessions/{s}/{action}"), &other.token, json!({})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{action}");
    }
    let r = app.post(&format!("/v1/agent-sessions/{s}/hangup"), &o.token, json!({})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let attempts = all_attempts(&app, &o, &id).await;
    let calls = sandbox_get(&app, "calls").await;
    let to_lead = |phone: &Value| calls["calls"].as_array().unwrap().iter().filter(|c| &c["to"] == phone).count();
    assert_eq!(to_lead(&second["phone"]), 1, "one call for a double press");
    assert_eq!(to_lead(&first["phone"]), 0, "the skipped lead was never called");
    let skipped_attempt = attempts.iter().find(|a| a["id"] == first["attempt_id"]).unwrap();
    assert_eq!(skipped_attempt["outcome"], "cancelled");
    assert!(on_call["lead"]["outcome"].is_null(), "live: no outcome yet");
    assert_eq!(skipped_attempt["counts"], false, "skipping spends no attempt");
    app.stop().await;
}

async fn a_campaign_dials_only_inside_its_schedule(backend: Backend) {
    let app = app(backend).await;
    let o = app.signup("Dialer Schedule").await;
    let list = leads(&app, &o, 2, 600).await;
    // Bad schedules are refused with the field and the problem.
    let bad = campaign_body(
        "Bad hours",
        "progressive",
        &list,
        json!({"schedule": {"timezone": "America/New_York", "days": ["mon"], "start": "18:00", "end": "09:00"}}),
    );
    let r = app.post("/v1/campaigns", &o.token, bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["code"], "invalid_campaign_setting");
    assert!(r.body["detail"].as_str().unwrap().contains("end must be after start"), "{}", r.body);
    // The clock reads Wednesday 11:00 in New York; this campaign dials at weekends only.
    let weekend = json!({"timezone": "America/New_York", "days": ["sat", "sun"], "start": "09:00", "end": "17:00"});
    let body = campaign_body("Weekends", "progressive", &list, json!({"schedule": weekend}));
    let c = app.post("/v1/campaigns", &o.token, body.clone()).await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.body);
    assert_eq!(c.body["schedule"]["days"], json!(["sat", "sun"]));
    let id = c.body["id"].as_str().unwrap().to_owned();
    let r = app.post(&format!("/v1/campaigns/{id}/start"), &o.token, json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let _session = join(&app, &o.token, &id).await;
    let held = crate::harness::eventually("the campaign to show it waits for its schedule", || async {
        let c = app.get(&format!("/v1/campaigns/{id}"), &o.token).await;
        (c.body["status_reason"] == "outside_schedule").then_some(c.body)
    })
    .await;
    assert_eq!(held["status"], "running", "{held}");
    // Saturday 09:00 EST.
    assert_eq!(held["opens_at"], "2026-11-21T14:00:00Z", "{held}");
    // A ready agent and due leads, and still nothing is dialled for a while.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(all_attempts(&app, &o, &id).await.is_empty(), "nothing is dialled outside the schedule");
    // Opened to Wednesdays: it dials at once and the reason clears.
    let mut open = body;
    open["schedule"]["days"] = json!(["wed"]);
    let r = app.req(reqwest::Method::PUT, &format!("/v1/campaigns/{id}"), Some(&o.token), Some(open)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    crate::harness::eventually("a dial once the schedule is open", || async {
        let c = app.get(&format!("/v1/campaigns/{id}"), &o.token).await;
        let dialled = !all_attempts(&app, &o, &id).await.is_empty();
        (dialled && c.body["status_reason"].is_null() && c.body["opens_at"].is_null()).then_some(())
    })
    .await;
    app.stop().await;
}

/// A Telnyx progressive campaign with one lead (number `n`) who will answer `pickup_ms`
/// simulated milliseconds after being called, and the owner as its ready agent; returns once
/// the carrier has the call: the campaign's id and the person's call id at the carrier.
async fn one_person_called(app: &TestApp, o: &Owner, n: usize, pickup_ms: u64) -> (String, String) {
    let account = telnyx_account(app, o).await;
    let list = leads(app, o, 1, n).await;
    let lead = format!("+1212555{:04}", 2000 + n);
    let outcome = json!({"outcome": {"kind": "human", "pickup_ms": pickup_ms, "talk_ms": 600000}});
    sandbox_put(app, &format!("numbers/{lead}"), outcome).await;
    let body = campaign_body("One", "progressive", &list, json!({"account_id": account, "ring_timeout_secs": 120}));
    let c = app.post("/v1/campaigns", &o.token, body).await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.body);
    let id = c.body["id"].as_str().unwrap().to_owned();
    app.post(&format!("/v1/campaigns/{id}/start"), &o.token, json!({})).await;
    join(app, &o.token, &id).await;
    let person = carrier_call_to(app, &lead).await["id"].as_str().unwrap().to_owned();
    (id, person)
}

/// A Telnyx person routed to an agent is joined by a bridge from the agent's leg: a command to
/// another call, not an answer to the webhook. When it is lost (the carrier refused it here, a
/// crash between commit and command elsewhere), the carrier's repeated delivery of the event
/// sends it again, under the same command id.
async fn a_repeated_event_sends_the_bridge_the_first_delivery_lost(backend: Backend) {
    let app = app(backend).await;
    let o = app.signup("Dialer Replay").await;
    // The call is placed (the carrier has it; the person picks up 45 simulated seconds later,
    // about 0.9 s). The carrier now fails the next three requests: the bridge and both retries.
    let (id, person_id) = one_person_called(&app, &o, 700, 45_000).await;
    sandbox_put(&app, "faults", json!({"rest_5xx": 3})).await;
    crate::harness::eventually("the bridge to fail at the carrier", || async {
        let calls = app.get("/v1/calls?limit=200", &o.token).await.body;
        calls["data"].as_array().unwrap().iter().any(|c| !c["last_error"].is_null()).then_some(())
    })
    .await;
    let attempt = all_attempts(&app, &o, &id).await.remove(0);
    assert_eq!(attempt["status"], "connected", "routed to the agent: {attempt}");
    let person = sandbox_get(&app, &format!("calls/{person_id}")).await;
    assert!(!person["log"].to_string().contains("bridged"), "not bridged yet: {person}");
    // The carrier delivers the event that routed the person again.
    let hook =
        webhook_with(&app, &["call.machine.detection.ended", &person_id]).await.expect("the AMD event was delivered");
    redeliver(&app, &hook, "application/json").await;
    let bridged = crate::harness::eventually("the person bridged to the agent", || async {
        let c = sandbox_get(&app, &format!("calls/{person_id}")).await;
        c["log"].to_string().contains("bridged").then_some(c)
    })
    .await;
    assert_eq!(bridged["served_by"], "agent", "{bridged}");
    app.stop().await;
}

/// A campaign stopped while its agent is on a call: the wrap-up that follows still ends when
/// its time runs out, so the agent is ready again for anyone who answers one of the stopped
/// campaign's calls still in flight (instead of every such person hearing the safe-harbor
/// message and counting as an abandon). The stop itself holds: nothing new is dialled.
async fn a_stopped_campaigns_wrap_ups_still_end(backend: Backend) {
    let app = app(backend).await;
    let o = app.signup("Dialer Wind Down").await;
    let account = telnyx_account(&app, &o).await;
    let list = leads(&app, &o, 3, 740).await;
    // Every lead answers at once and talks for 50 simulated seconds (about 1 s).
    for n in 740..743 {
        let outcome = json!({"outcome": {"kind": "human", "pickup_ms": 1000, "talk_ms": 50000}});
        sandbox_put(&app, &format!("numbers/+1212555{:04}", 2000 + n), outcome).await;
    }
    let body = campaign_body("Wind down", "progressive", &list, json!({"account_id": account, "wrap_secs": 2}));
    let c = app.post("/v1/campaigns", &o.token, body).await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.body);
    let id = c.body["id"].as_str().unwrap().to_owned();
    app.post(&format!("/v1/campaigns/{id}/start"), &o.token, json!({})).await;
    let session = join(&app, &o.token, &id).await;
    let attempt = crate::harness::eventually("the person on the line with the agent", || async {
        let a = all_attempts(&app, &o, &id).await.into_iter().find(|a| a["status"] == "connected");
        a.and_then(|a| a["id"].as_str().map(str::to_owned))
    })
    .await;
    let r = app.post(&format!("/v1/campaigns/{id}/stop"), &o.token, json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    crate::harness::eventually("the agent out of wrap-up", || async {
        let s = app.get(&format!("/v1/agent-sessions/{session}"), &o.token).await.body;
        (s["state"] == "ready").then_some(())
    })
    .await;
    let attempts = all_attempts(&app, &o, &id).await;
    let closed = attempts.iter().find(|a| a["id"] == attempt.as_str()).unwrap();
    assert_eq!(closed["disposition"], "auto_wrap", "the wrap-up timed out: {closed}");
    let wrap = secs_between(&closed["ended_at"], &closed["wrapped_at"]);
    assert!(wrap >= 2.0, "the wrap-up's end is kept, after its 2 s: {closed}");
    assert_eq!(attempts.len(), 1, "nothing dialled after the stop: {attempts:?}");
    let c = app.get(&format!("/v1/campaigns/{id}"), &o.token).await.body;
    assert_eq!(c["status"], "stopped", "{c}");
    app.stop().await;
}

/// Seconds from one API timestamp to another.
fn secs_between(from: &Value, to: &Value) -> f64 {
    let at = |v: &Value| {
        let s = v.as_str().unwrap_or_else(|| panic!("a timestamp: {v}"));
        chrono::DateTime::parse_from_rfc3339(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    };
    (at(to) - at(from)).num_milliseconds() as f64 / 1000.0
}

/// An agent who gives the disposition while still talking (typing as the person speaks) is
/// ready for the next call the moment the call ends, even in a campaign without a wrap time
/// (where only a disposition ends a wrap-up, and theirs is given already). An agent who gives
/// it in wrap-up leaves wrap-up then; both wrap-ups' ends are kept for the pacing.
async fn a_disposition_given_during_the_call_leaves_nothing_to_wrap_up(backend: Backend) {
    let app = app(backend).await;
    let o = app.signup("Dialer Early Disposition").await;
    let list = leads(&app, &o, 2, 760).await;
    // Both leads answer at once and talk for 150 simulated seconds (about 3 s).
    for n in 760..762 {
        let outcome = json!({"outcome": {"kind": "human", "pickup_ms": 1000, "talk_ms": 150000}});
        sandbox_put(&app, &format!("numbers/+1212555{:04}", 2000 + n), outcome).await;
    }
    let body = campaign_body("Early", "progressive", &list, json!({"wrap_secs": 0}));
    let c = app.post("/v1/campaigns", &o.token, body).await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.body);
    let id = c.body["id"].as_str().unwrap().to_owned();
    app.post(&format!("/v1/campaigns/{id}/start"), &o.token, json!({})).await;
    let session = join(&app, &o.token, &id).await;
    let first = crate::harness::eventually("a person on the line with the agent", || async {
        let a = all_attempts(&app, &o, &id).await.into_iter().find(|a| a["status"] == "connected")?;
        a["id"].as_str().map(str::to_owned)
    })
    .await;
    let r = app.post(&format!("/v1/dial-attempts/{first}/disposition"), &o.token, json!({"code": "interested"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let s = app.get(&format!("/v1/agent-sessions/{session}"), &o.token).await.body;
    assert_eq!(s["state"], "on_call", "still talking: {s}");
    // The call ends: the agent goes on to the second lead, with no wrap-up to end.
    let second = crate::harness::eventually("the second person on the line", || async {
        let all = all_attempts(&app, &o, &id).await;
        let a = all.into_iter().find(|a| a["status"] == "connected" && a["id"] != first.as_str())?;
        a["id"].as_str().map(str::to_owned)
    })
    .await;
    let attempts = all_attempts(&app, &o, &id).await;
    let done = attempts.iter().find(|a| a["id"] == first.as_str()).unwrap();
    assert_eq!(done["disposition"], "interested", "{done}");
    let wrap = secs_between(&done["ended_at"], &done["wrapped_at"]);
    assert!((0.0..0.2).contains(&wrap), "no wrap-up at all: {done}");
    // Every time of the attempt is on the dialer's clock (here the test clock, weeks before
    // the carrier's), so the pacing measures pickups and talks from them.
    let pickup = secs_between(&done["dialed_at"], &done["answered_at"]);
    assert!((0.0..5.0).contains(&pickup), "{done}");
    assert!(secs_between(&done["answered_at"], &done["connected_at"]) >= 0.0, "{done}");
    // The second is dispositioned in wrap-up, which the campaign leaves open until then.
    crate::harness::eventually("the agent in wrap-up", || async {
        let s = app.get(&format!("/v1/agent-sessions/{session}"), &o.token).await.body;
        (s["state"] == "wrap_up").then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let r = app.post(&format!("/v1/dial-attempts/{second}/disposition"), &o.token, json!({"code": "interested"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(secs_between(&r.body["ended_at"], &r.body["wrapped_at"]) >= 0.3, "{}", r.body);
    let s = app.get(&format!("/v1/agent-sessions/{session}"), &o.token).await.body;
    assert_eq!(s["state"], "ready", "{s}");
    app.stop().await;
}

/// PostgreSQL: a person who answers is put through to their agent while the campaign's lock
/// is held (here by a transaction that stands for a slow tick, a campaign change or a
/// disposition). A call's events take its attempt's lock, not the campaign's, so an answered
/// person never waits behind the campaign's other work. (On SQLite one writer holds the whole
/// database: nothing to show there.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_is_routed_while_the_campaign_is_locked() {
    use sea_orm::{ConnectionTrait, Statement, TransactionTrait};
    let app = app(Backend::Postgres).await;
    let o = app.signup("Dialer Locked").await;
    // The person picks up 100 simulated seconds (about 2 s) after the call is placed.
    let (id, person_id) = one_person_called(&app, &o, 720, 100_000).await;
    let db = &app.state().db;
    let lock = db.begin().await.unwrap();
    let sql = format!("SELECT id FROM campaigns WHERE id = '{id}' FOR NO KEY UPDATE");
    lock.execute_raw(Statement::from_string(lock.get_database_backend(), sql)).await.unwrap();
    let before = all_attempts(&app, &o, &id).await.remove(0);
    assert_ne!(before["status"], "connected", "the person answered before the lock was taken: {before}");
    let bridged = crate::harness::eventually("the person bridged to the agent", || async {
        let c = sandbox_get(&app, &format!("calls/{person_id}")).await;
        (c["served_by"] == "agent").then_some(c)
    })
    .await;
    assert!(bridged["log"].to_string().contains("bridged"), "{bridged}");
    let attempt = all_attempts(&app, &o, &id).await.remove(0);
    assert_eq!(attempt["status"], "connected", "routed to the agent: {attempt}");
    lock.rollback().await.unwrap();
    app.stop().await;
}

/// An agent who keeps a callback for themselves ("for me") gets it: while they are paused,
/// another ready agent is not given it; when they are ready, it is dialled for them.
async fn a_callback_kept_for_me_waits_for_its_agent(backend: Backend) {
    let app = app(backend).await;
    let o = app.signup("Dialer Mine").await;
    let list = leads(&app, &o, 1, 800).await;
    let lead = format!("+1212555{:04}", 2000 + 800);
    sandbox_put(
        &app,
        &format!("numbers/{lead}"),
        json!({"outcome": {"kind": "human", "pickup_ms": 2000, "talk_ms": 30000}}),
    )
    .await;
    let c = app.post("/v1/campaigns", &o.token, campaign_body("Mine", "progressive", &list, json!({}))).await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.body);
    let id = c.body["id"].as_str().unwrap().to_owned();
    app.post(&format!("/v1/campaigns/{id}/start"), &o.token, json!({})).await;
    let mine = join(&app, &o.token, &id).await;
    // The first call reaches this agent; they keep the callback for themselves and pause.
    let first = crate::harness::eventually("the first call in wrap-up", || async {
        let s = app.get(&format!("/v1/agent-sessions/{mine}"), &o.token).await.body;
        (s["state"] == "wrap_up").then(|| s["lead"]["attempt_id"].as_str().unwrap().to_owned())
    })
    .await;
    let ended = all_attempts(&app, &o, &id).await.remove(0);
    let due = ended["ended_at"].as_str().unwrap().to_owned();
    let r = app
        .post(
            &format!("/v1/dial-attempts/{first}/disposition"),
            &o.token,
            json!({"code": "callback", "callback_at": due, "callback_mine": true, "then": "pause"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Another agent is ready, the callback is due: it waits for its agent.
    let (t2, _) = app.add_member(&o, "agent").await;
    let other = join(&app, &t2, &id).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let attempts = all_attempts(&app, &o, &id).await;
    assert_eq!(attempts.len(), 1, "not dialled for another agent: {attempts:?}");
    // It came due while its agent is away: they are told, once.
    let kept = app.get("/v1/callbacks", &o.token).await.body;
    let notified = kept[0]["notified_at"].as_str().unwrap_or_else(|| panic!("announced as due: {kept}")).to_owned();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let again = app.get("/v1/callbacks", &o.token).await.body;
    assert_eq!(again[0]["notified_at"], notified.as_str(), "announced once");
    let theirs = app.get("/v1/callbacks", &t2).await.body;
    assert_eq!(theirs, json!([]), "another agent does not see a callback kept for someone else");
    let c = app.get(&format!("/v1/campaigns/{id}"), &o.token).await.body;
    assert_eq!(c["status"], "running", "{c}");
    // Its agent is ready: dialled for them, and the person reaches them.
    let r = app.post(&format!("/v1/agent-sessions/{mine}/ready"), &o.token, json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let again = crate::harness::eventually("the callback dialled", || async {
        let all = all_attempts(&app, &o, &id).await;
        all.iter().find(|a| a["id"] != ended["id"]).cloned()
    })
    .await;
    assert_eq!(again["agent_session_id"], mine.as_str(), "bound to the agent who kept it: {again}");
    crate::harness::eventually("the person with their agent", || async {
        let s = app.get(&format!("/v1/agent-sessions/{mine}"), &o.token).await.body;
        (s["state"] == "on_call").then_some(())
    })
    .await;
    let s = app.get(&format!("/v1/agent-sessions/{other}"), &t2).await.body;
    assert_eq!(s["state"], "ready", "{s}");
    app.stop().await;
}

/// The voicemail drop is claimed on the call before it is sent, so two deliveries of one event
/// never play it twice. A claim the carrier never confirmed (it refused here; a crash between
/// claim and command elsewhere) is sent again when the carrier repeats the event.
async fn a_voicemail_drop_lost_after_its_claim_is_sent_again(backend: Backend) {
    let app = app(backend).await;
    let o = app.signup("Dialer Voicemail").await;
    let list = leads(&app, &o, 1, 900).await;
    let lead = format!("+1212555{:04}", 2000 + 900);
    let machine = json!({"outcome": {"kind": "machine", "pickup_ms": 45000, "greeting_ms": 8000, "beep": true}});
    sandbox_put(&app, &format!("numbers/{lead}"), machine).await;
    let body = campaign_body("Voicemail", "progressive", &list, json!({"ring_timeout_secs": 60}));
    let c = app.post("/v1/campaigns", &o.token, body).await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.body);
    let id = c.body["id"].as_str().unwrap().to_owned();
    app.post(&format!("/v1/campaigns/{id}/start"), &o.token, json!({})).await;
    let _session = join(&app, &o.token, &id).await;
    let machine_id = carrier_call_to(&app, &lead).await["id"].as_str().unwrap().to_owned();
    // The carrier refuses the drop and both of its retries.
    sandbox_put(&app, "faults", json!({"rest_5xx": 3})).await;
    let hook = crate::harness::eventually("the drop refused at the carrier", || async {
        let calls = app.get("/v1/calls?limit=200", &o.token).await.body;
        let refused = calls["data"].as_array().unwrap().iter().any(|c| !c["last_error"].is_null());
        let amd = webhook_with(&app, &["AnsweredBy=machine_end_beep", &machine_id]).await;
        amd.filter(|_| refused)
    })
    .await;
    let c = sandbox_get(&app, &format!("calls/{machine_id}")).await;
    assert!(!c["log"].to_string().contains("vm.mp3"), "not played yet: {c}");
    // The carrier delivers the AMD result again: the unconfirmed drop goes.
    let form = "application/x-www-form-urlencoded";
    redeliver(&app, &hook, form).await;
    let played = crate::harness::eventually("the voicemail played", || async {
        let c = sandbox_get(&app, &format!("calls/{machine_id}")).await;
        c["log"].to_string().contains("vm.mp3").then_some(c)
    })
    .await;
    assert_eq!(played["log"].to_string().matches("vm.mp3").count(), 1, "played once: {played}");
    // A third delivery finds the drop confirmed and sends nothing.
    redeliver(&app, &hook, form).await;
    let c = sandbox_get(&app, &format!("calls/{machine_id}")).await;
    assert_eq!(c["log"].to_string().matches("vm.mp3").count(), 1, "still once: {c}");
    app.stop().await;
}

async fn a_supervisor_listens_whispers_and_barges_in_twilio_mode(backend: Backend) {
    supervisor_on_an_agents_call(backend, false).await;
}

async fn a_supervisor_listens_whispers_and_barges_in_telnyx_mode(backend: Backend) {
    supervisor_on_an_agents_call(backend, true).await;
}

/// The sandbox's simulated agent and supervisor phones.
const AGENT_PHONE: &str = "+14155552671";
const SUPERVISOR_PHONE: &str = "+14155552672";

/// The carrier's live, answered call to `number`, with whom it hears.
async fn live_call_to(app: &TestApp, number: &str) -> Option<Value> {
    let sim = sandbox_get(app, "calls").await;
    sim["calls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["to"] == number && c["ended"] == false && !c["answered_ms"].is_null())
        .cloned()
}

/// Who hears whom at the carrier: (supervisor hears, agent hears, lead hears).
async fn hearing(app: &TestApp, lead: &str) -> (Vec<String>, Vec<String>, Vec<String>) {
    let ids = |c: &Value| -> Vec<String> {
        c["hears"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect()
    };
    let sup = live_call_to(app, SUPERVISOR_PHONE).await.map(|c| ids(&c)).unwrap_or_default();
    let agent = live_call_to(app, AGENT_PHONE).await.map(|c| ids(&c)).unwrap_or_default();
    let person = live_call_to(app, lead).await.map(|c| ids(&c)).unwrap_or_default();
    (sup, agent, person)
}

/// A supervisor dials into an agent's live call: listening they hear both sides and nobody
/// hears them; whispering only the agent hears them; barging both do. Switching is live, the
/// monitor ends when they hang up or the agent leaves, and another agency sees none of it.
async fn supervisor_on_an_agents_call(backend: Backend, telnyx: bool) {
    let app = app(backend).await;
    let o = app.signup(if telnyx { "Monitor Telnyx" } else { "Monitor Twilio" }).await;
    let first = if telnyx { 960 } else { 950 };
    let list = leads(&app, &o, 1, first).await;
    let lead = format!("+1212555{:04}", 2000 + first);
    sandbox_put(
        &app,
        &format!("numbers/{lead}"),
        json!({"outcome": {"kind": "human", "pickup_ms": 2000, "talk_ms": 3_600_000}}),
    )
    .await;
    let extra = if telnyx { json!({"account_id": telnyx_account(&app, &o).await}) } else { json!({}) };
    let c = app.post("/v1/campaigns", &o.token, campaign_body("Monitored", "progressive", &list, extra)).await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.body);
    let campaign = c.body["id"].as_str().unwrap().to_owned();
    app.post(&format!("/v1/campaigns/{campaign}/start"), &o.token, json!({})).await;
    let (agent_token, _) = app.add_member(&o, "agent").await;
    let session = join(&app, &agent_token, &campaign).await;
    crate::harness::eventually("the lead talking to the agent", || async {
        let s = app.get(&format!("/v1/agent-sessions/{session}"), &agent_token).await.body;
        let (_, agent, _) = hearing(&app, &lead).await;
        (s["state"] == "on_call" && agent.len() == 1).then_some(())
    })
    .await;
    let agent_leg = live_call_to(&app, AGENT_PHONE).await.unwrap()["id"].as_str().unwrap().to_owned();
    let person = live_call_to(&app, &lead).await.unwrap()["id"].as_str().unwrap().to_owned();

    // Only supervisors may; the mode must be one of the three.
    let path = format!("/v1/agent-sessions/{session}/monitors");
    let r = app.post(&path, &agent_token, json!({"mode": "listen"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = app.post(&path, &o.token, json!({"mode": "spy"})).await;
    assert_eq!(r.code(), "invalid_mode", "{}", r.body);
    let r = app.post(&path, &o.token, json!({"mode": "listen", "phone": "12"})).await;
    assert_eq!(r.code(), "invalid_phone", "{}", r.body);

    // Listen: the supervisor hears the agent and the lead; neither hears the supervisor.
    let r = app.post(&path, &o.token, json!({"mode": "listen"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["state"], "dialing");
    let monitor = r.body["id"].as_str().unwrap().to_owned();
    let m = crate::harness::eventually("the supervisor's phone answered", || async {
        let m = app.get(&format!("/v1/monitors/{monitor}"), &o.token).await.body;
        (m["state"] == "connected").then_some(m)
    })
    .await;
    assert_eq!(m["mode"], "listen");
    let again = app.post(&path, &o.token, json!({"mode": "barge"})).await;
    assert_eq!(again.code(), "already_monitoring", "{}", again.body);
    let sup = crate::harness::eventually("the supervisor hearing both sides", || async {
        let (sup, agent, lead_hears) = hearing(&app, &lead).await;
        (sup.len() == 2).then_some((sup, agent, lead_hears))
    })
    .await;
    let supervisor = live_call_to(&app, SUPERVISOR_PHONE).await.unwrap()["id"].as_str().unwrap().to_owned();
    assert_eq!(sup.0, sorted(&[&agent_leg, &person]), "listening: hears both");
    assert_eq!(sup.1, vec![person.clone()], "the agent does not hear a listener");
    assert_eq!(sup.2, vec![agent_leg.clone()], "the lead does not hear a listener");

    // Whisper: only the agent hears the supervisor.
    let r = app.post(&format!("/v1/monitors/{monitor}/mode"), &o.token, json!({"mode": "whisper"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["mode"], "whisper");
    let (sup, agent, lead_hears) = crate::harness::eventually("the agent hearing the whisper", || async {
        let h = hearing(&app, &lead).await;
        (h.1.contains(&supervisor) && h.0.len() == 2).then_some(h)
    })
    .await;
    assert_eq!(sup, sorted(&[&agent_leg, &person]), "whispering: still hears both");
    assert_eq!(agent, sorted(&[&person, &supervisor]), "the agent hears the whisper");
    assert_eq!(lead_hears, vec![agent_leg.clone()], "the lead does not hear a whisper");

    // Barge: both hear the supervisor.
    let r = app.post(&format!("/v1/monitors/{monitor}/mode"), &o.token, json!({"mode": "barge"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let (sup, agent, lead_hears) = crate::harness::eventually("the lead hearing the barge", || async {
        let h = hearing(&app, &lead).await;
        (h.2.contains(&supervisor) && h.0.len() == 2).then_some(h)
    })
    .await;
    assert_eq!(sup, sorted(&[&agent_leg, &person]));
    assert_eq!(agent, sorted(&[&person, &supervisor]), "the agent hears the barge");
    assert_eq!(lead_hears, sorted(&[&agent_leg, &supervisor]), "the lead hears the barge");

    // Another agency sees none of it.
    let other = app.signup("Monitor Other").await;
    assert_eq!(app.get(&format!("/v1/monitors/{monitor}"), &other.token).await.status, StatusCode::NOT_FOUND);
    let r = app.post(&format!("/v1/monitors/{monitor}/end"), &other.token, json!({})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.post(&format!("/v1/monitors/{monitor}/mode"), &other.token, json!({"mode": "listen"})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.post(&path, &other.token, json!({"mode": "listen"})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert_eq!(app.get("/v1/monitors", &other.token).await.body, json!([]));
    let mine = app.get(&format!("/v1/monitors?session_id={session}"), &o.token).await.body;
    assert_eq!(mine.as_array().unwrap().len(), 1, "{mine}");

    // Hanging up: the supervisor's call ends, the agent and the lead talk on.
    let r = app.post(&format!("/v1/monitors/{monitor}/end"), &o.token, json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["state"], "ended");
    let r = app.post(&format!("/v1/monitors/{monitor}/end"), &o.token, json!({})).await;
    assert_eq!(r.body["state"], "ended", "ending twice is harmless");
    let r = app.post(&format!("/v1/monitors/{monitor}/mode"), &o.token, json!({"mode": "listen"})).await;
    assert_eq!(r.code(), "monitor_ended", "{}", r.body);
    crate::harness::eventually("the supervisor's call ended", || async {
        let c = sandbox_get(&app, &format!("calls/{supervisor}")).await;
        (c["ended"] == true).then_some(())
    })
    .await;
    let (_, agent, lead_hears) = hearing(&app, &lead).await;
    assert_eq!((agent, lead_hears), (vec![person.clone()], vec![agent_leg.clone()]), "still talking");

    // The agent leaving ends whoever is on their line.
    let r = app.post(&path, &o.token, json!({"mode": "listen"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let second = r.body["id"].as_str().unwrap().to_owned();
    crate::harness::eventually("the second monitor connected", || async {
        let m = app.get(&format!("/v1/monitors/{second}"), &o.token).await.body;
        (m["state"] == "connected").then_some(())
    })
    .await;
    let r = app.post(&format!("/v1/agent-sessions/{session}/leave"), &agent_token, json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    crate::harness::eventually("the monitor ended with the agent's leg", || async {
        let m = app.get(&format!("/v1/monitors/{second}"), &o.token).await.body;
        let live = live_call_to(&app, SUPERVISOR_PHONE).await;
        (m["state"] == "ended" && live.is_none()).then_some(())
    })
    .await;
    let r = app.post(&path, &o.token, json!({"mode": "listen"})).await;
    assert_eq!(r.code(), "agent_offline", "{}", r.body);
    // Every request to the carrier (supervised dial, role switches) is in its published spec.
    crate::carriers::assert_conformance(&app).await;
    app.stop().await;
}

fn sorted(ids: &[&String]) -> Vec<String> {
    let mut v: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

async fn a_lost_final_webhook_is_made_good_from_the_carrier_in_twilio_mode(backend: Backend) {
    lost_final_webhook(backend, false).await;
}

async fn a_lost_final_webhook_is_made_good_from_the_carrier_in_telnyx_mode(backend: Backend) {
    lost_final_webhook(backend, true).await;
}

/// The carrier gives up delivering the webhook that says a connected call ended. Without it
/// the attempt, its lead and the agent would stay "on call" for ever; the reconciler asks the
/// carrier about the silent call and settles it as that webhook would have.
async fn lost_final_webhook(backend: Backend, telnyx: bool) {
    let app = spawn_app_with(
        backend,
        &[
            ("OUTDIAL_DIALER_CLOCK_START", CLOCK),
            ("OUTDIAL_DIALER_TICK_MS", "100"),
            ("OUTDIAL_RECONCILE_QUIET_SECS", "2"),
        ],
    )
    .await;
    let o = app.signup(if telnyx { "Lost Hangup Telnyx" } else { "Lost Hangup Twilio" }).await;
    let first = if telnyx { 980 } else { 970 };
    let list = leads(&app, &o, 1, first).await;
    let lead = format!("+1212555{:04}", 2000 + first);
    sandbox_put(
        &app,
        &format!("numbers/{lead}"),
        json!({"outcome": {"kind": "human", "pickup_ms": 3000, "talk_ms": 20000, "hangs_up": "lead"}}),
    )
    .await;
    let extra = if telnyx { json!({"account_id": telnyx_account(&app, &o).await}) } else { json!({}) };
    let c = app.post("/v1/campaigns", &o.token, campaign_body("Lost hangup", "progressive", &list, extra)).await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.body);
    let campaign = c.body["id"].as_str().unwrap().to_owned();
    app.post(&format!("/v1/campaigns/{campaign}/start"), &o.token, json!({})).await;
    let session = join(&app, &o.token, &campaign).await;
    // The lead's call is placed; the next final webhook (its end) will never arrive.
    let person = carrier_call_to(&app, &lead).await["id"].as_str().unwrap().to_owned();
    sandbox_put(&app, "faults", json!({"drop_final_webhooks": 1})).await;
    crate::harness::eventually("the call over at the carrier, its end never sent", || async {
        let c = sandbox_get(&app, &format!("calls/{person}")).await;
        c["log"].to_string().contains("final webhook lost").then_some(())
    })
    .await;
    let attempt = crate::harness::eventually("the attempt settled from the carrier's records", || async {
        let a = all_attempts(&app, &o, &campaign).await.remove(0);
        (a["status"] == "ended").then_some(a)
    })
    .await;
    assert_eq!(attempt["outcome"], "connected", "{attempt}");
    let s = app.get(&format!("/v1/agent-sessions/{session}"), &o.token).await.body;
    assert_eq!(s["state"], "wrap_up", "the agent is off the call: {s}");
    let call = app.get(&format!("/v1/calls/{}", attempt["call_id"].as_str().unwrap()), &o.token).await.body;
    assert_eq!(call["status"], "completed", "{call}");
    assert!(call["ended_at"].is_string(), "{call}");
    // The agent's own leg, silent all along but alive at the carrier, is left alone.
    let leg = live_call_to(&app, AGENT_PHONE).await.expect("the agent's leg is still up");
    assert_eq!(leg["ended"], false);
    crate::carriers::assert_conformance(&app).await;
    app.stop().await;
}

async fn a_recorded_campaign_announces_before_the_agent_joins_in_twilio_mode(backend: Backend) {
    recorded_campaign(backend, false).await;
}

async fn a_recorded_campaign_announces_before_the_agent_joins_in_telnyx_mode(backend: Backend) {
    recorded_campaign(backend, true).await;
}

/// A recorded campaign: a lead in Florida (all-party consent) hears the recording notice before
/// the agent is put through, and only then does recording start; a lead in New York (one-party)
/// is put through at once and recorded too. Each call's recording is kept on it.
async fn recorded_campaign(backend: Backend, telnyx: bool) {
    let app = app(backend).await;
    let o = app.signup(if telnyx { "Recorded Telnyx" } else { "Recorded Twilio" }).await;
    let base = if telnyx { 40 } else { 30 };
    let florida = format!("+1305555{:04}", 2000 + base);
    let new_york = format!("+1212555{:04}", 2000 + base);
    let list =
        app.post("/v1/lists", &o.token, json!({"name": "Recorded"})).await.body["id"].as_str().unwrap().to_owned();
    let contacts = json!([
        {"first_name": "Rosa", "state": "FL", "zip": "33101", "phones": [{"number": florida, "label": "landline"}]},
        {"first_name": "Sam", "state": "NY", "zip": "10001", "phones": [{"number": new_york, "label": "landline"}]},
    ]);
    let r = app.post("/v1/contacts/bulk", &o.token, json!({"list_id": list, "contacts": contacts})).await;
    assert_eq!(r.body["created"].as_u64(), Some(2), "{}", r.body);
    for lead in [&florida, &new_york] {
        let outcome = json!({"outcome": {"kind": "human", "pickup_ms": 1000, "talk_ms": 8000, "hangs_up": "lead"}});
        sandbox_put(&app, &format!("numbers/{lead}"), outcome).await;
    }
    let mut extra = json!({"record": true});
    if telnyx {
        extra["account_id"] = json!(telnyx_account(&app, &o).await);
    }
    let c = app.post("/v1/campaigns", &o.token, campaign_body("Recorded", "progressive", &list, extra)).await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.body);
    assert_eq!(c.body["record"], true);
    let campaign = c.body["id"].as_str().unwrap().to_owned();
    app.post(&format!("/v1/campaigns/{campaign}/start"), &o.token, json!({})).await;
    let session = join(&app, &o.token, &campaign).await;
    // Both people talk to the agent in turn; each call is dispositioned as it ends.
    let mut done = 0;
    let started = Instant::now();
    while done < 2 {
        assert!(started.elapsed() < Duration::from_secs(90), "the calls did not end");
        let s = app.get(&format!("/v1/agent-sessions/{session}"), &o.token).await.body;
        if s["state"] == "wrap_up" {
            let attempt = s["lead"]["attempt_id"].as_str().unwrap();
            let r = app
                .post(&format!("/v1/dial-attempts/{attempt}/disposition"), &o.token, json!({"code": "interested"}))
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            done += 1;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let attempts = all_attempts(&app, &o, &campaign).await;
    assert_eq!(attempts.len(), 2, "{attempts:?}");
    let other = app.signup("Recorded Elsewhere").await;
    for a in &attempts {
        assert_eq!(a["outcome"], "connected", "{a}");
        let carrier = carrier_call_to(&app, a["phone"].as_str().unwrap()).await;
        let log: Vec<String> =
            carrier["log"].as_array().unwrap().iter().map(|l| l.as_str().unwrap().to_owned()).collect();
        let at = |what: &str| log.iter().position(|l| l.contains(what));
        let joined = if telnyx { at("bridged") } else { at("conference") };
        let joined = joined.unwrap_or_else(|| panic!("the lead never reached the agent: {log:?}"));
        let notice = at("say This call may be recorded");
        if a["phone"] == florida.as_str() {
            let notice = notice.unwrap_or_else(|| panic!("no recording notice in Florida: {log:?}"));
            assert!(notice < joined, "the notice comes before the agent: {log:?}");
            if telnyx {
                let said = at("speak ended").expect("the notice was said through");
                assert!(said < joined, "the agent joins when the notice has ended: {log:?}");
            }
        } else {
            assert_eq!(notice, None, "no notice where one party's consent is enough: {log:?}");
        }
        if telnyx {
            let recording = at("start recording").unwrap_or_else(|| panic!("never recorded: {log:?}"));
            assert!(recording > joined, "recording starts once the agent is on: {log:?}");
        }
        let call_id = a["call_id"].as_str().unwrap();
        let call = crate::harness::eventually("the recording kept on the call", || async {
            let c = app.get(&format!("/v1/calls/{call_id}"), &o.token).await.body;
            c["recording_url"].is_string().then_some(c)
        })
        .await;
        assert!(call["recording_secs"].as_i64().is_some(), "{call}");
        let url = call["recording_url"].as_str().unwrap();
        assert!(url.starts_with("https://"), "{url}");
        // Another agency cannot reach the call or its recording.
        assert_eq!(app.get(&format!("/v1/calls/{call_id}"), &other.token).await.status, StatusCode::NOT_FOUND);
    }
    crate::carriers::assert_conformance(&app).await;
    app.stop().await;
}

/// The server's analytics of a campaign: two people in New York and Florida talk to the agent,
/// one number in each state is busy. Every count is checked against what happened: by hour in
/// the zone asked for, by state, by caller-ID number, and the disposition mix.
async fn campaign_analytics_count_by_hour_state_number_and_disposition(backend: Backend) {
    let app = app(backend).await;
    let o = app.signup("Analytics Agency").await;
    let list = app.post("/v1/lists", &o.token, json!({"name": "Mixed"})).await.body["id"].as_str().unwrap().to_owned();
    let ny_person = "+12125552050";
    let ny_busy = "+12125552051";
    let fl_person = "+13055552050";
    let fl_busy = "+13055552051";
    let contacts: Vec<Value> = [(ny_person, "NY", "10001"), (ny_busy, "NY", "10001"), (fl_person, "FL", "33101"), (fl_busy, "FL", "33101")]
        .iter()
        .map(|(phone, state, zip)| json!({"first_name": "Pat", "state": state, "zip": zip, "phones": [{"number": phone, "label": "landline"}]}))
        .collect();
    let r = app.post("/v1/contacts/bulk", &o.token, json!({"list_id": list, "contacts": contacts})).await;
    assert_eq!(r.body["created"].as_u64(), Some(4), "{}", r.body);
    for person in [ny_person, fl_person] {
        let outcome = json!({"outcome": {"kind": "human", "pickup_ms": 1000, "talk_ms": 3000, "hangs_up": "lead"}});
        sandbox_put(&app, &format!("numbers/{person}"), outcome).await;
    }
    for busy in [ny_busy, fl_busy] {
        sandbox_put(&app, &format!("numbers/{busy}"), json!({"outcome": {"kind": "busy"}})).await;
    }
    let body = campaign_body("Analysed", "progressive", &list, json!({"max_attempts": 1}));
    let c = app.post("/v1/campaigns", &o.token, body).await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.body);
    let campaign = c.body["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/campaigns/{campaign}/analytics");
    // Before any dial: zeros, 24 hours.
    let empty = app.get(&path, &o.token).await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
    assert_eq!(empty.body["dials"], 0);
    assert_eq!(empty.body["by_hour"].as_array().unwrap().len(), 24);
    assert_eq!(empty.body["tz"], "UTC");

    app.post(&format!("/v1/campaigns/{campaign}/start"), &o.token, json!({})).await;
    let session = join(&app, &o.token, &campaign).await;
    let mut codes = vec!["interested", "not_interested"].into_iter();
    let started = Instant::now();
    loop {
        assert!(started.elapsed() < Duration::from_secs(90), "the campaign did not finish");
        let c = app.get(&format!("/v1/campaigns/{campaign}"), &o.token).await.body;
        if c["status"] == "completed" {
            break;
        }
        let s = app.get(&format!("/v1/agent-sessions/{session}"), &o.token).await.body;
        if s["state"] == "wrap_up" {
            let attempt = s["lead"]["attempt_id"].as_str().unwrap();
            let code = codes.next().expect("two people only");
            let r =
                app.post(&format!("/v1/dial-attempts/{attempt}/disposition"), &o.token, json!({"code": code})).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(codes.next(), None, "both people were dispositioned");

    // The dialer's clock reads 11:00 in New York (16:00 UTC) all through this test.
    let a = app.get(&format!("{path}?tz=America/New_York&days=7"), &o.token).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let a = a.body;
    assert_eq!((a["dials"].as_u64(), a["connects"].as_u64()), (Some(4), Some(2)), "{a}");
    assert_eq!(a["tz"], "America/New_York");
    let hour = |a: &Value, h: usize| {
        (a["by_hour"][h]["dials"].as_u64().unwrap(), a["by_hour"][h]["connects"].as_u64().unwrap())
    };
    assert_eq!(hour(&a, 11), (4, 2), "{a}");
    assert_eq!(a["by_hour"][11]["hour"], 11);
    let utc = app.get(&path, &o.token).await.body;
    assert_eq!(hour(&utc, 16), (4, 2), "{utc}");
    assert_eq!(hour(&utc, 11), (0, 0), "{utc}");
    let states: Vec<(String, u64, u64)> = a["by_state"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (s["state"].as_str().unwrap().to_owned(), s["dials"].as_u64().unwrap(), s["connects"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(states, vec![("FL".to_owned(), 2, 1), ("NY".to_owned(), 2, 1)], "{a}");
    // The books add up per caller ID, and each is the one the carrier showed.
    let sim = sandbox_get(&app, "calls").await;
    let shown: Vec<&str> = sim["calls"].as_array().unwrap().iter().map(|c| c["from"].as_str().unwrap()).collect();
    let by_number = a["by_number"].as_array().unwrap();
    assert!(!by_number.is_empty(), "{a}");
    let sum = |k: &str| by_number.iter().map(|n| n[k].as_u64().unwrap()).sum::<u64>();
    assert_eq!((sum("calls"), sum("answered"), sum("humans"), sum("connects")), (4, 2, 2, 2), "{a}");
    for n in by_number {
        let e164 = n["e164"].as_str().unwrap();
        let placed = shown.iter().filter(|f| **f == e164).count() as u64;
        assert!(placed >= n["calls"].as_u64().unwrap(), "{n}: the carrier placed {placed} from it");
    }
    let dispositions: Vec<(String, u64)> = a["dispositions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap().to_owned(), d["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(dispositions, vec![("interested".to_owned(), 1), ("not_interested".to_owned(), 1)]);

    // Bad windows and zones say what is wrong; agents and other agencies get nothing.
    for (query, code) in [("tz=Mars/Olympus", "invalid_tz"), ("days=0", "invalid_days"), ("days=91", "invalid_days")] {
        let r = app.get(&format!("{path}?{query}"), &o.token).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, code), "{}", r.body);
    }
    let (agent, _) = app.add_member(&o, "agent").await;
    assert_eq!(app.get(&path, &agent).await.status, StatusCode::FORBIDDEN);
    let other = app.signup("Analytics Elsewhere").await;
    assert_eq!(app.get(&path, &other.token).await.code(), "not_found");
    app.stop().await;
}

/// A mono 16-bit PCM WAV of `ms` milliseconds at 8 kHz (a quiet tone).
fn wav(ms: u32) -> Vec<u8> {
    let data = 8000 * 2 * ms / 1000;
    let mut b = Vec::new();
    b.extend(b"RIFF");
    b.extend((36 + data).to_le_bytes());
    b.extend(b"WAVEfmt ");
    for v in [16u32.to_le_bytes().to_vec(), 1u16.to_le_bytes().to_vec(), 1u16.to_le_bytes().to_vec()] {
        b.extend(v);
    }
    b.extend(8000u32.to_le_bytes());
    b.extend(16000u32.to_le_bytes());
    b.extend(2u16.to_le_bytes());
    b.extend(16u16.to_le_bytes());
    b.extend(b"data");
    b.extend(data.to_le_bytes());
    b.extend((0..data / 2).flat_map(|i| (((i % 16) as i16 - 8) * 200).to_le_bytes()));
    b
}

async fn upload(app: &TestApp, token: &str, name: &str, content_type: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let r = app
        .client
        .post(format!("{}/v1/voicemail-templates", app.base))
        .query(&[("name", name)])
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

/// A supervisor uploads a voicemail recording; a campaign leaves it after the beep and the
/// carrier fetches it by its link. Bad files say what is wrong, a template in use cannot be
/// deleted, and another agency sees none of it.
async fn a_voicemail_template_is_uploaded_and_left_after_the_beep(backend: Backend) {
    let app = app(backend).await;
    let o = app.signup("Voicemail Agency").await;
    let audio = wav(1500);
    let (status, t) = upload(&app, &o.token, "Solar, short", "audio/wav", audio.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{t}");
    assert_eq!((t["content_type"].as_str(), t["duration_ms"].as_i64()), (Some("audio/wav"), Some(1500)), "{t}");
    assert_eq!(t["size_bytes"].as_u64(), Some(audio.len() as u64));
    let id = t["id"].as_str().unwrap().to_owned();
    let url = t["audio_url"].as_str().unwrap().to_owned();
    assert!(url.starts_with(&format!("{}/media/voicemail/{id}/", app.base)), "{url}");
    // The carrier's link needs no sign-in and gives the file back as sent; a wrong token gives nothing.
    let got = app.client.get(&url).send().await.unwrap();
    assert_eq!(got.headers()["content-type"], "audio/wav");
    assert_eq!(got.bytes().await.unwrap().to_vec(), audio);
    let forged = url.replace(&url[url.len() - 8..url.len() - 4], "0000");
    assert_eq!(app.client.get(&forged).send().await.unwrap().status(), StatusCode::NOT_FOUND);

    // Bad uploads, each with its code; nothing is stored.
    for (name, ct, body, status, code) in [
        ("Odd", "text/plain", audio.clone(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
        ("Ogg", "audio/wav", b"OggS\x00\x02rest".to_vec(), StatusCode::UNPROCESSABLE_ENTITY, "unsupported_audio"),
        ("Empty", "audio/wav", vec![], StatusCode::UNPROCESSABLE_ENTITY, "empty_audio"),
        ("Huge", "audio/mpeg", vec![0xFF; 5 * 1024 * 1024 + 1], StatusCode::PAYLOAD_TOO_LARGE, "audio_too_large"),
        ("  ", "audio/wav", audio.clone(), StatusCode::UNPROCESSABLE_ENTITY, "invalid_name"),
    ] {
        let (s, body) = upload(&app, &o.token, name, ct, body).await;
        assert_eq!((s, body["code"].as_str()), (status, Some(code)), "{name}: {body}");
    }
    let (agent, _) = app.add_member(&o, "agent").await;
    assert_eq!(upload(&app, &agent, "Agent's", "audio/wav", audio.clone()).await.0, StatusCode::FORBIDDEN);
    let list = app.get("/v1/voicemail-templates", &o.token).await;
    assert_eq!(list.body.as_array().unwrap().len(), 1, "{}", list.body);
    let renamed = app.patch(&format!("/v1/voicemail-templates/{id}"), &o.token, json!({"name": "Solar, 1.5 s"})).await;
    assert_eq!(renamed.body["name"], "Solar, 1.5 s", "{}", renamed.body);
    assert_eq!(renamed.body["audio_url"], url.as_str(), "renaming keeps the link");

    // A campaign leaves it on a machine, after the beep; the carrier fetched the recording.
    let machine = "+12125552060";
    let list =
        app.post("/v1/lists", &o.token, json!({"name": "Machines"})).await.body["id"].as_str().unwrap().to_owned();
    let contacts = json!([{"first_name": "Max", "state": "NY", "zip": "10001", "phones": [{"number": machine, "label": "landline"}]}]);
    app.post("/v1/contacts/bulk", &o.token, json!({"list_id": list, "contacts": contacts})).await;
    sandbox_put(
        &app,
        &format!("numbers/{machine}"),
        json!({"outcome": {"kind": "machine", "pickup_ms": 1000, "greeting_ms": 3000}}),
    )
    .await;
    let body = campaign_body("Voicemails", "progressive", &list, json!({"voicemail_url": url, "max_attempts": 1}));
    let c = app.post("/v1/campaigns", &o.token, body).await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.body);
    let campaign = c.body["id"].as_str().unwrap().to_owned();
    app.post(&format!("/v1/campaigns/{campaign}/start"), &o.token, json!({})).await;
    join(&app, &o.token, &campaign).await;
    let attempt = crate::harness::eventually("the voicemail left", || async {
        let a = all_attempts(&app, &o, &campaign).await.pop()?;
        (a["status"] == "ended").then_some(a)
    })
    .await;
    assert_eq!(attempt["outcome"], "voicemail", "{attempt}");
    let fetched = format!("media fetched: {} bytes audio/wav", audio.len());
    let log = crate::harness::eventually("the carrier fetched the recording", || async {
        let call = carrier_call_to(&app, machine).await;
        let log = call["log"].to_string();
        log.contains(&fetched).then_some(log)
    })
    .await;
    assert!(log.contains(&format!("play {url} after beep")), "{log}");

    // In use: not deleted. Another template, unused, is.
    let r = app.delete(&format!("/v1/voicemail-templates/{id}"), &o.token).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "template_in_use"), "{}", r.body);
    let (_, spare) = upload(&app, &o.token, "Spare", "audio/mpeg", b"ID3\x04\x00\x00mp3 frames".to_vec()).await;
    assert_eq!(spare["content_type"], "audio/mpeg", "{spare}");
    assert!(spare["audio_url"].as_str().unwrap().ends_with(".mp3"));
    let spare_id = spare["id"].as_str().unwrap();
    assert_eq!(
        app.delete(&format!("/v1/voicemail-templates/{spare_id}"), &o.token).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.get(&format!("/v1/voicemail-templates/{spare_id}"), &o.token).await.status, StatusCode::NOT_FOUND);

    // Another agency: not listed, not readable, not renamable, not deletable.
    let other = app.signup("Voicemail Elsewhere").await;
    assert!(app.get("/v1/voicemail-templates", &other.token).await.body.as_array().unwrap().is_empty());
    let path = format!("/v1/voicemail-templates/{id}");
    assert_eq!(app.get(&path, &other.token).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.patch(&path, &other.token, json!({"name": "Mine"})).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.delete(&path, &other.token).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&path, &o.token).await.body["name"], "Solar, 1.5 s");
    app.stop().await;
}
