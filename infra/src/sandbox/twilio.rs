//! The Twilio REST API 2010 surface of the sandbox carrier.

use super::calls::{SimCall, TwilioLeg};
use super::{RecordedRequest, Sandbox, SimNumber, hex_id, world};
use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, Method, StatusCode, Uri},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use outdial_domain::contacts::Phone;
use serde_json::{Value, json};

type Form = Vec<(String, String)>;

pub(super) fn router() -> Router<Sandbox> {
    Router::new()
        .route("/2010-04-01/Accounts/{sid}/{file}", post(create).get(list))
        .route("/2010-04-01/Accounts/{sid}/Calls/{file}", post(update_call).get(fetch_call))
        .route("/2010-04-01/Accounts/{sid}/Calls/{call}/{file}", post(call_sub_resource))
        .route("/2010-04-01/Accounts/{sid}/Calls/{call}/Transcriptions/{file}", post(stop_transcription))
        .route(
            "/2010-04-01/Accounts/{sid}/IncomingPhoneNumbers/{file}",
            get(fetch_number).post(update_number).delete(delete_number),
        )
}

fn err(status: u16, code: u32, message: &str) -> Response {
    let body = json!({
        "code": code,
        "message": message,
        "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
        "status": status,
    });
    (StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST), Json(body)).into_response()
}

/// The content type a carrier would report for hosted media, from the URL's extension.
pub(crate) fn content_type(url: &str) -> &'static str {
    let path = url.split(['?', '#']).next().unwrap_or(url).to_ascii_lowercase();
    match path.rsplit('.').next() {
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("png") => "image/png",
        Some("gif") => "image/gif",
        Some("pdf") => "application/pdf",
        Some("mp3") => "audio/mpeg",
        Some("mp4") => "video/mp4",
        _ => "application/octet-stream",
    }
}

fn get_param<'a>(form: &'a Form, k: &str) -> Option<&'a str> {
    form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
}

fn all(form: &Form, k: &str) -> Vec<String> {
    form.iter().filter(|(n, _)| n == k).map(|(_, v)| v.clone()).collect()
}

impl Sandbox {
    /// Checks Basic auth and records the request; the auth token signs this account's webhooks.
    async fn twilio_gate(
        &self,
        sid: &str,
        headers: &HeaderMap,
        method: &Method,
        uri: &Uri,
        body: &[u8],
    ) -> Result<Form, Response> {
        let form: Form = serde_urlencoded::from_bytes(body).map_err(|_| err(400, 20001, "Malformed form body"))?;
        self.lock().requests.push(RecordedRequest {
            method: method.to_string(),
            path: uri.path().to_owned(),
            form: form.clone(),
            json: None,
        });
        let creds = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Basic "))
            .and_then(|b| base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b).ok())
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.split_once(':').map(|(u, p)| (u.to_owned(), p.to_owned())));
        let Some((user, token)) = creds else { return Err(err(401, 20003, "Authenticate")) };
        let well_formed =
            sid.len() == 34 && sid.starts_with("AC") && (user == sid || user.starts_with("SK")) && !token.is_empty();
        let known = match &self.0.config.twilio_accounts {
            Some(accounts) => accounts.get(sid).is_some_and(|t| *t == token),
            None => true,
        };
        if !(well_formed && known) {
            return Err(err(401, 20003, "Authenticate"));
        }
        if let Some(fault) = self.rest_fault().await {
            return Err(fault);
        }
        self.lock().twilio_tokens.insert(sid.to_owned(), token);
        Ok(form)
    }
}

fn call_json(c: &SimCall) -> Value {
    json!({
        "sid": c.id,
        "account_sid": c.account,
        "to": c.to,
        "from": c.from,
        "status": c.status,
        "direction": if c.inbound { "inbound" } else { "outbound-api" },
        "api_version": "2010-04-01",
        "answered_by": null,
        "duration": c.ended.then(|| c.duration_s.to_string()),
        "date_created": chrono::Utc::now().to_rfc2822(),
        "uri": format!("/2010-04-01/Accounts/{}/Calls/{}.json", c.account, c.id),
    })
}

