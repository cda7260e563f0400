//! Keys held outside the database that make the audit trail more than a hash chain.
//!
//! - The **audit key** (HMAC-SHA256, 32 random bytes) seals each event as it is written:
//!   `mac = HMAC(key, ["waymark-audit-seal/1", seq, hash, row_ref, row_hash])` as compact
//!   JSON, hex. The event's hash already covers its content, the previous hash and the row it
//!   records; the seal names the row again so a row reference or row hash cannot be moved to
//!   another event. Someone who can write to the database but cannot read the key can change
//!   an event and recompute every later hash, but cannot make seals that match.
//! - A **signing key** (Ed25519) signs checkpoints: the chain's position at one moment (the
//!   newest event's number and hash, the number of events, where sealing began). A checkpoint
//!   kept off the server later proves nothing up to that event changed and nothing after it
//!   was cut off, while letting the trail grow.
//!
//! Keys are written and read as hexadecimal text (one line), so an operator can make one with
//! `openssl rand -hex 32`.

use crate::{Result, StoreError};
use ed25519_dalek::Signer;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// Lower-case hexadecimal.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Bytes from hexadecimal (either case); `None` for anything else.
pub fn from_hex(text: &str) -> Option<Vec<u8>> {
    let text = text.as_bytes();
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16);
    text.chunks(2)
        .map(|pair| Some((digit(pair[0])? * 16 + digit(pair[1])?) as u8))
        .collect()
}

fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)
        .map_err(|e| StoreError::Usage(format!("the system has no source of randomness: {e}")))?;
    Ok(bytes)
}

/// The key that seals audit events. Its bytes are never shown (`Debug` hides them).
#[derive(Clone)]
pub struct AuditKey(Vec<u8>);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(…)")
    }
}

/// The version tag at the start of every seal's message.
const SEAL_TAG: &str = "waymark-audit-seal/1";

impl AuditKey {
    /// The length of a generated key, and the shortest accepted.
    pub const BYTES: usize = 32;

    pub fn from_bytes(bytes: &[u8]) -> Result<AuditKey> {
        if bytes.len() < AuditKey::BYTES {
            return Err(StoreError::Usage(format!(
                "an audit key must be at least {} bytes ({} hexadecimal digits); this one has {}",
                AuditKey::BYTES,
                AuditKey::BYTES * 2,
                bytes.len()
            )));
        }
        Ok(AuditKey(bytes.to_vec()))
    }

    /// A key written as hexadecimal text (surrounding white space is ignored).
    pub fn from_hex(text: &str) -> Result<AuditKey> {
        let bytes = from_hex(text.trim()).ok_or_else(|| {
            StoreError::Usage("an audit key must be written as hexadecimal digits".into())
        })?;
        AuditKey::from_bytes(&bytes)
    }

    /// A new random key.
    pub fn generate() -> Result<AuditKey> {
        Ok(AuditKey(random_bytes::<{ AuditKey::BYTES }>()?.to_vec()))
    }

    /// The key as it is written to its file.
    pub fn to_hex(&self) -> String {
        to_hex(&self.0)
    }

    fn mac(
        &self,
        seq: i64,
        hash: &str,
        row_ref: Option<&str>,
        row_hash: Option<&str>,
    ) -> Hmac<Sha256> {
        let message = serde_json::json!([SEAL_TAG, seq, hash, row_ref, row_hash]).to_string();
        // HMAC takes a key of any length, so this cannot fail.
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of every length"));
        mac.update(message.as_bytes());
        mac
    }

    /// The seal of an event, as stored in `audit_events.mac`.
    pub fn seal(
        &self,
        seq: i64,
        hash: &str,
        row_ref: Option<&str>,
        row_hash: Option<&str>,
    ) -> String {
        to_hex(
            &self
                .mac(seq, hash, row_ref, row_hash)
                .finalize()
                .into_bytes(),
        )
    }

    /// Whether `mac` is the seal of this event (compared in constant time).
    pub fn check(
        &self,
        seq: i64,
        hash: &str,
        row_ref: Option<&str>,
        row_hash: Option<&str>,
        mac: &str,
    ) -> bool {
        match from_hex(mac) {
            Some(bytes) => self
                .mac(seq, hash, row_ref, row_hash)
                .verify_slice(&bytes)
                .is_ok(),
            None => false,
        }
    }
}

/// The key that signs checkpoints.
#[derive(Clone)]
pub struct SigningKey(ed25519_dalek::SigningKey);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey(public {})", self.public().to_hex())
    }
}

impl SigningKey {
    /// A new random key.
    pub fn generate() -> Result<SigningKey> {
        Ok(SigningKey(ed25519_dalek::SigningKey::from_bytes(
            &random_bytes::<32>()?,
        )))
    }

