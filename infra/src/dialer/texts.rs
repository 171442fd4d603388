//! Texts. An outbound text passes the compliance gate when it is asked for (a refusal is an
//! error naming the rules) and again when it leaves; it is written with its sending job in one
//! transaction, and a compare-and-set `queued → sending` before the carrier makes one delivery
//! of the job the sender, so a crash never sends a text twice.
//!
//! Inbound keywords act at once, inside the transaction that records the text: STOP (and its
//! synonyms) puts the number on the tenant's do-not-contact list for every channel, START lifts
//! an earlier STOP, HELP is answered with who is texting and how to stop. Twilio and Telnyx
//! confirm STOP and START themselves (and refuse texts to an opted-out number), so those get
//! no second answer from us; the HELP answer names the agency, which the carriers' default does
//! not. It goes out as a `reply`, which the gate does not stop.

use super::{Dialer, DialerError, event};
use crate::db::entity::{carrier_account, message, phone_number, tenant as tenant_entity};
use crate::db::repo::dnc;
use crate::db::scope;
use crate::gate::{self, Check};
use crate::queue::{Job, outbox};
use crate::telephony::SendMessage;
use chrono::{DateTime, Utc};
use outdial_domain::compliance::{Channel, DialMode, LineType, Purpose};
use outdial_domain::contacts::Phone;
use outdial_domain::ids::TenantId;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter, QueryOrder, Set,
    sea_query::Expr,
};
use serde_json::json;

/// Words that opt a number out (CTIA; carriers honour the same set).
pub const STOP_WORDS: &[&str] = &["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"];
/// Words that ask who is texting.
pub const HELP_WORDS: &[&str] = &["HELP", "INFO"];
/// Words that lift an earlier STOP.
pub const START_WORDS: &[&str] = &["START", "UNSTOP"];

/// The DNC source of an opt-out by text: START lifts only these.
const SMS_STOP: &str = "sms_stop";
/// The purpose of the keyword answers.
const REPLY: &str = "reply";
/// The longest text accepted (ten segments).
pub const MAX_BODY_CHARS: usize = 1600;
/// The most media one picture text carries (both carriers' limit).
pub const MAX_MEDIA: usize = 10;

/// Message states of our own, besides the carrier's (`MessageStatus`).
pub mod text_status {
    /// Written; its sending job is on the way.
    pub const QUEUED: &str = "queued";
    /// Claimed by one delivery of its job; the carrier is being asked.
    pub const SENDING: &str = "sending";
    /// The gate refused it when it was about to leave.
    pub const BLOCKED: &str = "blocked";
    /// The carrier refused it, or a crash left it unknown whether the carrier got it.
    pub const FAILED: &str = "failed";
}

/// A text as a user asks for it.
#[derive(Debug, Clone)]
pub struct NewText {
    pub to: String,
    pub body: String,
    /// Public `https` (or `http`) URLs of pictures or other media: an MMS. May stand alone
    /// (no body).
    pub media_urls: Vec<String>,
    /// The number to send from (default: the one the thread used, else a local one).
    pub number_id: Option<String>,
    pub contact_id: Option<String>,
    /// `marketing`, `informational` or `collection`.
    pub purpose: String,
    /// `user:...` or `api_key:...`.
    pub actor: String,
}

fn invalid(code: &'static str, detail: impl Into<String>) -> DialerError {
    DialerError::Invalid(code, detail.into())
}

fn purpose_of(raw: &str) -> Option<Purpose> {
    Some(match raw {
        "marketing" => Purpose::Marketing,
        "informational" => Purpose::Informational,
        "collection" => Purpose::Collection,
        _ => return None,
    })
}

