//! Texts sent through the compliance gate: who a message is about, why it was sent (the
//! gate's purpose, or `reply` for the STOP/HELP/START answers the rules exempt), and who sent
//! it. Calls: when the carrier accepted the voicemail drop (the drop is claimed before it is
//! sent; a claim never confirmed is a drop a crash may have lost).

use super::columns::{index, s_null, ts_null};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Messages {
    Table,
    TenantId,
    ContactId,
    Purpose,
    SentBy,
    ToE164,
    FromE164,
}

#[derive(DeriveIden)]
enum Calls {
    Table,
    VoicemailSentAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        for col in [Messages::ContactId, Messages::Purpose, Messages::SentBy] {
            m.alter_table(Table::alter().table(Messages::Table).add_column(s_null(col)).to_owned()).await?;
        }
        m.alter_table(Table::alter().table(Calls::Table).add_column(ts_null(Calls::VoicemailSentAt)).to_owned())
            .await?;
        // A lead's thread is read by its number, on either side of the conversation.
        index(
            m,
            "ix_messages_to",
            Messages::Table,
            vec![Messages::TenantId.into_iden(), Messages::ToE164.into_iden()],
            false,
        )
        .await?;
        index(
            m,
            "ix_messages_from",
            Messages::Table,
            vec![Messages::TenantId.into_iden(), Messages::FromE164.into_iden()],
            false,
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Calls::Table).drop_column(Calls::VoicemailSentAt).to_owned()).await?;
        m.drop_index(Index::drop().name("ix_messages_from").table(Messages::Table).to_owned()).await?;
        m.drop_index(Index::drop().name("ix_messages_to").table(Messages::Table).to_owned()).await?;
        for col in [Messages::SentBy, Messages::Purpose, Messages::ContactId] {
            m.alter_table(Table::alter().table(Messages::Table).drop_column(col).to_owned()).await?;
        }
        Ok(())
    }
}
