use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "phone_numbers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub account_id: String,
    pub provider_number_id: String,
    pub e164: String,
    pub area_code: Option<i32>,
    pub states: Option<String>,
    pub zones: Option<String>,
    pub voice: bool,
    pub sms: bool,
    pub mms: bool,
    pub caller_name: Option<String>,
    pub cnam_status: String,
    pub messaging_status: String,
    pub team_id: Option<String>,
    pub is_default: bool,
    pub health_state: String,
    pub rested_until: Option<Date>,
    pub health_score: f64,
    /// When the periodic sweep last re-assessed its health.
    pub health_checked_at: Option<DateTimeUtc>,
    pub status: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
