//! Signup, login, refresh, logout, password change and reset.

use super::{
    FieldErrors,
    dto::{RoleDto, TenantOut, UserOut, stored_role},
};
use crate::{
    error::{ApiError, ApiResult, ErrorBody},
    extract::{ApiJson, Auth},
    state::AppState,
};
use axum::{extract::State, http::StatusCode};
use chrono::{Duration, Utc};
use outdial_domain::{
    ids::TenantId,
    tenancy::{Email, NewPassword, Role, parse_name},
};
use outdial_infra::{
    auth::password,
    db::repo::{members, sessions, tenants, users},
    queue::{Job, outbox},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(signup))
        .routes(routes!(login))
        .routes(routes!(refresh))
        .routes(routes!(logout))
        .routes(routes!(request_password_reset))
        .routes(routes!(confirm_password_reset))
}

/// Routes that need a logged-in caller.
pub fn authed_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(change_password))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupIn {
    /// The agency's name; its slug is derived from it.
    #[schema(example = "Acme Collections")]
    pub agency_name: String,
    /// The owner's name.
    #[schema(example = "Ann Owner")]
    pub name: String,
    #[schema(example = "ann@acme.test")]
    pub email: String,
    /// At least 10 characters mixing two of: lower case, upper case, digits, symbols.
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionOut {
    /// Short-lived JWT; send as `Authorization: Bearer ...`.
    pub access_token: String,
    /// Exchange at `/v1/auth/refresh`; each one works once.
    pub refresh_token: String,
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    pub user: UserOut,
    pub tenant: TenantOut,
    pub role: RoleDto,
}

/// Issues an access token and a refresh token in a new (or the given) family.
pub async fn session(
    state: &AppState,
    tenant: &TenantId,
    user_id: &str,
    family: Option<&str>,
) -> ApiResult<SessionOut> {
    let now = Utc::now();
    let membership = members::get(&state.db, tenant, user_id).await.map_err(ApiError::repo("membership"))?;
    let refresh = sessions::issue(
        &state.db,
        tenant.as_str(),
        user_id,
        family,
        Duration::seconds(state.config.refresh_token_ttl_secs),
        now,
    )
    .await?;
    let access =
        state.jwt.issue(user_id, tenant.as_str(), &membership.role, now.timestamp()).map_err(ApiError::internal)?;
    Ok(SessionOut {
        access_token: access,
        refresh_token: refresh,
        token_type: "Bearer".into(),
        expires_in: state.jwt.ttl_secs,
        user: users::by_id(&state.db, user_id).await?.into(),
        tenant: tenants::get(&state.db, tenant).await?.into(),
        role: stored_role(&membership.role),
    })
}

/// Creates an agency and its owner, and logs the owner in.
#[utoipa::path(post, path = "/v1/auth/signup", tag = "auth", operation_id = "signup", request_body = SignupIn,
    responses(
        (status = 201, description = "agency and owner created", body = SessionOut),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 409, description = "email_taken", body = ErrorBody),
        (status = 422, description = "validation_failed", body = ErrorBody),
    ))]
pub async fn signup(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<SignupIn>,
) -> ApiResult<(StatusCode, axum::Json<SessionOut>)> {
    let mut errs = FieldErrors::default();
    let agency = errs.check("agency_name", parse_name(&body.agency_name));
    let name = errs.check("name", parse_name(&body.name));
    let email = errs.check("email", Email::parse(&body.email));
    let password = errs.check("password", NewPassword::parse(&body.password));
    errs.finish()?;
    let (Some(agency), Some(name), Some(email), Some(password)) = (agency, name, email, password) else {
        return Err(ApiError::internal("validated fields missing"));
    };
    if users::by_email(&state.db, email.as_str()).await?.is_some() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "email_taken",
            "an account with this email already exists; log in instead",
        ));
    }
    let hash = password::hash(password.expose().to_owned()).await.map_err(ApiError::internal)?;
    let now = Utc::now();
    let tx = outdial_infra::db::begin(&state.db).await?;
    let tenant = tenants::create(&tx, &agency, now).await.map_err(ApiError::repo("tenant"))?;
    let user = users::create(&tx, email.as_str(), &name, &hash, now).await.map_err(ApiError::repo("user"))?;
    let tenant_id = TenantId::parse(&tenant.id).map_err(ApiError::internal)?;
    members::add(&tx, &tenant_id, &user.id, Role::Owner, now).await?;
    // Every agency can try calling before it connects a carrier.
    outdial_infra::voice::accounts::create_default_sandbox(&tx, &state.voice, &tenant_id, now).await?;
    tx.commit().await?;
    tracing::info!(tenant_id = %tenant.id, "agency signed up");
    Ok((StatusCode::CREATED, axum::Json(session(&state, &tenant_id, &user.id, None).await?)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginIn {
    pub email: String,
    pub password: String,
    /// Which agency to log in to, by slug, for people in several (default: the first joined).
    pub tenant: Option<String>,
}

fn bad_credentials() -> ApiError {
    ApiError::unauthenticated("invalid_credentials", "the email or password is wrong")
}

/// Logs in with email and password. Five failures in a row lock the account for 15 minutes.
#[utoipa::path(post, path = "/v1/auth/login", tag = "auth", operation_id = "login", request_body = LoginIn,
    responses(
        (status = 200, description = "logged in", body = SessionOut),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "invalid_credentials", body = ErrorBody),
        (status = 422, description = "invalid_body", body = ErrorBody),
        (status = 429, description = "account_locked", body = ErrorBody),
    ))]
