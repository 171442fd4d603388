//! HTTP plumbing for Twilio's REST API.

use super::{TwilioCredentials, wire};
use crate::telephony::{http, *};

/// Talks to one Twilio account (or the sandbox carrier speaking Twilio).
#[derive(Clone, Debug)]
pub struct TwilioClient {
    http: reqwest::Client,
    base: String,
    creds: TwilioCredentials,
    calls: RateLimiter,
    messages: RateLimiter,
}

impl TwilioClient {
    pub fn new(base_url: &str, creds: TwilioCredentials, calls_per_sec: u32, messages_per_sec: u32) -> Self {
        TwilioClient {
            http: http::client(),
            base: base_url.trim_end_matches('/').to_owned(),
            creds,
            calls: RateLimiter::new(calls_per_sec),
            messages: RateLimiter::new(messages_per_sec),
        }
    }

    pub fn credentials(&self) -> &TwilioCredentials {
        &self.creds
    }

    fn url(&self, rest: &str) -> String {
        format!("{}/2010-04-01/Accounts/{}/{rest}", self.base, self.creds.account_sid)
    }

    async fn send<T: serde::de::DeserializeOwned>(
        &self,
        op: &'static str,
        method: reqwest::Method,
        rest: &str,
        form: Option<&wire::Form>,
    ) -> Result<T, CarrierError> {
        let mut req =
            self.http.request(method, self.url(rest)).basic_auth(&self.creds.account_sid, Some(&self.creds.auth_token));
        if let Some(form) = form {
            req = req.form(form);
        }
        let resp = req.send().await.map_err(|e| CarrierError::transport(op, &e))?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.map_err(|e| CarrierError::transport(op, &e))?;
        if !(200..300).contains(&status) {
            let body: Option<wire::ErrorBody> = serde_json::from_slice(&bytes).ok();
            let code = body.as_ref().and_then(|b| b.code).map(|c| c.to_string());
            let detail = body.and_then(|b| b.message).unwrap_or_else(|| format!("HTTP {status}"));
            return Err(CarrierError::from_status(op, status, code, detail));
        }
        let bytes = if bytes.is_empty() { b"null".as_slice().into() } else { bytes };
        serde_json::from_slice(&bytes)
            .map_err(|e| CarrierError::invalid(op, format!("unexpected response from the carrier: {e}")))
    }
}

impl Carrier for TwilioClient {
    async fn place_call(&self, call: &PlaceCall) -> Result<PlacedCall, CarrierError> {
        self.calls.acquire().await;
        // Twilio has no idempotency key for CreateCall: never retried here.
        let form = wire::create_call(call);
        let res: wire::CallResource =
            self.send("create_call", reqwest::Method::POST, "Calls.json", Some(&form)).await?;
        let status = wire::call_status(&res.status).unwrap_or(CallStatus::Queued);
        Ok(PlacedCall { provider_call_id: res.sid, status })
    }

    async fn act(&self, call_id: &str, action: &CallAction, _command_id: &str) -> Result<(), CarrierError> {
        let path = format!("Calls/{call_id}.json");
        let (op, path, form): (&'static str, String, wire::Form) = match action {
            CallAction::StartRecording { dual_channel } => {
                let channels = if *dual_channel { "dual" } else { "mono" };
                (
                    "start_recording",
                    format!("Calls/{call_id}/Recordings.json"),
                    vec![("RecordingChannels".into(), channels.into())],
                )
            }
            CallAction::StartTranscription { callback_url } => (
                "start_transcription",
                format!("Calls/{call_id}/Transcriptions.json"),
                vec![("StatusCallbackUrl".into(), callback_url.clone()), ("Track".into(), "both_tracks".into())],
            ),
            CallAction::StartStream { url } => {
                ("start_stream", format!("Calls/{call_id}/Streams.json"), vec![("Url".into(), url.clone())])
            }
            // Twilio answers by returning TwiML to the voice request.
            CallAction::Answer => return Ok(()),
            CallAction::Bridge { .. } | CallAction::Transfer { .. } | CallAction::SwitchSupervisorRole { .. } => {
                return Err(CarrierError::invalid(
                    "update_call",
                    format!("{} is done with a conference on Twilio", action.name()),
                ));
            }
            other => ("update_call", path, wire::update_call(other).expect("TwiML actions have a form")),
        };
        // Updates set an end state (TwiML or status), so repeating one is harmless.
        http::with_retries(true, || async {
            self.send::<serde_json::Value>(op, reqwest::Method::POST, &path, Some(&form)).await
        })
        .await
        .map(|_| ())
    }

