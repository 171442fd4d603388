//! Every adapter to the outside world: database, queue, mail, events, credentials, config.

pub mod auth;
pub mod bench;
pub mod config;
pub mod db;
pub mod dialer;
pub mod dnc;
pub mod events;
pub mod gate;
pub mod ids;
pub mod import;
pub mod mail;
pub mod metrics;
pub mod queue;
pub mod sandbox;
pub mod secrets;
pub mod telephony;
pub mod voice;
