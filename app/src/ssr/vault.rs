//! Encryption (AES-256-GCM) and keyed lookup hashes (HMAC-SHA256) of personal data, both derived
//! from one master key that lives outside the repository.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;
use std::sync::Arc;

type HmacSha256 = Hmac<Sha256>;
const NONCE_LEN: usize = 12;
/// Bytes of HMAC-SHA256 kept in a lookup hash (see [`Vault::lookup_hash`]).
const LOOKUP_HASH_BYTES: usize = 16;

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("the master key must be 64 hexadecimal characters (32 bytes)")]
    BadKey,
    #[error("stored ciphertext could not be decrypted (wrong key or damaged data)")]
    Decrypt,
}

#[derive(Clone)]
pub struct Vault(Arc<Keys>);

struct Keys {
    cipher: Aes256Gcm,
    /// The keyed hash's state with its key already taken in (cloned per hash: keying costs as
    /// much as hashing a short value).
    lookup: HmacSha256,
}

impl Vault {
    pub fn from_master_key(master: &[u8; 32]) -> Self {
        let enc_key = derive(master, b"portal/encryption/v1");
        let lookup_key = derive(master, b"portal/lookup/v1");
        let cipher = Aes256Gcm::new_from_slice(&enc_key).expect("a 32-byte key is valid for AES-256");
        let lookup = <HmacSha256 as Mac>::new_from_slice(&lookup_key).expect("HMAC takes any key length");
        Vault(Arc::new(Keys { cipher, lookup }))
    }

    /// Parses a master key written as 64 hex characters (the key file's format).
    pub fn from_hex(hex: &str) -> Result<Self, VaultError> {
        let bytes = decode_hex(hex.trim()).ok_or(VaultError::BadKey)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| VaultError::BadKey)?;
        Ok(Self::from_master_key(&key))
    }

    /// A fresh random master key as hex.
    pub fn generate_hex() -> String {
        let mut key = [0u8; 32];
        getrandom::getrandom(&mut key).expect("the operating system provides randomness");
        encode_hex(&key)
    }

    /// `nonce || ciphertext`, with a fresh random nonce.
    pub fn encrypt(&self, plaintext: &str) -> Vec<u8> {
        self.encrypt_bytes(plaintext.as_bytes())
    }

    /// `nonce || ciphertext` of any bytes (an uploaded file).
    pub fn encrypt_bytes(&self, plaintext: &[u8]) -> Vec<u8> {
        let nonce = fresh_nonce();
        let nonce = Nonce::from_slice(&nonce);
        let ciphertext =
            self.0.cipher.encrypt(nonce, plaintext).expect("AES-GCM encryption of an in-memory buffer cannot fail");
        let mut out = Vec::with_capacity(NONCE_LEN + ciphertext.len());
        out.extend_from_slice(nonce);
        out.extend_from_slice(&ciphertext);
        out
    }

    pub fn decrypt(&self, stored: &[u8]) -> Result<String, VaultError> {
        String::from_utf8(self.decrypt_bytes(stored)?).map_err(|_| VaultError::Decrypt)
    }

    pub fn decrypt_bytes(&self, stored: &[u8]) -> Result<Vec<u8>, VaultError> {
        if stored.len() < NONCE_LEN {
            return Err(VaultError::Decrypt);
        }
        let (nonce, ciphertext) = stored.split_at(NONCE_LEN);
        self.0.cipher.decrypt(Nonce::from_slice(nonce), ciphertext).map_err(|_| VaultError::Decrypt)
    }

    /// `plaintext` encrypted and written as hex, for a value that travels (a cookie).
    pub fn seal(&self, plaintext: &str) -> String {
        encode_hex(&self.encrypt(plaintext))
    }

    /// What [`Vault::seal`] sealed, if it was sealed with this key and not altered.
    pub fn open(&self, sealed: &str) -> Option<String> {
        self.decrypt(&decode_hex(sealed)?).ok()
    }

    /// Keyed hash for equality lookups (an ID number, a phone, a token): the first 128 bits of
    /// HMAC-SHA256, 32 hex characters. Enough to tell ten million people apart (two sharing one:
    /// about 1e-25), and half the bytes in every row and index that keeps one (migration 0008).
    pub fn lookup_hash(&self, value: &str) -> String {
        let mut mac = self.0.lookup.clone();
        mac.update(value.as_bytes());
        encode_hex(&mac.finalize().into_bytes()[..LOOKUP_HASH_BYTES])
    }
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Vault([keys redacted])")
    }
}

