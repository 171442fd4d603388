//! Carrier webhooks: verified, recorded once (deduplicated on the carrier's event id), applied
//! to the call or message without ever moving it backwards (late, reordered events are kept in
//! the log but change nothing), published, and answered — with TwiML where Twilio waits for it,
//! or with Call Control actions.

use super::{Credentials, Voice, VoiceError, calls, numbers};
use crate::db::entity::{call, carrier_account, carrier_event, message, phone_number, task};
use crate::db::scope;
use crate::events::Event;
use crate::telephony::{
    AmdResult, CallAction, CallStatus, CarrierEvent, EventKind, HangupSource, MessageStatus, WebhookError, telnyx,
    twilio,
};
use chrono::{DateTime, Utc};
use outdial_domain::call_flow::{self, Command, Detected, HumanAction, Moment};
use outdial_domain::ids::TenantId;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, sea_query::OnConflict};
use serde_json::json;

/// Which endpoint a webhook came to.
#[derive(Debug, Clone, Copy)]
pub enum Hook {
    Twilio(twilio::wire::Hook),
    Telnyx,
}

/// A webhook as received.
pub struct Incoming<'a> {
    pub account_id: &'a str,
    pub hook: Hook,
    /// The full URL the carrier requested (our public URL + path + query).
    pub url: String,
    /// Our call or message id from the callback URL (`?call=`, `?message=`), when we put one
    /// there.
    pub call_hint: Option<String>,
    pub twilio_signature: Option<&'a str>,
    pub telnyx_timestamp: Option<&'a str>,
    pub telnyx_signature: Option<&'a str>,
    pub body: &'a [u8],
    pub now: DateTime<Utc>,
}

/// What to answer the carrier.
#[derive(Debug, PartialEq, Eq)]
pub enum Reply {
    Empty,
    Twiml(String),
}

/// Why a webhook was refused.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("no such carrier account")]
    UnknownAccount,
    #[error("{0}")]
    Forbidden(WebhookError),
    #[error("{0}")]
    Malformed(String),
    #[error(transparent)]
    Internal(#[from] VoiceError),
}

impl From<sea_orm::DbErr> for IngestError {
    fn from(e: sea_orm::DbErr) -> Self {
        IngestError::Internal(e.into())
    }
}

/// Verifies, records, applies and answers one webhook. On SQLite, concurrent webhooks can
/// find the database locked; nothing was committed then, so the webhook is simply retried.
pub async fn ingest(voice: &Voice, req: Incoming<'_>) -> Result<Reply, IngestError> {
    retry_when_busy(|| ingest_once(voice, &req)).await
}

/// Runs `attempt` again (up to 8 times, backing off) while the database is busy: nothing was
/// committed then.
async fn retry_when_busy<F, Fut>(mut attempt: F) -> Result<Reply, IngestError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Reply, IngestError>>,
{
    let mut delay = std::time::Duration::from_millis(5);
    for _ in 0..8 {
        match attempt().await {
            Err(IngestError::Internal(VoiceError::Db(e))) if is_busy(&e) => {
                tokio::time::sleep(delay).await;
                delay *= 2;
            }
            other => return other,
        }
    }
    attempt().await
}

fn is_busy(e: &sea_orm::DbErr) -> bool {
    let text = e.to_string();
    text.contains("database is locked") || text.contains("busy")
}

async fn ingest_once(voice: &Voice, req: &Incoming<'_>) -> Result<Reply, IngestError> {
    let read = |fresh| async move {
        match voice.account_for_webhook(req.account_id, fresh).await {
            Ok(a) => Ok(a),
            Err(VoiceError::NotFound) => Err(IngestError::UnknownAccount),
            Err(e) => Err(IngestError::from(e)),
        }
    };
    let (mut account, remembered) = read(false).await?;
    let mut verified = verify_and_parse(voice, &account, req);
    if remembered && matches!(verified, Err(IngestError::Forbidden(_))) {
        // Credentials may have been rotated a moment ago: check against the stored account.
        account = read(true).await?.0;
        verified = verify_and_parse(voice, &account, req);
    }
    apply_event(voice, &account, &verified?, req).await
}

