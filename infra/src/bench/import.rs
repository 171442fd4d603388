//! `outdial bench import`: a list import end to end into PostgreSQL, through exactly the code
//! the product runs.
//!
//! A synthetic CSV (names, one or two numbers across many area codes, email, ZIP, state, a
//! custom column; duplicates of earlier leads and a planted share of bad rows) is stored the
//! way the upload endpoint stores it (`ChunkWriter`, 64 KiB frames as from an HTTP body),
//! the agency, owner and import rows are created with the repositories the API uses, and
//! `import::process::run` (the job's body) imports it. The counts are checked against what
//! was planted, so a fast wrong answer fails the run.

use super::{PLACES, peak_rss};
use crate::{
    db::{
        Db,
        repo::{imports, lists, members, tenants, users},
    },
    gate::{NationalRegistry, NoRegistry},
    import::{
        mapping::suggest,
        process::{self, ImportDeps},
        status,
        upload::ChunkWriter,
    },
};
use anyhow::{Context, ensure};
use chrono::Utc;
use outdial_domain::{ids::TenantId, tenancy::Role};
use rand::{Rng, SeedableRng, rngs::StdRng};
use sea_orm::{ConnectOptions, ConnectionTrait, Database};
use std::collections::BTreeMap;
use std::fmt;
use std::io::{BufWriter, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The server a fresh benchmark database is created on when none is given.
pub const DEFAULT_SERVER: &str = "postgres://postgres@127.0.0.1:5432";

/// The upload limit of the API (`MAX_UPLOAD` of the imports routes).
const UPLOAD_LIMIT: u64 = 1024 * 1024 * 1024;

/// Size of the body frames pushed into the chunk writer, as an HTTP body arrives.
const FRAME: usize = 64 * 1024;

/// What to run.
#[derive(Debug, Clone)]
pub struct ImportBenchOptions {
    /// Data rows in the synthetic file.
    pub rows: u64,
    /// Seed of the synthetic file.
    pub seed: u64,
    /// A migrated database to import into; `None` creates `outdial_bench_<random>` on
    /// [`DEFAULT_SERVER`], migrates it and drops it afterwards.
    pub database_url: Option<String>,
    /// Put the contacts in a new list, as "import into list" does.
    pub list: bool,
    /// Directory for the generated file and the spool (the system temp dir when `None`).
    pub dir: Option<PathBuf>,
}

impl Default for ImportBenchOptions {
    fn default() -> Self {
        Self { rows: 1_000_000, seed: 1, database_url: None, list: false, dir: None }
    }
}

/// Measurements of one run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImportBenchReport {
    /// `postgres`, `sqlite`, and whether the database was created for the run.
    pub database: String,
    /// Data rows in the file.
    pub rows: u64,
    /// File size.
    pub bytes: u64,
    /// Rows planted as duplicates of earlier rows (by phone number).
    pub planted_duplicates: u64,
    /// Rows planted with a bad value (number, ZIP, state, email) or no number or email.
    pub planted_bad_rows: u64,
    /// Seconds to generate the file (not part of any target).
    pub generate_secs: f64,
    /// Seconds to store the upload: import row, chunks, header sniff, suggested mapping.
    pub upload_secs: f64,
    /// Seconds of `import::process::run`: spool, parse, write every batch, finish.
    pub import_secs: f64,
    /// `rows / (upload_secs + import_secs)`.
    pub rows_per_sec_end_to_end: f64,
    /// `rows / import_secs`.
    pub import_rows_per_sec: f64,
    /// Contacts created.
    pub created: i64,
    /// Rows merged into an existing contact.
    pub merged: i64,
    /// Rows refused.
    pub failed: i64,
    /// Rows with a number on a do-not-call list.
    pub dnc_flagged: i64,
    /// Peak resident memory of the process, where the OS reports it.
    pub peak_rss_bytes: Option<u64>,
}

impl fmt::Display for ImportBenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e2e = self.upload_secs + self.import_secs;
        let rows = [
            ("database", self.database.clone()),
            ("synthetic file", format!("{} rows, {:.1} MB", self.rows, self.bytes as f64 / 1e6)),
            ("planted", format!("{} duplicates, {} bad rows", self.planted_duplicates, self.planted_bad_rows)),
            ("generate file", format!("{:.2} s", self.generate_secs)),
            ("upload (store chunks)", format!("{:.2} s", self.upload_secs)),
            ("import (process::run)", format!("{:.2} s ({:.0} rows/s)", self.import_secs, self.import_rows_per_sec)),
            ("end to end", format!("{:.2} s ({:.0} rows/s)", e2e, self.rows_per_sec_end_to_end)),
            ("created / merged / failed", format!("{} / {} / {}", self.created, self.merged, self.failed)),
            ("dnc flagged", self.dnc_flagged.to_string()),
            ("peak RSS", self.peak_rss_bytes.map_or("n/a".into(), |b| format!("{:.0} MB", b as f64 / 1e6))),
        ];
        for (name, value) in rows {
            writeln!(f, "{name:<30} {value}")?;
        }
        Ok(())
    }
}

