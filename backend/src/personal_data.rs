//! Personal data at rest: encrypted with AES-256-GCM under the data key, with a keyed
//! hash (HMAC-SHA256) for finding equal values without decrypting.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::config::SecretKey;
use crate::error::AppError;

/// Encrypts and hashes personal data with keys derived from the data key.
#[derive(Clone)]
pub struct Vault {
    cipher: Aes256Gcm,
    hash_key: [u8; 32],
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault([REDACTED])")
    }
}

impl Vault {
    /// Derives the encryption and hashing keys from the data key.
    pub fn new(data_key: &SecretKey) -> Self {
        let derive = |label: &[u8]| -> [u8; 32] {
            let mut hasher = Sha256::new();
            hasher.update(label);
            hasher.update(data_key.bytes());
            hasher.finalize().into()
        };
        let enc = derive(b"sunshine personal data encryption v1");
        Self {
            cipher: Aes256Gcm::new(&enc.into()),
            hash_key: derive(b"sunshine personal data lookup v1"),
        }
    }

    /// `nonce || ciphertext`, base64.
    pub fn encrypt(&self, plain: &str) -> Result<String, AppError> {
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), plain.as_bytes())
            .map_err(|_| AppError::internal("encryption failed"))?;
        let mut out = nonce.to_vec();
        out.extend(sealed);
        Ok(BASE64.encode(out))
    }

    /// The plain text of what [`Vault::encrypt`] made.
    pub fn decrypt(&self, sealed: &str) -> Result<String, AppError> {
        let bytes = BASE64
            .decode(sealed)
            .map_err(|_| AppError::internal("bad ciphertext"))?;
        if bytes.len() < 13 {
            return Err(AppError::internal("short ciphertext"));
        }
        let (nonce, body) = bytes.split_at(12);
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), body)
            .map_err(|_| AppError::internal("decryption failed"))?;
        String::from_utf8(plain).map_err(AppError::internal)
    }

    /// The keyed hash of a value, hex.
    pub fn lookup_hash(&self, plain: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.hash_key)
            .unwrap_or_else(|_| unreachable_mac());
        mac.update(plain.as_bytes());
        crate::ids::hex(&mac.finalize().into_bytes())
    }
}

/// HMAC accepts keys of any length; this cannot happen.
fn unreachable_mac() -> Hmac<Sha256> {
    <Hmac<Sha256> as Mac>::new_from_slice(&[0u8; 32]).unwrap_or_else(|_| unreachable_mac())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault(byte: u8) -> Vault {
        Vault::new(&SecretKey::new(vec![byte; 64]))
    }

    #[test]
    fn what_is_encrypted_decrypts_and_never_shows() {
        let v = vault(3);
        let sealed = v.encrypt("220204199003078814").expect("encrypt");
        assert!(!sealed.contains("1990"));
        assert_ne!(
            sealed,
            v.encrypt("220204199003078814").expect("encrypt"),
            "fresh nonce"
        );
        assert_eq!(v.decrypt(&sealed).expect("decrypt"), "220204199003078814");
        assert!(
            vault(4).decrypt(&sealed).is_err(),
            "another key cannot read it"
        );
    }

    #[test]
    fn lookup_hashes_are_stable_and_keyed() {
        assert_eq!(vault(3).lookup_hash("x"), vault(3).lookup_hash("x"));
        assert_ne!(vault(3).lookup_hash("x"), vault(4).lookup_hash("x"));
    }
}
