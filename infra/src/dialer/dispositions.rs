//! Dispositions (the agency's set, with categories and hotkeys), what an agent's disposition
//! does to the lead (callback, do-not-call at once, bad number), and callbacks.

use super::{Dialer, DialerError, agent_state as st, attempt_status as at, event, lead_status, route};
use crate::db::entity::{agent_session, callback, campaign, campaign_lead, dial_attempt, disposition};
use crate::db::repo::dnc;
use crate::db::scope;
use crate::voice::Observed;
use chrono::{DateTime, Utc};
use outdial_domain::dialer::{Category, DEFAULT_DISPOSITIONS, LeadNext, Redial, after_disposition};
use outdial_domain::ids::TenantId;
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    sea_query::{Expr, ExprTrait},
};
use serde_json::json;

/// The agency's dispositions in display order; the defaults are written on first use.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    now: DateTime<Utc>,
) -> Result<Vec<disposition::Model>, DialerError> {
    let q = || scope::find::<disposition::Entity>(tenant).order_by_asc(disposition::Column::Position);
    if q().count(conn).await? == 0 {
        for (i, (code, label, category, hotkey)) in DEFAULT_DISPOSITIONS.iter().enumerate() {
            let row = disposition::ActiveModel::from(disposition::Model {
                tenant_id: tenant.to_string(),
                id: crate::ids::disposition().to_string(),
                code: (*code).into(),
                label: (*label).into(),
                category: category.as_str().into(),
                hotkey: Some((*hotkey).into()),
                position: i as i64,
                created_at: now,
            });
            // Two first requests at once: the unique code keeps one set.
            let _ = disposition::Entity::insert(row).exec_without_returning(conn).await;
        }
    }
    Ok(q().all(conn).await?)
}

/// Adds a disposition to the agency's set.
pub async fn create<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    code: &str,
    label: &str,
    category: Category,
    hotkey: Option<String>,
    now: DateTime<Utc>,
) -> Result<disposition::Model, DialerError> {
    let existing = list(conn, tenant, now).await?;
    let valid_code = !code.is_empty()
        && code.len() <= 40
        && code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid_code {
        return Err(DialerError::Invalid("invalid_code", "code must be 1-40 lowercase letters, digits or _".into()));
    }
    if label.trim().is_empty() {
        return Err(DialerError::Invalid("invalid_label", "label is required".into()));
    }
    if existing.iter().any(|d| d.code == code) {
        return Err(DialerError::Conflict("disposition_exists", format!("a disposition {code} already exists")));
    }
    if let Some(h) = &hotkey
        && (h.chars().count() != 1 || existing.iter().any(|d| d.hotkey.as_deref() == Some(h)))
    {
        return Err(DialerError::Invalid("invalid_hotkey", "hotkey must be one free key".into()));
    }
    let row = disposition::Model {
        tenant_id: tenant.to_string(),
        id: crate::ids::disposition().to_string(),
        code: code.into(),
        label: label.trim().into(),
        category: category.as_str().into(),
        hotkey,
        position: existing.len() as i64,
        created_at: now,
    };
    disposition::Entity::insert(disposition::ActiveModel::from(row.clone())).exec_without_returning(conn).await?;
    Ok(row)
}

/// A disposition as an agent gives it.
#[derive(Debug, Clone)]
pub struct Given {
    pub code: String,
    pub note: Option<String>,
    /// For a callback disposition: when (default: now) and whether it is for this agent only.
    pub callback_at: Option<DateTime<Utc>>,
    pub callback_mine: bool,
    /// After the disposition: ready for the next call (auto-advance) or paused.
    pub then_ready: bool,
}

