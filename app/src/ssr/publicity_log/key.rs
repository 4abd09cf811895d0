//! The log's signing key (Ed25519): from configuration (`PORTAL_LOG_KEY`, see [`adopt`]) or made
//! on first use, and kept in the database sealed with the data key, so every node signs with the
//! same key and a backup carries it; key rotation seals it again under the new data key. Tree
//! heads are signed and checked here.

use crate::api::publicity_log::TreeHead;
use crate::ssr::vault::{decode_hex, encode_hex, Vault};
use hmac::{Hmac, Mac};
use ring::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};
use sha2::Sha256;
use sqlx::AnyConnection;

/// The settings row holding the sealed seed.
pub const SETTING: &str = "publicity_log_key";

/// What a tree head's signature covers.
pub fn signed_message(tree_size: i64, signed_at: &str, root_hash: &str) -> String {
    format!("portal-publicity-log/v1\n{tree_size}\n{signed_at}\n{root_hash}\n")
}

/// The log's key: it signs tree heads and keys the tags of receipt codes.
pub struct Signer {
    pair: Ed25519KeyPair,
    receipt_key: [u8; 32],
}

impl Signer {
    pub fn from_seed(seed: &[u8]) -> Result<Self, KeyError> {
        let pair = Ed25519KeyPair::from_seed_unchecked(seed).map_err(|_| KeyError::Sealed)?;
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(seed).map_err(|_| KeyError::Sealed)?;
        mac.update(b"portal/receipt/v1");
        Ok(Signer { pair, receipt_key: mac.finalize().into_bytes().into() })
    }

    pub fn public_key(&self) -> String {
        encode_hex(self.pair.public_key().as_ref())
    }

    /// 32 bits keyed by the log's key, from which a payment line's receipt code takes its tag.
    pub fn receipt_tag(&self, payment: i64) -> u32 {
        let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(&self.receipt_key) else { return 0 };
        mac.update(payment.to_string().as_bytes());
        let bytes = mac.finalize().into_bytes();
        u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
    }

    pub fn sign(&self, tree_size: i64, signed_at: &str, root_hash: &str) -> TreeHead {
        let signature = self.pair.sign(signed_message(tree_size, signed_at, root_hash).as_bytes());
        TreeHead {
            tree_size,
            root_hash: root_hash.to_string(),
            signed_at: signed_at.to_string(),
            public_key: self.public_key(),
            signature: encode_hex(signature.as_ref()),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error("the publicity log key cannot be opened with the data key")]
    Sealed,
    #[error("PORTAL_LOG_KEY must be 64 hex characters (a 32-byte Ed25519 seed)")]
    Configured,
    #[error("PORTAL_LOG_KEY is not the key this log was signed with (that key's public key is {0}); restore that key or remove the setting")]
    Another(String),
}

/// Makes the configured `seed` (64 hex characters) the log's key: kept sealed in the database
/// when the log has no key yet; an error when it already has another one (the heads it signed
/// would no longer verify against the site's key).
pub async fn adopt(conn: &mut AnyConnection, vault: &Vault, seed: &str) -> Result<(), KeyError> {
    let seed = decode_hex(seed.trim()).filter(|s| s.len() == 32).ok_or(KeyError::Configured)?;
    let wanted = Signer::from_seed(&seed)?.public_key();
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
        .bind(SETTING)
        .bind(vault.seal(&encode_hex(&seed)))
        .execute(&mut *conn)
        .await?;
    let kept = signer(conn, vault).await?.public_key();
    if kept != wanted {
        return Err(KeyError::Another(kept));
    }
    Ok(())
}

/// The portal's signer, made (and kept) on first use.
pub async fn signer(conn: &mut AnyConnection, vault: &Vault) -> Result<Signer, KeyError> {
    let sealed = match sealed(conn).await? {
        Some(s) => s,
        None => {
            let mut seed = [0u8; 32];
            getrandom::getrandom(&mut seed).map_err(|_| KeyError::Sealed)?;
            sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
                .bind(SETTING)
                .bind(vault.seal(&encode_hex(&seed)))
                .execute(&mut *conn)
                .await?;
            sealed(conn).await?.ok_or(KeyError::Sealed)?
        }
    };
    let seed = vault.open(&sealed).and_then(|hex| decode_hex(hex.trim())).ok_or(KeyError::Sealed)?;
    Signer::from_seed(&seed)
}

/// The portal's signer as this node first read it. The seed never changes once made (a key
/// rotation seals the same seed again), so a node reads and opens it once instead of on every
/// citizen's page of payments (a query, an AES-GCM opening and an Ed25519 key derivation).
#[derive(Clone, Default)]
pub struct KeptSigner(std::sync::Arc<tokio::sync::OnceCell<std::sync::Arc<Signer>>>);

impl KeptSigner {
    pub async fn get(&self, db: &crate::ssr::Db, vault: &Vault) -> Result<std::sync::Arc<Signer>, KeyError> {
        let signer = self
            .0
            .get_or_try_init(|| async {
                let mut conn = db.pool.acquire().await?;
                Ok::<_, KeyError>(std::sync::Arc::new(signer(&mut conn, vault).await?))
            })
            .await?;
        Ok(signer.clone())
    }
}

/// The sealed seed as stored, if one was made.
pub async fn sealed(conn: &mut AnyConnection) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(SETTING).fetch_optional(conn).await
}

/// Whether a head's signature is good for its own public key.
pub fn verify(head: &TreeHead) -> bool {
    let (Some(key), Some(signature)) = (decode_hex(&head.public_key), decode_hex(&head.signature)) else {
        return false;
    };
    UnparsedPublicKey::new(&ED25519, key)
        .verify(signed_message(head.tree_size, &head.signed_at, &head.root_hash).as_bytes(), &signature)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_as_rfc_8032_says() {
        // RFC 8032, section 7.1, test 1 (the empty message).
        let seed = decode_hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60").unwrap();
        let pair = Ed25519KeyPair::from_seed_unchecked(&seed).unwrap();
        assert_eq!(
            encode_hex(pair.public_key().as_ref()),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        );
        assert_eq!(
            encode_hex(pair.sign(b"").as_ref()),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        );
    }

    #[test]
    fn a_head_verifies_until_any_part_of_it_changes() {
        let signer = Signer::from_seed(&[7u8; 32]).unwrap();
        let head = signer.sign(3, "2026-12-05T08:00:00Z", &"ab".repeat(32));
        assert!(verify(&head));
        assert!(!verify(&TreeHead { tree_size: 4, ..head.clone() }));
        assert!(!verify(&TreeHead { root_hash: "cd".repeat(32), ..head.clone() }));
        assert!(!verify(&TreeHead { signed_at: "2026-12-06T08:00:00Z".into(), ..head.clone() }));
        assert!(!verify(&TreeHead { signature: "00".repeat(64), ..head }));
    }
}
