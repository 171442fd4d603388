//! Twilio: REST API 2010 (form bodies, Basic auth), TwiML, signed callbacks, access tokens.

mod client;
pub mod signature;
pub mod token;
pub mod twiml;
pub mod wire;

pub use client::TwilioClient;

use serde::{Deserialize, Serialize};

/// The real API; the sandbox carrier replaces it in tests and demos.
pub const DEFAULT_BASE_URL: &str = "https://api.twilio.com";

/// Credentials of one Twilio account. Never printed.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TwilioCredentials {
    pub account_sid: String,
    pub auth_token: String,
    /// API key for browser Voice SDK tokens (optional).
    #[serde(default)]
    pub api_key_sid: Option<String>,
    #[serde(default)]
    pub api_key_secret: Option<String>,
    /// TwiML application the browser's outgoing calls use (optional).
    #[serde(default)]
    pub twiml_app_sid: Option<String>,
}

impl std::fmt::Debug for TwilioCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TwilioCredentials({}, ***)", self.account_sid)
    }
}

impl TwilioCredentials {
    /// Checks the shape before anything is stored or sent.
    pub fn validate(&self) -> Result<(), String> {
        let sid_ok = self.account_sid.len() == 34
            && self.account_sid.starts_with("AC")
            && self.account_sid[2..].bytes().all(|b| b.is_ascii_hexdigit());
        if !sid_ok {
            return Err("account_sid must be AC followed by 32 hex digits".into());
        }
        if self.auth_token.len() < 16 || self.auth_token.len() > 128 {
            return Err("auth_token must be 16 to 128 characters".into());
        }
        if self.api_key_sid.is_some() != self.api_key_secret.is_some() {
            return Err("api_key_sid and api_key_secret go together".into());
        }
        Ok(())
    }
}
