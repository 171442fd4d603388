//! The one integration test binary. Black-box: each test spawns Outdial on a random port
//! against a fresh PostgreSQL database (cloned from a migrated template) and its own Redis key
//! prefix, or against a fresh SQLite data directory (the embedded default).

mod harness;

mod auth;
mod browser;
mod carriers;
mod chaos;
mod compliance;
mod compliance_cases;
mod contacts;
mod conventions;
mod dialer;
mod floor;
mod imports;
mod isolation;
mod jobs;
mod openapi;
mod ops;
mod processes;
mod spec;
mod tenancy;
mod texts;