/// Removes the generated files however the run ends.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        // Best effort: a leftover temp directory must not mask the run's own result.
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn connect(url: &str) -> anyhow::Result<Db> {
    // The pool the product opens on PostgreSQL (`db::connect`).
    let mut opts = ConnectOptions::new(crate::db::loopback_without_tls(url));
    opts.connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        .max_connections(16);
    Database::connect(opts).await.with_context(|| format!("connecting to {}", crate::config::redact_url(url)))
}

/// Runs the benchmark, reporting stages through `log`.
pub async fn run(opts: &ImportBenchOptions, mut log: impl FnMut(&str)) -> anyhow::Result<ImportBenchReport> {
    ensure!(opts.rows > 0, "nothing to import: --rows must be at least 1");
    let base = opts.dir.clone().unwrap_or_else(std::env::temp_dir);
    let scratch = Scratch(base.join(format!("outdial-bench-import-{}-{}", opts.seed, std::process::id())));
    std::fs::create_dir_all(&scratch.0).with_context(|| scratch.0.display().to_string())?;

    let csv = scratch.0.join("leads.csv");
    log(&format!("generating {} rows into {}", opts.rows, csv.display()));
    let started = Instant::now();
    let planted = synth::generate(&csv, opts.rows, opts.seed)?;
    let generate_secs = started.elapsed().as_secs_f64();

    match &opts.database_url {
        Some(url) => {
            log(&format!("using {}", crate::config::redact_url(url)));
            let db = connect(url).await?;
            let kind = if url.starts_with("sqlite") { "sqlite" } else { "postgres" };
            measure(&db, opts, &scratch, planted, generate_secs, format!("{kind} (given)"), &mut log).await
        }
        None => {
            let name = format!("outdial_bench_{:08x}", rand::random::<u32>());
            log(&format!("creating database {name} on {DEFAULT_SERVER}"));
            let admin = connect(&format!("{DEFAULT_SERVER}/postgres")).await?;
            admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await?;
            let outcome = async {
                let db = connect(&format!("{DEFAULT_SERVER}/{name}")).await?;
                crate::db::migrate(&db).await.context("migrating the benchmark database")?;
                let report =
                    measure(&db, opts, &scratch, planted, generate_secs, format!("postgres (fresh {name})"), &mut log)
                        .await;
                db.close().await?;
                report
            }
            .await;
            log(&format!("dropping database {name}"));
            let dropped = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
            let report = outcome?;
            dropped.with_context(|| format!("dropping {name}"))?;
            Ok(report)
        }
    }
}

