//! The HTTP tier: REST API under `/v1`, ops endpoints, API docs, and the process runner used by
//! the `outdial` binary and the test harness.

pub mod bench_webhooks;
pub mod cli;
pub mod error;
pub mod extract;
pub mod floor;
pub mod middleware;
pub mod routes;
pub mod run;
pub mod state;
pub mod web;

use axum::{
    Json, Router,
    extract::DefaultBodyLimit,
    http::{StatusCode, header},
    middleware::{from_fn, from_fn_with_state},
    response::{IntoResponse, Response},
    routing::get,
};
use error::ApiError;
use routes::*;
use state::AppState;
use utoipa::{
    Modify, OpenApi,
    openapi::security::{Http, HttpAuthScheme, SecurityScheme},
};
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Outdial API",
        description = "Multi-tenant outbound calling: agencies, members, teams, API keys, campaigns and compliance. \
Errors are JSON `{code, detail}` with stable snake_case codes; lists use cursor pagination; creating POSTs accept an `Idempotency-Key` header.",
        version = "1.0.0"
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Signup, login, sessions, passwords"),
        (name = "me", description = "The caller"),
        (name = "tenant", description = "The caller's agency"),
        (name = "members", description = "People in the agency"),
        (name = "teams", description = "Teams"),
        (name = "invitations", description = "Inviting people"),
        (name = "api-keys", description = "Keys for integrators"),
        (name = "jobs", description = "Background jobs and the dead-letter view"),
        (name = "contacts", description = "Contacts (leads), consents, debts, the attempt ledger"),
        (name = "lists", description = "Lists of contacts"),
        (name = "dnc", description = "Internal do-not-call list and suppression lists"),
        (name = "compliance", description = "The compliance gate, its audit log and settings"),
        (name = "imports", description = "CSV list imports with column mapping and progress"),
        (name = "events", description = "Realtime events (Server-Sent Events)"),
        (name = "carriers", description = "Carrier accounts (Twilio, Telnyx, sandbox)"),
        (name = "numbers", description = "Phone numbers, local presence, number health"),
        (name = "calls", description = "Calls and callback tasks"),
        (name = "texts", description = "Texts through the compliance gate; inbound STOP, HELP and START"),
        (name = "campaigns", description = "Dialing campaigns: settings, start/pause/stop, stats, attempts"),
        (name = "agents", description = "Agent sessions, dispositions, callbacks and scripts"),
        (name = "voicemails", description = "Voicemail templates played after the beep"),
        (name = "ops", description = "Health, readiness, metrics"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                Http::builder()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An access token from /v1/auth/login or an API key (od_...)"))
                    .build(),
            ),
        );
    }
}

fn public_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(auth::router())
        .merge(invitations::public_router())
        .merge(ops::router())
}

fn authed_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(auth::authed_router())
        .merge(me::router())
        .merge(tenant::router())
        .merge(members::router())
        .merge(teams::router())
        .merge(invitations::router())
        .merge(api_keys::router())
        .merge(jobs::router())
        .merge(contacts::router())
        .merge(lists::router())
        .merge(dnc::router())
        .merge(compliance::router())
        .merge(imports::router())
        .merge(events::router())
        .merge(carriers::router())
        .merge(numbers::router())
        .merge(calls::router())
        .merge(texts::router())
        .merge(campaigns::router())
        .merge(analytics::router())
        .merge(voicemails::router())
        .merge(agents::router())
        .merge(monitors::router())
}

/// Routes that stream their request body (no JSON limit, no idempotency buffering).
fn streaming_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().merge(imports::upload_router()).merge(voicemails::upload_router())
}

/// The OpenAPI document of the live router.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = public_routes().split_for_parts();
    let (_, authed) = authed_routes().split_for_parts();
    doc.merge(authed);
    let (_, streaming) = streaming_routes().split_for_parts();
    doc.merge(streaming);
    doc
}

/// `openapi()` as pretty JSON with a trailing newline, as committed in `openapi/openapi.json`.
pub fn openapi_json() -> String {
    let mut s = openapi().to_pretty_json().unwrap_or_default();
    s.push('\n');
    s
}

/// The whole HTTP application.
pub fn app(state: AppState) -> Router {
    let (public, mut doc) = public_routes().split_for_parts();
    let (authed, authed_doc) = authed_routes().split_for_parts();
    doc.merge(authed_doc);
    let (streaming, streaming_doc) = streaming_routes().split_for_parts();
    doc.merge(streaming_doc);
    let spec = std::sync::Arc::new(doc);
    let web = web::WebApp::new(web::web_dir(state.config.web_dir.as_deref()));
    Router::new()
        .merge(public)
        .merge(authed.layer(from_fn_with_state(state.clone(), middleware::idempotency)))
        .merge(streaming)
        .route("/openapi.json", get(move || async move { Json(spec.as_ref().clone()) }))
        .route("/docs", get(docs::docs_page))
        .merge(webhooks::router())
        .merge(voicemails::media_router())
        .nest("/sandbox", state.sandbox.router())
        .fallback(move |req| web.clone().handle(req))
        .layer(from_fn(json_errors))
        .layer(DefaultBodyLimit::max(1024 * 1024))
        .layer(from_fn_with_state(state.clone(), middleware::observe))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| {
            ApiError::internal("handler panicked").into_response()
        }))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such route; see /docs")
}

/// Framework answers without a body (405, 413 from a limit) get the API's error body too.
async fn json_errors(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let res = next.run(req).await;
    if res.headers().contains_key(header::CONTENT_TYPE) || res.status().is_success() {
        return res;
    }
    match res.status() {
        StatusCode::METHOD_NOT_ALLOWED => ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "this route does not take that method; see /docs",
        )
        .into_response(),
        StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", "the body is over 1 MB").into_response()
        }
        _ => res,
    }
}
