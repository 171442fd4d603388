//! Placing calls and acting on them. The call row is written before the carrier is asked, so
//! a webhook that arrives before the carrier's answer still finds its call (by our id in the
//! callback URL or `client_state`).

use super::{Voice, VoiceError, accounts};
use crate::db::{
    entity::{call, carrier_account},
    scope,
};
use crate::telephony::{AmdMode, CallAction, CallbackUrls, Carrier, PlaceCall, Supervise};
use chrono::{DateTime, Utc};
use outdial_domain::{
    call_flow::{CallPlan, HumanAction},
    contacts::Phone,
    ids::TenantId,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};

/// An outbound call to place.
#[derive(Debug, Clone)]
pub struct NewCall {
    /// What the call is for: one of [`kind`].
    pub kind: &'static str,
    pub account_id: String,
    pub number_id: Option<String>,
    pub from: Phone,
    pub to: Phone,
    pub amd: AmdMode,
    pub ring_timeout_secs: u32,
    pub plan: CallPlan,
}

/// What a call is for, kept on the call so a webhook looks only where its call can belong.
pub mod kind {
    /// A person dialled for a campaign (it has a dial attempt).
    pub const LEAD: &str = "lead";
    /// An agent's audio leg (an agent session holds it).
    pub const AGENT_LEG: &str = "agent_leg";
    /// A supervisor's phone on an agent's line (a monitor holds it).
    pub const MONITOR: &str = "monitor";
    /// Someone calling one of our numbers.
    pub const INBOUND: &str = "inbound";
    /// Anything else placed through the API or a test.
    pub const OTHER: &str = "other";
}

/// Places a call and returns its row (status `queued` until the carrier reports progress).
pub async fn place(
    voice: &Voice,
    tenant: &TenantId,
    new: NewCall,
    now: DateTime<Utc>,
) -> Result<call::Model, VoiceError> {
    place_with_id(voice, tenant, crate::ids::call().to_string(), new, now).await
}

/// Places a call under an id chosen (and recorded elsewhere) by the caller beforehand, so the
/// dialer's attempt names its call before the carrier hears of it.
pub async fn place_with_id(
    voice: &Voice,
    tenant: &TenantId,
    id: String,
    new: NewCall,
    now: DateTime<Utc>,
) -> Result<call::Model, VoiceError> {
    let account = accounts::get(&voice.db, tenant, &new.account_id).await?;
    let carrier = voice.carrier(&account)?;
    let model = call::Model {
        kind: Some(new.kind.to_owned()),
        recording_url: None,
        recording_secs: None,
        number_id: new.number_id.clone(),
        plan: serde_json::to_string(&new.plan).expect("plans serialize"),
        ..fresh(
            tenant,
            id.clone(),
            &account.id,
            Leg { direction: "outbound", from: new.from.as_str(), to: new.to.as_str() },
            now,
        )
    };
    call::Entity::insert(call::ActiveModel::from(model.clone()).reset_all()).exec_without_returning(&voice.db).await?;
    let base = voice.hook_base(&account);
    // A Telnyx supervisor's call supervises the agent's leg from the moment it is answered.
    let supervise = match &new.plan.on_human {
        HumanAction::Monitor { mode, agent_call, .. } if account.provider == "telnyx" => {
            Some(Supervise { call_id: agent_call.clone(), mode: *mode })
        }
        _ => None,
    };
    let request = PlaceCall {
        to: new.to,
        from: new.from,
        amd: new.amd,
        ring_timeout_secs: new.ring_timeout_secs,
        time_limit_secs: Some(4 * 3600),
        urls: CallbackUrls {
            answer: format!("{base}/voice?call={id}"),
            status: if account.provider == "twilio" { format!("{base}/status?call={id}") } else { base.clone() },
            amd: format!("{base}/amd?call={id}"),
        },
        client_state: id.clone(),
        idempotency_key: id.clone(),
        supervise,
    };
    match carrier.place_call(&request).await {
        Ok(placed) => {
            // A webhook may have filled it in already.
            scope::update_many::<call::Entity>(tenant)
                .col_expr(call::Column::ProviderCallId, Expr::value(placed.provider_call_id.clone()))
                .filter(call::Column::Id.eq(&id))
                .filter(call::Column::ProviderCallId.is_null())
                .exec(&voice.db)
                .await?;
            get(&voice.db, tenant, &id).await
        }
        Err(e) => {
            scope::update_many::<call::Entity>(tenant)
                .col_expr(call::Column::Status, Expr::value("failed"))
                .col_expr(call::Column::LastError, Expr::value(e.to_string()))
                .col_expr(call::Column::EndedAt, Expr::value(now))
                .filter(call::Column::Id.eq(&id))
                .exec(&voice.db)
                .await?;
            Err(e.into())
        }
    }
}

/// Runs an action on a live call; a failure is recorded on the call so it is never silent.
pub async fn act(voice: &Voice, call: &call::Model, action: &CallAction, command_id: &str) -> Result<(), VoiceError> {
    let tenant = TenantId::parse(&call.tenant_id).map_err(|_| VoiceError::NotFound)?;
    let account = accounts::get(&voice.db, &tenant, &call.account_id).await?;
    act_through(voice, &account, call, action, command_id).await
}

