//! The `outdial` command built inside the test package, so the process tests (kill -9,
//! separate api and worker processes) can start it by `CARGO_BIN_EXE_outdial-under-test`.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    outdial_api::cli::main().await
}
