use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub account_id: String,
    pub number_id: Option<String>,
    pub provider_message_id: Option<String>,
    pub direction: String,
    pub from_e164: String,
    pub to_e164: String,
    pub body: String,
    pub status: String,
    pub error_code: Option<String>,
    pub contact_id: Option<String>,
    /// `marketing`, `informational`, `collection`, or `reply` (STOP/HELP/START answers).
    pub purpose: Option<String>,
    pub sent_by: Option<String>,
    /// A JSON array of media URLs (MMS); `None` for a plain text.
    pub media_urls: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
