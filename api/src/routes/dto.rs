//! Response shapes shared by several route modules (`XxxOut`).

use chrono::{DateTime, Utc};
use outdial_infra::db::entity::{membership, tenant, user};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct UserOut {
    #[schema(example = "usr_01JD3T6X8Q4M2N7P9R5S0T1VWX")]
    pub id: String,
    pub email: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

impl From<user::Model> for UserOut {
    fn from(u: user::Model) -> UserOut {
        UserOut { id: u.id, email: u.email, name: u.name, created_at: u.created_at }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TenantOut {
    #[schema(example = "ten_01JD3T6X8Q4M2N7P9R5S0T1VWX")]
    pub id: String,
    pub slug: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

impl From<tenant::Model> for TenantOut {
    fn from(t: tenant::Model) -> TenantOut {
        TenantOut { id: t.id, slug: t.slug, name: t.name, created_at: t.created_at }
    }
}

/// A role inside one agency.
#[derive(Debug, Clone, Copy, Serialize, serde::Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RoleDto {
    Agent,
    Supervisor,
    Admin,
    Owner,
}

impl From<RoleDto> for outdial_domain::tenancy::Role {
    fn from(r: RoleDto) -> Self {
        use outdial_domain::tenancy::Role;
        match r {
            RoleDto::Agent => Role::Agent,
            RoleDto::Supervisor => Role::Supervisor,
            RoleDto::Admin => Role::Admin,
            RoleDto::Owner => Role::Owner,
        }
    }
}

impl From<outdial_domain::tenancy::Role> for RoleDto {
    fn from(r: outdial_domain::tenancy::Role) -> Self {
        use outdial_domain::tenancy::Role;
        match r {
            Role::Agent => RoleDto::Agent,
            Role::Supervisor => RoleDto::Supervisor,
            Role::Admin => RoleDto::Admin,
            Role::Owner => RoleDto::Owner,
        }
    }
}

/// Parses a stored role (always valid: written by us).
pub fn stored_role(raw: &str) -> RoleDto {
    outdial_domain::tenancy::Role::parse(raw).map(RoleDto::from).unwrap_or(RoleDto::Agent)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberOut {
    pub user: UserOut,
    pub role: RoleDto,
    pub joined_at: DateTime<Utc>,
}

impl MemberOut {
    pub fn new(m: membership::Model, u: user::Model) -> MemberOut {
        MemberOut { role: stored_role(&m.role), joined_at: m.created_at, user: u.into() }
    }
}

/// A page of results; pass `next_cursor` as `cursor` to get the next one.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageOut<T> {
    pub data: Vec<T>,
    pub next_cursor: Option<String>,
}
