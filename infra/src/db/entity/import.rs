use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "imports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub list_id: Option<String>,
    pub filename: String,
    pub format: String,
    #[sea_orm(column_type = "Text")]
    pub columns: String,
    pub encoding: String,
    #[sea_orm(column_type = "Text")]
    pub mapping: String,
    pub status: String,
    pub total_bytes: i64,
    pub bytes_done: i64,
    pub rows_done: i64,
    pub rows_created: i64,
    pub rows_merged: i64,
    pub rows_failed: i64,
    pub rows_dnc_flagged: i64,
    #[sea_orm(column_type = "Text", nullable)]
    pub error: Option<String>,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
