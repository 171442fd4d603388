//! Running an import: spool the stored upload to a local file, then three stages.
//!
//! 1. A blocking thread parses the file as a stream and turns each row into contact values
//!    (normalized numbers with their jurisdictions and national-registry flag, or the row's
//!    errors), a batch of [`BATCH`] rows at a time.
//! 2. Each batch's numbers and addresses are looked up among the stored contacts (and its
//!    numbers on the do-not-call list) as soon as it is parsed, a few batches ahead. Into a
//!    tenant that had no contacts when the run began, only the keys the run itself planned
//!    before ([`Seen`]) are looked up, and a short do-not-call list is read once. Then, in
//!    file order, each batch is planned with its look-ups and the batches still being written,
//!    so every row either creates a contact or merges into the one that owns its number or
//!    address.
//! 3. Writers insert the planned batches, on PostgreSQL [`WRITERS_PG`] at once (each on its
//!    own connection, by `COPY`), while the next batch is planned. Each batch commits with
//!    its checkpoint, a compare-and-set of `bytes_done` from the batch's first byte to its
//!    last, and only after the batch before it committed: commits stay in file order, a
//!    crash resumes exactly where the last committed batch ended, and two runners can never
//!    both write a batch.

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
use futures::{StreamExt, stream::FuturesUnordered};
use outdial_domain::{
    compliance::{Channel, ContactLocation, StateCode, resolve},
    contacts::{Phone, parse_state, parse_text, parse_zip},
    ids::TenantId,
    tenancy::Email,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait, SimpleExpr},
    sqlx,
};
use std::{
    collections::{BTreeMap, HashMap, HashSet},
    io::{Read, Seek, SeekFrom},
    path::PathBuf,
    sync::Arc,
    time::Instant,
};
use tokio::{io::AsyncWriteExt, sync::watch};

/// Rows written per transaction.
pub const BATCH: usize = 1000;

/// Batches written at once on PostgreSQL, each in its own backend, so the database uses both
/// cores of a small machine (a batch's inserts are mostly the backend's CPU: indexes and key
/// checks). 300k rows on 2 cores, once sqlx set TCP_NODELAY again (0.9.1; with 0.9.0 each
/// `COPY` waited ~40 ms for a delayed ACK before its end): 2 writers 28.7k rows/s, 3 29.7k,
/// 4 28.3k, 6 30.3k; the machine's CPU is busy by then. With the look-ups an import holds
/// 6 connections of the pool's 16. SQLite has one writer.
pub const WRITERS_PG: usize = 4;

/// Batches whose look-ups run ahead of the one being planned.
const LOOK_AHEAD: usize = 2;

/// What an import run needs.
#[derive(Clone)]
pub struct ImportDeps {
    pub db: Db,
    pub national: Arc<dyn NationalRegistry>,
    /// Where uploads are spooled to local disk while they are parsed.
    pub spool_dir: PathBuf,
    pub events: Option<EventBus>,
}

/// One CSV record.
struct RawRow {
    /// 1-based data row number (the header is row 0).
    number: i64,
    fields: Vec<String>,
}

/// A number of a row: E.164, whether the national registry lists it, and where it may ring.
struct PhoneIn {
    e164: String,
    national: bool,
    states: Option<String>,
    zones: Option<String>,
}

/// A row turned into contact values.
struct Row {
    number: i64,
    fields: crate::db::repo::contacts::Fields,
    phones: Vec<PhoneIn>,
    emails: Vec<String>,
}

