//! Repository functions. Every one that touches a tenant-owned table takes a `TenantId`.

pub mod api_keys;
pub mod audit;
pub mod compliance_settings;
pub mod contacts;
pub mod dnc;
pub mod idempotency;
pub mod imports;
pub mod invitations;
pub mod ledger;
pub mod lists;
pub mod members;
pub mod reassigned;
pub mod sessions;
pub mod teams;
pub mod tenants;
pub mod users;

use sea_orm::DbErr;

/// What a repository call can fail with, besides the database itself.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    /// The row does not exist in this tenant.
    #[error("not found")]
    NotFound,
    /// A uniqueness or state rule refused the change; the code is stable for clients.
    #[error("{1}")]
    Conflict(&'static str, String),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Maps a unique-constraint violation to a conflict with a client-facing code.
pub fn unique_violation(e: DbErr, code: &'static str, detail: &str) -> RepoError {
    let text = e.to_string().to_ascii_lowercase();
    if text.contains("unique") || text.contains("duplicate key") {
        RepoError::Conflict(code, detail.to_owned())
    } else {
        RepoError::Db(e)
    }
}

/// Cursor pagination: rows after `cursor` (ids sort by creation), `limit` + 1 fetched to know
/// whether a next page exists.
#[derive(Debug, Clone)]
pub struct Page {
    pub cursor: Option<String>,
    pub limit: u64,
}

impl Page {
    /// Splits a `limit + 1` fetch into the page and the next cursor.
    pub fn finish<T>(&self, mut rows: Vec<T>, id: impl Fn(&T) -> String) -> (Vec<T>, Option<String>) {
        if rows.len() as u64 > self.limit {
            rows.truncate(self.limit as usize);
            let next = rows.last().map(&id);
            (rows, next)
        } else {
            (rows, None)
        }
    }
}
