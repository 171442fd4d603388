//! Telnyx webhook signatures: Ed25519 over `telnyx-timestamp|raw body`, base64, with a 300 s
//! tolerance in both directions (telnyx-python, -go and -node).

use crate::telephony::WebhookError;
use base64::Engine;
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};

/// How far the timestamp may be from our clock.
pub const TOLERANCE_SECS: i64 = 300;

/// Decodes a base64 public key.
pub fn public_key(b64: &str) -> Result<[u8; 32], WebhookError> {
    base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()
        .and_then(|k| <[u8; 32]>::try_from(k).ok())
        .ok_or_else(|| WebhookError::Malformed("public key".into()))
}

/// Verifies the two headers against the raw body at `now` (unix seconds).
pub fn verify(
    public_key_b64: &str,
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<(), WebhookError> {
    let (Some(ts), Some(sig)) = (timestamp, signature) else {
        return Err(WebhookError::MissingSignature);
    };
    let ts_num: i64 = ts.trim().parse().map_err(|_| WebhookError::BadSignature)?;
    if (now - ts_num).abs() > TOLERANCE_SECS {
        return Err(WebhookError::Expired);
    }
    let sig = base64::engine::general_purpose::STANDARD.decode(sig.trim()).map_err(|_| WebhookError::BadSignature)?;
    let key = public_key(public_key_b64).map_err(|_| WebhookError::BadSignature)?;
    let mut message = Vec::with_capacity(ts.len() + 1 + body.len());
    message.extend_from_slice(ts.trim().as_bytes());
    message.push(b'|');
    message.extend_from_slice(body);
    UnparsedPublicKey::new(&ED25519, key).verify(&message, &sig).map_err(|_| WebhookError::BadSignature)
}

/// Signs like Telnyx does (the sandbox carrier uses this).
pub struct Signer(Ed25519KeyPair);

impl Signer {
    /// From a 32-byte seed.
    pub fn from_seed(seed: &[u8; 32]) -> Signer {
        Signer(Ed25519KeyPair::from_seed_unchecked(seed).expect("any 32-byte seed is a key"))
    }
    pub fn public_key_b64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.0.public_key().as_ref())
    }
    /// The `telnyx-signature-ed25519` value for this timestamp and body.
    pub fn sign(&self, timestamp: i64, body: &[u8]) -> String {
        let mut message = timestamp.to_string().into_bytes();
        message.push(b'|');
        message.extend_from_slice(body);
        base64::engine::general_purpose::STANDARD.encode(self.0.sign(&message).as_ref())
    }
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(***)")
    }
}
