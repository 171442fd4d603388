//! Every route module exposes one `router()`.

pub mod agents;
pub mod analytics;
pub mod api_keys;
pub mod auth;
pub mod calls;
pub mod campaigns;
pub mod carriers;
pub mod compliance;
pub mod contacts;
pub mod dnc;
pub mod docs;
pub mod dto;
pub mod events;
pub mod imports;
pub mod invitations;
pub mod jobs;
pub mod lists;
pub mod me;
pub mod members;
pub mod monitors;
pub mod numbers;
pub mod ops;
pub mod teams;
pub mod tenant;
pub mod texts;
pub mod voicemails;
pub mod webhooks;

use crate::error::ApiError;
use std::collections::BTreeMap;

/// Collects per-field validation errors into one 422.
#[derive(Default)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    pub fn check<T, E: std::fmt::Display>(&mut self, field: &str, r: Result<T, E>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.insert(field.to_owned(), e.to_string());
                None
            }
        }
    }

    pub fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() { Ok(()) } else { Err(ApiError::fields(self.0)) }
    }
}

/// One CSV field for downloads: always quoted, and a leading `= + - @` defused so a
/// spreadsheet never runs it as a formula.
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_owned() };
    format!("\"{}\"", s.replace('"', "\"\""))
}
