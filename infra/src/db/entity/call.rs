use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "calls")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub account_id: String,
    pub number_id: Option<String>,
    pub provider_call_id: Option<String>,
    pub direction: String,
    pub from_e164: String,
    pub to_e164: String,
    pub status: String,
    pub answered_by: Option<String>,
    /// What to do when it is answered (JSON `CallPlan`).
    pub plan: String,
    pub hangup_source: Option<String>,
    pub duration_secs: Option<i32>,
    pub voicemail_dropped: bool,
    /// When the carrier accepted the voicemail drop claimed by `voicemail_dropped`.
    pub voicemail_sent_at: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub answered_at: Option<DateTimeUtc>,
    pub ended_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
    /// What the call is for (`voice::calls::kind`); `None` on calls from before it was kept.
    pub kind: Option<String>,
    /// The carrier's recording of the call, once saved (a recorded conversation, a voicemail).
    pub recording_url: Option<String>,
    pub recording_secs: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
