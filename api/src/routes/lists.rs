//! Lists of contacts.

use super::dto::PageOut;
use crate::{
    error::{ApiError, ApiResult, ErrorBody},
    extract::{ApiJson, ApiPath, ApiQuery, Auth, PageQuery},
    state::AppState,
};
use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use outdial_domain::tenancy::{Role, parse_name};
use outdial_infra::db::{entity::list, repo::lists};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_list, list_lists)).routes(routes!(get_list, delete_list))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListIn {
    #[schema(example = "November leads")]
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListOut {
    #[schema(example = "list_01JD3T6X8Q4M2N7P9R5S0T1VWX")]
    pub id: String,
    pub name: String,
    /// How many contacts it holds.
    pub size: u64,
    pub created_at: DateTime<Utc>,
}

fn out(l: list::Model, size: u64) -> ListOut {
    ListOut { id: l.id, name: l.name, size, created_at: l.created_at }
}

/// Creates a list (supervisors and up).
#[utoipa::path(post, path = "/v1/lists", tag = "lists", operation_id = "create_list", request_body = ListIn,
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "retry-safe creation")),
    responses(
        (status = 201, description = "created", body = ListOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 422, description = "validation_failed", body = ErrorBody),
    ))]
pub async fn create_list(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<ListIn>,
) -> ApiResult<(StatusCode, Json<ListOut>)> {
    auth.require(Role::Supervisor)?;
    let name = parse_name(&body.name).map_err(|e| ApiError::field("name", e.to_string()))?;
    let l = lists::create(&state.db, &auth.tenant, &name, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(out(l, 0))))
}

/// Lists the agency's lists.
#[utoipa::path(get, path = "/v1/lists", tag = "lists", operation_id = "list_lists", params(PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "a page of lists", body = PageOut<ListOut>),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 422, description = "invalid_query", body = ErrorBody),
    ))]
pub async fn list_lists(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<PageOut<ListOut>>> {
    let (rows, next_cursor) = lists::list(&state.db, &auth.tenant, &q.page()?).await?;
    let mut data = Vec::with_capacity(rows.len());
    for l in rows {
        let size = lists::size(&state.db, &auth.tenant, &l.id).await?;
        data.push(out(l, size));
    }
    Ok(Json(PageOut { data, next_cursor }))
}

/// One list.
#[utoipa::path(get, path = "/v1/lists/{id}", tag = "lists", operation_id = "get_list",
    params(("id" = String, Path, description = "list id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the list", body = ListOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
    ))]
pub async fn get_list(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<ListOut>> {
    let l = lists::get(&state.db, &auth.tenant, &id).await.map_err(ApiError::repo("list"))?;
    let size = lists::size(&state.db, &auth.tenant, &id).await?;
    Ok(Json(out(l, size)))
}

/// Deletes a list; its contacts stay.
#[utoipa::path(delete, path = "/v1/lists/{id}", tag = "lists", operation_id = "delete_list",
    params(("id" = String, Path, description = "list id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "deleted"),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
    ))]
pub async fn delete_list(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    auth.require(Role::Supervisor)?;
    let tx = outdial_infra::db::begin(&state.db).await?;
    lists::delete(&tx, &auth.tenant, &id).await.map_err(ApiError::repo("list"))?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