/// Where a call stands at the carrier, learnt by asking it (the reconciler) rather than from a
/// webhook: recorded and applied exactly as the final webhook would have been, once (the
/// event key is the same for every pass that finds the call over).
pub async fn reconcile(
    voice: &Voice,
    account: &carrier_account::Model,
    c: &call::Model,
    snapshot: &crate::telephony::CallSnapshot,
    now: DateTime<Utc>,
) -> Result<(), IngestError> {
    let Some(provider_id) = c.provider_call_id.clone() else { return Ok(()) };
    let event = CarrierEvent {
        key: format!("reconciled:{provider_id}:{}", snapshot.status.as_str()),
        subject_id: provider_id,
        kind: EventKind::Status { status: snapshot.status, duration_secs: snapshot.duration_secs, hangup: None },
        from: None,
        to: None,
        direction: None,
        client_state: Some(c.id.clone()),
        occurred_at: Some(now),
    };
    let body =
        json!({ "reconciled": true, "status": snapshot.status.as_str(), "duration_secs": snapshot.duration_secs })
            .to_string();
    let hook = if account.provider == "telnyx" { Hook::Telnyx } else { Hook::Twilio(twilio::wire::Hook::Status) };
    let req = Incoming {
        account_id: &account.id,
        hook,
        url: String::new(),
        call_hint: Some(c.id.clone()),
        twilio_signature: None,
        telnyx_timestamp: None,
        telnyx_signature: None,
        body: body.as_bytes(),
        now,
    };
    retry_when_busy(|| apply_event(voice, account, &event, &req)).await.map(|_| ())
}

