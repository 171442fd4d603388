//! Picture texts (MMS): the media a text carries, sent or received. Phone numbers: when their
//! health was last re-assessed by the periodic sweep. Calls: what each is for (a lead, an
//! agent's leg, a supervisor's phone, an inbound caller), so a webhook looks only where its
//! call can belong.

use super::columns::{s_null, ts_null};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Messages {
    Table,
    /// A JSON array of media URLs; null for a plain text.
    MediaUrls,
}

#[derive(DeriveIden)]
enum Calls {
    Table,
    Kind,
}

#[derive(DeriveIden)]
enum PhoneNumbers {
    Table,
    HealthCheckedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Messages::Table).add_column(s_null(Messages::MediaUrls)).to_owned()).await?;
        m.alter_table(
            Table::alter().table(PhoneNumbers::Table).add_column(ts_null(PhoneNumbers::HealthCheckedAt)).to_owned(),
        )
        .await?;
        m.alter_table(Table::alter().table(Calls::Table).add_column(s_null(Calls::Kind)).to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Calls::Table).drop_column(Calls::Kind).to_owned()).await?;
        m.alter_table(Table::alter().table(PhoneNumbers::Table).drop_column(PhoneNumbers::HealthCheckedAt).to_owned())
            .await?;
        m.alter_table(Table::alter().table(Messages::Table).drop_column(Messages::MediaUrls).to_owned()).await
    }
}
