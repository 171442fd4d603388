//! The tenant's phone numbers: bought, imported or released through the carrier; chosen per
//! lead by local presence; rested automatically when their health falls and back after the
//! cool-down.

use super::{Voice, VoiceError, accounts};
use crate::db::entity::{call, phone_number};
use crate::db::scope;
use crate::telephony::{BuyNumber, Carrier, NumberHooks, OwnedNumber};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use outdial_domain::caller_id::{self, Choice, OutboundNumber, Place};
use outdial_domain::contacts::Phone;
use outdial_domain::ids::TenantId;
use outdial_domain::number_health::{self, DayStats, HealthPolicy, HealthReport, NumberState};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use std::collections::BTreeMap;

/// A connected call shorter than this that the callee ended reads as "hung up on sight".
const SHORT_CALL_SECS: i32 = 6;

fn hooks(voice: &Voice, account: &crate::db::entity::carrier_account::Model) -> NumberHooks {
    let base = voice.hook_base(account);
    NumberHooks {
        voice_url: format!("{base}/voice"),
        sms_url: format!("{base}/sms"),
        status_url: format!("{base}/status"),
    }
}

async fn store<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    account_id: &str,
    owned: &OwnedNumber,
    now: DateTime<Utc>,
) -> Result<phone_number::Model, VoiceError> {
    let place = Place::of_phone(&owned.phone);
    let join = |v: Vec<String>| (!v.is_empty()).then(|| v.join(","));
    let model = phone_number::Model {
        tenant_id: tenant.to_string(),
        id: crate::ids::phone_number().to_string(),
        account_id: account_id.to_owned(),
        provider_number_id: owned.provider_number_id.clone(),
        e164: owned.phone.as_str().to_owned(),
        area_code: place.npa.map(i32::from),
        states: join(place.states.iter().map(|s| s.to_string()).collect()),
        zones: join(place.zones.iter().map(|z| z.to_string()).collect()),
        voice: owned.voice,
        sms: owned.sms,
        mms: owned.mms,
        caller_name: None,
        cnam_status: "none".into(),
        messaging_status: if owned.sms { "unregistered".into() } else { "not_capable".into() },
        team_id: None,
        is_default: false,
        health_state: "active".into(),
        rested_until: None,
        health_score: number_health::NEUTRAL_SCORE,
        health_checked_at: None,
        status: "active".into(),
        created_at: now,
        updated_at: now,
    };
    phone_number::Entity::insert(phone_number::ActiveModel::from(model.clone()).reset_all())
        .exec_without_returning(conn)
        .await?;
    Ok(model)
}

/// Buys a number (exact, or any in an area code) and points it at our webhooks.
pub async fn buy(
    voice: &Voice,
    tenant: &TenantId,
    account_id: &str,
    number: Option<Phone>,
    area_code: Option<u16>,
    now: DateTime<Utc>,
) -> Result<phone_number::Model, VoiceError> {
    if number.is_none() && area_code.is_none() {
        return Err(VoiceError::Invalid("number_or_area_code_required", "give a number or an area code".into()));
    }
    let account = accounts::get(&voice.db, tenant, account_id).await?;
    let carrier = voice.carrier(&account)?;
    let owned = carrier
        .buy_number(&BuyNumber { number, area_code, hooks: hooks(voice, &account), friendly_name: None })
        .await?;
    store(&voice.db, tenant, &account.id, &owned, now).await
}

/// Brings the numbers already on the carrier account under Outdial (points their webhooks at
/// us). Returns the newly imported ones.
pub async fn import(
    voice: &Voice,
    tenant: &TenantId,
    account_id: &str,
    now: DateTime<Utc>,
) -> Result<Vec<phone_number::Model>, VoiceError> {
    let account = accounts::get(&voice.db, tenant, account_id).await?;
    let carrier = voice.carrier(&account)?;
    let known: Vec<String> = scope::find::<phone_number::Entity>(tenant)
        .filter(phone_number::Column::AccountId.eq(&account.id))
        .filter(phone_number::Column::Status.eq("active"))
        .all(&voice.db)
        .await?
        .into_iter()
        .map(|n| n.provider_number_id)
        .collect();
    let mut out = Vec::new();
    for owned in carrier.list_numbers().await? {
        if known.contains(&owned.provider_number_id) {
            continue;
        }
        carrier.configure_number(&owned, &hooks(voice, &account)).await?;
        out.push(store(&voice.db, tenant, &account.id, &owned, now).await?);
    }
    Ok(out)
}