/// Stage 1's output: the batch's good rows, the errors of its bad ones, and its bytes.
struct ParsedBatch {
    rows: Vec<Row>,
    errors: Vec<RowError>,
    /// Rows in the batch, good and bad.
    count: i64,
    failed: i64,
    start_offset: u64,
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
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<ParsedBatch, String>>(4);
    let reader = Reader {
        path: path.clone(),
        start: imp.bytes_done as u64,
        first_row: imp.rows_done,
        mapping,
        headers,
        national: deps.national.clone(),
    };
    let parser = tokio::task::spawn_blocking(move || reader.read(&tx));
    let rows_done = write_all(deps, tenant, &imp, rx).await;
    // The parser stops at its next batch once the channel is gone.
    let parsed = parser.await.map_err(|e| JobError::retryable(format!("parser: {e}")))?;
    let rows_done = rows_done?;
    parsed.map_err(JobError::permanent)?;

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
    crate::db::refresh_statistics(&deps.db, &["contacts", "contact_phones", "contact_emails", "list_members"]).await;
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

/// Which batches have committed, for writers waiting on the one before theirs.
#[derive(Debug, Clone, Copy)]
struct Commits {
    /// The last batch committed, in file order (`-1` before the first of this run).
    last: i64,
    /// A batch failed: nothing after it may commit.
    failed: bool,
}

/// Waits until batch `seq` committed; `Err` when a batch failed first.
async fn committed(commits: &mut watch::Receiver<Commits>, seq: i64) -> Result<(), JobError> {
    let state = commits
        .wait_for(|c| c.last >= seq || c.failed)
        .await
        .map_err(|_| JobError::retryable("the import run stopped"))?;
    if state.last >= seq { Ok(()) } else { Err(JobError::retryable("an earlier batch of the import failed")) }
}

/// Stages 2 and 3: plans the parsed batches in order and writes them; the rows done at the end.
async fn write_all(
    deps: &ImportDeps,
    tenant: &TenantId,
    imp: &import::Model,
    rx: tokio::sync::mpsc::Receiver<Result<ParsedBatch, String>>,
) -> Result<i64, JobError> {
    let postgres = deps.db.get_database_backend() == DbBackend::Postgres;
    let writers = if postgres { WRITERS_PG } else { 1 };
    let (commits_tx, commits_rx) = watch::channel(Commits { last: -1, failed: false });
    let mut in_flight = InFlight::default();
    let slots = Arc::new(tokio::sync::Semaphore::new(writers));
    let shared = Arc::new(imp.clone());
    let mut writes = FuturesUnordered::new();
    let mut rows_done = imp.rows_done;
    let mut rows_this_run = 0i64;
    let mut bytes_done = imp.bytes_done;
    let mut failure: Option<JobError> = None;
    let started = Instant::now();
    let mut seq = 0i64;
    let mut read_all = false;
    // A tenant without contacts when this run began holds no number or address but those this
    // run plans: only a key this run planned before (a hit of `seen`) needs a look-up. A
    // contact another writer adds meanwhile makes a batch's insert fail on its unique key,
    // and the retry, the tenant no longer empty, looks every key up.
    let empty = scope::find::<contact::Entity>(tenant).one(&deps.db).await.map_err(db_err)?.is_none();
    let seen = std::sync::Mutex::new(empty.then(|| Seen::for_file(imp.total_bytes as u64)));
    let listed = listed_numbers(&deps.db, tenant).await.map_err(db_err)?;
    // Each batch's look-ups start as it arrives from the parser, in a task of their own, up
    // to LOOK_AHEAD batches ahead: they run while the writers are busy, not on the path from
    // one batch's plan to the next. Each notes the last batch committed before it began.
    let batches = futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|b| (b, rx)) });
    let looked = batches
        .map(|batch| {
            let committed_before = commits_rx.borrow().last;
            // The keys planned so far; those planned later are in flight when this batch is planned.
            let keys = batch.as_ref().ok().map(|b| {
                let seen = seen.lock().expect("the key filter");
                Keys::of(b, seen.as_ref(), listed.as_ref())
            });
            let (db, tenant) = (deps.db.clone(), tenant.clone());
            let task = tokio::spawn(async move {
                let batch = batch.map_err(|e| JobError::permanent(format!("the file cannot be read: {e}")))?;
                let keys = keys.unwrap_or_default();
                let mut found = look_up(&db, &tenant, &keys).await.map_err(db_err)?;
                found.dnc.extend(keys.listed);
                Ok(Looked { batch, found, committed_before })
            });
            async move { task.await.unwrap_or_else(|e| Err(JobError::retryable(format!("look-up: {e}")))) }
        })
        .buffered(LOOK_AHEAD);
    let mut looked = Box::pin(looked);
    loop {
        // One batch more than there are writers: the next batch is planned while every writer
        // is busy and starts as soon as one is free. At the end (or on an error) every write
        // is awaited; after a failed batch, the batches after it roll back.
        let ending = read_all || failure.is_some();
        while writes.len() > writers || (ending && !writes.is_empty()) {
            let Some(done) = writes.next().await else { break };
            match done {
                Ok((count, end)) => {
                    rows_done += count;
                    rows_this_run += count;
                    bytes_done = Ord::max(bytes_done, end);
                    progress(deps, tenant, imp, rows_done, bytes_done, rows_this_run, started).await;
                }
                Err(e) => {
                    // Batches waiting on this one roll back (even if its task died unawares).
                    commits_tx.send_modify(|c| c.failed = true);
                    failure.get_or_insert(e);
                }
            }
        }
        if ending {
            break;
        }
        let Some(got) = looked.next().await else {
            read_all = true;
            continue;
        };
        let Looked { batch, found, committed_before } = match got {
            Ok(l) => l,
            Err(e) => {
                failure = Some(e);
                continue;
            }
        };
        in_flight.forget_committed(committed_before);
        let mut planned = plan(tenant, imp, batch, found, &in_flight);
        if let Some(seen) = seen.lock().expect("the key filter").as_mut() {
            planned.keys.keys().for_each(|k| seen.insert(k));
        }
        in_flight.batches.push((seq, std::mem::take(&mut planned.keys)));
        let (db, tenant, imp) = (deps.db.clone(), tenant.clone(), shared.clone());
        let (commits_tx, mut commits, slots) = (commits_tx.clone(), commits_rx.clone(), slots.clone());
        // A task of its own, so building one batch's rows runs beside planning the next.
        let writer = tokio::spawn(async move {
            // The semaphore is fair: batches take the writers in file order.
            let outcome = match slots.acquire().await {
                Ok(_slot) => write(&db, &tenant, &imp, &planned, seq, &mut commits).await,
                Err(_) => Err(JobError::retryable("the import run stopped")),
            };
            commits_tx.send_modify(|c| match &outcome {
                Ok(()) => c.last = Ord::max(c.last, seq),
                Err(_) => c.failed = true,
            });
            outcome.map(|()| (planned.count, planned.end_offset as i64))
        });
        writes.push(async move { writer.await.unwrap_or_else(|e| Err(JobError::retryable(format!("writer: {e}")))) });
        seq += 1;
    }
    // The parser stops at its next batch once the channel is gone.
    drop(looked);
    match failure {
        Some(e) => Err(e),
        None => Ok(rows_done),
    }
}

