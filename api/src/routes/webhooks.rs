//! Carrier webhooks: `/webhooks/twilio/{account}/{hook}` and `/webhooks/telnyx/{account}`.
//! Not part of the public API document: carriers call them, signed.

use crate::{error::ApiError, state::AppState};
use axum::{
    Router,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode, Uri, header},
    response::{IntoResponse, Response},
    routing::post,
};
use outdial_infra::telephony::twilio::wire::Hook as TwilioHook;
use outdial_infra::voice::ingest::{self, Hook, Incoming, IngestError, Reply};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/webhooks/twilio/{account}/{hook}", post(twilio_webhook))
        .route("/webhooks/telnyx/{account}", post(telnyx_webhook))
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

fn answer(result: Result<Reply, IngestError>) -> Response {
    match result {
        Ok(Reply::Empty) => StatusCode::NO_CONTENT.into_response(),
        Ok(Reply::Twiml(xml)) => ([(header::CONTENT_TYPE, "text/xml")], xml).into_response(),
        Err(IngestError::UnknownAccount) => {
            ApiError::new(StatusCode::NOT_FOUND, "carrier_account_not_found", "no such carrier account").into_response()
        }
        Err(IngestError::Forbidden(e)) => {
            ApiError::new(StatusCode::FORBIDDEN, "invalid_signature", e.to_string()).into_response()
        }
        Err(IngestError::Malformed(d)) => {
            ApiError::new(StatusCode::BAD_REQUEST, "malformed_webhook", d).into_response()
        }
        Err(IngestError::Internal(e)) => ApiError::internal(e).into_response(),
    }
}

async fn twilio_webhook(
    State(state): State<AppState>,
    Path((account, hook)): Path<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(hook) = TwilioHook::parse(&hook) else {
        return ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such webhook").into_response();
    };
    // Twilio signs the URL it was given: our public URL plus this path and query.
    let path_and_query = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let url = format!("{}{path_and_query}", state.voice.public_url());
    let call_hint = hint(&uri);
    let signature = header(&headers, "x-twilio-signature").map(str::to_owned);
    to_completion(async move {
        let req = Incoming {
            account_id: &account,
            hook: Hook::Twilio(hook),
            url,
            call_hint,
            twilio_signature: signature.as_deref(),
            telnyx_timestamp: None,
            telnyx_signature: None,
            body: &body,
            now: chrono::Utc::now(),
        };
        answer(ingest::ingest(&state.voice, req).await)
    })
    .await
}

/// Runs a webhook to the end even if the carrier stops waiting for the answer (a slow moment,
/// a timeout): a dropped request would otherwise cancel the work mid-way, roll back the event
/// and lose it, since a carrier does not always deliver a status again.
async fn to_completion(work: impl std::future::Future<Output = Response> + Send + 'static) -> Response {
    match tokio::spawn(work).await {
        Ok(r) => r,
        Err(e) => ApiError::internal(e).into_response(),
    }
}

/// Our call or message id from the query (`?call=`, `?message=`), where we put one.
fn hint(uri: &Uri) -> Option<String> {
    uri.query()?
        .split('&')
        .find_map(|kv| kv.strip_prefix("call=").or_else(|| kv.strip_prefix("message=")))
        .map(str::to_owned)
}

async fn telnyx_webhook(
    State(state): State<AppState>,
    Path(account): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let call_hint = hint(&uri);
    let timestamp = header(&headers, "telnyx-timestamp").map(str::to_owned);
    let signature = header(&headers, "telnyx-signature-ed25519").map(str::to_owned);
    to_completion(async move {
        let req = Incoming {
            account_id: &account,
            hook: Hook::Telnyx,
            url: String::new(),
            call_hint,
            twilio_signature: None,
            telnyx_timestamp: timestamp.as_deref(),
            telnyx_signature: signature.as_deref(),
            body: &body,
            now: chrono::Utc::now(),
        };
        answer(ingest::ingest(&state.voice, req).await)
    })
    .await
}
