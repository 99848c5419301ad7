//! Check 8: `max_age` (OIDC Core §3.1.2.1): the longest time, in seconds, since the user
//! last actively signed in that the app accepts. A non-negative decimal integer; anything
//! else is `invalid_request`, since silently ignoring it would hand the app an older sign-in
//! than it asked for.

use crate::oauth::error::OAuthError;
use crate::oauth::form::Params;

/// The largest `max_age` kept: a century. Larger values change nothing (no session lives
/// that long) and are clamped, so that `auth_time + max_age` never overflows.
const MAX_AGE_CAP: u64 = 100 * 365 * 24 * 3600;

pub fn check(params: &Params) -> Result<Option<u64>, OAuthError> {
    let Some(raw) = params.get("max_age") else {
        return Ok(None);
    };
    // Digits only: `u64::from_str` would also take a leading `+`.
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(OAuthError::invalid_request(
            "`max_age` must be a whole number of seconds.",
        ));
    }
    // All digits but too large for u64: as good as "any age", so the cap.
    Ok(Some(
        raw.parse::<u64>()
            .map_or(MAX_AGE_CAP, |v| v.min(MAX_AGE_CAP)),
    ))
}

/// Whether a sign-in at `auth_time` is recent enough for `max_age` at `now`. OIDC Core
/// §3.1.2.1 asks for a new sign-in when the elapsed time is greater than `max_age`; times
/// are whole seconds, so an elapsed time equal to `max_age` may really be up to a second
/// more, and counts as too old. `max_age=0` therefore always asks, as OIDC Core says it
/// should (equivalent to `prompt=login`).
pub fn is_recent(auth_time: i64, max_age: Option<u64>, now: i64) -> bool {
    match max_age {
        None => true,
        Some(max) => now.saturating_sub(auth_time) < max as i64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(q: &str) -> Result<Option<u64>, OAuthError> {
        check(&Params::parse(q.as_bytes()).unwrap())
    }

    #[test]
    fn accepts_whole_seconds_and_refuses_the_rest() {
        assert_eq!(parse("").unwrap(), None);
        // RFC 6749 §3.1: a parameter without a value is as if omitted.
        assert_eq!(parse("max_age=").unwrap(), None);
        assert_eq!(parse("max_age=0").unwrap(), Some(0));
        assert_eq!(parse("max_age=10000").unwrap(), Some(10000));
        assert_eq!(
            parse("max_age=99999999999999999999999").unwrap(),
            Some(MAX_AGE_CAP)
        );
        for bad in ["max_age=-1", "max_age=%2B5", "max_age=1.5", "max_age=ten"] {
            assert_eq!(
                parse(bad).unwrap_err().code.as_str(),
                "invalid_request",
                "{bad}"
            );
        }
    }

    #[test]
    fn zero_always_asks_and_equal_age_counts_as_too_old() {
        assert!(is_recent(100, None, 1_000_000));
        assert!(!is_recent(100, Some(0), 100));
        assert!(is_recent(100, Some(10), 109));
        assert!(!is_recent(100, Some(10), 110));
        assert!(is_recent(1_700_000_000, Some(MAX_AGE_CAP), 1_800_000_000));
    }
}
