//! The Telnyx Call Control v2 and Messaging surface of the sandbox carrier (plus the number
//! endpoints the adapter uses).

use super::calls::{SimCall, TelnyxLeg};
use super::{RecordedRequest, Sandbox, SimNumber, uuid, world};
use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, Query, State},
    http::{HeaderMap, Method, StatusCode, Uri},
    response::{IntoResponse, Response},
    routing::{get, patch, post},
};
use outdial_domain::contacts::Phone;
use serde_json::{Value, json};
use std::collections::HashMap;

pub(super) fn router() -> Router<Sandbox> {
    Router::new()
        .route("/v2/calls", post(create_call))
        .route("/v2/calls/{id}", get(fetch_call))
        .route("/v2/calls/{id}/actions/{action}", post(call_action))
        .route("/v2/messages", post(create_message))
        .route("/v2/available_phone_numbers", get(available_numbers))
        .route("/v2/number_orders", post(order_numbers))
        .route("/v2/phone_numbers", get(list_numbers))
        .route("/v2/phone_numbers/{id}", patch(update_number).delete(delete_number))
}

fn err(status: u16, code: &str, title: &str, detail: &str, pointer: Option<&str>) -> Response {
    let mut e = json!({ "code": code, "title": title, "detail": detail });
    if let Some(p) = pointer {
        e["source"] = json!({ "pointer": p });
    }
    (StatusCode::from_u16(status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY), Json(json!({ "errors": [e] })))
        .into_response()
}

impl Sandbox {
    /// Checks the Bearer key and records the request; returns the key and the JSON body.
    async fn telnyx_gate(
        &self,
        headers: &HeaderMap,
        method: &Method,
        uri: &Uri,
        body: &[u8],
    ) -> Result<(String, Value), Response> {
        let json: Value = if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(body)
                .map_err(|_| err(400, "10015", "Bad Request", "The request body is not valid JSON", None))?
        };
        self.lock().requests.push(RecordedRequest {
            method: method.to_string(),
            path: uri.path().to_owned(),
            form: vec![],
            json: (!json.is_null()).then(|| json.clone()),
        });
        let key = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .filter(|k| !k.trim().is_empty())
            .map(str::to_owned);
        let Some(key) = key else {
            return Err(err(
                401,
                "10009",
                "Authentication failed",
                "Could not understand the provided credentials.",
                None,
            ));
        };
        if self.0.config.telnyx_api_keys.as_ref().is_some_and(|keys| !keys.contains(&key)) {
            return Err(err(401, "10009", "Authentication failed", "The API key is not valid.", None));
        }
        if let Some(fault) = self.rest_fault().await {
            return Err(fault);
        }
        Ok((key, json))
    }
}

fn call_data(c: &SimCall) -> Value {
    let tx = c.telnyx.as_ref().expect("telnyx leg");
    json!({
        "record_type": "call",
        "call_control_id": c.id,
        "call_leg_id": tx.leg_id,
        "call_session_id": tx.session_id,
        "is_alive": !c.ended,
        "client_state": tx.client_state,
    })
}

/// `GET /v2/calls/{call_control_id}`: whether the call is alive, and how long it lasted.
async fn fetch_call(
    State(sb): State<Sandbox>,
    Path(id): Path<String>,
    headers: HeaderMap,
    method: Method,
    uri: Uri,
) -> Response {
    let key = match sb.telnyx_gate(&headers, &method, &uri, &Bytes::new()).await {
        Ok((key, _)) => key,
        Err(r) => return r,
    };
    let call = sb.lock().calls.get(&id).filter(|c| c.account == key && c.telnyx.is_some()).cloned();
    match call {
        Some(c) => {
            let mut data = call_data(&c);
            data["call_duration"] = json!(c.duration_s);
            Json(json!({ "data": data })).into_response()
        }
        None => err(404, "90015", "Call not found", "The call_control_id was not found", None),
    }
}

