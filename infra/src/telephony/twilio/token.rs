//! Access tokens for the browser Voice SDK: HS256 with `cty: twilio-fpa;v=1`, signed with
//! an API key secret (twilio-python `AccessToken` + `VoiceGrant`).

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde::Serialize;
use serde_json::{Map, Value, json};

/// What to put in a Voice access token.
#[derive(Debug, Clone)]
pub struct VoiceToken<'a> {
    pub account_sid: &'a str,
    pub api_key_sid: &'a str,
    pub api_key_secret: &'a str,
    pub identity: &'a str,
    /// TwiML application for outgoing calls from the browser.
    pub outgoing_application_sid: Option<&'a str>,
    pub outgoing_params: Map<String, Value>,
    pub incoming_allow: bool,
    pub ttl_secs: i64,
}

#[derive(Serialize)]
struct Claims {
    jti: String,
    iss: String,
    sub: String,
    exp: i64,
    nbf: i64,
    grants: Value,
}

/// Mints the token at `now` (unix seconds).
pub fn mint(t: &VoiceToken<'_>, now: i64) -> anyhow::Result<String> {
    let mut voice = Map::new();
    if t.incoming_allow {
        voice.insert("incoming".into(), json!({ "allow": true }));
    }
    if let Some(app) = t.outgoing_application_sid {
        let mut outgoing = Map::new();
        outgoing.insert("application_sid".into(), Value::String(app.to_owned()));
        if !t.outgoing_params.is_empty() {
            outgoing.insert("params".into(), Value::Object(t.outgoing_params.clone()));
        }
        voice.insert("outgoing".into(), Value::Object(outgoing));
    }
    let claims = Claims {
        jti: format!("{}-{now}", t.api_key_sid),
        iss: t.api_key_sid.to_owned(),
        sub: t.account_sid.to_owned(),
        exp: now + t.ttl_secs,
        nbf: now,
        grants: json!({ "identity": t.identity, "voice": voice }),
    };
    let header = Header {
        alg: Algorithm::HS256,
        typ: Some("JWT".into()),
        cty: Some("twilio-fpa;v=1".into()),
        ..Header::default()
    };
    Ok(encode(&header, &claims, &EncodingKey::from_secret(t.api_key_secret.as_bytes()))?)
}
