//! The transactional outbox: a job is a row written in the same transaction as the change that
//! asks for it; a relay hands it to the queue; the worker claims it with a compare-and-set.

use super::m20261121_000001_create_tenancy::Tenants;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Jobs {
    Table,
    TenantId,
    Id,
    Kind,
    Payload,
    Status,
    Attempts,
    MaxAttempts,
    AvailableAt,
    ClaimedUntil,
    LastError,
    TraceId,
    CreatedAt,
    UpdatedAt,
    FinishedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Jobs::Table)
                .col(ColumnDef::new(Jobs::TenantId).string().not_null())
                .col(ColumnDef::new(Jobs::Id).string().not_null().primary_key())
                .col(ColumnDef::new(Jobs::Kind).string().not_null())
                .col(ColumnDef::new(Jobs::Payload).text().not_null())
                .col(ColumnDef::new(Jobs::Status).string().not_null())
                .col(ColumnDef::new(Jobs::Attempts).integer().not_null().default(0))
                .col(ColumnDef::new(Jobs::MaxAttempts).integer().not_null())
                .col(ColumnDef::new(Jobs::AvailableAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(Jobs::ClaimedUntil).timestamp_with_time_zone().null())
                .col(ColumnDef::new(Jobs::LastError).text().null())
                .col(ColumnDef::new(Jobs::TraceId).string().not_null())
                .col(ColumnDef::new(Jobs::CreatedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(Jobs::UpdatedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(Jobs::FinishedAt).timestamp_with_time_zone().null())
                .foreign_key(
                    ForeignKey::create()
                        .from(Jobs::Table, Jobs::TenantId)
                        .to(Tenants::Table, Tenants::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_jobs_status_available")
                .table(Jobs::Table)
                .col(Jobs::Status)
                .col(Jobs::AvailableAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Jobs::Table).to_owned()).await
    }
}