fn derive(master: &[u8; 32], label: &[u8]) -> [u8; 32] {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(master).expect("HMAC takes any key length");
    mac.update(label);
    mac.finalize().into_bytes().into()
}

/// A random nonce, from the operating system's random bytes drawn 4 KB at a time per thread (a
/// system call for each nonce took 2.8 s of a million-line import's encryptions).
fn fresh_nonce() -> [u8; NONCE_LEN] {
    const POOL: usize = 341 * NONCE_LEN;
    thread_local! {
        static DRAWN: std::cell::RefCell<([u8; POOL], usize)> = const { std::cell::RefCell::new(([0; POOL], POOL)) };
    }
    DRAWN.with_borrow_mut(|(bytes, used)| {
        if *used == POOL {
            getrandom::getrandom(bytes).expect("the operating system provides randomness");
            *used = 0;
        }
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&bytes[*used..*used + NONCE_LEN]);
        *used += NONCE_LEN;
        nonce
    })
}

pub fn encode_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

pub fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_hashes_stably() {
        let vault = Vault::from_hex(&Vault::generate_hex()).unwrap();
        let a = vault.encrypt("11010519491231002X");
        let b = vault.encrypt("11010519491231002X");
        assert_ne!(a, b, "fresh nonce each time");
        assert!(!String::from_utf8_lossy(&a).contains("19491231"));
        assert_eq!(vault.decrypt(&a).unwrap(), "11010519491231002X");
        assert_eq!(vault.lookup_hash("x"), vault.lookup_hash("x"));
        assert_eq!(vault.lookup_hash("x").len(), 2 * LOOKUP_HASH_BYTES);
    }

    #[test]
    fn a_lookup_hash_is_the_first_half_of_the_hmac_kept_before_migration_0008() {
        // 0008 cut the kept 64-character hashes to their first 32: right only while a lookup hash
        // is that prefix of HMAC-SHA256 under the key derived as before.
        let master = [7u8; 32];
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&derive(&master, b"portal/lookup/v1")).unwrap();
        mac.update(b"510999195703286417");
        let full = encode_hex(&mac.finalize().into_bytes());
        assert_eq!(full.len(), 64);
        assert_eq!(Vault::from_master_key(&master).lookup_hash("510999195703286417"), full[..32]);
    }

    #[test]
    fn nonces_differ_across_the_drawn_pool() {
        let vault = Vault::from_hex(&Vault::generate_hex()).unwrap();
        let nonces: std::collections::HashSet<Vec<u8>> =
            (0..1_000).map(|_| vault.encrypt("6228480000000001")[..NONCE_LEN].to_vec()).collect();
        assert_eq!(nonces.len(), 1_000, "a nonce was handed out twice");
    }

    #[test]
    fn another_key_cannot_read_or_match() {
        let one = Vault::from_hex(&Vault::generate_hex()).unwrap();
        let two = Vault::from_hex(&Vault::generate_hex()).unwrap();
        assert!(two.decrypt(&one.encrypt("13800138000")).is_err());
        assert_ne!(one.lookup_hash("13800138000"), two.lookup_hash("13800138000"));
        assert!(one.decrypt(b"short").is_err());
    }

    #[test]
    fn rejects_bad_keys() {
        assert!(Vault::from_hex("abc").is_err());
        assert!(Vault::from_hex(&"zz".repeat(32)).is_err());
        assert!(format!("{:?}", Vault::from_hex(&"ab".repeat(32)).unwrap()).contains("redacted"));
    }
}