/// Checks the text, asks the gate, and writes it with its sending job.
pub async fn queue(d: &Dialer, tenant: &TenantId, t: NewText) -> Result<message::Model, DialerError> {
    let now = d.now();
    let to = Phone::parse(t.to.trim()).map_err(|e| invalid("invalid_phone", format!("to: {e}")))?;
    let body = t.body.trim().to_owned();
    let media = media_urls(&t.media_urls)?;
    if body.chars().count() > MAX_BODY_CHARS || (body.is_empty() && media.is_none()) {
        return Err(invalid(
            "invalid_body",
            format!("body must be 1 to {MAX_BODY_CHARS} characters (it may be empty when media_urls are given)"),
        ));
    }
    if purpose_of(&t.purpose).is_none() {
        return Err(invalid("invalid_purpose", "purpose must be marketing, informational or collection"));
    }
    let number = from_number(d, tenant, &to, t.number_id.as_deref()).await?;
    let checked = decide(d, tenant, &to, t.contact_id.clone(), &t.purpose, &t.actor, now).await?;
    if let Some(why) = checked {
        return Err(invalid("blocked_by_compliance", why));
    }
    let txn = crate::db::begin(&d.db).await?;
    let m = insert(&txn, tenant, &number, &to, (&body, media), t.contact_id, &t.purpose, Some(t.actor), now).await?;
    outbox::enqueue(&txn, tenant, &Job::SendTextV1 { message_id: m.id.clone() }, "texts", now).await?;
    txn.commit().await?;
    d.relay_wake.notify_one();
    d.publish(vec![updated(&m)]).await;
    Ok(m)
}

/// Checks an MMS's media: at most [`MAX_MEDIA`] absolute `https`/`http` URLs the carrier can
/// fetch. Returns them as stored (a JSON array), or `None` for a plain text.
fn media_urls(urls: &[String]) -> Result<Option<String>, DialerError> {
    if urls.is_empty() {
        return Ok(None);
    }
    if urls.len() > MAX_MEDIA {
        return Err(invalid(
            "invalid_media",
            format!("at most {MAX_MEDIA} media_urls per text ({} given)", urls.len()),
        ));
    }
    for (i, raw) in urls.iter().enumerate() {
        let ok = reqwest::Url::parse(raw.trim())
            .is_ok_and(|u| matches!(u.scheme(), "https" | "http") && u.host_str().is_some_and(|h| !h.is_empty()));
        if !ok {
            return Err(invalid(
                "invalid_media",
                format!("media_urls[{i}] must be a public http(s) URL the carrier can fetch, got {raw:?}"),
            ));
        }
    }
    let urls: Vec<&str> = urls.iter().map(|u| u.trim()).collect();
    Ok(Some(serde_json::to_string(&urls).expect("strings serialize")))
}

/// The media URLs of a stored text.
pub fn media_of(m: &message::Model) -> Vec<String> {
    m.media_urls.as_deref().and_then(|j| serde_json::from_str(j).ok()).unwrap_or_default()
}

