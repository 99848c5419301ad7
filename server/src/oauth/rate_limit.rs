//! Failed-attempt limits for sign-in and client authentication: after `max` failures in
//! `window` seconds a key is refused until the window passes. Never permanent, so the
//! right password always works again later.
//!
//! Counted per server copy, in memory; with several copies the effective limit is
//! `max` × copies.

use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Debug)]
pub struct RateLimiter {
    max: u32,
    window: i64,
    entries: Mutex<HashMap<String, (u32, i64)>>,
}

impl RateLimiter {
    pub fn new(max: u32, window_secs: i64) -> Self {
        Self {
            max,
            window: window_secs,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(retry_after_secs)` when `key` has used up its failures in the current window.
    pub fn check(&self, key: &str, now: i64) -> Result<(), u64> {
        let Ok(map) = self.entries.lock() else {
            return Ok(());
        };
        match map.get(key) {
            Some((count, start)) if *count >= self.max && now < start + self.window => {
                Err((start + self.window - now) as u64)
            }
            _ => Ok(()),
        }
    }

    pub fn fail(&self, key: &str, now: i64) {
        let Ok(mut map) = self.entries.lock() else {
            return;
        };
        if map.len() > 100_000 {
            let window = self.window;
            map.retain(|_, (_, start)| now < *start + window);
        }
        let e = map.entry(key.to_owned()).or_insert((0, now));
        if now >= e.1 + self.window {
            *e = (0, now);
        }
        e.0 += 1;
    }

    pub fn reset(&self, key: &str) {
        if let Ok(mut map) = self.entries.lock() {
            map.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_then_forgives() {
        let r = RateLimiter::new(3, 60);
        for _ in 0..3 {
            assert!(r.check("u", 100).is_ok());
            r.fail("u", 100);
        }
        assert_eq!(r.check("u", 110), Err(50));
        assert!(r.check("other", 110).is_ok());
        assert!(r.check("u", 160).is_ok(), "the window passed");
        r.fail("u", 160);
        assert!(r.check("u", 161).is_ok());
        r.reset("u");
    }
}
