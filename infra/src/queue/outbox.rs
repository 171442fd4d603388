//! The `jobs` table operations: enqueue inside a transaction, claim, finish, fail with backoff.

use super::job::Job;
use crate::db::{entity::job, scope};
use chrono::{DateTime, Duration, Utc};
use outdial_domain::ids::{JobId, TenantId};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait},
};

/// Job states as stored.
pub mod status {
    pub const PENDING: &str = "pending";
    pub const QUEUED: &str = "queued";
    pub const RUNNING: &str = "running";
    pub const DONE: &str = "done";
    pub const DEAD: &str = "dead";
}

/// The default time a worker owns a claimed job before another may take it over
/// (`OUTDIAL_JOB_LEASE_SECS`); the runner renews the lease while the job runs, so only a dead
/// worker's jobs are taken over.
pub const CLAIM_LEASE: Duration = Duration::seconds(60);
/// How long a relayed job may sit in the queue unclaimed before the relay hands it over again:
/// a worker killed after taking jobs from Redis but before claiming them, a flushed Redis or a
/// lost queue file must not lose work, and a dial waiting on it must not wait long. A second
/// copy is harmless (the claim is a compare-and-set).
pub const REQUEUE_AFTER: Duration = Duration::seconds(30);

/// Writes a job row; call it with the transaction that makes the change the job belongs to.
pub async fn enqueue<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    job: &Job,
    trace_id: &str,
    now: DateTime<Utc>,
) -> Result<JobId, DbErr> {
    let ids = enqueue_many(conn, tenant, std::slice::from_ref(job), trace_id, now).await?;
    Ok(ids.into_iter().next().expect("one job, one id"))
}

/// Rows per `INSERT` when many jobs are written at once (well under both databases' limits on
/// bound values).
const INSERT_CHUNK: usize = 500;

/// Writes several job rows with as few statements as it can, in the caller's transaction.
pub async fn enqueue_many<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    jobs: &[Job],
    trace_id: &str,
    now: DateTime<Utc>,
) -> Result<Vec<JobId>, DbErr> {
    let mut ids = Vec::with_capacity(jobs.len());
    for chunk in jobs.chunks(INSERT_CHUNK) {
        let mut rows = Vec::with_capacity(chunk.len());
        for job in chunk {
            let id = crate::ids::job();
            let payload = serde_json::to_string(job).map_err(|e| DbErr::Custom(e.to_string()))?;
            rows.push(job::ActiveModel {
                tenant_id: Set(tenant.to_string()),
                id: Set(id.to_string()),
                kind: Set(job.kind().to_owned()),
                payload: Set(payload),
                status: Set(status::PENDING.to_owned()),
                attempts: Set(0),
                max_attempts: Set(job.max_attempts()),
                available_at: Set(now),
                claimed_until: Set(None),
                last_error: Set(None),
                trace_id: Set(trace_id.to_owned()),
                created_at: Set(now),
                updated_at: Set(now),
                finished_at: Set(None),
            });
            ids.push(id);
        }
        if !rows.is_empty() {
            job::Entity::insert_many(rows).exec_without_returning(conn).await?;
        }
    }
    Ok(ids)
}

/// Rows the relay should hand to the queue: pending and due, or relayed long ago and never
/// claimed, or claimed by a worker whose lease ran out.
pub async fn due_for_relay<C: ConnectionTrait>(
    conn: &C,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<job::Model>, DbErr> {
    // The relay serves every tenant: it moves ids, never reads tenant data.
    scope::global::<job::Entity>()
        .filter(
            Condition::any()
                .add(job::Column::Status.eq(status::PENDING).and(job::Column::AvailableAt.lte(now)))
                .add(job::Column::Status.eq(status::QUEUED).and(job::Column::UpdatedAt.lt(now - REQUEUE_AFTER)))
                .add(job::Column::Status.eq(status::RUNNING).and(job::Column::ClaimedUntil.lt(now))),
        )
        .order_by_asc(job::Column::AvailableAt)
        .limit(limit)
        .all(conn)
        .await
}

/// Records that the row was handed to the queue, unless a worker already took it.
pub async fn mark_queued<C: ConnectionTrait>(conn: &C, row: &job::Model, now: DateTime<Utc>) -> Result<(), DbErr> {
    scope::update_many::<job::Entity>(&tenant_of(row)?)
        .col_expr(job::Column::Status, Expr::value(status::QUEUED))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(job::Column::Id.eq(&row.id))
        .filter(job::Column::Status.eq(&row.status))
        .filter(job::Column::UpdatedAt.eq(row.updated_at))
        .exec(conn)
        .await?;
    Ok(())
}

/// Claims a job for one run: a compare-and-set from pending/queued (or an expired lease) to
/// running. Exactly one of several deliveries of the same job wins; the others get `None`.
pub async fn claim<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    id: &str,
    now: DateTime<Utc>,
    lease: Duration,
) -> Result<Option<job::Model>, DbErr> {
    let res = scope::update_many::<job::Entity>(tenant)
        .col_expr(job::Column::Status, Expr::value(status::RUNNING))
        .col_expr(job::Column::Attempts, Expr::col(job::Column::Attempts).add(1))
        .col_expr(job::Column::ClaimedUntil, Expr::value(now + lease))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(job::Column::Id.eq(id))
        .filter(
            Condition::any()
                .add(job::Column::Status.is_in([status::PENDING, status::QUEUED]))
                .add(job::Column::Status.eq(status::RUNNING).and(job::Column::ClaimedUntil.lt(now))),
        )
        .exec(conn)
        .await?;
    if res.rows_affected == 0 {
        return Ok(None);
    }
    scope::find::<job::Entity>(tenant).filter(job::Column::Id.eq(id)).one(conn).await
}

