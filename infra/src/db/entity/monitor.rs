use sea_orm::entity::prelude::*;

/// A supervisor on an agent's calls (listen, whisper, barge) over their own call leg.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "monitors")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub session_id: String,
    /// The supervisor.
    pub user_id: String,
    /// `listen`, `whisper`, `barge`.
    pub mode: String,
    /// `dialing` (their phone is ringing), `connected`, `ended`.
    pub state: String,
    /// The number the supervisor answers on.
    pub phone: String,
    pub call_id: Option<String>,
    pub created_at: DateTimeUtc,
    pub ended_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
