//! Supervisors on agents' calls: listen, whisper or barge, over the supervisor's own call leg.
//! Callbacks: when the agent was told one came due.

use super::columns::{index, s, s_null, ts, ts_null};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Monitors {
    Table,
    TenantId,
    Id,
    SessionId,
    UserId,
    Mode,
    State,
    Phone,
    CallId,
    CreatedAt,
    EndedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Callbacks {
    Table,
    NotifiedAt,
    DueAt,
}

#[derive(DeriveIden)]
enum AgentSessions {
    Table,
    TenantId,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Monitors::Table)
                .col(s(Monitors::TenantId))
                .col(s(Monitors::Id))
                .col(s(Monitors::SessionId))
                .col(s(Monitors::UserId))
                .col(s(Monitors::Mode))
                .col(s(Monitors::State))
                .col(s(Monitors::Phone))
                .col(s_null(Monitors::CallId))
                .col(ts(Monitors::CreatedAt))
                .col(ts_null(Monitors::EndedAt))
                .col(ts(Monitors::UpdatedAt))
                .primary_key(Index::create().col(Monitors::TenantId).col(Monitors::Id))
                .foreign_key(
                    ForeignKey::create()
                        .from(Monitors::Table, (Monitors::TenantId, Monitors::SessionId))
                        .to(AgentSessions::Table, (AgentSessions::TenantId, AgentSessions::Id))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_monitors_session",
            Monitors::Table,
            vec![Monitors::TenantId.into_iden(), Monitors::SessionId.into_iden(), Monitors::State.into_iden()],
            false,
        )
        .await?;
        index(
            m,
            "ix_monitors_call",
            Monitors::Table,
            vec![Monitors::TenantId.into_iden(), Monitors::CallId.into_iden()],
            false,
        )
        .await?;
        m.alter_table(Table::alter().table(Callbacks::Table).add_column(ts_null(Callbacks::NotifiedAt)).to_owned())
            .await?;
        // The dialer looks for callbacks that came due and were not announced yet.
        index(
            m,
            "ix_callbacks_due",
            Callbacks::Table,
            vec![Callbacks::NotifiedAt.into_iden(), Callbacks::DueAt.into_iden()],
            false,
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_callbacks_due").table(Callbacks::Table).to_owned()).await?;
        m.alter_table(Table::alter().table(Callbacks::Table).drop_column(Callbacks::NotifiedAt).to_owned()).await?;
        m.drop_table(Table::drop().table(Monitors::Table).to_owned()).await
    }
}
