use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contacts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub zip: Option<String>,
    pub state: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub address_state: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub custom: String,
    pub lead_type: Option<String>,
    pub source: Option<String>,
    pub score: i32,
    pub stage: String,
    pub owner_id: Option<String>,
    pub import_id: Option<String>,
    pub import_row: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
