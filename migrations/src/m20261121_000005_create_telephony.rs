//! Carriers: accounts (credentials encrypted at rest), phone numbers, calls, texts, the
//! carrier event log (deduplicated on the carrier's event id) and callback tasks.

use super::columns::{flag, index, s, s_null, tenant_fk, ts, ts_null};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CarrierAccounts {
    Table,
    TenantId,
    Id,
    Provider,
    Name,
    Sandbox,
    BaseUrl,
    Credentials,
    KeyId,
    CallsPerSec,
    MessagesPerSec,
    Status,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PhoneNumbers {
    Table,
    TenantId,
    Id,
    AccountId,
    ProviderNumberId,
    E164,
    AreaCode,
    States,
    Zones,
    Voice,
    Sms,
    Mms,
    CallerName,
    CnamStatus,
    MessagingStatus,
    TeamId,
    IsDefault,
    HealthState,
    RestedUntil,
    HealthScore,
    Status,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Calls {
    Table,
    TenantId,
    Id,
    AccountId,
    NumberId,
    ProviderCallId,
    Direction,
    FromE164,
    ToE164,
    Status,
    AnsweredBy,
    Plan,
    HangupSource,
    DurationSecs,
    VoicemailDropped,
    LastError,
    CreatedAt,
    AnsweredAt,
    EndedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    TenantId,
    Id,
    AccountId,
    NumberId,
    ProviderMessageId,
    Direction,
    FromE164,
    ToE164,
    Body,
    Status,
    ErrorCode,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CarrierEvents {
    Table,
    TenantId,
    Id,
    AccountId,
    EventKey,
    Kind,
    SubjectId,
    CallId,
    Body,
    ReceivedAt,
}

#[derive(DeriveIden)]
enum Tasks {
    Table,
    TenantId,
    Id,
    Kind,
    Phone,
    NumberId,
    CallId,
    TeamId,
    Note,
    Status,
    DueAt,
    CreatedAt,
}

fn account_fk<T: IntoIden + 'static, C: IntoIden + 'static>(
    table: T,
    tenant: C,
    account: C,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, (tenant, account))
        .to(CarrierAccounts::Table, (CarrierAccounts::TenantId, CarrierAccounts::Id))
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(CarrierAccounts::Table)
                .col(s(CarrierAccounts::TenantId))
                .col(s(CarrierAccounts::Id))
                .col(s(CarrierAccounts::Provider))
                .col(s(CarrierAccounts::Name))
                .col(flag(CarrierAccounts::Sandbox))
                .col(s_null(CarrierAccounts::BaseUrl))
                .col(ColumnDef::new(CarrierAccounts::Credentials).text().not_null())
                .col(s(CarrierAccounts::KeyId))
                .col(ColumnDef::new(CarrierAccounts::CallsPerSec).integer().not_null())
                .col(ColumnDef::new(CarrierAccounts::MessagesPerSec).integer().not_null())
                .col(s(CarrierAccounts::Status))
                .col(ts(CarrierAccounts::CreatedAt))
                .col(ts(CarrierAccounts::UpdatedAt))
                .primary_key(Index::create().col(CarrierAccounts::TenantId).col(CarrierAccounts::Id))
                .foreign_key(&mut tenant_fk(CarrierAccounts::Table, CarrierAccounts::TenantId))
                .to_owned(),
        )
        .await?;
        // Webhooks name only the account: it is looked up before the tenant is known.
        index(m, "ux_carrier_accounts_id", CarrierAccounts::Table, vec![CarrierAccounts::Id.into_iden()], true).await?;
        m.create_table(
            Table::create()
                .table(PhoneNumbers::Table)
                .col(s(PhoneNumbers::TenantId))
                .col(s(PhoneNumbers::Id))
                .col(s(PhoneNumbers::AccountId))
                .col(s(PhoneNumbers::ProviderNumberId))
                .col(s(PhoneNumbers::E164))
                .col(ColumnDef::new(PhoneNumbers::AreaCode).integer().null())
                .col(s_null(PhoneNumbers::States))
                .col(s_null(PhoneNumbers::Zones))
                .col(flag(PhoneNumbers::Voice))
                .col(flag(PhoneNumbers::Sms))
                .col(flag(PhoneNumbers::Mms))
                .col(s_null(PhoneNumbers::CallerName))
                .col(s(PhoneNumbers::CnamStatus))
                .col(s(PhoneNumbers::MessagingStatus))
                .col(s_null(PhoneNumbers::TeamId))
                .col(flag(PhoneNumbers::IsDefault))
                .col(s(PhoneNumbers::HealthState))
                .col(ColumnDef::new(PhoneNumbers::RestedUntil).date().null())
                .col(ColumnDef::new(PhoneNumbers::HealthScore).double().not_null().default(0.5))
                .col(s(PhoneNumbers::Status))
                .col(ts(PhoneNumbers::CreatedAt))
                .col(ts(PhoneNumbers::UpdatedAt))
                .primary_key(Index::create().col(PhoneNumbers::TenantId).col(PhoneNumbers::Id))
                .foreign_key(&mut account_fk(PhoneNumbers::Table, PhoneNumbers::TenantId, PhoneNumbers::AccountId))
                .to_owned(),
        )
        .await?;
        index(m, "ix_phone_numbers_e164", PhoneNumbers::Table, vec![PhoneNumbers::E164.into_iden()], false).await?;
        m.create_table(
            Table::create()
                .table(Calls::Table)
                .col(s(Calls::TenantId))
                .col(s(Calls::Id))
                .col(s(Calls::AccountId))
                .col(s_null(Calls::NumberId))
                .col(s_null(Calls::ProviderCallId))
                .col(s(Calls::Direction))
                .col(s(Calls::FromE164))
                .col(s(Calls::ToE164))
                .col(s(Calls::Status))
                .col(s_null(Calls::AnsweredBy))
                .col(ColumnDef::new(Calls::Plan).text().not_null().default("{}"))
                .col(s_null(Calls::HangupSource))
                .col(ColumnDef::new(Calls::DurationSecs).integer().null())
                .col(flag(Calls::VoicemailDropped))
                .col(ColumnDef::new(Calls::LastError).text().null())
                .col(ts(Calls::CreatedAt))
                .col(ts_null(Calls::AnsweredAt))
                .col(ts_null(Calls::EndedAt))
                .col(ts(Calls::UpdatedAt))
                .primary_key(Index::create().col(Calls::TenantId).col(Calls::Id))
                .foreign_key(&mut account_fk(Calls::Table, Calls::TenantId, Calls::AccountId))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ux_calls_provider",
            Calls::Table,
            vec![Calls::AccountId.into_iden(), Calls::ProviderCallId.into_iden()],
            true,
        )
        .await?;
        index(
            m,
            "ix_calls_number",
            Calls::Table,
            vec![Calls::NumberId.into_iden(), Calls::CreatedAt.into_iden()],
            false,
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Messages::Table)
                .col(s(Messages::TenantId))
                .col(s(Messages::Id))
                .col(s(Messages::AccountId))
                .col(s_null(Messages::NumberId))
                .col(s_null(Messages::ProviderMessageId))
                .col(s(Messages::Direction))
                .col(s(Messages::FromE164))
                .col(s(Messages::ToE164))
                .col(ColumnDef::new(Messages::Body).text().not_null())
                .col(s(Messages::Status))
                .col(s_null(Messages::ErrorCode))
                .col(ts(Messages::CreatedAt))
                .col(ts(Messages::UpdatedAt))
                .primary_key(Index::create().col(Messages::TenantId).col(Messages::Id))
                .foreign_key(&mut account_fk(Messages::Table, Messages::TenantId, Messages::AccountId))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ux_messages_provider",
            Messages::Table,
            vec![Messages::AccountId.into_iden(), Messages::ProviderMessageId.into_iden()],
            true,
        )
        .await?;
        m.create_table(
            Table::create()
                .table(CarrierEvents::Table)
                .col(s(CarrierEvents::TenantId))
                .col(s(CarrierEvents::Id))
                .col(s(CarrierEvents::AccountId))
                .col(s(CarrierEvents::EventKey))
                .col(s(CarrierEvents::Kind))
                .col(s(CarrierEvents::SubjectId))
                .col(s_null(CarrierEvents::CallId))
                .col(ColumnDef::new(CarrierEvents::Body).text().not_null())
                .col(ts(CarrierEvents::ReceivedAt))
                .primary_key(Index::create().col(CarrierEvents::TenantId).col(CarrierEvents::Id))
                .foreign_key(&mut account_fk(CarrierEvents::Table, CarrierEvents::TenantId, CarrierEvents::AccountId))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ux_carrier_events_key",
            CarrierEvents::Table,
            vec![CarrierEvents::AccountId.into_iden(), CarrierEvents::EventKey.into_iden()],
            true,
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Tasks::Table)
                .col(s(Tasks::TenantId))
                .col(s(Tasks::Id))
                .col(s(Tasks::Kind))
                .col(s(Tasks::Phone))
                .col(s_null(Tasks::NumberId))
                .col(s_null(Tasks::CallId))
                .col(s_null(Tasks::TeamId))
                .col(s_null(Tasks::Note))
                .col(s(Tasks::Status))
                .col(ts(Tasks::DueAt))
                .col(ts(Tasks::CreatedAt))
                .primary_key(Index::create().col(Tasks::TenantId).col(Tasks::Id))
                .foreign_key(&mut tenant_fk(Tasks::Table, Tasks::TenantId))
                .to_owned(),
        )
        .await?;
        index(m, "ux_tasks_call", Tasks::Table, vec![Tasks::TenantId.into_iden(), Tasks::CallId.into_iden()], true)
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            Tasks::Table.into_iden(),
            CarrierEvents::Table.into_iden(),
            Messages::Table.into_iden(),
            Calls::Table.into_iden(),
            PhoneNumbers::Table.into_iden(),
            CarrierAccounts::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
