//! sea-orm entities, one table a file. Only `db::scope` may start a query on them.

pub mod api_key;
pub mod idempotency_key;
pub mod invitation;
pub mod job;
pub mod membership;
pub mod password_reset;
pub mod refresh_token;
pub mod team;
pub mod team_member;
pub mod tenant;
pub mod user;
