//! Indexes for look-ups that scanned whole tables:
//! - ended attempts by when they ended, per campaign: the pacing tick reads the most recent
//!   ones (its estimates, whether the carrier keeps failing) without sorting a campaign's
//!   whole history;
//! - a campaign's queue in the order the dialer takes it (priority, then the longest waiting),
//!   so the next few leads are read without sorting every lead that is due;
//! - a contact's list memberships and debts (every dial reads them, and deleting a contact
//!   cascades to them).

use super::columns::index;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DialAttempts {
    Table,
    TenantId,
    CampaignId,
    Status,
    EndedAt,
}

#[derive(DeriveIden)]
enum CampaignLeads {
    Table,
    TenantId,
    CampaignId,
    Status,
    Priority,
    NextAt,
}

#[derive(DeriveIden)]
enum ListMembers {
    Table,
    TenantId,
    ContactId,
}

#[derive(DeriveIden)]
enum Debts {
    Table,
    TenantId,
    ContactId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use DialAttempts as A;
        let cols =
            vec![A::TenantId.into_iden(), A::CampaignId.into_iden(), A::Status.into_iden(), A::EndedAt.into_iden()];
        index(m, "ix_dial_attempts_ended", A::Table, cols, false).await?;
        use CampaignLeads as L;
        m.drop_index(Index::drop().name("ix_campaign_leads_queue").table(L::Table).to_owned()).await?;
        m.create_index(
            Index::create()
                .name("ix_campaign_leads_next")
                .table(L::Table)
                .col(L::TenantId)
                .col(L::CampaignId)
                .col(L::Status)
                .col((L::Priority, IndexOrder::Desc))
                .col(L::NextAt)
                .to_owned(),
        )
        .await?;
        let cols = vec![ListMembers::TenantId.into_iden(), ListMembers::ContactId.into_iden()];
        index(m, "ix_list_members_contact", ListMembers::Table, cols, false).await?;
        let cols = vec![Debts::TenantId.into_iden(), Debts::ContactId.into_iden()];
        index(m, "ix_debts_contact", Debts::Table, cols, false).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_debts_contact").table(Debts::Table).to_owned()).await?;
        m.drop_index(Index::drop().name("ix_list_members_contact").table(ListMembers::Table).to_owned()).await?;
        use CampaignLeads as L;
        m.drop_index(Index::drop().name("ix_campaign_leads_next").table(L::Table).to_owned()).await?;
        let cols =
            vec![L::TenantId.into_iden(), L::CampaignId.into_iden(), L::Status.into_iden(), L::NextAt.into_iden()];
        index(m, "ix_campaign_leads_queue", L::Table, cols, false).await?;
        m.drop_index(Index::drop().name("ix_dial_attempts_ended").table(DialAttempts::Table).to_owned()).await
    }
}
