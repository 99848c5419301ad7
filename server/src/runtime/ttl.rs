//! The one time-bounded cache behind this copy's caches: an entry is trusted for `ttl`
//! seconds of the injected `Clock`, so tests move time instead of sleeping, and what "another
//! copy sees a change within 5 s" means is a number a test can check.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::clock::Clock;

pub struct TtlCache<V> {
    ttl: i64,
    /// Most entries; beyond, the cache starts again empty (floods cannot grow it).
    max: usize,
    clock: Arc<dyn Clock>,
    entries: RwLock<HashMap<String, (V, i64)>>,
}

impl<V: Clone> TtlCache<V> {
    pub fn new(ttl_secs: i64, max: usize, clock: Arc<dyn Clock>) -> Self {
        Self {
            ttl: ttl_secs,
            max,
            clock,
            entries: RwLock::new(HashMap::new()),
        }
    }

    /// The value stored under `key` less than `ttl` seconds ago.
    pub fn get(&self, key: &str) -> Option<V> {
        let now = self.clock.now();
        let map = self.entries.read().ok()?;
        map.get(key)
            .filter(|(_, at)| now - at < self.ttl)
            .map(|(v, _)| v.clone())
    }

    pub fn put(&self, key: &str, value: V) {
        let now = self.clock.now();
        if let Ok(mut map) = self.entries.write() {
            if map.len() >= self.max && !map.contains_key(key) {
                map.clear();
            }
            map.insert(key.to_owned(), (value, now));
        }
    }

    pub fn remove(&self, key: &str) {
        if let Ok(mut map) = self.entries.write() {
            map.remove(key);
        }
    }

    pub fn clear(&self) {
        if let Ok(mut map) = self.entries.write() {
            map.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    #[test]
    fn entries_live_for_ttl_seconds_of_the_clock() {
        let clock = Arc::new(ManualClock::new(100));
        let c = TtlCache::new(5, 2, clock.clone());
        c.put("a", 1);
        clock.advance(4);
        assert_eq!(c.get("a"), Some(1));
        clock.advance(1);
        assert_eq!(c.get("a"), None, "5 s later it is read again");
        c.put("a", 2);
        c.put("b", 3);
        c.put("c", 4);
        assert_eq!(c.get("a"), None, "bounded: a third key starts again");
        assert_eq!(c.get("c"), Some(4));
        c.remove("c");
        assert_eq!(c.get("c"), None);
    }
}
