//! The campaign's live state as the pacing policy sees it, and its answer turned into dials:
//! each one bound to an agent (progressive, power groups) or pooled (predictive).

use super::{DialerError, agent_state as st, attempt_status as at};
use crate::db::entity::{agent_session, campaign, dial_attempt};
use chrono::{DateTime, Utc};
use outdial_domain::ids::TenantId;
use sea_orm::ConnectionTrait;

/// One dial to place: bound to an agent (and a first-connect-wins group) or pooled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Binding {
    pub agent: Option<String>,
    pub group: Option<String>,
}

/// Attempts still looking for a person (not yet connected, abandoned or ended).
fn open_line(a: &dial_attempt::Model) -> bool {
    matches!(a.status.as_str(), at::SCHEDULED | at::DIALING | at::RINGING | at::DETECTING)
}

/// How many dials to place now, and for whom.
pub async fn decide<C: ConnectionTrait>(
    _conn: &C,
    _tenant: &TenantId,
    c: &campaign::Model,
    sessions: &[agent_session::Model],
    live: &[dial_attempt::Model],
    _now: DateTime<Utc>,
) -> Result<Vec<Binding>, DialerError> {
    let lines = match c.mode.as_str() {
        "preview" => return Ok(vec![]),
        "power" => c.lines_per_agent.clamp(1, 3),
        _ => 1,
    };
    let mut out = Vec::new();
    for s in sessions.iter().filter(|s| s.state == st::READY) {
        let open = live.iter().filter(|a| open_line(a) && a.agent_session_id.as_deref() == Some(&s.id)).count();
        if open > 0 {
            continue;
        }
        let group = (lines > 1).then(|| crate::ids::raw("grp_"));
        for _ in 0..lines {
            out.push(Binding { agent: Some(s.id.clone()), group: group.clone() });
        }
    }
    Ok(out)
}