async fn progress(
    deps: &ImportDeps,
    tenant: &TenantId,
    imp: &import::Model,
    rows_done: i64,
    bytes_done: i64,
    rows_this_run: i64,
    started: Instant,
) {
    if let Some(bus) = &deps.events {
        let rate = rows_this_run as f64 / started.elapsed().as_secs_f64().max(0.001);
        let _ = bus
            .publish(Event {
                tenant_id: tenant.to_string(),
                kind: "import.progress".into(),
                data: serde_json::json!({"import_id": imp.id, "rows_done": rows_done, "bytes_done": bytes_done, "total_bytes": imp.total_bytes, "rows_per_second": rate}),
            })
            .await;
    }
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

/// Stage 1: the file from a byte offset, parsed and turned into contact values.
struct Reader {
    path: PathBuf,
    /// 0: the file's beginning, header included.
    start: u64,
    /// Data rows before `start`.
    first_row: i64,
    mapping: Mapping,
    headers: Vec<String>,
    national: Arc<dyn NationalRegistry>,
}

impl Reader {
    fn read(self, tx: &tokio::sync::mpsc::Sender<Result<ParsedBatch, String>>) -> Result<(), String> {
        let outcome = self.batches(tx);
        if let Err(e) = &outcome {
            // The writer reports it; the channel may already be gone.
            let _ = tx.blocking_send(Err(e.clone()));
        }
        outcome
    }

    fn batches(&self, tx: &tokio::sync::mpsc::Sender<Result<ParsedBatch, String>>) -> Result<(), String> {
        let mut file = std::fs::File::open(&self.path).map_err(|e| e.to_string())?;
        let mut base = self.start;
        if self.start == 0 {
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
        if self.start == 0 {
            // The header row.
            reader.read_byte_record(&mut record).map_err(|e| e.to_string())?;
        }
        let mut number = self.first_row;
        let mut batch = self.empty(self.start);
        loop {
            let more = reader.read_byte_record(&mut record).map_err(|e| e.to_string())?;
            if more && record.iter().all(|f| f.iter().all(|b| b.is_ascii_whitespace())) {
                continue;
            }
            if more {
                number += 1;
                let raw = RawRow { number, fields: record.iter().map(decode).collect() };
                batch.count += 1;
                match parse_row(&raw, &self.mapping, &self.headers) {
                    Ok(row) => batch.rows.push(self.located(row)),
                    Err(mut errors) => {
                        batch.failed += 1;
                        batch.errors.append(&mut errors);
                    }
                }
            }
            if batch.count as usize == BATCH || (!more && batch.count > 0) {
                batch.end_offset = base + reader.position().byte();
                let next = self.empty(batch.end_offset);
                let full = std::mem::replace(&mut batch, next);
                if tx.blocking_send(Ok(full)).is_err() {
                    return Ok(());
                }
            }
            if !more {
                return Ok(());
            }
        }
    }

    fn empty(&self, start_offset: u64) -> ParsedBatch {
        ParsedBatch {
            rows: Vec::with_capacity(BATCH),
            errors: Vec::new(),
            count: 0,
            failed: 0,
            start_offset,
            end_offset: start_offset,
        }
    }

    /// The row's numbers with where they may ring and whether the national registry lists them.
    fn located(&self, row: Parsed) -> Row {
        let phones = row
            .phones
            .into_iter()
            .map(|e164| {
                let national =
                    Phone::parse(&e164).ok().and_then(|n| n.nanp()).is_some_and(|n| self.national.scrub(n).listed);
                let (states, zones) = jurisdiction(&e164, &row.fields);
                PhoneIn { e164, national, states, zones }
            })
            .collect();
        Row { number: row.number, fields: row.fields, phones, emails: row.emails }
    }
}

/// A row's values as parsed, before its numbers are located.
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

/// The filters that match `column` against `keys`, one per query to run (SQLite; PostgreSQL
/// looks a batch up in one statement, see [`look_up`]).
fn key_filters(column: impl ColumnTrait, keys: &[String]) -> Vec<SimpleExpr> {
    keys.chunks(500).map(|chunk| column.is_in(chunk.iter().map(String::as_str))).collect()
}

async fn existing_phones<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    phones: &[String],
) -> Result<HashMap<String, String>, sea_orm::DbErr> {
    let mut out = HashMap::new();
    for filter in key_filters(contact_phone::Column::E164, phones) {
        for p in scope::find::<contact_phone::Entity>(tenant).filter(filter).all(conn).await? {
            out.insert(p.e164, p.contact_id);
        }
    }
    Ok(out)
}

async fn existing_emails<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    emails: &[String],
) -> Result<HashMap<String, String>, sea_orm::DbErr> {
    let mut out = HashMap::new();
    for filter in key_filters(contact_email::Column::Email, emails) {
        for e in scope::find::<contact_email::Entity>(tenant).filter(filter).all(conn).await? {
            out.insert(e.email, e.contact_id);
        }
    }
    Ok(out)
}

/// Numbers and addresses of the batches planned but not yet known to be committed, so the
/// next batches merge into their contacts (a look-up in the database cannot see them yet).
#[derive(Default)]
struct InFlight {
    batches: Vec<(i64, HashMap<String, String>)>,
}

impl InFlight {
    /// Drops what committed batches added: the database answers for them now. Called before a
    /// batch's look-up, so a batch committing during the look-up is found in one or the other.
    fn forget_committed(&mut self, last: i64) {
        self.batches.retain(|(seq, _)| *seq > last);
    }

    fn owner(&self, key: &str) -> Option<(&String, i64)> {
        self.batches.iter().rev().find_map(|(seq, keys)| keys.get(key).map(|id| (id, *seq)))
    }
}

