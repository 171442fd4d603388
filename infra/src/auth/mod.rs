//! Credentials: password hashing, opaque tokens, JWT access tokens.

pub mod jwt;
pub mod password;
pub mod token;
