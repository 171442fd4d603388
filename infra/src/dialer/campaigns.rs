//! Campaigns: settings, the lists they dial, and start / pause / resume / stop with who and when.

use super::{DialerError, campaign_status as cs, lead_status};
use crate::db::entity::{campaign, campaign_lead, campaign_list, contact_phone, list, list_member};
use crate::db::{repo::Page, scope};
use chrono::{DateTime, Utc};
use outdial_domain::dialer::schedule::{Hours, Schedule};
use outdial_domain::dialer::{DialMode, Redial, check_settings, priority};
use outdial_domain::ids::TenantId;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, sea_query::OnConflict,
};
use std::collections::HashMap;

/// Every setting of a campaign, as a supervisor gives it.
#[derive(Debug, Clone)]
pub struct Settings {
    pub name: String,
    pub mode: DialMode,
    pub lines_per_agent: i64,
    pub abandon_target: f64,
    pub amd: bool,
    /// `hangup` or `voicemail` (then `voicemail_url` is played after the beep).
    pub machine_action: String,
    pub voicemail_url: Option<String>,
    pub ring_timeout_secs: i64,
    /// `local_presence` or `fixed` (then `caller_number_id`).
    pub caller_id_mode: String,
    pub caller_number_id: Option<String>,
    /// The carrier account that places the calls (default: the agency's first account).
    pub account_id: Option<String>,
    pub max_attempts: i64,
    pub redial: Redial,
    pub script_id: Option<String>,
    /// `marketing`, `informational` or `collection`.
    pub purpose: String,
    /// Named in the safe-harbor message.
    pub seller_name: String,
    /// Read out in the safe-harbor message.
    pub callback_number: Option<String>,
    pub wrap_secs: i64,
    pub record: bool,
    /// Text sent when a lead's attempts are used up (the SMS work picks it up).
    pub auto_sms: Option<String>,
    /// Days and hours it dials (always inside the compliance windows); `None`: whenever the
    /// gate allows.
    pub schedule: Option<Schedule>,
    pub list_ids: Vec<String>,
}

fn invalid(code: &'static str, detail: impl Into<String>) -> DialerError {
    DialerError::Invalid(code, detail.into())
}

/// Checks everything that does not need the database.
pub fn validate(s: &Settings) -> Result<(), DialerError> {
    if s.name.trim().is_empty() || s.name.len() > 120 {
        return Err(invalid("invalid_name", "name must be 1 to 120 characters"));
    }
    check_settings(s.mode, s.lines_per_agent, s.abandon_target, s.ring_timeout_secs, s.max_attempts, s.wrap_secs)
        .map_err(|e| invalid("invalid_campaign_setting", e.to_string()))?;
    s.redial.check().map_err(|e| invalid("invalid_campaign_setting", e.to_string()))?;
    if let Some(schedule) = &s.schedule {
        schedule.hours().map_err(|e| invalid("invalid_campaign_setting", e.to_string()))?;
    }
    match s.machine_action.as_str() {
        "hangup" => {}
        "voicemail" => {
            let ok = s.voicemail_url.as_deref().is_some_and(|u| u.starts_with("https://") || u.starts_with("http://"));
            if !ok {
                return Err(invalid(
                    "invalid_campaign_setting",
                    "machine_action voicemail needs voicemail_url (an http(s) audio URL)",
                ));
            }
            if !s.amd {
                return Err(invalid("invalid_campaign_setting", "voicemail drop needs amd turned on"));
            }
        }
        _ => return Err(invalid("invalid_campaign_setting", "machine_action must be hangup or voicemail")),
    }
    match (s.caller_id_mode.as_str(), &s.caller_number_id) {
        ("local_presence", _) | ("fixed", Some(_)) => {}
        ("fixed", None) => {
            return Err(invalid("invalid_campaign_setting", "caller_id_mode fixed needs caller_number_id"));
        }
        _ => return Err(invalid("invalid_campaign_setting", "caller_id_mode must be local_presence or fixed")),
    }
    if !matches!(s.purpose.as_str(), "marketing" | "informational" | "collection") {
        return Err(invalid("invalid_campaign_setting", "purpose must be marketing, informational or collection"));
    }
    if s.seller_name.trim().is_empty() {
        return Err(invalid("invalid_campaign_setting", "seller_name is required: the safe-harbor message names it"));
    }
    Ok(())
}

async fn check_lists<C: ConnectionTrait>(conn: &C, tenant: &TenantId, ids: &[String]) -> Result<(), DialerError> {
    for id in ids {
        if scope::find::<list::Entity>(tenant).filter(list::Column::Id.eq(id)).one(conn).await?.is_none() {
            return Err(invalid("unknown_list", format!("list {id} does not exist")));
        }
    }
    Ok(())
}