async fn create(
    State(sb): State<Sandbox>,
    Path((sid, file)): Path<(String, String)>,
    headers: HeaderMap,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let form = match sb.twilio_gate(&sid, &headers, &method, &uri, &body).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    match file.as_str() {
        "Calls.json" => create_call(sb, sid, form).await,
        "Messages.json" => create_message(sb, sid, form).await,
        "IncomingPhoneNumbers.json" => buy_number(sb, sid, form),
        _ => err(404, 20404, "The requested resource was not found"),
    }
}

async fn create_call(sb: Sandbox, sid: String, form: Form) -> Response {
    let Some(to) = get_param(&form, "To").and_then(|t| Phone::parse(t).ok()) else {
        return err(400, 21211, "Invalid 'To' Phone Number");
    };
    let Some(from) = get_param(&form, "From").and_then(|t| Phone::parse(t).ok()) else {
        return err(400, 21212, "Invalid 'From' Phone Number");
    };
    let (url, twiml) = (get_param(&form, "Url").map(str::to_owned), get_param(&form, "Twiml").map(str::to_owned));
    if url.is_none() && twiml.is_none() {
        return err(400, 21205, "Url parameter is required");
    }
    let timeout_s = match get_param(&form, "Timeout").map(str::parse::<u64>) {
        None => 60,
        Some(Ok(t)) if t <= 600 => t,
        _ => return err(400, 21216, "Timeout must be between 1 and 600"),
    };
    let machine_detection = get_param(&form, "MachineDetection").map(str::to_owned);
    if machine_detection.as_deref().is_some_and(|m| m != "Enable" && m != "DetectMessageEnd") {
        return err(400, 21626, "MachineDetection must be Enable or DetectMessageEnd");
    }
    let outcome = sb.outcome_for(to.as_str());
    if outcome == world::Outcome::Invalid {
        return err(400, 21211, "Invalid 'To' Phone Number");
    }
    let mut call =
        SimCall::new(format!("CA{}", hex_id(32)), "twilio", sid, from.as_str().into(), to.as_str().into(), sb.now_ms());
    call.timeout_s = timeout_s;
    call.outcome = Some(outcome);
    call.twilio = Some(TwilioLeg {
        url,
        twiml,
        status_callback: get_param(&form, "StatusCallback").map(str::to_owned),
        events: all(&form, "StatusCallbackEvent"),
        machine_detection,
        async_amd: get_param(&form, "AsyncAmd") == Some("true"),
        amd_callback: get_param(&form, "AsyncAmdStatusCallback").map(str::to_owned),
    });
    let body = call_json(&call);
    let id = call.id.clone();
    sb.lock().calls.insert(id.clone(), call);
    sb.note(&id, "created");
    tokio::spawn(sb.clone().drive(id));
    (StatusCode::CREATED, Json(body)).into_response()
}

async fn update_call(
    State(sb): State<Sandbox>,
    Path((sid, file)): Path<(String, String)>,
    headers: HeaderMap,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let form = match sb.twilio_gate(&sid, &headers, &method, &uri, &body).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let call_id = file.trim_end_matches(".json").to_owned();
    let Some(call) = sb.lock().calls.get(&call_id).filter(|c| c.account == sid).cloned() else {
        return err(404, 20404, "The requested resource was not found");
    };
    if get_param(&form, "Twiml").is_some() && get_param(&form, "Url").is_some() {
        return err(400, 21220, "Twiml and Url are mutually exclusive");
    }
    if call.ended {
        return err(400, 21220, "Call is not in-progress. Cannot redirect.");
    }
    match get_param(&form, "Status") {
        Some("completed") | Some("canceled") => {
            let status = if call.answered_ms.is_some() { "completed" } else { "canceled" };
            sb.note(&call_id, "hangup requested");
            let sb2 = sb.clone();
            let id = call_id.clone();
            tokio::spawn(async move { sb2.end(&id, status, "caller").await });
        }
        Some(_) => return err(400, 21218, "Invalid Status"),
        None => {}
    }
    if let Some(twiml) = get_param(&form, "Twiml") {
        if call.answered_ms.is_none() {
            return err(400, 21220, "Call is not in-progress. Cannot redirect.");
        }
        sb.note(&call_id, "twiml update");
        tokio::spawn(sb.clone().replace_twiml(call_id.clone(), twiml.to_owned()));
    }
    let call = sb.lock().calls.get(&call_id).cloned().expect("call exists");
    Json(call_json(&call)).into_response()
}

