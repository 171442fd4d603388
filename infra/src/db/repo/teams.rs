//! Teams and their members.

use super::{Page, RepoError};
use crate::db::{
    entity::{team, team_member},
    scope,
};
use chrono::{DateTime, Utc};
use outdial_domain::ids::TenantId;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};

pub async fn create<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    name: &str,
    now: DateTime<Utc>,
) -> Result<team::Model, RepoError> {
    let model = team::Model {
        tenant_id: tenant.to_string(),
        id: crate::ids::team().to_string(),
        name: name.to_owned(),
        created_at: now,
    };
    team::Entity::insert(team::ActiveModel {
        tenant_id: Set(model.tenant_id.clone()),
        id: Set(model.id.clone()),
        name: Set(model.name.clone()),
        created_at: Set(now),
    })
    .exec_without_returning(conn)
    .await
    .map_err(|e| super::unique_violation(e, "team_name_taken", "a team with this name already exists"))?;
    Ok(model)
}

pub async fn get<C: ConnectionTrait>(conn: &C, tenant: &TenantId, id: &str) -> Result<team::Model, RepoError> {
    scope::find::<team::Entity>(tenant).filter(team::Column::Id.eq(id)).one(conn).await?.ok_or(RepoError::NotFound)
}

pub async fn list<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    page: &Page,
) -> Result<(Vec<team::Model>, Option<String>), RepoError> {
    let mut q = scope::find::<team::Entity>(tenant).order_by_asc(team::Column::Id);
    if let Some(c) = &page.cursor {
        q = q.filter(team::Column::Id.gt(c.as_str()));
    }
    let rows = q.limit(page.limit + 1).all(conn).await?;
    Ok(page.finish(rows, |t| t.id.clone()))
}

pub async fn rename<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    id: &str,
    name: &str,
) -> Result<team::Model, RepoError> {
    get(conn, tenant, id).await?;
    scope::update_many::<team::Entity>(tenant)
        .col_expr(team::Column::Name, Expr::value(name))
        .filter(team::Column::Id.eq(id))
        .exec(conn)
        .await
        .map_err(|e| super::unique_violation(e, "team_name_taken", "a team with this name already exists"))?;
    get(conn, tenant, id).await
}

pub async fn delete<C: ConnectionTrait>(conn: &C, tenant: &TenantId, id: &str) -> Result<(), RepoError> {
    let res = scope::delete_many::<team::Entity>(tenant).filter(team::Column::Id.eq(id)).exec(conn).await?;
    if res.rows_affected == 0 { Err(RepoError::NotFound) } else { Ok(()) }
}

/// Adds a member of the tenant to a team. The composite foreign key refuses a user who is not
/// a member of this tenant, so the check below only makes the error readable.
pub async fn add_member<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    team_id: &str,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<(), RepoError> {
    get(conn, tenant, team_id).await?;
    super::members::get(conn, tenant, user_id).await?;
    team_member::Entity::insert(team_member::ActiveModel {
        tenant_id: Set(tenant.to_string()),
        team_id: Set(team_id.to_owned()),
        user_id: Set(user_id.to_owned()),
        created_at: Set(now),
    })
    .exec_without_returning(conn)
    .await
    .map_err(|e| super::unique_violation(e, "already_in_team", "this person is already in the team"))?;
    Ok(())
}

pub async fn remove_member<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    team_id: &str,
    user_id: &str,
) -> Result<(), RepoError> {
    let res = scope::delete_many::<team_member::Entity>(tenant)
        .filter(team_member::Column::TeamId.eq(team_id))
        .filter(team_member::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    if res.rows_affected == 0 { Err(RepoError::NotFound) } else { Ok(()) }
}

pub async fn member_ids<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    team_id: &str,
) -> Result<Vec<String>, RepoError> {
    get(conn, tenant, team_id).await?;
    Ok(scope::find::<team_member::Entity>(tenant)
        .filter(team_member::Column::TeamId.eq(team_id))
        .order_by_asc(team_member::Column::UserId)
        .all(conn)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect())
}