/// [`act`] through an account already in hand (a webhook's, just verified): no read of it
/// between a routed person and their bridge command. Another account's call reads its own.
pub async fn act_through(
    voice: &Voice,
    account: &carrier_account::Model,
    call: &call::Model,
    action: &CallAction,
    command_id: &str,
) -> Result<(), VoiceError> {
    let tenant = TenantId::parse(&call.tenant_id).map_err(|_| VoiceError::NotFound)?;
    let own;
    let account = if account.id == call.account_id && account.tenant_id == call.tenant_id {
        account
    } else {
        own = accounts::get(&voice.db, &tenant, &call.account_id).await?;
        &own
    };
    let carrier = voice.carrier(account)?;
    let Some(provider_id) = call.provider_call_id.clone() else {
        return Err(VoiceError::Invalid("call_not_started", "the carrier has not accepted this call yet".into()));
    };
    if let Err(e) = carrier.act(&provider_id, action, command_id).await {
        tracing::warn!(call = %call.id, action = action.name(), error = %e, "call action failed");
        scope::update_many::<call::Entity>(&tenant)
            .col_expr(call::Column::LastError, Expr::value(format!("{}: {e}", action.name())))
            .filter(call::Column::Id.eq(&call.id))
            .exec(&voice.db)
            .await?;
        return Err(e.into());
    }
    Ok(())
}

pub async fn get<C: ConnectionTrait>(conn: &C, tenant: &TenantId, id: &str) -> Result<call::Model, VoiceError> {
    scope::find::<call::Entity>(tenant).filter(call::Column::Id.eq(id)).one(conn).await?.ok_or(VoiceError::NotFound)
}

/// Newest first.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    page: &crate::db::repo::Page,
) -> Result<(Vec<call::Model>, Option<String>), VoiceError> {
    let mut q = scope::find::<call::Entity>(tenant);
    if let Some(c) = &page.cursor {
        q = q.filter(call::Column::Id.lt(c.as_str()));
    }
    let rows = q.order_by_desc(call::Column::Id).limit(page.limit + 1).all(conn).await?;
    Ok(page.finish(rows, |r| r.id.clone()))
}

/// Which way a call goes and between whom.
pub struct Leg<'a> {
    /// `outbound` or `inbound`.
    pub direction: &'a str,
    pub from: &'a str,
    pub to: &'a str,
}

/// A call row as it is first written: `queued` (outbound) or `ringing` (inbound), no plan,
/// nothing heard from the carrier yet.
pub fn fresh(tenant: &TenantId, id: String, account_id: &str, leg: Leg<'_>, now: DateTime<Utc>) -> call::Model {
    call::Model {
        tenant_id: tenant.to_string(),
        id,
        account_id: account_id.to_owned(),
        number_id: None,
        provider_call_id: None,
        direction: leg.direction.to_owned(),
        from_e164: leg.from.to_owned(),
        to_e164: leg.to.to_owned(),
        status: if leg.direction == "inbound" { "ringing" } else { "queued" }.to_owned(),
        answered_by: None,
        plan: "{}".into(),
        hangup_source: None,
        duration_secs: None,
        voicemail_dropped: false,
        voicemail_sent_at: None,
        last_error: None,
        created_at: now,
        answered_at: None,
        ended_at: None,
        updated_at: now,
        kind: None,
        recording_url: None,
        recording_secs: None,
    }
}

/// The plan stored with a call (an inbound call has none).
pub fn plan_of(call: &call::Model) -> Option<CallPlan> {
    serde_json::from_str(&call.plan).ok()
}

/// Marks that the voicemail went out (once).
/// Records that the carrier accepted the voicemail drop.
pub async fn confirm_voicemail<C: ConnectionTrait>(conn: &C, call: &call::Model) -> Result<(), VoiceError> {
    let tenant = TenantId::parse(&call.tenant_id).map_err(|_| VoiceError::NotFound)?;
    scope::update_many::<call::Entity>(&tenant)
        .col_expr(call::Column::VoicemailSentAt, Expr::value(chrono::Utc::now()))
        .filter(call::Column::Id.eq(&call.id))
        .exec(conn)
        .await?;
    Ok(())
}

/// For a repeated delivery of the event that dropped the voicemail: whether the drop must be
/// sent (again). Unclaimed: claimed now. Claimed and confirmed: no. Claimed but unconfirmed:
/// the first delivery may still be sending (a duplicate arriving at once) or may have died
/// between its claim and the carrier (a retry after a crash); it is given two seconds to
/// confirm, then the drop goes again.
pub async fn voicemail_owed(db: &sea_orm::DatabaseConnection, call: &call::Model) -> Result<bool, VoiceError> {
    if !call.voicemail_dropped {
        return mark_voicemail(db, call).await;
    }
    let tenant = TenantId::parse(&call.tenant_id).map_err(|_| VoiceError::NotFound)?;
    for _ in 0..20 {
        let now = get(db, &tenant, &call.id).await?;
        if now.voicemail_sent_at.is_some() || now.ended_at.is_some() {
            return Ok(false);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Ok(true)
}

pub async fn mark_voicemail<C: ConnectionTrait>(conn: &C, call: &call::Model) -> Result<bool, VoiceError> {
    let tenant = TenantId::parse(&call.tenant_id).map_err(|_| VoiceError::NotFound)?;
    let res = scope::update_many::<call::Entity>(&tenant)
        .col_expr(call::Column::VoicemailDropped, Expr::value(true))
        .filter(call::Column::Id.eq(&call.id))
        .filter(call::Column::VoicemailDropped.eq(false))
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}
