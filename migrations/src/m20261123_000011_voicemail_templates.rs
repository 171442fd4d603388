//! Voicemail templates: recordings an agency uploads or records in the browser, played after
//! the beep when a campaign leaves a voicemail. The carrier fetches them by an unguessable
//! link, so each carries a token.

use super::columns::{int, s, tenant_fk, ts};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum VoicemailTemplates {
    Table,
    TenantId,
    Id,
    Name,
    ContentType,
    Audio,
    SizeBytes,
    DurationMs,
    Token,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use VoicemailTemplates as T;
        m.create_table(
            Table::create()
                .table(T::Table)
                .col(s(T::TenantId))
                .col(s(T::Id))
                .col(s(T::Name))
                .col(s(T::ContentType))
                .col(ColumnDef::new(T::Audio).binary().not_null())
                .col(int(T::SizeBytes))
                .col(ColumnDef::new(T::DurationMs).big_integer().null())
                .col(s(T::Token))
                .col(s(T::CreatedBy))
                .col(ts(T::CreatedAt))
                .col(ts(T::UpdatedAt))
                .primary_key(Index::create().col(T::TenantId).col(T::Id))
                .foreign_key(&mut tenant_fk(T::Table, T::TenantId))
                .to_owned(),
        )
        .await?;
        // The carrier's fetch finds a template by its id alone (ids are unique across tenants).
        m.create_index(Index::create().name("voicemail_templates_id").table(T::Table).col(T::Id).unique().to_owned())
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(VoicemailTemplates::Table).to_owned()).await
    }
}
