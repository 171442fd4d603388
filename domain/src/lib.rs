//! Outdial's pure business logic: no IO, no async runtime, no clock or randomness of its own.

pub mod call_flow;
pub mod caller_id;
pub mod compliance;
pub mod contacts;
pub mod dialer;
pub mod ids;
pub mod number_health;
pub mod pacing;
pub mod tenancy;
