//! Password hashing: Argon2id with OWASP's recommended cost (19 MiB, 2 passes, 1 lane), in
//! PHC string form so the cost can be raised later without breaking older hashes. Hashing is
//! slow on purpose, so it runs on the blocking pool, off the request threads.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

fn hasher() -> Argon2<'static> {
    // The parameters are constants known to be valid; `default()` is the fallback anyway.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hash a password with a fresh random salt.
pub async fn hash(password: String) -> Result<String, String> {
    tokio::task::spawn_blocking(move || {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|e| format!("no source of randomness: {e}"))?;
        let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
        hasher()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

/// A hash of nothing anyone knows, checked against when an address has no account, so that
/// answering takes as long whether or not the account exists.
const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$d2F5bWFya2R1bW15c2FsdA$2l3l5ycDBvyJ1yN5c7FqLh0x0W9s3O2b0ZC5S3m0Zc8";

/// Whether `password` matches `stored` (a PHC string); with no stored hash, a dummy check of
/// the same cost that always fails.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let text = stored.unwrap_or_else(|| DUMMY.to_string());
        let Ok(parsed) = PasswordHash::new(&text) else {
            return false;
        };
        let matches = hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        known && matches
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_differ_per_salt() {
        let a = hash("a long enough passphrase".into()).await.expect("hash");
        let b = hash("a long enough passphrase".into()).await.expect("hash");
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b, "salted");
        assert!(verify("a long enough passphrase".into(), Some(a.clone())).await);
        assert!(!verify("a long enough passphrasE".into(), Some(a)).await);
        assert!(!verify("anything".into(), None).await);
        assert!(!verify("anything".into(), Some("not a hash".into())).await);
    }
}
