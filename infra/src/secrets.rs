//! Secrets at rest (carrier credentials): ChaCha20-Poly1305 with a keyring. The first key
//! encrypts; every key decrypts, so keys rotate by adding a new one first and re-encrypting
//! (`outdial secrets rotate`). Ciphertexts are bound to the row they belong to (AAD).

use base64::Engine;
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};

/// Encryption keys by id; the first is current.
#[derive(Clone)]
pub struct Keyring {
    keys: Vec<(String, std::sync::Arc<LessSafeKey>)>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|(id, _)| id.as_str()).collect();
        write!(f, "Keyring({ids:?}, ***)")
    }
}

/// Why a keyring or ciphertext was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretError {
    #[error("keys must look like `id:base64-of-32-bytes`, comma-separated")]
    BadKeyring,
    #[error("the secret was encrypted with key `{0}`, which is not configured")]
    UnknownKey(String),
    #[error("the secret cannot be decrypted (wrong key or tampered)")]
    Corrupt,
}

impl Keyring {
    /// Parses `id:base64key[,id:base64key...]`.
    pub fn parse(spec: &str) -> Result<Keyring, SecretError> {
        let mut keys = Vec::new();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (id, b64) = part.split_once(':').ok_or(SecretError::BadKeyring)?;
            let bytes = base64::engine::general_purpose::STANDARD.decode(b64).map_err(|_| SecretError::BadKeyring)?;
            if bytes.len() != 32
                || id.is_empty()
                || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(SecretError::BadKeyring);
            }
            let key = UnboundKey::new(&CHACHA20_POLY1305, &bytes).map_err(|_| SecretError::BadKeyring)?;
            keys.push((id.to_owned(), std::sync::Arc::new(LessSafeKey::new(key))));
        }
        if keys.is_empty() {
            return Err(SecretError::BadKeyring);
        }
        Ok(Keyring { keys })
    }

    /// A new random key spec (`id:base64`).
    pub fn generate(id: &str) -> String {
        let mut bytes = [0u8; 32];
        SystemRandom::new().fill(&mut bytes).expect("the OS random source works");
        format!("{id}:{}", base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    pub fn current_id(&self) -> &str {
        &self.keys[0].0
    }

    /// Encrypts with the current key; returns (key id, base64 of nonce + ciphertext).
    pub fn seal(&self, plaintext: &[u8], aad: &str) -> (String, String) {
        let (id, key) = &self.keys[0];
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new().fill(&mut nonce).expect("the OS random source works");
        let mut buf = plaintext.to_vec();
        key.seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(aad.as_bytes()), &mut buf)
            .expect("sealing cannot fail for in-memory buffers");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&buf);
        (id.clone(), base64::engine::general_purpose::STANDARD.encode(out))
    }

    /// Decrypts what [`seal`](Self::seal) produced with key `key_id` for the same `aad`.
    pub fn open(&self, key_id: &str, sealed: &str, aad: &str) -> Result<Vec<u8>, SecretError> {
        let (_, key) =
            self.keys.iter().find(|(id, _)| id == key_id).ok_or_else(|| SecretError::UnknownKey(key_id.to_owned()))?;
        let raw = base64::engine::general_purpose::STANDARD.decode(sealed).map_err(|_| SecretError::Corrupt)?;
        if raw.len() < NONCE_LEN {
            return Err(SecretError::Corrupt);
        }
        let (nonce, rest) = raw.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SecretError::Corrupt)?;
        let mut buf = rest.to_vec();
        let plain = key.open_in_place(nonce, Aad::from(aad.as_bytes()), &mut buf).map_err(|_| SecretError::Corrupt)?;
        Ok(plain.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_rotation_and_tampering() {
        let old = Keyring::generate("k1");
        let ring1 = Keyring::parse(&old).unwrap();
        let (id, sealed) = ring1.seal(b"auth-token", "car_1");
        assert_eq!(ring1.open(&id, &sealed, "car_1").unwrap(), b"auth-token");
        // Bound to its row.
        assert_eq!(ring1.open(&id, &sealed, "car_2"), Err(SecretError::Corrupt));
        // A new key first: old ciphertexts still open, new ones use the new key.
        let ring2 = Keyring::parse(&format!("{},{old}", Keyring::generate("k2"))).unwrap();
        assert_eq!(ring2.open(&id, &sealed, "car_1").unwrap(), b"auth-token");
        assert_eq!(ring2.seal(b"x", "a").0, "k2");
        // Dropping the old key makes its ciphertexts unreadable, with a clear reason.
        let ring3 = Keyring::parse(&Keyring::generate("k3")).unwrap();
        assert_eq!(ring3.open(&id, &sealed, "car_1"), Err(SecretError::UnknownKey("k1".into())));
        assert!(Keyring::parse("nope").is_err());
        assert!(!format!("{ring2:?}").contains(&old[3..]));
    }
}