/// A batch ready to write.
struct Planned {
    count: i64,
    start_offset: u64,
    end_offset: u64,
    tally: Tally,
    contacts: Vec<contact::Model>,
    phones: Vec<contact_phone::Model>,
    emails: Vec<contact_email::Model>,
    /// Contacts this batch creates, for the import's list.
    fresh_members: Vec<String>,
    /// Contacts rows merged into, which may be in the list already.
    merged_members: Vec<String>,
    errors: Vec<import_error::Model>,
    /// A batch still being written whose contacts this one merges into: its inserts wait for
    /// that batch's commit.
    after: Option<i64>,
    /// Numbers and addresses this batch adds, with their contact.
    keys: HashMap<String, String>,
}

async fn internal_dnc<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantId,
    phones: &[String],
) -> Result<HashSet<String>, sea_orm::DbErr> {
    let mut out = HashSet::new();
    for filter in key_filters(dnc_entry::Column::Phone, phones) {
        for d in scope::find::<dnc_entry::Entity>(tenant).filter(filter).all(conn).await? {
            if let Some(p) = d.phone {
                out.insert(p);
            }
        }
    }
    Ok(out)
}

/// What the database holds of a batch's numbers and addresses.
#[derive(Default)]
struct Found {
    /// Stored numbers and addresses with their contact (E.164 numbers start with '+' and
    /// addresses hold an '@': one map holds both).
    owners: HashMap<String, String>,
    /// The batch's numbers on the tenant's do-not-call list.
    dnc: HashSet<String>,
}

/// A parsed batch with its look-ups, and the last batch known committed before they began:
/// the batches after that one may hold numbers the look-ups could not see.
struct Looked {
    batch: ParsedBatch,
    found: Found,
    committed_before: i64,
}

/// The keys of a batch to look up, each sorted and distinct: in index order, each probe
/// starts where the last one ended, in pages just read.
#[derive(Default)]
struct Keys {
    /// Numbers that may belong to a stored contact.
    phones: Vec<String>,
    /// Addresses that may belong to a stored contact.
    emails: Vec<String>,
    /// Numbers to look up on the tenant's do-not-call list.
    dnc: Vec<String>,
    /// Numbers found on it without a look-up (see [`listed_numbers`]).
    listed: Vec<String>,
}

impl Keys {
    /// A batch's keys; with `seen`, only the numbers and addresses it may hold are looked up
    /// among the contacts; with `listed`, no number on the do-not-call list.
    fn of(batch: &ParsedBatch, seen: Option<&Seen>, listed: Option<&HashSet<String>>) -> Self {
        let sorted = |mut keys: Vec<String>| {
            keys.sort_unstable();
            keys.dedup();
            keys
        };
        let all = sorted(batch.rows.iter().flat_map(|r| r.phones.iter().map(|p| p.e164.clone())).collect());
        let emails = sorted(batch.rows.iter().flat_map(|r| r.emails.iter().cloned()).collect());
        let stored = |k: &String| seen.is_none_or(|s| s.may_hold(k));
        let phones = all.iter().filter(|k| stored(k)).cloned().collect();
        let (dnc, listed) = match listed {
            Some(set) => (Vec::new(), all.into_iter().filter(|k| set.contains(k)).collect()),
            None => (all, Vec::new()),
        };
        Keys { phones, emails: emails.into_iter().filter(stored).collect(), dnc, listed }
    }
}

/// The tenant's numbers on its do-not-call list while they are few (up to this many), read
/// once when a run begins: its batches flag them without a look-up. A number listed later
/// is not flagged by that run, as it is not by a batch looked up before it was listed (the
/// flag is for people reading the import; every dial checks the list itself).
const LISTED_IN_MEMORY: u64 = 100_000;

async fn listed_numbers(db: &Db, tenant: &TenantId) -> Result<Option<HashSet<String>>, sea_orm::DbErr> {
    use sea_orm::QuerySelect;
    let numbers: Vec<Option<String>> = scope::find::<dnc_entry::Entity>(tenant)
        .filter(dnc_entry::Column::Phone.is_not_null())
        .select_only()
        .column(dnc_entry::Column::Phone)
        .limit(LISTED_IN_MEMORY + 1)
        .into_tuple()
        .all(db)
        .await?;
    Ok((numbers.len() as u64 <= LISTED_IN_MEMORY).then(|| numbers.into_iter().flatten().collect()))
}

/// The numbers and addresses an import run has planned, as a Bloom filter: "no" is certain,
/// "maybe" is looked up. Sized from the file (a key takes at least a dozen bytes of it), so
/// few answers are a wrong "maybe": 1M rows (76 MB, 2.3M keys) use 16 MB at ~1e-5.
struct Seen {
    words: Vec<u64>,
    /// Bits - 1 (a power of two).
    mask: u64,
}

impl Seen {
    /// Probes per key.
    const PROBES: u64 = 3;

    fn for_file(bytes: u64) -> Self {
        let bits = bytes.next_power_of_two().clamp(1 << 16, 1 << 29);
        Seen { words: vec![0; (bits / 64) as usize], mask: bits - 1 }
    }

    /// The bits of a key (double hashing).
    fn bits(&self, key: &str) -> impl Iterator<Item = u64> + use<> {
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        let h = BuildHasherDefault::<DefaultHasher>::default().hash_one(key);
        let (a, b, mask) = (h, (h >> 32) | 1, self.mask);
        (0..Self::PROBES).map(move |i| a.wrapping_add(i.wrapping_mul(b)) & mask)
    }

    fn insert(&mut self, key: &str) {
        for bit in self.bits(key) {
            self.words[(bit / 64) as usize] |= 1 << (bit % 64);
        }
    }

    fn may_hold(&self, key: &str) -> bool {
        self.bits(key).all(|bit| self.words[(bit / 64) as usize] & (1 << (bit % 64)) != 0)
    }
}

