//! The Reassigned Numbers Database's answers an agency obtained for its numbers (47 CFR
//! 64.1200(m)): the gate reads the latest one for a number, so a consent given before the
//! number was permanently disconnected no longer counts (COMPLIANCE.md §8 case 31).

use super::columns::{s, tenant_fk, ts, ts_null};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ReassignedNumbers {
    Table,
    TenantId,
    E164,
    Result,
    DisconnectedAt,
    CheckedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use ReassignedNumbers as R;
        m.create_table(
            Table::create()
                .table(R::Table)
                .col(s(R::TenantId))
                .col(s(R::E164))
                .col(s(R::Result))
                .col(ts_null(R::DisconnectedAt))
                .col(ts(R::CheckedAt))
                .col(ts(R::UpdatedAt))
                .primary_key(Index::create().col(R::TenantId).col(R::E164))
                .foreign_key(&mut tenant_fk(R::Table, R::TenantId))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ReassignedNumbers::Table).to_owned()).await
    }
}
