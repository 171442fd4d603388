//! Contacts (leads) with phones, emails, consents and debts; lists; imports; internal DNC and
//! suppression lists; the contact-attempt ledger; compliance settings and the audit log.

use super::columns::{index, int, s, s_null, tenant_fk, ts, ts_null};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Contacts {
    Table,
    TenantId,
    Id,
    FirstName,
    LastName,
    Company,
    Zip,
    State,
    Address,
    City,
    AddressState,
    Custom,
    LeadType,
    Source,
    Score,
    Stage,
    OwnerId,
    ImportId,
    ImportRow,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ContactPhones {
    Table,
    TenantId,
    E164,
    ContactId,
    Label,
    Position,
    DncFlag,
    States,
    Zones,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ContactEmails {
    Table,
    TenantId,
    Email,
    ContactId,
    Position,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Consents {
    Table,
    TenantId,
    Id,
    ContactId,
    Address,
    Level,
    Channels,
    Source,
    Scope,
    Evidence,
    GivenAt,
    RevokedAt,
    ExpiresAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Debts {
    Table,
    TenantId,
    Id,
    ContactId,
    AccountNumber,
    Creditor,
    BalanceCents,
    Status,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Lists {
    Table,
    TenantId,
    Id,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ListMembers {
    Table,
    TenantId,
    ListId,
    ContactId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Imports {
    Table,
    TenantId,
    Id,
    ListId,
    Filename,
    Format,
    Columns,
    Encoding,
    Mapping,
    Status,
    TotalBytes,
    BytesDone,
    RowsDone,
    RowsCreated,
    RowsMerged,
    RowsFailed,
    RowsDncFlagged,
    Error,
    CreatedBy,
    CreatedAt,
    StartedAt,
    UpdatedAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum ImportChunks {
    Table,
    TenantId,
    ImportId,
    Seq,
    Data,
}

#[derive(DeriveIden)]
enum ImportErrors {
    Table,
    TenantId,
    ImportId,
    Row,
    Field,
    Message,
    Raw,
}

#[derive(DeriveIden)]
enum DncEntries {
    Table,
    TenantId,
    Id,
    Phone,
    Email,
    Reason,
    Source,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SuppressionLists {
    Table,
    TenantId,
    Id,
    Name,
    Kind,
    State,
    CopyObtainedAt,
    Entries,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SuppressionEntries {
    Table,
    TenantId,
    ListId,
    Phone,
}

#[derive(DeriveIden)]
enum ContactAttempts {
    Table,
    TenantId,
    Id,
    ContactId,
    Address,
    Channel,
    Direction,
    Purpose,
    CampaignId,
    DebtId,
    Outcome,
    OccurredAt,
}

#[derive(DeriveIden)]
enum ComplianceSettings {
    Table,
    TenantId,
    Revision,
    Overrides,
    SubscribedAreaCodes,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ComplianceAudit {
    Table,
    TenantId,
    Id,
    DecidedAt,
    EvaluatedAt,
    Channel,
    Purpose,
    Destination,
    ContactId,
    CampaignId,
    Verdict,
    Codes,
    Decision,
    RulesetVersion,
    Actor,
}

fn contact_fk<T: IntoIden + 'static, C: IntoIden + 'static>(
    table: T,
    tenant: C,
    contact: C,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, (tenant, contact))
        .to(Contacts::Table, (Contacts::TenantId, Contacts::Id))
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Contacts::Table)
                .col(s(Contacts::TenantId))
                .col(s(Contacts::Id))
                .col(s_null(Contacts::FirstName))
                .col(s_null(Contacts::LastName))
                .col(s_null(Contacts::Company))
                .col(s_null(Contacts::Zip))
                .col(s_null(Contacts::State))
                .col(s_null(Contacts::Address))
                .col(s_null(Contacts::City))
                .col(s_null(Contacts::AddressState))
                .col(ColumnDef::new(Contacts::Custom).text().not_null().default("{}"))
                .col(s_null(Contacts::LeadType))
                .col(s_null(Contacts::Source))
                .col(ColumnDef::new(Contacts::Score).integer().not_null().default(0))
                .col(ColumnDef::new(Contacts::Stage).string().not_null().default("new"))
                .col(s_null(Contacts::OwnerId))
                .col(s_null(Contacts::ImportId))
                .col(ColumnDef::new(Contacts::ImportRow).big_integer().null())
                .col(ts(Contacts::CreatedAt))
                .col(ts(Contacts::UpdatedAt))
                .primary_key(Index::create().col(Contacts::TenantId).col(Contacts::Id))
                // owner_id is checked against memberships by the API: a composite
                // ON DELETE SET NULL would null tenant_id too.
                .foreign_key(&mut tenant_fk(Contacts::Table, Contacts::TenantId))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ContactPhones::Table)
                .col(s(ContactPhones::TenantId))
                .col(s(ContactPhones::E164))
                .col(s(ContactPhones::ContactId))
                .col(s_null(ContactPhones::Label))
                .col(ColumnDef::new(ContactPhones::Position).integer().not_null().default(0))
                .col(s_null(ContactPhones::DncFlag))
                .col(s_null(ContactPhones::States))
                .col(s_null(ContactPhones::Zones))
                .col(ts(ContactPhones::CreatedAt))
                .primary_key(Index::create().col(ContactPhones::TenantId).col(ContactPhones::E164))
                .foreign_key(&mut contact_fk(ContactPhones::Table, ContactPhones::TenantId, ContactPhones::ContactId))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_contact_phones_contact",
            ContactPhones::Table,
            vec![ContactPhones::TenantId.into_iden(), ContactPhones::ContactId.into_iden()],
            false,
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ContactEmails::Table)
                .col(s(ContactEmails::TenantId))
                .col(s(ContactEmails::Email))
                .col(s(ContactEmails::ContactId))
                .col(ColumnDef::new(ContactEmails::Position).integer().not_null().default(0))
                .col(ts(ContactEmails::CreatedAt))
                .primary_key(Index::create().col(ContactEmails::TenantId).col(ContactEmails::Email))
                .foreign_key(&mut contact_fk(ContactEmails::Table, ContactEmails::TenantId, ContactEmails::ContactId))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_contact_emails_contact",
            ContactEmails::Table,
            vec![ContactEmails::TenantId.into_iden(), ContactEmails::ContactId.into_iden()],
            false,
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Consents::Table)
                .col(s(Consents::TenantId))
                .col(s(Consents::Id))
                .col(s(Consents::ContactId))
                .col(s(Consents::Address))
                .col(s(Consents::Level))
                .col(s(Consents::Channels))
                .col(s(Consents::Source))
                .col(s_null(Consents::Scope))
                .col(ColumnDef::new(Consents::Evidence).text().null())
                .col(ts(Consents::GivenAt))
                .col(ts_null(Consents::RevokedAt))
                .col(ts_null(Consents::ExpiresAt))
                .col(ts(Consents::CreatedAt))
                .primary_key(Index::create().col(Consents::TenantId).col(Consents::Id))
                .foreign_key(&mut contact_fk(Consents::Table, Consents::TenantId, Consents::ContactId))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_consents_contact",
            Consents::Table,
            vec![Consents::TenantId.into_iden(), Consents::ContactId.into_iden()],
            false,
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Debts::Table)
                .col(s(Debts::TenantId))
                .col(s(Debts::Id))
                .col(s(Debts::ContactId))
                .col(s_null(Debts::AccountNumber))
                .col(s_null(Debts::Creditor))
                .col(ColumnDef::new(Debts::BalanceCents).big_integer().null())
                .col(ColumnDef::new(Debts::Status).string().not_null().default("open"))
                .col(ts(Debts::CreatedAt))
                .primary_key(Index::create().col(Debts::TenantId).col(Debts::Id))
                .foreign_key(&mut contact_fk(Debts::Table, Debts::TenantId, Debts::ContactId))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Lists::Table)
                .col(s(Lists::TenantId))
                .col(s(Lists::Id))
                .col(s(Lists::Name))
                .col(ts(Lists::CreatedAt))
                .primary_key(Index::create().col(Lists::TenantId).col(Lists::Id))
                .foreign_key(&mut tenant_fk(Lists::Table, Lists::TenantId))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ListMembers::Table)
                .col(s(ListMembers::TenantId))
                .col(s(ListMembers::ListId))
                .col(s(ListMembers::ContactId))
                .col(ts(ListMembers::CreatedAt))
                .primary_key(
                    Index::create().col(ListMembers::TenantId).col(ListMembers::ListId).col(ListMembers::ContactId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(ListMembers::Table, (ListMembers::TenantId, ListMembers::ListId))
                        .to(Lists::Table, (Lists::TenantId, Lists::Id))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(&mut contact_fk(ListMembers::Table, ListMembers::TenantId, ListMembers::ContactId))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Imports::Table)
                .col(s(Imports::TenantId))
                .col(s(Imports::Id))
                .col(s_null(Imports::ListId))
                .col(s(Imports::Filename))
                .col(s(Imports::Format))
                .col(ColumnDef::new(Imports::Columns).text().not_null())
                .col(s(Imports::Encoding))
                .col(ColumnDef::new(Imports::Mapping).text().not_null())
                .col(s(Imports::Status))
                .col(int(Imports::TotalBytes))
                .col(int(Imports::BytesDone))
                .col(int(Imports::RowsDone))
                .col(int(Imports::RowsCreated))
                .col(int(Imports::RowsMerged))
                .col(int(Imports::RowsFailed))
                .col(int(Imports::RowsDncFlagged))
                .col(ColumnDef::new(Imports::Error).text().null())
                .col(s(Imports::CreatedBy))
                .col(ts(Imports::CreatedAt))
                .col(ts_null(Imports::StartedAt))
                .col(ts(Imports::UpdatedAt))
                .col(ts_null(Imports::FinishedAt))
                .primary_key(Index::create().col(Imports::TenantId).col(Imports::Id))
                .foreign_key(&mut tenant_fk(Imports::Table, Imports::TenantId))
                .foreign_key(
                    ForeignKey::create()
                        .from(Imports::Table, (Imports::TenantId, Imports::ListId))
                        .to(Lists::Table, (Lists::TenantId, Lists::Id))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ImportChunks::Table)
                .col(s(ImportChunks::TenantId))
                .col(s(ImportChunks::ImportId))
                .col(ColumnDef::new(ImportChunks::Seq).integer().not_null())
                .col(ColumnDef::new(ImportChunks::Data).blob().not_null())
                .primary_key(
                    Index::create().col(ImportChunks::TenantId).col(ImportChunks::ImportId).col(ImportChunks::Seq),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(ImportChunks::Table, (ImportChunks::TenantId, ImportChunks::ImportId))
                        .to(Imports::Table, (Imports::TenantId, Imports::Id))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ImportErrors::Table)
                .col(s(ImportErrors::TenantId))
                .col(s(ImportErrors::ImportId))
                .col(ColumnDef::new(ImportErrors::Row).big_integer().not_null())
                .col(s(ImportErrors::Field))
                .col(s(ImportErrors::Message))
                .col(ColumnDef::new(ImportErrors::Raw).text().null())
                .primary_key(
                    Index::create()
                        .col(ImportErrors::TenantId)
                        .col(ImportErrors::ImportId)
                        .col(ImportErrors::Row)
                        .col(ImportErrors::Field),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(ImportErrors::Table, (ImportErrors::TenantId, ImportErrors::ImportId))
                        .to(Imports::Table, (Imports::TenantId, Imports::Id))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(DncEntries::Table)
                .col(s(DncEntries::TenantId))
                .col(s(DncEntries::Id))
                .col(s_null(DncEntries::Phone))
                .col(s_null(DncEntries::Email))
                .col(s_null(DncEntries::Reason))
                .col(s(DncEntries::Source))
                .col(s_null(DncEntries::CreatedBy))
                .col(ts(DncEntries::CreatedAt))
                .primary_key(Index::create().col(DncEntries::TenantId).col(DncEntries::Id))
                .foreign_key(&mut tenant_fk(DncEntries::Table, DncEntries::TenantId))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ux_dnc_phone",
            DncEntries::Table,
            vec![DncEntries::TenantId.into_iden(), DncEntries::Phone.into_iden()],
            true,
        )
        .await?;
        index(
            m,
            "ux_dnc_email",
            DncEntries::Table,
            vec![DncEntries::TenantId.into_iden(), DncEntries::Email.into_iden()],
            true,
        )
        .await?;
        m.create_table(
            Table::create()
                .table(SuppressionLists::Table)
                .col(s(SuppressionLists::TenantId))
                .col(s(SuppressionLists::Id))
                .col(s(SuppressionLists::Name))
                .col(s(SuppressionLists::Kind))
                .col(s_null(SuppressionLists::State))
                .col(ts_null(SuppressionLists::CopyObtainedAt))
                .col(int(SuppressionLists::Entries))
                .col(ts(SuppressionLists::CreatedAt))
                .col(ts(SuppressionLists::UpdatedAt))
                .primary_key(Index::create().col(SuppressionLists::TenantId).col(SuppressionLists::Id))
                .foreign_key(&mut tenant_fk(SuppressionLists::Table, SuppressionLists::TenantId))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(SuppressionEntries::Table)
                .col(s(SuppressionEntries::TenantId))
                .col(s(SuppressionEntries::ListId))
                .col(s(SuppressionEntries::Phone))
                .primary_key(
                    Index::create()
                        .col(SuppressionEntries::TenantId)
                        .col(SuppressionEntries::Phone)
                        .col(SuppressionEntries::ListId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(SuppressionEntries::Table, (SuppressionEntries::TenantId, SuppressionEntries::ListId))
                        .to(SuppressionLists::Table, (SuppressionLists::TenantId, SuppressionLists::Id))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ContactAttempts::Table)
                .col(s(ContactAttempts::TenantId))
                .col(s(ContactAttempts::Id))
                .col(s_null(ContactAttempts::ContactId))
                .col(s(ContactAttempts::Address))
                .col(s(ContactAttempts::Channel))
                .col(s(ContactAttempts::Direction))
                .col(s(ContactAttempts::Purpose))
                .col(s_null(ContactAttempts::CampaignId))
                .col(s_null(ContactAttempts::DebtId))
                .col(s(ContactAttempts::Outcome))
                .col(ts(ContactAttempts::OccurredAt))
                .primary_key(Index::create().col(ContactAttempts::TenantId).col(ContactAttempts::Id))
                .foreign_key(&mut tenant_fk(ContactAttempts::Table, ContactAttempts::TenantId))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_attempts_contact",
            ContactAttempts::Table,
            vec![
                ContactAttempts::TenantId.into_iden(),
                ContactAttempts::ContactId.into_iden(),
                ContactAttempts::OccurredAt.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            m,
            "ix_attempts_address",
            ContactAttempts::Table,
            vec![
                ContactAttempts::TenantId.into_iden(),
                ContactAttempts::Address.into_iden(),
                ContactAttempts::OccurredAt.into_iden(),
            ],
            false,
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ComplianceSettings::Table)
                .col(s(ComplianceSettings::TenantId).primary_key())
                .col(ColumnDef::new(ComplianceSettings::Revision).integer().not_null().default(0))
                .col(ColumnDef::new(ComplianceSettings::Overrides).text().not_null())
                .col(ColumnDef::new(ComplianceSettings::SubscribedAreaCodes).text().not_null())
                .col(ts(ComplianceSettings::UpdatedAt))
                .foreign_key(&mut tenant_fk(ComplianceSettings::Table, ComplianceSettings::TenantId))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ComplianceAudit::Table)
                .col(s(ComplianceAudit::TenantId))
                .col(s(ComplianceAudit::Id))
                .col(ts(ComplianceAudit::DecidedAt))
                .col(ts(ComplianceAudit::EvaluatedAt))
                .col(s(ComplianceAudit::Channel))
                .col(s(ComplianceAudit::Purpose))
                .col(s(ComplianceAudit::Destination))
                .col(s_null(ComplianceAudit::ContactId))
                .col(s_null(ComplianceAudit::CampaignId))
                .col(s(ComplianceAudit::Verdict))
                .col(s(ComplianceAudit::Codes))
                .col(ColumnDef::new(ComplianceAudit::Decision).text().not_null())
                .col(s(ComplianceAudit::RulesetVersion))
                .col(s(ComplianceAudit::Actor))
                .primary_key(Index::create().col(ComplianceAudit::TenantId).col(ComplianceAudit::Id))
                .foreign_key(&mut tenant_fk(ComplianceAudit::Table, ComplianceAudit::TenantId))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_audit_destination",
            ComplianceAudit::Table,
            vec![ComplianceAudit::TenantId.into_iden(), ComplianceAudit::Destination.into_iden()],
            false,
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            ComplianceAudit::Table.into_iden(),
            ComplianceSettings::Table.into_iden(),
            ContactAttempts::Table.into_iden(),
            SuppressionEntries::Table.into_iden(),
            SuppressionLists::Table.into_iden(),
            DncEntries::Table.into_iden(),
            ImportErrors::Table.into_iden(),
            ImportChunks::Table.into_iden(),
            Imports::Table.into_iden(),
            ListMembers::Table.into_iden(),
            Lists::Table.into_iden(),
            Debts::Table.into_iden(),
            Consents::Table.into_iden(),
            ContactEmails::Table.into_iden(),
            ContactPhones::Table.into_iden(),
            Contacts::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
