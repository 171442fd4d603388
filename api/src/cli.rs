//! The `outdial` command line. `serve` runs everything in one process (the embedded default);
//! `api` and `worker` scale separately on PostgreSQL and Redis.

use crate::run::{DEMO_EMAIL, DEMO_PASSWORD, Mode};
use clap::{Args, Parser, Subcommand};
use outdial_infra::config::{Config, LogFormat, Sources};
use std::{path::PathBuf, process::ExitCode};

#[derive(Parser)]
#[command(name = "outdial", version, about = "Outdial: outbound calling for agencies")]
struct Cli {
    /// A TOML config file (keys as in the README's configuration table).
    #[arg(long, global = true, env = "OUTDIAL_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct ServeArgs {
    /// HTTP port (env OUTDIAL_PORT; default 8080).
    #[arg(long)]
    port: Option<u16>,
    /// Where the SQLite database, queue and mail log live (env OUTDIAL_DATA_DIR; default ./data).
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Everything in one process: API, workers, web UI, demo agency.
    Serve(ServeArgs),
    /// The HTTP tier only (run `outdial migrate` first).
    Api(ServeArgs),
    /// The outbox relay and background job workers only.
    Worker {
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
    /// Applies database migrations and exits.
    Migrate,
    /// Writes the OpenAPI document of the live router.
    Openapi {
        /// Where to write it.
        #[arg(long, default_value = "openapi/openapi.json")]
        out: PathBuf,
        /// Exit non-zero if the file differs instead of writing it.
        #[arg(long)]
        check: bool,
    },
    /// National Do Not Call Registry data.
    Dnc {
        #[command(subcommand)]
        command: DncCommand,
    },
    /// The sandbox carrier on its own: Twilio and Telnyx wire protocols, simulated world.
    SandboxCarrier {
        #[arg(long, default_value_t = 8090)]
        port: u16,
        /// Seed of the simulated outcomes.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Speed of simulated time (0.01 = 100x faster).
        #[arg(long, default_value_t = 1.0)]
        time_scale: f64,
    },
    /// The keys that encrypt carrier credentials at rest.
    Secrets {
        #[command(subcommand)]
        command: SecretsCommand,
    },
    /// Performance benchmarks: `outdial bench <what>`.
    Bench {
        #[command(subcommand)]
        what: BenchCommand,
    },
}

#[derive(Subcommand)]
enum SecretsCommand {
    /// Prints a new random key (`id:base64`). Put it first in OUTDIAL_SECRET_KEYS (keep the
    /// old ones after it), restart, then run `outdial secrets rotate`.
    NewKey {
        /// The new key's id (letters, digits, `-`, `_`).
        #[arg(long, default_value = "k2")]
        id: String,
    },
    /// Re-encrypts every carrier account's credentials with the current (first) key, so the
    /// older keys can then be removed from OUTDIAL_SECRET_KEYS. Safe to run again.
    Rotate {
        /// Data directory holding the generated keyring when OUTDIAL_SECRET_KEYS is unset.
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum DncCommand {
    /// Builds the registry snapshot from FTC download files (unzipped).
    Import(DncImportArgs),
}

#[derive(Args)]
struct DncImportArgs {
    /// Full-list files, or directories of them (one file per area code, as downloaded).
    #[arg(long, num_args = 1.., required = true)]
    full: Vec<PathBuf>,
    /// Change-list files of added numbers, or directories of them.
    #[arg(long, num_args = 1..)]
    changes: Vec<PathBuf>,
    /// Change-list files of deleted numbers, or directories of them.
    #[arg(long, num_args = 1..)]
    deletions: Vec<PathBuf>,
    /// The date these files were downloaded from the FTC (YYYY-MM-DD); scrubs count the
    /// 31-day limit from it.
    #[arg(long)]
    copy_date: chrono::NaiveDate,
    /// Where to write the snapshot (default `<data_dir>/dnc/national.snap`).
    #[arg(long)]
    snapshot: Option<PathBuf>,
    /// Data directory for the default snapshot path (env OUTDIAL_DATA_DIR; default ./data).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Fail without writing the snapshot if any line is malformed.
    #[arg(long)]
    strict: bool,
}

#[derive(Subcommand)]
enum BenchCommand {
    /// The National DNC registry at full size on synthetic FTC files.
    Dnc(BenchDncArgs),
    /// A list import end to end into PostgreSQL: upload storage, then the import job.
    Import(BenchImportArgs),
    /// Decisions per second of the compliance gate on one core.
    Gate(BenchGateArgs),
    /// Pacing policies in the discrete-event simulation of PACING.md §4 (common random numbers).
    Pacing(BenchPacingArgs),
    /// The real engine on PostgreSQL and Redis with sandbox-carrier traffic: time from a
    /// person answering to an agent on the line, with hundreds of calls in flight.
    Engine(BenchEngineArgs),
    /// Signed carrier webhooks verified, deduplicated, persisted and published: events/s and
    /// latency, with duplicates and reordering.
    Webhooks(BenchWebhooksArgs),
}

#[derive(Args)]
struct BenchWebhooksArgs {
    /// Simulated calls; each sends four events.
    #[arg(long, default_value_t = 5000)]
    calls: usize,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Share of events delivered twice (0–1).
    #[arg(long, default_value_t = 0.05)]
    duplicate: f64,
    /// Share of calls whose events arrive out of order (0–1).
    #[arg(long, default_value_t = 0.05)]
    reorder: f64,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[command(flatten)]
    server: BenchServer,
    /// Print the report as one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

/// Where a benchmark runs the real engine.
#[derive(Args)]
struct BenchServer {
    /// A migrated or empty database (default: a fresh `outdial_bench_<random>` on
    /// postgres://postgres@127.0.0.1:5432, dropped afterwards).
    #[arg(long)]
    database_url: Option<String>,
    #[arg(long, default_value = "redis://127.0.0.1:6379")]
    redis_url: String,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum CarrierKind {
    Twilio,
    Telnyx,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum EngineMode {
    Progressive,
    Power,
    Predictive,
}

#[derive(Args)]
struct BenchEngineArgs {
    /// Which carrier's wire protocol the sandbox speaks.
    #[arg(long, value_enum, default_value = "telnyx")]
    provider: CarrierKind,
    #[arg(long, value_enum, default_value = "power")]
    mode: EngineMode,
    #[arg(long, default_value_t = 250)]
    agents: usize,
    /// Lines per agent in power mode (1–3).
    #[arg(long, default_value_t = 2)]
    lines: u32,
    #[arg(long, default_value_t = 6000)]
    leads: usize,
    /// Seconds of dialing before the campaign is stopped and the calls in flight finish
    /// (0: run until the campaign completes).
    #[arg(long, default_value_t = 90)]
    secs: u64,
    /// Speed of the simulated world: 1 = real time, 0.25 = four times faster.
    #[arg(long, default_value_t = 0.25)]
    time_scale: f64,
    /// Agents disposition every call over the API (default: wrap-up ends by itself).
    #[arg(long)]
    dispose: bool,
    #[command(flatten)]
    server: BenchServer,
    /// Print the report as one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum PacingPolicy {
    Progressive,
    Power2,
    Power3,
    Vicidial,
    Predictive,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum PacingScenario {
    #[value(name = "S", alias = "s")]
    S,
    #[value(name = "M", alias = "m")]
    M,
    #[value(name = "L", alias = "l")]
    L,
}

#[derive(Args)]
struct BenchPacingArgs {
    /// Preset of PACING.md §3 (S: 5 agents, 5% humans; M: 20, 12%; L: 100, 25%); flags override it.
    #[arg(long, value_enum)]
    scenario: Option<PacingScenario>,
    #[arg(long, value_enum, default_value = "predictive")]
    policy: PacingPolicy,
    #[arg(long)]
    agents: Option<u32>,
    /// Share of dials a person answers (0–1).
    #[arg(long)]
    human: Option<f64>,
    #[arg(long)]
    machine: Option<f64>,
    #[arg(long)]
    no_answer: Option<f64>,
    #[arg(long)]
    busy: Option<f64>,
    #[arg(long)]
    invalid: Option<f64>,
    /// Mean talk time, seconds.
    #[arg(long)]
    talk_mean: Option<f64>,
    /// Talk-time coefficient of variation.
    #[arg(long)]
    talk_cv: Option<f64>,
    /// Mean wrap-up, seconds.
    #[arg(long)]
    wrap_mean: Option<f64>,
    /// No-answer timeout, seconds.
    #[arg(long)]
    timeout: Option<f64>,
    /// Shift length in hours (8).
    #[arg(long)]
    hours: Option<f64>,
    /// Seeds, i.e. days of one campaign (30).
    #[arg(long)]
    seeds: Option<u32>,
    /// Seconds a person who answered waits for an agent before the safe-harbor message (2;
    /// the engine plays it at once: 0).
    #[arg(long)]
    abandon_after: Option<f64>,
    /// Print the report as one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct BenchImportArgs {
    /// Data rows in the synthetic CSV.
    #[arg(long, default_value_t = 1_000_000)]
    rows: u64,
    /// A migrated database to import into (default: a fresh `outdial_bench_<random>` on
    /// postgres://postgres@127.0.0.1:5432, migrated, then dropped).
    #[arg(long, env = "DATABASE_URL")]
    database_url: Option<String>,
    /// Seed of the synthetic data.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Put the imported contacts in a new list.
    #[arg(long)]
    list: bool,
    /// Directory for the generated file and the spool (default: the system temp dir); removed.
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Print the report as one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct BenchGateArgs {
    /// Decisions to time.
    #[arg(long, default_value_t = 2_000_000)]
    decisions: u64,
    /// Distinct inputs built up front and cycled through.
    #[arg(long, default_value_t = 100_000)]
    pool: usize,
    /// Seed of the synthetic inputs.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Print the report as one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct BenchDncArgs {
    /// Registered numbers to generate.
    #[arg(long, default_value_t = 250_000_000)]
    numbers: u64,
    /// Seed of the synthetic data.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Directory for the generated files (default: the system temp dir); they are removed.
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Random lookups to time.
    #[arg(long, default_value_t = 10_000_000)]
    lookups: usize,
    /// Print the report as one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

fn load(
    cli_config: Option<&std::path::Path>,
    args: Option<&ServeArgs>,
    data_dir: Option<&PathBuf>,
) -> Result<Config, String> {
    let mut sources = Sources::from_env_and_file(cli_config).map_err(|e| e.to_string())?;
    if let Some(a) = args {
        if let Some(p) = a.port {
            sources.set("OUTDIAL_PORT", p.to_string());
        }
        if let Some(d) = &a.data_dir {
            sources.set("OUTDIAL_DATA_DIR", d.display().to_string());
        }
    }
    if let Some(d) = data_dir {
        sources.set("OUTDIAL_DATA_DIR", d.display().to_string());
    }
    sources.build().map_err(|e| e.to_string())
}

fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("OUTDIAL_LOG").unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn,apalis=warn,apalis_core=warn")
    });
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().with_current_span(true).with_span_list(false).init(),
        LogFormat::Pretty => builder.init(),
    }
}

async fn run_mode(config: Config, mode: Mode) -> anyhow::Result<()> {
    let running = crate::run::start(config.clone(), mode).await?;
    if let Some(addr) = running.addr {
        let url = if config.host == "0.0.0.0" || config.host == "127.0.0.1" {
            format!("http://localhost:{}", addr.port())
        } else {
            format!("http://{addr}")
        };
        println!("Outdial is running at {url}  (API docs: {url}/docs)");
        if mode == Mode::Serve && config.demo {
            println!("Demo agency login: {DEMO_EMAIL} / {DEMO_PASSWORD}");
        }
    } else {
        println!("Outdial worker running ({} queue)", running.state.queue.kind());
    }
    let stopper = running.stopper();
    tokio::spawn(async move {
        crate::run::shutdown_signal().await;
        tracing::info!("shutting down: finishing in-flight requests and jobs");
        let _ = stopper.send(true);
    });
    running.join().await
}

/// Serves the sandbox carrier alone until interrupted.
async fn sandbox_carrier(config: &Config, port: u16, seed: u64, time_scale: f64) -> anyhow::Result<()> {
    if !(0.0001..=100.0).contains(&time_scale) {
        anyhow::bail!("--time-scale must be from 0.0001 to 100");
    }
    let sandbox = outdial_infra::sandbox::Sandbox::new(outdial_infra::sandbox::SandboxConfig {
        seed,
        time_scale,
        ..Default::default()
    });
    let listener = tokio::net::TcpListener::bind((config.host.as_str(), port))
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}:{port} ({e}); pick another --port", config.host))?;
    let addr = listener.local_addr()?;
    println!("sandbox carrier on http://{addr} (Twilio: /2010-04-01/..., Telnyx: /v2/..., control: /_sandbox/...)");
    println!("Telnyx webhook public key: {}", sandbox.telnyx_public_key());
    axum::serve(listener, sandbox.router::<()>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// Parses the command line and runs the chosen subcommand.
pub async fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match &cli.command {
        Command::Serve(a) | Command::Api(a) => load(cli.config.as_deref(), Some(a), None),
        Command::Worker { data_dir } => load(cli.config.as_deref(), None, data_dir.as_ref()),
        Command::Migrate | Command::Openapi { .. } => load(cli.config.as_deref(), None, None),
        Command::Dnc { command: DncCommand::Import(a) } => load(cli.config.as_deref(), None, a.data_dir.as_ref()),
        Command::Bench { .. } | Command::SandboxCarrier { .. } => load(cli.config.as_deref(), None, None),
        Command::Secrets { command: SecretsCommand::Rotate { data_dir } } => {
            load(cli.config.as_deref(), None, data_dir.as_ref())
        }
        Command::Secrets { command: SecretsCommand::NewKey { .. } } => load(cli.config.as_deref(), None, None),
    };
    let config = match config {
        Ok(c) => c,
        Err(e) => {
            eprintln!("outdial: {e}");
            return ExitCode::from(2);
        }
    };
    init_tracing(config.log_format);
    let result = match cli.command {
        Command::Serve(_) => run_mode(config, Mode::Serve).await,
        Command::Api(_) => run_mode(config, Mode::Api).await,
        Command::Worker { .. } => run_mode(config, Mode::Worker).await,
        Command::Migrate => migrate(config).await,
        Command::Openapi { out, check } => openapi(&out, check),
        Command::Dnc { command: DncCommand::Import(args) } => dnc_import(&config, args),
        Command::Bench { what: BenchCommand::Dnc(args) } => bench_dnc(args),
        Command::Bench { what: BenchCommand::Import(args) } => bench_import(args).await,
        Command::Bench { what: BenchCommand::Gate(args) } => bench_gate(args),
        Command::Bench { what: BenchCommand::Pacing(args) } => bench_pacing(args),
        Command::Bench { what: BenchCommand::Engine(args) } => bench_engine(args).await,
        Command::Bench { what: BenchCommand::Webhooks(args) } => bench_webhooks(args).await,
        Command::SandboxCarrier { port, seed, time_scale } => sandbox_carrier(&config, port, seed, time_scale).await,
        Command::Secrets { command: SecretsCommand::NewKey { id } } => new_key(&id),
        Command::Secrets { command: SecretsCommand::Rotate { .. } } => rotate_secrets(&config).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("outdial: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn new_key(id: &str) -> anyhow::Result<()> {
    let ok = !id.is_empty() && id.len() <= 32 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !ok {
        anyhow::bail!("--id must be 1 to 32 letters, digits, '-' or '_' (got {id:?})");
    }
    println!("{}", outdial_infra::secrets::Keyring::generate(id));
    Ok(())
}

async fn rotate_secrets(config: &Config) -> anyhow::Result<()> {
    let keyring = crate::state::secret_keys(config)?;
    let db = outdial_infra::db::connect(config).await?;
    let current = keyring.current_id().to_owned();
    let changed = outdial_infra::voice::accounts::rotate_keys(&db, &keyring).await.map_err(|e| {
        anyhow::anyhow!("{e}; put every key still in use in OUTDIAL_SECRET_KEYS (after the current one) and run again")
    })?;
    println!(
        "re-encrypted {changed} carrier account(s) with key {current}; every account now uses it, so older keys can be removed from OUTDIAL_SECRET_KEYS"
    );
    Ok(())
}

async fn migrate(config: Config) -> anyhow::Result<()> {
    let db = outdial_infra::db::connect(&config).await?;
    outdial_infra::db::migrate(&db).await?;
    println!("database migrated ({})", config.database_kind());
    Ok(())
}

fn openapi(out: &std::path::Path, check: bool) -> anyhow::Result<()> {
    let json = crate::openapi_json();
    if check {
        let committed = std::fs::read_to_string(out).unwrap_or_default();
        if committed != json {
            anyhow::bail!("{} differs from the live router; run `outdial openapi` and commit it", out.display());
        }
        println!("{} matches the live router", out.display());
        return Ok(());
    }
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(out, json)?;
    println!("wrote {}", out.display());
    Ok(())
}

fn dnc_import(config: &Config, args: DncImportArgs) -> anyhow::Result<()> {
    use outdial_infra::dnc::national::import::{self, Lists, Progress};
    let lists = Lists { full: args.full, additions: args.changes, deletions: args.deletions };
    let path = args.snapshot.unwrap_or_else(|| import::default_snapshot_path(&config.data_dir));
    let (registry, summary) = import::build(&lists, args.copy_date, |p| match p {
        Progress::Reading { lines, elapsed } => {
            eprintln!("  ... {lines} lines, {:.1} M lines/s", lines as f64 / elapsed.as_secs_f64() / 1e6);
        }
        Progress::FileDone { done, total, report, lines, elapsed } => eprintln!(
            "[{done}/{total}] {} ({:?}): {} numbers, {} malformed; {:.1} M lines/s",
            report.path.display(),
            report.list,
            report.numbers,
            report.malformed,
            lines as f64 / elapsed.as_secs_f64() / 1e6
        ),
        Progress::Encoding => eprintln!("encoding the registry"),
    })?;
    for file in summary.files.iter().filter(|f| f.malformed > 0) {
        println!("{}: {} malformed lines", file.path.display(), file.malformed);
        for s in &file.samples {
            println!("  line {}: {}: {:?}", s.line, s.reason, s.text);
        }
    }
    println!(
        "read {} lines ({} numbers, {} malformed) in {:.1} s; encoded in {:.1} s",
        summary.lines,
        summary.numbers_read,
        summary.malformed,
        summary.read_time.as_secs_f64(),
        summary.encode_time.as_secs_f64()
    );
    if summary.uncovered_changes > 0 {
        println!(
            "warning: {} change-list numbers are in area codes without a full list; applied, but those area codes are not covered",
            summary.uncovered_changes
        );
    }
    if args.strict && summary.malformed > 0 {
        anyhow::bail!("{} malformed lines and --strict: snapshot not written", summary.malformed);
    }
    let bytes = outdial_infra::dnc::national::snapshot::write(&registry, &path)?;
    println!(
        "{} numbers in {} area codes, copy date {}: wrote {} ({:.1} MB)",
        registry.len(),
        summary.npas,
        args.copy_date,
        path.display(),
        bytes as f64 / 1e6
    );
    Ok(())
}

fn bench_dnc(args: BenchDncArgs) -> anyhow::Result<()> {
    use outdial_infra::dnc::bench::{self, BenchOptions};
    let opts = BenchOptions {
        numbers: args.numbers,
        seed: args.seed,
        dir: args.dir,
        lookups: args.lookups,
        ..Default::default()
    };
    let report = bench::run(&opts, |line| eprintln!("{line}"))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{report}");
    }
    Ok(())
}

async fn bench_import(args: BenchImportArgs) -> anyhow::Result<()> {
    use outdial_infra::bench::import::{self, ImportBenchOptions};
    let opts = ImportBenchOptions {
        rows: args.rows,
        seed: args.seed,
        database_url: args.database_url,
        list: args.list,
        dir: args.dir,
    };
    let report = import::run(&opts, |line| eprintln!("{line}")).await?;
    print_report(&report, args.json)
}

/// The PostgreSQL server benchmarks create their scratch databases on.
const BENCH_SERVER: &str = "postgres://postgres@127.0.0.1:5432";

/// A database for a benchmark: the one given, or a fresh scratch database on
/// [`BENCH_SERVER`] that [`drop_scratch`] removes afterwards.
async fn scratch_database(
    given: Option<&str>,
) -> anyhow::Result<(String, Option<(sea_orm::DatabaseConnection, String)>)> {
    use sea_orm::ConnectionTrait;
    if let Some(url) = given {
        return Ok((url.to_owned(), None));
    }
    let name = format!("outdial_bench_{}_{}", std::process::id(), chrono::Utc::now().timestamp_subsec_nanos());
    let admin = sea_orm::Database::connect(format!("{BENCH_SERVER}/postgres"))
        .await
        .map_err(|e| anyhow::anyhow!("cannot reach PostgreSQL at {BENCH_SERVER} ({e}); pass --database-url"))?;
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await?;
    Ok((format!("{BENCH_SERVER}/{name}"), Some((admin, name))))
}

async fn drop_scratch(scratch: Option<(sea_orm::DatabaseConnection, String)>) -> anyhow::Result<()> {
    use sea_orm::ConnectionTrait;
    if let Some((admin, name)) = scratch {
        admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await?;
    }
    Ok(())
}

/// The Redis prefix of this process's benchmark app.
fn bench_redis_prefix() -> String {
    format!("bench{}", std::process::id())
}

/// Removes what the benchmark app left in Redis (nothing to do on SQLite's in-process queue).
async fn drop_bench_redis(database_url: &str, redis_url: &str) {
    if database_url.starts_with("sqlite") {
        return;
    }
    match outdial_infra::bench::drop_redis_prefix(redis_url, &bench_redis_prefix()).await {
        Ok(n) => eprintln!("removed the run's {n} Redis keys"),
        Err(e) => eprintln!("could not remove the run's Redis keys ({e}); delete {}:* by hand", bench_redis_prefix()),
    }
}

/// Outdial in this process (`serve`), for a benchmark: its own data directory, no demo, the
/// dialer's clock at a weekday morning in New York.
async fn bench_app(
    database_url: String,
    redis_url: &str,
    time_scale: f64,
    dir: &std::path::Path,
) -> anyhow::Result<crate::run::Running> {
    std::fs::create_dir_all(dir)?;
    let mut sources = outdial_infra::config::Sources::default();
    let sqlite = database_url.starts_with("sqlite");
    for (k, v) in [
        ("OUTDIAL_PORT", "0".to_owned()),
        ("OUTDIAL_DATA_DIR", dir.display().to_string()),
        ("OUTDIAL_DEMO", "false".to_owned()),
        ("OUTDIAL_SANDBOX_TIME_SCALE", time_scale.to_string()),
        // A Wednesday, 11:00 in New York: inside every calling window of the leads.
        ("OUTDIAL_DIALER_CLOCK_START", "2026-11-18T16:00:00Z".to_owned()),
        ("OUTDIAL_DIALER_TICK_MS", "200".to_owned()),
        ("DATABASE_URL", database_url),
    ] {
        sources.set(k, v);
    }
    if !sqlite {
        sources.set("REDIS_URL", redis_url.to_owned());
        sources.set("OUTDIAL_REDIS_PREFIX", bench_redis_prefix());
    }
    let config = sources.build()?;
    let running = crate::run::start(config, crate::run::Mode::Serve).await?;
    eprintln!("outdial on {} with the {} queue", running.state.config.database_kind(), running.state.queue.kind());
    Ok(running)
}

async fn bench_engine(args: BenchEngineArgs) -> anyhow::Result<()> {
    if !(0.0001..=100.0).contains(&args.time_scale) {
        anyhow::bail!("--time-scale must be from 0.0001 to 100");
    }
    if args.agents == 0 || args.leads == 0 || !(1..=3).contains(&args.lines) {
        anyhow::bail!("--agents and --leads must be at least 1, --lines from 1 to 3");
    }
    let (database_url, scratch) = scratch_database(args.server.database_url.as_deref()).await?;
    let outcome = engine_run(&args, database_url).await;
    drop_scratch(scratch).await?;
    let report = outcome?;
    print_report(&report, args.json)?;
    report.check()
}

async fn engine_run(args: &BenchEngineArgs, database_url: String) -> anyhow::Result<crate::floor::FloorReport> {
    let dir = std::env::temp_dir().join(format!("outdial-bench-engine-{}", std::process::id()));
    let running = bench_app(database_url.clone(), &args.server.redis_url, args.time_scale, &dir).await?;
    let base = format!("http://{}", running.addr.expect("serve listens"));
    let opts = crate::floor::FloorOptions {
        sandbox: format!("{base}/sandbox"),
        base,
        mail_log: dir.join("mail.log"),
        provider: match args.provider {
            CarrierKind::Twilio => "twilio",
            CarrierKind::Telnyx => "telnyx",
        }
        .into(),
        mode: match args.mode {
            EngineMode::Progressive => "progressive",
            EngineMode::Power => "power",
            EngineMode::Predictive => "predictive",
        }
        .into(),
        lines_per_agent: args.lines,
        agents: args.agents,
        leads: args.leads,
        dispose: args.dispose,
        wrap_secs: if args.dispose { 0 } else { 3 },
        max_attempts: 2,
        run_for: (args.secs > 0).then(|| std::time::Duration::from_secs(args.secs)),
        deadline: std::time::Duration::from_secs(args.secs.max(60) * 4 + 600),
        progress: true,
        dialing: None,
    };
    let report = crate::floor::run(&opts).await;
    running.shutdown().await?;
    drop_bench_redis(&database_url, &args.server.redis_url).await;
    let _ = std::fs::remove_dir_all(&dir);
    report
}

async fn bench_webhooks(args: BenchWebhooksArgs) -> anyhow::Result<()> {
    let (database_url, scratch) = scratch_database(args.server.database_url.as_deref()).await?;
    let dir = std::env::temp_dir().join(format!("outdial-bench-webhooks-{}", std::process::id()));
    let outcome = async {
        let running = bench_app(database_url.clone(), &args.server.redis_url, 1.0, &dir).await?;
        let base = format!("http://{}", running.addr.expect("serve listens"));
        let opts = crate::bench_webhooks::WebhookBenchOptions {
            calls: args.calls,
            concurrency: args.concurrency,
            duplicate: args.duplicate,
            reorder: args.reorder,
            seed: args.seed,
        };
        let report = crate::bench_webhooks::run(&running.state, &base, &opts, |l| eprintln!("{l}")).await;
        running.shutdown().await?;
        drop_bench_redis(&database_url, &args.server.redis_url).await;
        report
    }
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    drop_scratch(scratch).await?;
    let report = outcome?;
    print_report(&report, args.json)?;
    report.check()
}

fn bench_pacing(args: BenchPacingArgs) -> anyhow::Result<()> {
    use outdial_domain::pacing::{BenchOptions, PolicyKind, Preset, render_text, run_bench};
    let opts = BenchOptions {
        scenario: args.scenario.map(|s| match s {
            PacingScenario::S => Preset::S,
            PacingScenario::M => Preset::M,
            PacingScenario::L => Preset::L,
        }),
        agents: args.agents,
        human: args.human,
        machine: args.machine,
        no_answer: args.no_answer,
        busy: args.busy,
        invalid: args.invalid,
        talk_mean: args.talk_mean,
        talk_cv: args.talk_cv,
        wrap_mean: args.wrap_mean,
        timeout: args.timeout,
        hours: args.hours,
        seeds: args.seeds,
        amd_errors: None,
        abandon_after: args.abandon_after,
        policy: match args.policy {
            PacingPolicy::Progressive => PolicyKind::Progressive,
            PacingPolicy::Power2 => PolicyKind::Power2,
            PacingPolicy::Power3 => PolicyKind::Power3,
            PacingPolicy::Vicidial => PolicyKind::Vicidial,
            PacingPolicy::Predictive => PolicyKind::Predictive,
        },
    };
    let report = run_bench(&opts).map_err(|e| anyhow::anyhow!("bad pacing scenario: {e}"))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", render_text(&report));
    }
    Ok(())
}

fn bench_gate(args: BenchGateArgs) -> anyhow::Result<()> {
    use outdial_infra::bench::gate::{self, GateBenchOptions};
    let opts = GateBenchOptions { decisions: args.decisions, pool: args.pool, seed: args.seed };
    let report = gate::run(&opts, |line| eprintln!("{line}"))?;
    print_report(&report, args.json)
}

fn print_report(report: &(impl serde::Serialize + std::fmt::Display), json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(report)?);
    } else {
        print!("{report}");
    }
    Ok(())
}