/// Gives a number back to the carrier; it stays in history as `released`.
pub async fn release(voice: &Voice, tenant: &TenantId, id: &str, now: DateTime<Utc>) -> Result<(), VoiceError> {
    let number = get(&voice.db, tenant, id).await?;
    let account = accounts::get(&voice.db, tenant, &number.account_id).await?;
    let carrier = voice.carrier(&account)?;
    let phone = Phone::parse(&number.e164).map_err(|_| VoiceError::NotFound)?;
    carrier
        .release_number(&OwnedNumber {
            provider_number_id: number.provider_number_id.clone(),
            phone,
            voice: true,
            sms: true,
            mms: true,
        })
        .await?;
    let mut m: phone_number::ActiveModel = number.into();
    m.status = Set("released".into());
    m.is_default = Set(false);
    m.updated_at = Set(now);
    m.update(&voice.db).await?;
    Ok(())
}

pub async fn get<C: ConnectionTrait>(conn: &C, tenant: &TenantId, id: &str) -> Result<phone_number::Model, VoiceError> {
    scope::find::<phone_number::Entity>(tenant)
        .filter(phone_number::Column::Id.eq(id))
        .filter(phone_number::Column::Status.eq("active"))
        .one(conn)
        .await?
        .ok_or(VoiceError::NotFound)
}

pub async fn list<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    page: &crate::db::repo::Page,
) -> Result<(Vec<phone_number::Model>, Option<String>), VoiceError> {
    let mut q = scope::find::<phone_number::Entity>(tenant).filter(phone_number::Column::Status.eq("active"));
    if let Some(c) = &page.cursor {
        q = q.filter(phone_number::Column::Id.gt(c.as_str()));
    }
    let rows = q.order_by_asc(phone_number::Column::Id).limit(page.limit + 1).all(conn).await?;
    Ok(page.finish(rows, |r| r.id.clone()))
}

/// Changes what the tenant says about a number.
pub struct NumberPatch {
    pub team_id: Option<Option<String>>,
    pub is_default: Option<bool>,
    pub caller_name: Option<Option<String>>,
}

pub async fn update<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    id: &str,
    patch: NumberPatch,
    now: DateTime<Utc>,
) -> Result<phone_number::Model, VoiceError> {
    let number = get(conn, tenant, id).await?;
    if patch.is_default == Some(true) {
        // One default per tenant.
        scope::update_many::<phone_number::Entity>(tenant)
            .col_expr(phone_number::Column::IsDefault, sea_orm::sea_query::Expr::value(false))
            .exec(conn)
            .await?;
    }
    let mut m: phone_number::ActiveModel = number.into();
    if let Some(t) = patch.team_id {
        m.team_id = Set(t);
    }
    if let Some(d) = patch.is_default {
        m.is_default = Set(d);
    }
    if let Some(name) = patch.caller_name {
        // CNAM registration is not part of the carriers' call/message APIs: the name is kept
        // and marked pending until it is registered with the carrier's CNAM service.
        m.cnam_status = Set(if name.is_some() { "pending".into() } else { "none".into() });
        m.caller_name = Set(name);
    }
    m.updated_at = Set(now);
    Ok(m.update(conn).await?)
}

/// Per-day dials, connects and short calls of one number over the last two weeks.
pub async fn day_stats<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    number_id: &str,
    today: NaiveDate,
) -> Result<Vec<DayStats>, VoiceError> {
    let since = (today - Duration::days(14)).and_hms_opt(0, 0, 0).expect("midnight").and_utc();
    let rows = scope::find::<call::Entity>(tenant)
        .filter(call::Column::NumberId.eq(number_id))
        .filter(call::Column::Direction.eq("outbound"))
        .filter(call::Column::CreatedAt.gte(since))
        .all(conn)
        .await?;
    let mut days: BTreeMap<NaiveDate, DayStats> = BTreeMap::new();
    for c in rows {
        let date = c.created_at.date_naive();
        let d = days.entry(date).or_insert(DayStats { date, dials: 0, connects: 0, short_calls: 0 });
        d.dials += 1;
        let person =
            c.answered_at.is_some() && matches!(c.answered_by.as_deref(), None | Some("human") | Some("unknown"));
        if person {
            d.connects += 1;
            if c.duration_secs.is_some_and(|s| s < SHORT_CALL_SECS) && c.hangup_source.as_deref() == Some("them") {
                d.short_calls += 1;
            }
        }
    }
    Ok(days.into_values().collect())
}

fn state_of(n: &phone_number::Model) -> NumberState {
    match (n.health_state.as_str(), n.rested_until) {
        ("rested", Some(until)) => NumberState::Rested { since: until - Duration::days(14), until },
        _ => NumberState::Active,
    }
}

/// Re-assesses a number and rests or revives it. Returns the report.
pub async fn refresh_health<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    number_id: &str,
    today: NaiveDate,
) -> Result<HealthReport, VoiceError> {
    let number = get(conn, tenant, number_id).await?;
    Ok(reassess(conn, tenant, number, today).await?.0)
}

/// Numbers re-assessed per sweep pass, least recently first.
const SWEEP_BATCH: u64 = 500;

