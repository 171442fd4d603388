//! When an agent's wrap-up of an attempt ended (a disposition, or the wrap time running out):
//! the predictive pacing learns from it how long agents take to be ready again.

use super::columns::ts_null;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DialAttempts {
    Table,
    WrappedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let add = Table::alter().table(DialAttempts::Table).add_column(ts_null(DialAttempts::WrappedAt)).to_owned();
        m.alter_table(add).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(DialAttempts::Table).drop_column(DialAttempts::WrappedAt).to_owned()).await
    }
}
