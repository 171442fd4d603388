//! The contact-attempt ledger: append-only, written by every channel; the frequency caps and
//! Regulation F counters are computed from it.

use super::{Page, RepoError};
use crate::db::{entity::contact_attempt, scope};
use chrono::{DateTime, Utc};
use outdial_domain::ids::TenantId;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// One attempt to record.
#[derive(Debug, Clone)]
pub struct NewAttempt {
    pub contact_id: Option<String>,
    pub address: String,
    pub channel: String,
    pub direction: String,
    pub purpose: String,
    pub campaign_id: Option<String>,
    pub debt_id: Option<String>,
    pub outcome: String,
    pub occurred_at: DateTime<Utc>,
}

pub async fn append<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    a: &NewAttempt,
) -> Result<contact_attempt::Model, RepoError> {
    let model = contact_attempt::Model {
        tenant_id: tenant.to_string(),
        id: crate::ids::attempt().to_string(),
        contact_id: a.contact_id.clone(),
        address: a.address.clone(),
        channel: a.channel.clone(),
        direction: a.direction.clone(),
        purpose: a.purpose.clone(),
        campaign_id: a.campaign_id.clone(),
        debt_id: a.debt_id.clone(),
        outcome: a.outcome.clone(),
        occurred_at: a.occurred_at,
    };
    contact_attempt::Entity::insert(contact_attempt::ActiveModel::from(model.clone()).reset_all())
        .exec_without_returning(conn)
        .await?;
    Ok(model)
}

/// Attempts to a contact (any of its addresses) or to these addresses since `since`, oldest
/// first (at most 10,000).
///
/// One read per address and one for the contact, each an equality on its own index, and the
/// union here. Asked as one `address IN (..) OR contact_id = ..`, the planner (without
/// statistics for the tenant) read every attempt of the tenant since `since` through the
/// address index's leading column, at every gate check of every dial.
pub async fn history<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    contact_id: Option<&str>,
    mut addresses: Vec<String>,
    since: DateTime<Utc>,
) -> Result<Vec<contact_attempt::Model>, RepoError> {
    const AT_MOST: usize = 10_000;
    addresses.sort_unstable();
    addresses.dedup();
    let who = addresses
        .into_iter()
        .map(|a| contact_attempt::Column::Address.eq(a))
        .chain(contact_id.map(|c| contact_attempt::Column::ContactId.eq(c)));
    let mut rows: Vec<contact_attempt::Model> = vec![];
    for w in who {
        let found = scope::find::<contact_attempt::Entity>(tenant)
            .filter(w)
            .filter(contact_attempt::Column::OccurredAt.gte(since))
            .order_by_asc(contact_attempt::Column::OccurredAt)
            .limit(AT_MOST as u64)
            .all(conn)
            .await?;
        rows.extend(found);
    }
    rows.sort_unstable_by(|a, b| a.occurred_at.cmp(&b.occurred_at).then_with(|| a.id.cmp(&b.id)));
    rows.dedup_by(|a, b| a.id == b.id);
    rows.truncate(AT_MOST);
    Ok(rows)
}

/// A page of the ledger, newest first, optionally for one contact.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    contact_id: Option<&str>,
    page: &Page,
) -> Result<(Vec<contact_attempt::Model>, Option<String>), RepoError> {
    let mut q = scope::find::<contact_attempt::Entity>(tenant).order_by_desc(contact_attempt::Column::Id);
    if let Some(c) = contact_id {
        q = q.filter(contact_attempt::Column::ContactId.eq(c));
    }
    if let Some(c) = &page.cursor {
        q = q.filter(contact_attempt::Column::Id.lt(c.as_str()));
    }
    let rows = q.limit(page.limit + 1).all(conn).await?;
    Ok(page.finish(rows, |d| d.id.clone()))
}
