//! `Idempotency-Key` records: the first request with a key runs; a repeat with the same body
//! gets the stored response; a repeat with another body is refused. A request still marked
//! running after [`LEASE`] died with its process (a crash between taking the key and storing
//! the answer): a repeat takes the key over and runs, rather than being refused for ever.

use super::RepoError;
use crate::db::{entity::idempotency_key, scope};
use chrono::{DateTime, Duration, Utc};
use outdial_domain::ids::TenantId;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};

/// Longer than any request runs: a key still marked running after this was left by a process
/// that died mid-request.
pub const LEASE: Duration = Duration::minutes(5);

/// What to do with a request that carries a key.
#[derive(Debug)]
pub enum Begin {
    /// First time: run it, then call [`complete`] (or [`abandon`] on a server error).
    Run,
    /// Seen with the same body and finished: answer with this.
    Replay { status: u16, body: String },
    /// Seen with a different body.
    Mismatch,
    /// Seen and still running.
    InProgress,
}

pub async fn begin<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    key: &str,
    request_hash: &str,
    now: DateTime<Utc>,
) -> Result<Begin, RepoError> {
    let inserted = idempotency_key::Entity::insert(idempotency_key::ActiveModel {
        tenant_id: Set(tenant.to_string()),
        key: Set(key.to_owned()),
        request_hash: Set(request_hash.to_owned()),
        status: Set(None),
        body: Set(None),
        created_at: Set(now),
    })
    .exec_without_returning(conn)
    .await;
    match inserted {
        Ok(_) => return Ok(Begin::Run),
        Err(e) => {
            if !matches!(super::unique_violation(e, "dup", ""), RepoError::Conflict(..)) {
                return Err(RepoError::Db(sea_orm::DbErr::Custom("idempotency insert failed".into())));
            }
        }
    }
    let row = scope::find::<idempotency_key::Entity>(tenant)
        .filter(idempotency_key::Column::Key.eq(key))
        .one(conn)
        .await?
        .ok_or(RepoError::NotFound)?;
    if row.request_hash == request_hash && row.status.is_none() && row.created_at <= now - LEASE {
        // Taken over by one repeat only: the first to move the mark wins.
        let taken = scope::update_many::<idempotency_key::Entity>(tenant)
            .col_expr(idempotency_key::Column::CreatedAt, Expr::value(now))
            .filter(idempotency_key::Column::Key.eq(key))
            .filter(idempotency_key::Column::Status.is_null())
            .filter(idempotency_key::Column::CreatedAt.lte(now - LEASE))
            .exec(conn)
            .await?;
        return Ok(if taken.rows_affected == 1 { Begin::Run } else { Begin::InProgress });
    }
    Ok(match (row.request_hash == request_hash, row.status, row.body) {
        (false, _, _) => Begin::Mismatch,
        (true, Some(status), Some(body)) => Begin::Replay { status: status as u16, body },
        _ => Begin::InProgress,
    })
}

pub async fn complete<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    key: &str,
    status: u16,
    body: &str,
) -> Result<(), RepoError> {
    scope::update_many::<idempotency_key::Entity>(tenant)
        .col_expr(idempotency_key::Column::Status, Expr::value(Some(status as i32)))
        .col_expr(idempotency_key::Column::Body, Expr::value(Some(body.to_owned())))
        .filter(idempotency_key::Column::Key.eq(key))
        .exec(conn)
        .await?;
    Ok(())
}

/// Forgets a key whose request failed on our side, so the client can try again.
pub async fn abandon<C: ConnectionTrait>(conn: &C, tenant: &TenantId, key: &str) -> Result<(), RepoError> {
    scope::delete_many::<idempotency_key::Entity>(tenant)
        .filter(idempotency_key::Column::Key.eq(key))
        .exec(conn)
        .await?;
    Ok(())
}
