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

/// Parses the command line and runs the chosen subcommand.
pub async fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match &cli.command {
        Command::Serve(a) | Command::Api(a) => load(cli.config.as_deref(), Some(a), None),
        Command::Worker { data_dir } => load(cli.config.as_deref(), None, data_dir.as_ref()),
        Command::Migrate | Command::Openapi { .. } => load(cli.config.as_deref(), None, None),
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
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("outdial: {e:#}");
            ExitCode::FAILURE
        }
    }
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