/// The gate's answer: `None` when the text may go, else why not (codes, audit id, when).
async fn decide(
    d: &Dialer,
    tenant: &TenantId,
    to: &Phone,
    contact_id: Option<String>,
    purpose: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>, DialerError> {
    let Some(purpose) = purpose_of(purpose) else { return Ok(None) };
    let checked = gate::check(
        &d.db,
        &d.rules,
        &d.national,
        tenant,
        &Check {
            channel: Channel::Sms,
            purpose,
            destination: to.as_str().to_owned(),
            zip: None,
            state: None,
            contact_id,
            campaign_id: None,
            debt_id: None,
            dial_mode: DialMode::Manual,
            line_type: LineType::Unknown,
            at: now,
            actor: actor.to_owned(),
        },
        now,
    )
    .await
    .map_err(|e| match e {
        gate::GateError::UnknownContact => invalid("unknown_contact", "contact_id names no contact of this agency"),
        gate::GateError::Repo(r) => DialerError::Repo(r),
    })?;
    if checked.decision.is_allowed() {
        return Ok(None);
    }
    let why: Vec<String> = checked
        .decision
        .reasons
        .iter()
        .map(|r| format!("{} ({})", r.detail.trim_end_matches('.'), r.code.as_str()))
        .collect();
    let next = checked.decision.next_allowed_at.map(|t| format!("; allowed again at {}", t.to_rfc3339()));
    Ok(Some(format!("blocked: {}; audit {}{}", why.join("; "), checked.audit_id, next.unwrap_or_default())))
}

/// The number a text goes out from: the one asked for, else the one this thread used last,
/// else one in the lead's area code, else any number that can text.
async fn from_number(
    d: &Dialer,
    tenant: &TenantId,
    to: &Phone,
    asked: Option<&str>,
) -> Result<phone_number::Model, DialerError> {
    let texting = scope::find::<phone_number::Entity>(tenant)
        .filter(phone_number::Column::Status.eq("active"))
        .filter(phone_number::Column::Sms.eq(true))
        .order_by_asc(phone_number::Column::Id)
        .all(&d.db)
        .await?;
    if let Some(id) = asked {
        return texting.into_iter().find(|n| n.id == id).ok_or_else(|| {
            invalid("unknown_number", format!("number {id} is not an active number of this agency that can text"))
        });
    }
    let last = scope::find::<message::Entity>(tenant)
        .filter(message::Column::ToE164.eq(to.as_str()).or(message::Column::FromE164.eq(to.as_str())))
        .order_by_desc(message::Column::CreatedAt)
        .one(&d.db)
        .await?
        .and_then(|m| m.number_id);
    let npa = to.npa();
    let pick = last
        .and_then(|id| texting.iter().position(|n| n.id == id))
        .or_else(|| {
            texting.iter().position(|n| Phone::parse(&n.e164).ok().and_then(|p| p.npa()) == npa && npa.is_some())
        })
        .or(if texting.is_empty() { None } else { Some(0) });
    match pick {
        Some(i) => Ok(texting.into_iter().nth(i).expect("index from the same list")),
        None => Err(invalid("no_number", "buy or import a phone number that can text first (Admin → Phone numbers)")),
    }
}

#[allow(clippy::too_many_arguments)]
async fn insert<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    number: &phone_number::Model,
    to: &Phone,
    (body, media_urls): (&str, Option<String>),
    contact_id: Option<String>,
    purpose: &str,
    sent_by: Option<String>,
    now: DateTime<Utc>,
) -> Result<message::Model, DialerError> {
    let m = message::Model {
        tenant_id: tenant.to_string(),
        id: crate::ids::message().to_string(),
        account_id: number.account_id.clone(),
        number_id: Some(number.id.clone()),
        provider_message_id: None,
        direction: "outbound".into(),
        from_e164: number.e164.clone(),
        to_e164: to.as_str().to_owned(),
        body: body.to_owned(),
        status: text_status::QUEUED.into(),
        error_code: None,
        contact_id,
        purpose: Some(purpose.to_owned()),
        sent_by,
        media_urls,
        created_at: now,
        updated_at: now,
    };
    message::Entity::insert(message::ActiveModel::from(m.clone())).exec_without_returning(conn).await?;
    Ok(m)
}

fn updated(m: &message::Model) -> crate::events::Event {
    event(
        &m.tenant_id,
        "message.updated",
        json!({ "message_id": m.id, "direction": m.direction, "status": m.status, "phone":
            if m.direction == "outbound" { &m.to_e164 } else { &m.from_e164 } }),
    )
}

async fn set_status<C: ConnectionTrait>(
    conn: &C,
    m: &message::Model,
    status: &str,
    error: Option<String>,
    now: DateTime<Utc>,
) -> Result<message::Model, DialerError> {
    let mut a: message::ActiveModel = m.clone().into();
    a.status = Set(status.to_owned());
    a.error_code = Set(error);
    a.updated_at = Set(now);
    Ok(a.update(conn).await?)
}

