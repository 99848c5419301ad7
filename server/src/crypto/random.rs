//! Identifiers and secrets from the operating system's CSPRNG (via aws-lc-rs).

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// `n` random bytes. The system RNG failing is unrecoverable for a security server,
/// so callers get an error they turn into a 500 rather than weak randomness.
pub fn bytes<const N: usize>() -> Result<[u8; N], RandomError> {
    let mut out = [0u8; N];
    SystemRandom::new()
        .fill(&mut out)
        .map_err(|_| RandomError)?;
    Ok(out)
}

/// `N` random bytes as unpadded base64url.
pub fn token<const N: usize>() -> Result<String, RandomError> {
    Ok(URL_SAFE_NO_PAD.encode(bytes::<N>()?))
}

/// A public identifier: 128 random bits, lower-case base32 (26 characters, no padding),
/// so it reads and copies cleanly in URLs and terminals.
pub fn id() -> Result<String, RandomError> {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let b = bytes::<17>()?;
    // 26 characters × 5 bits = 130 bits, drawn from 136 random bits.
    let mut acc: u128 = 0;
    for x in &b[..16] {
        acc = (acc << 8) | u128::from(*x);
    }
    let mut out = String::with_capacity(26);
    for i in 0..26 {
        let idx = if i < 25 {
            ((acc >> (i * 5)) & 31) as usize
        } else {
            usize::from(b[16] & 31)
        };
        out.push(char::from(ALPHABET[idx]));
    }
    Ok(out)
}

#[derive(Debug, thiserror::Error)]
#[error("the system random number generator failed")]
pub struct RandomError;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_distinct_and_url_safe() {
        let a = id().unwrap();
        let b = id().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 26);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
        assert_eq!(token::<32>().unwrap().len(), 43);
    }
}