fn apply(m: &mut campaign::ActiveModel, s: &Settings) {
    m.name = Set(s.name.trim().to_owned());
    m.mode = Set(s.mode.as_str().into());
    m.lines_per_agent = Set(s.lines_per_agent);
    m.abandon_target = Set(s.abandon_target);
    m.amd = Set(s.amd);
    m.machine_action = Set(s.machine_action.clone());
    m.voicemail_url = Set(s.voicemail_url.clone());
    m.ring_timeout_secs = Set(s.ring_timeout_secs);
    m.caller_id_mode = Set(s.caller_id_mode.clone());
    m.caller_number_id = Set(s.caller_number_id.clone());
    m.account_id = Set(s.account_id.clone());
    m.max_attempts = Set(s.max_attempts);
    m.redial = Set(serde_json::to_string(&s.redial).expect("redial serializes"));
    m.script_id = Set(s.script_id.clone());
    m.purpose = Set(s.purpose.clone());
    m.seller_name = Set(s.seller_name.trim().to_owned());
    m.callback_number = Set(s.callback_number.clone());
    m.wrap_secs = Set(s.wrap_secs);
    m.record = Set(s.record);
    m.auto_sms = Set(s.auto_sms.clone());
    m.schedule = Set(s.schedule.as_ref().map(|x| serde_json::to_string(x).expect("schedules serialize")));
}

/// The campaign's schedule, when it has one (a stored one that no longer parses counts as none:
/// it was checked when saved).
pub fn schedule_of(c: &campaign::Model) -> Option<Hours> {
    let raw = c.schedule.as_deref()?;
    serde_json::from_str::<Schedule>(raw).ok()?.hours().ok()
}

