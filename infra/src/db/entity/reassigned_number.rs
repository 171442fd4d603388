use sea_orm::entity::prelude::*;

/// The latest Reassigned Numbers Database answer an agency recorded for a number.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reassigned_numbers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub e164: String,
    /// `disconnected`, `not_reassigned` or `no_data`.
    pub result: String,
    /// When the number was permanently disconnected (`disconnected` only).
    pub disconnected_at: Option<DateTimeUtc>,
    /// When the database was asked.
    pub checked_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
