//! The reconciler: a call whose webhooks went quiet is looked up at the carrier. A carrier
//! retries a webhook for a while and then gives up; without this, a call whose final webhook
//! was lost would stay open for ever, and with it the dialer's attempt, the lead it holds and
//! the agent on it. What the carrier reports as over is recorded and applied exactly as its
//! final webhook would have been (once: the event key is the same on every pass).

use super::{Voice, VoiceError, accounts, ingest};
use crate::db::{entity::call, scope};
use crate::telephony::Carrier;
use chrono::{DateTime, Utc};
use outdial_domain::ids::TenantId;
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
use tokio::sync::watch;

/// Calls looked up per pass, most silent first.
const PER_PASS: u64 = 200;

/// Runs passes until `stop`: every quarter of `quiet` (at most every 30 s).
pub async fn run(voice: Voice, quiet: std::time::Duration, mut stop: watch::Receiver<bool>) {
    let every = (quiet / 4).clamp(std::time::Duration::from_millis(250), std::time::Duration::from_secs(30));
    let quiet = chrono::Duration::from_std(quiet).unwrap_or(chrono::Duration::seconds(120));
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            return;
        }
        if let Err(e) = pass(&voice, quiet, Utc::now()).await {
            tracing::warn!(error = %e, "call reconciliation failed; trying again");
        }
    }
}

/// One pass: each open call (placed at the carrier) that has heard nothing for `quiet` is
/// asked about; those the carrier reports over are settled. Returns how many were.
pub async fn pass(voice: &Voice, quiet: chrono::Duration, now: DateTime<Utc>) -> Result<usize, VoiceError> {
    // Every tenant's quiet calls; each is then worked under its own tenant scope.
    let quiet_calls = scope::global::<call::Entity>()
        .filter(call::Column::EndedAt.is_null())
        .filter(call::Column::ProviderCallId.is_not_null())
        .filter(call::Column::UpdatedAt.lt(now - quiet))
        .order_by_asc(call::Column::UpdatedAt)
        .limit(PER_PASS)
        .all(&voice.db)
        .await?;
    let mut settled = 0;
    for c in quiet_calls {
        let Ok(tenant) = TenantId::parse(&c.tenant_id) else { continue };
        let Ok(account) = accounts::get(&voice.db, &tenant, &c.account_id).await else { continue };
        let carrier = voice.carrier(&account)?;
        let provider_id = c.provider_call_id.clone().unwrap_or_default();
        match carrier.call_status(&provider_id).await {
            Ok(snapshot) if snapshot.status.is_final() => {
                tracing::info!(call = %c.id, status = snapshot.status.as_str(), "call settled from the carrier's records");
                match ingest::reconcile(voice, &account, &c, &snapshot, now).await {
                    Ok(()) => settled += 1,
                    Err(e) => tracing::warn!(call = %c.id, error = %e, "applying a reconciled call failed"),
                }
            }
            Ok(_) => {}
            Err(e) => tracing::debug!(call = %c.id, error = %e, "the carrier could not say where the call stands"),
        }
    }
    Ok(settled)
}
