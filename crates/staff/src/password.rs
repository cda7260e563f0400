//! Password hashing: Argon2id with OWASP's recommended cost (19 MiB, 2 passes, 1 lane), in
//! PHC string form so the cost can be raised later without breaking older hashes. Hashing is
//! slow on purpose, so it runs on the blocking pool, off the request threads — and each check
//! takes 19 MiB, so only a bounded number run at once ([`Checker`]): a request beyond that is
//! told to come back at once, instead of queueing memory without limit.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Bounds how many password hashes and checks run at once, and counts the checks made.
#[derive(Debug)]
pub struct Checker {
    permits: Arc<Semaphore>,
    checks: AtomicU64,
}

/// Leave to run one password hash or check; it is held until the hashing ends, even if the
/// request that asked has gone.
#[derive(Debug)]
pub struct Permit {
    // Never read: holding it is the point; dropping it frees the place.
    _held: OwnedSemaphorePermit,
}

impl Checker {
    /// At most `at_once` hashes at a time (at least one).
    pub fn new(at_once: usize) -> Checker {
        Checker {
            permits: Arc::new(Semaphore::new(at_once.max(1))),
            checks: AtomicU64::new(0),
        }
    }

    /// As many at once as the machine has cores.
    pub fn per_core() -> Checker {
        Checker::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    }

    /// A permit if one is free now; `None` means the server is busy hashing.
    pub fn permit(&self) -> Option<Permit> {
        self.permits
            .clone()
            .try_acquire_owned()
            .ok()
            .map(|held| Permit { _held: held })
    }

    /// Password checks made since start (sign-ins whose password was actually compared).
    pub fn checks(&self) -> u64 {
        self.checks.load(Ordering::Relaxed)
    }

    /// Whether `password` matches `stored`, under a permit (see [`verify`]).
    pub async fn verify(&self, permit: Permit, password: String, stored: Option<String>) -> bool {
        self.checks.fetch_add(1, Ordering::Relaxed);
        verify_holding(permit, password, stored).await
    }

    /// Hash a new password under a permit.
    pub async fn hash(&self, permit: Permit, password: String) -> Result<String, String> {
        hash_holding(permit, password).await
    }
}

impl Default for Checker {
    fn default() -> Self {
        Checker::per_core()
    }
}

fn hasher() -> Argon2<'static> {
    // The parameters are constants known to be valid; `default()` is the fallback anyway.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hash a password with a fresh random salt.
async fn hash_holding(permit: Permit, password: String) -> Result<String, String> {
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
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
async fn verify_holding(permit: Permit, password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
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
        let checker = Checker::new(1);
        let permit = || checker.permit().expect("free");
        let a = checker
            .hash(permit(), "a long enough passphrase".into())
            .await
            .expect("hash");
        let b = checker
            .hash(permit(), "a long enough passphrase".into())
            .await
            .expect("hash");
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b, "salted");
        let check =
            |pw: &str, stored: Option<String>| checker.verify(permit(), pw.to_string(), stored);
        assert!(check("a long enough passphrase", Some(a.clone())).await);
        assert!(!check("a long enough passphrasE", Some(a)).await);
        assert!(!check("anything", None).await);
        assert!(!check("anything", Some("not a hash".into())).await);
        assert_eq!(checker.checks(), 4);
    }

    #[tokio::test]
    async fn no_more_than_the_bound_hash_at_once() {
        let checker = Checker::new(2);
        let first = checker.permit().expect("one");
        let second = checker.permit().expect("two");
        assert!(checker.permit().is_none(), "a third waits for none");
        // A permit is released when its hashing ends.
        assert!(!checker.verify(first, "x".into(), None).await);
        assert!(checker.permit().is_some());
        drop(second);
        assert_eq!(Checker::new(0).permits.available_permits(), 1);
    }
}
