//! Credentials: API keys, refresh-token families, password resets, invitations, idempotency keys.

use super::columns::{s, tenant_fk, ts, ts_null};
use super::m20261121_000001_create_tenancy::{Memberships, Teams, Users};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    TenantId,
    Id,
    Name,
    Role,
    SecretHash,
    Prefix,
    CreatedBy,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    Id,
    FamilyId,
    TenantId,
    UserId,
    TokenHash,
    ExpiresAt,
    UsedAt,
    RevokedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PasswordResets {
    Table,
    Id,
    TenantId,
    UserId,
    TokenHash,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Invitations {
    Table,
    TenantId,
    Id,
    Email,
    Role,
    TeamId,
    InvitedBy,
    TokenHash,
    ExpiresAt,
    AcceptedAt,
    RevokedAt,
    EmailSentAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    TenantId,
    Key,
    RequestHash,
    Status,
    Body,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ApiKeys::Table)
                .col(s(ApiKeys::TenantId))
                .col(s(ApiKeys::Id).primary_key())
                .col(s(ApiKeys::Name))
                .col(s(ApiKeys::Role))
                .col(s(ApiKeys::SecretHash))
                .col(s(ApiKeys::Prefix))
                .col(s(ApiKeys::CreatedBy))
                .col(ts(ApiKeys::CreatedAt))
                .col(ts_null(ApiKeys::LastUsedAt))
                .col(ts_null(ApiKeys::RevokedAt))
                .foreign_key(&mut tenant_fk(ApiKeys::Table, ApiKeys::TenantId))
                .foreign_key(
                    ForeignKey::create()
                        .from(ApiKeys::Table, (ApiKeys::TenantId, ApiKeys::CreatedBy))
                        .to(Memberships::Table, (Memberships::TenantId, Memberships::UserId))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_api_keys_tenant")
                .table(ApiKeys::Table)
                .col(ApiKeys::TenantId)
                .col(ApiKeys::Id)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(RefreshTokens::Table)
                .col(s(RefreshTokens::Id).primary_key())
                .col(s(RefreshTokens::FamilyId))
                .col(s(RefreshTokens::TenantId))
                .col(s(RefreshTokens::UserId))
                .col(s(RefreshTokens::TokenHash).unique_key())
                .col(ts(RefreshTokens::ExpiresAt))
                .col(ts_null(RefreshTokens::UsedAt))
                .col(ts_null(RefreshTokens::RevokedAt))
                .col(ts(RefreshTokens::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(RefreshTokens::Table, (RefreshTokens::TenantId, RefreshTokens::UserId))
                        .to(Memberships::Table, (Memberships::TenantId, Memberships::UserId))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_refresh_tokens_family")
                .table(RefreshTokens::Table)
                .col(RefreshTokens::FamilyId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(PasswordResets::Table)
                .col(s(PasswordResets::Id).primary_key())
                .col(s(PasswordResets::TenantId))
                .col(s(PasswordResets::UserId))
                .col(ColumnDef::new(PasswordResets::TokenHash).string().null())
                .col(ts(PasswordResets::ExpiresAt))
                .col(ts_null(PasswordResets::UsedAt))
                .col(ts(PasswordResets::CreatedAt))
                .foreign_key(&mut tenant_fk(PasswordResets::Table, PasswordResets::TenantId))
                .foreign_key(
                    ForeignKey::create()
                        .from(PasswordResets::Table, PasswordResets::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Invitations::Table)
                .col(s(Invitations::TenantId))
                .col(s(Invitations::Id).primary_key())
                .col(s(Invitations::Email))
                .col(s(Invitations::Role))
                .col(ColumnDef::new(Invitations::TeamId).string().null())
                .col(s(Invitations::InvitedBy))
                .col(ColumnDef::new(Invitations::TokenHash).string().null())
                .col(ts(Invitations::ExpiresAt))
                .col(ts_null(Invitations::AcceptedAt))
                .col(ts_null(Invitations::RevokedAt))
                .col(ts_null(Invitations::EmailSentAt))
                .col(ts(Invitations::CreatedAt))
                .foreign_key(&mut tenant_fk(Invitations::Table, Invitations::TenantId))
                .foreign_key(
                    ForeignKey::create()
                        .from(Invitations::Table, (Invitations::TenantId, Invitations::TeamId))
                        .to(Teams::Table, (Teams::TenantId, Teams::Id))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Invitations::Table, (Invitations::TenantId, Invitations::InvitedBy))
                        .to(Memberships::Table, (Memberships::TenantId, Memberships::UserId))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(IdempotencyKeys::Table)
                .col(s(IdempotencyKeys::TenantId))
                .col(s(IdempotencyKeys::Key))
                .col(s(IdempotencyKeys::RequestHash))
                .col(ColumnDef::new(IdempotencyKeys::Status).integer().null())
                .col(ColumnDef::new(IdempotencyKeys::Body).text().null())
                .col(ts(IdempotencyKeys::CreatedAt))
                .primary_key(Index::create().col(IdempotencyKeys::TenantId).col(IdempotencyKeys::Key))
                .foreign_key(&mut tenant_fk(IdempotencyKeys::Table, IdempotencyKeys::TenantId))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            IdempotencyKeys::Table.into_iden(),
            Invitations::Table.into_iden(),
            PasswordResets::Table.into_iden(),
            RefreshTokens::Table.into_iden(),
            ApiKeys::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
