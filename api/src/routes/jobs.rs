//! The agency's background jobs, with the dead-letter view and retry.

use super::dto::PageOut;
use crate::{
    error::{ApiError, ApiResult, ErrorBody},
    extract::{ApiPath, ApiQuery, Auth},
    state::AppState,
};
use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use outdial_domain::tenancy::Role;
use outdial_infra::{db::entity::job, queue::outbox};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_jobs)).routes(routes!(get_job)).routes(routes!(retry_job))
}

/// A job's state.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Pending,
    Queued,
    Running,
    Done,
    Dead,
}

impl JobStatus {
    fn as_str(self) -> &'static str {
        match self {
            JobStatus::Pending => outbox::status::PENDING,
            JobStatus::Queued => outbox::status::QUEUED,
            JobStatus::Running => outbox::status::RUNNING,
            JobStatus::Done => outbox::status::DONE,
            JobStatus::Dead => outbox::status::DEAD,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JobQuery {
    /// Only jobs in this state (`dead` is the dead-letter view).
    #[param(inline)]
    pub status: Option<JobStatus>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JobOut {
    #[schema(example = "job_01JD3T6X8Q4M2N7P9R5S0T1VWX")]
    pub id: String,
    #[schema(example = "SendInvitationEmailV1")]
    pub kind: String,
    #[schema(example = "done")]
    pub status: String,
    pub attempts: i32,
    pub max_attempts: i32,
    pub last_error: Option<String>,
    pub trace_id: String,
    pub available_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<job::Model> for JobOut {
    fn from(j: job::Model) -> JobOut {
        JobOut {
            id: j.id,
            kind: j.kind,
            status: j.status,
            attempts: j.attempts,
            max_attempts: j.max_attempts,
            last_error: j.last_error,
            trace_id: j.trace_id,
            available_at: j.available_at,
            created_at: j.created_at,
            finished_at: j.finished_at,
        }
    }
}

/// Lists the agency's background jobs, newest first (admins and owners).
#[utoipa::path(get, path = "/v1/jobs", tag = "jobs", operation_id = "list_jobs", params(JobQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "a page of jobs", body = PageOut<JobOut>),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 422, description = "invalid_query", body = ErrorBody),
    ))]
pub async fn list_jobs(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<JobQuery>,
) -> ApiResult<Json<PageOut<JobOut>>> {
    auth.require(Role::Admin)?;
    let page = crate::extract::PageQuery { limit: q.limit, cursor: q.cursor }.page()?;
    let rows =
        outbox::list(&state.db, &auth.tenant, q.status.map(JobStatus::as_str), page.cursor.as_deref(), page.limit + 1)
            .await?;
    let (rows, next_cursor) = page.finish(rows, |j| j.id.clone());
    Ok(Json(PageOut { data: rows.into_iter().map(Into::into).collect(), next_cursor }))
}

/// One job (admins and owners).
#[utoipa::path(get, path = "/v1/jobs/{id}", tag = "jobs", operation_id = "get_job",
    params(("id" = String, Path, description = "job id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the job", body = JobOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
    ))]
pub async fn get_job(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<JobOut>> {
    auth.require(Role::Admin)?;
    Ok(Json(outbox::get(&state.db, &auth.tenant, &id).await?.ok_or_else(|| ApiError::not_found("job"))?.into()))
}

/// Puts a dead job back in line (admins and owners).
#[utoipa::path(post, path = "/v1/jobs/{id}/retry", tag = "jobs", operation_id = "retry_job",
    params(("id" = String, Path, description = "job id")),
    security(("bearer" = [])),
    responses(
        (status = 202, description = "queued again", body = JobOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
        (status = 409, description = "job_not_dead", body = ErrorBody),
    ))]
pub async fn retry_job(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<(StatusCode, Json<JobOut>)> {
    auth.require(Role::Admin)?;
    outbox::get(&state.db, &auth.tenant, &id).await?.ok_or_else(|| ApiError::not_found("job"))?;
    if !outbox::retry_dead(&state.db, &auth.tenant, &id, Utc::now()).await? {
        return Err(ApiError::new(StatusCode::CONFLICT, "job_not_dead", "only dead jobs can be retried"));
    }
    state.relay_wake.notify_one();
    let row = outbox::get(&state.db, &auth.tenant, &id).await?.ok_or_else(|| ApiError::not_found("job"))?;
    Ok((StatusCode::ACCEPTED, Json(row.into())))
}
