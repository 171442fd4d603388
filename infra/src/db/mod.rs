//! Database access: connection, migrations, entities, the tenant scope, repositories.

pub mod entity;
pub mod repo;
pub mod scope;

use crate::config::Config;
use outdial_migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use std::time::Duration;

pub use sea_orm::DatabaseConnection as Db;

/// Opens the pool. SQLite gets WAL and a busy timeout so the API and the worker tasks of one
/// process can write concurrently.
///
/// PostgreSQL plans every statement for its own values (`plan_cache_mode=force_custom_plan`).
/// Left to itself, a connection switches a prepared statement to one generic plan after five
/// executions and keeps it for its whole life, until statistics change. Every index here
/// leads with `tenant_id`, so while a table is small (a new install, a new campaign's calls)
/// they all cost alike and the generic plan may take any of them: the look-up of one call by
/// its id then read every call of the carrier account, and the look-up of one attempt every
/// attempt of the tenant, slower with each call placed (1 ms a look-up after a few thousand
/// calls, 25 ms at worst; measured in `bench engine`). Nothing replaced those plans while
/// autovacuum was off, and even with it on they last until a table is next analyzed. A custom
/// plan sees the table's current size and the primary key's uniqueness: about 0.05 ms of
/// planning for each statement, against look-ups that stay at their index's cost.
pub async fn connect(config: &Config) -> Result<DatabaseConnection, DbErr> {
    if config.database_kind() == "sqlite" {
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|e| DbErr::Custom(format!("cannot create data dir {}: {e}", config.data_dir.display())))?;
    }
    let mut opts = ConnectOptions::new(loopback_without_tls(&config.database_url));
    opts.connect_timeout(Duration::from_secs(10)).acquire_timeout(Duration::from_secs(10)).sqlx_logging(false);
    if config.database_kind() == "sqlite" {
        opts.max_connections(8).min_connections(1).map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
        });
    } else {
        opts.max_connections(16).map_sqlx_postgres_opts(|o| o.options([("plan_cache_mode", "force_custom_plan")]));
    }
    Database::connect(opts).await
}

/// Applies every pending migration.
/// Starts a write transaction. On SQLite it takes the write lock at `BEGIN` (`IMMEDIATE`),
/// waiting out the busy timeout there, rather than failing at once with "database is locked"
/// when a deferred transaction that has read tries to write while another writer holds the
/// lock. PostgreSQL ignores the mode.
pub async fn begin<C: sea_orm::TransactionTrait>(db: &C) -> Result<C::Transaction, DbErr> {
    use sea_orm::{SqliteTransactionMode, TransactionOptions};
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}

/// Refreshes the planner's statistics for tables a bulk write just filled (an import, a
/// campaign's queue), as PostgreSQL advises after a bulk load: until autovacuum gets to them
/// (and it may be off), a fresh table's missing statistics can make the planner prefer a
/// wider index to the primary key, turning every look-up of one lead into a scan of the whole
/// campaign. Best effort: a failure is logged, never returned. SQLite needs nothing.
pub async fn refresh_statistics(db: &DatabaseConnection, tables: &[&str]) {
    use sea_orm::ConnectionTrait;
    if db.get_database_backend() != sea_orm::DatabaseBackend::Postgres || tables.is_empty() {
        return;
    }
    let sql = format!("ANALYZE {}", tables.join(", "));
    if let Err(e) = db.execute_unprepared(&sql).await {
        tracing::warn!(error = %e, ?tables, "refreshing the planner's statistics failed");
    }
}

pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Whether the database answers.
pub async fn ping(db: &DatabaseConnection) -> bool {
    db.ping().await.is_ok()
}

/// PostgreSQL on loopback gains nothing from TLS, and sqlx 0.9.0 negotiates it by default
/// (`sslmode=prefer`) without `TCP_NODELAY`, which stalls every large statement ~40 ms on
/// delayed ACKs (sqlx#4335). A loopback URL without an explicit `sslmode` gets
/// `sslmode=disable`; any other URL is left exactly as configured.
pub fn loopback_without_tls(url: &str) -> String {
    let is_pg = url.starts_with("postgres://") || url.starts_with("postgresql://");
    let host = url.split("://").nth(1).map(|rest| rest.rsplit_once('@').map_or(rest, |(_, h)| h)).unwrap_or("");
    let loopback = ["localhost", "127.0.0.1", "[::1]"].iter().any(|h| host.starts_with(h));
    if !is_pg || !loopback || url.contains("sslmode=") {
        return url.to_owned();
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}sslmode=disable")
}

#[cfg(test)]
mod tests {
    use super::loopback_without_tls;

    #[test]
    fn only_loopback_postgres_without_sslmode_changes() {
        assert_eq!(
            loopback_without_tls("postgres://u:p@127.0.0.1:5432/db"),
            "postgres://u:p@127.0.0.1:5432/db?sslmode=disable"
        );
        assert_eq!(loopback_without_tls("postgres://localhost/db?x=1"), "postgres://localhost/db?x=1&sslmode=disable");
        assert_eq!(loopback_without_tls("postgres://db.internal/db"), "postgres://db.internal/db");
        assert_eq!(
            loopback_without_tls("postgres://127.0.0.1/db?sslmode=require"),
            "postgres://127.0.0.1/db?sslmode=require"
        );
        assert_eq!(loopback_without_tls("sqlite://./data/x.db"), "sqlite://./data/x.db");
    }
}
