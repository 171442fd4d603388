//! Teams inside the agency.

use super::dto::PageOut;
use crate::{
    error::{ApiError, ApiResult, ErrorBody},
    extract::{ApiJson, ApiPath, ApiQuery, Auth, PageQuery},
    state::AppState,
};
use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use outdial_domain::tenancy::{Role, parse_name};
use outdial_infra::db::{entity::team, repo::teams};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_team, list_teams))
        .routes(routes!(get_team, update_team, delete_team))
        .routes(routes!(list_team_members))
        .routes(routes!(add_team_member, remove_team_member))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamIn {
    #[schema(example = "Closers")]
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TeamOut {
    #[schema(example = "team_01JD3T6X8Q4M2N7P9R5S0T1VWX")]
    pub id: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

impl From<team::Model> for TeamOut {
    fn from(t: team::Model) -> TeamOut {
        TeamOut { id: t.id, name: t.name, created_at: t.created_at }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TeamMembersOut {
    /// User ids of the team's members.
    pub user_ids: Vec<String>,
}

fn name_of(body: &TeamIn) -> ApiResult<String> {
    parse_name(&body.name).map_err(|e| ApiError::field("name", e.to_string()))
}

/// Creates a team (supervisors and up).
#[utoipa::path(post, path = "/v1/teams", tag = "teams", operation_id = "create_team", request_body = TeamIn,
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "retry-safe creation")),
    responses(
        (status = 201, description = "created", body = TeamOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 409, description = "team_name_taken", body = ErrorBody),
        (status = 422, description = "validation_failed", body = ErrorBody),
    ))]
pub async fn create_team(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<TeamIn>,
) -> ApiResult<(StatusCode, Json<TeamOut>)> {
    auth.require(Role::Supervisor)?;
    let t =
        teams::create(&state.db, &auth.tenant, &name_of(&body)?, Utc::now()).await.map_err(ApiError::repo("team"))?;
    Ok((StatusCode::CREATED, Json(t.into())))
}

/// Lists teams.
#[utoipa::path(get, path = "/v1/teams", tag = "teams", operation_id = "list_teams", params(PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "a page of teams", body = PageOut<TeamOut>),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 422, description = "invalid_query", body = ErrorBody),
    ))]
pub async fn list_teams(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<PageOut<TeamOut>>> {
    let (rows, next_cursor) = teams::list(&state.db, &auth.tenant, &q.page()?).await?;
    Ok(Json(PageOut { data: rows.into_iter().map(Into::into).collect(), next_cursor }))
}

/// One team.
#[utoipa::path(get, path = "/v1/teams/{id}", tag = "teams", operation_id = "get_team",
    params(("id" = String, Path, description = "team id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the team", body = TeamOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
    ))]
pub async fn get_team(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<TeamOut>> {
    Ok(Json(teams::get(&state.db, &auth.tenant, &id).await.map_err(ApiError::repo("team"))?.into()))
}

/// Renames a team (supervisors and up).
#[utoipa::path(patch, path = "/v1/teams/{id}", tag = "teams", operation_id = "update_team", request_body = TeamIn,
    params(("id" = String, Path, description = "team id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "updated", body = TeamOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
        (status = 409, description = "team_name_taken", body = ErrorBody),
        (status = 422, description = "validation_failed", body = ErrorBody),
    ))]
pub async fn update_team(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<TeamIn>,
) -> ApiResult<Json<TeamOut>> {
    auth.require(Role::Supervisor)?;
    let name = name_of(&body)?;
    Ok(Json(teams::rename(&state.db, &auth.tenant, &id, &name).await.map_err(ApiError::repo("team"))?.into()))
}

/// Deletes a team (its members stay in the agency).
#[utoipa::path(delete, path = "/v1/teams/{id}", tag = "teams", operation_id = "delete_team",
    params(("id" = String, Path, description = "team id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "deleted"),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
    ))]
pub async fn delete_team(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    auth.require(Role::Supervisor)?;
    teams::delete(&state.db, &auth.tenant, &id).await.map_err(ApiError::repo("team"))?;
    Ok(StatusCode::NO_CONTENT)
}

/// The team's members.
#[utoipa::path(get, path = "/v1/teams/{id}/members", tag = "teams", operation_id = "list_team_members",
    params(("id" = String, Path, description = "team id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "member user ids", body = TeamMembersOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
    ))]
pub async fn list_team_members(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<TeamMembersOut>> {
    Ok(Json(TeamMembersOut {
        user_ids: teams::member_ids(&state.db, &auth.tenant, &id).await.map_err(ApiError::repo("team"))?,
    }))
}

/// Puts a member of the agency in the team (supervisors and up).
#[utoipa::path(put, path = "/v1/teams/{id}/members/{user_id}", tag = "teams", operation_id = "add_team_member",
    params(("id" = String, Path, description = "team id"), ("user_id" = String, Path, description = "member's user id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "added"),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 404, description = "no such team or member", body = ErrorBody),
        (status = 409, description = "already_in_team", body = ErrorBody),
    ))]
pub async fn add_team_member(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath((id, user_id)): ApiPath<(String, String)>,
) -> ApiResult<StatusCode> {
    auth.require(Role::Supervisor)?;
    teams::add_member(&state.db, &auth.tenant, &id, &user_id, Utc::now())
        .await
        .map_err(ApiError::repo("team or member"))?;
    Ok(StatusCode::NO_CONTENT)
}

/// Takes a member out of the team (supervisors and up).
#[utoipa::path(delete, path = "/v1/teams/{id}/members/{user_id}", tag = "teams", operation_id = "remove_team_member",
    params(("id" = String, Path, description = "team id"), ("user_id" = String, Path, description = "member's user id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "removed"),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
    ))]
pub async fn remove_team_member(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath((id, user_id)): ApiPath<(String, String)>,
) -> ApiResult<StatusCode> {
    auth.require(Role::Supervisor)?;
    teams::remove_member(&state.db, &auth.tenant, &id, &user_id).await.map_err(ApiError::repo("team member"))?;
    Ok(StatusCode::NO_CONTENT)
}
