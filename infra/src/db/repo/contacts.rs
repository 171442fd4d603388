//! Contacts with their phones, emails, consents and debts. A phone or an email belongs to at
//! most one contact per tenant (primary keys `(tenant_id, e164)` and `(tenant_id, email)`),
//! which is how duplicates are found.

use super::{Page, RepoError};
use crate::db::{
    entity::{consent, contact, contact_email, contact_phone, debt, list_member},
    scope,
};
use chrono::{DateTime, Utc};
use outdial_domain::ids::TenantId;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::Expr,
};
use std::collections::BTreeSet;

/// The plain fields of a contact.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fields {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub zip: Option<String>,
    pub state: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub address_state: Option<String>,
    /// A JSON object of tenant-defined fields.
    pub custom: serde_json::Map<String, serde_json::Value>,
    pub lead_type: Option<String>,
    pub source: Option<String>,
    pub score: i32,
    pub stage: String,
    pub owner_id: Option<String>,
}

/// A contact to create: fields plus normalized phones (E.164, label) and emails.
#[derive(Debug, Clone, Default)]
pub struct NewContact {
    pub fields: Fields,
    pub phones: Vec<(String, Option<String>)>,
    pub emails: Vec<String>,
}

/// A contact with everything attached.
#[derive(Debug, Clone)]
pub struct Full {
    pub contact: contact::Model,
    pub phones: Vec<contact_phone::Model>,
    pub emails: Vec<contact_email::Model>,
    pub consents: Vec<consent::Model>,
    pub debts: Vec<debt::Model>,
    pub list_ids: Vec<String>,
}

/// The contact that already owns one of these phones or emails, if any.
pub async fn find_duplicate<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    phones: &[String],
    emails: &[String],
) -> Result<Option<String>, RepoError> {
    if !phones.is_empty()
        && let Some(p) = scope::find::<contact_phone::Entity>(tenant)
            .filter(contact_phone::Column::E164.is_in(phones.to_vec()))
            .one(conn)
            .await?
    {
        return Ok(Some(p.contact_id));
    }
    if !emails.is_empty()
        && let Some(e) = scope::find::<contact_email::Entity>(tenant)
            .filter(contact_email::Column::Email.is_in(emails.to_vec()))
            .one(conn)
            .await?
    {
        return Ok(Some(e.contact_id));
    }
    Ok(None)
}

fn active(
    tenant: &TenantId,
    id: &str,
    f: &Fields,
    origin: Option<(&str, i64)>,
    now: DateTime<Utc>,
) -> contact::ActiveModel {
    contact::Model {
        tenant_id: tenant.to_string(),
        id: id.to_owned(),
        first_name: f.first_name.clone(),
        last_name: f.last_name.clone(),
        company: f.company.clone(),
        zip: f.zip.clone(),
        state: f.state.clone(),
        address: f.address.clone(),
        city: f.city.clone(),
        address_state: f.address_state.clone(),
        custom: serde_json::Value::Object(f.custom.clone()).to_string(),
        lead_type: f.lead_type.clone(),
        source: f.source.clone(),
        score: f.score,
        stage: f.stage.clone(),
        owner_id: f.owner_id.clone(),
        import_id: origin.map(|(i, _)| i.to_owned()),
        import_row: origin.map(|(_, r)| r),
        created_at: now,
        updated_at: now,
    }
    .into_active_model_set()
}

trait IntoSet {
    fn into_active_model_set(self) -> contact::ActiveModel;
}

impl IntoSet for contact::Model {
    fn into_active_model_set(self) -> contact::ActiveModel {
        contact::ActiveModel::from(self).reset_all()
    }
}

