//! Invitations: created with their email job in one transaction; the job mints the link.

use super::{Page, RepoError};
use crate::{
    auth::token,
    db::{entity::invitation, scope},
    queue::{Job, outbox},
};
use chrono::{DateTime, Duration, Utc};
use outdial_domain::{ids::TenantId, tenancy::Role};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionSession, TransactionTrait, sea_query::Expr,
};

/// How long an invitation link stays valid.
pub const VALIDITY: Duration = Duration::days(7);

/// What an invitation needs.
pub struct NewInvitation<'a> {
    pub email: &'a str,
    pub role: Role,
    pub team_id: Option<&'a str>,
    pub invited_by: &'a str,
}

/// Writes the invitation and its email job in one transaction.
pub async fn create<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    tenant: &TenantId,
    new: NewInvitation<'_>,
    trace_id: &str,
    now: DateTime<Utc>,
) -> Result<invitation::Model, RepoError> {
    let tx = crate::db::begin(db).await?;
    if let Some(team) = new.team_id {
        super::teams::get(&tx, tenant, team).await?;
    }
    let pending = scope::find::<invitation::Entity>(tenant)
        .filter(invitation::Column::Email.eq(new.email))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .filter(invitation::Column::ExpiresAt.gt(now))
        .one(&tx)
        .await?;
    if pending.is_some() {
        return Err(RepoError::Conflict(
            "invitation_pending",
            "this address already has a pending invitation; revoke it to send a new one".into(),
        ));
    }
    let model = invitation::Model {
        tenant_id: tenant.to_string(),
        id: crate::ids::invitation().to_string(),
        email: new.email.to_owned(),
        role: new.role.as_str().to_owned(),
        team_id: new.team_id.map(str::to_owned),
        invited_by: new.invited_by.to_owned(),
        token_hash: None,
        expires_at: now + VALIDITY,
        accepted_at: None,
        revoked_at: None,
        email_sent_at: None,
        created_at: now,
    };
    invitation::Entity::insert(invitation::ActiveModel::from(model.clone()).reset_all())
        .exec_without_returning(&tx)
        .await?;
    outbox::enqueue(&tx, tenant, &Job::SendInvitationEmailV1 { invitation_id: model.id.clone() }, trace_id, now)
        .await?;
    tx.commit().await?;
    Ok(model)
}

pub async fn get<C: ConnectionTrait>(conn: &C, tenant: &TenantId, id: &str) -> Result<invitation::Model, RepoError> {
    scope::find::<invitation::Entity>(tenant)
        .filter(invitation::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(RepoError::NotFound)
}

pub async fn list<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    page: &Page,
) -> Result<(Vec<invitation::Model>, Option<String>), RepoError> {
    let mut q = scope::find::<invitation::Entity>(tenant).order_by_asc(invitation::Column::Id);
    if let Some(c) = &page.cursor {
        q = q.filter(invitation::Column::Id.gt(c.as_str()));
    }
    let rows = q.limit(page.limit + 1).all(conn).await?;
    Ok(page.finish(rows, |i| i.id.clone()))
}

/// Revokes a pending invitation; its link stops working at once.
pub async fn revoke<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    id: &str,
    now: DateTime<Utc>,
) -> Result<invitation::Model, RepoError> {
    let row = get(conn, tenant, id).await?;
    if row.accepted_at.is_some() {
        return Err(RepoError::Conflict(
            "invitation_accepted",
            "this invitation was already accepted; remove the member instead".into(),
        ));
    }
    scope::update_many::<invitation::Entity>(tenant)
        .col_expr(invitation::Column::RevokedAt, Expr::value(Some(now)))
        .filter(invitation::Column::Id.eq(id))
        .exec(conn)
        .await?;
    get(conn, tenant, id).await
}

/// Mints the link secret for the email job (a retry mints a new one; the old link dies).
pub async fn mint_token<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    id: &str,
) -> Result<(invitation::Model, String), RepoError> {
    let row = get(conn, tenant, id).await?;
    let secret = token::new_secret();
    scope::update_many::<invitation::Entity>(tenant)
        .col_expr(invitation::Column::TokenHash, Expr::value(Some(token::digest(&secret))))
        .filter(invitation::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok((row, secret))
}

/// Records that the email left.
pub async fn mark_sent<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    id: &str,
    now: DateTime<Utc>,
) -> Result<(), RepoError> {
    scope::update_many::<invitation::Entity>(tenant)
        .col_expr(invitation::Column::EmailSentAt, Expr::value(Some(now)))
        .filter(invitation::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Finds a usable invitation by its link secret.
pub async fn by_token<C: ConnectionTrait>(
    conn: &C,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<Option<invitation::Model>, RepoError> {
    // Pre-authentication look-up: the link names its tenant.
    let row = scope::global::<invitation::Entity>()
        .filter(invitation::Column::TokenHash.eq(token::digest(secret)))
        .one(conn)
        .await?;
    Ok(row.filter(|r| r.accepted_at.is_none() && r.revoked_at.is_none() && r.expires_at > now))
}

/// Marks an invitation accepted (compare-and-set, so a link works once).
pub async fn mark_accepted<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    id: &str,
    now: DateTime<Utc>,
) -> Result<bool, RepoError> {
    let res = scope::update_many::<invitation::Entity>(tenant)
        .col_expr(invitation::Column::AcceptedAt, Expr::value(Some(now)))
        .filter(invitation::Column::Id.eq(id))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}