/// `GET .../Calls/{Sid}.json`: the call as it stands.
async fn fetch_call(
    State(sb): State<Sandbox>,
    Path((sid, file)): Path<(String, String)>,
    headers: HeaderMap,
    method: Method,
    uri: Uri,
) -> Response {
    if let Err(r) = sb.twilio_gate(&sid, &headers, &method, &uri, &Bytes::new()).await {
        return r;
    }
    let call_id = file.trim_end_matches(".json");
    match sb.lock().calls.get(call_id).filter(|c| c.account == sid) {
        Some(c) => Json(call_json(c)).into_response(),
        None => err(404, 20404, "The requested resource was not found"),
    }
}

async fn call_sub_resource(
    State(sb): State<Sandbox>,
    Path((sid, call_id, file)): Path<(String, String, String)>,
    headers: HeaderMap,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let form = match sb.twilio_gate(&sid, &headers, &method, &uri, &body).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let live = sb.lock().calls.get(&call_id).filter(|c| c.account == sid).map(|c| !c.ended);
    match live {
        None => return err(404, 20404, "The requested resource was not found"),
        Some(false) => return err(400, 21220, "Call is not in-progress."),
        Some(true) => {}
    }
    let (prefix, what) = match file.as_str() {
        "Streams.json" => {
            if get_param(&form, "Url").is_none() {
                return err(400, 21201, "Url is required");
            }
            ("MZ", "stream")
        }
        "Transcriptions.json" => ("GT", "transcription"),
        "Recordings.json" => {
            if let Some(c) = sb.lock().calls.get_mut(&call_id) {
                c.recording = true;
                c.recording_callback = get_param(&form, "RecordingStatusCallback").map(str::to_owned);
            }
            ("RE", "recording")
        }
        _ => return err(404, 20404, "The requested resource was not found"),
    };
    sb.note(&call_id, format!("start {what}"));
    let sub_sid = format!("{prefix}{}", hex_id(32));
    let body = json!({
        "sid": sub_sid, "account_sid": sid, "call_sid": call_id, "status": "in-progress",
        "name": get_param(&form, "Name"), "date_updated": chrono::Utc::now().to_rfc2822(),
    });
    (StatusCode::CREATED, Json(body)).into_response()
}

async fn stop_transcription(
    State(sb): State<Sandbox>,
    Path((sid, call_id, file)): Path<(String, String, String)>,
    headers: HeaderMap,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    if let Err(r) = sb.twilio_gate(&sid, &headers, &method, &uri, &body).await {
        return r;
    }
    sb.note(&call_id, "stop transcription");
    Json(json!({ "sid": file.trim_end_matches(".json"), "call_sid": call_id, "status": "stopped" })).into_response()
}

