//! Per-tenant compliance settings: rule overrides and the national registry area codes the
//! tenant subscribes to (its SAN subscription).

use super::RepoError;
use crate::db::{entity::compliance_setting, scope};
use chrono::{DateTime, Utc};
use outdial_domain::{compliance::TenantOverrides, ids::TenantId};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};
use std::collections::BTreeSet;

/// The settings in force.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    /// Bumped on every change; recorded on decisions (`RULESET_VERSION+tN`).
    pub revision: i32,
    pub overrides: TenantOverrides,
    /// Area codes of the tenant's registry subscription.
    pub subscribed_area_codes: BTreeSet<u16>,
}

pub async fn get<C: ConnectionTrait>(conn: &C, tenant: &TenantId) -> Result<Settings, RepoError> {
    let Some(row) = scope::find::<compliance_setting::Entity>(tenant).one(conn).await? else {
        return Ok(Settings::default());
    };
    let overrides: TenantOverrides = serde_json::from_str(&row.overrides)
        .map_err(|e| RepoError::Db(sea_orm::DbErr::Custom(format!("stored overrides: {e}"))))?;
    let subscribed: BTreeSet<u16> = serde_json::from_str(&row.subscribed_area_codes)
        .map_err(|e| RepoError::Db(sea_orm::DbErr::Custom(format!("stored area codes: {e}"))))?;
    Ok(Settings { revision: row.revision, overrides, subscribed_area_codes: subscribed })
}

/// Replaces the settings; returns them with the new revision.
pub async fn put<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    overrides: &TenantOverrides,
    area_codes: &BTreeSet<u16>,
    now: DateTime<Utc>,
) -> Result<Settings, RepoError> {
    let current = scope::find::<compliance_setting::Entity>(tenant).one(conn).await?;
    let over = serde_json::to_string(overrides).map_err(|e| RepoError::Db(sea_orm::DbErr::Custom(e.to_string())))?;
    let codes = serde_json::to_string(area_codes).map_err(|e| RepoError::Db(sea_orm::DbErr::Custom(e.to_string())))?;
    match current {
        None => {
            compliance_setting::Entity::insert(
                compliance_setting::ActiveModel::from(compliance_setting::Model {
                    tenant_id: tenant.to_string(),
                    revision: 1,
                    overrides: over,
                    subscribed_area_codes: codes,
                    updated_at: now,
                })
                .reset_all(),
            )
            .exec_without_returning(conn)
            .await?;
        }
        Some(row) => {
            scope::update_many::<compliance_setting::Entity>(tenant)
                .col_expr(compliance_setting::Column::Revision, Expr::value(row.revision + 1))
                .col_expr(compliance_setting::Column::Overrides, Expr::value(over))
                .col_expr(compliance_setting::Column::SubscribedAreaCodes, Expr::value(codes))
                .col_expr(compliance_setting::Column::UpdatedAt, Expr::value(now))
                .filter(compliance_setting::Column::Revision.eq(row.revision))
                .exec(conn)
                .await?;
        }
    }
    get(conn, tenant).await
}