/// Records and applies one verified event, and answers the carrier.
async fn apply_event(
    voice: &Voice,
    account: &carrier_account::Model,
    event: &CarrierEvent,
    req: &Incoming<'_>,
) -> Result<Reply, IngestError> {
    let tenant = TenantId::parse(&account.tenant_id).map_err(|_| IngestError::UnknownAccount)?;
    let txn = crate::db::begin(&voice.db).await?;
    let event_id = crate::ids::raw("cev_");
    let mut call_row = find_call(&txn, &tenant, account, event, req.call_hint.as_deref()).await?;
    if call_row.is_none() && event.kind == EventKind::IncomingCall {
        call_row = Some(incoming_call(&txn, &tenant, account, event, req.now).await?);
    }
    let inserted = carrier_event::Entity::insert(carrier_event::ActiveModel {
        tenant_id: Set(tenant.to_string()),
        id: Set(event_id),
        account_id: Set(account.id.clone()),
        event_key: Set(event.key.clone()),
        kind: Set(event.kind.name()),
        subject_id: Set(event.subject_id.clone()),
        call_id: Set(call_row.as_ref().map(|c| c.id.clone())),
        body: Set(String::from_utf8_lossy(req.body).into_owned()),
        received_at: Set(req.now),
    })
    .on_conflict(
        OnConflict::columns([carrier_event::Column::AccountId, carrier_event::Column::EventKey])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    if inserted == 0 {
        // Seen before: nothing to apply. Twilio still waits for TwiML on a repeated request.
        // A delivery retried because the process that took the first one died may find the
        // command it owed the carrier never sent (the crash fell between its commit and the
        // command): the command goes again under the same command id. A voicemail drop is
        // claimed once on the call and never repeated.
        txn.rollback().await?;
        return Ok(match (&req.hook, &call_row) {
            (Hook::Twilio(twilio::wire::Hook::Voice), Some(c)) => Reply::Twiml(twiml_for(voice, c, event, account)),
            (_, Some(c)) if c.ended_at.is_none() => {
                match command_for(voice, c, event, account) {
                    Some((action, false)) => {
                        let _ = calls::act_through(voice, account, c, &action, &event.key).await;
                    }
                    Some((action, true)) if calls::voicemail_owed(&voice.db, c).await? => {
                        let sent = calls::act_through(voice, account, c, &action, &event.key).await.is_ok();
                        if sent {
                            calls::confirm_voicemail(&voice.db, c).await?;
                        }
                    }
                    _ => {}
                }
                if let Some(observer) = voice.observer() {
                    let owed = observer.replay(&voice.db, c, event, &account.provider).await?;
                    send_actions(voice, account, event, owed.actions).await;
                }
                quiet_reply(&req.hook)
            }
            _ => quiet_reply(&req.hook),
        });
    }
    let mut observed = crate::voice::Observed::default();
    let applied = match &call_row {
        Some(c) => {
            let mut c = apply_to_call(&txn, c, event, req.now).await?;
            if let Some(observer) = voice.observer() {
                observed = observer.on_call_event(&txn, &c, event, &account.provider, req.now).await?;
                if let Some(changed) = observed.call.take() {
                    c = changed;
                }
            }
            Some(c)
        }
        None => {
            if let Some(inbound) =
                apply_to_message(&txn, &tenant, account, event, req.call_hint.as_deref(), req.now).await?
                && let Some(observer) = voice.observer()
            {
                observed = observer.on_inbound_text(&txn, &inbound, req.now).await?;
            }
            None
        }
    };
    txn.commit().await?;
    // Commands go out before the carrier gets its answer: a process that dies in between
    // never answered, so the carrier (or the balancer in front) delivers again, and the
    // repeated delivery re-sends what it can (above). They also go before the realtime
    // events: a person waiting for their agent does not wait for the wallboard's updates.
    send_actions(voice, account, event, observed.actions).await;
    // Twilio's voice hook is answered with TwiML instead.
    let twiml_reply = matches!(req.hook, Hook::Twilio(twilio::wire::Hook::Voice));
    if let Some(c) = applied.as_ref().filter(|_| !twiml_reply)
        && let Some((action, vm)) = command_for(voice, c, event, account)
        && (!vm || calls::mark_voicemail(&voice.db, c).await?)
    {
        // A failure is recorded on the call.
        if calls::act_through(voice, account, c, &action, &event.key).await.is_ok() && vm {
            calls::confirm_voicemail(&voice.db, c).await?;
        }
    }
    for e in observed.events {
        let _ = voice.events.publish(e).await;
    }
    if let Some(c) = &applied {
        let data =
            json!({ "call_id": c.id, "status": c.status, "answered_by": c.answered_by, "event": event.kind.name() });
        let _ = voice.events.publish(Event { tenant_id: tenant.to_string(), kind: "call.updated".into(), data }).await;
        if let (Some(_), EventKind::Status { .. }, Some(number_id)) = (c.ended_at, &event.kind, &c.number_id) {
            numbers::refresh_health(&voice.db, &tenant, number_id, req.now.date_naive()).await?;
        }
    } else {
        let data = json!({ "subject": event.subject_id, "event": event.kind.name() });
        let _ =
            voice.events.publish(Event { tenant_id: tenant.to_string(), kind: "message.updated".into(), data }).await;
    }
    let Some(c) = applied else { return Ok(Reply::Empty) };
    if twiml_reply {
        return Ok(Reply::Twiml(twiml_for(voice, &c, event, account)));
    }
    Ok(quiet_reply(&req.hook))
}

/// The answer to an event that asks nothing: Twilio's `<Record>` action waits for TwiML to go
/// on with (the caller has left the message, so the call ends); every other hook takes 204.
fn quiet_reply(hook: &Hook) -> Reply {
    match hook {
        Hook::Twilio(twilio::wire::Hook::Recording) => Reply::Twiml(twilio::twiml::hangup()),
        _ => Reply::Empty,
    }
}

/// Sends an observer's actions together; each command id is derived from the event, so a
/// repeated delivery sends the same ids again.
async fn send_actions(
    voice: &Voice,
    account: &carrier_account::Model,
    event: &CarrierEvent,
    actions: Vec<(call::Model, CallAction)>,
) {
    let commands = actions.into_iter().map(|(target, action)| {
        let command_id = format!("{}-{}-{}", event.key, target.id, action.name());
        async move {
            let _ = calls::act_through(voice, account, &target, &action, &command_id).await;
        }
    });
    futures::future::join_all(commands).await;
}

fn verify_and_parse(
    voice: &Voice,
    account: &carrier_account::Model,
    req: &Incoming<'_>,
) -> Result<CarrierEvent, IngestError> {
    match (voice.credentials(account)?, req.hook) {
        (Credentials::Twilio(creds), Hook::Twilio(hook)) => {
            let params: Vec<(String, String)> = if req.url.contains("bodySHA256=") {
                vec![]
            } else {
                serde_urlencoded::from_bytes(req.body)
                    .map_err(|_| IngestError::Malformed("the body is not a form".into()))?
            };
            let sig = req.twilio_signature.ok_or(IngestError::Forbidden(WebhookError::MissingSignature))?;
            if !twilio::signature::verify(&creds.auth_token, &req.url, &params, req.body, sig) {
                return Err(IngestError::Forbidden(WebhookError::BadSignature));
            }
            twilio::wire::parse_callback(hook, &params).map_err(|e| IngestError::Malformed(e.to_string()))
        }
        (Credentials::Telnyx(creds), Hook::Telnyx) => {
            telnyx::signature::verify(
                &creds.public_key,
                req.telnyx_timestamp,
                req.telnyx_signature,
                req.body,
                req.now.timestamp(),
            )
            .map_err(IngestError::Forbidden)?;
            telnyx::wire::parse_event(req.body).map_err(|e| IngestError::Malformed(e.to_string()))
        }
        _ => Err(IngestError::UnknownAccount),
    }
}

async fn find_call<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    account: &carrier_account::Model,
    event: &CarrierEvent,
    hint: Option<&str>,
) -> Result<Option<call::Model>, IngestError> {
    if matches!(event.kind, EventKind::MessageStatus { .. } | EventKind::MessageReceived { .. }) {
        return Ok(None);
    }
    let ours = hint.or(event.client_state.as_deref()).filter(|id| id.starts_with("call_"));
    let mut q = scope::find::<call::Entity>(tenant).filter(call::Column::AccountId.eq(&account.id));
    q = match ours {
        Some(id) => q.filter(call::Column::Id.eq(id)),
        None => q.filter(call::Column::ProviderCallId.eq(&event.subject_id)),
    };
    Ok(q.one(conn).await?)
}

