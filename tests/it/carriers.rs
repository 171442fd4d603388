//! Carriers end to end: the real Twilio and Telnyx adapters against the sandbox carrier over
//! real HTTP, signed webhooks back into Outdial, every request and webhook checked against the
//! official spec subsets; webhook verification failures; local presence; tenant isolation.

use crate::both;
use crate::harness::{Backend, Owner, TestApp, eventually, spawn_app, spawn_app_with};
use crate::spec;
use outdial_domain::call_flow::{CallPlan, HumanAction, MachineAction};
use outdial_domain::contacts::Phone;
use outdial_domain::ids::TenantId;
use outdial_infra::telephony::{AmdMode, Carrier, SendMessage, telnyx, twilio};
use outdial_infra::voice::calls::{self, NewCall};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

both!(
    twilio_calls_bridge_humans_and_leave_voicemail_after_the_beep,
    telnyx_calls_bridge_humans_and_hang_up_on_machines,
    inbound_calls_and_texts_reach_the_tenant,
    bad_webhooks_are_refused_and_change_nothing,
    caller_id_follows_local_presence_and_skips_rested_numbers,
    the_health_sweep_rests_failing_numbers_and_brings_rested_ones_back,
    carrier_resources_are_invisible_to_other_tenants,
);

async fn sandbox_account(app: &TestApp, o: &Owner) -> String {
    let r = app.get("/v1/carrier-accounts", &o.token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let a = &r.body["data"][0];
    assert_eq!(a["provider"], "twilio");
    assert_eq!(a["sandbox"], true);
    assert!(a.get("credentials").is_none());
    a["id"].as_str().unwrap().to_owned()
}

async fn buy(app: &TestApp, o: &Owner, account: &str, area: u16) -> Value {
    let r = app.post("/v1/numbers", &o.token, json!({ "account_id": account, "area_code": area })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body
}

async fn set_outcome(app: &TestApp, number: &str, behaviour: Value) {
    let r = app
        .client
        .put(format!("{}/sandbox/_sandbox/numbers/{number}", app.base))
        .json(&behaviour)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
}

async fn sandbox_get(app: &TestApp, path: &str) -> Value {
    app.client.get(format!("{}/sandbox/_sandbox/{path}", app.base)).send().await.unwrap().json().await.unwrap()
}

/// Polls the call until `done` holds (10 s at most).
async fn wait_call(app: &TestApp, o: &Owner, id: &str, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..200 {
        let r = app.get(&format!("/v1/calls/{id}"), &o.token).await;
        if done(&r.body) {
            return r.body;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("call {id} never reached the expected state: {}", app.get(&format!("/v1/calls/{id}"), &o.token).await.body);
}

async fn sandbox_log(app: &TestApp, provider_call_id: &str) -> Vec<String> {
    let c = sandbox_get(app, &format!("calls/{provider_call_id}")).await;
    c["log"].as_array().unwrap().iter().map(|l| l.as_str().unwrap().to_owned()).collect()
}

fn phone(s: &str) -> Phone {
    Phone::parse(s).unwrap()
}

/// Every request the sandbox received and every webhook it sent conforms to the spec subsets.
pub(crate) async fn assert_conformance(app: &TestApp) {
    let specs = spec::shared();
    let reqs = sandbox_get(app, "requests").await;
    let mut checked = 0;
    for r in reqs["requests"].as_array().unwrap() {
        let (method, path) = (r["method"].as_str().unwrap(), r["path"].as_str().unwrap());
        let path = path.trim_start_matches("/sandbox");
        if path.starts_with("/2010-04-01/") {
            let form: Vec<(String, String)> = serde_json::from_value(r["form"].clone()).unwrap();
            specs.check_twilio_form(method, path, &form).unwrap_or_else(|e| panic!("{method} {path}: {e:?}"));
            checked += 1;
        } else if path.starts_with("/v2/calls") || path.starts_with("/v2/messages") {
            specs
                .check_telnyx_json(method, path, &r["json"])
                .unwrap_or_else(|e| panic!("{method} {path} {}: {e:?}", r["json"]));
            checked += 1;
        }
    }
    assert!(checked > 0, "no carrier requests were recorded");
    let hooks = sandbox_get(app, "webhooks").await;
    for h in hooks["webhooks"].as_array().unwrap() {
        let status = h["status"].as_u64().unwrap_or(0);
        assert!((200..300).contains(&status), "webhook refused: {h}");
        if h["url"].as_str().unwrap().contains("/webhooks/telnyx/") {
            let body: Value = serde_json::from_str(h["body"].as_str().unwrap()).unwrap();
            specs.check_telnyx_webhook(&body).unwrap_or_else(|e| panic!("{body}: {e:?}"));
        }
    }
}

async fn twilio_calls_bridge_humans_and_leave_voicemail_after_the_beep(backend: Backend) {
    let app = spawn_app(backend).await;
    let o = app.signup("Twilio Calls").await;
    let account = sandbox_account(&app, &o).await;
    let number = buy(&app, &o, &account, 512).await;
    let from = number["e164"].as_str().unwrap();
    assert!(from.starts_with("+1512"));
    assert_eq!(number["states"], json!(["TX"]));
    set_outcome(&app, "+12125550111", json!({ "outcome": { "kind": "human", "pickup_ms": 2000, "talk_ms": 20000 } }))
        .await;
    set_outcome(
        &app,
        "+12125550122",
        json!({ "outcome": { "kind": "machine", "pickup_ms": 2000, "greeting_ms": 8000 } }),
    )
    .await;
    set_outcome(&app, "+12125550133", json!({ "outcome": { "kind": "busy" } })).await;
    let tenant = TenantId::parse(&o.tenant_id).unwrap();
    let plan = CallPlan {
        on_human: HumanAction::Conference { name: "agent-room-1".into() },
        on_machine: MachineAction::Voicemail { audio_url: "https://cdn.example.com/vm.mp3".into() },
        recording_notice: Some("This call may be recorded.".into()),
        record: true,
        amd: true,
    };
    let mut ids = Vec::new();
    for to in ["+12125550111", "+12125550122", "+12125550133"] {
        let new = NewCall {
            kind: calls::kind::OTHER,
            account_id: account.clone(),
            number_id: Some(number["id"].as_str().unwrap().to_owned()),
            from: phone(from),
            to: phone(to),
            amd: AmdMode::DetectBeep,
            ring_timeout_secs: 30,
            plan: plan.clone(),
        };
        let c = calls::place(&app.state().voice, &tenant, new, chrono::Utc::now()).await.unwrap();
        assert!(c.provider_call_id.as_deref().unwrap().starts_with("CA"));
        ids.push(c);
    }
    let done = |c: &Value| c["ended_at"].is_string();
    let human = wait_call(&app, &o, &ids[0].id, done).await;
    assert_eq!(
        (human["status"].as_str(), human["answered_by"].as_str()),
        (Some("completed"), Some("human")),
        "{human}"
    );
    let log = sandbox_log(&app, ids[0].provider_call_id.as_deref().unwrap()).await;
    assert!(log.iter().any(|l| l.ends_with("say This call may be recorded.")), "{log:?}");
    assert!(log.iter().any(|l| l.ends_with("conference agent-room-1")), "{log:?}");
    let machine = wait_call(&app, &o, &ids[1].id, done).await;
    assert_eq!(machine["answered_by"], "machine_beep", "{machine}");
    assert_eq!(machine["voicemail_dropped"], true);
    let log = sandbox_log(&app, ids[1].provider_call_id.as_deref().unwrap()).await;
    assert!(log.iter().any(|l| l.ends_with("play https://cdn.example.com/vm.mp3 after beep")), "{log:?}");
    let busy = wait_call(&app, &o, &ids[2].id, done).await;
    assert_eq!(busy["status"], "busy");
    // Every status landed once: the event log has no duplicates and the list shows all three.
    let list = app.get("/v1/calls", &o.token).await;
    assert_eq!(list.body["data"].as_array().unwrap().len(), 3);
    assert_conformance(&app).await;
}

async fn telnyx_calls_bridge_humans_and_hang_up_on_machines(backend: Backend) {
    let app = spawn_app(backend).await;
    let o = app.signup("Telnyx Calls").await;
    let r = app
        .post(
            "/v1/carrier-accounts",
            &o.token,
            json!({ "name": "Telnyx sandbox", "provider": "telnyx", "sandbox": true }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let account = r.body["id"].as_str().unwrap().to_owned();
    let number = buy(&app, &o, &account, 305).await;
    let from = number["e164"].as_str().unwrap().to_owned();
    set_outcome(&app, "+13125550100", json!({ "outcome": { "kind": "human", "pickup_ms": 100, "talk_ms": 200000 } }))
        .await;
    set_outcome(&app, "+13125550111", json!({ "outcome": { "kind": "human", "pickup_ms": 1000, "talk_ms": 10000 } }))
        .await;
    set_outcome(
        &app,
        "+13125550122",
        json!({ "outcome": { "kind": "machine", "pickup_ms": 1000, "greeting_ms": 6000 } }),
    )
    .await;
    let tenant = TenantId::parse(&o.tenant_id).unwrap();
    let voice = &app.state().voice;
    let hold = CallPlan {
        on_human: HumanAction::Hold,
        on_machine: MachineAction::Hangup,
        recording_notice: None,
        record: false,
        amd: false,
    };
    let agent_leg = NewCall {
        kind: calls::kind::OTHER,
        account_id: account.clone(),
        number_id: None,
        from: phone(&from),
        to: phone("+13125550100"),
        amd: AmdMode::Off,
        ring_timeout_secs: 30,
        plan: hold,
    };
    let agent = calls::place(voice, &tenant, agent_leg, chrono::Utc::now()).await.unwrap();
    let agent_cc = agent.provider_call_id.clone().unwrap();
    assert!(agent_cc.starts_with("v3:"));
    wait_call(&app, &o, &agent.id, |c| c["status"] == "in_progress").await;
    let plan = CallPlan {
        on_human: HumanAction::Bridge { call_id: agent_cc.clone() },
        on_machine: MachineAction::Hangup,
        recording_notice: None,
        record: false,
        amd: true,
    };
    let mut leads = Vec::new();
    for to in ["+13125550111", "+13125550122"] {
        let new = NewCall {
            kind: calls::kind::OTHER,
            account_id: account.clone(),
            number_id: Some(number["id"].as_str().unwrap().to_owned()),
            from: phone(&from),
            to: phone(to),
            amd: AmdMode::Detect,
            ring_timeout_secs: 30,
            plan: plan.clone(),
        };
        leads.push(calls::place(voice, &tenant, new, chrono::Utc::now()).await.unwrap());
    }
    let human = wait_call(&app, &o, &leads[0].id, |c| c["answered_by"] == "human").await;
    assert_eq!(human["status"], "in_progress");
    let cc = leads[0].provider_call_id.clone().unwrap();
    for _ in 0..100 {
        if sandbox_log(&app, &cc).await.iter().any(|l| l.ends_with(&format!("bridged {agent_cc}"))) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(sandbox_log(&app, &cc).await.iter().any(|l| l.ends_with(&format!("bridged {agent_cc}"))));
    let machine = wait_call(&app, &o, &leads[1].id, |c| c["ended_at"].is_string()).await;
    assert_eq!(machine["answered_by"], "machine", "{machine}");
    assert_eq!(machine["hangup_source"], "us", "we hung up on the machine: {machine}");
    // When the lead hangs up, the bridged agent leg is torn down too.
    wait_call(&app, &o, &leads[0].id, |c| c["ended_at"].is_string()).await;
    assert_conformance(&app).await;
}

async fn inbound_calls_and_texts_reach_the_tenant(backend: Backend) {
    let app = spawn_app(backend).await;
    let o = app.signup("Inbound").await;
    let account = sandbox_account(&app, &o).await;
    let number = buy(&app, &o, &account, 415).await;
    let ours = number["e164"].as_str().unwrap().to_owned();
    // A missed inbound call: voicemail, and the team owes a callback.
    let r = app
        .client
        .post(format!("{}/sandbox/_sandbox/inbound/calls", app.base))
        .json(&json!({ "from": "+16505550199", "to": ours, "hold_ms": 1000 }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let sid = r.json::<Value>().await.unwrap()["call_id"].as_str().unwrap().to_owned();
    let mut tasks = Value::Null;
    for _ in 0..100 {
        tasks = app.get("/v1/tasks", &o.token).await.body;
        if !tasks["data"].as_array().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(tasks["data"][0]["phone"], "+16505550199", "{tasks}");
    assert_eq!(tasks["data"][0]["kind"], "callback");
    let mut log = Vec::new();
    for _ in 0..100 {
        log = sandbox_log(&app, &sid).await;
        if log.iter().any(|l| l.ends_with("record voicemail")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(log.iter().any(|l| l.contains("say Sorry we missed your call")), "{log:?}");
    assert!(log.iter().any(|l| l.ends_with("record voicemail")), "{log:?}");
    // The message the caller left is kept on their call.
    let voicemail = crate::harness::eventually("the voicemail kept on the inbound call", || async {
        let calls = app.get("/v1/calls", &o.token).await.body;
        calls["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["direction"] == "inbound" && c["recording_url"].is_string())
            .cloned()
    })
    .await;
    assert!(voicemail["recording_url"].as_str().unwrap().contains("/Recordings/RE"), "{voicemail}");
    assert_eq!(voicemail["recording_secs"], 10, "{voicemail}");
    // A text out through the adapter is delivered; the scripted reply comes back in.
    set_outcome(&app, "+16505550123", json!({ "sms": { "delivered": true, "reply": "STOP" } })).await;
    let acct = outdial_infra::voice::accounts::get(&app.state().db, &TenantId::parse(&o.tenant_id).unwrap(), &account)
        .await
        .unwrap();
    let carrier = app.state().voice.carrier(&acct).unwrap();
    let sent = carrier
        .send_message(&SendMessage {
            to: phone("+16505550123"),
            from: phone(&ours),
            body: "Hi from Outdial".into(),
            media_urls: vec![],
            status_url: format!("{}/sms-status", app.state().voice.hook_base(&acct)),
        })
        .await
        .unwrap();
    assert!(sent.provider_message_id.starts_with("SM"));
    let mut hooks = Value::Null;
    for _ in 0..100 {
        hooks = sandbox_get(&app, "webhooks").await;
        let bodies: Vec<&str> =
            hooks["webhooks"].as_array().unwrap().iter().map(|h| h["body"].as_str().unwrap()).collect();
        if bodies.iter().any(|b| b.contains("MessageStatus=delivered"))
            && bodies.iter().any(|b| b.contains("Body=STOP"))
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let all: Vec<&Value> = hooks["webhooks"].as_array().unwrap().iter().collect();
    assert!(
        all.iter().any(|h| h["body"].as_str().unwrap().contains("Body=STOP") && h["status"].as_u64().unwrap() < 300),
        "{hooks}"
    );
    // The carrier now refuses texts to the opted-out lead, and says why.
    let refused = carrier
        .send_message(&SendMessage {
            to: phone("+16505550123"),
            from: phone(&ours),
            body: "again".into(),
            media_urls: vec![],
            status_url: format!("{}/sms-status", app.state().voice.hook_base(&acct)),
        })
        .await
        .unwrap_err();
    assert_eq!(refused.code.as_deref(), Some("21610"));
    assert!(!refused.retryable());
    assert_conformance(&app).await;
}

async fn bad_webhooks_are_refused_and_change_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let o = app.signup("Bad Hooks").await;
    let account = sandbox_account(&app, &o).await;
    let url = format!("{}/webhooks/twilio/{account}/status", app.base);
    let form = "CallSid=CA00000000000000000000000000000000&CallStatus=completed&AccountSid=AC1";
    // Missing and wrong signatures.
    let r = app
        .client
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app
        .client
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-twilio-signature", "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "invalid_signature");
    // Unknown account.
    let r = app
        .client
        .post(format!("{}/webhooks/twilio/car_01JD3T6X8Q4M2N7P9R5S0T1VWX/status", app.base))
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Telnyx: tampered body, stale timestamp, then a well-signed but malformed body.
    let r =
        app.post("/v1/carrier-accounts", &o.token, json!({ "name": "T", "provider": "telnyx", "sandbox": true })).await;
    let tx = r.body["id"].as_str().unwrap().to_owned();
    let signer = telnyx::signature::Signer::from_seed(&[7; 32]);
    let now = chrono::Utc::now().timestamp();
    let body = br#"{"data":{"event_type":"call.hangup","id":"e1","payload":{"call_control_id":"v3:x"}}}"#;
    let send = |ts: i64, sig: String, body: &'static [u8]| {
        app.client
            .post(format!("{}/webhooks/telnyx/{tx}", app.base))
            .header("telnyx-timestamp", ts.to_string())
            .header("telnyx-signature-ed25519", sig)
            .body(body)
            .send()
    };
    let tampered = br#"{"data":{"event_type":"call.hangup","id":"e2","payload":{"call_control_id":"v3:x"}}}"#;
    assert_eq!(send(now, signer.sign(now, body), tampered).await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(send(now - 301, signer.sign(now - 301, body), body).await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(
        send(now, signer.sign(now, b"{not json"), b"{not json").await.unwrap().status(),
        StatusCode::BAD_REQUEST
    );
    // Nothing was recorded.
    assert!(app.get("/v1/calls", &o.token).await.body["data"].as_array().unwrap().is_empty());
}

async fn caller_id_follows_local_presence_and_skips_rested_numbers(backend: Backend) {
    let app = spawn_app(backend).await;
    let o = app.signup("Local Presence").await;
    let account = sandbox_account(&app, &o).await;
    let ny = buy(&app, &o, &account, 212).await;
    let ny2 = buy(&app, &o, &account, 518).await;
    let ca = buy(&app, &o, &account, 415).await;
    let fl = buy(&app, &o, &account, 305).await;
    let phones = json!({ "phones": ["+12125550100", "+13155550100", "+13105550100", "+13055550100", "+13055550101"] });
    let r = app.post("/v1/numbers/caller-id", &o.token, phones.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let got: Vec<(String, String)> = r
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["number_id"].as_str().unwrap().to_owned(), c["tier"].as_str().unwrap().to_owned()))
        .collect();
    let id = |n: &Value| n["id"].as_str().unwrap().to_owned();
    assert_eq!(got[0], (id(&ny), "area_code".into()));
    assert_eq!(got[1].1, "state");
    assert!(got[1].0 == id(&ny) || got[1].0 == id(&ny2));
    assert_eq!(got[2], (id(&ca), "state".into()));
    assert_eq!(got[3], (id(&fl), "area_code".into()));
    // Rest the California number: a healthy number is chosen instead, never the rested one.
    use sea_orm::{ConnectionTrait, Statement};
    let db = &app.state().db;
    let sql = format!(
        "UPDATE phone_numbers SET health_state = 'rested', rested_until = '{}' WHERE id = '{}'",
        (chrono::Utc::now().date_naive() + chrono::Duration::days(10)),
        id(&ca)
    );
    db.execute_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap();
    let r = app.post("/v1/numbers/caller-id", &o.token, phones).await;
    assert_ne!(r.body[2]["number_id"].as_str().unwrap(), id(&ca), "{}", r.body);
    let health = app.get(&format!("/v1/numbers/{}/health", id(&ca)), &o.token).await;
    assert_eq!(health.status, StatusCode::OK, "{}", health.body);
    assert_eq!(health.body["number"]["health_state"], "rested");
    // Bad input.
    let r = app.post("/v1/numbers/caller-id", &o.token, json!({ "phones": ["nope"] })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app.post("/v1/numbers", &o.token, json!({ "account_id": account, "area_code": 99 })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// The periodic sweep judges every number on its calls without anyone dialling it or looking
/// at it: one that stopped connecting is rested, one whose rest is over comes back.
async fn the_health_sweep_rests_failing_numbers_and_brings_rested_ones_back(backend: Backend) {
    let app = spawn_app_with(backend, &[("OUTDIAL_NUMBER_HEALTH_SECS", "1")]).await;
    let o = app.signup("Number Health").await;
    let account = sandbox_account(&app, &o).await;
    let failing = buy(&app, &o, &account, 212).await;
    let resting = buy(&app, &o, &account, 305).await;
    let healthy = buy(&app, &o, &account, 415).await;
    let id = |n: &Value| n["id"].as_str().unwrap().to_owned();
    let tenant = TenantId::parse(&o.tenant_id).unwrap();
    // Yesterday the 212 number dialled sixty times and nobody answered; the 415 number
    // connected half its sixty calls.
    use outdial_infra::db::entity::call;
    use sea_orm::{ConnectionTrait, EntityTrait, Statement};
    let yesterday = chrono::Utc::now() - chrono::Duration::days(1);
    let mut rows = vec![];
    for (number, answered) in [(&failing, 0), (&healthy, 30)] {
        for i in 0..60 {
            let to = format!("+1646555{:04}", i);
            let leg = calls::Leg { direction: "outbound", from: number["e164"].as_str().unwrap(), to: &to };
            let mut c = calls::fresh(&tenant, format!("call_health_{}_{i}", id(number)), &account, leg, yesterday);
            c.number_id = Some(id(number));
            c.status = "completed".into();
            c.ended_at = Some(yesterday + chrono::Duration::seconds(40));
            if i < answered {
                c.answered_at = Some(yesterday + chrono::Duration::seconds(5));
                c.answered_by = Some("human".into());
                c.duration_secs = Some(35);
                c.hangup_source = Some("us".into());
            }
            rows.push(call::ActiveModel::from(c));
        }
    }
    let db = &app.state().db;
    call::Entity::insert_many(rows).exec_without_returning(db).await.unwrap();
    // The 305 number has rested since before its cool-down ended yesterday.
    let sql = format!(
        "UPDATE phone_numbers SET health_state = 'rested', rested_until = '{}' WHERE id = '{}'",
        chrono::Utc::now().date_naive() - chrono::Duration::days(1),
        id(&resting)
    );
    db.execute_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap();
    // The list is read straight from the database: only the sweep can have changed it.
    let states = eventually("the sweep to rest the failing number and revive the rested one", || async {
        let list = app.get("/v1/numbers", &o.token).await.body;
        let state = |n: &Value| {
            list["data"].as_array().unwrap().iter().find(|x| x["id"] == n["id"]).unwrap()["health_state"].clone()
        };
        let states = (state(&failing), state(&resting), state(&healthy));
        (states.0 == "rested" && states.1 == "active").then_some(states)
    })
    .await;
    assert_eq!(states.2, "active", "a number that connects keeps dialling");
    // The rested number is not chosen for a lead in its own area code while another exists.
    let r = app.post("/v1/numbers/caller-id", &o.token, json!({ "phones": ["+12125550100"] })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_ne!(r.body[0]["number_id"], failing["id"], "{}", r.body);
    let health = app.get(&format!("/v1/numbers/{}/health", id(&failing)), &o.token).await;
    assert!(health.body["flags"].as_array().unwrap().iter().any(|f| f == "low_connect_rate"), "{}", health.body);
    // Another agency's sweep result is not visible to it.
    let other = app.signup("Number Health B").await;
    assert_eq!(
        app.get(&format!("/v1/numbers/{}/health", id(&failing)), &other.token).await.status,
        StatusCode::NOT_FOUND
    );
    app.stop().await;
}

async fn carrier_resources_are_invisible_to_other_tenants(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = app.signup("Alpha Carrier").await;
    let b = app.signup("Beta Carrier").await;
    let account = sandbox_account(&app, &a).await;
    let number = buy(&app, &a, &account, 512).await;
    let nid = number["id"].as_str().unwrap();
    for path in
        [format!("/v1/carrier-accounts/{account}"), format!("/v1/numbers/{nid}"), format!("/v1/numbers/{nid}/health")]
    {
        assert_eq!(app.get(&path, &b.token).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(app.delete(&format!("/v1/numbers/{nid}"), &b.token).await.status, StatusCode::NOT_FOUND);
    let rename = json!({ "name": "Hijacked", "calls_per_sec": 1 });
    assert_eq!(
        app.patch(&format!("/v1/carrier-accounts/{account}"), &b.token, rename).await.status,
        StatusCode::NOT_FOUND
    );
    // The owner edits it: a name and both limits; a sandbox takes no credentials.
    let r = app
        .patch(
            &format!("/v1/carrier-accounts/{account}"),
            &a.token,
            json!({ "name": "Alpha East", "calls_per_sec": 4, "messages_per_sec": 2 }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (&r.body["name"], &r.body["calls_per_sec"], &r.body["messages_per_sec"]),
        (&json!("Alpha East"), &json!(4), &json!(2))
    );
    let got = app.get(&format!("/v1/carrier-accounts/{account}"), &a.token).await.body;
    assert_eq!(got["name"], "Alpha East", "{got}");
    assert_eq!(got["messages_per_sec"], 2, "{got}");
    let r = app
        .patch(&format!("/v1/carrier-accounts/{account}"), &a.token, json!({ "credentials": { "auth_token": "x" } }))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(app.delete(&format!("/v1/carrier-accounts/{account}"), &b.token).await.status, StatusCode::NOT_FOUND);
    let r = app.post("/v1/numbers", &b.token, json!({ "account_id": account, "area_code": 512 })).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let listed = app.get("/v1/numbers", &b.token).await;
    assert!(listed.body["data"].as_array().unwrap().is_empty());
    // Secrets never come back, and credentials are checked before they are stored.
    let r = app
        .post("/v1/carrier-accounts", &a.token, json!({ "name": "Real", "provider": "twilio", "credentials": { "account_sid": "AC123", "auth_token": "x" } }))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = app
        .post(
            "/v1/carrier-accounts",
            &a.token,
            json!({ "name": "Real", "provider": "twilio", "credentials": {
        "account_sid": format!("AC{}", "a".repeat(32)), "auth_token": "0123456789abcdef0123" } }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert!(!r.body.to_string().contains("0123456789abcdef0123"));
    // Release works for the owner and the number leaves the list.
    assert_eq!(app.delete(&format!("/v1/numbers/{nid}"), &a.token).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&format!("/v1/numbers/{nid}"), &a.token).await.status, StatusCode::NOT_FOUND);
}

#[test]
fn signatures_pass_every_official_vector() {
    let raw = std::fs::read_to_string(spec::default_dir().join("webhook_signing_vectors.json")).unwrap();
    let v: Value = serde_json::from_str(&raw).unwrap();
    let mut n = 0;
    for t in v["twilio"].as_array().unwrap() {
        let Some(sig) = t["x_twilio_signature"].as_str() else { continue };
        let mut params = Vec::new();
        for (k, vals) in t["post_params"].as_object().unwrap() {
            for val in vals.as_array().unwrap() {
                params.push((k.clone(), val.as_str().unwrap().to_owned()));
            }
        }
        let token = t["auth_token"].as_str().unwrap();
        let url = t["url"].as_str().unwrap();
        let body = t["raw_body"].as_str().unwrap_or("").as_bytes();
        assert!(twilio::signature::verify(token, url, &params, body, sig), "{}", t["name"]);
        assert!(!twilio::signature::verify("54321", url, &params, body, sig));
        if !url.contains("bodySHA256") {
            assert_eq!(twilio::signature::compute(token, url, &params), sig, "{}", t["name"]);
        }
        n += 1;
    }
    // The port variants: a URL with :1234 verifies against the portless signature.
    let basic = &v["twilio"][0];
    let params: Vec<(String, String)> = basic["post_params"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v[0].as_str().unwrap().to_owned()))
        .collect();
    assert!(twilio::signature::verify(
        "12345",
        "https://mycompany.com:1234/myapp.php?foo=1&bar=2",
        &params,
        b"",
        "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    ));
    assert!(twilio::signature::verify(
        "12345",
        "https://mycompany.com/myapp.php?foo=1&bar=2",
        &params,
        b"",
        "kvajT1Ptam85bY51eRf/AJRuM3w="
    ));
    // The JSON body must match its bodySHA256.
    let json_case = v["twilio"].as_array().unwrap().iter().find(|t| t["name"] == "json_body_with_bodySHA256").unwrap();
    assert!(!twilio::signature::verify(
        "12345",
        json_case["url"].as_str().unwrap(),
        &[],
        b"{\"property\": \"other\"}",
        json_case["x_twilio_signature"].as_str().unwrap()
    ));
    assert!(n >= 6);
    let t = &v["telnyx"][0];
    let body = t["raw_body"].as_str().unwrap().as_bytes();
    let (key, ts, sig) = (
        t["public_key_b64"].as_str().unwrap(),
        t["headers"]["telnyx-timestamp"].as_str(),
        t["headers"]["telnyx-signature-ed25519"].as_str(),
    );
    assert_eq!(telnyx::signature::verify(key, ts, sig, body, 1_700_000_000), Ok(()));
    assert_eq!(
        telnyx::signature::verify(key, ts, sig, body, 1_700_000_301),
        Err(outdial_infra::telephony::WebhookError::Expired)
    );
    assert!(telnyx::signature::verify(key, Some("1700000001"), sig, body, 1_700_000_000).is_err());
    let mut tampered = body.to_vec();
    tampered[10] ^= 1;
    assert!(telnyx::signature::verify(key, ts, sig, &tampered, 1_700_000_000).is_err());
    let z = &v["telnyx"][2];
    assert!(
        telnyx::signature::verify(
            z["public_key_b64"].as_str().unwrap(),
            Some("1700000000"),
            z["headers"]["telnyx-signature-ed25519"].as_str(),
            b"{\"data\":{}}",
            1_700_000_000
        )
        .is_err()
    );
    // Our signer produces what the official algorithm verifies (RFC 8032 test key).
    let seed: [u8; 32] = hex::decode(t["ed25519_seed_hex"].as_str().unwrap()).unwrap().try_into().unwrap();
    let signer = telnyx::signature::Signer::from_seed(&seed);
    assert_eq!(signer.public_key_b64(), key);
    assert_eq!(signer.sign(1_700_000_000, body), sig.unwrap());
    // Access token: HS256 with cty twilio-fpa;v=1 and the voice grant.
    let at = &v["twilio_access_token"][0];
    let token = twilio::token::mint(
        &twilio::token::VoiceToken {
            account_sid: at["account_sid"].as_str().unwrap(),
            api_key_sid: at["api_key_sid"].as_str().unwrap(),
            api_key_secret: at["api_key_secret"].as_str().unwrap(),
            identity: "agent-42",
            outgoing_application_sid: Some("APxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
            outgoing_params: serde_json::from_value(json!({ "tenant": "t1" })).unwrap(),
            incoming_allow: true,
            ttl_secs: 3600,
        },
        1_700_000_000,
    )
    .unwrap();
    let part = |i: usize| -> Value {
        use base64::Engine;
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(token.split('.').nth(i).unwrap()).unwrap(),
        )
        .unwrap()
    };
    assert_eq!(part(0)["cty"], "twilio-fpa;v=1");
    assert_eq!(part(1), at["payload"]);
}
