//! Running an import: spool the stored upload to a local file, parse it as a stream on a
//! blocking thread, and write batches of contacts; each batch commits with its checkpoint
//! (a compare-and-set on `bytes_done`), so a crash resumes exactly where the last batch ended
//! and two runners can never both write a batch.

use super::{
    mapping::{Field, Mapping},
    status,
    upload::{decode, strip_bom},
};
use crate::{
    db::{
        Db,
        entity::{contact, contact_email, contact_phone, dnc_entry, import, import_chunk, import_error, list_member},
        repo::{RepoError, lists},
        scope,
    },
    events::{Event, EventBus},
    gate::NationalRegistry,
    queue::runner::JobError,
};
use chrono::{DateTime, Utc};
use outdial_domain::{
    compliance::{Channel, ContactLocation, StateCode, resolve},
    contacts::{Phone, parse_state, parse_text, parse_zip},
    ids::TenantId,
    tenancy::Email,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait, SimpleExpr},
};
use std::{
    collections::{BTreeMap, HashMap, HashSet},
    io::{Read, Seek, SeekFrom},
    path::PathBuf,
    sync::Arc,
    time::Instant,
};
use tokio::io::AsyncWriteExt;

/// Rows written per transaction.
pub const BATCH: usize = 1000;

/// What an import run needs.
#[derive(Clone)]
pub struct ImportDeps {
    pub db: Db,
    pub national: Arc<dyn NationalRegistry>,
    /// Where uploads are spooled to local disk while they are parsed.
    pub spool_dir: PathBuf,
    pub events: Option<EventBus>,
}

/// One parsed CSV record.
struct RawRow {
    /// 1-based data row number (the header is row 0).
    number: i64,
    fields: Vec<String>,
}

/// A batch of records and the byte offset just past its last record.
struct RawBatch {
    rows: Vec<RawRow>,
    end_offset: u64,
}

/// Per-batch tallies.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    pub created: i64,
    pub merged: i64,
    pub failed: i64,
    pub dnc_flagged: i64,
}

fn db_err(e: impl std::fmt::Display) -> JobError {
    JobError::retryable(format!("database: {e}"))
}

