//! Outdial's pure business logic: no IO, no async runtime, no clock or randomness of its own.

pub mod compliance;
pub mod contacts;
pub mod ids;
pub mod tenancy;
