//! A campaign's analytics over a window of days: dials and connects by hour of the day in the
//! viewer's zone and by the called number's state, calls and answers by caller-ID number, and
//! the disposition mix. Attempts are read as a stream of four columns and counted as they go
//! (a million-attempt campaign never sits in memory); the per-number counts are grouped by the
//! database.

use super::DialerError;
use crate::db::entity::{call, dial_attempt};
use crate::db::scope;
use chrono::{DateTime, Timelike, Utc};
use futures::TryStreamExt;
use outdial_domain::compliance::{Zone, npa_place};
use outdial_domain::dialer::Outcome;
use outdial_domain::ids::TenantId;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityName, QueryFilter, QuerySelect, StreamTrait};
use std::collections::{BTreeMap, HashMap};

/// Dials and the people put through to an agent, for one bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub dials: u64,
    pub connects: u64,
}

/// Calls placed from one caller ID and how they were picked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberTally {
    /// The caller ID shown.
    pub e164: String,
    /// The agency's number it belongs to; `None` for the carrier account's own caller ID.
    pub number_id: Option<String>,
    pub calls: u64,
    /// Picked up, by a person or a machine.
    pub answered: u64,
    /// Picked up by a person (AMD said human, or no AMD ran and it was answered).
    pub humans: u64,
    /// Put through to an agent.
    pub connects: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Analytics {
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub zone: Zone,
    /// 24 buckets, hour 0 first, by when each attempt was dialled in `zone`.
    pub by_hour: [Tally; 24],
    /// By the home state of the dialled number's area code; `None` for numbers with no US
    /// state (toll-free, Canada, the Caribbean).
    pub by_state: BTreeMap<Option<String>, Tally>,
    /// Most calls first.
    pub by_number: Vec<NumberTally>,
    /// Disposition code → attempts given it; most first.
    pub dispositions: Vec<(String, u64)>,
}

/// The analytics of attempts created in `[since, until)`.
pub async fn summary<C: ConnectionTrait + StreamTrait>(
    conn: &C,
    tenant: &TenantId,
    campaign_id: &str,
    zone: Zone,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Analytics, DialerError> {
    let tz = zone.tz();
    let mut by_hour = [Tally::default(); 24];
    let mut by_state: BTreeMap<Option<String>, Tally> = BTreeMap::new();
    let mut dispositions: HashMap<String, u64> = HashMap::new();
    let window = |q: sea_orm::Select<dial_attempt::Entity>| {
        q.filter(dial_attempt::Column::CampaignId.eq(campaign_id))
            .filter(dial_attempt::Column::CreatedAt.gte(since))
            .filter(dial_attempt::Column::CreatedAt.lt(until))
            .filter(dial_attempt::Column::DialedAt.is_not_null())
    };
    {
        let mut rows = window(scope::find::<dial_attempt::Entity>(tenant))
            .select_only()
            .column(dial_attempt::Column::DialedAt)
            .column(dial_attempt::Column::Outcome)
            .column(dial_attempt::Column::Disposition)
            .column(dial_attempt::Column::Phone)
            .into_tuple::<(DateTime<Utc>, Option<String>, Option<String>, String)>()
            .stream(conn)
            .await?;
        while let Some((dialed_at, outcome, disposition, phone)) = rows.try_next().await? {
            let connected = outcome.as_deref().and_then(Outcome::parse) == Some(Outcome::Connected);
            let add = |t: &mut Tally| {
                t.dials += 1;
                t.connects += u64::from(connected);
            };
            add(&mut by_hour[dialed_at.with_timezone(&tz).hour() as usize]);
            add(by_state.entry(state_of(&phone)).or_default());
            if let Some(code) = disposition {
                *dispositions.entry(code).or_default() += 1;
            }
        }
    }
    let by_number = by_number(conn, tenant, campaign_id, since, until).await?;
    let mut dispositions: Vec<(String, u64)> = dispositions.into_iter().collect();
    dispositions.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(Analytics { since, until, zone, by_hour, by_state, by_number, dispositions })
}

/// The home state of a +1 number's area code.
fn state_of(e164: &str) -> Option<String> {
    let npa: u16 = e164.strip_prefix("+1").filter(|n| n.len() == 10)?.get(..3)?.parse().ok()?;
    npa_place(npa).map(|p| p.state.as_str().to_owned())
}

/// Calls of the campaign's attempts, grouped by the caller ID they were placed with.
async fn by_number<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    campaign_id: &str,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<NumberTally>, DialerError> {
    // The campaign's calls: a subquery on its attempts, scoped to the tenant like the outer query.
    let calls_of = |connected_only: bool| {
        let mut q = Query::select();
        q.column(dial_attempt::Column::CallId)
            .from(dial_attempt::Entity.table_ref())
            .and_where(dial_attempt::Column::TenantId.eq(tenant.as_str()))
            .and_where(dial_attempt::Column::CampaignId.eq(campaign_id))
            .and_where(dial_attempt::Column::CreatedAt.gte(since))
            .and_where(dial_attempt::Column::CreatedAt.lt(until))
            .and_where(dial_attempt::Column::CallId.is_not_null());
        if connected_only {
            q.and_where(dial_attempt::Column::Outcome.eq(Outcome::Connected.as_str()));
        }
        q.to_owned()
    };
    let human = Expr::col(call::Column::AnsweredBy)
        .eq("human")
        .or(Expr::col(call::Column::AnsweredBy).is_null().and(Expr::col(call::Column::AnsweredAt).is_not_null()));
    let grouped = scope::find::<call::Entity>(tenant)
        .select_only()
        .column(call::Column::FromE164)
        .column(call::Column::NumberId)
        .column_as(Expr::col(call::Column::Id).count(), "calls")
        .column_as(Expr::col(call::Column::AnsweredAt).count(), "answered")
        .column_as(Expr::case(human, 1).finally(0).sum(), "humans")
        .filter(call::Column::Id.in_subquery(calls_of(false)))
        .group_by(call::Column::FromE164)
        .group_by(call::Column::NumberId)
        .into_tuple::<(String, Option<String>, i64, i64, Option<i64>)>()
        .all(conn)
        .await?;
    let connects: HashMap<(String, Option<String>), i64> = scope::find::<call::Entity>(tenant)
        .select_only()
        .column(call::Column::FromE164)
        .column(call::Column::NumberId)
        .column_as(Expr::col(call::Column::Id).count(), "connects")
        .filter(call::Column::Id.in_subquery(calls_of(true)))
        .group_by(call::Column::FromE164)
        .group_by(call::Column::NumberId)
        .into_tuple::<(String, Option<String>, i64)>()
        .all(conn)
        .await?
        .into_iter()
        .map(|(e164, id, n)| ((e164, id), n))
        .collect();
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    let mut out: Vec<NumberTally> = grouped
        .into_iter()
        .map(|(e164, number_id, calls, answered, humans)| NumberTally {
            connects: count(connects.get(&(e164.clone(), number_id.clone())).copied().unwrap_or(0)),
            e164,
            number_id,
            calls: count(calls),
            answered: count(answered),
            humans: count(humans.unwrap_or(0)),
        })
        .collect();
    out.sort_by(|a, b| b.calls.cmp(&a.calls).then_with(|| a.e164.cmp(&b.e164)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::state_of;

    #[test]
    fn the_state_is_the_area_codes_home() {
        assert_eq!(state_of("+12125550100").as_deref(), Some("NY"));
        assert_eq!(state_of("+13055550100").as_deref(), Some("FL"));
        assert_eq!(state_of("+18005550100"), None, "toll-free has no state");
        assert_eq!(state_of("+442071234567"), None);
    }
}
