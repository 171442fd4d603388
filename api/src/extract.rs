//! Request extractors: JSON bodies with stable errors, the authenticated caller, pagination.

use crate::{
    error::{ApiError, ApiResult},
    state::AppState,
};
use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Query, Request},
    http::{StatusCode, header, request::Parts},
};
use outdial_domain::{
    ids::{TenantId, UserId},
    tenancy::Role,
};
use outdial_infra::db::repo::{Page, api_keys, members};
use serde::{Deserialize, de::DeserializeOwned};
use utoipa::IntoParams;

/// A JSON body. Malformed JSON is a 400 `malformed_json`; a body of the wrong shape (missing
/// field, wrong type, unknown field or enum value) is a 422 `invalid_body`; over 1 MB is a 413.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/json"))
            .unwrap_or(false);
        if !json_type {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as JSON with Content-Type: application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", "the body is over 1 MB")
            } else {
                ApiError::new(StatusCode::BAD_REQUEST, "unreadable_body", "the request body could not be read")
            }
        })?;
        match serde_json::from_slice::<T>(&bytes) {
            Ok(v) => Ok(ApiJson(v)),
            Err(e) if e.is_data() => Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_body",
                format!("the body does not match the schema: {}", strip_position(&e.to_string())),
            )),
            Err(_) => Err(ApiError::new(StatusCode::BAD_REQUEST, "malformed_json", "the body is not valid JSON")),
        }
    }
}

fn strip_position(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

/// How the caller proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A user's access token.
    User,
    /// An integrator's API key (its id).
    ApiKey(String),
}

/// The verified caller. The tenant comes only from here: from the access token or API key.
#[derive(Debug, Clone)]
pub struct Auth {
    pub tenant: TenantId,
    /// The user, or for an API key the member who created it.
    pub user_id: UserId,
    pub role: Role,
    pub credential: Credential,
}

impl Auth {
    /// 403 unless the caller holds at least `role`.
    pub fn require(&self, role: Role) -> ApiResult<()> {
        if self.role.at_least(role) { Ok(()) } else { Err(ApiError::forbidden()) }
    }

    /// 403 for API keys (actions only a person may take, like changing a password).
    pub fn require_user(&self) -> ApiResult<()> {
        match self.credential {
            Credential::User => Ok(()),
            Credential::ApiKey(_) => Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "user_credential_required",
                "this action needs a person's login, not an API key",
            )),
        }
    }
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(auth) = parts.extensions.get::<Auth>() {
            return Ok(auth.clone());
        }
        let auth = authenticate(parts, state).await?;
        tracing::Span::current().record("tenant_id", auth.tenant.as_str());
        parts.extensions.insert(auth.clone());
        Ok(auth)
    }
}

/// Verifies `Authorization: Bearer <access token | API key>`.
pub async fn authenticate(parts: &Parts, state: &AppState) -> ApiResult<Auth> {
    let raw = parts
        .headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| {
            ApiError::unauthenticated("unauthenticated", "send Authorization: Bearer <access token or API key>")
        })?
        .to_str()
        .map_err(|_| ApiError::unauthenticated("invalid_token", "the Authorization header is not valid"))?;
    let bearer =
        raw.strip_prefix("Bearer ").or_else(|| raw.strip_prefix("bearer ")).map(str::trim).ok_or_else(|| {
            ApiError::unauthenticated("invalid_token", "use the Bearer scheme: Authorization: Bearer <token>")
        })?;
    let now = chrono::Utc::now();
    if bearer.starts_with("od_") {
        let key = match api_keys::authenticate(&state.db, bearer, now).await? {
            Ok(k) => k,
            Err(api_keys::KeyRejection::Revoked) => {
                return Err(ApiError::unauthenticated("api_key_revoked", "this API key was revoked; create a new one"));
            }
            Err(_) => return Err(ApiError::unauthenticated("invalid_api_key", "this API key is not valid")),
        };
        let tenant = TenantId::parse(&key.tenant_id).map_err(ApiError::internal)?;
        let user_id = UserId::parse(&key.created_by).map_err(ApiError::internal)?;
        let key_role = Role::parse(&key.role).ok_or_else(|| ApiError::internal("bad role in api_keys"))?;
        // A key never does more than its creator can do today.
        let creator = members::get(&state.db, &tenant, user_id.as_str())
            .await
            .map_err(|_| ApiError::unauthenticated("invalid_api_key", "the member who created this key has left"))?;
        let creator_role = Role::parse(&creator.role).ok_or_else(|| ApiError::internal("bad role in memberships"))?;
        return Ok(Auth { tenant, user_id, role: key_role.min(creator_role), credential: Credential::ApiKey(key.id) });
    }
    let claims = state.jwt.verify(bearer).map_err(|e| match e {
        outdial_infra::auth::jwt::JwtError::Expired => {
            ApiError::unauthenticated("token_expired", "the access token has expired; refresh it")
        }
        outdial_infra::auth::jwt::JwtError::Invalid => {
            ApiError::unauthenticated("invalid_token", "the access token is not valid")
        }
    })?;
    let tenant = TenantId::parse(&claims.tid)
        .map_err(|_| ApiError::unauthenticated("invalid_token", "the access token is not valid"))?;
    let user_id = UserId::parse(&claims.sub)
        .map_err(|_| ApiError::unauthenticated("invalid_token", "the access token is not valid"))?;
    // The membership is read each time so a removed member or a changed role takes effect at once.
    let membership = members::get(&state.db, &tenant, user_id.as_str())
        .await
        .map_err(|_| ApiError::unauthenticated("invalid_token", "you are no longer a member of this agency"))?;
    let role = Role::parse(&membership.role).ok_or_else(|| ApiError::internal("bad role in memberships"))?;
    Ok(Auth { tenant, user_id, role, credential: Credential::User })
}

/// Path parameters that must look like Outdial ids (`prefix_` + 26 base32 characters).
/// Anything else cannot name a row, so it is a 404 before any query runs.
pub struct ApiPath<T>(pub T);

fn looks_like_id(raw: &str) -> bool {
    match raw.split_once('_') {
        Some((prefix, body)) => {
            (2..=5).contains(&prefix.len())
                && prefix.bytes().all(|b| b.is_ascii_lowercase())
                && body.len() == 26
                && body.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        }
        None => false,
    }
}

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let not_found = || ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such resource");
        let raw = axum::extract::RawPathParams::from_request_parts(parts, state).await.map_err(|_| not_found())?;
        if !raw.iter().all(|(_, v)| looks_like_id(v)) {
            return Err(not_found());
        }
        axum::extract::Path::<T>::from_request_parts(parts, state).await.map(|p| ApiPath(p.0)).map_err(|_| not_found())
    }
}

/// `?limit=&cursor=` on list endpoints.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageQuery {
    pub fn page(&self) -> ApiResult<Page> {
        let limit = self.limit.unwrap_or(50);
        if !(1..=200).contains(&limit) {
            return Err(ApiError::field("limit", "must be from 1 to 200"));
        }
        if let Some(c) = &self.cursor
            && (c.len() > 64 || !c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_'))
        {
            return Err(ApiError::field("cursor", "is not a cursor this API returned"));
        }
        Ok(Page { cursor: self.cursor.clone(), limit })
    }
}

/// Query-string parsing with the API's error body.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state).await.map(|Query(v)| ApiQuery(v)).map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_query",
                format!("the query string is invalid: {}", e.body_text()),
            )
        })
    }
}