/// Runs (or resumes) an import to the end.
pub async fn run(deps: &ImportDeps, tenant: &TenantId, import_id: &str) -> Result<(), JobError> {
    let Some(imp) = scope::find::<import::Entity>(tenant)
        .filter(import::Column::Id.eq(import_id))
        .one(&deps.db)
        .await
        .map_err(db_err)?
    else {
        return Err(JobError::permanent("the import no longer exists"));
    };
    if imp.status == status::DONE || imp.status == status::FAILED {
        return Ok(());
    }
    let mapping: BTreeMap<String, String> =
        serde_json::from_str(&imp.mapping).map_err(|e| JobError::permanent(format!("stored mapping: {e}")))?;
    let mapping: Mapping =
        mapping.into_iter().filter_map(|(k, v)| Some((k.parse().ok()?, Field::parse(&v)?))).collect();
    let headers: Vec<String> = serde_json::from_str(&imp.columns).unwrap_or_default();
    let now = Utc::now();
    scope::update_many::<import::Entity>(tenant)
        .col_expr(import::Column::Status, Expr::value(status::RUNNING))
        .col_expr(import::Column::StartedAt, Expr::value(Some(imp.started_at.unwrap_or(now))))
        .col_expr(import::Column::UpdatedAt, Expr::value(now))
        .filter(import::Column::Id.eq(import_id))
        .exec(&deps.db)
        .await
        .map_err(db_err)?;

    let path = spool(deps, tenant, &imp).await?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<RawBatch, String>>(2);
    let start = imp.bytes_done as u64;
    let first_row = imp.rows_done;
    let reader_path = path.clone();
    let parser = tokio::task::spawn_blocking(move || parse_file(&reader_path, start, first_row, &tx));

    let mut done = imp.bytes_done;
    let mut rows_done = imp.rows_done;
    let started = Instant::now();
    let mut rows_this_run = 0i64;
    while let Some(batch) = rx.recv().await {
        let batch = batch.map_err(|e| JobError::permanent(format!("the file cannot be read: {e}")))?;
        let n = batch.rows.len() as i64;
        let txn = crate::db::begin(&deps.db).await.map_err(db_err)?;
        if txn.get_database_backend() == DbBackend::Postgres {
            // A batch commits with its checkpoint, so a batch lost to a database crash is lost
            // together with its checkpoint and redone on resume: no need to wait for the WAL
            // flush of every batch.
            txn.execute_unprepared("SET LOCAL synchronous_commit = off").await.map_err(db_err)?;
        }
        let tally = write_batch(&txn, deps, tenant, &imp, &mapping, &headers, &batch.rows).await.map_err(db_err)?;
        // The checkpoint moves only from where this run found it: a second runner on the same
        // import fails here and its batch rolls back.
        let moved = scope::update_many::<import::Entity>(tenant)
            .col_expr(import::Column::BytesDone, Expr::value(batch.end_offset as i64))
            .col_expr(import::Column::RowsDone, Expr::col(import::Column::RowsDone).add(n))
            .col_expr(import::Column::RowsCreated, Expr::col(import::Column::RowsCreated).add(tally.created))
            .col_expr(import::Column::RowsMerged, Expr::col(import::Column::RowsMerged).add(tally.merged))
            .col_expr(import::Column::RowsFailed, Expr::col(import::Column::RowsFailed).add(tally.failed))
            .col_expr(import::Column::RowsDncFlagged, Expr::col(import::Column::RowsDncFlagged).add(tally.dnc_flagged))
            .col_expr(import::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(import::Column::Id.eq(import_id))
            .filter(import::Column::BytesDone.eq(done))
            .exec(&txn)
            .await
            .map_err(db_err)?;
        if moved.rows_affected != 1 {
            txn.rollback().await.map_err(db_err)?;
            return Err(JobError::retryable("another runner moved this import's checkpoint; stopping"));
        }
        txn.commit().await.map_err(db_err)?;
        done = batch.end_offset as i64;
        rows_done += n;
        rows_this_run += n;
        if let Some(bus) = &deps.events {
            let rate = rows_this_run as f64 / started.elapsed().as_secs_f64().max(0.001);
            let _ = bus
                .publish(Event {
                    tenant_id: tenant.to_string(),
                    kind: "import.progress".into(),
                    data: serde_json::json!({"import_id": import_id, "rows_done": rows_done, "bytes_done": done, "total_bytes": imp.total_bytes, "rows_per_second": rate}),
                })
                .await;
        }
    }
    parser.await.map_err(|e| JobError::retryable(format!("parser: {e}")))?.map_err(JobError::permanent)?;
    scope::update_many::<import::Entity>(tenant)
        .col_expr(import::Column::Status, Expr::value(status::DONE))
        .col_expr(import::Column::BytesDone, Expr::value(imp.total_bytes))
        .col_expr(import::Column::FinishedAt, Expr::value(Some(Utc::now())))
        .col_expr(import::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(import::Column::Id.eq(import_id))
        .exec(&deps.db)
        .await
        .map_err(db_err)?;
    // The upload is no longer needed once every row is in.
    scope::delete_many::<import_chunk::Entity>(tenant)
        .filter(import_chunk::Column::ImportId.eq(import_id))
        .exec(&deps.db)
        .await
        .map_err(db_err)?;
    let _ = tokio::fs::remove_file(&path).await;
    if let Some(bus) = &deps.events {
        let _ = bus
            .publish(Event {
                tenant_id: tenant.to_string(),
                kind: "import.done".into(),
                data: serde_json::json!({"import_id": import_id, "rows_done": rows_done}),
            })
            .await;
    }
    tracing::info!(import_id, rows = rows_done, "import done");
    Ok(())
}

/// Marks an import failed with a reason a person can act on.
pub async fn fail(db: &Db, tenant: &TenantId, import_id: &str, reason: &str) -> Result<(), RepoError> {
    scope::update_many::<import::Entity>(tenant)
        .col_expr(import::Column::Status, Expr::value(status::FAILED))
        .col_expr(import::Column::Error, Expr::value(Some(reason.to_owned())))
        .col_expr(import::Column::FinishedAt, Expr::value(Some(Utc::now())))
        .col_expr(import::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(import::Column::Id.eq(import_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Copies the stored chunks to a local file (reused when a previous run left it complete).
async fn spool(deps: &ImportDeps, tenant: &TenantId, imp: &import::Model) -> Result<PathBuf, JobError> {
    tokio::fs::create_dir_all(&deps.spool_dir).await.map_err(|e| JobError::retryable(format!("spool dir: {e}")))?;
    let path = deps.spool_dir.join(format!("{}.csv", imp.id));
    if tokio::fs::metadata(&path).await.map(|m| m.len() == imp.total_bytes as u64).unwrap_or(false) {
        return Ok(path);
    }
    // Each run spools to its own file: a second runner of the same import must not write into
    // this one's copy.
    let partial = deps.spool_dir.join(format!("{}.{}.part", imp.id, crate::ids::raw("")));
    let mut file = tokio::fs::File::create(&partial).await.map_err(|e| JobError::retryable(format!("spool: {e}")))?;
    let mut seq = 0;
    loop {
        let chunk = scope::find::<import_chunk::Entity>(tenant)
            .filter(import_chunk::Column::ImportId.eq(imp.id.as_str()))
            .filter(import_chunk::Column::Seq.eq(seq))
            .one(&deps.db)
            .await
            .map_err(db_err)?;
        let Some(chunk) = chunk else { break };
        file.write_all(&chunk.data).await.map_err(|e| JobError::retryable(format!("spool: {e}")))?;
        seq += 1;
    }
    file.sync_all().await.map_err(|e| JobError::retryable(format!("spool: {e}")))?;
    drop(file);
    let len = tokio::fs::metadata(&partial).await.map(|m| m.len()).unwrap_or(0);
    if len != imp.total_bytes as u64 {
        return Err(JobError::permanent(format!(
            "the stored upload has {len} of {} bytes; upload the file again",
            imp.total_bytes
        )));
    }
    tokio::fs::rename(&partial, &path).await.map_err(|e| JobError::retryable(format!("spool: {e}")))?;
    Ok(path)
}

/// Parses from byte `start` (0: the file's beginning, header included) and sends batches.
fn parse_file(
    path: &std::path::Path,
    start: u64,
    first_row: i64,
    tx: &tokio::sync::mpsc::Sender<Result<RawBatch, String>>,
) -> Result<(), String> {
    let mut file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut base = start;
    if start == 0 {
        let mut head = [0u8; 3];
        let n = file.read(&mut head).map_err(|e| e.to_string())?;
        base = if strip_bom(&head[..n]).len() < n { 3 } else { 0 };
    }
    file.seek(SeekFrom::Start(base)).map_err(|e| e.to_string())?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 20)
        .from_reader(std::io::BufReader::with_capacity(1 << 20, file));
    let mut record = csv::ByteRecord::new();
    if start == 0 {
        // The header row.
        reader.read_byte_record(&mut record).map_err(|e| e.to_string())?;
    }
    let mut number = first_row;
    let mut rows = Vec::with_capacity(BATCH);
    loop {
        let more = reader.read_byte_record(&mut record).map_err(|e| e.to_string())?;
        if more && record.iter().all(|f| f.iter().all(|b| b.is_ascii_whitespace())) {
            continue;
        }
        if more {
            number += 1;
            rows.push(RawRow { number, fields: record.iter().map(decode).collect() });
        }
        if rows.len() == BATCH || (!more && !rows.is_empty()) {
            let end_offset = base + reader.position().byte();
            if tx.blocking_send(Ok(RawBatch { rows: std::mem::take(&mut rows), end_offset })).is_err() {
                return Ok(());
            }
        }
        if !more {
            return Ok(());
        }
    }
}

/// A row turned into contact values, or its errors.
struct Parsed {
    number: i64,
    fields: crate::db::repo::contacts::Fields,
    phones: Vec<String>,
    emails: Vec<String>,
}

struct RowError {
    number: i64,
    field: String,
    message: String,
    raw: String,
}

fn parse_row(row: &RawRow, mapping: &Mapping, headers: &[String]) -> Result<Parsed, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut f = crate::db::repo::contacts::Fields { stage: "new".into(), ..Default::default() };
    let mut phones = Vec::new();
    let mut emails = Vec::new();
    let raw_line = || row.fields.join(",").chars().take(500).collect::<String>();
    for (i, value) in row.fields.iter().enumerate() {
        let Some(field) = mapping.get(&i) else { continue };
        let v = value.trim();
        if v.is_empty() || *field == Field::Ignore {
            continue;
        }
        let column = headers.get(i).cloned().unwrap_or_else(|| format!("column {}", i + 1));
        let mut err = |msg: String| {
            errors.push(RowError { number: row.number, field: column.clone(), message: msg, raw: raw_line() })
        };
        let text = |max: usize| parse_text(v, max).map_err(|e| e.to_string());
        match field {
            Field::FirstName => match text(100) {
                Ok(t) => f.first_name = t,
                Err(e) => err(e),
            },
            Field::LastName => match text(100) {
                Ok(t) => f.last_name = t,
                Err(e) => err(e),
            },
            Field::FullName => match text(200) {
                Ok(Some(t)) => match t.rsplit_once(' ') {
                    Some((first, last)) => {
                        f.first_name = Some(first.trim().to_owned());
                        f.last_name = Some(last.trim().to_owned());
                    }
                    None => f.first_name = Some(t),
                },
                Ok(None) => {}
                Err(e) => err(e),
            },
            Field::Company => match text(200) {
                Ok(t) => f.company = t,
                Err(e) => err(e),
            },
            Field::Address => match text(300) {
                Ok(t) => f.address = t,
                Err(e) => err(e),
            },
            Field::City => match text(100) {
                Ok(t) => f.city = t,
                Err(e) => err(e),
            },
            Field::LeadType => match text(50) {
                Ok(t) => f.lead_type = t,
                Err(e) => err(e),
            },
            Field::Source => match text(100) {
                Ok(t) => f.source = t,
                Err(e) => err(e),
            },
            Field::Phone => match Phone::parse(v) {
                Ok(p) => phones.push(p.as_str().to_owned()),
                Err(_) => err(format!("{v:?} is not a phone number")),
            },
            Field::Email => match Email::parse(v) {
                Ok(e) => emails.push(e.as_str().to_owned()),
                Err(_) => err(format!("{v:?} is not an email address")),
            },
            Field::Zip => match parse_zip(v) {
                Ok(z) => f.zip = Some(z),
                Err(e) => err(e.to_string()),
            },
            Field::State => match parse_state(v) {
                Ok(s) => f.state = Some(s.as_str().to_owned()),
                Err(e) => err(e.to_string()),
            },
            Field::AddressState => match parse_state(v) {
                Ok(s) => f.address_state = Some(s.as_str().to_owned()),
                Err(e) => err(e.to_string()),
            },
            Field::Score => match v.parse::<i32>() {
                Ok(n) => f.score = n,
                Err(_) => err("must be a whole number".into()),
            },
            Field::Custom(name) => match text(1000) {
                Ok(Some(t)) => {
                    f.custom.insert(name.clone(), serde_json::Value::String(t));
                }
                Ok(None) => {}
                Err(e) => err(e),
            },
            Field::Ignore => {}
        }
    }
    if errors.is_empty() && phones.is_empty() && emails.is_empty() {
        errors.push(RowError {
            number: row.number,
            field: "phone".into(),
            message: "the row has no phone or email".into(),
            raw: raw_line(),
        });
    }
    if errors.is_empty() {
        phones.dedup();
        emails.dedup();
        Ok(Parsed { number: row.number, fields: f, phones, emails })
    } else {
        Err(errors)
    }
}

fn jurisdiction(phone: &str, f: &crate::db::repo::contacts::Fields) -> (Option<String>, Option<String>) {
    let state = |s: &Option<String>| s.as_deref().and_then(|s| StateCode::parse(s).ok());
    let location =
        ContactLocation { zip: f.zip.clone(), state_on_file: state(&f.state), address_state: state(&f.address_state) };
    match resolve(Channel::Voice, phone, &location) {
        Ok(set) => (
            Some(set.states.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",")),
            Some(set.zones.iter().map(|z| z.name()).collect::<Vec<_>>().join(",")),
        ),
        Err(_) => (None, None),
    }
}

/// Bulk insert on PostgreSQL: one fixed statement whose single parameter is the batch as JSON.
/// A multi-row `VALUES` list with ~20,000 bind parameters has a different text for every batch
/// size, so PostgreSQL parses and plans it every time; this statement is prepared once per
/// connection. Rows carry `tenant_id` explicitly (this is the import's own insert, not a query).
async fn insert_json(
    txn: &DatabaseTransaction,
    table: &str,
    rows: Vec<serde_json::Value>,
) -> Result<(), sea_orm::DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    let sql = format!("INSERT INTO {table} SELECT * FROM json_populate_recordset(NULL::{table}, $1::json)");
    txn.execute_raw(sea_orm::Statement::from_sql_and_values(
        DbBackend::Postgres,
        sql,
        [serde_json::Value::Array(rows).to_string().into()],
    ))
    .await?;
    Ok(())
}

fn contact_json(c: &contact::Model) -> serde_json::Value {
    serde_json::json!({
        "tenant_id": c.tenant_id, "id": c.id, "first_name": c.first_name, "last_name": c.last_name,
        "company": c.company, "zip": c.zip, "state": c.state, "address": c.address, "city": c.city,
        "address_state": c.address_state, "custom": c.custom, "lead_type": c.lead_type, "source": c.source,
        "score": c.score, "stage": c.stage, "owner_id": c.owner_id, "import_id": c.import_id,
        "import_row": c.import_row, "created_at": c.created_at, "updated_at": c.updated_at,
    })
}

fn phone_json(p: &contact_phone::Model) -> serde_json::Value {
    serde_json::json!({
        "tenant_id": p.tenant_id, "e164": p.e164, "contact_id": p.contact_id, "label": p.label,
        "position": p.position, "dnc_flag": p.dnc_flag, "states": p.states, "zones": p.zones,
        "created_at": p.created_at,
    })
}

fn email_json(e: &contact_email::Model) -> serde_json::Value {
    serde_json::json!({
        "tenant_id": e.tenant_id, "email": e.email, "contact_id": e.contact_id, "position": e.position,
        "created_at": e.created_at,
    })
}

/// The filters that match `column` against `keys`, one per query to run. On PostgreSQL the
/// keys travel as one comma-joined parameter: the statement text is the same for every batch
/// (prepared once per connection), and its plan does not hinge on table statistics. With a
/// list of 500 literal values and no statistics yet (a fresh table, autovacuum behind) the
/// planner reads the tenant's whole index range and filters it, so each batch got slower as
/// the import grew. E.164 numbers and email addresses never contain a comma.
fn key_filters(txn: &DatabaseTransaction, column: impl ColumnTrait, keys: &[String]) -> Vec<SimpleExpr> {
    if keys.is_empty() {
        return Vec::new();
    }
    match txn.get_database_backend() {
        DbBackend::Postgres => {
            let (table, name) = (column.entity_name().to_string(), column.as_str().to_owned());
            vec![Expr::cust_with_values(
                format!(r#""{table}"."{name}" = ANY(string_to_array($1, ','))"#),
                [keys.join(",")],
            )]
        }
        _ => keys.chunks(500).map(|chunk| column.is_in(chunk.iter().map(String::as_str))).collect(),
    }
}

async fn existing_phones(
    txn: &DatabaseTransaction,
    tenant: &TenantId,
    phones: &[String],
) -> Result<HashMap<String, String>, sea_orm::DbErr> {
    let mut out = HashMap::new();
    for filter in key_filters(txn, contact_phone::Column::E164, phones) {
        for p in scope::find::<contact_phone::Entity>(tenant).filter(filter).all(txn).await? {
            out.insert(p.e164, p.contact_id);
        }
    }
    Ok(out)
}

async fn existing_emails(
    txn: &DatabaseTransaction,
    tenant: &TenantId,
    emails: &[String],
) -> Result<HashMap<String, String>, sea_orm::DbErr> {
    let mut out = HashMap::new();
    for filter in key_filters(txn, contact_email::Column::Email, emails) {
        for e in scope::find::<contact_email::Entity>(tenant).filter(filter).all(txn).await? {
            out.insert(e.email, e.contact_id);
        }
    }
    Ok(out)
}

/// Writes one batch: new contacts inserted in bulk, duplicates (of earlier rows, in this file
/// or already stored) merged, errors recorded, numbers flagged against the DNC lists.
#[allow(clippy::too_many_arguments)]
async fn write_batch(
    txn: &DatabaseTransaction,
    deps: &ImportDeps,
    tenant: &TenantId,
    imp: &import::Model,
    mapping: &Mapping,
    headers: &[String],
    rows: &[RawRow],
) -> Result<Tally, sea_orm::DbErr> {
    let now: DateTime<Utc> = Utc::now();
    let mut tally = Tally::default();
    let mut errors = Vec::new();
    let mut parsed = Vec::with_capacity(rows.len());
    for row in rows {
        match parse_row(row, mapping, headers) {
            Ok(p) => parsed.push(p),
            Err(mut e) => {
                tally.failed += 1;
                errors.append(&mut e);
            }
        }
    }
    let all_phones: Vec<String> = parsed.iter().flat_map(|p| p.phones.iter().cloned()).collect();
    let all_emails: Vec<String> = parsed.iter().flat_map(|p| p.emails.iter().cloned()).collect();
    let mut phone_owner = existing_phones(txn, tenant, &all_phones).await?;
    let mut email_owner = existing_emails(txn, tenant, &all_emails).await?;
    let internal_dnc: HashSet<String> = {
        let mut s = HashSet::new();
        for filter in key_filters(txn, dnc_entry::Column::Phone, &all_phones) {
            for d in scope::find::<dnc_entry::Entity>(tenant).filter(filter).all(txn).await? {
                if let Some(p) = d.phone {
                    s.insert(p);
                }
            }
        }
        s
    };

    let mut contacts_out = Vec::new();
    let mut phones_out = Vec::new();
    let mut emails_out = Vec::new();
    // Contacts this batch created cannot be in the list yet; only merged ones need a look-up.
    let mut members = Vec::new();
    let mut fresh_members: Vec<String> = Vec::new();
    for p in parsed {
        let owner = p
            .phones
            .iter()
            .find_map(|ph| phone_owner.get(ph))
            .or_else(|| p.emails.iter().find_map(|e| email_owner.get(e)))
            .cloned();
        let (id, fresh) = match owner {
            Some(id) => {
                tally.merged += 1;
                (id, false)
            }
            None => {
                tally.created += 1;
                (crate::ids::contact().to_string(), true)
            }
        };
        // New numbers and addresses of this row (a merge adds what the contact lacks).
        let mut pos = 0;
        let mut flagged = false;
        for ph in &p.phones {
            if phone_owner.contains_key(ph) {
                continue;
            }
            phone_owner.insert(ph.clone(), id.clone());
            let flag = if internal_dnc.contains(ph) {
                Some("internal")
            } else {
                Phone::parse(ph)
                    .ok()
                    .and_then(|n| n.nanp())
                    .filter(|n| deps.national.scrub(*n).listed)
                    .map(|_| "national")
            };
            flagged |= flag.is_some();
            let (states, zones) = jurisdiction(ph, &p.fields);
            phones_out.push(contact_phone::Model {
                tenant_id: tenant.to_string(),
                e164: ph.clone(),
                contact_id: id.clone(),
                label: None,
                // Merged numbers go after the contact's own.
                position: if fresh { pos } else { 100 + pos },
                dnc_flag: flag.map(str::to_owned),
                states,
                zones,
                created_at: now,
            });
            pos += 1;
        }
        if flagged {
            tally.dnc_flagged += 1;
        }
        let mut epos = 0;
        for e in &p.emails {
            if email_owner.contains_key(e) {
                continue;
            }
            email_owner.insert(e.clone(), id.clone());
            emails_out.push(contact_email::Model {
                tenant_id: tenant.to_string(),
                email: e.clone(),
                contact_id: id.clone(),
                position: if fresh { epos } else { 100 + epos },
                created_at: now,
            });
            epos += 1;
        }
        if fresh {
            let f = p.fields;
            contacts_out.push(contact::Model {
                tenant_id: tenant.to_string(),
                id: id.clone(),
                first_name: f.first_name,
                last_name: f.last_name,
                company: f.company,
                zip: f.zip,
                state: f.state,
                address: f.address,
                city: f.city,
                address_state: f.address_state,
                custom: serde_json::Value::Object(f.custom).to_string(),
                lead_type: f.lead_type,
                source: f.source,
                score: f.score,
                stage: f.stage,
                owner_id: None,
                import_id: Some(imp.id.clone()),
                import_row: Some(p.number),
                created_at: now,
                updated_at: now,
            });
        }
        if fresh {
            fresh_members.push(id);
        } else {
            members.push(id);
        }
    }
    if txn.get_database_backend() == DbBackend::Postgres {
        insert_json(txn, "contacts", contacts_out.iter().map(contact_json).collect()).await?;
        insert_json(txn, "contact_phones", phones_out.iter().map(phone_json).collect()).await?;
        insert_json(txn, "contact_emails", emails_out.iter().map(email_json).collect()).await?;
    } else {
        if !contacts_out.is_empty() {
            contact::Entity::insert_many(contacts_out.into_iter().map(|m| contact::ActiveModel::from(m).reset_all()))
                .exec_without_returning(txn)
                .await?;
        }
        if !phones_out.is_empty() {
            contact_phone::Entity::insert_many(
                phones_out.into_iter().map(|m| contact_phone::ActiveModel::from(m).reset_all()),
            )
            .exec_without_returning(txn)
            .await?;
        }
        if !emails_out.is_empty() {
            contact_email::Entity::insert_many(
                emails_out.into_iter().map(|m| contact_email::ActiveModel::from(m).reset_all()),
            )
            .exec_without_returning(txn)
            .await?;
        }
    }
    if let Some(list) = &imp.list_id {
        // Several rows of a batch may merge into one contact.
        members.sort();
        members.dedup();
        members.retain(|m| !fresh_members.contains(m));
        lists::add_members(txn, tenant, list, &members, now).await.map_err(|e| match e {
            RepoError::Db(d) => d,
            other => sea_orm::DbErr::Custom(other.to_string()),
        })?;
        let rows: Vec<list_member::Model> = fresh_members
            .into_iter()
            .map(|contact_id| list_member::Model {
                tenant_id: tenant.to_string(),
                list_id: list.clone(),
                contact_id,
                created_at: now,
            })
            .collect();
        if txn.get_database_backend() == DbBackend::Postgres {
            let json = rows
                .iter()
                .map(|m| serde_json::json!({"tenant_id": m.tenant_id, "list_id": m.list_id, "contact_id": m.contact_id, "created_at": m.created_at}))
                .collect();
            insert_json(txn, "list_members", json).await?;
        } else {
            for chunk in rows.chunks(1000) {
                list_member::Entity::insert_many(
                    chunk.iter().cloned().map(|m| list_member::ActiveModel::from(m).reset_all()),
                )
                .exec_without_returning(txn)
                .await?;
            }
        }
    }
    // One error per (row, column): a column repeated in a row keeps its first message.
    let mut seen = HashSet::new();
    let errors: Vec<import_error::ActiveModel> = errors
        .into_iter()
        .filter(|e| seen.insert((e.number, e.field.clone())))
        .map(|e| {
            import_error::ActiveModel::from(import_error::Model {
                tenant_id: tenant.to_string(),
                import_id: imp.id.clone(),
                row: e.number,
                field: e.field.chars().take(200).collect(),
                message: e.message.chars().take(300).collect(),
                raw: Some(e.raw),
            })
            .reset_all()
        })
        .collect();
    for chunk in errors.chunks(500) {
        import_error::Entity::insert_many(chunk.to_vec()).exec_without_returning(txn).await?;
    }
    Ok(tally)
}

impl std::fmt::Debug for ImportDeps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportDeps").field("spool_dir", &self.spool_dir).finish_non_exhaustive()
    }
}
