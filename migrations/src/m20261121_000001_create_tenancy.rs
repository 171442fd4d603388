//! Tenants, users, memberships, teams and team members. Tenant-owned tables carry
//! `tenant_id NOT NULL` and composite foreign keys `(tenant_id, x_id)` so that no row can point
//! into another tenant.

use super::columns::{s, ts};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Tenants {
    Table,
    Id,
    Slug,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum Users {
    Table,
    Id,
    Email,
    Name,
    PasswordHash,
    FailedLogins,
    LockedUntil,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum Memberships {
    Table,
    TenantId,
    UserId,
    Role,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum Teams {
    Table,
    TenantId,
    Id,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TeamMembers {
    Table,
    TenantId,
    TeamId,
    UserId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Tenants::Table)
                .col(s(Tenants::Id).primary_key())
                .col(s(Tenants::Slug).unique_key())
                .col(s(Tenants::Name))
                .col(ts(Tenants::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(s(Users::Id).primary_key())
                .col(s(Users::Email).unique_key())
                .col(s(Users::Name))
                .col(s(Users::PasswordHash))
                .col(ColumnDef::new(Users::FailedLogins).integer().not_null().default(0))
                .col(ColumnDef::new(Users::LockedUntil).timestamp_with_time_zone().null())
                .col(ts(Users::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Memberships::Table)
                .col(s(Memberships::TenantId))
                .col(s(Memberships::UserId))
                .col(s(Memberships::Role))
                .col(ts(Memberships::CreatedAt))
                .primary_key(Index::create().col(Memberships::TenantId).col(Memberships::UserId))
                .foreign_key(
                    ForeignKey::create()
                        .from(Memberships::Table, Memberships::TenantId)
                        .to(Tenants::Table, Tenants::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Memberships::Table, Memberships::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Teams::Table)
                .col(s(Teams::TenantId))
                .col(s(Teams::Id))
                .col(s(Teams::Name))
                .col(ts(Teams::CreatedAt))
                .primary_key(Index::create().col(Teams::TenantId).col(Teams::Id))
                .foreign_key(
                    ForeignKey::create()
                        .from(Teams::Table, Teams::TenantId)
                        .to(Tenants::Table, Tenants::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_teams_tenant_name")
                .table(Teams::Table)
                .col(Teams::TenantId)
                .col(Teams::Name)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(TeamMembers::Table)
                .col(s(TeamMembers::TenantId))
                .col(s(TeamMembers::TeamId))
                .col(s(TeamMembers::UserId))
                .col(ts(TeamMembers::CreatedAt))
                .primary_key(
                    Index::create().col(TeamMembers::TenantId).col(TeamMembers::TeamId).col(TeamMembers::UserId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(TeamMembers::Table, (TeamMembers::TenantId, TeamMembers::TeamId))
                        .to(Teams::Table, (Teams::TenantId, Teams::Id))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(TeamMembers::Table, (TeamMembers::TenantId, TeamMembers::UserId))
                        .to(Memberships::Table, (Memberships::TenantId, Memberships::UserId))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            TeamMembers::Table.into_iden(),
            Teams::Table.into_iden(),
            Memberships::Table.into_iden(),
            Users::Table.into_iden(),
            Tenants::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
