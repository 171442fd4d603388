//! Do-not-call data held outside the database: the FTC National Do Not Call Registry.

pub mod bench;
pub mod national;