async fn incoming_call<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    account: &carrier_account::Model,
    event: &CarrierEvent,
    now: DateTime<Utc>,
) -> Result<call::Model, IngestError> {
    let to = event.to.clone().unwrap_or_default();
    let number = scope::find::<phone_number::Entity>(tenant)
        .filter(phone_number::Column::E164.eq(&to))
        .filter(phone_number::Column::Status.eq("active"))
        .one(conn)
        .await?;
    let from = event.from.clone().unwrap_or_default();
    let leg = calls::Leg { direction: "inbound", from: &from, to: &to };
    let model = call::Model {
        kind: Some(calls::kind::INBOUND.to_owned()),
        recording_url: None,
        recording_secs: None,
        number_id: number.as_ref().map(|n| n.id.clone()),
        provider_call_id: Some(event.subject_id.clone()),
        ..calls::fresh(tenant, crate::ids::call().to_string(), &account.id, leg, now)
    };
    call::Entity::insert(call::ActiveModel::from(model.clone()).reset_all()).exec_without_returning(conn).await?;
    // No agent session can take it yet (agents arrive with the dialer): the caller goes to
    // voicemail and the team owes a callback.
    task::Entity::insert(task::ActiveModel::from(task::Model {
        tenant_id: tenant.to_string(),
        id: crate::ids::task().to_string(),
        kind: "callback".into(),
        phone: model.from_e164.clone(),
        number_id: model.number_id.clone(),
        call_id: Some(model.id.clone()),
        team_id: number.and_then(|n| n.team_id),
        note: Some("Missed inbound call".into()),
        status: "open".into(),
        due_at: now,
        created_at: now,
    }))
    .exec_without_returning(conn)
    .await?;
    Ok(model)
}

