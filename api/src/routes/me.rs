//! Who am I.

use super::dto::{RoleDto, TenantOut, UserOut};
use crate::{
    error::{ApiResult, ErrorBody},
    extract::{Auth, Credential},
    state::AppState,
};
use axum::{Json, extract::State};
use outdial_infra::db::repo::{tenants, users};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_me))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeOut {
    pub user: UserOut,
    pub tenant: TenantOut,
    /// The role in effect (an API key's role never exceeds its creator's).
    pub role: RoleDto,
    /// `user` for a login, `api_key` for an integrator key.
    #[schema(example = "user")]
    pub credential: String,
    /// The API key's id, when the caller used one.
    pub api_key_id: Option<String>,
}

/// The caller: person (or key owner), agency and role.
#[utoipa::path(get, path = "/v1/me", tag = "me", operation_id = "get_me", security(("bearer" = [])),
    responses(
        (status = 200, description = "the caller", body = MeOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
    ))]
pub async fn get_me(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<MeOut>> {
    let (credential, api_key_id) = match &auth.credential {
        Credential::User => ("user", None),
        Credential::ApiKey(id) => ("api_key", Some(id.clone())),
    };
    Ok(Json(MeOut {
        user: users::by_id(&state.db, auth.user_id.as_str()).await?.into(),
        tenant: tenants::get(&state.db, &auth.tenant).await?.into(),
        role: auth.role.into(),
        credential: credential.into(),
        api_key_id,
    }))
}
