//! `outdial`: the one binary. `serve` runs everything in one process (the embedded default);
//! `api` and `worker` scale separately on PostgreSQL and Redis.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    outdial_api::cli::main().await
}
