//! The placing job: one dial attempt, written by the tick in the transaction that reserved its
//! lead. A compare-and-set `scheduled → dialing` (naming the call first) makes exactly one
//! delivery of the job the dialler; the compliance gate decides at dial time; then the carrier.

use super::{Dialer, DialerError, attempt_status as at, campaign_status as cs, lead_status, route, sessions};
use crate::db::entity::{campaign, contact_phone, dial_attempt};
use crate::db::scope;
use crate::gate::{self, Check};
use crate::telephony::AmdMode;
use crate::voice::{Observed, calls, numbers};
use chrono::{DateTime, Utc};
use outdial_domain::call_flow::{CallPlan, HumanAction, MachineAction};
use outdial_domain::compliance::{Channel, DialMode, LineType, NoticeCode, Purpose};
use outdial_domain::contacts::Phone;
use outdial_domain::dialer::{LeadNext, Outcome};
use outdial_domain::ids::TenantId;
use sea_orm::{ColumnTrait, QueryFilter, sea_query::Expr};

/// Said by the recording-consent announcement where every party must agree to recording.
pub const RECORDING_NOTICE: &str = "This call may be recorded for quality and training purposes.";

/// The safe-harbor message: who is calling and how to call back (16 CFR 310.4(b)(4)(iii)).
pub fn safe_harbor_text(seller: &str, callback: &str) -> String {
    format!(
        "Hello, this is {seller}. Sorry, all of our representatives are busy right now. \
         Please call us back at {callback}. Thank you."
    )
}

/// Runs one placing job. `Ok` also when there is nothing to do (a duplicate delivery).
pub async fn run(d: &Dialer, tenant: &TenantId, attempt_id: &str) -> Result<(), DialerError> {
    let now = d.now();
    let a = match route::attempt(&d.db, tenant, attempt_id).await {
        Ok(a) => a,
        Err(DialerError::NotFound) => return Ok(()),
        Err(e) => return Err(e),
    };
    if a.status != at::SCHEDULED {
        return Ok(());
    }
    let c = super::campaigns::get(&d.db, tenant, &a.campaign_id).await?;
    if c.status != cs::RUNNING || a.detail.as_deref() == Some("cancelled") {
        let why = if c.status != cs::RUNNING { format!("campaign {}", c.status) } else { "cancelled".into() };
        return stand_down(d, tenant, &c, &a, Outcome::Cancelled, Some(why), now).await;
    }
    let call_id = crate::ids::call().to_string();
    let won = scope::update_many::<dial_attempt::Entity>(tenant)
        .col_expr(dial_attempt::Column::Status, Expr::value(at::DIALING))
        .col_expr(dial_attempt::Column::CallId, Expr::value(call_id.clone()))
        .col_expr(dial_attempt::Column::DialedAt, Expr::value(now))
        .col_expr(dial_attempt::Column::UpdatedAt, Expr::value(now))
        .filter(dial_attempt::Column::Id.eq(&a.id))
        .filter(dial_attempt::Column::Status.eq(at::SCHEDULED))
        .exec(&d.db)
        .await?;
    if won.rows_affected == 0 {
        return Ok(());
    }
    let a = route::attempt(&d.db, tenant, &a.id).await?;
    let Ok(to) = Phone::parse(&a.phone) else {
        return stand_down(d, tenant, &c, &a, Outcome::Failed, Some("invalid number".into()), now).await;
    };
    let checked = gate::check(
        &d.db,
        &d.rules,
        &d.national,
        tenant,
        &Check {
            channel: Channel::Voice,
            purpose: purpose(&c.purpose),
            destination: a.phone.clone(),
            zip: None,
            state: None,
            contact_id: Some(a.contact_id.clone()),
            campaign_id: Some(c.id.clone()),
            debt_id: None,
            dial_mode: if c.mode == "preview" { DialMode::Manual } else { DialMode::Automated },
            line_type: line_type(&d.db, tenant, &a.phone).await?,
            at: now,
            actor: "system:dialer".into(),
        },
        now,
    )
    .await
    .map_err(|e| DialerError::Invalid("gate_failed", e.to_string()))?;
    let decision = checked.decision;
    if !decision.is_allowed() {
        let codes: Vec<String> = decision.reasons.iter().map(|r| r.code.as_str().to_owned()).collect();
        let detail = format!("blocked: {} (audit {})", codes.join(", "), checked.audit_id);
        return blocked(d, tenant, &c, &a, detail, decision.next_allowed_at, now).await;
    }
    let account = sessions::account_for(&d.db, tenant, &c).await?;
    let (number_id, from) = caller_id(d, tenant, &c, &account, &to, now).await?;
    let callback = c.callback_number.clone().unwrap_or_else(|| from.as_str().to_owned());
    let all_party = decision.notices.iter().any(|n| n.code == NoticeCode::RecordingDisclosureRequired);
    let plan = CallPlan {
        on_human: HumanAction::SafeHarbor { text: safe_harbor_text(&c.seller_name, &callback), audio_url: None },
        on_machine: match (&c.machine_action[..], &c.voicemail_url) {
            ("voicemail", Some(url)) => MachineAction::Voicemail { audio_url: url.clone() },
            _ => MachineAction::Hangup,
        },
        recording_notice: (c.record && all_party).then(|| RECORDING_NOTICE.to_owned()),
        record: c.record,
        amd: c.amd,
    };
    let amd = match (c.amd, &plan.on_machine) {
        (false, _) => AmdMode::Off,
        (true, MachineAction::Voicemail { .. }) => AmdMode::DetectBeep,
        (true, MachineAction::Hangup) => AmdMode::Detect,
    };
    let placed = calls::place_with_id(
        &d.voice,
        tenant,
        call_id,
        calls::NewCall {
            kind: calls::kind::LEAD,
            account_id: account.id.clone(),
            number_id,
            from,
            to,
            amd,
            ring_timeout_secs: u32::try_from(c.ring_timeout_secs).unwrap_or(30),
            plan,
        },
        now,
    )
    .await;
    if let Err(e) = placed {
        // The call row is marked failed; the attempt ends now and its lead follows the redial
        // rule. It is never placed again under this attempt.
        return stand_down(d, tenant, &c, &a, Outcome::Failed, Some(format!("carrier: {e}")), d.now()).await;
    }
    // The carrier has the call: it rings from now, not from when this job began (the wait for
    // the carrier's calls-per-second limit is no ringing). The pacing sees a dialling attempt
    // as not placed yet and a ringing one as ringing since `dialed_at`. Unless an event of the
    // call moved it on already.
    let placed_at = d.now();
    scope::update_many::<dial_attempt::Entity>(tenant)
        .col_expr(dial_attempt::Column::Status, Expr::value(at::RINGING))
        .col_expr(dial_attempt::Column::DialedAt, Expr::value(placed_at))
        .col_expr(dial_attempt::Column::UpdatedAt, Expr::value(placed_at))
        .filter(dial_attempt::Column::Id.eq(&a.id))
        .filter(dial_attempt::Column::Status.eq(at::DIALING))
        .exec(&d.db)
        .await?;
    Ok(())
}

