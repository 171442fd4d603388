//! The dialer: campaigns and the lists they dial, the per-campaign lead queue, dial attempts,
//! agent sessions, dispositions, callbacks and scripts.

use super::columns::{flag, index, int, s, s_null, tenant_fk, ts, ts_null};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Campaigns {
    Table,
    TenantId,
    Id,
    Name,
    Mode,
    LinesPerAgent,
    AbandonTarget,
    Amd,
    MachineAction,
    VoicemailUrl,
    RingTimeoutSecs,
    CallerIdMode,
    CallerNumberId,
    AccountId,
    MaxAttempts,
    Redial,
    Schedule,
    ScriptId,
    Purpose,
    SellerName,
    CallbackNumber,
    WrapSecs,
    Record,
    AutoSms,
    Status,
    StatusReason,
    StatusBy,
    StatusAt,
    PacingState,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CampaignLists {
    Table,
    TenantId,
    CampaignId,
    ListId,
}

#[derive(DeriveIden)]
enum CampaignLeads {
    Table,
    TenantId,
    CampaignId,
    ContactId,
    Phone,
    Status,
    Attempts,
    NextAt,
    Priority,
    LastOutcome,
    CallbackUserId,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum DialAttempts {
    Table,
    TenantId,
    Id,
    CampaignId,
    ContactId,
    Phone,
    Seq,
    Status,
    AgentSessionId,
    GroupId,
    CallId,
    Outcome,
    Counts,
    Abandoned,
    Disposition,
    DispositionNote,
    Detail,
    CreatedAt,
    DialedAt,
    AnsweredAt,
    ConnectedAt,
    EndedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AgentSessions {
    Table,
    TenantId,
    Id,
    UserId,
    CampaignId,
    State,
    PauseReason,
    StateSince,
    LegCallId,
    LegPhone,
    Room,
    AttemptId,
    CreatedAt,
    EndedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Dispositions {
    Table,
    TenantId,
    Id,
    Code,
    Label,
    Category,
    Hotkey,
    Position,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Callbacks {
    Table,
    TenantId,
    Id,
    CampaignId,
    ContactId,
    Phone,
    UserId,
    DueAt,
    Status,
    Note,
    AttemptId,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Scripts {
    Table,
    TenantId,
    Id,
    Name,
    Body,
    CreatedAt,
    UpdatedAt,
}

fn campaign_fk(table: impl IntoIden, tenant: impl IntoIden, campaign: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, (tenant, campaign))
        .to(Campaigns::Table, (Campaigns::TenantId, Campaigns::Id))
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn text(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).text().null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Campaigns::Table)
                .col(s(Campaigns::TenantId))
                .col(s(Campaigns::Id))
                .col(s(Campaigns::Name))
                .col(s(Campaigns::Mode))
                .col(int(Campaigns::LinesPerAgent))
                .col(ColumnDef::new(Campaigns::AbandonTarget).double().not_null().default(3.0))
                .col(flag(Campaigns::Amd))
                .col(s(Campaigns::MachineAction))
                .col(s_null(Campaigns::VoicemailUrl))
                .col(int(Campaigns::RingTimeoutSecs))
                .col(s(Campaigns::CallerIdMode))
                .col(s_null(Campaigns::CallerNumberId))
                .col(s_null(Campaigns::AccountId))
                .col(int(Campaigns::MaxAttempts))
                .col(ColumnDef::new(Campaigns::Redial).text().not_null())
                .col(text(Campaigns::Schedule))
                .col(s_null(Campaigns::ScriptId))
                .col(s(Campaigns::Purpose))
                .col(s(Campaigns::SellerName))
                .col(s_null(Campaigns::CallbackNumber))
                .col(int(Campaigns::WrapSecs))
                .col(flag(Campaigns::Record))
                .col(text(Campaigns::AutoSms))
                .col(s(Campaigns::Status))
                .col(s_null(Campaigns::StatusReason))
                .col(s_null(Campaigns::StatusBy))
                .col(ts(Campaigns::StatusAt))
                .col(text(Campaigns::PacingState))
                .col(int(Campaigns::Version))
                .col(ts(Campaigns::CreatedAt))
                .col(ts(Campaigns::UpdatedAt))
                .primary_key(Index::create().col(Campaigns::TenantId).col(Campaigns::Id))
                .foreign_key(&mut tenant_fk(Campaigns::Table, Campaigns::TenantId))
                .to_owned(),
        )
        .await?;
        index(m, "ix_campaigns_status", Campaigns::Table, vec![Campaigns::Status.into_iden()], false).await?;
        m.create_table(
            Table::create()
                .table(CampaignLists::Table)
                .col(s(CampaignLists::TenantId))
                .col(s(CampaignLists::CampaignId))
                .col(s(CampaignLists::ListId))
                .primary_key(
                    Index::create()
                        .col(CampaignLists::TenantId)
                        .col(CampaignLists::CampaignId)
                        .col(CampaignLists::ListId),
                )
                .foreign_key(&mut campaign_fk(CampaignLists::Table, CampaignLists::TenantId, CampaignLists::CampaignId))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(CampaignLeads::Table)
                .col(s(CampaignLeads::TenantId))
                .col(s(CampaignLeads::CampaignId))
                .col(s(CampaignLeads::ContactId))
                .col(s(CampaignLeads::Phone))
                .col(s(CampaignLeads::Status))
                .col(int(CampaignLeads::Attempts))
                .col(ts(CampaignLeads::NextAt))
                .col(int(CampaignLeads::Priority))
                .col(s_null(CampaignLeads::LastOutcome))
                .col(s_null(CampaignLeads::CallbackUserId))
                .col(ts(CampaignLeads::UpdatedAt))
                .primary_key(
                    Index::create()
                        .col(CampaignLeads::TenantId)
                        .col(CampaignLeads::CampaignId)
                        .col(CampaignLeads::ContactId),
                )
                .foreign_key(&mut campaign_fk(CampaignLeads::Table, CampaignLeads::TenantId, CampaignLeads::CampaignId))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_campaign_leads_queue",
            CampaignLeads::Table,
            vec![
                CampaignLeads::TenantId.into_iden(),
                CampaignLeads::CampaignId.into_iden(),
                CampaignLeads::Status.into_iden(),
                CampaignLeads::NextAt.into_iden(),
            ],
            false,
        )
        .await?;
        m.create_table(
            Table::create()
                .table(DialAttempts::Table)
                .col(s(DialAttempts::TenantId))
                .col(s(DialAttempts::Id))
                .col(s(DialAttempts::CampaignId))
                .col(s(DialAttempts::ContactId))
                .col(s(DialAttempts::Phone))
                .col(int(DialAttempts::Seq))
                .col(s(DialAttempts::Status))
                .col(s_null(DialAttempts::AgentSessionId))
                .col(s_null(DialAttempts::GroupId))
                .col(s_null(DialAttempts::CallId))
                .col(s_null(DialAttempts::Outcome))
                .col(flag(DialAttempts::Counts))
                .col(flag(DialAttempts::Abandoned))
                .col(s_null(DialAttempts::Disposition))
                .col(text(DialAttempts::DispositionNote))
                .col(text(DialAttempts::Detail))
                .col(ts(DialAttempts::CreatedAt))
                .col(ts_null(DialAttempts::DialedAt))
                .col(ts_null(DialAttempts::AnsweredAt))
                .col(ts_null(DialAttempts::ConnectedAt))
                .col(ts_null(DialAttempts::EndedAt))
                .col(ts(DialAttempts::UpdatedAt))
                .primary_key(Index::create().col(DialAttempts::TenantId).col(DialAttempts::Id))
                .foreign_key(&mut campaign_fk(DialAttempts::Table, DialAttempts::TenantId, DialAttempts::CampaignId))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_dial_attempts_campaign",
            DialAttempts::Table,
            vec![
                DialAttempts::TenantId.into_iden(),
                DialAttempts::CampaignId.into_iden(),
                DialAttempts::Status.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            m,
            "ux_dial_attempts_call",
            DialAttempts::Table,
            vec![DialAttempts::TenantId.into_iden(), DialAttempts::CallId.into_iden()],
            true,
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AgentSessions::Table)
                .col(s(AgentSessions::TenantId))
                .col(s(AgentSessions::Id))
                .col(s(AgentSessions::UserId))
                .col(s(AgentSessions::CampaignId))
                .col(s(AgentSessions::State))
                .col(s_null(AgentSessions::PauseReason))
                .col(ts(AgentSessions::StateSince))
                .col(s_null(AgentSessions::LegCallId))
                .col(s_null(AgentSessions::LegPhone))
                .col(s(AgentSessions::Room))
                .col(s_null(AgentSessions::AttemptId))
                .col(ts(AgentSessions::CreatedAt))
                .col(ts_null(AgentSessions::EndedAt))
                .col(ts(AgentSessions::UpdatedAt))
                .primary_key(Index::create().col(AgentSessions::TenantId).col(AgentSessions::Id))
                .foreign_key(&mut campaign_fk(AgentSessions::Table, AgentSessions::TenantId, AgentSessions::CampaignId))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_agent_sessions_campaign",
            AgentSessions::Table,
            vec![
                AgentSessions::TenantId.into_iden(),
                AgentSessions::CampaignId.into_iden(),
                AgentSessions::State.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            m,
            "ix_agent_sessions_leg",
            AgentSessions::Table,
            vec![AgentSessions::TenantId.into_iden(), AgentSessions::LegCallId.into_iden()],
            false,
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Dispositions::Table)
                .col(s(Dispositions::TenantId))
                .col(s(Dispositions::Id))
                .col(s(Dispositions::Code))
                .col(s(Dispositions::Label))
                .col(s(Dispositions::Category))
                .col(s_null(Dispositions::Hotkey))
                .col(int(Dispositions::Position))
                .col(ts(Dispositions::CreatedAt))
                .primary_key(Index::create().col(Dispositions::TenantId).col(Dispositions::Id))
                .foreign_key(&mut tenant_fk(Dispositions::Table, Dispositions::TenantId))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ux_dispositions_code",
            Dispositions::Table,
            vec![Dispositions::TenantId.into_iden(), Dispositions::Code.into_iden()],
            true,
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Callbacks::Table)
                .col(s(Callbacks::TenantId))
                .col(s(Callbacks::Id))
                .col(s(Callbacks::CampaignId))
                .col(s(Callbacks::ContactId))
                .col(s(Callbacks::Phone))
                .col(s_null(Callbacks::UserId))
                .col(ts(Callbacks::DueAt))
                .col(s(Callbacks::Status))
                .col(text(Callbacks::Note))
                .col(s_null(Callbacks::AttemptId))
                .col(s(Callbacks::CreatedBy))
                .col(ts(Callbacks::CreatedAt))
                .col(ts(Callbacks::UpdatedAt))
                .primary_key(Index::create().col(Callbacks::TenantId).col(Callbacks::Id))
                .foreign_key(&mut campaign_fk(Callbacks::Table, Callbacks::TenantId, Callbacks::CampaignId))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Scripts::Table)
                .col(s(Scripts::TenantId))
                .col(s(Scripts::Id))
                .col(s(Scripts::Name))
                .col(ColumnDef::new(Scripts::Body).text().not_null())
                .col(ts(Scripts::CreatedAt))
                .col(ts(Scripts::UpdatedAt))
                .primary_key(Index::create().col(Scripts::TenantId).col(Scripts::Id))
                .foreign_key(&mut tenant_fk(Scripts::Table, Scripts::TenantId))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            Scripts::Table.into_iden(),
            Callbacks::Table.into_iden(),
            Dispositions::Table.into_iden(),
            AgentSessions::Table.into_iden(),
            DialAttempts::Table.into_iden(),
            CampaignLeads::Table.into_iden(),
            CampaignLists::Table.into_iden(),
            Campaigns::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
