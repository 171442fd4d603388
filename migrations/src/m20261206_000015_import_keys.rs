//! What an import writes for each lead, cheaper for PostgreSQL to check and index. A lead is a
//! contact, its numbers and its addresses; 300k leads on 2 cores (end to end, ranges over
//! runs on a noisy machine): 18.6–20.3k rows/s before, 25.8–30.3k without the foreign keys,
//! 27.4–34.7k with the keys reordered as well.
//!
//! **Foreign keys.** PostgreSQL checks a foreign key row by row: for each inserted row a query
//! of the parent and a lock on its row, logged to the WAL. A lead paid about three such checks,
//! a third of the import's database time. On PostgreSQL these keys are dropped, and the
//! application keeps what they kept, once per batch instead of once per row:
//! - a number or address is written only with a contact that exists when it commits: the
//!   contact's own transaction, a transaction that updated the contact's row first (the API),
//!   or an import batch that locks, just before it commits, every stored contact it adds to
//!   (`FOR KEY SHARE`, as the key did) and rolls back if one is gone;
//! - deleting a contact deletes its numbers and addresses in the same transaction, after the
//!   contact's row (so a batch adding to it either committed first or sees it gone);
//! - a contact's tenant is the authenticated tenant that created it; no tenant is ever
//!   deleted (a tenant's deletion would delete its contacts first, explicitly).
//!
//! **Key order.** Every key began with the tenant, the same in every entry of an import, so
//! each comparison in the index compared the tenant first, found it equal, then looked for the
//! second column past a variable-length first one. With the number (address, contact) first,
//! a comparison usually ends at the first column. Those columns compare bytes (`COLLATE "C"`,
//! which is also what they mean: `+1512...` and addresses are matched exactly, never sorted
//! for people), not through the locale. Every look-up of these tables gives both columns.
//!
//! SQLite keeps its keys as they were (it checks them cheaply, and changing one rebuilds the
//! table).

use super::columns::{foreign_keys, postgres};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (table, constraint, its definition) as the first migration created them.
const KEYS: [(&str, &str, &str); 3] = [
    ("contacts", "contacts_tenant_id_fkey", "FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE"),
    (
        "contact_phones",
        "contact_phones_tenant_id_contact_id_fkey",
        "FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE",
    ),
    (
        "contact_emails",
        "contact_emails_tenant_id_contact_id_fkey",
        "FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE",
    ),
];

/// (table, its key column) of the tables whose keys are reordered.
const REORDERED: [(&str, &str); 2] = [("contact_phones", "e164"), ("contact_emails", "email")];

/// The statements that reorder a table's keys, or (`back`) restore them.
fn reorder(table: &str, key: &str, back: bool) -> [String; 3] {
    let (collation, primary, by_contact) = if back {
        ("\"default\"", format!("tenant_id, {key}"), "tenant_id, contact_id")
    } else {
        ("\"C\"", format!("{key}, tenant_id"), "contact_id, tenant_id")
    };
    [
        format!(
            "ALTER TABLE {table} ALTER COLUMN {key} TYPE varchar COLLATE {collation}, \
             ALTER COLUMN contact_id TYPE varchar COLLATE {collation}, \
             DROP CONSTRAINT {table}_pkey, ADD CONSTRAINT {table}_pkey PRIMARY KEY ({primary})"
        ),
        format!("DROP INDEX ix_{table}_contact"),
        format!("CREATE INDEX ix_{table}_contact ON {table} ({by_contact})"),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if postgres(m) {
            foreign_keys(m, &KEYS, false).await?;
            for (table, key) in REORDERED {
                for sql in reorder(table, key, false) {
                    m.get_connection().execute_unprepared(&sql).await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if postgres(m) {
            for (table, key) in REORDERED {
                for sql in reorder(table, key, true) {
                    m.get_connection().execute_unprepared(&sql).await?;
                }
            }
            foreign_keys(m, &KEYS, true).await?;
        }
        Ok(())
    }
}
