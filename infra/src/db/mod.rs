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
pub async fn connect(config: &Config) -> Result<DatabaseConnection, DbErr> {
    if config.database_kind() == "sqlite" {
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|e| DbErr::Custom(format!("cannot create data dir {}: {e}", config.data_dir.display())))?;
    }
    let mut opts = ConnectOptions::new(config.database_url.clone());
    opts.connect_timeout(Duration::from_secs(10)).acquire_timeout(Duration::from_secs(10)).sqlx_logging(false);
    if config.database_kind() == "sqlite" {
        opts.max_connections(8).min_connections(1).map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
        });
    } else {
        opts.max_connections(16);
    }
    Database::connect(opts).await
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Whether the database answers.
pub async fn ping(db: &DatabaseConnection) -> bool {
    db.ping().await.is_ok()
}
