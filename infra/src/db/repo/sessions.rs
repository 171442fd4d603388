//! Refresh-token families (rotation with reuse detection) and password resets.

use super::RepoError;
use crate::{
    auth::token,
    db::{
        entity::{password_reset, refresh_token},
        scope,
    },
};
use chrono::{DateTime, Duration, Utc};
use outdial_domain::ids::TenantId;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};

/// Issues a refresh token, in a new family or continuing one; returns the secret.
pub async fn issue<C: ConnectionTrait>(
    conn: &C,
    tenant: &str,
    user_id: &str,
    family: Option<&str>,
    ttl: Duration,
    now: DateTime<Utc>,
) -> Result<String, RepoError> {
    let secret = token::new_secret();
    refresh_token::Entity::insert(refresh_token::ActiveModel {
        id: Set(crate::ids::raw("rt_")),
        family_id: Set(family.map(str::to_owned).unwrap_or_else(|| crate::ids::raw("fam_"))),
        tenant_id: Set(tenant.to_owned()),
        user_id: Set(user_id.to_owned()),
        token_hash: Set(token::digest(&secret)),
        expires_at: Set(now + ttl),
        used_at: Set(None),
        revoked_at: Set(None),
        created_at: Set(now),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(format!("rt_{secret}"))
}

/// The outcome of presenting a refresh token.
#[derive(Debug)]
pub enum Rotation {
    /// Valid: the token is now used; issue the next one in the same family.
    Rotated(refresh_token::Model),
    /// Unknown, expired or revoked.
    Invalid,
    /// Already used: someone replayed it, so the whole family is now revoked.
    Reused,
}

/// Consumes a refresh token (compare-and-set on `used_at`, so two concurrent uses cannot both win).
pub async fn rotate<C: ConnectionTrait>(conn: &C, presented: &str, now: DateTime<Utc>) -> Result<Rotation, RepoError> {
    let Some(secret) = presented.strip_prefix("rt_") else { return Ok(Rotation::Invalid) };
    // Pre-authentication look-up by the token's own hash.
    let Some(row) = scope::global::<refresh_token::Entity>()
        .filter(refresh_token::Column::TokenHash.eq(token::digest(secret)))
        .one(conn)
        .await?
    else {
        return Ok(Rotation::Invalid);
    };
    if row.revoked_at.is_some() || row.expires_at <= now {
        return Ok(Rotation::Invalid);
    }
    if row.used_at.is_some() {
        revoke_family(conn, &row.family_id, now).await?;
        return Ok(Rotation::Reused);
    }
    let res = scope::global_update::<refresh_token::Entity>()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(Some(now)))
        .filter(refresh_token::Column::Id.eq(&row.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    if res.rows_affected == 0 {
        revoke_family(conn, &row.family_id, now).await?;
        return Ok(Rotation::Reused);
    }
    Ok(Rotation::Rotated(row))
}

/// Revokes every token of a family (logout, or reuse detected).
pub async fn revoke_family<C: ConnectionTrait>(conn: &C, family: &str, now: DateTime<Utc>) -> Result<(), RepoError> {
    scope::global_update::<refresh_token::Entity>()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(Some(now)))
        .filter(refresh_token::Column::FamilyId.eq(family))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// Finds the family of a presented token (for logout), if the token is known.
pub async fn family_of<C: ConnectionTrait>(
    conn: &C,
    presented: &str,
) -> Result<Option<refresh_token::Model>, RepoError> {
    let Some(secret) = presented.strip_prefix("rt_") else { return Ok(None) };
    Ok(scope::global::<refresh_token::Entity>()
        .filter(refresh_token::Column::TokenHash.eq(token::digest(secret)))
        .one(conn)
        .await?)
}

/// Revokes every session of a user (password changed or reset).
pub async fn revoke_all_of_user<C: ConnectionTrait>(
    conn: &C,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<(), RepoError> {
    scope::global_update::<refresh_token::Entity>()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(Some(now)))
        .filter(refresh_token::Column::UserId.eq(user_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// Opens a password reset; the link itself is minted by the email job.
pub async fn create_reset<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<String, RepoError> {
    let id = crate::ids::raw("pwr_");
    password_reset::Entity::insert(password_reset::ActiveModel {
        id: Set(id.clone()),
        tenant_id: Set(tenant.to_string()),
        user_id: Set(user_id.to_owned()),
        token_hash: Set(None),
        expires_at: Set(now + Duration::hours(1)),
        used_at: Set(None),
        created_at: Set(now),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(id)
}

/// Mints (or re-mints) the secret of a reset; returns the row and the secret.
pub async fn mint_reset_token<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    id: &str,
) -> Result<(password_reset::Model, String), RepoError> {
    let row = scope::find::<password_reset::Entity>(tenant)
        .filter(password_reset::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(RepoError::NotFound)?;
    let secret = token::new_secret();
    scope::update_many::<password_reset::Entity>(tenant)
        .col_expr(password_reset::Column::TokenHash, Expr::value(Some(token::digest(&secret))))
        .filter(password_reset::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok((row, secret))
}

/// Consumes a reset token once; returns the user id.
pub async fn consume_reset<C: ConnectionTrait>(
    conn: &C,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>, RepoError> {
    // Pre-authentication look-up by the token's own hash.
    let Some(row) = scope::global::<password_reset::Entity>()
        .filter(password_reset::Column::TokenHash.eq(token::digest(secret)))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    if row.used_at.is_some() || row.expires_at <= now {
        return Ok(None);
    }
    let res = scope::global_update::<password_reset::Entity>()
        .col_expr(password_reset::Column::UsedAt, Expr::value(Some(now)))
        .filter(password_reset::Column::Id.eq(&row.id))
        .filter(password_reset::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    Ok((res.rows_affected == 1).then_some(row.user_id))
}