async fn create_call(State(sb): State<Sandbox>, headers: HeaderMap, method: Method, uri: Uri, body: Bytes) -> Response {
    let (key, b) = match sb.telnyx_gate(&headers, &method, &uri, &body).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Some(connection_id) = b["connection_id"].as_str().map(str::to_owned) else {
        return err(422, "10015", "Missing required parameter", "connection_id is required", Some("/connection_id"));
    };
    let to_raw = match &b["to"] {
        Value::String(s) => s.clone(),
        Value::Array(a) => a.first().and_then(Value::as_str).unwrap_or_default().to_owned(),
        _ => String::new(),
    };
    let Ok(to) = Phone::parse(&to_raw) else {
        return err(422, "10016", "Invalid phone number", "The 'to' number is not a valid E.164 number", Some("/to"));
    };
    let Some(from) = b["from"].as_str().and_then(|f| Phone::parse(f).ok()) else {
        return err(
            422,
            "10016",
            "Invalid phone number",
            "The 'from' number is not a valid E.164 number",
            Some("/from"),
        );
    };
    let amd = b["answering_machine_detection"].as_str().unwrap_or("disabled").to_owned();
    if !["premium", "detect", "detect_beep", "detect_words", "greeting_end", "disabled"].contains(&amd.as_str()) {
        return err(
            422,
            "10015",
            "Invalid parameter",
            "answering_machine_detection is not valid",
            Some("/answering_machine_detection"),
        );
    }
    let previous = b["command_id"]
        .as_str()
        .and_then(|cmd| sb.lock().telnyx_commands.get(&(key.clone(), format!("dial:{cmd}"))).cloned());
    if let Some(previous) = previous {
        return Json(previous).into_response();
    }
    let webhook_url =
        b["webhook_url"].as_str().map(str::to_owned).or_else(|| sb.lock().telnyx_hooks.get(&key).cloned());
    let Some(webhook_url) = webhook_url else {
        return err(
            422,
            "10015",
            "Invalid parameter",
            "no webhook_url and none configured on the connection",
            Some("/webhook_url"),
        );
    };
    let supervising = b["supervise_call_control_id"].as_str().map(str::to_owned);
    let role = b["supervisor_role"].as_str().unwrap_or("barge").to_owned();
    if !["barge", "whisper", "monitor"].contains(&role.as_str()) {
        return err(422, "10015", "Invalid parameter", "supervisor_role is not valid", Some("/supervisor_role"));
    }
    if let Some(leg) = &supervising
        && !sb.lock().calls.get(leg).is_some_and(|c| !c.ended && c.account == key)
    {
        return err(
            422,
            "90018",
            "Call has already ended",
            "The supervised call is not active.",
            Some("/supervise_call_control_id"),
        );
    }
    let outcome = sb.outcome_for(to.as_str());
    if outcome == world::Outcome::Invalid {
        return err(422, "10016", "Invalid phone number", "The destination number is not reachable", Some("/to"));
    }
    let id = format!("v3:{}", super::hex_id(40));
    let mut call =
        SimCall::new(id.clone(), "telnyx", key.clone(), from.as_str().into(), to.as_str().into(), sb.now_ms());
    call.timeout_s = b["timeout_secs"].as_u64().unwrap_or(30);
    call.outcome = Some(outcome);
    if supervising.is_some() {
        call.supervisor_role = Some(role);
    }
    call.supervising = supervising;
    call.telnyx = Some(TelnyxLeg {
        webhook_url,
        client_state: b["client_state"].as_str().map(str::to_owned),
        amd,
        connection_id,
        leg_id: uuid(),
        session_id: uuid(),
        start_time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
    });
    let response = json!({ "data": call_data(&call) });
    {
        let mut s = sb.lock();
        if let Some(cmd) = b["command_id"].as_str() {
            s.telnyx_commands.insert((key, format!("dial:{cmd}")), response.clone());
        }
        s.calls.insert(id.clone(), call);
    }
    sb.note(&id, "created");
    tokio::spawn(sb.clone().drive(id));
    Json(response).into_response()
}