pub async fn login(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<LoginIn>,
) -> ApiResult<axum::Json<SessionOut>> {
    let now = Utc::now();
    let email = Email::parse(&body.email).ok();
    let user = match &email {
        Some(e) => users::by_email(&state.db, e.as_str()).await?,
        None => None,
    };
    let Some(user) = user else {
        // Same work as a wrong password, so timing does not reveal which emails exist.
        let _ = password::verify(body.password, password::dummy_hash().to_owned()).await;
        return Err(bad_credentials());
    };
    if let Some(until) = user.locked_until
        && until > now
    {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "account_locked",
            format!("too many failed logins; try again after {} UTC or reset your password", until.format("%H:%M")),
        ));
    }
    if !password::verify(body.password, user.password_hash.clone()).await.map_err(ApiError::internal)? {
        users::record_failed_login(&state.db, &user, now).await?;
        return Err(bad_credentials());
    }
    users::record_good_login(&state.db, &user).await?;
    let memberships = members::of_user(&state.db, &user.id).await?;
    let chosen = match &body.tenant {
        None => memberships.first().cloned(),
        Some(slug) => {
            let mut found = None;
            for m in &memberships {
                let tid = TenantId::parse(&m.tenant_id).map_err(ApiError::internal)?;
                if tenants::get(&state.db, &tid).await?.slug == *slug {
                    found = Some(m.clone());
                }
            }
            found
        }
    };
    let Some(membership) = chosen else {
        return Err(ApiError::unauthenticated("no_membership", "you are not a member of that agency"));
    };
    let tenant = TenantId::parse(&membership.tenant_id).map_err(ApiError::internal)?;
    Ok(axum::Json(session(&state, &tenant, &user.id, None).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshIn {
    pub refresh_token: String,
}

/// Exchanges a refresh token for a new pair. Each refresh token works once; presenting a used
/// one revokes its whole family (someone copied it).
#[utoipa::path(post, path = "/v1/auth/refresh", tag = "auth", operation_id = "refresh_session", request_body = RefreshIn,
    responses(
        (status = 200, description = "new pair", body = SessionOut),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "invalid_refresh_token or refresh_token_reused", body = ErrorBody),
        (status = 422, description = "invalid_body", body = ErrorBody),
    ))]
pub async fn refresh(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<RefreshIn>,
) -> ApiResult<axum::Json<SessionOut>> {
    match sessions::rotate(&state.db, &body.refresh_token, Utc::now()).await? {
        sessions::Rotation::Rotated(row) => {
            let tenant = TenantId::parse(&row.tenant_id).map_err(ApiError::internal)?;
            let out = session(&state, &tenant, &row.user_id, Some(&row.family_id)).await.map_err(|e| {
                if e.code == "not_found" {
                    ApiError::unauthenticated("invalid_refresh_token", "you are no longer a member of this agency")
                } else {
                    e
                }
            })?;
            Ok(axum::Json(out))
        }
        sessions::Rotation::Reused => {
            tracing::warn!("refresh token reuse detected; family revoked");
            Err(ApiError::unauthenticated(
                "refresh_token_reused",
                "this refresh token was already used; every session from that login is now signed out",
            ))
        }
        sessions::Rotation::Invalid => {
            Err(ApiError::unauthenticated("invalid_refresh_token", "the refresh token is not valid; log in again"))
        }
    }
}

/// Ends a session: the refresh token's whole family stops working.
#[utoipa::path(post, path = "/v1/auth/logout", tag = "auth", operation_id = "logout", request_body = RefreshIn,
    responses(
        (status = 204, description = "logged out"),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 422, description = "invalid_body", body = ErrorBody),
    ))]
