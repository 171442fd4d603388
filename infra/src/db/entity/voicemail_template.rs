use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "voicemail_templates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    /// `audio/wav` or `audio/mpeg`: what both carriers play.
    pub content_type: String,
    pub audio: Vec<u8>,
    pub size_bytes: i64,
    /// Known for WAV (from its header); `None` for MP3.
    pub duration_ms: Option<i64>,
    /// Part of the link the carrier fetches the audio by.
    pub token: String,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