async fn call_action(
    State(sb): State<Sandbox>,
    Path((id, action)): Path<(String, String)>,
    headers: HeaderMap,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let (key, b) = match sb.telnyx_gate(&headers, &method, &uri, &body).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let call = sb.lock().calls.get(&id).filter(|c| c.account == key).cloned();
    let Some(call) = call else {
        return err(404, "90015", "Call not found", "The call_control_id was not found", None);
    };
    let ok = json!({ "data": { "result": "ok" } });
    if let Some(cmd) = b["command_id"].as_str() {
        let mut s = sb.lock();
        let k = (id.clone(), cmd.to_owned());
        if s.telnyx_commands.contains_key(&k) {
            // The same command again: already done, answer as before.
            return Json(ok).into_response();
        }
        s.telnyx_commands.insert(k, ok.clone());
    }
    if call.ended {
        return err(
            422,
            "90018",
            "Call has already ended",
            "This call is no longer active and can't receive commands.",
            None,
        );
    }
    let need = |field: &str| {
        err(422, "10015", "Missing required parameter", &format!("{field} is required"), Some(&format!("/{field}")))
    };
    let sb2 = sb.clone();
    let t = sb.0.config.timing.clone();
    match action.as_str() {
        "answer" => {
            if call.answered_ms.is_some() {
                return err(422, "90019", "Call already answered", "The call has already been answered.", None);
            }
            if let Some(c) = sb.lock().calls.get_mut(&id) {
                c.status = "in-progress";
                c.answered_ms = Some(sb.now_ms());
            }
            sb.note(&id, "answered by application");
            tokio::spawn(
                async move { sb2.telnyx_call_event(&id, "call.answered", json!({ "state": "answered" })).await },
            );
        }
        "hangup" => {
            sb.note(&id, "hangup requested");
            tokio::spawn(async move { sb2.end(&id, "completed", "caller").await });
        }
        "bridge" => {
            let Some(other) = b["call_control_id"].as_str().map(str::to_owned) else { return need("call_control_id") };
            let other_live = sb.lock().calls.get(&other).is_some_and(|c| !c.ended && c.account == key);
            if !other_live {
                return err(
                    422,
                    "90018",
                    "Call has already ended",
                    "The other call is not active.",
                    Some("/call_control_id"),
                );
            }
            {
                let mut s = sb.lock();
                if let Some(c) = s.calls.get_mut(&id) {
                    c.bridged_with = Some(other.clone());
                    c.park_after_unbridge = b["park_after_unbridge"].as_str() == Some("self");
                }
                if let Some(c) = s.calls.get_mut(&other) {
                    c.bridged_with = Some(id.clone());
                }
            }
            sb.mark_served(&id, "agent");
            sb.mark_served(&other, "agent");
            sb.note(&id, format!("bridged {other}"));
            sb.note(&other, format!("bridged {id}"));
            tokio::spawn(async move {
                sb2.telnyx_call_event(&id, "call.bridged", json!({})).await;
                sb2.telnyx_call_event(&other, "call.bridged", json!({})).await;
            });
        }
        "playback_start" => {
            let media = b["audio_url"]
                .as_str()
                .or(b["media_name"].as_str())
                .or(b["playback_content"].as_str())
                .map(str::to_owned);
            let Some(media) = media else { return need("audio_url") };
            let after_beep = if call.beep_ms.is_some() { " after beep" } else { "" };
            sb.note(&id, format!("play {media}{after_beep}"));
            tokio::spawn(async move {
                let fetch = sb2.clone();
                let (cid, url) = (id.clone(), media.clone());
                tokio::spawn(async move { fetch.fetch_media(&cid, &url).await });
                let p = json!({ "media_url": media, "overlay": false });
                sb2.telnyx_call_event(&id, "call.playback.started", p.clone()).await;
                sb2.sleep(t.playback_ms).await;
                let mut p = p;
                p["status"] = json!("completed");
                if sb2.note(&id, "playback ended") {
                    sb2.telnyx_call_event(&id, "call.playback.ended", p).await;
                }
            });
        }
        "speak" => {
            let (Some(text), Some(_voice)) = (b["payload"].as_str().map(str::to_owned), b["voice"].as_str()) else {
                return need("payload and voice");
            };
            sb.mark_served(&id, "speech");
            sb.note(&id, format!("say {text}"));
            tokio::spawn(async move {
                sb2.telnyx_call_event(&id, "call.speak.started", json!({})).await;
                sb2.sleep(t.playback_ms).await;
                if sb2.note(&id, "speak ended") {
                    sb2.telnyx_call_event(&id, "call.speak.ended", json!({ "status": "completed" })).await;
                }
            });
        }
        "record_start" => {
            if b["format"].as_str().is_none() || b["channels"].as_str().is_none() {
                return need("format and channels");
            }
            if let Some(c) = sb.lock().calls.get_mut(&id) {
                c.recording = true;
            }
            sb.note(&id, "start recording");
        }
        "transcription_start" => {
            sb.note(&id, "start transcription");
            let human = matches!(call.outcome, Some(world::Outcome::Human { .. }));
            if human {
                tokio::spawn(async move {
                    sb2.sleep(1_000).await;
                    let data = json!({ "transcription_data": {
                        "transcript": "Hello, who is this?", "confidence": 0.93, "is_final": true, "transcription_track": "inbound"
                    }});
                    if sb2.alive(&id) {
                        sb2.telnyx_call_event(&id, "call.transcription", data).await;
                    }
                });
            }
        }
        "switch_supervisor_role" => {
            let Some(role) = b["role"].as_str().map(str::to_owned) else { return need("role") };
            if !["barge", "whisper", "monitor"].contains(&role.as_str()) {
                return err(422, "10015", "Invalid parameter", "role is not valid", Some("/role"));
            }
            if call.supervising.is_none() {
                return err(422, "90020", "Not a supervisor call", "This call does not supervise another call.", None);
            }
            if let Some(c) = sb.lock().calls.get_mut(&id) {
                c.supervisor_role = Some(role.clone());
            }
            sb.note(&id, format!("supervisor role {role}"));
        }
        "transfer" => {
            let Some(to) = b["to"].as_str() else { return need("to") };
            sb.note(&id, format!("transfer {to}"));
        }
        other => {
            sb.note(&id, format!("action {other}"));
        }
    }
    Json(ok).into_response()
}