fn purpose(raw: &str) -> Purpose {
    match raw {
        "informational" => Purpose::Informational,
        "collection" => Purpose::Collection,
        _ => Purpose::Marketing,
    }
}

async fn line_type<C: sea_orm::ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    phone: &str,
) -> Result<LineType, DialerError> {
    let row =
        scope::find::<contact_phone::Entity>(tenant).filter(contact_phone::Column::E164.eq(phone)).one(conn).await?;
    Ok(match row.and_then(|r| r.label) {
        Some(l) if l.eq_ignore_ascii_case("landline") || l.eq_ignore_ascii_case("home") => LineType::Landline,
        _ => LineType::Unknown,
    })
}

async fn caller_id(
    d: &Dialer,
    tenant: &TenantId,
    c: &campaign::Model,
    account: &crate::db::entity::carrier_account::Model,
    to: &Phone,
    now: DateTime<Utc>,
) -> Result<(Option<String>, Phone), DialerError> {
    if let (Some(id), "fixed") = (&c.caller_number_id, c.caller_id_mode.as_str()) {
        let n = numbers::get(&d.db, tenant, id).await?;
        let p = Phone::parse(&n.e164)
            .map_err(|_| DialerError::Invalid("no_caller_id", "the fixed number is corrupt".into()))?;
        return Ok((Some(n.id), p));
    }
    let rotation = u64::try_from(now.timestamp_millis()).unwrap_or(0);
    let chosen =
        numbers::choose_caller_ids(&d.db, tenant, std::slice::from_ref(to), now.date_naive(), rotation).await?;
    match chosen.into_iter().next().flatten() {
        Some(choice) => Ok((Some(choice.number_id), choice.phone)),
        None => Ok((None, sessions::any_number(&d.db, tenant, account).await?)),
    }
}

/// Ends an attempt that will not (or did not) reach the carrier, under its lock.
async fn stand_down(
    d: &Dialer,
    tenant: &TenantId,
    c: &campaign::Model,
    a: &dial_attempt::Model,
    outcome: Outcome,
    detail: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), DialerError> {
    let txn = crate::db::begin(&d.db).await?;
    let a = route::lock_attempt(&txn, tenant, a).await?;
    let c = super::campaigns::get(&txn, tenant, &c.id).await?;
    let mut out = Observed::default();
    if a.status != at::ENDED {
        route::settle(&txn, tenant, &c, a, outcome, detail, now, &mut out).await?;
    }
    txn.commit().await?;
    d.publish(out.events).await;
    Ok(())
}

/// The gate refused: the lead keeps its attempt and waits for the instant the gate would
/// allow the dial, or leaves the queue when only an action (consent, a DNC removal) can.
async fn blocked(
    d: &Dialer,
    tenant: &TenantId,
    c: &campaign::Model,
    a: &dial_attempt::Model,
    detail: String,
    next_allowed: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), DialerError> {
    let txn = crate::db::begin(&d.db).await?;
    let a = route::lock_attempt(&txn, tenant, a).await?;
    let c = super::campaigns::get(&txn, tenant, &c.id).await?;
    let mut out = Observed::default();
    if a.status != at::ENDED {
        route::settle(&txn, tenant, &c, a.clone(), Outcome::Blocked, Some(detail), now, &mut out).await?;
        if let Some(lead) = route::lead_of(&txn, tenant, &a).await? {
            match next_allowed {
                Some(at) => {
                    let next = LeadNext::Ready { at, priority: lead.priority };
                    route::move_lead(&txn, &lead, lead.attempts, next, Some("blocked"), now).await?;
                }
                None => route::close_lead(&txn, tenant, &lead, lead_status::BLOCKED).await?,
            }
        }
    }
    txn.commit().await?;
    d.publish(out.events).await;
    Ok(())
}
