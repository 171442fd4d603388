//! The compliance audit log: every decision, allow and block, with the rule-set version.

use super::{Page, RepoError};
use crate::db::{entity::compliance_audit, scope};
use chrono::{DateTime, Utc};
use outdial_domain::ids::TenantId;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

pub async fn append<C: ConnectionTrait>(conn: &C, row: compliance_audit::Model) -> Result<(), RepoError> {
    compliance_audit::Entity::insert(compliance_audit::ActiveModel::from(row).reset_all())
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// What an audit search filters on.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub destination: Option<String>,
    pub contact_id: Option<String>,
    pub campaign_id: Option<String>,
    pub verdict: Option<String>,
    /// One reason code the decision must carry.
    pub code: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// A page of decisions, newest first.
pub async fn search<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    f: &Filter,
    page: &Page,
) -> Result<(Vec<compliance_audit::Model>, Option<String>), RepoError> {
    let mut q = scope::find::<compliance_audit::Entity>(tenant).order_by_desc(compliance_audit::Column::Id);
    if let Some(v) = &f.destination {
        q = q.filter(compliance_audit::Column::Destination.eq(v.as_str()));
    }
    if let Some(v) = &f.contact_id {
        q = q.filter(compliance_audit::Column::ContactId.eq(v.as_str()));
    }
    if let Some(v) = &f.campaign_id {
        q = q.filter(compliance_audit::Column::CampaignId.eq(v.as_str()));
    }
    if let Some(v) = &f.verdict {
        q = q.filter(compliance_audit::Column::Verdict.eq(v.as_str()));
    }
    if let Some(v) = &f.code {
        // Codes are stored as `,CODE_A,CODE_B,` so a code matches whole.
        q = q.filter(compliance_audit::Column::Codes.contains(format!(",{v},")));
    }
    if let Some(v) = f.from {
        q = q.filter(compliance_audit::Column::DecidedAt.gte(v));
    }
    if let Some(v) = f.to {
        q = q.filter(compliance_audit::Column::DecidedAt.lt(v));
    }
    if let Some(c) = &page.cursor {
        q = q.filter(compliance_audit::Column::Id.lt(c.as_str()));
    }
    let rows = q.limit(page.limit + 1).all(conn).await?;
    Ok(page.finish(rows, |d| d.id.clone()))
}

pub async fn get<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    id: &str,
) -> Result<compliance_audit::Model, RepoError> {
    scope::find::<compliance_audit::Entity>(tenant)
        .filter(compliance_audit::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(RepoError::NotFound)
}
