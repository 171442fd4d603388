//! Invitations: an admin invites by email; the invitee accepts through the emailed link.

use super::{
    FieldErrors,
    auth::{SessionOut, session},
    dto::{PageOut, RoleDto, stored_role},
};
use crate::{
    error::{ApiError, ApiResult, ErrorBody},
    extract::{ApiJson, ApiPath, ApiQuery, Auth, PageQuery},
    middleware::TraceId,
    state::AppState,
};
use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use outdial_domain::{
    ids::TenantId,
    tenancy::{Email, NewPassword, Role, parse_name},
};
use outdial_infra::{
    auth::password,
    db::{
        entity::invitation,
        repo::{RepoError, invitations, members, teams, users},
    },
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_invitation, list_invitations))
        .routes(routes!(get_invitation, delete_invitation))
}

pub fn public_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(accept_invitation))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationIn {
    #[schema(example = "bob@acme.test")]
    pub email: String,
    pub role: RoleDto,
    /// Put the new member in this team on acceptance.
    pub team_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationOut {
    #[schema(example = "inv_01JD3T6X8Q4M2N7P9R5S0T1VWX")]
    pub id: String,
    pub email: String,
    pub role: RoleDto,
    pub team_id: Option<String>,
    pub invited_by: String,
    /// `pending`, `accepted`, `revoked` or `expired`.
    #[schema(example = "pending")]
    pub status: String,
    pub email_sent_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

impl From<invitation::Model> for InvitationOut {
    fn from(i: invitation::Model) -> InvitationOut {
        let status = if i.accepted_at.is_some() {
            "accepted"
        } else if i.revoked_at.is_some() {
            "revoked"
        } else if i.expires_at <= Utc::now() {
            "expired"
        } else {
            "pending"
        };
        InvitationOut {
            role: stored_role(&i.role),
            status: status.into(),
            id: i.id,
            email: i.email,
            team_id: i.team_id,
            invited_by: i.invited_by,
            email_sent_at: i.email_sent_at,
            expires_at: i.expires_at,
            created_at: i.created_at,
        }
    }
}

/// Invites someone by email (admins and owners). The email goes out through a background job.
#[utoipa::path(post, path = "/v1/invitations", tag = "invitations", operation_id = "create_invitation", request_body = InvitationIn,
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "retry-safe creation")),
    responses(
        (status = 201, description = "created; the email is queued", body = InvitationOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 404, description = "no such team", body = ErrorBody),
        (status = 409, description = "invitation_pending or already_member", body = ErrorBody),
        (status = 422, description = "validation_failed", body = ErrorBody),
    ))]
pub async fn create_invitation(
    State(state): State<AppState>,
    auth: Auth,
    trace: TraceId,
    ApiJson(body): ApiJson<InvitationIn>,
) -> ApiResult<(StatusCode, Json<InvitationOut>)> {
    auth.require(Role::Admin)?;
    let mut errs = FieldErrors::default();
    let email = errs.check("email", Email::parse(&body.email));
    let role = Role::from(body.role);
    if !auth.role.may_grant(role) {
        errs.check::<(), _>("role", Err("cannot exceed your own role"));
    }
    errs.finish()?;
    let email = email.ok_or_else(|| ApiError::internal("validated email missing"))?;
    if let Some(existing) = users::by_email(&state.db, email.as_str()).await?
        && members::get(&state.db, &auth.tenant, &existing.id).await.is_ok()
    {
        return Err(ApiError::new(StatusCode::CONFLICT, "already_member", "this person is already a member"));
    }
    let new = invitations::NewInvitation {
        email: email.as_str(),
        role,
        team_id: body.team_id.as_deref(),
        invited_by: auth.user_id.as_str(),
    };
    let inv = invitations::create(&state.db, &auth.tenant, new, &trace.0, Utc::now())
        .await
        .map_err(ApiError::repo("team"))?;
    state.relay_wake.notify_one();
    Ok((StatusCode::CREATED, Json(inv.into())))
}

/// Lists invitations (admins and owners).
#[utoipa::path(get, path = "/v1/invitations", tag = "invitations", operation_id = "list_invitations", params(PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "a page of invitations", body = PageOut<InvitationOut>),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 422, description = "invalid_query", body = ErrorBody),
    ))]
