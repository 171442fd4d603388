//! Members of the agency and their roles.

use super::dto::{MemberOut, PageOut, RoleDto};
use crate::{
    error::{ApiError, ApiResult, ErrorBody},
    extract::{ApiJson, ApiPath, ApiQuery, Auth, PageQuery},
    state::AppState,
};
use axum::{Json, extract::State, http::StatusCode};
use outdial_domain::tenancy::Role;
use outdial_infra::db::repo::{members, users};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_members)).routes(routes!(get_member, update_member, delete_member))
}

/// Lists the agency's members.
#[utoipa::path(get, path = "/v1/members", tag = "members", operation_id = "list_members", params(PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "a page of members", body = PageOut<MemberOut>),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 422, description = "invalid_query", body = ErrorBody),
    ))]
pub async fn list_members(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<PageOut<MemberOut>>> {
    let (rows, next_cursor) = members::list(&state.db, &auth.tenant, &q.page()?).await?;
    let people = users::by_ids(&state.db, rows.iter().map(|m| m.user_id.clone()).collect()).await?;
    let data = rows
        .into_iter()
        .filter_map(|m| people.iter().find(|u| u.id == m.user_id).cloned().map(|u| MemberOut::new(m, u)))
        .collect();
    Ok(Json(PageOut { data, next_cursor }))
}

/// One member.
#[utoipa::path(get, path = "/v1/members/{user_id}", tag = "members", operation_id = "get_member",
    params(("user_id" = String, Path, description = "the member's user id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the member", body = MemberOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
    ))]
pub async fn get_member(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(user_id): ApiPath<String>,
) -> ApiResult<Json<MemberOut>> {
    let m = members::get(&state.db, &auth.tenant, &user_id).await.map_err(ApiError::repo("member"))?;
    let u = users::by_id(&state.db, &m.user_id).await?;
    Ok(Json(MemberOut::new(m, u)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberPatch {
    pub role: RoleDto,
}

fn guard_change(auth: &Auth, current: &str, new: Option<Role>) -> ApiResult<()> {
    auth.require(Role::Admin)?;
    let current = Role::parse(current).unwrap_or(Role::Agent);
    // Only owners touch owners; nobody grants more than they hold.
    if current == Role::Owner && auth.role != Role::Owner {
        return Err(ApiError::forbidden());
    }
    if let Some(r) = new
        && !auth.role.may_grant(r)
    {
        return Err(ApiError::field("role", "cannot exceed your own role"));
    }
    Ok(())
}

/// Changes a member's role (admins; only owners make or unmake owners).
#[utoipa::path(patch, path = "/v1/members/{user_id}", tag = "members", operation_id = "update_member", request_body = MemberPatch,
    params(("user_id" = String, Path, description = "the member's user id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "updated", body = MemberOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
        (status = 409, description = "last_owner", body = ErrorBody),
        (status = 422, description = "validation_failed", body = ErrorBody),
    ))]
pub async fn update_member(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(user_id): ApiPath<String>,
    ApiJson(body): ApiJson<MemberPatch>,
) -> ApiResult<Json<MemberOut>> {
    let current = members::get(&state.db, &auth.tenant, &user_id).await.map_err(ApiError::repo("member"))?;
    guard_change(&auth, &current.role, Some(body.role.into()))?;
    let m = members::set_role(&state.db, &auth.tenant, &user_id, body.role.into())
        .await
        .map_err(ApiError::repo("member"))?;
    let u = users::by_id(&state.db, &m.user_id).await?;
    Ok(Json(MemberOut::new(m, u)))
}

/// Removes a member: their sessions, keys and team places go with them.
#[utoipa::path(delete, path = "/v1/members/{user_id}", tag = "members", operation_id = "delete_member",
    params(("user_id" = String, Path, description = "the member's user id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "removed"),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
        (status = 409, description = "last_owner", body = ErrorBody),
    ))]
pub async fn delete_member(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(user_id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    let current = members::get(&state.db, &auth.tenant, &user_id).await.map_err(ApiError::repo("member"))?;
    guard_change(&auth, &current.role, None)?;
    members::remove(&state.db, &auth.tenant, &user_id).await.map_err(ApiError::repo("member"))?;
    Ok(StatusCode::NO_CONTENT)
}
