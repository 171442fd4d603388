//! Call recordings: where the carrier keeps a call's recording (a lead's recorded conversation,
//! an inbound caller's voicemail) and how long it runs, once the carrier says it is saved.

use super::columns::s_null;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Calls {
    Table,
    RecordingUrl,
    RecordingSecs,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column a statement: SQLite alters a table one change at a time.
        m.alter_table(Table::alter().table(Calls::Table).add_column(s_null(Calls::RecordingUrl)).to_owned()).await?;
        m.alter_table(
            Table::alter()
                .table(Calls::Table)
                .add_column(ColumnDef::new(Calls::RecordingSecs).integer().null().to_owned())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Calls::Table).drop_column(Calls::RecordingSecs).to_owned()).await?;
        m.alter_table(Table::alter().table(Calls::Table).drop_column(Calls::RecordingUrl).to_owned()).await
    }
}
