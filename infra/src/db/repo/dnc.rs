//! The tenant's internal do-not-call list (phones and emails) and its custom and state
//! suppression lists. Effective at once: the gate reads these tables on every check.

use super::{Page, RepoError};
use crate::db::{
    entity::{contact_phone, dnc_entry, suppression_entry, suppression_list},
    scope,
};
use chrono::{DateTime, Utc};
use outdial_domain::ids::TenantId;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::Expr,
};

/// What a DNC entry blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Phone(String),
    Email(String),
}

/// Adds an entry, or returns the existing one for the same phone or email (`false`).
pub async fn add<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    target: &Target,
    reason: Option<String>,
    source: &str,
    created_by: Option<String>,
    now: DateTime<Utc>,
) -> Result<(dnc_entry::Model, bool), RepoError> {
    if let Some(existing) = find(conn, tenant, target).await? {
        return Ok((existing, false));
    }
    let (phone, email) = match target {
        Target::Phone(p) => (Some(p.clone()), None),
        Target::Email(e) => (None, Some(e.clone())),
    };
    let model = dnc_entry::Model {
        tenant_id: tenant.to_string(),
        id: crate::ids::dnc_entry().to_string(),
        phone: phone.clone(),
        email,
        reason,
        source: source.to_owned(),
        created_by,
        created_at: now,
    };
    match dnc_entry::Entity::insert(dnc_entry::ActiveModel::from(model.clone()).reset_all())
        .exec_without_returning(conn)
        .await
    {
        Ok(_) => {}
        // A concurrent add of the same number won: answer with that one.
        Err(e) => {
            return match find(conn, tenant, target).await? {
                Some(existing) => Ok((existing, false)),
                None => Err(e.into()),
            };
        }
    }
    if let Some(p) = phone {
        scope::update_many::<contact_phone::Entity>(tenant)
            .col_expr(contact_phone::Column::DncFlag, Expr::value(Some("internal")))
            .filter(contact_phone::Column::E164.eq(p))
            .exec(conn)
            .await?;
    }
    Ok((model, true))
}

pub async fn find<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    target: &Target,
) -> Result<Option<dnc_entry::Model>, RepoError> {
    let q = scope::find::<dnc_entry::Entity>(tenant);
    let q = match target {
        Target::Phone(p) => q.filter(dnc_entry::Column::Phone.eq(p.as_str())),
        Target::Email(e) => q.filter(dnc_entry::Column::Email.eq(e.as_str())),
    };
    Ok(q.one(conn).await?)
}

pub async fn get<C: ConnectionTrait>(conn: &C, tenant: &TenantId, id: &str) -> Result<dnc_entry::Model, RepoError> {
    scope::find::<dnc_entry::Entity>(tenant)
        .filter(dnc_entry::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(RepoError::NotFound)
}

pub async fn list<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    search: Option<&Target>,
    page: &Page,
) -> Result<(Vec<dnc_entry::Model>, Option<String>), RepoError> {
    let mut q = scope::find::<dnc_entry::Entity>(tenant).order_by_asc(dnc_entry::Column::Id);
    match search {
        Some(Target::Phone(p)) => q = q.filter(dnc_entry::Column::Phone.eq(p.as_str())),
        Some(Target::Email(e)) => q = q.filter(dnc_entry::Column::Email.eq(e.as_str())),
        None => {}
    }
    if let Some(c) = &page.cursor {
        q = q.filter(dnc_entry::Column::Id.gt(c.as_str()));
    }
    let rows = q.limit(page.limit + 1).all(conn).await?;
    Ok(page.finish(rows, |d| d.id.clone()))
}

/// Removes an entry (a mistaken one); the number can be contacted again.
pub async fn delete<C: ConnectionTrait>(conn: &C, tenant: &TenantId, id: &str) -> Result<(), RepoError> {
    let row = get(conn, tenant, id).await?;
    scope::delete_many::<dnc_entry::Entity>(tenant).filter(dnc_entry::Column::Id.eq(id)).exec(conn).await?;
    if let Some(p) = row.phone {
        scope::update_many::<contact_phone::Entity>(tenant)
            .col_expr(contact_phone::Column::DncFlag, Expr::value(Option::<String>::None))
            .filter(contact_phone::Column::E164.eq(p))
            .filter(contact_phone::Column::DncFlag.eq("internal"))
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// Which of these phones are on the internal list.
pub async fn listed_phones<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    phones: Vec<String>,
) -> Result<Vec<String>, RepoError> {
    Ok(scope::find::<dnc_entry::Entity>(tenant)
        .filter(dnc_entry::Column::Phone.is_in(phones))
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|d| d.phone)
        .collect())
}

/// A suppression list to create.
#[derive(Debug, Clone)]
pub struct NewList {
    pub name: String,
    /// `state` (a state's DNC list, with `state` and the copy date) or `custom`.
    pub kind: String,
    pub state: Option<String>,
    pub copy_obtained_at: Option<DateTime<Utc>>,
}

