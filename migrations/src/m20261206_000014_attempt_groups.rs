//! The lines of a power group by their group: each event of a grouped line locks its whole
//! group, and the line routed first cancels the others. Without it each of these read every
//! attempt of the tenant.

use super::columns::index;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DialAttempts {
    Table,
    TenantId,
    GroupId,
}

const NAME: &str = "ix_dial_attempts_group";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use DialAttempts as A;
        index(m, NAME, A::Table, vec![A::TenantId.into_iden(), A::GroupId.into_iden()], false).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name(NAME).table(DialAttempts::Table).to_owned()).await
    }
}