/// Inserts a contact with its phones and emails. Refuses (`duplicate_contact`) when a phone or
/// email already belongs to a contact of this tenant.
pub async fn create<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    new: &NewContact,
    origin: Option<(&str, i64)>,
    now: DateTime<Utc>,
) -> Result<contact::Model, RepoError> {
    let phones: Vec<String> = new.phones.iter().map(|(p, _)| p.clone()).collect();
    if let Some(existing) = find_duplicate(conn, tenant, &phones, &new.emails).await? {
        return Err(RepoError::Conflict(
            "duplicate_contact",
            format!("a contact with this phone or email already exists: {existing}"),
        ));
    }
    let id = crate::ids::contact().to_string();
    contact::Entity::insert(active(tenant, &id, &new.fields, origin, now)).exec_without_returning(conn).await?;
    attach(conn, tenant, &id, &new.phones, &new.emails, 0, 0, now).await?;
    get(conn, tenant, &id).await
}

/// Adds phones and emails to a contact, positions continuing from the given ones.
#[allow(clippy::too_many_arguments)]
pub async fn attach<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    contact_id: &str,
    phones: &[(String, Option<String>)],
    emails: &[String],
    first_phone_pos: i32,
    first_email_pos: i32,
    now: DateTime<Utc>,
) -> Result<(), RepoError> {
    let mut seen = BTreeSet::new();
    let rows: Vec<contact_phone::ActiveModel> = phones
        .iter()
        .filter(|(p, _)| seen.insert(p.clone()))
        .enumerate()
        .map(|(i, (p, label))| {
            contact_phone::ActiveModel::from(contact_phone::Model {
                tenant_id: tenant.to_string(),
                e164: p.clone(),
                contact_id: contact_id.to_owned(),
                label: label.clone(),
                position: first_phone_pos + i as i32,
                dnc_flag: None,
                states: None,
                zones: None,
                created_at: now,
            })
            .reset_all()
        })
        .collect();
    if !rows.is_empty() {
        contact_phone::Entity::insert_many(rows).exec_without_returning(conn).await.map_err(|e| {
            super::unique_violation(e, "duplicate_contact", "that phone already belongs to another contact")
        })?;
    }
    let mut seen = BTreeSet::new();
    let rows: Vec<contact_email::ActiveModel> = emails
        .iter()
        .filter(|e| seen.insert((*e).clone()))
        .enumerate()
        .map(|(i, e)| {
            contact_email::ActiveModel::from(contact_email::Model {
                tenant_id: tenant.to_string(),
                email: e.clone(),
                contact_id: contact_id.to_owned(),
                position: first_email_pos + i as i32,
                created_at: now,
            })
            .reset_all()
        })
        .collect();
    if !rows.is_empty() {
        contact_email::Entity::insert_many(rows).exec_without_returning(conn).await.map_err(|e| {
            super::unique_violation(e, "duplicate_contact", "that email already belongs to another contact")
        })?;
    }
    Ok(())
}

pub async fn get<C: ConnectionTrait>(conn: &C, tenant: &TenantId, id: &str) -> Result<contact::Model, RepoError> {
    scope::find::<contact::Entity>(tenant)
        .filter(contact::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(RepoError::NotFound)
}

/// A contact with phones, emails, consents, debts and list memberships.
pub async fn get_full<C: ConnectionTrait>(conn: &C, tenant: &TenantId, id: &str) -> Result<Full, RepoError> {
    let contact = get(conn, tenant, id).await?;
    let phones = scope::find::<contact_phone::Entity>(tenant)
        .filter(contact_phone::Column::ContactId.eq(id))
        .order_by_asc(contact_phone::Column::Position)
        .all(conn)
        .await?;
    let emails = scope::find::<contact_email::Entity>(tenant)
        .filter(contact_email::Column::ContactId.eq(id))
        .order_by_asc(contact_email::Column::Position)
        .all(conn)
        .await?;
    let consents = scope::find::<consent::Entity>(tenant)
        .filter(consent::Column::ContactId.eq(id))
        .order_by_asc(consent::Column::Id)
        .all(conn)
        .await?;
    let debts = scope::find::<debt::Entity>(tenant)
        .filter(debt::Column::ContactId.eq(id))
        .order_by_asc(debt::Column::Id)
        .all(conn)
        .await?;
    let list_ids = scope::find::<list_member::Entity>(tenant)
        .filter(list_member::Column::ContactId.eq(id))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| m.list_id)
        .collect();
    Ok(Full { contact, phones, emails, consents, debts, list_ids })
}