    async fn call_status(&self, call_id: &str) -> Result<CallSnapshot, CarrierError> {
        let path = format!("Calls/{call_id}.json");
        let res: wire::CallResource =
            http::with_retries(true, || self.send("fetch_call", reqwest::Method::GET, &path, None)).await?;
        let status = wire::call_status(&res.status)
            .ok_or_else(|| CarrierError::invalid("fetch_call", format!("unknown call status {:?}", res.status)))?;
        Ok(CallSnapshot { status, duration_secs: res.duration.and_then(|d| d.parse().ok()) })
    }

    async fn send_message(&self, msg: &SendMessage) -> Result<SentMessage, CarrierError> {
        self.messages.acquire().await;
        let form = wire::create_message(msg);
        let res: wire::MessageResource =
            self.send("create_message", reqwest::Method::POST, "Messages.json", Some(&form)).await?;
        let status = wire::message_status(&res.status).unwrap_or(MessageStatus::Queued);
        Ok(SentMessage { provider_message_id: res.sid, status })
    }

    async fn buy_number(&self, req: &BuyNumber) -> Result<OwnedNumber, CarrierError> {
        let form = wire::number_form(
            req.number.as_ref().map(|p| p.as_str()),
            req.area_code,
            &req.hooks,
            req.friendly_name.as_deref(),
        );
        let res: wire::NumberResource =
            self.send("buy_number", reqwest::Method::POST, "IncomingPhoneNumbers.json", Some(&form)).await?;
        owned(res)
    }

    async fn list_numbers(&self) -> Result<Vec<OwnedNumber>, CarrierError> {
        let page: wire::NumberPage = http::with_retries(true, || async {
            self.send("list_numbers", reqwest::Method::GET, "IncomingPhoneNumbers.json?PageSize=1000", None).await
        })
        .await?;
        page.incoming_phone_numbers.into_iter().map(owned).collect()
    }

    async fn configure_number(&self, number: &OwnedNumber, hooks: &NumberHooks) -> Result<(), CarrierError> {
        let form = wire::number_form(None, None, hooks, None);
        let path = format!("IncomingPhoneNumbers/{}.json", number.provider_number_id);
        http::with_retries(true, || async {
            self.send::<serde_json::Value>("configure_number", reqwest::Method::POST, &path, Some(&form)).await
        })
        .await
        .map(|_| ())
    }

    async fn release_number(&self, number: &OwnedNumber) -> Result<(), CarrierError> {
        let path = format!("IncomingPhoneNumbers/{}.json", number.provider_number_id);
        match self.send::<serde_json::Value>("release_number", reqwest::Method::DELETE, &path, None).await {
            Ok(_) => Ok(()),
            // Already gone is what we wanted.
            Err(e) if e.kind == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }
}

fn owned(res: wire::NumberResource) -> Result<OwnedNumber, CarrierError> {
    let phone = outdial_domain::contacts::Phone::parse(&res.phone_number).map_err(|_| {
        CarrierError::invalid("buy_number", format!("the carrier returned an invalid number {}", res.phone_number))
    })?;
    Ok(OwnedNumber {
        provider_number_id: res.sid,
        phone,
        voice: res.capabilities.voice,
        sms: res.capabilities.sms,
        mms: res.capabilities.mms,
    })
}