/// Extends the lease of a job this worker is running.
pub async fn renew<C: ConnectionTrait>(
    conn: &C,
    row: &job::Model,
    now: DateTime<Utc>,
    lease: Duration,
) -> Result<(), DbErr> {
    scope::update_many::<job::Entity>(&tenant_of(row)?)
        .col_expr(job::Column::ClaimedUntil, Expr::value(now + lease))
        .filter(job::Column::Id.eq(&row.id))
        .filter(job::Column::Status.eq(status::RUNNING))
        .exec(conn)
        .await?;
    Ok(())
}

/// Marks a claimed job done.
pub async fn finish<C: ConnectionTrait>(conn: &C, row: &job::Model, now: DateTime<Utc>) -> Result<(), DbErr> {
    scope::update_many::<job::Entity>(&tenant_of(row)?)
        .col_expr(job::Column::Status, Expr::value(status::DONE))
        .col_expr(job::Column::FinishedAt, Expr::value(Some(now)))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .col_expr(job::Column::LastError, Expr::value(Option::<String>::None))
        .filter(job::Column::Id.eq(&row.id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Exponential backoff from `base_ms` (2 s by default: 2 s, 4 s, 8 s ...), capped at 10 minutes.
pub fn backoff(attempts: i32, base_ms: i64) -> Duration {
    let factor = 1i64 << (attempts.clamp(1, 20) - 1);
    Duration::milliseconds(std::cmp::min(base_ms.saturating_mul(factor), 600_000))
}

/// Records a failed run: back to pending after a backoff, or dead once attempts are used up
/// (or at once when `retryable` is false).
pub async fn fail<C: ConnectionTrait>(
    conn: &C,
    row: &job::Model,
    error: &str,
    retryable: bool,
    retry_base_ms: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let dead = !retryable || row.attempts >= row.max_attempts;
    let (next, available) =
        if dead { (status::DEAD, now) } else { (status::PENDING, now + backoff(row.attempts, retry_base_ms)) };
    scope::update_many::<job::Entity>(&tenant_of(row)?)
        .col_expr(job::Column::Status, Expr::value(next))
        .col_expr(job::Column::AvailableAt, Expr::value(available))
        .col_expr(job::Column::LastError, Expr::value(Some(error.chars().take(2000).collect::<String>())))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .col_expr(job::Column::FinishedAt, Expr::value(dead.then_some(now)))
        .filter(job::Column::Id.eq(&row.id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Puts a dead job back in line (the dead-letter view's retry).
pub async fn retry_dead<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    id: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = scope::update_many::<job::Entity>(tenant)
        .col_expr(job::Column::Status, Expr::value(status::PENDING))
        .col_expr(job::Column::Attempts, Expr::value(0))
        .col_expr(job::Column::AvailableAt, Expr::value(now))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .col_expr(job::Column::FinishedAt, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(job::Column::Id.eq(id))
        .filter(job::Column::Status.eq(status::DEAD))
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

/// One page of a tenant's jobs, newest first, optionally in one state.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    state: Option<&str>,
    before: Option<&str>,
    limit: u64,
) -> Result<Vec<job::Model>, DbErr> {
    let mut q = scope::find::<job::Entity>(tenant);
    if let Some(s) = state {
        q = q.filter(job::Column::Status.eq(s));
    }
    if let Some(c) = before {
        q = q.filter(job::Column::Id.lt(c));
    }
    q.order_by_desc(job::Column::Id).limit(limit).all(conn).await
}

/// One job of a tenant.
pub async fn get<C: ConnectionTrait>(conn: &C, tenant: &TenantId, id: &str) -> Result<Option<job::Model>, DbErr> {
    scope::find::<job::Entity>(tenant).filter(job::Column::Id.eq(id)).one(conn).await
}

fn tenant_of(row: &job::Model) -> Result<TenantId, DbErr> {
    TenantId::parse(&row.tenant_id).map_err(|e| DbErr::Custom(e.to_string()))
}

/// Counts by state, for `/metrics`.
pub async fn counts<C: ConnectionTrait>(conn: &C) -> Result<Vec<(String, i64)>, DbErr> {
    // Operator metrics across tenants: counts only, no tenant data.
    scope::global::<job::Entity>()
        .select_only()
        .column(job::Column::Status)
        .column_as(job::Column::Id.count(), "n")
        .group_by(job::Column::Status)
        .into_tuple::<(String, i64)>()
        .all(conn)
        .await
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(super::backoff(1, 2000).num_seconds(), 2);
        assert_eq!(super::backoff(3, 2000).num_seconds(), 8);
        assert_eq!(super::backoff(30, 2000).num_seconds(), 600);
        assert_eq!(super::backoff(2, 50).num_milliseconds(), 100);
    }
}
