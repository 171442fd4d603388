//! `outdial`: the one binary. `serve` runs everything in one process (the embedded default);
//! `api` and `worker` scale separately on PostgreSQL and Redis.

/// The requests, events and queries of a busy floor allocate many small, short-lived values;
/// mimalloc's per-thread pools serve them faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    outdial_api::cli::main().await
}
