//! Cross-cutting request handling: request ids and tracing spans, metrics, idempotency keys.

use crate::{error::ApiError, extract::authenticate, state::AppState};
use axum::{
    body::{Body, to_bytes},
    extract::{FromRequestParts, MatchedPath, Request, State},
    http::{HeaderValue, Method, StatusCode, header::HeaderName, request::Parts},
    middleware::Next,
    response::{IntoResponse, Response},
};
use outdial_infra::db::repo::idempotency::{self, Begin};
use sha2::{Digest, Sha256};
use std::{convert::Infallible, time::Instant};
use tracing::Instrument;

pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
static IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// The request's id, also the trace id carried by jobs it enqueues.
#[derive(Debug, Clone)]
pub struct TraceId(pub String);

impl<S: Send + Sync> FromRequestParts<S> for TraceId {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<TraceId>().cloned().unwrap_or_else(|| TraceId(outdial_infra::ids::raw("req_"))))
    }
}

/// Assigns (or keeps a sane client-sent) `x-request-id`, opens the request span, records metrics.
pub async fn observe(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty() && v.len() <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        .map(str::to_owned)
        .unwrap_or_else(|| outdial_infra::ids::raw("req_"));
    req.extensions_mut().insert(TraceId(id.clone()));
    let route =
        req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_owned()).unwrap_or_else(|| "unmatched".into());
    let method = req.method().clone();
    let span = tracing::info_span!("request", request_id = %id, method = %method, route = %route, tenant_id = tracing::field::Empty);
    let started = Instant::now();
    let mut res = next.run(req).instrument(span.clone()).await;
    let elapsed = started.elapsed().as_secs_f64();
    let status = res.status().as_u16().to_string();
    state
        .metrics
        .inc("outdial_http_requests_total", &[("method", method.as_str()), ("route", &route), ("status", &status)]);
    state.metrics.observe("outdial_http_request_duration_seconds", &[("route", &route)], elapsed);
    span.in_scope(|| {
        if res.status().is_server_error() {
            tracing::error!(status = %status, elapsed_ms = elapsed * 1e3, "request failed");
        } else {
            tracing::info!(status = %status, elapsed_ms = elapsed * 1e3, "request");
        }
    });
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID.clone(), v);
    }
    res
}

/// `Idempotency-Key` on creating POSTs: the first request runs; a retry with the same key and
/// body gets the first answer again; the same key with another body is a 422.
pub async fn idempotency(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let Some(key) = req.headers().get(&IDEMPOTENCY_KEY).map(|v| v.to_str().map(str::to_owned)) else {
        return next.run(req).await;
    };
    let key = match key {
        Ok(k) if !k.is_empty() && k.len() <= 255 => k,
        _ => {
            return ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_idempotency_key",
                "Idempotency-Key must be 1 to 255 visible characters",
            )
            .into_response();
        }
    };
    let (mut parts, body) = req.into_parts();
    let auth = match authenticate(&parts, &state).await {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    parts.extensions.insert(auth.clone());
    let bytes = match to_bytes(body, 1024 * 1024).await {
        Ok(b) => b,
        Err(_) => {
            return ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", "the body is over 1 MB")
                .into_response();
        }
    };
    let mut hasher = Sha256::new();
    hasher.update(parts.uri.path().as_bytes());
    hasher.update([0]);
    hasher.update(auth.user_id.as_str().as_bytes());
    hasher.update([0]);
    hasher.update(&bytes);
    let request_hash = hex::encode(hasher.finalize());
    let scoped_key = format!("{}:{key}", auth.user_id);
    match idempotency::begin(&state.db, &auth.tenant, &scoped_key, &request_hash, chrono::Utc::now()).await {
        Ok(Begin::Run) => {}
        Ok(Begin::Replay { status, body }) => {
            let mut res = Response::new(Body::from(body));
            *res.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            res.headers_mut().insert(axum::http::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            res.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
            return res;
        }
        Ok(Begin::Mismatch) => {
            return ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "this Idempotency-Key was used with a different request; use a new key",
            )
            .into_response();
        }
        Ok(Begin::InProgress) => {
            return ApiError::new(
                StatusCode::CONFLICT,
                "idempotency_key_in_progress",
                "a request with this Idempotency-Key is still running; retry shortly",
            )
            .into_response();
        }
        Err(e) => return ApiError::internal(e).into_response(),
    }
    let res = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    let (res_parts, res_body) = res.into_parts();
    let Ok(out) = to_bytes(res_body, 16 * 1024 * 1024).await else {
        let _ = idempotency::abandon(&state.db, &auth.tenant, &scoped_key).await;
        return ApiError::internal("response body unreadable").into_response();
    };
    let stored = if res_parts.status.is_server_error() {
        idempotency::abandon(&state.db, &auth.tenant, &scoped_key).await
    } else {
        idempotency::complete(
            &state.db,
            &auth.tenant,
            &scoped_key,
            res_parts.status.as_u16(),
            &String::from_utf8_lossy(&out),
        )
        .await
    };
    if let Err(e) = stored {
        tracing::error!(error = %e, "could not record the idempotent response");
    }
    Response::from_parts(res_parts, Body::from(out))
}