/// What a contact search can filter on.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// A name fragment, an email, or a phone (already normalized when it parses as one).
    pub q: Option<String>,
    pub list_id: Option<String>,
    pub state: Option<String>,
    pub stage: Option<String>,
}

/// One page of contacts, oldest first.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    filter: &Filter,
    page: &Page,
) -> Result<(Vec<contact::Model>, Option<String>), RepoError> {
    let mut q = scope::find::<contact::Entity>(tenant).order_by_asc(contact::Column::Id);
    if let Some(c) = &page.cursor {
        q = q.filter(contact::Column::Id.gt(c.as_str()));
    }
    if let Some(s) = &filter.state {
        q = q.filter(contact::Column::State.eq(s.as_str()));
    }
    if let Some(s) = &filter.stage {
        q = q.filter(contact::Column::Stage.eq(s.as_str()));
    }
    if let Some(list) = &filter.list_id {
        let ids: Vec<String> = scope::find::<list_member::Entity>(tenant)
            .filter(list_member::Column::ListId.eq(list.as_str()))
            .all(conn)
            .await?
            .into_iter()
            .map(|m| m.contact_id)
            .collect();
        q = q.filter(contact::Column::Id.is_in(ids));
    }
    if let Some(text) = filter.q.as_deref().filter(|t| !t.is_empty()) {
        let by_phone: Vec<String> = scope::find::<contact_phone::Entity>(tenant)
            .filter(contact_phone::Column::E164.eq(text))
            .all(conn)
            .await?
            .into_iter()
            .map(|p| p.contact_id)
            .collect();
        let by_email: Vec<String> = scope::find::<contact_email::Entity>(tenant)
            .filter(contact_email::Column::Email.eq(text.to_ascii_lowercase()))
            .all(conn)
            .await?
            .into_iter()
            .map(|p| p.contact_id)
            .collect();
        let pattern = format!("%{}%", text.replace(['\\', '%', '_'], ""));
        q = q.filter(
            Condition::any()
                .add(contact::Column::Id.is_in(by_phone))
                .add(contact::Column::Id.is_in(by_email))
                .add(contact::Column::FirstName.like(&pattern))
                .add(contact::Column::LastName.like(&pattern))
                .add(contact::Column::Company.like(&pattern)),
        );
    }
    let rows = q.limit(page.limit + 1).all(conn).await?;
    Ok(page.finish(rows, |c| c.id.clone()))
}

/// Replaces a contact's plain fields.
pub async fn update<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    id: &str,
    f: &Fields,
    now: DateTime<Utc>,
) -> Result<contact::Model, RepoError> {
    get(conn, tenant, id).await?;
    scope::update_many::<contact::Entity>(tenant)
        .col_expr(contact::Column::FirstName, Expr::value(f.first_name.clone()))
        .col_expr(contact::Column::LastName, Expr::value(f.last_name.clone()))
        .col_expr(contact::Column::Company, Expr::value(f.company.clone()))
        .col_expr(contact::Column::Zip, Expr::value(f.zip.clone()))
        .col_expr(contact::Column::State, Expr::value(f.state.clone()))
        .col_expr(contact::Column::Address, Expr::value(f.address.clone()))
        .col_expr(contact::Column::City, Expr::value(f.city.clone()))
        .col_expr(contact::Column::AddressState, Expr::value(f.address_state.clone()))
        .col_expr(contact::Column::Custom, Expr::value(serde_json::Value::Object(f.custom.clone()).to_string()))
        .col_expr(contact::Column::LeadType, Expr::value(f.lead_type.clone()))
        .col_expr(contact::Column::Source, Expr::value(f.source.clone()))
        .col_expr(contact::Column::Score, Expr::value(f.score))
        .col_expr(contact::Column::Stage, Expr::value(f.stage.clone()))
        .col_expr(contact::Column::OwnerId, Expr::value(f.owner_id.clone()))
        .col_expr(contact::Column::UpdatedAt, Expr::value(now))
        .filter(contact::Column::Id.eq(id))
        .exec(conn)
        .await?;
    get(conn, tenant, id).await
}