/// Stage 2a: looks up a batch's numbers and addresses among the stored contacts and its
/// numbers on the tenant's do-not-call list (on PostgreSQL in one statement).
async fn look_up(db: &Db, tenant: &TenantId, keys: &Keys) -> Result<Found, sea_orm::DbErr> {
    let Keys { phones, emails, dnc, .. } = keys;
    if db.get_database_backend() != DbBackend::Postgres {
        let (mut owners, stored_emails, dnc) = tokio::try_join!(
            existing_phones(db, tenant, phones),
            existing_emails(db, tenant, emails),
            internal_dnc(db, tenant, dnc),
        )?;
        owners.extend(stored_emails);
        return Ok(Found { owners, dnc });
    }
    // The keys travel as one comma-joined parameter (E.164 numbers and email addresses never
    // hold a comma): the statement text is the same for every batch, prepared once per
    // connection. Each key is a probe of a unique index (LATERAL ... LIMIT 1): whatever the
    // statistics say, the planner cannot turn it into a read of the tenant's whole range.
    // (With `= ANY(...)` and no statistics yet, a custom plan did that: 100 ms a batch at
    // 300k numbers, growing with the table.)
    let rows: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT k, p.contact_id FROM unnest(string_to_array($2, ',')) AS k \
           CROSS JOIN LATERAL (SELECT contact_id FROM contact_phones WHERE tenant_id = $1 AND e164 = k LIMIT 1) p \
         UNION ALL SELECT k, e.contact_id FROM unnest(string_to_array($3, ',')) AS k \
           CROSS JOIN LATERAL (SELECT contact_id FROM contact_emails WHERE tenant_id = $1 AND email = k LIMIT 1) e \
         UNION ALL SELECT k, NULL FROM unnest(string_to_array($4, ',')) AS k \
           CROSS JOIN LATERAL (SELECT 1 FROM dnc_entries WHERE tenant_id = $1 AND phone = k LIMIT 1) d",
    )
    .bind(tenant.as_str())
    .bind(phones.join(","))
    .bind(emails.join(","))
    .bind(dnc.join(","))
    .fetch_all(db.get_postgres_connection_pool())
    .await
    .map_err(|e| sea_orm::DbErr::Custom(e.to_string()))?;
    let mut found = Found::default();
    for (key, contact) in rows {
        match contact {
            Some(id) => {
                found.owners.insert(key, id);
            }
            None => {
                found.dnc.insert(key);
            }
        }
    }
    Ok(found)
}

/// Stage 2b: decides which rows create a contact and which merge (into a stored contact, one
/// of a batch still being written, or an earlier row of this batch), and which numbers are on
/// a do-not-call list.
fn plan(tenant: &TenantId, imp: &import::Model, batch: ParsedBatch, found: Found, in_flight: &InFlight) -> Planned {
    let now: DateTime<Utc> = Utc::now();
    let Found { owners: stored, dnc: internal_dnc } = found;
    let phone_count = batch.rows.iter().map(|r| r.phones.len()).sum();
    let email_count = batch.rows.iter().map(|r| r.emails.len()).sum();
    let mut keys: HashMap<String, String> = HashMap::new();
    let owner_of = |key: &str, keys: &HashMap<String, String>| -> Option<(String, Option<i64>)> {
        if let Some(id) = stored.get(key).or_else(|| keys.get(key)) {
            return Some((id.clone(), None));
        }
        in_flight.owner(key).map(|(id, seq)| (id.clone(), Some(seq)))
    };

    let mut p = Planned {
        count: batch.count,
        start_offset: batch.start_offset,
        end_offset: batch.end_offset,
        tally: Tally { failed: batch.failed, ..Tally::default() },
        contacts: Vec::with_capacity(batch.rows.len()),
        phones: Vec::with_capacity(phone_count),
        emails: Vec::with_capacity(email_count),
        fresh_members: Vec::new(),
        merged_members: Vec::new(),
        errors: Vec::new(),
        after: None,
        keys: HashMap::new(),
    };
    for row in batch.rows {
        let owner = row
            .phones
            .iter()
            .find_map(|ph| owner_of(&ph.e164, &keys))
            .or_else(|| row.emails.iter().find_map(|e| owner_of(e, &keys)));
        let (id, fresh) = match owner {
            Some((id, in_flight_batch)) => {
                p.tally.merged += 1;
                p.after = Ord::max(p.after, in_flight_batch);
                (id, false)
            }
            None => {
                p.tally.created += 1;
                (crate::ids::contact().to_string(), true)
            }
        };
        // New numbers and addresses of this row (a merge adds what the contact lacks).
        let mut pos = 0;
        let mut flagged = false;
        for ph in row.phones {
            if owner_of(&ph.e164, &keys).is_some() {
                continue;
            }
            keys.insert(ph.e164.clone(), id.clone());
            let flag =
                if internal_dnc.contains(&ph.e164) { Some("internal") } else { ph.national.then_some("national") };
            flagged |= flag.is_some();
            p.phones.push(contact_phone::Model {
                tenant_id: tenant.to_string(),
                e164: ph.e164,
                contact_id: id.clone(),
                label: None,
                // Merged numbers go after the contact's own.
                position: if fresh { pos } else { 100 + pos },
                dnc_flag: flag.map(str::to_owned),
                states: ph.states,
                zones: ph.zones,
                created_at: now,
            });
            pos += 1;
        }
        if flagged {
            p.tally.dnc_flagged += 1;
        }
        let mut epos = 0;
        for e in row.emails {
            if owner_of(&e, &keys).is_some() {
                continue;
            }
            keys.insert(e.clone(), id.clone());
            p.emails.push(contact_email::Model {
                tenant_id: tenant.to_string(),
                email: e,
                contact_id: id.clone(),
                position: if fresh { epos } else { 100 + epos },
                created_at: now,
            });
            epos += 1;
        }
        if fresh {
            let f = row.fields;
            p.contacts.push(contact::Model {
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
                import_row: Some(row.number),
                created_at: now,
                updated_at: now,
            });
            p.fresh_members.push(id);
        } else {
            p.merged_members.push(id);
        }
    }
    // Several rows of a batch may merge into one contact, maybe one this batch created.
    p.merged_members.sort();
    p.merged_members.dedup();
    let fresh: HashSet<&String> = p.fresh_members.iter().collect();
    p.merged_members.retain(|m| !fresh.contains(m));
    // One error per (row, column): a column repeated in a row keeps its first message.
    let mut seen = HashSet::new();
    p.errors = batch
        .errors
        .into_iter()
        .filter(|e| seen.insert((e.number, e.field.clone())))
        .map(|e| import_error::Model {
            tenant_id: tenant.to_string(),
            import_id: imp.id.clone(),
            row: e.number,
            field: e.field.chars().take(200).collect(),
            message: e.message.chars().take(300).collect(),
            // PostgreSQL text holds no NUL.
            raw: Some(e.raw.replace('\0', "")),
        })
        .collect();
    p.keys = keys;
    p
}

