//! The sandbox's own control surface (`/_sandbox/...`): per-number behaviour, faults, inbound
//! calls and texts, and what the sandbox saw and sent. What a carrier's web portal and the
//! outside world would otherwise provide.

use super::calls::{SimCall, TelnyxLeg};
use super::{Faults, Sandbox, SmsBehaviour, uuid, world::Outcome};
use axum::{
    Json, Router,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post, put},
};
use serde::Deserialize;
use serde_json::{Value, json};

pub(super) fn router() -> Router<Sandbox> {
    Router::new()
        .route("/_sandbox/numbers/{number}", put(set_number))
        .route("/_sandbox/faults", put(set_faults))
        .route("/_sandbox/telnyx/webhooks", put(set_telnyx_hook))
        .route("/_sandbox/telnyx/public-key", get(public_key))
        .route("/_sandbox/inbound/calls", post(inbound_call))
        .route("/_sandbox/inbound/messages", post(inbound_message))
        .route("/_sandbox/calls", get(list_calls))
        .route("/_sandbox/calls/{id}", get(get_call))
        .route("/_sandbox/requests", get(requests))
        .route("/_sandbox/webhooks", get(webhooks))
}

fn bad(detail: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "code": "invalid_request", "detail": detail }))).into_response()
}

/// How a number behaves when called or texted.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NumberBehaviour {
    outcome: Option<Outcome>,
    sms: Option<SmsBehaviour>,
}

