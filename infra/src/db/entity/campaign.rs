use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "campaigns")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    pub mode: String,
    pub lines_per_agent: i64,
    pub abandon_target: f64,
    pub amd: bool,
    pub machine_action: String,
    pub voicemail_url: Option<String>,
    pub ring_timeout_secs: i64,
    pub caller_id_mode: String,
    pub caller_number_id: Option<String>,
    pub account_id: Option<String>,
    pub max_attempts: i64,
    #[sea_orm(column_type = "Text")]
    pub redial: String,
    pub schedule: Option<String>,
    pub script_id: Option<String>,
    pub purpose: String,
    pub seller_name: String,
    pub callback_number: Option<String>,
    pub wrap_secs: i64,
    pub record: bool,
    pub auto_sms: Option<String>,
    pub status: String,
    pub status_reason: Option<String>,
    pub status_by: Option<String>,
    pub status_at: DateTimeUtc,
    pub pacing_state: Option<String>,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
