//! User passwords: argon2id with OWASP's parameters, hashed off the async threads.

use std::sync::Mutex;

use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use subtle::ConstantTimeEq;

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

/// argon2id memory (19 MiB each) kept between verifications, at most one per permit. A
/// fresh 19 MiB per sign-in, freed on the blocking thread that ran it, stays with that
/// thread's malloc arena, and the blocking pool has many threads: measured, RSS grew by
/// gigabytes under concurrent sign-ins. Reused, the memory is bounded by the permits.
static MEMORY: Mutex<Vec<Vec<Block>>> = Mutex::new(Vec::new());

/// Checks `password` against a PHC-format argon2 hash as `PasswordVerifier` does (the
/// algorithm, version and parameters come from the stored string), in reused memory.
fn verify_blocking(password: &str, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from).transpose() {
        Ok(v) => v.unwrap_or_default(),
        Err(_) => return false,
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    let blocks = params.block_count();
    let mut memory = MEMORY
        .lock()
        .ok()
        .and_then(|mut pool| pool.pop())
        .unwrap_or_default();
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    let mut out = vec![0u8; expected.len()];
    let ok = Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password.as_bytes(), salt, &mut out, &mut memory[..])
        .is_ok()
        && bool::from(out.as_slice().ct_eq(expected.as_bytes()));
    // Only memory of the usual size goes back: a hash made with larger parameters does
    // not make every later sign-in hold more.
    if memory.len() <= OWASP_BLOCKS {
        if let Ok(mut pool) = MEMORY.lock() {
            if pool.len() < PERMITS {
                pool.push(memory);
            }
        }
    }
    ok
}

/// Blocks of the OWASP parameters (one block is 1 KiB).
const OWASP_BLOCKS: usize = 19 * 1024;

/// argon2id computations at a time. Each holds 19 MiB for tens of milliseconds, so the
/// limit is what bounds the server's memory under sign-in load (issue 7: RSS at most
/// 60 MB under load; measured 6 GB at 64 concurrent sign-ins unbounded). One at a time
/// keeps a copy within that at the price of sign-in throughput on several cores: about
/// 55 sign-ins/s here, each taking one core for about 18 ms.
const PERMITS: usize = 1;

fn permits() -> &'static tokio::sync::Semaphore {
    static PERMITS_SEM: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(PERMITS);
    &PERMITS_SEM
}

/// Runs an argon2id computation on the blocking pool, within the limit.
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
        assert!(!verify("wrong".into(), h.clone()).await);
        assert!(!verify("x".into(), "not a hash".into()).await);
        // Memory reused from the pool gives the same answers.
        assert!(verify("correct horse".into(), h.clone()).await);
        assert!(!verify("correct horsf".into(), h).await);
    }

    #[test]
    fn verifies_hashes_made_by_the_reference_verifier_and_other_parameters() {
        use argon2::password_hash::PasswordVerifier;
        // Smaller parameters and argon2i: what the stored string says is what is used.
        for (alg, m) in [(Algorithm::Argon2id, 64), (Algorithm::Argon2i, 32)] {
            let params = Params::new(m, 1, 1, None).unwrap();
            let a = Argon2::new(alg, Version::V0x13, params);
            let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
            let h = a.hash_password(b"pw", &salt).unwrap().to_string();
            assert!(a
                .verify_password(b"pw", &PasswordHash::new(&h).unwrap())
                .is_ok());
            assert!(verify_blocking("pw", &h));
            assert!(!verify_blocking("pX", &h));
        }
        // A hash with a cut output or no salt is refused, not accepted.
        assert!(!verify_blocking(
            "pw",
            "$argon2id$v=19$m=64,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg"
        ));
    }
}