async fn set_number(State(sb): State<Sandbox>, Path(number): Path<String>, body: axum::body::Bytes) -> Response {
    let b: NumberBehaviour = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => return bad(&e.to_string()),
    };
    let Ok(phone) = outdial_domain::contacts::Phone::parse(&number) else { return bad("not an E.164 number") };
    let mut s = sb.lock();
    if let Some(o) = b.outcome {
        s.overrides.insert(phone.as_str().to_owned(), o);
    }
    if let Some(m) = b.sms {
        s.sms.insert(phone.as_str().to_owned(), m);
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn set_faults(State(sb): State<Sandbox>, body: axum::body::Bytes) -> Response {
    match serde_json::from_slice::<Faults>(&body) {
        Ok(f) => {
            sb.set_faults(f);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => bad(&e.to_string()),
    }
}

#[derive(Deserialize)]
struct TelnyxHook {
    api_key: String,
    url: String,
}

async fn set_telnyx_hook(State(sb): State<Sandbox>, body: axum::body::Bytes) -> Response {
    match serde_json::from_slice::<TelnyxHook>(&body) {
        Ok(h) => {
            sb.set_telnyx_webhook(&h.api_key, &h.url);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => bad(&e.to_string()),
    }
}

async fn public_key(State(sb): State<Sandbox>) -> Json<Value> {
    Json(json!({ "public_key": sb.telnyx_public_key() }))
}

#[derive(Deserialize)]
struct Inbound {
    from: String,
    to: String,
    #[serde(default)]
    body: String,
    /// Media of a picture text (MMS), as the carrier would host them.
    #[serde(default)]
    media_urls: Vec<String>,
    /// How long the caller waits on the line (simulated ms) before hanging up.
    #[serde(default = "default_hold")]
    hold_ms: u64,
}

fn default_hold() -> u64 {
    20_000
}

async fn inbound_message(State(sb): State<Sandbox>, body: axum::body::Bytes) -> Response {
    let Ok(m) = serde_json::from_slice::<Inbound>(&body) else { return bad("from, to and body are required") };
    let delivered = sb.inbound_sms_twilio(&m.from, &m.to, &m.body, &m.media_urls).await
        || sb.inbound_sms_telnyx(&m.from, &m.to, &m.body, &m.media_urls).await;
    if delivered {
        StatusCode::NO_CONTENT.into_response()
    } else {
        bad("no account holds that number, or it has no webhook")
    }
}

async fn inbound_call(State(sb): State<Sandbox>, body: axum::body::Bytes) -> Response {
    let Ok(m) = serde_json::from_slice::<Inbound>(&body) else { return bad("from and to are required") };
    let number = sb.lock().numbers.values().find(|n| n.phone == m.to).cloned();
    let Some(number) = number else { return bad("no account holds that number") };
    let id = if number.provider == "twilio" {
        let Some(url) = number.voice_url.clone() else { return bad("the number has no voice URL") };
        let mut call = SimCall::new(
            format!("CA{}", super::hex_id(32)),
            "twilio",
            number.account.clone(),
            m.from.clone(),
            m.to.clone(),
            sb.now_ms(),
        );
        call.inbound = true;
        call.status = "ringing";
        call.twilio = Some(super::calls::TwilioLeg {
            url: Some(url),
            twiml: None,
            status_callback: number.status_url.clone(),
            events: vec![],
            machine_detection: None,
            async_amd: false,
            amd_callback: None,
        });
        let id = call.id.clone();
        sb.lock().calls.insert(id.clone(), call);
        let sb2 = sb.clone();
        let id2 = id.clone();
        tokio::spawn(async move {
            if let Some(c) = sb2.lock().calls.get_mut(&id2) {
                c.answered_ms = Some(sb2.now_ms());
                c.status = "in-progress";
            }
            sb2.note(&id2, "incoming");
            sb2.fetch_twiml(&id2, None).await;
            sb2.sleep(m.hold_ms).await;
            sb2.end(&id2, "completed", "caller").await;
        });
        id
    } else {
        let Some(url) = sb.lock().telnyx_hooks.get(&number.account).cloned() else {
            return bad("the account has no webhook URL");
        };
        let mut call = SimCall::new(
            format!("v3:{}", super::hex_id(40)),
            "telnyx",
            number.account.clone(),
            m.from.clone(),
            m.to.clone(),
            sb.now_ms(),
        );
        call.inbound = true;
        call.status = "ringing";
        call.telnyx = Some(TelnyxLeg {
            webhook_url: url,
            client_state: None,
            amd: "disabled".into(),
            connection_id: "sandbox".into(),
            leg_id: uuid(),
            session_id: uuid(),
            start_time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        });
        let id = call.id.clone();
        sb.lock().calls.insert(id.clone(), call);
        let sb2 = sb.clone();
        let id2 = id.clone();
        tokio::spawn(async move {
            sb2.note(&id2, "incoming");
            sb2.telnyx_call_event(&id2, "call.initiated", json!({ "direction": "incoming", "state": "parked" })).await;
            sb2.sleep(m.hold_ms).await;
            sb2.end(&id2, "completed", "caller").await;
        });
        id
    };
    (StatusCode::CREATED, Json(json!({ "call_id": id }))).into_response()
}

/// A call as the control API shows it: its state and whom it hears now.
fn call_json(sb: &Sandbox, c: &super::calls::SimCall) -> Value {
    let mut v = serde_json::to_value(c).unwrap_or(Value::Null);
    v["hears"] = json!(sb.hears(&c.id));
    v
}

async fn list_calls(State(sb): State<Sandbox>) -> Json<Value> {
    let all: Vec<_> = sb.lock().calls.values().cloned().collect();
    let calls: Vec<Value> = all.iter().map(|c| call_json(&sb, c)).collect();
    Json(json!({ "calls": calls }))
}

async fn get_call(State(sb): State<Sandbox>, Path(id): Path<String>) -> Response {
    let call = sb.lock().calls.get(&id).cloned();
    match call {
        Some(c) => Json(call_json(&sb, &c)).into_response(),
        None => (StatusCode::NOT_FOUND, Json(json!({ "code": "not_found", "detail": "no such call" }))).into_response(),
    }
}

async fn requests(State(sb): State<Sandbox>) -> Json<Value> {
    Json(json!({ "requests": sb.lock().requests.clone() }))
}

async fn webhooks(State(sb): State<Sandbox>) -> Json<Value> {
    Json(json!({ "webhooks": sb.lock().webhooks.clone() }))
}