    /// A key written as hexadecimal text: its 32-byte secret.
    pub fn from_hex(text: &str) -> Result<SigningKey> {
        let bytes: [u8; 32] = from_hex(text.trim())
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| {
                StoreError::Usage(
                    "a checkpoint signing key must be 64 hexadecimal digits (an Ed25519 secret key)"
                        .into(),
                )
            })?;
        Ok(SigningKey(ed25519_dalek::SigningKey::from_bytes(&bytes)))
    }

    pub fn to_hex(&self) -> String {
        to_hex(&self.0.to_bytes())
    }

    /// The public key that checks this key's signatures.
    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }
}

/// The public half of a checkpoint signing key: what an auditor pins.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey(ed25519_dalek::VerifyingKey);

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({})", self.to_hex())
    }
}

impl PublicKey {
    pub fn from_hex(text: &str) -> Result<PublicKey> {
        let bad = || {
            StoreError::Usage(
                "a checkpoint public key must be 64 hexadecimal digits (an Ed25519 public key)"
                    .into(),
            )
        };
        let bytes: [u8; 32] = from_hex(text.trim())
            .and_then(|b| b.try_into().ok())
            .ok_or_else(bad)?;
        ed25519_dalek::VerifyingKey::from_bytes(&bytes)
            .map(PublicKey)
            .map_err(|_| bad())
    }

    pub fn to_hex(&self) -> String {
        to_hex(&self.0.to_bytes())
    }
}

/// The format tag a checkpoint file starts with.
pub const CHECKPOINT_FORMAT: &str = "waymark-audit-checkpoint/1";

/// Where the audit trail stood at one moment, signed.
///
/// Written as a small JSON file (see [`Checkpoint::to_json`]). The signature is Ed25519 over
/// the format tag and the compact JSON of [`Position`] (its fields in the order declared), so
/// the file can be re-indented or have its fields reordered without breaking it, but no value
/// can change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub position: Position,
    /// The public key that made `signature` (hex).
    pub public_key: String,
    /// Ed25519 signature over the position (hex).
    pub signature: String,
}

/// A checkpoint file: the position's fields, then the key and signature, all at the top.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckpointFile {
    format: String,
    seq: i64,
    hash: String,
    events: u64,
    sealed_from: Option<i64>,
    taken_at: String,
    database: Option<String>,
    public_key: String,
    signature: String,
}

/// What a checkpoint records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Position {
    /// The newest event's number when the checkpoint was taken (0: the trail was empty).
    pub seq: i64,
    /// That event's hash ([`crate::staff::audit::GENESIS`] for an empty trail).
    pub hash: String,
    /// How many events the trail held.
    pub events: u64,
    /// The first sealed event, if any was: every event from it on must stay sealed.
    pub sealed_from: Option<i64>,
    /// When the checkpoint was taken (RFC 3339 UTC).
    pub taken_at: String,
    /// The database it was taken of, as shown to people (a path, or a URL without password).
    /// Informational: a restored copy elsewhere is still the same trail.
    pub database: Option<String>,
}

impl Position {
    fn message(&self) -> Result<Vec<u8>> {
        let body = serde_json::to_string(self).map_err(crate::corrupt)?;
        Ok(format!("{CHECKPOINT_FORMAT}\n{body}").into_bytes())
    }
}

impl Checkpoint {
    /// Sign a position.
    pub fn sign(position: Position, key: &SigningKey) -> Result<Checkpoint> {
        let signature = key.0.sign(&position.message()?);
        Ok(Checkpoint {
            position,
            public_key: key.public().to_hex(),
            signature: to_hex(&signature.to_bytes()),
        })
    }

    /// The checkpoint as written to its file (pretty JSON and a final newline).
    pub fn to_json(&self) -> Result<String> {
        let p = &self.position;
        let file = CheckpointFile {
            format: CHECKPOINT_FORMAT.to_string(),
            seq: p.seq,
            hash: p.hash.clone(),
            events: p.events,
            sealed_from: p.sealed_from,
            taken_at: p.taken_at.clone(),
            database: p.database.clone(),
            public_key: self.public_key.clone(),
            signature: self.signature.clone(),
        };
        let mut text = serde_json::to_string_pretty(&file).map_err(crate::corrupt)?;
        text.push('\n');
        Ok(text)
    }