async fn create_message(sb: Sandbox, sid: String, form: Form) -> Response {
    let Some(to) = get_param(&form, "To").and_then(|t| Phone::parse(t).ok()) else {
        return err(400, 21211, "Invalid 'To' Phone Number");
    };
    let Some(from) = get_param(&form, "From").and_then(|t| Phone::parse(t).ok()) else {
        return err(400, 21606, "The 'From' phone number provided is not a valid message-capable phone number");
    };
    let text = get_param(&form, "Body").unwrap_or_default().to_owned();
    if text.is_empty() && get_param(&form, "MediaUrl").is_none() {
        return err(400, 21602, "Message body is required");
    }
    if sb.lock().opted_out.contains(&(to.as_str().to_owned(), from.as_str().to_owned())) {
        return err(400, 21610, "Attempt to send to unsubscribed recipient");
    }
    let msg_sid = format!("SM{}", hex_id(32));
    let status_cb = get_param(&form, "StatusCallback").map(str::to_owned);
    let body = json!({
        "sid": msg_sid, "account_sid": sid, "to": to.as_str(), "from": from.as_str(), "body": text,
        "status": "queued", "direction": "outbound-api", "num_segments": "1", "api_version": "2010-04-01",
        "num_media": form.iter().filter(|(k, _)| k == "MediaUrl").count().to_string(),
        "date_created": chrono::Utc::now().to_rfc2822(),
    });
    let behaviour =
        sb.lock().sms.get(to.as_str()).cloned().unwrap_or(world::SmsBehaviour { delivered: true, reply: None });
    let sb2 = sb.clone();
    tokio::spawn(async move {
        let wait = sb2.0.config.timing.sms_ms;
        let base = |status: &str| -> Form {
            vec![
                ("AccountSid".into(), sid.clone()),
                ("ApiVersion".into(), "2010-04-01".into()),
                ("From".into(), from.as_str().into()),
                ("MessageSid".into(), msg_sid.clone()),
                ("MessageStatus".into(), status.into()),
                ("SmsSid".into(), msg_sid.clone()),
                ("SmsStatus".into(), status.into()),
                ("To".into(), to.as_str().into()),
            ]
        };
        if let Some(url) = &status_cb {
            sb2.sleep(wait / 3).await;
            sb2.twilio_hook(&sid, url, base("sent")).await;
            sb2.sleep(wait / 3).await;
            let mut last = base(if behaviour.delivered { "delivered" } else { "undelivered" });
            if !behaviour.delivered {
                last.push(("ErrorCode".into(), "30003".into()));
            }
            sb2.twilio_hook(&sid, url, last).await;
        }
        if let Some(reply) = behaviour.reply {
            sb2.sleep(wait).await;
            sb2.inbound_sms_twilio(to.as_str(), from.as_str(), &reply, &[]).await;
        }
    });
    (StatusCode::CREATED, Json(body)).into_response()
}

impl Sandbox {
    /// A text from `from` (a lead) to one of the account's Twilio numbers.
    pub(crate) async fn inbound_sms_twilio(&self, from: &str, to: &str, body: &str, media: &[String]) -> bool {
        let number = self.lock().numbers.values().find(|n| n.phone == to && n.provider == "twilio").cloned();
        let Some(number) = number else { return false };
        let Some(url) = number.sms_url.clone() else { return false };
        let word = body.trim().to_ascii_uppercase();
        if ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"].contains(&word.as_str()) {
            self.lock().opted_out.insert((from.to_owned(), to.to_owned()));
        } else if ["START", "YES", "UNSTOP"].contains(&word.as_str()) {
            self.lock().opted_out.remove(&(from.to_owned(), to.to_owned()));
        }
        let sid = format!("SM{}", hex_id(32));
        let mut params: Form = vec![
            ("AccountSid".into(), number.account.clone()),
            ("ApiVersion".into(), "2010-04-01".into()),
            ("Body".into(), body.into()),
            ("From".into(), from.into()),
            ("MessageSid".into(), sid.clone()),
            ("NumMedia".into(), media.len().to_string()),
            ("NumSegments".into(), "1".into()),
            ("SmsMessageSid".into(), sid.clone()),
            ("SmsSid".into(), sid),
            ("SmsStatus".into(), "received".into()),
            ("To".into(), to.into()),
        ];
        for (i, url) in media.iter().enumerate() {
            params.push((format!("MediaContentType{i}"), content_type(url).into()));
            params.push((format!("MediaUrl{i}"), url.clone()));
        }
        params.sort();
        self.twilio_hook(&number.account, &url, params).await;
        true
    }

    pub(crate) fn outcome_for(&self, number: &str) -> world::Outcome {
        let mut s = self.lock();
        let attempt = {
            let n = s.attempts.entry(number.to_owned()).or_default();
            *n += 1;
            *n
        };
        match s.overrides.get(number) {
            Some(o) => o.clone(),
            None => world::draw(self.0.config.seed, number, attempt, &self.0.config.mix),
        }
    }

    /// A new number in `area` that nobody holds yet.
    pub(crate) fn fresh_number(&self, area: u16) -> String {
        let mut s = self.lock();
        loop {
            s.next_number += 1;
            let candidate = format!("+1{area}555{:04}", 100 + s.next_number % 9000);
            if !s.numbers.values().any(|n| n.phone == candidate) {
                return candidate;
            }
        }
    }
}

fn number_json(n: &SimNumber) -> Value {
    json!({
        "sid": n.id, "account_sid": n.account, "phone_number": n.phone, "friendly_name": n.phone,
        "capabilities": { "voice": true, "sms": true, "mms": true, "fax": false },
        "voice_url": n.voice_url, "sms_url": n.sms_url, "status_callback": n.status_url,
        "api_version": "2010-04-01",
    })
}