/// Records the agent's disposition of an ended (or ending) call and moves the lead and the agent on.
pub async fn dispose(
    d: &Dialer,
    tenant: &TenantId,
    attempt_id: &str,
    user_id: &str,
    given: &Given,
    now: DateTime<Utc>,
) -> Result<dial_attempt::Model, DialerError> {
    let sets = list(&d.db, tenant, now).await?;
    let Some(disp) = sets.iter().find(|x| x.code == given.code) else {
        return Err(DialerError::Invalid("unknown_disposition", format!("no disposition {}", given.code)));
    };
    let category = Category::parse(&disp.category).unwrap_or(Category::Contact);
    let campaign_id = route::attempt(&d.db, tenant, attempt_id).await?.campaign_id;
    // The lock comes first: a SQLite transaction that reads before it writes can lose its
    // snapshot to another writer.
    let txn = crate::db::begin(&d.db).await?;
    let c = route::lock_campaign(&txn, tenant, &campaign_id).await?;
    // And the attempt's: its call may be ending right now.
    let a = route::attempt(&txn, tenant, attempt_id).await?;
    let a = route::lock_attempt(&txn, tenant, &a).await?;
    if a.disposition.is_some() {
        return Err(DialerError::Conflict("already_dispositioned", "this call already has a disposition".into()));
    }
    if a.agent_session_id.is_none()
        || !matches!(a.status.as_str(), at::CONNECTED | at::ENDED)
        || a.connected_at.is_none()
    {
        return Err(DialerError::Conflict(
            "not_dispositionable",
            "only a call that reached an agent takes a disposition".into(),
        ));
    }
    let mut out = Observed::default();
    apply(&txn, tenant, &c, &a, disp, category, given, user_id, now, &mut out).await?;
    txn.commit().await?;
    d.publish(out.events).await;
    route::attempt(&d.db, tenant, attempt_id).await
}

#[allow(clippy::too_many_arguments)]
async fn apply<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    c: &campaign::Model,
    a: &dial_attempt::Model,
    disp: &disposition::Model,
    category: Category,
    given: &Given,
    user_id: &str,
    now: DateTime<Utc>,
    out: &mut Observed,
) -> Result<(), DialerError> {
    let mut m: dial_attempt::ActiveModel = a.clone().into();
    m.disposition = Set(Some(disp.code.clone()));
    m.disposition_note = Set(given.note.clone());
    m.updated_at = Set(now);
    m.update(conn).await?;
    if category == Category::Dnc {
        let (entry, _) = dnc::add(
            conn,
            tenant,
            &dnc::Target::Phone(a.phone.clone()),
            Some(format!("disposition {}", disp.code)),
            "disposition",
            Some(user_id.to_owned()),
            now,
        )
        .await?;
        out.events.push(event(tenant.as_str(), "dnc.added", json!({ "id": entry.id, "phone": a.phone })));
    }
    if let Some(lead) = route::lead_of(conn, tenant, a).await? {
        let redial: Redial = serde_json::from_str(&c.redial).unwrap_or_default();
        let next = after_disposition(category, lead.attempts, c.max_attempts, &redial, given.callback_at, now);
        route::move_lead(conn, &lead, lead.attempts, next, Some(&disp.code), now).await?;
        let finished = match category {
            Category::Contact | Category::Sale => Some(lead_status::DONE),
            Category::Dnc | Category::BadNumber => Some(lead_status::BLOCKED),
            _ => None,
        };
        if let (Some(status), LeadNext::Exhausted) = (finished, next) {
            route::close_lead(conn, tenant, &lead, status).await?;
        }
        if category == Category::Callback {
            let due = given.callback_at.unwrap_or(now);
            let mine = given.callback_mine.then(|| user_id.to_owned());
            scope::update_many::<campaign_lead::Entity>(tenant)
                .col_expr(campaign_lead::Column::CallbackUserId, Expr::value(mine.clone()))
                .filter(campaign_lead::Column::CampaignId.eq(&lead.campaign_id))
                .filter(campaign_lead::Column::ContactId.eq(&lead.contact_id))
                .exec(conn)
                .await?;
            let row = callback::Model {
                tenant_id: tenant.to_string(),
                id: crate::ids::callback().to_string(),
                campaign_id: c.id.clone(),
                contact_id: lead.contact_id.clone(),
                phone: lead.phone.clone(),
                user_id: mine,
                due_at: due,
                status: "scheduled".into(),
                note: given.note.clone(),
                attempt_id: Some(a.id.clone()),
                created_by: user_id.to_owned(),
                created_at: now,
                updated_at: now,
                notified_at: None,
            };
            callback::Entity::insert(callback::ActiveModel::from(row.clone())).exec_without_returning(conn).await?;
            out.events.push(event(
                tenant.as_str(),
                "callback.scheduled",
                json!({ "callback_id": row.id, "contact_id": row.contact_id, "due_at": row.due_at, "user_id": row.user_id }),
            ));
        }
    }
    if let Some(session) = &a.agent_session_id {
        let to = if given.then_ready { st::READY } else { st::PAUSED };
        let reason = (!given.then_ready).then(|| "after_call".to_owned());
        let res = scope::update_many::<agent_session::Entity>(tenant)
            .col_expr(agent_session::Column::State, Expr::value(to))
            .col_expr(agent_session::Column::PauseReason, Expr::value(reason))
            .col_expr(agent_session::Column::AttemptId, Expr::value(Option::<String>::None))
            .col_expr(agent_session::Column::StateSince, Expr::value(now))
            .col_expr(agent_session::Column::UpdatedAt, Expr::value(now))
            .filter(agent_session::Column::Id.eq(session))
            .filter(agent_session::Column::State.eq(st::WRAP_UP))
            .filter(agent_session::Column::AttemptId.eq(&a.id))
            .exec(conn)
            .await?;
        if res.rows_affected == 1 {
            // The wrap-up's end, which the pacing learns wrap times from.
            scope::update_many::<dial_attempt::Entity>(tenant)
                .col_expr(dial_attempt::Column::WrappedAt, Expr::value(now))
                .filter(dial_attempt::Column::Id.eq(&a.id))
                .exec(conn)
                .await?;
            out.events.push(event(tenant.as_str(), "agent.updated", json!({ "session_id": session, "state": to })));
        }
    }
    out.events.push(event(
        tenant.as_str(),
        "attempt.dispositioned",
        json!({ "attempt_id": a.id, "disposition": disp.code, "category": category.as_str() }),
    ));
    Ok(())
}

