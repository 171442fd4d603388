//! A lead's attempts by the lead, newest end last: the agent's screen shows when the person on
//! the line was last called (`{LastCallRelative}` in scripts), read each time the cockpit
//! refreshes. Without it that read went through every attempt of the tenant.

use super::columns::index;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DialAttempts {
    Table,
    TenantId,
    ContactId,
    EndedAt,
}

const NAME: &str = "ix_dial_attempts_contact";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use DialAttempts as A;
        let columns = vec![A::TenantId.into_iden(), A::ContactId.into_iden(), A::EndedAt.into_iden()];
        index(m, NAME, A::Table, columns, false).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name(NAME).table(DialAttempts::Table).to_owned()).await
    }
}
