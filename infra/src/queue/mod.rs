//! Background jobs. A job is written to the `jobs` table (the outbox) in the same transaction as
//! the change that asks for it; the relay hands due rows to apalis (SQLite or Redis); a worker
//! claims the row with a compare-and-set before running it. The table is the truth: a crash
//! between commit and relay, or between relay and mark, neither loses nor doubles a job.

pub mod backend;
pub mod job;
pub mod outbox;
pub mod relay;
pub mod runner;

pub use backend::{JobRef, Queue};
pub use job::Job;