fn rank(status: &str) -> u8 {
    CallStatus::parse(status).map(CallStatus::rank).unwrap_or(0)
}

async fn apply_to_call<C: ConnectionTrait>(
    conn: &C,
    current: &call::Model,
    event: &CarrierEvent,
    now: DateTime<Utc>,
) -> Result<call::Model, IngestError> {
    let mut m: call::ActiveModel = current.clone().into();
    if current.provider_call_id.is_none() {
        m.provider_call_id = Set(Some(event.subject_id.clone()));
    }
    let answered = |m: &mut call::ActiveModel| {
        if current.answered_at.is_none() {
            m.answered_at = Set(Some(event.occurred_at.unwrap_or(now)));
        }
    };
    match &event.kind {
        EventKind::Status { status, duration_secs, hangup } if status.rank() > rank(&current.status) => {
            m.status = Set(status.as_str().into());
            if *status == CallStatus::InProgress {
                answered(&mut m);
            }
            if status.is_final() {
                m.ended_at = Set(Some(event.occurred_at.unwrap_or(now)));
                m.duration_secs = Set(duration_secs.map(|d| i32::try_from(d).unwrap_or(i32::MAX)));
                let source = match hangup {
                    Some(HangupSource::Caller) => Some("us"),
                    Some(HangupSource::Callee) => Some("them"),
                    _ => None,
                };
                m.hangup_source = Set(source.map(str::to_owned));
            }
        }
        EventKind::Answered { answered_by } => {
            if rank(&current.status) < CallStatus::InProgress.rank() {
                m.status = Set(CallStatus::InProgress.as_str().into());
            }
            answered(&mut m);
            if let Some(by) = answered_by {
                m.answered_by = Set(Some(by.as_str().into()));
            }
        }
        EventKind::RecordingReady { url, duration_secs } => {
            m.recording_url = Set(Some(url.clone()));
            m.recording_secs = Set(duration_secs.map(|d| i32::try_from(d).unwrap_or(i32::MAX)));
        }
        EventKind::Amd { result, .. } => {
            // Greeting results refine an earlier "machine"; nothing overrides "human".
            let keep = current.answered_by.as_deref() == Some("human");
            if !keep {
                m.answered_by = Set(Some(result.as_str().into()));
            }
        }
        _ => {}
    }
    m.updated_at = Set(now);
    Ok(m.update(conn).await?)
}

