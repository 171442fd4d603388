//! HTTP plumbing for Telnyx Call Control and Messaging.

use super::{TelnyxCredentials, wire};
use crate::telephony::{http, *};
use serde_json::{Value, json};

/// Talks to one Telnyx account (or the sandbox carrier speaking Telnyx).
#[derive(Clone, Debug)]
pub struct TelnyxClient {
    http: reqwest::Client,
    base: String,
    creds: TelnyxCredentials,
    calls: RateLimiter,
    messages: RateLimiter,
}

impl TelnyxClient {
    pub fn new(base_url: &str, creds: TelnyxCredentials, calls_per_sec: u32, messages_per_sec: u32) -> Self {
        TelnyxClient {
            http: http::client(),
            base: base_url.trim_end_matches('/').to_owned(),
            creds,
            calls: RateLimiter::new(calls_per_sec),
            messages: RateLimiter::new(messages_per_sec),
        }
    }

    pub fn credentials(&self) -> &TelnyxCredentials {
        &self.creds
    }

    async fn send(
        &self,
        op: &'static str,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, CarrierError> {
        let mut req = self.http.request(method, format!("{}/v2/{path}", self.base)).bearer_auth(&self.creds.api_key);
        if let Some(body) = body {
            req = req.json(body);
        }
        let resp = req.send().await.map_err(|e| CarrierError::transport(op, &e))?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.map_err(|e| CarrierError::transport(op, &e))?;
        let value: Value =
            if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).unwrap_or(Value::Null) };
        if !(200..300).contains(&status) {
            let (code, detail) = wire::error(&value);
            return Err(CarrierError::from_status(
                op,
                status,
                code,
                detail.unwrap_or_else(|| format!("HTTP {status}")),
            ));
        }
        Ok(value)
    }
}

impl Carrier for TelnyxClient {
    async fn place_call(&self, call: &PlaceCall) -> Result<PlacedCall, CarrierError> {
        self.calls.acquire().await;
        let body = wire::create_call(call, &self.creds.connection_id);
        // `command_id` makes a retried dial the same dial.
        let res =
            http::with_retries(true, || self.send("create_call", reqwest::Method::POST, "calls", Some(&body))).await?;
        let id = res["data"]["call_control_id"]
            .as_str()
            .ok_or_else(|| CarrierError::invalid("create_call", "the carrier's answer has no call_control_id"))?;
        Ok(PlacedCall { provider_call_id: id.to_owned(), status: CallStatus::Queued })
    }

    async fn act(&self, call_id: &str, action: &CallAction, command_id: &str) -> Result<(), CarrierError> {
        let Some((name, body)) = wire::action(action, command_id) else {
            return Err(CarrierError::invalid(
                "call_action",
                format!("{} is done with a bridge on Telnyx", action.name()),
            ));
        };
        let path = format!("calls/{call_id}/actions/{name}");
        http::with_retries(true, || self.send("call_action", reqwest::Method::POST, &path, Some(&body)))
            .await
            .map(|_| ())
    }

    async fn call_status(&self, call_id: &str) -> Result<CallSnapshot, CarrierError> {
        let path = format!("calls/{call_id}");
        let res = http::with_retries(true, || self.send("fetch_call", reqwest::Method::GET, &path, None)).await?;
        let alive = res["data"]["is_alive"]
            .as_bool()
            .ok_or_else(|| CarrierError::invalid("fetch_call", "the carrier's answer has no is_alive"))?;
        // Telnyx tells only whether the call is alive; how it ended came (or was lost) in
        // `call.hangup`. An ended call is reported completed; the dialer reads an unanswered one
        // as not answered.
        let status = if alive { CallStatus::InProgress } else { CallStatus::Completed };
        Ok(CallSnapshot { status, duration_secs: res["data"]["call_duration"].as_u64().map(|d| d as u32) })
    }