/// Runs one sending job. `Ok` also when there is nothing to do (a repeated delivery).
pub async fn send(d: &Dialer, tenant: &TenantId, message_id: &str) -> Result<(), DialerError> {
    let now = d.now();
    let Some(m) = scope::find::<message::Entity>(tenant).filter(message::Column::Id.eq(message_id)).one(&d.db).await?
    else {
        return Ok(());
    };
    if m.status == text_status::SENDING && m.provider_message_id.is_none() {
        // A delivery that claimed it died before the carrier answered: whether the carrier
        // got it is unknown, and sending again could text the person twice.
        let m = set_status(&d.db, &m, text_status::FAILED, Some("interrupted".into()), now).await?;
        d.publish(vec![updated(&m)]).await;
        return Ok(());
    }
    if m.status != text_status::QUEUED {
        return Ok(());
    }
    // The gate again, at the moment it leaves (hours may have closed, a STOP may have come).
    let actor = m.sent_by.clone().unwrap_or_else(|| "system:texts".into());
    let to = Phone::parse(&m.to_e164).map_err(|_| invalid("invalid_phone", "the stored number is corrupt"))?;
    if let Some(why) =
        decide(d, tenant, &to, m.contact_id.clone(), m.purpose.as_deref().unwrap_or(REPLY), &actor, now).await?
    {
        let m = set_status(&d.db, &m, text_status::BLOCKED, Some(why), now).await?;
        d.publish(vec![updated(&m)]).await;
        return Ok(());
    }
    let won = scope::update_many::<message::Entity>(tenant)
        .col_expr(message::Column::Status, Expr::value(text_status::SENDING))
        .col_expr(message::Column::UpdatedAt, Expr::value(now))
        .filter(message::Column::Id.eq(&m.id))
        .filter(message::Column::Status.eq(text_status::QUEUED))
        .exec(&d.db)
        .await?;
    if won.rows_affected == 0 {
        return Ok(());
    }
    let account = scope::find::<carrier_account::Entity>(tenant)
        .filter(carrier_account::Column::Id.eq(&m.account_id))
        .one(&d.db)
        .await?
        .ok_or(DialerError::NotFound)?;
    let from = Phone::parse(&m.from_e164).map_err(|_| invalid("invalid_phone", "the stored number is corrupt"))?;
    // Our id rides in the status URL, so a status that overtakes the carrier's answer still
    // finds its text.
    let status_url = match account.provider.as_str() {
        "twilio" => format!("{}/sms-status?message={}", d.voice.hook_base(&account), m.id),
        _ => format!("{}?message={}", d.voice.hook_base(&account), m.id),
    };
    let sent = match d.voice.carrier(&account) {
        Ok(c) => {
            use crate::telephony::Carrier;
            c.send_message(&SendMessage { to, from, body: m.body.clone(), media_urls: media_of(&m), status_url })
                .await
                .map_err(|e| e.to_string())
        }
        Err(e) => Err(e.to_string()),
    };
    match sent {
        Ok(s) => {
            // A status webhook may have come first (it finds the text by the id in its URL):
            // the carrier's id is filled in if missing, and the status only moves on from
            // `sending`, never back.
            scope::update_many::<message::Entity>(tenant)
                .col_expr(message::Column::ProviderMessageId, Expr::value(s.provider_message_id.clone()))
                .filter(message::Column::Id.eq(&m.id))
                .filter(message::Column::ProviderMessageId.is_null())
                .exec(&d.db)
                .await?;
            scope::update_many::<message::Entity>(tenant)
                .col_expr(message::Column::Status, Expr::value(s.status.as_str()))
                .col_expr(message::Column::UpdatedAt, Expr::value(now))
                .filter(message::Column::Id.eq(&m.id))
                .filter(message::Column::Status.eq(text_status::SENDING))
                .exec(&d.db)
                .await?;
        }
        Err(e) => {
            set_status(&d.db, &m, text_status::FAILED, Some(format!("carrier: {e}")), now).await?;
        }
    }
    let m = scope::find::<message::Entity>(tenant).filter(message::Column::Id.eq(&m.id)).one(&d.db).await?.unwrap_or(m);
    d.publish(vec![updated(&m)]).await;
    Ok(())
}