impl Sandbox {
    fn message_payload(
        &self,
        id: &str,
        from: &str,
        to: &str,
        text: &str,
        status: &str,
        profile: Option<&str>,
    ) -> Value {
        json!({
            "record_type": "message", "id": id, "direction": "outbound", "type": "SMS",
            "from": { "phone_number": from, "carrier": "Sandbox", "line_type": "VoIP" },
            "to": [{ "phone_number": to, "status": status, "carrier": "Sandbox", "line_type": "Wireless" }],
            "text": text, "parts": 1, "encoding": "GSM-7", "messaging_profile_id": profile.unwrap_or(""),
            "errors": [],
        })
    }

    /// A text from `from` (a lead) to one of a Telnyx account's numbers.
    pub(crate) async fn inbound_sms_telnyx(&self, from: &str, to: &str, body: &str, media: &[String]) -> bool {
        let number = self.lock().numbers.values().find(|n| n.phone == to && n.provider == "telnyx").cloned();
        let Some(number) = number else { return false };
        let Some(url) = self.lock().telnyx_hooks.get(&number.account).cloned() else { return false };
        let payload = json!({
            "record_type": "message", "id": uuid(), "direction": "inbound",
            "type": if media.is_empty() { "SMS" } else { "MMS" },
            "from": { "phone_number": from, "carrier": "Sandbox", "line_type": "Wireless" },
            "to": [{ "phone_number": to, "status": "webhook_delivered", "carrier": "Sandbox", "line_type": "VoIP" }],
            "text": body, "parts": 1, "encoding": "GSM-7", "errors": [],
            "media": media.iter().map(|u| json!({ "url": u, "content_type": super::twilio::content_type(u) }))
                .collect::<Vec<_>>(),
        });
        self.telnyx_hook(&url, "message.received", payload).await;
        true
    }
}

async fn create_message(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let (key, b) = match sb.telnyx_gate(&headers, &method, &uri, &body).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Some(to) = b["to"].as_str().and_then(|t| Phone::parse(t).ok()) else {
        return err(422, "40310", "Invalid 'to' address", "The 'to' number is not valid", Some("/to"));
    };
    let Some(from) = b["from"].as_str().and_then(|t| Phone::parse(t).ok()) else {
        return err(422, "40305", "Invalid 'from' address", "The 'from' number is not valid", Some("/from"));
    };
    let text = b["text"].as_str().unwrap_or_default().to_owned();
    if text.is_empty() && b["media_urls"].as_array().is_none_or(|m| m.is_empty()) {
        return err(422, "40005", "Invalid message body", "text or media_urls is required", Some("/text"));
    }
    if sb.lock().opted_out.contains(&(to.as_str().to_owned(), from.as_str().to_owned())) {
        return err(422, "40300", "Blocked due to STOP message", "The recipient replied STOP.", None);
    }
    let id = uuid();
    let profile = b["messaging_profile_id"].as_str().map(str::to_owned);
    let data = sb.message_payload(&id, from.as_str(), to.as_str(), &text, "queued", profile.as_deref());
    let hook = b["webhook_url"].as_str().map(str::to_owned).or_else(|| sb.lock().telnyx_hooks.get(&key).cloned());
    let behaviour =
        sb.lock().sms.get(to.as_str()).cloned().unwrap_or(world::SmsBehaviour { delivered: true, reply: None });
    let sb2 = sb.clone();
    tokio::spawn(async move {
        let wait = sb2.0.config.timing.sms_ms;
        if let Some(url) = &hook {
            sb2.sleep(wait / 3).await;
            let sent = sb2.message_payload(&id, from.as_str(), to.as_str(), &text, "sent", profile.as_deref());
            sb2.telnyx_hook(url, "message.sent", sent).await;
            sb2.sleep(wait / 3).await;
            let last = if behaviour.delivered { "delivered" } else { "delivery_failed" };
            let mut fin = sb2.message_payload(&id, from.as_str(), to.as_str(), &text, last, profile.as_deref());
            if !behaviour.delivered {
                fin["errors"] =
                    json!([{ "code": "40008", "title": "Undeliverable", "detail": "The handset is unreachable" }]);
            }
            sb2.telnyx_hook(url, "message.finalized", fin).await;
        }
        if let Some(reply) = behaviour.reply {
            sb2.sleep(wait).await;
            let word = reply.trim().to_ascii_uppercase();
            if ["STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"].contains(&word.as_str()) {
                sb2.lock().opted_out.insert((to.as_str().to_owned(), from.as_str().to_owned()));
            }
            sb2.inbound_sms_telnyx(to.as_str(), from.as_str(), &reply, &[]).await;
        }
    });
    Json(json!({ "data": data })).into_response()
}

