//! Memberships: who belongs to a tenant, with which role.

use super::{Page, RepoError};
use crate::db::{entity::membership, scope};
use chrono::{DateTime, Utc};
use outdial_domain::{ids::TenantId, tenancy::Role};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::Expr,
};

pub async fn add<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    user_id: &str,
    role: Role,
    now: DateTime<Utc>,
) -> Result<(), RepoError> {
    membership::Entity::insert(membership::ActiveModel {
        tenant_id: Set(tenant.to_string()),
        user_id: Set(user_id.to_owned()),
        role: Set(role.as_str().to_owned()),
        created_at: Set(now),
    })
    .exec_without_returning(conn)
    .await
    .map_err(|e| super::unique_violation(e, "already_member", "this person is already a member"))?;
    Ok(())
}

pub async fn get<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    user_id: &str,
) -> Result<membership::Model, RepoError> {
    scope::find::<membership::Entity>(tenant)
        .filter(membership::Column::UserId.eq(user_id))
        .one(conn)
        .await?
        .ok_or(RepoError::NotFound)
}

/// The memberships of one user across tenants, oldest first (login picks the first unless told).
pub async fn of_user<C: ConnectionTrait>(conn: &C, user_id: &str) -> Result<Vec<membership::Model>, RepoError> {
    // A person's own memberships, read at login to decide which tenant the token is for.
    Ok(scope::global_memberships()
        .filter(membership::Column::UserId.eq(user_id))
        .order_by_asc(membership::Column::CreatedAt)
        .all(conn)
        .await?)
}

pub async fn list<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    page: &Page,
) -> Result<(Vec<membership::Model>, Option<String>), RepoError> {
    let mut q = scope::find::<membership::Entity>(tenant).order_by_asc(membership::Column::UserId);
    if let Some(c) = &page.cursor {
        q = q.filter(membership::Column::UserId.gt(c.as_str()));
    }
    let rows = q.limit(page.limit + 1).all(conn).await?;
    Ok(page.finish(rows, |m| m.user_id.clone()))
}

async fn owners<C: ConnectionTrait>(conn: &C, tenant: &TenantId) -> Result<u64, RepoError> {
    Ok(scope::find::<membership::Entity>(tenant)
        .filter(membership::Column::Role.eq(Role::Owner.as_str()))
        .count(conn)
        .await?)
}

/// Changes a member's role; the last owner cannot be demoted.
pub async fn set_role<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    user_id: &str,
    role: Role,
) -> Result<membership::Model, RepoError> {
    let current = get(conn, tenant, user_id).await?;
    if current.role == Role::Owner.as_str() && role != Role::Owner && owners(conn, tenant).await? <= 1 {
        return Err(RepoError::Conflict(
            "last_owner",
            "an agency needs at least one owner; promote another member first".into(),
        ));
    }
    scope::update_many::<membership::Entity>(tenant)
        .col_expr(membership::Column::Role, Expr::value(role.as_str()))
        .filter(membership::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    get(conn, tenant, user_id).await
}

/// Removes a member (with their team places, keys and sessions, by cascade); never the last owner.
pub async fn remove<C: ConnectionTrait>(conn: &C, tenant: &TenantId, user_id: &str) -> Result<(), RepoError> {
    let current = get(conn, tenant, user_id).await?;
    if current.role == Role::Owner.as_str() && owners(conn, tenant).await? <= 1 {
        return Err(RepoError::Conflict(
            "last_owner",
            "an agency needs at least one owner; promote another member first".into(),
        ));
    }
    scope::delete_many::<membership::Entity>(tenant).filter(membership::Column::UserId.eq(user_id)).exec(conn).await?;
    Ok(())
}