pub async fn list_invitations(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<PageOut<InvitationOut>>> {
    auth.require(Role::Admin)?;
    let (rows, next_cursor) = invitations::list(&state.db, &auth.tenant, &q.page()?).await?;
    Ok(Json(PageOut { data: rows.into_iter().map(Into::into).collect(), next_cursor }))
}

/// One invitation (admins and owners).
#[utoipa::path(get, path = "/v1/invitations/{id}", tag = "invitations", operation_id = "get_invitation",
    params(("id" = String, Path, description = "invitation id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the invitation", body = InvitationOut),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
    ))]
pub async fn get_invitation(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<InvitationOut>> {
    auth.require(Role::Admin)?;
    Ok(Json(invitations::get(&state.db, &auth.tenant, &id).await.map_err(ApiError::repo("invitation"))?.into()))
}

/// Revokes a pending invitation; its link stops working (admins and owners).
#[utoipa::path(delete, path = "/v1/invitations/{id}", tag = "invitations", operation_id = "delete_invitation",
    params(("id" = String, Path, description = "invitation id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "revoked"),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
        (status = 409, description = "invitation_accepted", body = ErrorBody),
    ))]
pub async fn delete_invitation(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    auth.require(Role::Admin)?;
    invitations::revoke(&state.db, &auth.tenant, &id, Utc::now()).await.map_err(ApiError::repo("invitation"))?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitationIn {
    /// The `token` from the emailed link.
    pub token: String,
    /// Needed when the invitee has no Outdial account yet.
    pub name: Option<String>,
    /// Needed when the invitee has no Outdial account yet.
    pub password: Option<String>,
}

/// Accepts an invitation: joins the agency (creating the account when there is none) and logs in.
#[utoipa::path(post, path = "/v1/invitations/accept", tag = "invitations", operation_id = "accept_invitation", request_body = AcceptInvitationIn,
    responses(
        (status = 200, description = "joined and logged in", body = SessionOut),
        (status = 400, description = "invalid_invitation or malformed JSON", body = ErrorBody),
        (status = 409, description = "already_member", body = ErrorBody),
        (status = 422, description = "validation_failed", body = ErrorBody),
    ))]
pub async fn accept_invitation(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<AcceptInvitationIn>,
) -> ApiResult<Json<SessionOut>> {
    let now = Utc::now();
    let invalid = || {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_invitation",
            "this invitation link is invalid, used, revoked or expired; ask for a new one",
        )
    };
    let inv = invitations::by_token(&state.db, &body.token, now).await?.ok_or_else(invalid)?;
    let tenant = TenantId::parse(&inv.tenant_id).map_err(ApiError::internal)?;
    let existing = users::by_email(&state.db, &inv.email).await?;
    let new_account = match &existing {
        Some(_) => None,
        None => {
            let mut errs = FieldErrors::default();
            let name = errs.check("name", parse_name(body.name.as_deref().unwrap_or("")));
            let pw = errs.check("password", NewPassword::parse(body.password.as_deref().unwrap_or("")));
            errs.finish()?;
            match (name, pw) {
                (Some(n), Some(p)) => {
                    Some((n, password::hash(p.expose().to_owned()).await.map_err(ApiError::internal)?))
                }
                _ => return Err(ApiError::internal("validated fields missing")),
            }
        }
    };
    let role = Role::parse(&inv.role).ok_or_else(|| ApiError::internal("bad role in invitations"))?;
    let tx = outdial_infra::db::begin(&state.db).await?;
    if !invitations::mark_accepted(&tx, &tenant, &inv.id, now).await? {
        return Err(invalid());
    }
    let user_id = match (existing, new_account) {
        (Some(u), _) => u.id,
        (None, Some((name, hash))) => {
            users::create(&tx, &inv.email, &name, &hash, now).await.map_err(ApiError::repo("user"))?.id
        }
        (None, None) => return Err(ApiError::internal("no account and no details")),
    };
    members::add(&tx, &tenant, &user_id, role, now).await.map_err(ApiError::repo("member"))?;
    if let Some(team) = &inv.team_id {
        match teams::add_member(&tx, &tenant, team, &user_id, now).await {
            Ok(()) | Err(RepoError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    tx.commit().await?;
    Ok(Json(session(&state, &tenant, &user_id, None).await?))
}