/// What an inbound text's first word asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyword {
    Stop,
    Help,
    Start,
}

/// Whole replies that opt out besides [`STOP_WORDS`]: the FCC's revocation words (47 CFR
/// 64.1200(a)(10): "stop", "quit", "end", "revoke", "opt out", "cancel", "unsubscribe") and
/// their common Spanish forms (COMPLIANCE.md §8 case 32; a reasonable person reads them as an
/// opt-out, so they are honoured rather than left for review).
const STOP_PHRASES: &[&str] =
    &["OPT OUT", "STOP ALL", "NO MAS", "NO MÁS", "ALTO", "PARE", "PARAR", "BASTA", "BAJA", "CANCELAR"];
/// Words that opt out wherever they stand in a short reply ("Stop please", "please stop
/// texting me"): words with no other everyday meaning in a reply to a sales text.
const STOP_ANYWHERE: &[&str] = &["STOP", "STOPALL", "UNSUBSCRIBE", "OPTOUT", "REVOKE"];
/// The longest reply (in words) in which a word of [`STOP_ANYWHERE`] or "opt out" opts out.
const SHORT_REPLY_WORDS: usize = 8;

/// Reads a keyword, in any case and with punctuation ignored: the whole reply is a keyword or
/// an opt-out phrase, or a short reply holds an unmistakable opt-out word.
pub fn keyword(body: &str) -> Option<Keyword> {
    let upper = body.to_uppercase();
    let words: Vec<&str> = upper.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let whole = words.join(" ");
    let short = words.len() <= SHORT_REPLY_WORDS;
    let opts_out = STOP_WORDS.contains(&whole.as_str())
        || STOP_PHRASES.contains(&whole.as_str())
        || (short
            && (words.iter().any(|w| STOP_ANYWHERE.contains(w)) || words.windows(2).any(|p| p == ["OPT", "OUT"])));
    if opts_out {
        Some(Keyword::Stop)
    } else if HELP_WORDS.contains(&whole.as_str()) {
        Some(Keyword::Help)
    } else if START_WORDS.contains(&whole.as_str()) {
        Some(Keyword::Start)
    } else {
        None
    }
}

/// Applies an inbound text's keyword inside the transaction that records it, and writes the
/// HELP answer with its sending job. Returns the realtime events to publish after commit.
pub async fn on_inbound<C: ConnectionTrait>(
    conn: &C,
    inbound: &message::Model,
    now: DateTime<Utc>,
) -> Result<Vec<crate::events::Event>, DialerError> {
    let Ok(tenant) = TenantId::parse(&inbound.tenant_id) else { return Ok(vec![]) };
    let mut events = vec![updated(inbound)];
    let Some(word) = keyword(&inbound.body) else { return Ok(events) };
    let Ok(from) = Phone::parse(&inbound.from_e164) else { return Ok(events) };
    let target = dnc::Target::Phone(from.as_str().to_owned());
    let answer = match word {
        Keyword::Stop => {
            let reason = format!("replied {} to {}", inbound.body.trim(), inbound.to_e164);
            let (entry, _) = dnc::add(conn, &tenant, &target, Some(reason), SMS_STOP, None, now).await?;
            events.push(event(tenant.as_str(), "dnc.added", json!({ "id": entry.id, "phone": from.as_str() })));
            return Ok(events);
        }
        Keyword::Start => {
            // Only an opt-out by text is lifted by text; a DNC entry a person added stays.
            if let Some(entry) = dnc::find(conn, &tenant, &target).await?.filter(|e| e.source == SMS_STOP) {
                dnc::delete(conn, &tenant, &entry.id).await?;
                events.push(event(tenant.as_str(), "dnc.removed", json!({ "id": entry.id, "phone": from.as_str() })));
            }
            return Ok(events);
        }
        Keyword::Help => {
            let agency = scope::global::<tenant_entity::Entity>()
                .filter(tenant_entity::Column::Id.eq(tenant.as_str()))
                .one(conn)
                .await?
                .map_or_else(|| "Outdial".to_owned(), |t| t.name);
            format!(
                "{agency}: reply here or call {} for help. Msg & data rates may apply. Reply STOP to unsubscribe.",
                inbound.to_e164
            )
        }
    };
    let number = match &inbound.number_id {
        Some(id) => {
            scope::find::<phone_number::Entity>(&tenant).filter(phone_number::Column::Id.eq(id)).one(conn).await?
        }
        None => None,
    };
    let Some(number) = number else { return Ok(events) };
    let reply =
        insert(conn, &tenant, &number, &from, (&answer, None), None, REPLY, Some("system:texts".into()), now).await?;
    outbox::enqueue(conn, &tenant, &Job::SendTextV1 { message_id: reply.id.clone() }, "texts", now).await?;
    events.push(updated(&reply));
    Ok(events)
}