fn buy_number(sb: Sandbox, sid: String, form: Form) -> Response {
    let phone = match (get_param(&form, "PhoneNumber"), get_param(&form, "AreaCode")) {
        (Some(p), _) => match Phone::parse(p) {
            Ok(p) => p.as_str().to_owned(),
            Err(_) => return err(400, 21421, "PhoneNumber is invalid"),
        },
        (None, Some(a)) => match a.parse::<u16>() {
            Ok(a) if (200..1000).contains(&a) => sb.fresh_number(a),
            _ => return err(400, 21422, "AreaCode is invalid"),
        },
        (None, None) => return err(400, 21421, "PhoneNumber or AreaCode is required"),
    };
    if sb.lock().numbers.values().any(|n| n.phone == phone) {
        return err(400, 21422, "PhoneNumber is not available");
    }
    let n = SimNumber {
        id: format!("PN{}", hex_id(32)),
        account: sid,
        provider: "twilio",
        phone,
        voice_url: get_param(&form, "VoiceUrl").map(str::to_owned),
        sms_url: get_param(&form, "SmsUrl").map(str::to_owned),
        status_url: get_param(&form, "StatusCallback").map(str::to_owned),
    };
    let body = number_json(&n);
    sb.lock().numbers.insert(n.id.clone(), n);
    (StatusCode::CREATED, Json(body)).into_response()
}

async fn list(
    State(sb): State<Sandbox>,
    Path((sid, file)): Path<(String, String)>,
    headers: HeaderMap,
    method: Method,
    uri: Uri,
) -> Response {
    if let Err(r) = sb.twilio_gate(&sid, &headers, &method, &uri, b"").await {
        return r;
    }
    if file != "IncomingPhoneNumbers.json" {
        return err(404, 20404, "The requested resource was not found");
    }
    let numbers: Vec<Value> = sb.lock().numbers.values().filter(|n| n.account == sid).map(number_json).collect();
    Json(json!({ "incoming_phone_numbers": numbers, "page": 0, "page_size": 1000 })).into_response()
}

async fn fetch_number(
    State(sb): State<Sandbox>,
    Path((sid, file)): Path<(String, String)>,
    headers: HeaderMap,
    method: Method,
    uri: Uri,
) -> Response {
    if let Err(r) = sb.twilio_gate(&sid, &headers, &method, &uri, b"").await {
        return r;
    }
    let id = file.trim_end_matches(".json");
    match sb.lock().numbers.get(id).filter(|n| n.account == sid) {
        Some(n) => Json(number_json(n)).into_response(),
        None => err(404, 20404, "The requested resource was not found"),
    }
}

async fn update_number(
    State(sb): State<Sandbox>,
    Path((sid, file)): Path<(String, String)>,
    headers: HeaderMap,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let form = match sb.twilio_gate(&sid, &headers, &method, &uri, &body).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let id = file.trim_end_matches(".json");
    let mut s = sb.lock();
    let Some(n) = s.numbers.get_mut(id).filter(|n| n.account == sid) else {
        return err(404, 20404, "The requested resource was not found");
    };
    for (k, slot) in [("VoiceUrl", &mut n.voice_url), ("SmsUrl", &mut n.sms_url), ("StatusCallback", &mut n.status_url)]
    {
        if let Some(v) = get_param(&form, k) {
            *slot = Some(v.to_owned());
        }
    }
    Json(number_json(n)).into_response()
}

async fn delete_number(
    State(sb): State<Sandbox>,
    Path((sid, file)): Path<(String, String)>,
    headers: HeaderMap,
    method: Method,
    uri: Uri,
) -> Response {
    if let Err(r) = sb.twilio_gate(&sid, &headers, &method, &uri, b"").await {
        return r;
    }
    let id = file.trim_end_matches(".json");
    let mut s = sb.lock();
    if s.numbers.get(id).is_some_and(|n| n.account == sid) {
        s.numbers.remove(id);
        StatusCode::NO_CONTENT.into_response()
    } else {
        err(404, 20404, "The requested resource was not found")
    }
}