pub async fn logout(State(state): State<AppState>, ApiJson(body): ApiJson<RefreshIn>) -> ApiResult<StatusCode> {
    if let Some(row) = sessions::family_of(&state.db, &body.refresh_token).await? {
        sessions::revoke_family(&state.db, &row.family_id, Utc::now()).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordIn {
    pub current_password: String,
    pub new_password: String,
}

/// Changes the caller's password and signs out every other session.
#[utoipa::path(post, path = "/v1/auth/password", tag = "auth", operation_id = "change_password", request_body = ChangePasswordIn,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "changed; log in again with the new password"),
        (status = 401, description = "unauthenticated or invalid_credentials", body = ErrorBody),
        (status = 403, description = "user_credential_required", body = ErrorBody),
        (status = 422, description = "validation_failed", body = ErrorBody),
    ))]
pub async fn change_password(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<ChangePasswordIn>,
) -> ApiResult<StatusCode> {
    auth.require_user()?;
    let new = NewPassword::parse(&body.new_password).map_err(|e| ApiError::field("new_password", e.to_string()))?;
    let user = users::by_id(&state.db, auth.user_id.as_str()).await?;
    if !password::verify(body.current_password, user.password_hash.clone()).await.map_err(ApiError::internal)? {
        return Err(ApiError::unauthenticated("invalid_credentials", "the current password is wrong"));
    }
    let hash = password::hash(new.expose().to_owned()).await.map_err(ApiError::internal)?;
    let tx = outdial_infra::db::begin(&state.db).await?;
    users::set_password(&tx, &user.id, &hash).await?;
    sessions::revoke_all_of_user(&tx, &user.id, Utc::now()).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetIn {
    pub email: String,
}

/// Emails a reset link if the address has an account. Always answers 202, so the endpoint
/// does not reveal which addresses exist.
#[utoipa::path(post, path = "/v1/auth/password-reset", tag = "auth", operation_id = "request_password_reset", request_body = PasswordResetIn,
    responses(
        (status = 202, description = "if the account exists, a link is on its way"),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 422, description = "validation_failed", body = ErrorBody),
    ))]
pub async fn request_password_reset(
    State(state): State<AppState>,
    trace: crate::middleware::TraceId,
    ApiJson(body): ApiJson<PasswordResetIn>,
) -> ApiResult<StatusCode> {
    let email = Email::parse(&body.email).map_err(|e| ApiError::field("email", e.to_string()))?;
    let Some(user) = users::by_email(&state.db, email.as_str()).await? else {
        return Ok(StatusCode::ACCEPTED);
    };
    let Some(first) = members::of_user(&state.db, &user.id).await?.into_iter().next() else {
        return Ok(StatusCode::ACCEPTED);
    };
    let tenant = TenantId::parse(&first.tenant_id).map_err(ApiError::internal)?;
    let now = Utc::now();
    let tx = outdial_infra::db::begin(&state.db).await?;
    let reset_id = sessions::create_reset(&tx, &tenant, &user.id, now).await?;
    outbox::enqueue(&tx, &tenant, &Job::SendPasswordResetEmailV1 { reset_id }, &trace.0, now).await?;
    tx.commit().await?;
    state.relay_wake.notify_one();
    Ok(StatusCode::ACCEPTED)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetConfirmIn {
    /// The `token` from the emailed link.
    pub token: String,
    pub new_password: String,
}

/// Sets a new password with an emailed reset token and signs out every session.
#[utoipa::path(post, path = "/v1/auth/password-reset/confirm", tag = "auth", operation_id = "confirm_password_reset", request_body = PasswordResetConfirmIn,
    responses(
        (status = 204, description = "password set; log in with it"),
        (status = 400, description = "invalid_reset_token or malformed JSON", body = ErrorBody),
        (status = 422, description = "validation_failed", body = ErrorBody),
    ))]
pub async fn confirm_password_reset(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<PasswordResetConfirmIn>,
) -> ApiResult<StatusCode> {
    let new = NewPassword::parse(&body.new_password).map_err(|e| ApiError::field("new_password", e.to_string()))?;
    let hash = password::hash(new.expose().to_owned()).await.map_err(ApiError::internal)?;
    let now = Utc::now();
    let tx = outdial_infra::db::begin(&state.db).await?;
    let Some(user_id) = sessions::consume_reset(&tx, &body.token, now).await? else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_reset_token",
            "this reset link is invalid, used or expired; ask for a new one",
        ));
    };
    users::set_password(&tx, &user_id, &hash).await?;
    sessions::revoke_all_of_user(&tx, &user_id, now).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