    async fn send_message(&self, msg: &SendMessage) -> Result<SentMessage, CarrierError> {
        self.messages.acquire().await;
        let body = wire::create_message(msg, self.creds.messaging_profile_id.as_deref());
        let res = self.send("create_message", reqwest::Method::POST, "messages", Some(&body)).await?;
        let id = res["data"]["id"]
            .as_str()
            .ok_or_else(|| CarrierError::invalid("create_message", "the carrier's answer has no message id"))?;
        let status =
            res["data"]["to"][0]["status"].as_str().and_then(wire::message_status).unwrap_or(MessageStatus::Queued);
        Ok(SentMessage { provider_message_id: id.to_owned(), status })
    }

    // Number management is outside the Call Control/Messaging spec subset; these follow the
    // public Numbers API (available_phone_numbers, number_orders, phone_numbers).
    async fn buy_number(&self, req: &BuyNumber) -> Result<OwnedNumber, CarrierError> {
        let number = match (&req.number, req.area_code) {
            (Some(n), _) => n.as_str().to_owned(),
            (None, Some(area)) => {
                let path = format!("available_phone_numbers?filter[national_destination_code]={area}&filter[limit]=1");
                let found = self.send("search_numbers", reqwest::Method::GET, &path, None).await?;
                found["data"][0]["phone_number"]
                    .as_str()
                    .ok_or_else(|| {
                        CarrierError::invalid("search_numbers", format!("no number is available in area code {area}"))
                    })?
                    .to_owned()
            }
            (None, None) => return Err(CarrierError::invalid("buy_number", "give a number or an area code")),
        };
        let body = json!({
            "phone_numbers": [{ "phone_number": number }],
            "connection_id": self.creds.connection_id,
            "messaging_profile_id": self.creds.messaging_profile_id,
        });
        self.send("buy_number", reqwest::Method::POST, "number_orders", Some(&body)).await?;
        let listed = self.list_numbers().await?;
        listed.into_iter().find(|n| n.phone.as_str() == number).ok_or_else(|| {
            CarrierError::from_status("buy_number", 404, None, "the ordered number is not on the account".into())
        })
    }

    async fn list_numbers(&self) -> Result<Vec<OwnedNumber>, CarrierError> {
        let res = http::with_retries(true, || {
            self.send("list_numbers", reqwest::Method::GET, "phone_numbers?page[size]=250", None)
        })
        .await?;
        let rows = res["data"].as_array().cloned().unwrap_or_default();
        rows.iter()
            .map(|n| {
                let raw = n["phone_number"].as_str().unwrap_or_default();
                let phone = outdial_domain::contacts::Phone::parse(raw).map_err(|_| {
                    CarrierError::invalid("list_numbers", format!("the carrier returned an invalid number {raw}"))
                })?;
                Ok(OwnedNumber {
                    provider_number_id: n["id"].as_str().unwrap_or(raw).to_owned(),
                    phone,
                    voice: true,
                    sms: true,
                    mms: true,
                })
            })
            .collect()
    }

    async fn configure_number(&self, number: &OwnedNumber, _hooks: &NumberHooks) -> Result<(), CarrierError> {
        // Telnyx routes by connection and messaging profile, whose webhook URLs are set once per
        // account; the number only needs to be on our connection.
        let body = json!({ "connection_id": self.creds.connection_id, "messaging_profile_id": self.creds.messaging_profile_id });
        let path = format!("phone_numbers/{}", number.provider_number_id);
        http::with_retries(true, || self.send("configure_number", reqwest::Method::PATCH, &path, Some(&body)))
            .await
            .map(|_| ())
    }

    async fn release_number(&self, number: &OwnedNumber) -> Result<(), CarrierError> {
        let path = format!("phone_numbers/{}", number.provider_number_id);
        match self.send("release_number", reqwest::Method::DELETE, &path, None).await {
            Ok(_) => Ok(()),
            Err(e) if e.kind == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }
}
