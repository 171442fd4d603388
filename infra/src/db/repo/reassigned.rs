//! Reassigned Numbers Database answers an agency recorded, one per number (the latest).

use super::RepoError;
use crate::db::{entity::reassigned_number, scope};
use chrono::{DateTime, Utc};
use outdial_domain::{compliance::ReassignedCheck, ids::TenantId};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::OnConflict};

/// Records the answer for a number, replacing the one before.
pub async fn put<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    e164: &str,
    answer: ReassignedCheck,
    checked_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<reassigned_number::Model, RepoError> {
    use reassigned_number::Column as C;
    let (result, disconnected_at) = match answer {
        ReassignedCheck::Disconnected { at } => ("disconnected", Some(at)),
        ReassignedCheck::NotReassigned => ("not_reassigned", None),
        ReassignedCheck::NoData | ReassignedCheck::NotChecked => ("no_data", None),
    };
    let row = reassigned_number::Model {
        tenant_id: tenant.to_string(),
        e164: e164.to_owned(),
        result: result.to_owned(),
        disconnected_at,
        checked_at,
        updated_at: now,
    };
    reassigned_number::Entity::insert(reassigned_number::ActiveModel::from(row.clone()).reset_all())
        .on_conflict(
            OnConflict::columns([C::TenantId, C::E164])
                .update_columns([C::Result, C::DisconnectedAt, C::CheckedAt, C::UpdatedAt])
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(row)
}

/// The answer recorded for a number.
pub async fn find<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    e164: &str,
) -> Result<Option<reassigned_number::Model>, RepoError> {
    Ok(scope::find::<reassigned_number::Entity>(tenant)
        .filter(reassigned_number::Column::E164.eq(e164))
        .one(conn)
        .await?)
}

/// A stored answer as the gate takes it (unknown text is `no data`: no safe harbor).
pub fn check_of(row: &reassigned_number::Model) -> ReassignedCheck {
    match (row.result.as_str(), row.disconnected_at) {
        ("disconnected", Some(at)) => ReassignedCheck::Disconnected { at },
        ("not_reassigned", _) => ReassignedCheck::NotReassigned,
        _ => ReassignedCheck::NoData,
    }
}
