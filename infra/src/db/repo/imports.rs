//! Import rows: created at upload, mapped and queued (with the job, in one transaction),
//! progressed by the import job, their per-row errors kept for download.

use super::{Page, RepoError};
use crate::{
    db::{
        entity::{import, import_error},
        scope,
    },
    import::status,
    queue::{Job, outbox},
};
use chrono::{DateTime, Utc};
use outdial_domain::ids::TenantId;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionSession, TransactionTrait, sea_query::Expr,
};
use std::collections::BTreeMap;

/// Creates the row an upload streams into (status `uploading`).
pub async fn create<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    filename: &str,
    list_id: Option<&str>,
    created_by: &str,
    now: DateTime<Utc>,
) -> Result<import::Model, RepoError> {
    let model = import::Model {
        tenant_id: tenant.to_string(),
        id: crate::ids::import().to_string(),
        list_id: list_id.map(str::to_owned),
        filename: filename.to_owned(),
        format: "csv".into(),
        columns: "[]".into(),
        encoding: "utf-8".into(),
        mapping: "{}".into(),
        status: "uploading".into(),
        total_bytes: 0,
        bytes_done: 0,
        rows_done: 0,
        rows_created: 0,
        rows_merged: 0,
        rows_failed: 0,
        rows_dnc_flagged: 0,
        error: None,
        created_by: created_by.to_owned(),
        created_at: now,
        started_at: None,
        updated_at: now,
        finished_at: None,
    };
    import::Entity::insert(import::ActiveModel::from(model.clone()).reset_all()).exec_without_returning(conn).await?;
    Ok(model)
}

/// Records a finished upload: its size, header and suggested mapping.
pub async fn uploaded<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    id: &str,
    total_bytes: u64,
    headers: &[String],
    encoding: &str,
    suggested: &BTreeMap<String, String>,
) -> Result<import::Model, RepoError> {
    scope::update_many::<import::Entity>(tenant)
        .col_expr(import::Column::Status, Expr::value(status::UPLOADED))
        .col_expr(import::Column::TotalBytes, Expr::value(total_bytes as i64))
        .col_expr(import::Column::Columns, Expr::value(serde_json::to_string(headers).unwrap_or_default()))
        .col_expr(import::Column::Encoding, Expr::value(encoding))
        .col_expr(import::Column::Mapping, Expr::value(serde_json::to_string(suggested).unwrap_or_default()))
        .col_expr(import::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(import::Column::Id.eq(id))
        .exec(conn)
        .await?;
    get(conn, tenant, id).await
}

/// Removes an import and everything stored for it (a failed upload leaves nothing behind).
pub async fn delete<C: ConnectionTrait>(conn: &C, tenant: &TenantId, id: &str) -> Result<(), RepoError> {
    scope::delete_many::<import::Entity>(tenant).filter(import::Column::Id.eq(id)).exec(conn).await?;
    Ok(())
}

pub async fn get<C: ConnectionTrait>(conn: &C, tenant: &TenantId, id: &str) -> Result<import::Model, RepoError> {
    scope::find::<import::Entity>(tenant).filter(import::Column::Id.eq(id)).one(conn).await?.ok_or(RepoError::NotFound)
}

pub async fn list<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    page: &Page,
) -> Result<(Vec<import::Model>, Option<String>), RepoError> {
    let mut q = scope::find::<import::Entity>(tenant).order_by_desc(import::Column::Id);
    if let Some(c) = &page.cursor {
        q = q.filter(import::Column::Id.lt(c.as_str()));
    }
    let rows = q.limit(page.limit + 1).all(conn).await?;
    Ok(page.finish(rows, |i| i.id.clone()))
}

/// Sets the mapping and queues the import job, in one transaction; only from `uploaded`.
pub async fn start<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    tenant: &TenantId,
    id: &str,
    mapping: &BTreeMap<String, String>,
    list_id: Option<&str>,
    trace_id: &str,
    now: DateTime<Utc>,
) -> Result<import::Model, RepoError> {
    let tx = crate::db::begin(db).await?;
    let mut upd = scope::update_many::<import::Entity>(tenant)
        .col_expr(import::Column::Status, Expr::value(status::QUEUED))
        .col_expr(import::Column::Mapping, Expr::value(serde_json::to_string(mapping).unwrap_or_default()))
        .col_expr(import::Column::UpdatedAt, Expr::value(now));
    if let Some(l) = list_id {
        upd = upd.col_expr(import::Column::ListId, Expr::value(Some(l.to_owned())));
    }
    let res =
        upd.filter(import::Column::Id.eq(id)).filter(import::Column::Status.eq(status::UPLOADED)).exec(&tx).await?;
    if res.rows_affected != 1 {
        get(&tx, tenant, id).await?;
        return Err(RepoError::Conflict("import_already_started", "this import was already started".into()));
    }
    outbox::enqueue(&tx, tenant, &Job::ImportContactsV1 { import_id: id.to_owned() }, trace_id, now).await?;
    tx.commit().await?;
    get(db, tenant, id).await
}

/// Per-row errors in row order, up to `limit`.
pub async fn errors<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    id: &str,
    after_row: i64,
    limit: u64,
) -> Result<Vec<import_error::Model>, RepoError> {
    Ok(scope::find::<import_error::Entity>(tenant)
        .filter(import_error::Column::ImportId.eq(id))
        .filter(import_error::Column::Row.gt(after_row))
        .order_by_asc(import_error::Column::Row)
        .order_by_asc(import_error::Column::Field)
        .limit(limit)
        .all(conn)
        .await?)
}

/// Sets the list an import fills.
pub async fn set_list<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    id: &str,
    list_id: Option<&str>,
) -> Result<(), RepoError> {
    scope::update_many::<import::Entity>(tenant)
        .col_expr(import::Column::ListId, Expr::value(list_id.map(str::to_owned)))
        .filter(import::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}