pub async fn create_list<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    new: &NewList,
    now: DateTime<Utc>,
) -> Result<suppression_list::Model, RepoError> {
    let model = suppression_list::Model {
        tenant_id: tenant.to_string(),
        id: crate::ids::suppression_list().to_string(),
        name: new.name.clone(),
        kind: new.kind.clone(),
        state: new.state.clone(),
        copy_obtained_at: new.copy_obtained_at,
        entries: 0,
        created_at: now,
        updated_at: now,
    };
    suppression_list::Entity::insert(suppression_list::ActiveModel::from(model.clone()).reset_all())
        .exec_without_returning(conn)
        .await?;
    Ok(model)
}

pub async fn get_list<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    id: &str,
) -> Result<suppression_list::Model, RepoError> {
    scope::find::<suppression_list::Entity>(tenant)
        .filter(suppression_list::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(RepoError::NotFound)
}

pub async fn lists<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    page: &Page,
) -> Result<(Vec<suppression_list::Model>, Option<String>), RepoError> {
    let mut q = scope::find::<suppression_list::Entity>(tenant).order_by_asc(suppression_list::Column::Id);
    if let Some(c) = &page.cursor {
        q = q.filter(suppression_list::Column::Id.gt(c.as_str()));
    }
    let rows = q.limit(page.limit + 1).all(conn).await?;
    Ok(page.finish(rows, |d| d.id.clone()))
}

pub async fn delete_list<C: ConnectionTrait>(conn: &C, tenant: &TenantId, id: &str) -> Result<(), RepoError> {
    let res = scope::delete_many::<suppression_list::Entity>(tenant)
        .filter(suppression_list::Column::Id.eq(id))
        .exec(conn)
        .await?;
    if res.rows_affected == 0 { Err(RepoError::NotFound) } else { Ok(()) }
}

/// Adds numbers to a list (duplicates ignored) and records the copy date of this load.
/// Returns how many were new.
pub async fn add_entries<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    list_id: &str,
    phones: &[String],
    copy_obtained_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<u64, RepoError> {
    get_list(conn, tenant, list_id).await?;
    let mut added = 0;
    for chunk in phones.chunks(500) {
        let existing: Vec<String> = scope::find::<suppression_entry::Entity>(tenant)
            .filter(suppression_entry::Column::ListId.eq(list_id))
            .filter(suppression_entry::Column::Phone.is_in(chunk.to_vec()))
            .all(conn)
            .await?
            .into_iter()
            .map(|e| e.phone)
            .collect();
        let mut fresh: Vec<&String> = chunk.iter().filter(|p| !existing.contains(p)).collect();
        fresh.sort();
        fresh.dedup();
        if fresh.is_empty() {
            continue;
        }
        added += fresh.len() as u64;
        suppression_entry::Entity::insert_many(fresh.into_iter().map(|p| {
            suppression_entry::ActiveModel::from(suppression_entry::Model {
                tenant_id: tenant.to_string(),
                list_id: list_id.to_owned(),
                phone: p.clone(),
            })
            .reset_all()
        }))
        .exec_without_returning(conn)
        .await?;
    }
    let total = scope::find::<suppression_entry::Entity>(tenant)
        .filter(suppression_entry::Column::ListId.eq(list_id))
        .count(conn)
        .await?;
    let mut upd = scope::update_many::<suppression_list::Entity>(tenant)
        .col_expr(suppression_list::Column::Entries, Expr::value(total as i64))
        .col_expr(suppression_list::Column::UpdatedAt, Expr::value(now));
    if let Some(at) = copy_obtained_at {
        upd = upd.col_expr(suppression_list::Column::CopyObtainedAt, Expr::value(Some(at)));
    }
    upd.filter(suppression_list::Column::Id.eq(list_id)).exec(conn).await?;
    Ok(added)
}

/// The suppression lists (all kinds) that hold a phone.
pub async fn lists_holding<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    phone: &str,
) -> Result<Vec<suppression_list::Model>, RepoError> {
    let ids: Vec<String> = scope::find::<suppression_entry::Entity>(tenant)
        .filter(suppression_entry::Column::Phone.eq(phone))
        .all(conn)
        .await?
        .into_iter()
        .map(|e| e.list_id)
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(scope::find::<suppression_list::Entity>(tenant)
        .filter(suppression_list::Column::Id.is_in(ids))
        .all(conn)
        .await?)
}

/// The state lists the tenant keeps, by state.
pub async fn state_lists<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
) -> Result<Vec<suppression_list::Model>, RepoError> {
    Ok(scope::find::<suppression_list::Entity>(tenant)
        .filter(suppression_list::Column::Kind.eq("state"))
        .all(conn)
        .await?)
}
