//! Short-lived HS256 access tokens. The tenant and role in them are the only source of the
//! caller's tenant for a token-authenticated request.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

/// What an access token says.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// User id.
    pub sub: String,
    /// Tenant id.
    pub tid: String,
    /// Role in that tenant.
    pub role: String,
    pub iat: i64,
    pub exp: i64,
    /// Issuer, checked on decode.
    pub iss: String,
}

const ISSUER: &str = "outdial";

/// Signs and checks access tokens with one secret.
#[derive(Clone)]
pub struct JwtKeys {
    enc: EncodingKey,
    dec: DecodingKey,
    pub ttl_secs: i64,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtKeys(***)")
    }
}

/// Why a token was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    #[error("the access token has expired")]
    Expired,
    #[error("the access token is not valid")]
    Invalid,
}

impl JwtKeys {
    pub fn new(secret: &[u8], ttl_secs: i64) -> JwtKeys {
        JwtKeys { enc: EncodingKey::from_secret(secret), dec: DecodingKey::from_secret(secret), ttl_secs }
    }

    /// Issues a token valid for `ttl_secs` from `now` (unix seconds).
    pub fn issue(&self, user_id: &str, tenant_id: &str, role: &str, now: i64) -> anyhow::Result<String> {
        let claims = Claims {
            sub: user_id.to_owned(),
            tid: tenant_id.to_owned(),
            role: role.to_owned(),
            iat: now,
            exp: now + self.ttl_secs,
            iss: ISSUER.to_owned(),
        };
        Ok(encode(&Header::new(Algorithm::HS256), &claims, &self.enc)?)
    }

    /// Checks signature, algorithm, issuer and expiry (no leeway).
    pub fn verify(&self, token: &str) -> Result<Claims, JwtError> {
        let mut v = Validation::new(Algorithm::HS256);
        v.set_issuer(&[ISSUER]);
        v.leeway = 0;
        v.set_required_spec_claims(&["exp", "iss", "sub"]);
        decode::<Claims>(token, &self.dec, &v).map(|d| d.claims).map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => JwtError::Expired,
            _ => JwtError::Invalid,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_expiry_and_tamper() {
        let keys = JwtKeys::new(&[7u8; 32], 60);
        let now = chrono::Utc::now().timestamp();
        let t = keys.issue("usr_x", "ten_y", "admin", now).unwrap();
        assert_eq!(keys.verify(&t).unwrap().tid, "ten_y");
        let old = keys.issue("usr_x", "ten_y", "admin", now - 120).unwrap();
        assert_eq!(keys.verify(&old).unwrap_err(), JwtError::Expired);
        let other = JwtKeys::new(&[8u8; 32], 60);
        assert_eq!(other.verify(&t).unwrap_err(), JwtError::Invalid);
        let mut tampered = t.clone();
        tampered.pop();
        tampered.push(if t.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(keys.verify(&tampered).unwrap_err(), JwtError::Invalid);
    }
}