async fn measure(
    db: &Db,
    opts: &ImportBenchOptions,
    scratch: &Scratch,
    planted: synth::Planted,
    generate_secs: f64,
    database: String,
    log: &mut impl FnMut(&str),
) -> anyhow::Result<ImportBenchReport> {
    // The agency and its owner, as signup creates them (the password hash is no hash, so
    // nobody can log in as the benchmark's owner).
    let now = Utc::now();
    let tx = crate::db::begin(db).await?;
    let tenant = tenants::create(&tx, "Outdial Bench Agency", now).await?;
    let email = format!("bench-{}@outdial.invalid", crate::ids::raw(""));
    let user = users::create(&tx, &email, "Bench Owner", "!no-login", now).await?;
    let tenant_id = TenantId::parse(&tenant.id)?;
    members::add(&tx, &tenant_id, &user.id, Role::Owner, now).await?;
    tx.commit().await?;

    log("storing the upload");
    let started = Instant::now();
    let imp = imports::create(db, &tenant_id, "bench-leads.csv", None, &user.id, Utc::now()).await?;
    let mut writer = ChunkWriter::new(&tenant_id, &imp.id, UPLOAD_LIMIT);
    let mut file = std::fs::File::open(&planted.path)?;
    let mut frame = vec![0u8; FRAME];
    loop {
        let n = file.read(&mut frame)?;
        if n == 0 {
            break;
        }
        writer.push(db, &frame[..n]).await?;
    }
    let (total, sniffed) = writer.finish(db).await?;
    let suggested: BTreeMap<String, String> =
        suggest(&sniffed.headers).into_iter().map(|(i, f)| (i.to_string(), f.name())).collect();
    imports::uploaded(db, &tenant_id, &imp.id, total, &sniffed.headers, sniffed.encoding, &suggested).await?;
    if opts.list {
        let list = lists::create(db, &tenant_id, "Bench list", Utc::now()).await?;
        imports::set_list(db, &tenant_id, &imp.id, Some(&list.id)).await?;
    }
    let upload_secs = started.elapsed().as_secs_f64();
    ensure!(total == planted.bytes, "{total} bytes stored, {} generated", planted.bytes);

    log("importing");
    let national: Arc<dyn NationalRegistry> = Arc::new(NoRegistry);
    let deps = ImportDeps { db: db.clone(), national, spool_dir: scratch.0.join("spool"), events: None };
    let started = Instant::now();
    process::run(&deps, &tenant_id, &imp.id).await.map_err(|e| {
        anyhow::anyhow!("import failed ({}): {}", if e.retryable { "retryable" } else { "permanent" }, e.message)
    })?;
    let import_secs = started.elapsed().as_secs_f64();

    let done = imports::get(db, &tenant_id, &imp.id).await?;
    ensure!(done.status == status::DONE, "the import ended {:?}", done.status);
    ensure!(done.rows_done == planted.rows as i64, "{} rows done of {}", done.rows_done, planted.rows);
    ensure!(done.rows_created + done.rows_merged + done.rows_failed == done.rows_done, "the row counts do not add up");
    ensure!(
        done.rows_failed == planted.bad as i64,
        "{} rows failed, {} bad rows planted",
        done.rows_failed,
        planted.bad
    );
    // Random numbers may collide too, so at least the planted duplicates merge.
    ensure!(
        done.rows_merged >= planted.duplicates as i64,
        "{} rows merged, {} duplicates planted",
        done.rows_merged,
        planted.duplicates
    );

    let rows = planted.rows;
    Ok(ImportBenchReport {
        database,
        rows,
        bytes: planted.bytes,
        planted_duplicates: planted.duplicates,
        planted_bad_rows: planted.bad,
        generate_secs,
        upload_secs,
        import_secs,
        rows_per_sec_end_to_end: rows as f64 / (upload_secs + import_secs),
        import_rows_per_sec: rows as f64 / import_secs,
        created: done.rows_created,
        merged: done.rows_merged,
        failed: done.rows_failed,
        dnc_flagged: done.rows_dnc_flagged,
        peak_rss_bytes: peak_rss(),
    })
}

/// The synthetic lead file.
mod synth {
    use super::*;

    /// What was written, for checking the import.
    pub(super) struct Planted {
        pub(super) path: PathBuf,
        pub(super) rows: u64,
        pub(super) bytes: u64,
        pub(super) duplicates: u64,
        pub(super) bad: u64,
    }

    const FIRST: [&str; 24] = [
        "James",
        "Mary",
        "Robert",
        "Patricia",
        "John",
        "Jennifer",
        "Michael",
        "Linda",
        "David",
        "Elizabeth",
        "William",
        "Barbara",
        "José",
        "Susan",
        "Chen",
        "Jessica",
        "Thomas",
        "Sarah",
        "Carlos",
        "Karen",
        "Aaliyah",
        "Nguyen",
        "Daniel",
        "María",
    ];
    const LAST: [&str; 24] = [
        "Smith",
        "Johnson",
        "Williams",
        "Brown",
        "Jones",
        "Garcia",
        "Miller",
        "Davis",
        "Rodriguez",
        "Martinez",
        "Hernandez",
        "Lopez",
        "Gonzalez",
        "Wilson",
        "Anderson",
        "Thomas",
        "Taylor",
        "Moore",
        "Jackson",
        "Martin",
        "Lee",
        "O'Brien",
        "Pérez",
        "Thompson",
    ];
    const TIERS: [&str; 4] = ["gold", "silver", "bronze", "\"gold, VIP\""];
    const DOMAINS: [&str; 5] = ["gmail.com", "yahoo.com", "outlook.com", "icloud.com", "example.org"];

    /// A random ten-digit number in one of the area codes.
    fn number(rng: &mut StdRng, npa: u16) -> u64 {
        u64::from(npa) * 10_000_000 + rng.gen_range(200..1000u64) * 10_000 + rng.gen_range(0..10_000u64)
    }

    /// The number as people type it into spreadsheets.
    fn write_number(out: &mut Vec<u8>, rng: &mut StdRng, n: u64) -> std::io::Result<()> {
        let (npa, nxx, line) = (n / 10_000_000, n / 10_000 % 1000, n % 10_000);
        match rng.gen_range(0..5) {
            0 => write!(out, "({npa}) {nxx}-{line:04}"),
            1 => write!(out, "{npa}-{nxx}-{line:04}"),
            2 => write!(out, "{npa}{nxx}{line:04}"),
            3 => write!(out, "+1 {npa} {nxx} {line:04}"),
            _ => write!(out, "1{npa}.{nxx}.{line:04}"),
        }
    }

