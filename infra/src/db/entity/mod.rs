//! sea-orm entities, one table a file. Only `db::scope` may start a query on them.

pub mod api_key;
pub mod compliance_audit;
pub mod compliance_setting;
pub mod consent;
pub mod contact;
pub mod contact_attempt;
pub mod contact_email;
pub mod contact_phone;
pub mod debt;
pub mod dnc_entry;
pub mod idempotency_key;
pub mod import;
pub mod import_error;
pub mod invitation;
pub mod job;
pub mod list;
pub mod list_member;
pub mod membership;
pub mod password_reset;
pub mod refresh_token;
pub mod suppression_entry;
pub mod suppression_list;
pub mod team;
pub mod team_member;
pub mod tenant;
pub mod user;
