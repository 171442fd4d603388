//! API keys for integrators.

use super::{
    FieldErrors,
    dto::{PageOut, RoleDto, stored_role},
};
use crate::{
    error::{ApiError, ApiResult, ErrorBody},
    extract::{ApiJson, ApiPath, ApiQuery, Auth, PageQuery},
    state::AppState,
};
use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use outdial_domain::tenancy::{Role, parse_name};
use outdial_infra::db::{entity::api_key, repo::api_keys};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_api_key, list_api_keys)).routes(routes!(get_api_key, delete_api_key))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiKeyIn {
    /// What the key is for, e.g. "CRM sync".
    #[schema(example = "CRM sync")]
    pub name: String,
    /// What the key may do; at most the creator's own role (default: the creator's role).
    pub role: Option<RoleDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyOut {
    #[schema(example = "key_01JD3T6X8Q4M2N7P9R5S0T1VWX")]
    pub id: String,
    pub name: String,
    pub role: RoleDto,
    /// The first characters of the key, to recognize it.
    pub prefix: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<api_key::Model> for ApiKeyOut {
    fn from(k: api_key::Model) -> ApiKeyOut {
        ApiKeyOut {
            role: stored_role(&k.role),
            id: k.id,
            name: k.name,
            prefix: k.prefix,
            created_by: k.created_by,
            created_at: k.created_at,
            last_used_at: k.last_used_at,
            revoked_at: k.revoked_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyCreatedOut {
    /// The key itself. Shown this once; store it now.
    pub key: String,
    #[serde(flatten)]
    pub details: ApiKeyOut,
}

/// Creates an API key (admins and owners). The key is in the response once and never again.
#[utoipa::path(post, path = "/v1/api-keys", tag = "api-keys", operation_id = "create_api_key", request_body = ApiKeyIn,
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "retry-safe creation")),
    responses(
        (status = 201, description = "created", body = ApiKeyCreatedOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 422, description = "validation_failed", body = ErrorBody),
    ))]
pub async fn create_api_key(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<ApiKeyIn>,
) -> ApiResult<(StatusCode, Json<ApiKeyCreatedOut>)> {
    auth.require(Role::Admin)?;
    let mut errs = FieldErrors::default();
    let name = errs.check("name", parse_name(&body.name));
    let role: Role = body.role.map(Role::from).unwrap_or(auth.role);
    if !auth.role.may_grant(role) {
        errs.check::<(), _>("role", Err("cannot exceed your own role"));
    }
    errs.finish()?;
    let name = name.ok_or_else(|| ApiError::internal("validated name missing"))?;
    let created = api_keys::create(&state.db, &auth.tenant, &name, role, auth.user_id.as_str(), Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(ApiKeyCreatedOut { key: created.key, details: created.model.into() })))
}

/// Lists the agency's API keys, revoked ones included (admins and owners).
#[utoipa::path(get, path = "/v1/api-keys", tag = "api-keys", operation_id = "list_api_keys", params(PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "a page of keys", body = PageOut<ApiKeyOut>),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 422, description = "invalid_query", body = ErrorBody),
    ))]
pub async fn list_api_keys(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<PageOut<ApiKeyOut>>> {
    auth.require(Role::Admin)?;
    let (rows, next_cursor) = api_keys::list(&state.db, &auth.tenant, &q.page()?).await?;
    Ok(Json(PageOut { data: rows.into_iter().map(Into::into).collect(), next_cursor }))
}

/// One API key (admins and owners).
#[utoipa::path(get, path = "/v1/api-keys/{id}", tag = "api-keys", operation_id = "get_api_key",
    params(("id" = String, Path, description = "key id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the key", body = ApiKeyOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
    ))]
pub async fn get_api_key(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<ApiKeyOut>> {
    auth.require(Role::Admin)?;
    Ok(Json(api_keys::get(&state.db, &auth.tenant, &id).await.map_err(ApiError::repo("api key"))?.into()))
}

/// Revokes an API key at once (admins and owners).
#[utoipa::path(delete, path = "/v1/api-keys/{id}", tag = "api-keys", operation_id = "delete_api_key",
    params(("id" = String, Path, description = "key id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "revoked"),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
    ))]
pub async fn delete_api_key(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    auth.require(Role::Admin)?;
    api_keys::revoke(&state.db, &auth.tenant, &id, Utc::now()).await.map_err(ApiError::repo("api key"))?;
    Ok(StatusCode::NO_CONTENT)
}