    /// Read a checkpoint file's text and check its signature against the public key it
    /// carries. `name` (the file) is named in every error. Whether that key is the right one
    /// is [`Checkpoint::signed_by`]'s question.
    pub fn parse(name: &str, text: &str) -> std::result::Result<Checkpoint, CheckpointError> {
        let unreadable = |message: String| CheckpointError::Unreadable(message);
        let file: CheckpointFile = serde_json::from_str(text)
            .map_err(|e| unreadable(format!("{name} is not a Waymark audit checkpoint: {e}")))?;
        if file.format != CHECKPOINT_FORMAT {
            return Err(unreadable(format!(
                "{name} is a checkpoint of format '{}'; this Waymark reads '{CHECKPOINT_FORMAT}'",
                file.format
            )));
        }
        let checkpoint = Checkpoint {
            position: Position {
                seq: file.seq,
                hash: file.hash,
                events: file.events,
                sealed_from: file.sealed_from,
                taken_at: file.taken_at,
                database: file.database,
            },
            public_key: file.public_key,
            signature: file.signature,
        };
        let forged = |why: &str| {
            CheckpointError::Forged(format!(
                "{name}: {why}: the checkpoint was changed after it was signed, or forged"
            ))
        };
        let key = PublicKey::from_hex(&checkpoint.public_key)
            .map_err(|_| forged("its public key is not an Ed25519 public key"))?;
        let signature: [u8; 64] = from_hex(checkpoint.signature.trim())
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| forged("its signature is not 128 hexadecimal digits"))?;
        let signature = ed25519_dalek::Signature::from_bytes(&signature);
        let message = checkpoint
            .position
            .message()
            .map_err(|e| unreadable(format!("{name}: {e}")))?;
        if key.0.verify_strict(&message, &signature).is_err() {
            return Err(forged("the signature does not match its contents"));
        }
        Ok(checkpoint)
    }

    /// Refuse a checkpoint not signed by `expected` (the key an auditor pinned).
    pub fn signed_by(
        &self,
        name: &str,
        expected: &PublicKey,
    ) -> std::result::Result<(), CheckpointError> {
        if self
            .public_key
            .trim()
            .eq_ignore_ascii_case(&expected.to_hex())
        {
            Ok(())
        } else {
            Err(CheckpointError::Forged(format!(
                "{name} was signed by key {}, not by the expected key {}: it is not one of this deployment's checkpoints",
                self.public_key,
                expected.to_hex()
            )))
        }
    }
}

/// Why a checkpoint file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// Not a checkpoint at all (not JSON, fields missing, another format).
    #[error("{0}")]
    Unreadable(String),
    /// A checkpoint whose signature fails, or made with another key: changed or forged.
    #[error("{0}")]
    Forged(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_refuses_other_text() {
        assert_eq!(from_hex("00ff10Ab"), Some(vec![0, 255, 16, 171]));
        assert_eq!(to_hex(&[0, 255, 16, 171]), "00ff10ab");
        assert_eq!(from_hex("abc"), None);
        assert_eq!(from_hex("zz"), None);
        assert_eq!(from_hex("é1"), None);
    }

    #[test]
    fn seals_cover_seq_hash_and_row() -> Result<()> {
        let key = AuditKey::from_bytes(&[7; 32])?;
        let seal = key.seal(3, "abc", Some("users:1"), Some("h"));
        assert!(key.check(3, "abc", Some("users:1"), Some("h"), &seal));
        assert!(!key.check(4, "abc", Some("users:1"), Some("h"), &seal));
        assert!(!key.check(3, "abd", Some("users:1"), Some("h"), &seal));
        assert!(!key.check(3, "abc", Some("users:2"), Some("h"), &seal));
        assert!(!key.check(3, "abc", Some("users:1"), None, &seal));
        assert!(!key.check(3, "abc", None, None, &seal));
        assert!(!key.check(3, "abc", Some("users:1"), Some("h"), "not hex"));
        let other = AuditKey::from_bytes(&[8; 32])?;
        assert!(!other.check(3, "abc", Some("users:1"), Some("h"), &seal));
        assert!(AuditKey::from_bytes(&[1; 16]).is_err(), "too short");
        assert!(AuditKey::from_hex(&format!("{}\n", to_hex(&[9; 32]))).is_ok());
        assert!(format!("{key:?}").contains('…'), "never shown");
        Ok(())
    }

    #[test]
    fn checkpoints_are_signed_and_refused_when_changed()
    -> std::result::Result<(), Box<dyn std::error::Error>> {
        let key = SigningKey::generate()?;
        let position = Position {
            seq: 12,
            hash: "ab".repeat(32),
            events: 12,
            sealed_from: Some(3),
            taken_at: "2026-01-01T00:00:00.000000Z".into(),
            database: Some("waymark.db".into()),
        };
        let checkpoint = Checkpoint::sign(position, &key)?;
        let text = checkpoint.to_json()?;
        let read = Checkpoint::parse("cp.json", &text)?;
        assert_eq!(read, checkpoint);
        read.signed_by("cp.json", &key.public())?;
        let other = SigningKey::generate()?;
        assert!(read.signed_by("cp.json", &other.public()).is_err());

        let changed = text.replace("\"seq\": 12", "\"seq\": 11");
        assert_ne!(changed, text);
        let Err(CheckpointError::Forged(e)) = Checkpoint::parse("cp.json", &changed) else {
            panic!("a changed checkpoint was accepted");
        };
        assert!(e.contains("cp.json"), "{e}");
        assert!(matches!(
            Checkpoint::parse("cp.json", "{}"),
            Err(CheckpointError::Unreadable(_))
        ));
        assert!(SigningKey::from_hex(&key.to_hex())?.public() == key.public());
        Ok(())
    }
}
