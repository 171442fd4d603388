//! Agencies.

use super::RepoError;
use crate::db::{entity::tenant, scope};
use outdial_domain::ids::TenantId;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};

/// Inserts a tenant with a slug derived from its name, unique across Outdial.
pub async fn create<C: ConnectionTrait>(
    conn: &C,
    name: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<tenant::Model, RepoError> {
    let base = outdial_domain::tenancy::slugify(name);
    // Slugs are global: tenants pick them at signup, before any tenant scope exists.
    let taken: Vec<String> = scope::global::<tenant::Entity>()
        .filter(tenant::Column::Slug.starts_with(&base))
        .all(conn)
        .await?
        .into_iter()
        .map(|t| t.slug)
        .collect();
    let slug = (1..)
        .map(|n| if n == 1 { base.clone() } else { format!("{base}-{n}") })
        .find(|s| !taken.contains(s))
        .unwrap_or(base);
    let model = tenant::Model { id: crate::ids::tenant().to_string(), slug, name: name.to_owned(), created_at: now };
    tenant::Entity::insert(tenant::ActiveModel {
        id: Set(model.id.clone()),
        slug: Set(model.slug.clone()),
        name: Set(model.name.clone()),
        created_at: Set(now),
    })
    .exec_without_returning(conn)
    .await
    .map_err(|e| super::unique_violation(e, "slug_taken", "that agency name is taken; try another"))?;
    Ok(model)
}

/// The caller's own tenant.
pub async fn get<C: ConnectionTrait>(conn: &C, id: &TenantId) -> Result<tenant::Model, RepoError> {
    // Keyed by the tenant id from the verified credential.
    scope::global::<tenant::Entity>()
        .filter(tenant::Column::Id.eq(id.as_str()))
        .one(conn)
        .await?
        .ok_or(RepoError::NotFound)
}

/// Renames the caller's own tenant (the slug stays: links keep working).
pub async fn rename<C: ConnectionTrait>(conn: &C, id: &TenantId, name: &str) -> Result<tenant::Model, RepoError> {
    // Keyed by the tenant id from the verified credential.
    scope::global_update::<tenant::Entity>()
        .col_expr(tenant::Column::Name, Expr::value(name))
        .filter(tenant::Column::Id.eq(id.as_str()))
        .exec(conn)
        .await?;
    get(conn, id).await
}
