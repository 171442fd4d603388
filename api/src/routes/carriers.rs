//! Carrier accounts: Twilio or Telnyx credentials (encrypted at rest, never returned), or a
//! sandbox account that speaks either protocol against the built-in sandbox carrier.

use super::dto::PageOut;
use crate::{
    error::{ApiError, ApiResult, ErrorBody},
    extract::{ApiJson, ApiPath, ApiQuery, Auth, PageQuery},
    state::AppState,
};
use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use outdial_domain::tenancy::{Role, parse_name};
use outdial_infra::db::entity::carrier_account;
use outdial_infra::telephony::{telnyx::TelnyxCredentials, twilio::TwilioCredentials};
use outdial_infra::voice::{Credentials, accounts};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_carrier_account, list_carrier_accounts)).routes(routes!(
        get_carrier_account,
        update_carrier_account,
        delete_carrier_account
    ))
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ProviderIn {
    Twilio,
    Telnyx,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CarrierAccountIn {
    pub name: String,
    pub provider: ProviderIn,
    /// `true`: no real carrier; calls and texts go to the built-in sandbox carrier.
    #[serde(default)]
    pub sandbox: bool,
    /// Twilio: `account_sid`, `auth_token` (+ optional `api_key_sid`, `api_key_secret`,
    /// `twiml_app_sid`). Telnyx: `api_key`, `public_key`, `connection_id` (+ optional
    /// `messaging_profile_id`). Not used for sandbox accounts.
    pub credentials: Option<serde_json::Value>,
    /// Another API base (a regional edge, or a standalone sandbox carrier).
    pub base_url: Option<String>,
    pub calls_per_sec: Option<u32>,
    pub messages_per_sec: Option<u32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CarrierAccountPatch {
    pub name: Option<String>,
    pub credentials: Option<serde_json::Value>,
    pub calls_per_sec: Option<u32>,
    pub messages_per_sec: Option<u32>,
}

/// Where to point the carrier (Twilio number URLs are set by Outdial when it buys or imports).
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookUrls {
    pub voice: String,
    pub status: String,
    pub sms: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CarrierAccountOut {
    #[schema(example = "car_01JD3T6X8Q4M2N7P9R5S0T1VWX")]
    pub id: String,
    pub name: String,
    pub provider: String,
    pub sandbox: bool,
    pub status: String,
    pub calls_per_sec: i32,
    pub messages_per_sec: i32,
    pub webhook_urls: WebhookUrls,
    pub created_at: DateTime<Utc>,
}

fn out(state: &AppState, a: carrier_account::Model) -> CarrierAccountOut {
    let base = state.voice.hook_base(&a);
    let webhook_urls = if a.provider == "twilio" {
        WebhookUrls { voice: format!("{base}/voice"), status: format!("{base}/status"), sms: format!("{base}/sms") }
    } else {
        WebhookUrls { voice: base.clone(), status: base.clone(), sms: base }
    };
    CarrierAccountOut {
        id: a.id,
        name: a.name,
        provider: a.provider,
        sandbox: a.sandbox,
        status: a.status,
        calls_per_sec: a.calls_per_sec,
        messages_per_sec: a.messages_per_sec,
        webhook_urls,
        created_at: a.created_at,
    }
}

fn parse_credentials(provider: ProviderIn, raw: serde_json::Value) -> ApiResult<Credentials> {
    let bad = |e: String| ApiError::field("credentials", e);
    let creds = match provider {
        ProviderIn::Twilio => {
            Credentials::Twilio(serde_json::from_value::<TwilioCredentials>(raw).map_err(|e| bad(e.to_string()))?)
        }
        ProviderIn::Telnyx => {
            Credentials::Telnyx(serde_json::from_value::<TelnyxCredentials>(raw).map_err(|e| bad(e.to_string()))?)
        }
    };
    match &creds {
        Credentials::Twilio(c) => c.validate().map_err(bad)?,
        Credentials::Telnyx(c) => c.validate().map_err(bad)?,
    }
    Ok(creds)
}

/// Connects a carrier account (owners and admins).
#[utoipa::path(post, path = "/v1/carrier-accounts", tag = "carriers", operation_id = "create_carrier_account",
    request_body = CarrierAccountIn, security(("bearer" = [])),
    responses(
        (status = 201, description = "connected", body = CarrierAccountOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 422, description = "validation_failed", body = ErrorBody),
    ))]
pub async fn create_carrier_account(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<CarrierAccountIn>,
) -> ApiResult<(StatusCode, Json<CarrierAccountOut>)> {
    auth.require(Role::Admin)?;
    let name = parse_name(&body.name).map_err(|e| ApiError::field("name", e.to_string()))?;
    let provider = match body.provider {
        ProviderIn::Twilio => "twilio",
        ProviderIn::Telnyx => "telnyx",
    };
    let credentials = match (body.sandbox, body.credentials) {
        (true, Some(_)) => return Err(ApiError::field("credentials", "a sandbox account takes no credentials")),
        (true, None) => accounts::sandbox_credentials(provider, &state.sandbox.telnyx_public_key()),
        (false, Some(raw)) => parse_credentials(body.provider, raw)?,
        (false, None) => return Err(ApiError::field("credentials", "required unless sandbox is true")),
    };
    let base_url = match body.base_url {
        Some(_) if body.sandbox => {
            return Err(ApiError::field("base_url", "a sandbox account uses the sandbox carrier"));
        }
        Some(u) if u.starts_with("https://") || u.starts_with("http://") => Some(u.trim_end_matches('/').to_owned()),
        Some(_) => return Err(ApiError::field("base_url", "must be an http(s) URL")),
        None => None,
    };
    let new = accounts::NewAccount {
        name,
        sandbox: body.sandbox,
        base_url,
        credentials: credentials.clone(),
        calls_per_sec: body.calls_per_sec.unwrap_or(10),
        messages_per_sec: body.messages_per_sec.unwrap_or(10),
    };
    let account = accounts::create(&state.db, &state.voice, &auth.tenant, new, Utc::now()).await?;
    if let (true, Credentials::Telnyx(c)) = (account.sandbox, &credentials) {
        // What the Telnyx portal does: point the connection's webhooks at us.
        state.sandbox.set_telnyx_webhook(&c.api_key, &state.voice.hook_base(&account));
    }
    Ok((StatusCode::CREATED, Json(out(&state, account))))
}

/// The agency's carrier accounts.
#[utoipa::path(get, path = "/v1/carrier-accounts", tag = "carriers", operation_id = "list_carrier_accounts",
    params(PageQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "a page of accounts", body = PageOut<CarrierAccountOut>),
        (status = 401, description = "unauthenticated", body = ErrorBody),
    ))]