/// Runs health sweeps until `stop`: every `every`, and once at start.
pub async fn run_health_sweeps(voice: Voice, every: std::time::Duration, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut wait = std::time::Duration::from_secs(1);
    loop {
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            return;
        }
        wait = every;
        let interval = Duration::from_std(every).unwrap_or(Duration::hours(1));
        match sweep_health(&voice, interval, Utc::now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(changed = n, "number health sweep rested or revived numbers"),
            Err(e) => tracing::warn!(error = %e, "number health sweep failed; trying again next time"),
        }
    }
}

/// One sweep: every active number of every tenant not re-assessed within `every` is judged
/// again, so a number comes back after its cool-down and calls that age out of the window
/// count no more, even when nobody dials the number or looks at it. Each number is claimed
/// first (a compare-and-set on `health_checked_at`), so workers share a sweep without
/// repeating it. Returns how many numbers changed state; each change is published.
pub async fn sweep_health(voice: &Voice, every: Duration, now: DateTime<Utc>) -> Result<usize, VoiceError> {
    let due = scope::global::<phone_number::Entity>()
        .filter(phone_number::Column::Status.eq("active"))
        .filter(
            phone_number::Column::HealthCheckedAt.is_null().or(phone_number::Column::HealthCheckedAt.lte(now - every)),
        )
        .order_by_asc(phone_number::Column::HealthCheckedAt)
        .limit(SWEEP_BATCH)
        .all(&voice.db)
        .await?;
    let mut changed = 0;
    for n in due {
        let Ok(tenant) = TenantId::parse(&n.tenant_id) else { continue };
        let claimed = scope::update_many::<phone_number::Entity>(&tenant)
            .col_expr(phone_number::Column::HealthCheckedAt, sea_orm::sea_query::Expr::value(now))
            .filter(phone_number::Column::Id.eq(&n.id))
            .filter(match n.health_checked_at {
                None => phone_number::Column::HealthCheckedAt.is_null(),
                Some(at) => phone_number::Column::HealthCheckedAt.eq(at),
            })
            .exec(&voice.db)
            .await?;
        if claimed.rows_affected == 0 {
            continue;
        }
        let (report, moved) = reassess(&voice.db, &tenant, n.clone(), now.date_naive()).await?;
        if let Some(state) = moved {
            changed += 1;
            let data = serde_json::json!({ "number_id": n.id, "e164": n.e164, "health_state": state,
                                           "health_score": report.score });
            let _ = voice
                .events
                .publish(crate::events::Event { tenant_id: n.tenant_id.clone(), kind: "number.updated".into(), data })
                .await;
        }
    }
    Ok(changed)
}

/// Judges `number` on its calls and stores the verdict; returns the report and the new state
/// when it changed.
async fn reassess<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    number: phone_number::Model,
    today: NaiveDate,
) -> Result<(HealthReport, Option<&'static str>), VoiceError> {
    let number_id = number.id.clone();
    let number_id = number_id.as_str();
    let policy = HealthPolicy::default();
    let report = number_health::assess(&day_stats(conn, tenant, number_id, today).await?, today, &policy);
    let next = number_health::next_state(state_of(&number), &report, today, &policy);
    let (state, until) = match next {
        NumberState::Active => ("active", None),
        NumberState::Rested { until, .. } => ("rested", Some(until)),
    };
    let moved = (state != number.health_state).then_some(state);
    if moved.is_some() || until != number.rested_until || (report.score - number.health_score).abs() > 1e-9 {
        if moved.is_some() {
            tracing::info!(number = %number.id, state, "number health state changed");
        }
        let mut m: phone_number::ActiveModel = number.into();
        m.health_state = Set(state.into());
        m.rested_until = Set(until);
        m.health_score = Set(report.score);
        m.update(conn).await?;
    }
    Ok((report, moved))
}

/// Picks the outbound number for each lead phone: exact area code, same state, same time
/// zone, healthiest, default; never a rested number while a healthy one exists.
pub async fn choose_caller_ids<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    leads: &[Phone],
    today: NaiveDate,
    rotation: u64,
) -> Result<Vec<Option<Choice>>, VoiceError> {
    let numbers = scope::find::<phone_number::Entity>(tenant)
        .filter(phone_number::Column::Status.eq("active"))
        .filter(phone_number::Column::Voice.eq(true))
        .all(conn)
        .await?;
    let mut pool = Vec::with_capacity(numbers.len());
    for n in numbers {
        // A rest that is over ends here too, so a quiet number comes back after its cool-down.
        let rested = state_of(&n).rests_on(today);
        let Ok(phone) = Phone::parse(&n.e164) else { continue };
        let mut o = OutboundNumber::new(n.id.clone(), phone);
        o.health_score = n.health_score;
        o.rested = rested;
        o.is_default = n.is_default;
        pool.push(o);
    }
    let places: Vec<Place> = leads.iter().map(Place::of_phone).collect();
    Ok(caller_id::assign(&places, &mut pool, rotation))
}
