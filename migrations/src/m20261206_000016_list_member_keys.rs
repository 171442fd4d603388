//! A list's places, like a contact's numbers (`m20261206_000015_import_keys`), without the
//! foreign keys PostgreSQL checks row by row: an import into a list paid two more checks per
//! lead, one locking the list's row each time (300k leads into a list: about a fifth of the
//! run). The application keeps what they kept:
//! - a place is written with a list that exists when it commits: adding to a list locks the
//!   list's row (`FOR KEY SHARE`, as the key did) and refuses a list that is gone, and an import
//!   batch does the same once;
//! - its contact exists when it commits: the contact's own transaction, one that updated the
//!   contact's row first, or an import batch that locks the stored contacts it adds to;
//! - deleting a list or a contact deletes its places in the same transaction, after its row.
//!
//! SQLite keeps the keys.

use super::columns::{foreign_keys, postgres};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (table, constraint, its definition) as the first migration created them.
const KEYS: [(&str, &str, &str); 2] = [
    (
        "list_members",
        "list_members_tenant_id_list_id_fkey",
        "FOREIGN KEY (tenant_id, list_id) REFERENCES lists (tenant_id, id) ON DELETE CASCADE",
    ),
    (
        "list_members",
        "list_members_tenant_id_contact_id_fkey",
        "FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if postgres(m) {
            foreign_keys(m, &KEYS, false).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if postgres(m) {
            foreign_keys(m, &KEYS, true).await?;
        }
        Ok(())
    }
}
