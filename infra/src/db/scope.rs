//! The tenant scope: the only module allowed to start a query on an entity.
//!
//! Tenant-owned tables are reachable only through [`find`], [`update_many`] and [`delete_many`],
//! which require a [`TenantId`] and add `tenant_id = ?` to the statement. The few global tables
//! (tenants, users) and credential look-ups that happen before a tenant is known go through
//! [`global`], which names them explicitly. Everything else is refused by clippy
//! (`disallowed-methods` in `clippy.toml`).
#![allow(clippy::disallowed_methods)]

use super::entity::*;
use outdial_domain::ids::TenantId;
use sea_orm::{ColumnTrait, DeleteMany, EntityTrait, QueryFilter, Select, UpdateMany};

/// A table whose every row belongs to one tenant.
pub trait TenantOwned: EntityTrait {
    /// The `tenant_id` column.
    fn tenant_column() -> Self::Column;
}

/// A table that is not tenant-owned, or a credential table read before the tenant is known
/// (a refresh token or a reset token presented by an anonymous caller).
pub trait Global: EntityTrait {}

macro_rules! owned {
    ($($m:ident),*) => {$(
        impl TenantOwned for $m::Entity {
            fn tenant_column() -> Self::Column {
                $m::Column::TenantId
            }
        }
    )*};
}

owned!(
    membership,
    team,
    team_member,
    api_key,
    invitation,
    idempotency_key,
    job,
    refresh_token,
    password_reset,
    contact,
    contact_phone,
    contact_email,
    consent,
    debt,
    list,
    list_member,
    import,
    import_chunk,
    import_error,
    dnc_entry,
    reassigned_number,
    suppression_list,
    suppression_entry,
    contact_attempt,
    compliance_setting,
    compliance_audit,
    carrier_account,
    phone_number,
    call,
    message,
    carrier_event,
    task,
    campaign,
    campaign_list,
    campaign_lead,
    dial_attempt,
    agent_session,
    disposition,
    callback,
    script,
    monitor,
    voicemail_template
);

impl Global for tenant::Entity {}
impl Global for user::Entity {}
impl Global for refresh_token::Entity {}
impl Global for password_reset::Entity {}
impl Global for invitation::Entity {}
impl Global for api_key::Entity {}
impl Global for job::Entity {}
/// Carrier webhooks name an account id; the tenant comes from that row.
impl Global for carrier_account::Entity {}
/// The dialer's tick finds running campaigns of every tenant (ids only; each is then worked
/// under its own tenant scope).
impl Global for campaign::Entity {}
/// The reconciler looks for quiet calls of every tenant, then works each under its tenant.
impl Global for call::Entity {}
/// The dialer announces callbacks of every tenant as they come due.
impl Global for callback::Entity {}
/// The number health sweep re-assesses every tenant's numbers, each under its tenant.
impl Global for phone_number::Entity {}
/// The carrier fetches a voicemail by its id and token, with no tenant in hand.
impl Global for voicemail_template::Entity {}

/// `SELECT ... WHERE tenant_id = ?`.
pub fn find<E: TenantOwned>(tenant: &TenantId) -> Select<E> {
    E::find().filter(E::tenant_column().eq(tenant.as_str()))
}

/// `UPDATE ... WHERE tenant_id = ?`.
pub fn update_many<E: TenantOwned>(tenant: &TenantId) -> UpdateMany<E> {
    E::update_many().filter(E::tenant_column().eq(tenant.as_str()))
}

/// `DELETE ... WHERE tenant_id = ?`.
pub fn delete_many<E: TenantOwned>(tenant: &TenantId) -> DeleteMany<E> {
    E::delete_many().filter(E::tenant_column().eq(tenant.as_str()))
}

/// An explicitly unscoped query on a global table or a pre-authentication credential look-up.
/// Callers must say why in a comment.
pub fn global<E: Global>() -> Select<E> {
    E::find()
}

/// A person's memberships across tenants, read at login before a tenant is chosen.
pub fn global_memberships() -> Select<membership::Entity> {
    membership::Entity::find()
}

/// An explicitly unscoped update on a global table (see [`global`]).
pub fn global_update<E: Global>() -> UpdateMany<E> {
    E::update_many()
}
