//! A campaign's analytics, summarised by the server over a window of days: dials and connects
//! by hour of the day (in the zone asked for) and by state, calls and answers by caller-ID
//! number, and the disposition mix.

use crate::{
    error::{ApiError, ApiResult, ErrorBody},
    extract::{ApiPath, ApiQuery, Auth},
    state::AppState,
};
use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, Duration, Utc};
use outdial_domain::{compliance::Zone, tenancy::Role};
use outdial_infra::dialer::{analytics, campaigns};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_campaign_analytics))
}

/// The longest window, in days.
const MAX_DAYS: i64 = 90;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AnalyticsQuery {
    /// IANA zone the hours of the day are read in (`UTC` when left out), e.g. `America/Chicago`.
    pub tz: Option<String>,
    /// How many days back from now the attempts are counted (1–90; 30 when left out).
    pub days: Option<i64>,
}

/// Dials and the people put through to an agent.
#[derive(Debug, Serialize, ToSchema)]
pub struct HourTally {
    /// 0–23 in the zone asked for.
    pub hour: u8,
    pub dials: u64,
    pub connects: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StateTally {
    /// Home state of the dialled number's area code; null for numbers with no US state
    /// (toll-free, Canada, the Caribbean).
    pub state: Option<String>,
    pub dials: u64,
    pub connects: u64,
}

/// Calls placed with one caller ID.
#[derive(Debug, Serialize, ToSchema)]
pub struct NumberTally {
    /// The caller ID shown to the called person.
    pub e164: String,
    /// The agency's phone number it is; null for the carrier account's own caller ID.
    pub number_id: Option<String>,
    pub calls: u64,
    /// Picked up by a person or a machine.
    pub answered: u64,
    /// Picked up by a person.
    pub humans: u64,
    /// Put through to an agent.
    pub connects: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DispositionTally {
    pub code: String,
    pub count: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignAnalyticsOut {
    pub campaign_id: String,
    /// The zone `by_hour` is read in.
    pub tz: String,
    /// Attempts created from `since` until `until` are counted.
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub dials: u64,
    pub connects: u64,
    /// Always 24 rows, hour 0 first.
    pub by_hour: Vec<HourTally>,
    /// Most dials first.
    pub by_state: Vec<StateTally>,
    /// Most calls first.
    pub by_number: Vec<NumberTally>,
    /// Most given first.
    pub dispositions: Vec<DispositionTally>,
}

/// A campaign's analytics over the last `days` days (supervisors).
#[utoipa::path(get, path = "/v1/campaigns/{id}/analytics", tag = "campaigns", operation_id = "get_campaign_analytics",
    params(("id" = String, Path, description = "campaign id"), AnalyticsQuery), security(("bearer" = [])),
    responses((status = 200, description = "the summary", body = CampaignAnalyticsOut),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
        (status = 422, description = "invalid_tz, invalid_days", body = ErrorBody)))]
pub async fn get_campaign_analytics(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<AnalyticsQuery>,
) -> ApiResult<Json<CampaignAnalyticsOut>> {
    auth.require(Role::Supervisor)?;
    let zone = Zone::parse(q.tz.as_deref().unwrap_or("UTC")).map_err(|_| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_tz",
            "tz must be an IANA time zone such as America/New_York",
        )
    })?;
    let days = q.days.unwrap_or(30);
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_days",
            format!("days must be from 1 to {MAX_DAYS}"),
        ));
    }
    campaigns::get(&state.db, &auth.tenant, &id).await.map_err(|_| ApiError::not_found("campaign"))?;
    let until = state.dialer.now();
    let since = until - Duration::days(days);
    let a = analytics::summary(&state.db, &auth.tenant, &id, zone, since, until).await?;
    let by_hour: Vec<HourTally> =
        (0u8..).zip(a.by_hour).map(|(hour, t)| HourTally { hour, dials: t.dials, connects: t.connects }).collect();
    let mut by_state: Vec<StateTally> =
        a.by_state.into_iter().map(|(state, t)| StateTally { state, dials: t.dials, connects: t.connects }).collect();
    by_state.sort_by(|x, y| y.dials.cmp(&x.dials).then_with(|| x.state.cmp(&y.state)));
    Ok(Json(CampaignAnalyticsOut {
        campaign_id: id,
        tz: a.zone.name().to_owned(),
        since: a.since,
        until: a.until,
        dials: by_hour.iter().map(|h| h.dials).sum(),
        connects: by_hour.iter().map(|h| h.connects).sum(),
        by_hour,
        by_state,
        by_number: a
            .by_number
            .into_iter()
            .map(|n| NumberTally {
                e164: n.e164,
                number_id: n.number_id,
                calls: n.calls,
                answered: n.answered,
                humans: n.humans,
                connects: n.connects,
            })
            .collect(),
        dispositions: a.dispositions.into_iter().map(|(code, count)| DispositionTally { code, count }).collect(),
    }))
}