/// Deletes a contact and everything attached (phones, emails, consents, debts, list places).
///
/// Run it in a transaction: on PostgreSQL no foreign key deletes the numbers, addresses and
/// list places (migrations `m20261206_000015_import_keys`, `..._000016_list_member_keys`).
/// They go after the contact's row, whose lock waits for an import batch adding to the
/// contact: that batch either committed first (its rows are deleted here) or finds the contact
/// gone and rolls back.
pub async fn delete<C: ConnectionTrait>(conn: &C, tenant: &TenantId, id: &str) -> Result<(), RepoError> {
    let res = scope::delete_many::<contact::Entity>(tenant).filter(contact::Column::Id.eq(id)).exec(conn).await?;
    if res.rows_affected == 0 {
        return Err(RepoError::NotFound);
    }
    scope::delete_many::<contact_phone::Entity>(tenant)
        .filter(contact_phone::Column::ContactId.eq(id))
        .exec(conn)
        .await?;
    scope::delete_many::<contact_email::Entity>(tenant)
        .filter(contact_email::Column::ContactId.eq(id))
        .exec(conn)
        .await?;
    scope::delete_many::<list_member::Entity>(tenant).filter(list_member::Column::ContactId.eq(id)).exec(conn).await?;
    Ok(())
}

/// Removes one phone from a contact.
pub async fn remove_phone<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    id: &str,
    e164: &str,
) -> Result<(), RepoError> {
    let res = scope::delete_many::<contact_phone::Entity>(tenant)
        .filter(contact_phone::Column::ContactId.eq(id))
        .filter(contact_phone::Column::E164.eq(e164))
        .exec(conn)
        .await?;
    if res.rows_affected == 0 { Err(RepoError::NotFound) } else { Ok(()) }
}

/// A consent to record.
#[derive(Debug, Clone)]
pub struct NewConsent {
    pub address: String,
    pub level: String,
    pub channels: Vec<String>,
    pub source: String,
    pub scope: Option<String>,
    pub evidence: Option<String>,
    pub given_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

pub async fn add_consent<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    contact_id: &str,
    c: &NewConsent,
    now: DateTime<Utc>,
) -> Result<consent::Model, RepoError> {
    get(conn, tenant, contact_id).await?;
    let model = consent::Model {
        tenant_id: tenant.to_string(),
        id: crate::ids::consent().to_string(),
        contact_id: contact_id.to_owned(),
        address: c.address.clone(),
        level: c.level.clone(),
        channels: c.channels.join(","),
        source: c.source.clone(),
        scope: c.scope.clone(),
        evidence: c.evidence.clone(),
        given_at: c.given_at,
        revoked_at: None,
        expires_at: c.expires_at,
        created_at: now,
    };
    consent::Entity::insert(consent::ActiveModel::from(model.clone()).reset_all()).exec_without_returning(conn).await?;
    Ok(model)
}