/// Wrap-up time ran out without a disposition: the call is closed as a contact with the
/// `auto_wrap` code and the agent is ready again.
pub(crate) async fn end_wrap_up<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    c: &campaign::Model,
    s: &agent_session::Model,
    now: DateTime<Utc>,
    out: &mut Observed,
) -> Result<(), DialerError> {
    let Some(attempt_id) = &s.attempt_id else { return Ok(()) };
    let a = route::attempt(conn, tenant, attempt_id).await?;
    if a.disposition.is_some() {
        return Ok(());
    }
    let auto = disposition::Model {
        tenant_id: tenant.to_string(),
        id: String::new(),
        code: "auto_wrap".into(),
        label: "Wrap-up timed out".into(),
        category: Category::Contact.as_str().into(),
        hotkey: None,
        position: 0,
        created_at: now,
    };
    let given =
        Given { code: auto.code.clone(), note: None, callback_at: None, callback_mine: false, then_ready: true };
    apply(conn, tenant, c, &a, &auto, Category::Contact, &given, "system:dialer", now, out).await
}

/// Callbacks, soonest first: the agent's own plus those for anyone.
pub async fn callbacks_for<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    user_id: Option<&str>,
) -> Result<Vec<callback::Model>, DialerError> {
    let mut q = scope::find::<callback::Entity>(tenant).filter(callback::Column::Status.eq("scheduled"));
    if let Some(u) = user_id {
        q = q.filter(callback::Column::UserId.eq(u).or(callback::Column::UserId.is_null()));
    }
    Ok(q.order_by_asc(callback::Column::DueAt).all(conn).await?)
}

/// An iCalendar feed of callbacks (RFC 5545), for the agent's own calendar.
pub fn ical(callbacks: &[callback::Model], now: DateTime<Utc>) -> String {
    let stamp = |t: DateTime<Utc>| t.format("%Y%m%dT%H%M%SZ").to_string();
    let mut out = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Outdial//Callbacks//EN\r\n");
    for cb in callbacks {
        let note = cb
            .note
            .clone()
            .unwrap_or_default()
            .replace('\\', "\\\\")
            .replace(',', "\\,")
            .replace(';', "\\;")
            .replace('\n', "\\n");
        out.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:{}@outdial\r\nDTSTAMP:{}\r\nDTSTART:{}\r\nDURATION:PT15M\r\nSUMMARY:Call back {}\r\nDESCRIPTION:{}\r\nEND:VEVENT\r\n",
            cb.id,
            stamp(now),
            stamp(cb.due_at),
            cb.phone,
            note
        ));
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}