/// Stage 3: writes a planned batch and commits it with its checkpoint, after the batch
/// before it (`seq - 1`) committed.
async fn write(
    db: &Db,
    tenant: &TenantId,
    imp: &import::Model,
    p: &Planned,
    seq: i64,
    commits: &mut watch::Receiver<Commits>,
) -> Result<(), JobError> {
    if let Some(before) = p.after {
        committed(commits, before).await?;
    }
    if db.get_database_backend() == DbBackend::Postgres {
        write_pg(db.get_postgres_connection_pool(), tenant, imp, p, seq, commits).await
    } else {
        write_orm(db, tenant, imp, p, seq, commits).await
    }
}

const LIST_GONE: &str = "the list this import fills was deleted while it ran; the rows before it are in; import the file again into another list";
const CONTACT_GONE: &str = "a contact this batch adds to was deleted meanwhile; planning it again";
const MOVED_BY_ANOTHER: &str = "another runner moved this import's checkpoint; stopping";

/// PostgreSQL: each table's rows in one `COPY`, on a connection of this batch's own.
async fn write_pg(
    pool: &sqlx::PgPool,
    tenant: &TenantId,
    imp: &import::Model,
    p: &Planned,
    seq: i64,
    commits: &mut watch::Receiver<Commits>,
) -> Result<(), JobError> {
    let mut tx = pool.begin().await.map_err(db_err)?;
    // A batch commits with its checkpoint, so a batch lost to a database crash is lost together
    // with its checkpoint and redone on resume: no need to wait for the WAL flush of each one.
    sqlx::query("SET LOCAL synchronous_commit = off").execute(&mut *tx).await.map_err(db_err)?;
    let tenant_id = tenant.to_string();
    let mut out = CopyText::default();
    for c in &p.contacts {
        out.text(&c.tenant_id).text(&c.id).opt(&c.first_name).opt(&c.last_name).opt(&c.company).opt(&c.zip);
        out.opt(&c.state).opt(&c.address).opt(&c.city).opt(&c.address_state).text(&c.custom).opt(&c.lead_type);
        out.opt(&c.source).num(c.score).text(&c.stage).opt(&c.owner_id).opt(&c.import_id);
        out.opt_num(c.import_row).time(c.created_at).time(c.updated_at).end();
    }
    copy_in(
        &mut tx,
        "contacts (tenant_id, id, first_name, last_name, company, zip, state, address, city, address_state, \
         custom, lead_type, source, score, stage, owner_id, import_id, import_row, created_at, updated_at)",
        out.take(),
    )
    .await?;
    for ph in &p.phones {
        out.text(&ph.tenant_id).text(&ph.e164).text(&ph.contact_id).opt(&ph.label).num(ph.position);
        out.opt(&ph.dnc_flag).opt(&ph.states).opt(&ph.zones).time(ph.created_at).end();
    }
    copy_in(
        &mut tx,
        "contact_phones (tenant_id, e164, contact_id, label, position, dnc_flag, states, zones, created_at)",
        out.take(),
    )
    .await?;
    for e in &p.emails {
        out.text(&e.tenant_id).text(&e.email).text(&e.contact_id).num(e.position).time(e.created_at).end();
    }
    copy_in(&mut tx, "contact_emails (tenant_id, email, contact_id, position, created_at)", out.take()).await?;
    if let Some(list) = &imp.list_id {
        let now = Utc::now();
        for c in &p.fresh_members {
            out.text(&tenant_id).text(list).text(c).time(now).end();
        }
        copy_in(&mut tx, "list_members (tenant_id, list_id, contact_id, created_at)", out.take()).await?;
        if !p.merged_members.is_empty() {
            sqlx::query(
                "INSERT INTO list_members (tenant_id, list_id, contact_id, created_at) \
                 SELECT $1, $2, c, now() FROM unnest($3::text[]) AS c ON CONFLICT DO NOTHING",
            )
            .bind(&tenant_id)
            .bind(list)
            .bind(&p.merged_members)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        }
    }
    for e in &p.errors {
        out.text(&e.tenant_id).text(&e.import_id).num(e.row).text(&e.field).text(&e.message).opt(&e.raw).end();
    }
    copy_in(&mut tx, "import_errors (tenant_id, import_id, row, field, message, raw)", out.take()).await?;

    if let Err(e) = committed(commits, seq - 1).await {
        tx.rollback().await.map_err(db_err)?;
        return Err(e);
    }
    // No foreign key checks these rows (migrations `m20261206_000015_import_keys` and
    // `..._000016_list_member_keys`): the list and the stored contacts they add to are locked
    // here as a key would lock them, once per batch. A contact deleted since the look-up rolls
    // the batch back and the retry plans it again; a deleted list ends the import.
    if let Some(list) = &imp.list_id
        && !hold(&mut tx, LISTS, &tenant_id, std::slice::from_ref(list)).await?
    {
        tx.rollback().await.map_err(db_err)?;
        return Err(JobError::permanent(LIST_GONE));
    }
    if !p.merged_members.is_empty() && !hold(&mut tx, CONTACTS, &tenant_id, &p.merged_members).await? {
        tx.rollback().await.map_err(db_err)?;
        return Err(JobError::retryable(CONTACT_GONE));
    }
    let t = p.tally;
    let moved = sqlx::query(
        "UPDATE imports SET bytes_done = $1, rows_done = rows_done + $2, rows_created = rows_created + $3, \
         rows_merged = rows_merged + $4, rows_failed = rows_failed + $5, rows_dnc_flagged = rows_dnc_flagged + $6, \
         updated_at = now() WHERE tenant_id = $7 AND id = $8 AND bytes_done = $9",
    )
    .bind(p.end_offset as i64)
    .bind(p.count)
    .bind(t.created)
    .bind(t.merged)
    .bind(t.failed)
    .bind(t.dnc_flagged)
    .bind(&tenant_id)
    .bind(&imp.id)
    .bind(p.start_offset as i64)
    .execute(&mut *tx)
    .await
    .map_err(db_err)?
    .rows_affected();
    if moved != 1 {
        tx.rollback().await.map_err(db_err)?;
        return Err(JobError::retryable(MOVED_BY_ANOTHER));
    }
    tx.commit().await.map_err(db_err)
}

