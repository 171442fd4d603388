//! Telnyx: Call Control v2 and Messaging (JSON, Bearer auth, `command_id` on every action),
//! Ed25519-signed webhooks.

mod client;
pub mod signature;
pub mod wire;

pub use client::TelnyxClient;

use serde::{Deserialize, Serialize};

/// The real API; the sandbox carrier replaces it in tests and demos.
pub const DEFAULT_BASE_URL: &str = "https://api.telnyx.com";

/// Credentials of one Telnyx account. Never printed.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TelnyxCredentials {
    pub api_key: String,
    /// Base64 Ed25519 public key that signs this account's webhooks (Mission Control).
    pub public_key: String,
    /// Call Control application (connection) outbound calls use.
    pub connection_id: String,
    #[serde(default)]
    pub messaging_profile_id: Option<String>,
}

impl std::fmt::Debug for TelnyxCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TelnyxCredentials(connection {}, ***)", self.connection_id)
    }
}

impl TelnyxCredentials {
    /// Checks the shape before anything is stored or sent.
    pub fn validate(&self) -> Result<(), String> {
        if self.api_key.len() < 16 || self.api_key.len() > 256 || self.api_key.contains(char::is_whitespace) {
            return Err("api_key must be 16 to 256 characters without spaces".into());
        }
        signature::public_key(&self.public_key)
            .map_err(|_| "public_key must be a base64 Ed25519 key (32 bytes)".to_owned())?;
        if self.connection_id.is_empty() || self.connection_id.len() > 64 {
            return Err("connection_id is required".into());
        }
        Ok(())
    }
}
