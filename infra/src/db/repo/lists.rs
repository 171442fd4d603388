//! Lists of contacts (what an import fills and a campaign dials).

use super::{Page, RepoError};
use crate::db::{
    entity::{list, list_member},
    scope,
};
use chrono::{DateTime, Utc};
use outdial_domain::ids::TenantId;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, sea_query::LockType,
};

pub async fn create<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    name: &str,
    now: DateTime<Utc>,
) -> Result<list::Model, RepoError> {
    let model = list::Model {
        tenant_id: tenant.to_string(),
        id: crate::ids::list().to_string(),
        name: name.to_owned(),
        created_at: now,
    };
    list::Entity::insert(list::ActiveModel::from(model.clone()).reset_all()).exec_without_returning(conn).await?;
    Ok(model)
}

pub async fn get<C: ConnectionTrait>(conn: &C, tenant: &TenantId, id: &str) -> Result<list::Model, RepoError> {
    scope::find::<list::Entity>(tenant).filter(list::Column::Id.eq(id)).one(conn).await?.ok_or(RepoError::NotFound)
}

pub async fn list<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    page: &Page,
) -> Result<(Vec<list::Model>, Option<String>), RepoError> {
    let mut q = scope::find::<list::Entity>(tenant).order_by_asc(list::Column::Id);
    if let Some(c) = &page.cursor {
        q = q.filter(list::Column::Id.gt(c.as_str()));
    }
    let rows = q.limit(page.limit + 1).all(conn).await?;
    Ok(page.finish(rows, |l| l.id.clone()))
}

/// How many contacts a list holds.
pub async fn size<C: ConnectionTrait>(conn: &C, tenant: &TenantId, id: &str) -> Result<u64, RepoError> {
    Ok(scope::find::<list_member::Entity>(tenant).filter(list_member::Column::ListId.eq(id)).count(conn).await?)
}

/// Deletes a list (its contacts stay). Run it in a transaction: on PostgreSQL no foreign key
/// deletes its places (migration `m20261206_000016_list_member_keys`); they go after the
/// list's row, whose lock waits for whoever is adding to the list.
pub async fn delete<C: ConnectionTrait>(conn: &C, tenant: &TenantId, id: &str) -> Result<(), RepoError> {
    let res = scope::delete_many::<list::Entity>(tenant).filter(list::Column::Id.eq(id)).exec(conn).await?;
    if res.rows_affected == 0 {
        return Err(RepoError::NotFound);
    }
    scope::delete_many::<list_member::Entity>(tenant).filter(list_member::Column::ListId.eq(id)).exec(conn).await?;
    Ok(())
}

/// Holds a list until the transaction ends, as a foreign key to it would (`FOR KEY SHARE` on
/// PostgreSQL; SQLite's transaction holds the whole database): `NotFound` when it is gone.
pub async fn hold<C: ConnectionTrait>(conn: &C, tenant: &TenantId, id: &str) -> Result<(), RepoError> {
    let mut q = scope::find::<list::Entity>(tenant).filter(list::Column::Id.eq(id));
    if conn.get_database_backend() == DbBackend::Postgres {
        q = q.lock(LockType::KeyShare);
    }
    q.one(conn).await?.map(|_| ()).ok_or(RepoError::NotFound)
}

/// Adds contacts to a list; ones already in it are skipped. The contacts are ones the caller's
/// transaction created or holds; the list is held here (`NotFound` when it is gone).
pub async fn add_members<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    list_id: &str,
    contact_ids: &[String],
    now: DateTime<Utc>,
) -> Result<u64, RepoError> {
    hold(conn, tenant, list_id).await?;
    let mut added = 0;
    for chunk in contact_ids.chunks(500) {
        let existing: Vec<String> = scope::find::<list_member::Entity>(tenant)
            .filter(list_member::Column::ListId.eq(list_id))
            .filter(list_member::Column::ContactId.is_in(chunk.to_vec()))
            .all(conn)
            .await?
            .into_iter()
            .map(|m| m.contact_id)
            .collect();
        let mut fresh: Vec<&String> = chunk.iter().filter(|c| !existing.contains(c)).collect();
        fresh.sort();
        fresh.dedup();
        if fresh.is_empty() {
            continue;
        }
        added += fresh.len() as u64;
        list_member::Entity::insert_many(fresh.into_iter().map(|c| {
            list_member::ActiveModel::from(list_member::Model {
                tenant_id: tenant.to_string(),
                list_id: list_id.to_owned(),
                contact_id: c.clone(),
                created_at: now,
            })
            .reset_all()
        }))
        .exec_without_returning(conn)
        .await?;
    }
    Ok(added)
}
