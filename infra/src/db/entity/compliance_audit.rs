use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "compliance_audit")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub decided_at: DateTimeUtc,
    pub evaluated_at: DateTimeUtc,
    pub channel: String,
    pub purpose: String,
    pub destination: String,
    pub contact_id: Option<String>,
    pub campaign_id: Option<String>,
    pub verdict: String,
    pub codes: String,
    #[sea_orm(column_type = "Text")]
    pub decision: String,
    pub ruleset_version: String,
    pub actor: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