    pub(super) fn generate(path: &std::path::Path, rows: u64, seed: u64) -> anyhow::Result<Planted> {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
        let header = b"First Name,Last Name,Phone,Mobile Phone,Email,Zip,State,Lead Tier\n";
        out.write_all(header)?;
        let mut planted = Planted { path: path.to_owned(), rows, bytes: header.len() as u64, duplicates: 0, bad: 0 };
        // First numbers of good rows, for duplicates to reuse.
        let mut good: Vec<u64> = Vec::with_capacity(rows.min(10_000_000) as usize);
        let mut line = Vec::with_capacity(256);
        for i in 0..rows {
            line.clear();
            let place = &PLACES[rng.gen_range(0..PLACES.len())];
            let (first, last) = (FIRST[rng.gen_range(0..FIRST.len())], LAST[rng.gen_range(0..LAST.len())]);
            let roll: f64 = rng.r#gen();
            // 1.5% bad rows, 2% duplicates of an earlier good row, the rest new leads.
            let bad = (roll < 0.015).then(|| rng.gen_range(0..5));
            let duplicate = (0.015..0.035).contains(&roll) && !good.is_empty();
            let phone = if duplicate { good[rng.gen_range(0..good.len())] } else { number(&mut rng, place.npa) };
            write!(line, "{first},{last},")?;
            match bad {
                Some(0) => write!(line, "{}-{:04}", phone / 10_000 % 1000, phone % 10_000)?,
                Some(4) => {}
                _ => write_number(&mut line, &mut rng, phone)?,
            }
            line.push(b',');
            if bad != Some(4) && rng.gen_bool(0.4) {
                let npa = PLACES[rng.gen_range(0..PLACES.len())].npa;
                let other = number(&mut rng, npa);
                write_number(&mut line, &mut rng, other)?;
            }
            line.push(b',');
            match bad {
                Some(1) => write!(line, "{}.{}@", first.to_lowercase(), i)?,
                Some(4) => {}
                _ if rng.gen_bool(0.85) => write!(
                    line,
                    "{}.{}{}@{}",
                    first.to_lowercase().replace(['é', 'í'], "e"),
                    last.to_lowercase().replace(['é', '\''], ""),
                    i,
                    DOMAINS[rng.gen_range(0..DOMAINS.len())]
                )?,
                _ => {}
            }
            line.push(b',');
            match bad {
                Some(2) => write!(line, "{}", &place.zip[..4])?,
                _ if rng.gen_bool(0.9) => line.extend_from_slice(place.zip.as_bytes()),
                _ => {}
            }
            line.push(b',');
            match bad {
                Some(3) => line.extend_from_slice(b"XX"),
                _ if rng.gen_bool(0.8) => line.extend_from_slice(place.state.as_bytes()),
                _ => {}
            }
            writeln!(line, ",{}", TIERS[rng.gen_range(0..TIERS.len())])?;
            if bad.is_some() {
                planted.bad += 1;
            } else if duplicate {
                planted.duplicates += 1;
            } else {
                good.push(phone);
            }
            out.write_all(&line)?;
            planted.bytes += line.len() as u64;
        }
        out.flush()?;
        Ok(planted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_synthetic_file_is_what_the_suggested_mapping_expects() {
        let dir = std::env::temp_dir().join(format!("outdial-bench-import-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("leads.csv");
        let planted = synth::generate(&path, 20_000, 5).expect("generates");
        let text = std::fs::read(&path).expect("read");
        assert_eq!(text.len() as u64, planted.bytes);
        let sniffed = crate::import::upload::sniff(&text[..4096]).expect("sniff");
        let mapping = suggest(&sniffed.headers);
        use crate::import::mapping::Field;
        assert_eq!(mapping[&2], Field::Phone);
        assert_eq!(mapping[&3], Field::Phone);
        assert_eq!(mapping[&4], Field::Email);
        assert_eq!(mapping[&7], Field::Custom("Lead Tier".into()));
        let records: Vec<csv::StringRecord> =
            csv::Reader::from_reader(&text[..]).records().collect::<Result<_, _>>().expect("valid CSV");
        assert_eq!(records.len(), 20_000);
        assert!(records.iter().all(|r| r.len() == 8), "every row has the header's columns");
        // 1.5% bad, 2% duplicates, within sampling noise.
        assert!((200..400).contains(&planted.bad), "{}", planted.bad);
        assert!((300..500).contains(&planted.duplicates), "{}", planted.duplicates);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