/// The rows a batch holds (see [`hold`]).
const LISTS: &str = "SELECT id FROM lists WHERE tenant_id = $1 AND id = ANY($2) FOR KEY SHARE";
const CONTACTS: &str = "SELECT id FROM contacts WHERE tenant_id = $1 AND id = ANY($2) FOR KEY SHARE";

/// Locks the tenant's rows with these ids (distinct) as a foreign key to them would (`FOR KEY
/// SHARE`, `rows` is [`LISTS`] or [`CONTACTS`]) until the transaction ends: whether every one
/// of them still exists.
async fn hold(
    tx: &mut sqlx::PgConnection,
    rows: &'static str,
    tenant_id: &str,
    ids: &[String],
) -> Result<bool, JobError> {
    let held: Vec<(String,)> = sqlx::query_as(rows).bind(tenant_id).bind(ids).fetch_all(tx).await.map_err(db_err)?;
    Ok(held.len() == ids.len())
}

async fn copy_in(tx: &mut sqlx::PgConnection, target: &str, data: Vec<u8>) -> Result<(), JobError> {
    if data.is_empty() {
        return Ok(());
    }
    let mut copy = tx.copy_in_raw(&format!("COPY {target} FROM STDIN")).await.map_err(db_err)?;
    copy.send(data).await.map_err(db_err)?;
    copy.finish().await.map_err(db_err)?;
    Ok(())
}

/// Rows in `COPY`'s text format: tab-separated, `\N` for NULL, backslash escapes.
#[derive(Default)]
struct CopyText(Vec<u8>);

impl CopyText {
    fn text(&mut self, v: &str) -> &mut Self {
        for b in v.bytes() {
            match b {
                b'\\' => self.0.extend_from_slice(b"\\\\"),
                b'\t' => self.0.extend_from_slice(b"\\t"),
                b'\n' => self.0.extend_from_slice(b"\\n"),
                b'\r' => self.0.extend_from_slice(b"\\r"),
                // PostgreSQL text holds no NUL.
                0 => {}
                _ => self.0.push(b),
            }
        }
        self.0.push(b'\t');
        self
    }

    fn opt(&mut self, v: &Option<String>) -> &mut Self {
        match v {
            Some(s) => self.text(s),
            None => {
                self.0.extend_from_slice(b"\\N\t");
                self
            }
        }
    }

    fn num(&mut self, n: impl std::fmt::Display) -> &mut Self {
        use std::io::Write;
        // Writing into a Vec cannot fail.
        let _ = write!(self.0, "{n}\t");
        self
    }

    fn opt_num(&mut self, n: Option<i64>) -> &mut Self {
        match n {
            Some(n) => self.num(n),
            None => {
                self.0.extend_from_slice(b"\\N\t");
                self
            }
        }
    }

    fn time(&mut self, t: DateTime<Utc>) -> &mut Self {
        self.text(&t.to_rfc3339())
    }

    /// Ends the row: its last tab becomes the line's end.
    fn end(&mut self) {
        if let Some(last) = self.0.last_mut() {
            *last = b'\n';
        }
    }

    fn take(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.0)
    }
}