/// A lead's conversation: every text to or from `phone`, oldest first (at most `limit`).
pub async fn thread<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    phone: &Phone,
    limit: u64,
) -> Result<Vec<message::Model>, DialerError> {
    use sea_orm::QuerySelect;
    let mut rows = scope::find::<message::Entity>(tenant)
        .filter(message::Column::ToE164.eq(phone.as_str()).or(message::Column::FromE164.eq(phone.as_str())))
        .order_by_desc(message::Column::CreatedAt)
        .order_by_desc(message::Column::Id)
        .limit(limit)
        .all(conn)
        .await?;
    rows.reverse();
    Ok(rows)
}

/// Every text, newest first (the inbox).
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    page: &crate::db::repo::Page,
) -> Result<(Vec<message::Model>, Option<String>), DialerError> {
    use sea_orm::QuerySelect;
    let mut q = scope::find::<message::Entity>(tenant);
    if let Some(c) = &page.cursor {
        q = q.filter(message::Column::Id.lt(c.as_str()));
    }
    let rows = q.order_by_desc(message::Column::Id).limit(page.limit + 1).all(conn).await?;
    Ok(page.finish(rows, |r| r.id.clone()))
}

/// One text.
pub async fn get<C: ConnectionTrait>(conn: &C, tenant: &TenantId, id: &str) -> Result<message::Model, DialerError> {
    scope::find::<message::Entity>(tenant)
        .filter(message::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(DialerError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_whole_words_in_any_case() {
        assert_eq!(keyword("stop"), Some(Keyword::Stop));
        assert_eq!(keyword("  Unsubscribe. "), Some(Keyword::Stop));
        assert_eq!(keyword("HELP"), Some(Keyword::Help));
        assert_eq!(keyword("start!"), Some(Keyword::Start));
        assert_eq!(keyword("yes please"), None);
        assert_eq!(keyword("START"), Some(Keyword::Start));
    }

    /// COMPLIANCE.md §8 case 32: each of these opts out.
    #[test]
    fn every_reasonable_opt_out_is_honoured() {
        for reply in [
            "stop",
            "STOP.",
            " Unsubscribe ",
            "opt out",
            "Stop please",
            "cancel",
            "please stop texting me",
            "Opt-out!",
            "No más",
            "no mas",
            "STOP ALL",
            "revoke",
        ] {
            assert_eq!(keyword(reply), Some(Keyword::Stop), "{reply:?}");
        }
        // Words with an everyday meaning opt out only as the whole reply.
        assert_eq!(keyword("end"), Some(Keyword::Stop));
        assert_eq!(keyword("I can talk at the end of the day"), None);
        assert_eq!(keyword("cancel my appointment tomorrow and book friday"), None);
        // A long message is a conversation for a person to read, not a keyword.
        assert_eq!(
            keyword("thanks for the call today, I will think about it and let you know, no need to stop by"),
            None
        );
        assert_eq!(keyword("help me understand the offer"), None);
    }
}