/// Revokes a consent (kept for the record).
pub async fn revoke_consent<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    contact_id: &str,
    id: &str,
    now: DateTime<Utc>,
) -> Result<(), RepoError> {
    let res = scope::update_many::<consent::Entity>(tenant)
        .col_expr(consent::Column::RevokedAt, Expr::value(Some(now)))
        .filter(consent::Column::ContactId.eq(contact_id))
        .filter(consent::Column::Id.eq(id))
        .filter(consent::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    if res.rows_affected == 0 { Err(RepoError::NotFound) } else { Ok(()) }
}

/// A debt to record.
#[derive(Debug, Clone)]
pub struct NewDebt {
    pub account_number: Option<String>,
    pub creditor: Option<String>,
    pub balance_cents: Option<i64>,
}

pub async fn add_debt<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    contact_id: &str,
    d: &NewDebt,
    now: DateTime<Utc>,
) -> Result<debt::Model, RepoError> {
    get(conn, tenant, contact_id).await?;
    let model = debt::Model {
        tenant_id: tenant.to_string(),
        id: crate::ids::debt().to_string(),
        contact_id: contact_id.to_owned(),
        account_number: d.account_number.clone(),
        creditor: d.creditor.clone(),
        balance_cents: d.balance_cents,
        status: "open".into(),
        created_at: now,
    };
    debt::Entity::insert(debt::ActiveModel::from(model.clone()).reset_all()).exec_without_returning(conn).await?;
    Ok(model)
}

/// The contact that owns a phone, if any.
pub async fn by_phone<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    e164: &str,
) -> Result<Option<String>, RepoError> {
    Ok(scope::find::<contact_phone::Entity>(tenant)
        .filter(contact_phone::Column::E164.eq(e164))
        .one(conn)
        .await?
        .map(|p| p.contact_id))
}

/// Merges a duplicate into an existing contact: empty fields are filled, new phones and emails
/// added, custom fields joined (existing values win).
pub async fn merge<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    id: &str,
    new: &NewContact,
    now: DateTime<Utc>,
) -> Result<(), RepoError> {
    let full = get_full(conn, tenant, id).await?;
    let c = &full.contact;
    let pick = |old: &Option<String>, new: &Option<String>| old.clone().or_else(|| new.clone());
    let mut custom: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&c.custom).unwrap_or_default();
    for (k, v) in &new.fields.custom {
        custom.entry(k.clone()).or_insert_with(|| v.clone());
    }
    let fields = Fields {
        first_name: pick(&c.first_name, &new.fields.first_name),
        last_name: pick(&c.last_name, &new.fields.last_name),
        company: pick(&c.company, &new.fields.company),
        zip: pick(&c.zip, &new.fields.zip),
        state: pick(&c.state, &new.fields.state),
        address: pick(&c.address, &new.fields.address),
        city: pick(&c.city, &new.fields.city),
        address_state: pick(&c.address_state, &new.fields.address_state),
        custom,
        lead_type: pick(&c.lead_type, &new.fields.lead_type),
        source: pick(&c.source, &new.fields.source),
        score: c.score.max(new.fields.score),
        stage: c.stage.clone(),
        owner_id: pick(&c.owner_id, &new.fields.owner_id),
    };
    update(conn, tenant, id, &fields, now).await?;
    let known_phones: BTreeSet<&str> = full.phones.iter().map(|p| p.e164.as_str()).collect();
    let known_emails: BTreeSet<&str> = full.emails.iter().map(|e| e.email.as_str()).collect();
    // A phone that belongs to a third contact stays where it is.
    let phones: Vec<(String, Option<String>)> =
        new.phones.iter().filter(|(p, _)| !known_phones.contains(p.as_str())).cloned().collect();
    let emails: Vec<String> = new.emails.iter().filter(|e| !known_emails.contains(e.as_str())).cloned().collect();
    let mut free_phones = Vec::new();
    for (p, l) in phones {
        if by_phone(conn, tenant, &p).await?.is_none() {
            free_phones.push((p, l));
        }
    }
    let mut free_emails = Vec::new();
    for e in emails {
        if scope::find::<contact_email::Entity>(tenant)
            .filter(contact_email::Column::Email.eq(e.as_str()))
            .one(conn)
            .await?
            .is_none()
        {
            free_emails.push(e);
        }
    }
    attach(conn, tenant, id, &free_phones, &free_emails, full.phones.len() as i32, full.emails.len() as i32, now).await
}