async fn set_lists<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    id: &str,
    lists: &[String],
) -> Result<(), DialerError> {
    scope::delete_many::<campaign_list::Entity>(tenant)
        .filter(campaign_list::Column::CampaignId.eq(id))
        .exec(conn)
        .await?;
    for l in lists {
        campaign_list::Entity::insert(campaign_list::ActiveModel {
            tenant_id: Set(tenant.to_string()),
            campaign_id: Set(id.to_owned()),
            list_id: Set(l.clone()),
        })
        .on_conflict(
            OnConflict::columns([
                campaign_list::Column::TenantId,
                campaign_list::Column::CampaignId,
                campaign_list::Column::ListId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    }
    Ok(())
}

pub async fn create(
    db: &DatabaseConnection,
    tenant: &TenantId,
    s: &Settings,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<campaign::Model, DialerError> {
    validate(s)?;
    check_lists(db, tenant, &s.list_ids).await?;
    let txn = crate::db::begin(db).await?;
    let id = crate::ids::campaign().to_string();
    let mut m = campaign::ActiveModel {
        tenant_id: Set(tenant.to_string()),
        id: Set(id.clone()),
        status: Set(cs::DRAFT.into()),
        status_reason: Set(None),
        status_by: Set(Some(actor.to_owned())),
        status_at: Set(now),
        pacing_state: Set(None),
        version: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    apply(&mut m, s);
    campaign::Entity::insert(m).exec_without_returning(&txn).await?;
    set_lists(&txn, tenant, &id, &s.list_ids).await?;
    txn.commit().await?;
    get(db, tenant, &id).await
}

pub async fn update(
    db: &DatabaseConnection,
    tenant: &TenantId,
    id: &str,
    s: &Settings,
    now: DateTime<Utc>,
) -> Result<campaign::Model, DialerError> {
    validate(s)?;
    let txn = crate::db::begin(db).await?;
    let current = super::route::lock_campaign(&txn, tenant, id).await?;
    check_lists(&txn, tenant, &s.list_ids).await?;
    let mut m: campaign::ActiveModel = current.into();
    apply(&mut m, s);
    m.updated_at = Set(now);
    m.update(&txn).await?;
    set_lists(&txn, tenant, id, &s.list_ids).await?;
    txn.commit().await?;
    get(db, tenant, id).await
}

pub async fn get<C: ConnectionTrait>(conn: &C, tenant: &TenantId, id: &str) -> Result<campaign::Model, DialerError> {
    scope::find::<campaign::Entity>(tenant)
        .filter(campaign::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(DialerError::NotFound)
}

pub async fn lists_of<C: ConnectionTrait>(conn: &C, tenant: &TenantId, id: &str) -> Result<Vec<String>, DialerError> {
    Ok(scope::find::<campaign_list::Entity>(tenant)
        .filter(campaign_list::Column::CampaignId.eq(id))
        .all(conn)
        .await?
        .into_iter()
        .map(|l| l.list_id)
        .collect())
}

pub async fn list<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    page: &Page,
) -> Result<(Vec<campaign::Model>, Option<String>), DialerError> {
    let mut q = scope::find::<campaign::Entity>(tenant);
    if let Some(c) = &page.cursor {
        q = q.filter(campaign::Column::Id.lt(c.as_str()));
    }
    let rows = q.order_by_desc(campaign::Column::Id).limit(page.limit + 1).all(conn).await?;
    Ok(page.finish(rows, |r| r.id.clone()))
}

/// What a supervisor asks of a campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Start,
    Pause,
    Resume,
    Stop,
}

/// Moves a campaign; starting (or resuming) first puts its lists' leads in the queue.
pub async fn act(
    db: &DatabaseConnection,
    tenant: &TenantId,
    id: &str,
    action: Action,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<campaign::Model, DialerError> {
    let txn = crate::db::begin(db).await?;
    let c = super::route::lock_campaign(&txn, tenant, id).await?;
    let to = match (action, c.status.as_str()) {
        (Action::Start | Action::Resume, cs::DRAFT | cs::PAUSED | cs::STOPPED | cs::COMPLETED) => cs::RUNNING,
        (Action::Pause, cs::RUNNING) => cs::PAUSED,
        (Action::Stop, cs::RUNNING | cs::PAUSED) => cs::STOPPED,
        (_, from) => {
            return Err(DialerError::Conflict(
                "invalid_campaign_state",
                format!("a {from} campaign cannot be {}", past(action)),
            ));
        }
    };
    let added = if to == cs::RUNNING { fill_queue(&txn, tenant, id, now).await? } else { 0 };
    set_status(&txn, tenant, id, to, None, actor, now).await?;
    txn.commit().await?;
    if added >= REFRESH_STATISTICS_AFTER {
        crate::db::refresh_statistics(db, &["campaign_leads"]).await;
    }
    get(db, tenant, id).await
}

fn past(a: Action) -> &'static str {
    match a {
        Action::Start => "started",
        Action::Pause => "paused",
        Action::Resume => "resumed",
        Action::Stop => "stopped",
    }
}

/// Records a status change with the reason (for automatic ones) and who made it.
pub async fn set_status<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    id: &str,
    status: &str,
    reason: Option<&str>,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<(), DialerError> {
    scope::update_many::<campaign::Entity>(tenant)
        .col_expr(campaign::Column::Status, status.into())
        .col_expr(campaign::Column::StatusReason, reason.map(str::to_owned).into())
        .col_expr(campaign::Column::StatusBy, Some(actor.to_owned()).into())
        .col_expr(campaign::Column::StatusAt, now.into())
        .col_expr(campaign::Column::UpdatedAt, now.into())
        .filter(campaign::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Leads added at once past which the queue's statistics are refreshed.
const REFRESH_STATISTICS_AFTER: u64 = 1000;

/// Adds every contact of the campaign's lists that is not queued yet, with its first phone.
/// Leads already queued keep their state, so a restart never re-dials a finished lead.
pub async fn fill_queue<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    id: &str,
    now: DateTime<Utc>,
) -> Result<u64, DialerError> {
    let lists = lists_of(conn, tenant, id).await?;
    if lists.is_empty() {
        return Err(invalid("no_lists", "add at least one list to the campaign before starting it"));
    }
    let mut added = 0;
    let mut cursor: Option<String> = None;
    loop {
        let mut q = scope::find::<list_member::Entity>(tenant).filter(list_member::Column::ListId.is_in(lists.clone()));
        if let Some(c) = &cursor {
            q = q.filter(list_member::Column::ContactId.gt(c.as_str()));
        }
        let members = q.order_by_asc(list_member::Column::ContactId).limit(500).all(conn).await?;
        let Some(last) = members.last() else { break };
        cursor = Some(last.contact_id.clone());
        let ids: Vec<String> = members.iter().map(|m| m.contact_id.clone()).collect();
        let phones = scope::find::<contact_phone::Entity>(tenant)
            .filter(contact_phone::Column::ContactId.is_in(ids.clone()))
            .all(conn)
            .await?;
        let mut first: HashMap<&str, &contact_phone::Model> = HashMap::new();
        for p in &phones {
            let e = first.entry(p.contact_id.as_str()).or_insert(p);
            if p.position < e.position {
                *e = p;
            }
        }
        let mut seen = std::collections::HashSet::new();
        let rows: Vec<campaign_lead::ActiveModel> = ids
            .iter()
            .filter(|c| seen.insert(c.as_str()))
            .filter_map(|c| first.get(c.as_str()).map(|p| (c, p)))
            .map(|(c, p)| campaign_lead::ActiveModel {
                tenant_id: Set(tenant.to_string()),
                campaign_id: Set(id.to_owned()),
                contact_id: Set(c.clone()),
                phone: Set(p.e164.clone()),
                status: Set(lead_status::READY.into()),
                attempts: Set(0),
                next_at: Set(now),
                priority: Set(priority::NEW),
                last_outcome: Set(None),
                callback_user_id: Set(None),
                updated_at: Set(now),
            })
            .collect();
        if rows.is_empty() {
            continue;
        }
        added += campaign_lead::Entity::insert_many(rows)
            .on_conflict(
                OnConflict::columns([
                    campaign_lead::Column::TenantId,
                    campaign_lead::Column::CampaignId,
                    campaign_lead::Column::ContactId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(conn)
            .await?;
    }
    Ok(added)
}