pub async fn list_carrier_accounts(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<PageOut<CarrierAccountOut>>> {
    auth.require(Role::Supervisor)?;
    let (rows, next_cursor) = accounts::list(&state.db, &auth.tenant, &q.page()?).await?;
    Ok(Json(PageOut { data: rows.into_iter().map(|a| out(&state, a)).collect(), next_cursor }))
}

/// One carrier account (credentials are never returned).
#[utoipa::path(get, path = "/v1/carrier-accounts/{id}", tag = "carriers", operation_id = "get_carrier_account",
    params(("id" = String, Path, description = "account id")), security(("bearer" = [])),
    responses(
        (status = 200, description = "the account", body = CarrierAccountOut),
        (status = 404, description = "not_found", body = ErrorBody),
    ))]
pub async fn get_carrier_account(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<CarrierAccountOut>> {
    auth.require(Role::Supervisor)?;
    let a = accounts::get(&state.db, &auth.tenant, &id).await.map_err(|_| ApiError::not_found("carrier account"))?;
    Ok(Json(out(&state, a)))
}

/// Renames, replaces credentials (e.g. after rotating them at the carrier) or changes limits.
#[utoipa::path(patch, path = "/v1/carrier-accounts/{id}", tag = "carriers", operation_id = "update_carrier_account",
    params(("id" = String, Path, description = "account id")), request_body = CarrierAccountPatch, security(("bearer" = [])),
    responses(
        (status = 200, description = "updated", body = CarrierAccountOut),
        (status = 404, description = "not_found", body = ErrorBody),
        (status = 422, description = "validation_failed", body = ErrorBody),
    ))]
pub async fn update_carrier_account(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<CarrierAccountPatch>,
) -> ApiResult<Json<CarrierAccountOut>> {
    auth.require(Role::Admin)?;
    let current =
        accounts::get(&state.db, &auth.tenant, &id).await.map_err(|_| ApiError::not_found("carrier account"))?;
    let name =
        body.name.as_deref().map(|n| parse_name(n).map_err(|e| ApiError::field("name", e.to_string()))).transpose()?;
    let provider = if current.provider == "twilio" { ProviderIn::Twilio } else { ProviderIn::Telnyx };
    let credentials = match body.credentials {
        Some(_) if current.sandbox => {
            return Err(ApiError::field("credentials", "a sandbox account takes no credentials"));
        }
        Some(raw) => Some(parse_credentials(provider, raw)?),
        None => None,
    };
    let a = accounts::update(
        &state.db,
        &state.voice,
        &auth.tenant,
        &id,
        name,
        credentials,
        (body.calls_per_sec, body.messages_per_sec),
        Utc::now(),
    )
    .await?;
    Ok(Json(out(&state, a)))
}

/// Disconnects an account (its calls and numbers stay in history).
#[utoipa::path(delete, path = "/v1/carrier-accounts/{id}", tag = "carriers", operation_id = "delete_carrier_account",
    params(("id" = String, Path, description = "account id")), security(("bearer" = [])),
    responses(
        (status = 204, description = "disconnected"),
        (status = 404, description = "not_found", body = ErrorBody),
    ))]
pub async fn delete_carrier_account(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    auth.require(Role::Admin)?;
    accounts::delete(&state.db, &auth.tenant, &id, Utc::now())
        .await
        .map_err(|_| ApiError::not_found("carrier account"))?;
    Ok(StatusCode::NO_CONTENT)
}