/// SQLite (one writer): the same rows through the ORM.
async fn write_orm(
    db: &Db,
    tenant: &TenantId,
    imp: &import::Model,
    p: &Planned,
    seq: i64,
    commits: &mut watch::Receiver<Commits>,
) -> Result<(), JobError> {
    let txn = crate::db::begin(db).await.map_err(db_err)?;
    let now = Utc::now();
    insert_chunked::<_, contact::ActiveModel>(&txn, &p.contacts).await?;
    insert_chunked::<_, contact_phone::ActiveModel>(&txn, &p.phones).await?;
    insert_chunked::<_, contact_email::ActiveModel>(&txn, &p.emails).await?;
    if let Some(list) = &imp.list_id {
        lists::add_members(&txn, tenant, list, &p.merged_members, now).await.map_err(|e| match e {
            RepoError::NotFound => JobError::permanent(LIST_GONE),
            other => db_err(other),
        })?;
        let members: Vec<list_member::Model> = p
            .fresh_members
            .iter()
            .map(|contact_id| list_member::Model {
                tenant_id: tenant.to_string(),
                list_id: list.clone(),
                contact_id: contact_id.clone(),
                created_at: now,
            })
            .collect();
        insert_chunked::<_, list_member::ActiveModel>(&txn, &members).await?;
    }
    insert_chunked::<_, import_error::ActiveModel>(&txn, &p.errors).await?;
    if let Err(e) = committed(commits, seq - 1).await {
        txn.rollback().await.map_err(db_err)?;
        return Err(e);
    }
    let t = p.tally;
    let moved = scope::update_many::<import::Entity>(tenant)
        .col_expr(import::Column::BytesDone, Expr::value(p.end_offset as i64))
        .col_expr(import::Column::RowsDone, Expr::col(import::Column::RowsDone).add(p.count))
        .col_expr(import::Column::RowsCreated, Expr::col(import::Column::RowsCreated).add(t.created))
        .col_expr(import::Column::RowsMerged, Expr::col(import::Column::RowsMerged).add(t.merged))
        .col_expr(import::Column::RowsFailed, Expr::col(import::Column::RowsFailed).add(t.failed))
        .col_expr(import::Column::RowsDncFlagged, Expr::col(import::Column::RowsDncFlagged).add(t.dnc_flagged))
        .col_expr(import::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(import::Column::Id.eq(imp.id.as_str()))
        .filter(import::Column::BytesDone.eq(p.start_offset as i64))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    if moved.rows_affected != 1 {
        txn.rollback().await.map_err(db_err)?;
        return Err(JobError::retryable(MOVED_BY_ANOTHER));
    }
    txn.commit().await.map_err(db_err)
}

/// Inserts rows 1,000 at a time (SQLite takes at most 32,766 values in a statement).
async fn insert_chunked<M, A>(txn: &sea_orm::DatabaseTransaction, rows: &[M]) -> Result<(), JobError>
where
    M: Clone + Into<A>,
    A: ActiveModelTrait + Send,
{
    for chunk in rows.chunks(1000) {
        let chunk: Vec<A> = chunk.iter().map(|m| m.clone().into().reset_all()).collect();
        <A::Entity as EntityTrait>::insert_many(chunk).exec_without_returning(txn).await.map_err(db_err)?;
    }
    Ok(())
}

impl std::fmt::Debug for ImportDeps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportDeps").field("spool_dir", &self.spool_dir).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_filter_never_forgets_and_seldom_imagines() {
        // Sized for a 1 MB file: 2^20 bits for 20,000 keys.
        let mut seen = Seen::for_file(1_000_000);
        let key = |i: u32| format!("+1312{i:07}");
        (0..20_000).for_each(|i| seen.insert(&key(i)));
        assert!((0..20_000).all(|i| seen.may_hold(&key(i))));
        let imagined = (20_000..120_000).filter(|&i| seen.may_hold(&key(i))).count();
        // (1 - e^(-3 * 20k / 2^20))^3 is about 1.7e-4: some 17 of 100,000.
        assert!(imagined < 100, "{imagined} false hits of 100,000");
        assert_eq!(Seen::for_file(10).words.len(), (1 << 16) / 64);
    }

    #[test]
    fn a_batch_looks_up_only_what_may_be_stored() {
        let row = |phones: &[&str], emails: &[&str]| Row {
            number: 1,
            fields: Default::default(),
            phones: phones
                .iter()
                .map(|p| PhoneIn { e164: (*p).into(), national: false, states: None, zones: None })
                .collect(),
            emails: emails.iter().map(|e| (*e).into()).collect(),
        };
        let batch = ParsedBatch {
            rows: vec![row(&["+13125550102", "+13125550101"], &["a@x.com"]), row(&["+13125550101"], &["b@x.com"])],
            errors: Vec::new(),
            count: 2,
            failed: 0,
            start_offset: 0,
            end_offset: 0,
        };
        let all = Keys::of(&batch, None, None);
        assert_eq!(all.phones, ["+13125550101", "+13125550102"]);
        assert_eq!((all.emails.len(), all.dnc.len(), all.listed.len()), (2, 2, 0));
        let mut seen = Seen::for_file(0);
        seen.insert("+13125550102");
        seen.insert("b@x.com");
        let listed: HashSet<String> = ["+13125550101".to_owned(), "+19995550100".to_owned()].into();
        let some = Keys::of(&batch, Some(&seen), Some(&listed));
        assert_eq!((some.phones, some.emails), (vec!["+13125550102".to_owned()], vec!["b@x.com".to_owned()]));
        assert_eq!((some.dnc, some.listed), (Vec::<String>::new(), vec!["+13125550101".to_owned()]));
    }

    #[test]
    fn copy_text_escapes_what_copy_reads_specially() {
        let mut out = CopyText::default();
        out.text("a\tb\\c\nd\re\0f").opt(&None).num(7).opt_num(None).end();
        out.text("x").end();
        assert_eq!(out.take(), b"a\\tb\\\\c\\nd\\ref\t\\N\t7\t\\N\nx\n".to_vec());
    }
}
