//! A stored upload's chunks (1 MiB of CSV each) are kept as they come, not compressed. The
//! default (pglz) spent about 20 ms of the database's CPU on each chunk, 1.5 s of a 1M-row
//! (76 MB) upload, and the import's spool read them back through the decompressor. An upload
//! lives only until its import is done.
//!
//! SQLite stores blobs as they are already.

use super::columns::postgres;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The storage of `import_chunks.data`, to (`true`) or from the uncompressed kind.
fn storage(plain: bool) -> String {
    format!("ALTER TABLE import_chunks ALTER COLUMN data SET STORAGE {}", if plain { "EXTERNAL" } else { "EXTENDED" })
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if postgres(m) {
            m.get_connection().execute_unprepared(&storage(true)).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if postgres(m) {
            m.get_connection().execute_unprepared(&storage(false)).await?;
        }
        Ok(())
    }
}
