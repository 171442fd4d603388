//! The caller's agency.

use super::dto::TenantOut;
use crate::{
    error::{ApiError, ApiResult, ErrorBody},
    extract::{ApiJson, Auth},
    state::AppState,
};
use axum::{Json, extract::State};
use outdial_domain::tenancy::{Role, parse_name};
use outdial_infra::db::repo::tenants;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_tenant, update_tenant))
}

/// The caller's agency.
#[utoipa::path(get, path = "/v1/tenant", tag = "tenant", operation_id = "get_tenant", security(("bearer" = [])),
    responses(
        (status = 200, description = "the agency", body = TenantOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
    ))]
pub async fn get_tenant(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<TenantOut>> {
    Ok(Json(tenants::get(&state.db, &auth.tenant).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenantPatch {
    pub name: String,
}

/// Renames the agency (admins and owners); the slug stays.
#[utoipa::path(patch, path = "/v1/tenant", tag = "tenant", operation_id = "update_tenant", request_body = TenantPatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "updated", body = TenantOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 422, description = "validation_failed", body = ErrorBody),
    ))]
pub async fn update_tenant(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<TenantPatch>,
) -> ApiResult<Json<TenantOut>> {
    auth.require(Role::Admin)?;
    let name = parse_name(&body.name).map_err(|e| ApiError::field("name", e.to_string()))?;
    Ok(Json(tenants::rename(&state.db, &auth.tenant, &name).await?.into()))
}
