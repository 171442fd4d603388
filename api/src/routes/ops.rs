//! Liveness, readiness and Prometheus metrics.

use crate::state::AppState;
use axum::{Json, extract::State, http::StatusCode, response::IntoResponse};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(healthz)).routes(routes!(readyz)).routes(routes!(metrics))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HealthOut {
    #[schema(example = "ok")]
    pub status: String,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "ops", operation_id = "healthz",
    responses((status = 200, description = "alive", body = HealthOut)))]
pub async fn healthz() -> Json<HealthOut> {
    Json(HealthOut { status: "ok".into() })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReadyOut {
    /// `ready` or `not_ready`.
    pub status: String,
    /// `sqlite` or `postgres`, and whether it answers.
    pub database: String,
    pub database_ok: bool,
    /// `sqlite` or `redis`, and whether it answers.
    pub queue: String,
    pub queue_ok: bool,
}

/// The database and the queue answer.
#[utoipa::path(get, path = "/readyz", tag = "ops", operation_id = "readyz",
    responses(
        (status = 200, description = "ready", body = ReadyOut),
        (status = 503, description = "a dependency is down", body = ReadyOut),
    ))]
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<ReadyOut>) {
    let (db_ok, queue_ok) = tokio::join!(outdial_infra::db::ping(&state.db), state.queue.ping());
    let ok = db_ok && queue_ok;
    let body = ReadyOut {
        status: if ok { "ready" } else { "not_ready" }.into(),
        database: state.config.database_kind().into(),
        database_ok: db_ok,
        queue: state.queue.kind().into(),
        queue_ok,
    };
    (if ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE }, Json(body))
}

/// Prometheus text exposition.
#[utoipa::path(get, path = "/metrics", tag = "ops", operation_id = "metrics",
    responses((status = 200, description = "metrics", body = String, content_type = "text/plain")))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let mut extra = Vec::new();
    match outdial_infra::queue::outbox::counts(&state.db).await {
        Ok(counts) => {
            for (status, n) in counts {
                extra.push((format!("outdial_jobs{{status=\"{status}\"}}"), n as f64));
            }
        }
        Err(e) => tracing::warn!(error = %e, "job counts unavailable for /metrics"),
    }
    ([("content-type", "text/plain; version=0.0.4")], state.metrics.render(&extra))
}
