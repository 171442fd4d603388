use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "dial_attempts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub campaign_id: String,
    pub contact_id: String,
    pub phone: String,
    pub seq: i64,
    pub status: String,
    pub agent_session_id: Option<String>,
    pub group_id: Option<String>,
    pub call_id: Option<String>,
    pub outcome: Option<String>,
    pub counts: bool,
    pub abandoned: bool,
    pub disposition: Option<String>,
    pub disposition_note: Option<String>,
    pub detail: Option<String>,
    pub created_at: DateTimeUtc,
    pub dialed_at: Option<DateTimeUtc>,
    pub answered_at: Option<DateTimeUtc>,
    pub connected_at: Option<DateTimeUtc>,
    pub ended_at: Option<DateTimeUtc>,
    /// When the agent's wrap-up of this call ended.
    pub wrapped_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