/// Applies a message event; returns the text when it is a new inbound one.
async fn apply_to_message<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    account: &carrier_account::Model,
    event: &CarrierEvent,
    hint: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Option<message::Model>, IngestError> {
    match &event.kind {
        EventKind::MessageStatus { status, error_code } => {
            let by_carrier_id = scope::find::<message::Entity>(tenant)
                .filter(message::Column::AccountId.eq(&account.id))
                .filter(message::Column::ProviderMessageId.eq(&event.subject_id))
                .one(conn)
                .await?;
            // A status can overtake the carrier's answer to the send: our id in the URL finds it.
            let row = match (by_carrier_id, hint.filter(|h| h.starts_with("msg_"))) {
                (Some(row), _) => Some(row),
                (None, Some(id)) => {
                    scope::find::<message::Entity>(tenant)
                        .filter(message::Column::AccountId.eq(&account.id))
                        .filter(message::Column::Id.eq(id))
                        .one(conn)
                        .await?
                }
                (None, None) => None,
            };
            if let Some(row) = row {
                let current = MessageStatus::parse(&row.status).map_or(0, MessageStatus::rank);
                if status.rank() > current || row.provider_message_id.is_none() {
                    let mut m: message::ActiveModel = row.clone().into();
                    if status.rank() > current {
                        m.status = Set(status.as_str().into());
                        m.error_code = Set(error_code.clone());
                    }
                    if row.provider_message_id.is_none() {
                        m.provider_message_id = Set(Some(event.subject_id.clone()));
                    }
                    m.updated_at = Set(now);
                    m.update(conn).await?;
                }
            }
            Ok(None)
        }
        EventKind::MessageReceived { body, media_urls } => {
            let to = event.to.clone().unwrap_or_default();
            let number = scope::find::<phone_number::Entity>(tenant)
                .filter(phone_number::Column::E164.eq(&to))
                .one(conn)
                .await?;
            let model = message::Model {
                tenant_id: tenant.to_string(),
                id: crate::ids::message().to_string(),
                account_id: account.id.clone(),
                number_id: number.map(|n| n.id),
                provider_message_id: Some(event.subject_id.clone()),
                direction: "inbound".into(),
                from_e164: event.from.clone().unwrap_or_default(),
                to_e164: to,
                body: body.clone(),
                status: MessageStatus::Received.as_str().into(),
                error_code: None,
                contact_id: None,
                purpose: None,
                sent_by: None,
                media_urls: (!media_urls.is_empty())
                    .then(|| serde_json::to_string(media_urls).expect("strings serialize")),
                created_at: now,
                updated_at: now,
            };
            let inserted = message::Entity::insert(message::ActiveModel::from(model.clone()))
                .on_conflict(
                    OnConflict::columns([message::Column::AccountId, message::Column::ProviderMessageId])
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(conn)
                .await?;
            Ok((inserted == 1).then_some(model))
        }
        _ => Ok(None),
    }
}

pub(crate) fn detected(result: AmdResult) -> Detected {
    match result {
        AmdResult::Human => Detected::Human,
        AmdResult::Machine => Detected::Machine,
        AmdResult::MachineBeep | AmdResult::MachineEnd => Detected::GreetingOver,
        AmdResult::Fax => Detected::Fax,
        AmdResult::Unknown => Detected::Unknown,
    }
}

const VOICEMAIL_PROMPT: &str =
    "Sorry we missed your call. Please leave a message after the tone and we will call you back.";

/// The TwiML answer to a Twilio voice request.
fn twiml_for(voice: &Voice, c: &call::Model, event: &CarrierEvent, account: &carrier_account::Model) -> String {
    use twilio::twiml::{self, Verb};
    if c.direction == "inbound" {
        let action = recording_hook(voice, account, c);
        return twiml::response(&[
            Verb::Say(VOICEMAIL_PROMPT.into()),
            Verb::Record { action_url: action, max_secs: 120 },
            Verb::Hangup,
        ]);
    }
    let Some(plan) = calls::plan_of(c) else { return twiml::hangup() };
    let moment = match &event.kind {
        EventKind::Answered { answered_by: Some(by) } => Moment::Detected(detected(*by)),
        _ => Moment::Answered,
    };
    match call_flow::decide(&plan, moment) {
        Command::Wait => twiml::response(&[Verb::Pause(60)]),
        Command::Connect(HumanAction::Conference { name }) => {
            let record = plan.record.then(|| recording_hook(voice, account, c));
            twiml::bridge_to_agent(&name, plan.recording_notice.as_deref(), record.as_deref())
        }
        Command::Connect(HumanAction::SafeHarbor { text, audio_url }) => {
            twiml::safe_harbor(audio_url.as_deref(), &text)
        }
        Command::Connect(HumanAction::Hold) => twiml::response(&[Verb::Pause(600)]),
        Command::Connect(HumanAction::Monitor { room, mode, agent_call }) => twiml::monitor(&room, mode, &agent_call),
        Command::Connect(_) | Command::Hangup => twiml::hangup(),
        Command::DropVoicemail { audio_url } => twiml::voicemail_drop(&audio_url),
    }
}

/// Where Twilio posts a call's saved recording (a `<Record>` voicemail, a recorded conference).
fn recording_hook(voice: &Voice, account: &carrier_account::Model, c: &call::Model) -> String {
    format!("{}/recording?call={}", voice.hook_base(account), c.id)
}

/// The Call Control action (or TwiML update) an event calls for, and whether it drops the
/// voicemail (done once per call).
fn command_for(
    voice: &Voice,
    c: &call::Model,
    event: &CarrierEvent,
    account: &carrier_account::Model,
) -> Option<(CallAction, bool)> {
    let telnyx = account.provider == "telnyx";
    if c.direction == "inbound" {
        return match &event.kind {
            EventKind::IncomingCall if telnyx => Some((CallAction::Answer, false)),
            EventKind::Status { status: CallStatus::InProgress, .. } if telnyx => {
                Some((CallAction::Speak { text: VOICEMAIL_PROMPT.into() }, false))
            }
            EventKind::SpeakEnded if telnyx => Some((CallAction::StartRecording { dual_channel: false }, false)),
            _ => None,
        };
    }
    let plan = calls::plan_of(c)?;
    let moment = match &event.kind {
        // Twilio's answer is handled by the TwiML reply.
        EventKind::Status { status: CallStatus::InProgress, .. } if telnyx => Moment::Answered,
        EventKind::Amd { result, .. } => Moment::Detected(detected(*result)),
        // The agent is on: a recorded campaign's recording starts now, never before.
        EventKind::Bridged if telnyx => {
            return plan.record.then_some((CallAction::StartRecording { dual_channel: true }, false));
        }
        // The safe-harbor message or the voicemail is over. A recording notice ending is the
        // dialer's (it bridges the agent in).
        EventKind::PlaybackEnded | EventKind::SpeakEnded if telnyx => {
            let connecting = matches!(plan.on_human, HumanAction::Announce { .. } | HumanAction::Hold);
            return (!connecting).then_some((CallAction::Hangup, false));
        }
        _ => return None,
    };
    match call_flow::decide(&plan, moment) {
        Command::Wait => None,
        Command::Hangup => Some((CallAction::Hangup, false)),
        Command::DropVoicemail { audio_url } => Some((CallAction::Play { audio_url }, true)),
        Command::Connect(HumanAction::Conference { name }) if !telnyx => {
            let record = plan.record.then(|| recording_hook(voice, account, c));
            let twiml = twilio::twiml::bridge_to_agent(&name, plan.recording_notice.as_deref(), record.as_deref());
            Some((CallAction::Twiml { twiml }, false))
        }
        Command::Connect(HumanAction::Announce { text, .. }) if telnyx => Some((CallAction::Speak { text }, false)),
        Command::Connect(HumanAction::Bridge { call_id }) if telnyx => {
            Some((CallAction::Bridge { other_call_id: call_id, park_after: false }, false))
        }
        Command::Connect(HumanAction::SafeHarbor { text, audio_url }) => Some(match (telnyx, audio_url) {
            (true, Some(url)) => (CallAction::Play { audio_url: url }, false),
            (true, None) => (CallAction::Speak { text }, false),
            (false, url) => (CallAction::Twiml { twiml: twilio::twiml::safe_harbor(url.as_deref(), &text) }, false),
        }),
        Command::Connect(HumanAction::Monitor { room, mode, agent_call }) if !telnyx => {
            Some((CallAction::Twiml { twiml: twilio::twiml::monitor(&room, mode, &agent_call) }, false))
        }
        // Telnyx: the call supervises the agent's leg from its creation.
        Command::Connect(HumanAction::Hold | HumanAction::Monitor { .. }) => None,
        Command::Connect(_) => Some((CallAction::Hangup, false)),
    }
}