fn number_json(n: &SimNumber) -> Value {
    json!({ "id": n.id, "record_type": "phone_number", "phone_number": n.phone, "status": "active" })
}

async fn available_numbers(
    State(sb): State<Sandbox>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
    method: Method,
    uri: Uri,
) -> Response {
    if let Err(r) = sb.telnyx_gate(&headers, &method, &uri, b"").await {
        return r;
    }
    let Some(area) = q.get("filter[national_destination_code]").and_then(|a| a.parse::<u16>().ok()) else {
        return Json(json!({ "data": [] })).into_response();
    };
    let phone = sb.fresh_number(area);
    Json(json!({ "data": [{ "record_type": "available_phone_number", "phone_number": phone }] })).into_response()
}

async fn order_numbers(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let (key, b) = match sb.telnyx_gate(&headers, &method, &uri, &body).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let wanted: Vec<String> = b["phone_numbers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n["phone_number"].as_str().map(str::to_owned))
        .collect();
    if wanted.is_empty() {
        return err(422, "10015", "Missing required parameter", "phone_numbers is required", Some("/phone_numbers"));
    }
    let mut s = sb.lock();
    for raw in &wanted {
        let Ok(phone) = Phone::parse(raw) else {
            return err(
                422,
                "10016",
                "Invalid phone number",
                &format!("{raw} is not a valid number"),
                Some("/phone_numbers"),
            );
        };
        if s.numbers.values().any(|n| n.phone == phone.as_str()) {
            return err(
                422,
                "85001",
                "Number not available",
                &format!("{raw} is not available"),
                Some("/phone_numbers"),
            );
        }
        let n = SimNumber {
            id: super::hex_id(19).chars().map(|c| if c.is_ascii_digit() { c } else { '1' }).collect(),
            account: key.clone(),
            provider: "telnyx",
            phone: phone.as_str().to_owned(),
            voice_url: None,
            sms_url: None,
            status_url: None,
        };
        s.numbers.insert(n.id.clone(), n);
    }
    let order = json!({ "data": { "id": uuid(), "record_type": "number_order", "status": "success",
        "phone_numbers": wanted.iter().map(|p| json!({ "phone_number": p, "status": "success" })).collect::<Vec<_>>() } });
    Json(order).into_response()
}

async fn list_numbers(State(sb): State<Sandbox>, headers: HeaderMap, method: Method, uri: Uri) -> Response {
    let (key, _) = match sb.telnyx_gate(&headers, &method, &uri, b"").await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let data: Vec<Value> = sb.lock().numbers.values().filter(|n| n.account == key).map(number_json).collect();
    Json(json!({ "data": data })).into_response()
}

async fn update_number(
    State(sb): State<Sandbox>,
    Path(id): Path<String>,
    headers: HeaderMap,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let (key, _) = match sb.telnyx_gate(&headers, &method, &uri, &body).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    match sb.lock().numbers.get(&id).filter(|n| n.account == key) {
        Some(n) => Json(json!({ "data": number_json(n) })).into_response(),
        None => err(404, "10005", "Resource not found", "The phone number was not found", None),
    }
}

async fn delete_number(
    State(sb): State<Sandbox>,
    Path(id): Path<String>,
    headers: HeaderMap,
    method: Method,
    uri: Uri,
) -> Response {
    let (key, _) = match sb.telnyx_gate(&headers, &method, &uri, b"").await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let mut s = sb.lock();
    match s.numbers.get(&id).filter(|n| n.account == key).cloned() {
        Some(n) => {
            s.numbers.remove(&id);
            Json(json!({ "data": number_json(&n) })).into_response()
        }
        None => err(404, "10005", "Resource not found", "The phone number was not found", None),
    }
}
