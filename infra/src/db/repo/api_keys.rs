//! API keys: `od_<id>_<secret>`, shown once, stored as a SHA-256 of the secret, scoped to one
//! tenant and role, revocable, with a last-used time.

use super::{Page, RepoError};
use crate::{
    auth::token,
    db::{entity::api_key, scope},
};
use chrono::{DateTime, Duration, Utc};
use outdial_domain::{
    ids::{ApiKeyId, TenantId},
    tenancy::Role,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};

/// A new key and the only copy of its secret.
pub struct Created {
    pub model: api_key::Model,
    pub key: String,
}

pub async fn create<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    name: &str,
    role: Role,
    created_by: &str,
    now: DateTime<Utc>,
) -> Result<Created, RepoError> {
    let id = crate::ids::api_key();
    let secret = token::new_secret();
    let body = id.as_str().trim_start_matches(ApiKeyId::PREFIX);
    let key = format!("od_{body}_{secret}");
    let model = api_key::Model {
        tenant_id: tenant.to_string(),
        id: id.to_string(),
        name: name.to_owned(),
        role: role.as_str().to_owned(),
        secret_hash: token::digest(&secret),
        prefix: key.chars().take(12).collect(),
        created_by: created_by.to_owned(),
        created_at: now,
        last_used_at: None,
        revoked_at: None,
    };
    api_key::Entity::insert(api_key::ActiveModel {
        tenant_id: Set(model.tenant_id.clone()),
        id: Set(model.id.clone()),
        name: Set(model.name.clone()),
        role: Set(model.role.clone()),
        secret_hash: Set(model.secret_hash.clone()),
        prefix: Set(model.prefix.clone()),
        created_by: Set(model.created_by.clone()),
        created_at: Set(now),
        last_used_at: Set(None),
        revoked_at: Set(None),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(Created { model, key })
}

/// Why a presented key was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum KeyRejection {
    Malformed,
    Unknown,
    Revoked,
}

/// Checks a presented key and returns its row; touches `last_used_at` at most once a minute.
pub async fn authenticate<C: ConnectionTrait>(
    conn: &C,
    presented: &str,
    now: DateTime<Utc>,
) -> Result<Result<api_key::Model, KeyRejection>, RepoError> {
    let Some((body, secret)) = presented.strip_prefix("od_").and_then(|r| r.split_once('_')) else {
        return Ok(Err(KeyRejection::Malformed));
    };
    let Ok(id) = ApiKeyId::from_ulid_body(body) else {
        return Ok(Err(KeyRejection::Malformed));
    };
    // Pre-authentication look-up: the key itself names its tenant.
    let Some(row) = scope::global::<api_key::Entity>().filter(api_key::Column::Id.eq(id.as_str())).one(conn).await?
    else {
        return Ok(Err(KeyRejection::Unknown));
    };
    if !token::digests_equal(&row.secret_hash, &token::digest(secret)) {
        return Ok(Err(KeyRejection::Unknown));
    }
    if row.revoked_at.is_some() {
        return Ok(Err(KeyRejection::Revoked));
    }
    if row.last_used_at.is_none_or(|t| now - t > Duration::seconds(60)) {
        let tenant =
            TenantId::parse(&row.tenant_id).map_err(|e| RepoError::Db(sea_orm::DbErr::Custom(e.to_string())))?;
        scope::update_many::<api_key::Entity>(&tenant)
            .col_expr(api_key::Column::LastUsedAt, Expr::value(Some(now)))
            .filter(api_key::Column::Id.eq(&row.id))
            .exec(conn)
            .await?;
    }
    Ok(Ok(row))
}

pub async fn get<C: ConnectionTrait>(conn: &C, tenant: &TenantId, id: &str) -> Result<api_key::Model, RepoError> {
    scope::find::<api_key::Entity>(tenant)
        .filter(api_key::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(RepoError::NotFound)
}

pub async fn list<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    page: &Page,
) -> Result<(Vec<api_key::Model>, Option<String>), RepoError> {
    let mut q = scope::find::<api_key::Entity>(tenant).order_by_asc(api_key::Column::Id);
    if let Some(c) = &page.cursor {
        q = q.filter(api_key::Column::Id.gt(c.as_str()));
    }
    let rows = q.limit(page.limit + 1).all(conn).await?;
    Ok(page.finish(rows, |k| k.id.clone()))
}

/// Revokes a key; revoking twice is fine.
pub async fn revoke<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    id: &str,
    now: DateTime<Utc>,
) -> Result<api_key::Model, RepoError> {
    let row = get(conn, tenant, id).await?;
    if row.revoked_at.is_none() {
        scope::update_many::<api_key::Entity>(tenant)
            .col_expr(api_key::Column::RevokedAt, Expr::value(Some(now)))
            .filter(api_key::Column::Id.eq(id))
            .exec(conn)
            .await?;
    }
    get(conn, tenant, id).await
}
