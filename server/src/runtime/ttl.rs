//! The one time-bounded cache behind this copy's caches: an entry is trusted for `ttl`
//! seconds of the injected `Clock`, so tests move time instead of sleeping, and what "another
//! copy sees a change within 5 s" means is a number a test can check.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use crate::clock::Clock;

pub struct TtlCache<V> {
    ttl: i64,
    /// Most entries; beyond, the cache starts again empty (floods cannot grow it).
    max: usize,
    clock: Arc<dyn Clock>,
    entries: RwLock<HashMap<String, (V, i64)>>,
    /// Bumped by every removal, under the write lock: see `loading`.
    generation: AtomicU64,
}

/// Taken before a value is read from the database (`TtlCache::loading`), handed to `put`.
#[derive(Debug, Clone, Copy)]
pub struct Loading(u64);

impl<V: Clone> TtlCache<V> {
    pub fn new(ttl_secs: i64, max: usize, clock: Arc<dyn Clock>) -> Self {
        Self {
            ttl: ttl_secs,
            max,
            clock,
            entries: RwLock::new(HashMap::new()),
            generation: AtomicU64::new(0),
        }
    }

    /// Call before reading the value to `put`. If anything is removed between the two
    /// (another copy's change announced while the read was under way), the value may be
    /// older than the change and is not stored: otherwise it would outlive the
    /// announcement by up to `ttl`.
    pub fn loading(&self) -> Loading {
        Loading(self.generation.load(Ordering::SeqCst))
    }

    /// The value stored under `key` less than `ttl` seconds ago.
    pub fn get(&self, key: &str) -> Option<V> {
        let now = self.clock.now();
        let map = self.entries.read().ok()?;
        map.get(key)
            .filter(|(_, at)| now - at < self.ttl)
            .map(|(v, _)| v.clone())
    }

    /// Stores `value`, read after `loading`, unless something was removed since.
    pub fn put(&self, key: &str, value: V, loading: Loading) {
        let now = self.clock.now();
        if let Ok(mut map) = self.entries.write() {
            if self.generation.load(Ordering::SeqCst) != loading.0 {
                return;
            }
            if map.len() >= self.max && !map.contains_key(key) {
                map.clear();
            }
            map.insert(key.to_owned(), (value, now));
        }
    }

    pub fn remove(&self, key: &str) {
        if let Ok(mut map) = self.entries.write() {
            self.generation.fetch_add(1, Ordering::SeqCst);
            map.remove(key);
        }
    }

    pub fn clear(&self) {
        if let Ok(mut map) = self.entries.write() {
            self.generation.fetch_add(1, Ordering::SeqCst);
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
        c.put("a", 1, c.loading());
        clock.advance(4);
        assert_eq!(c.get("a"), Some(1));
        clock.advance(1);
        assert_eq!(c.get("a"), None, "5 s later it is read again");
        c.put("a", 2, c.loading());
        c.put("b", 3, c.loading());
        c.put("c", 4, c.loading());
        assert_eq!(c.get("a"), None, "bounded: a third key starts again");
        assert_eq!(c.get("c"), Some(4));
        c.remove("c");
        assert_eq!(c.get("c"), None);
    }

    #[test]
    fn a_value_read_before_a_removal_is_not_stored_after_it() {
        let c = TtlCache::new(5, 10, Arc::new(ManualClock::new(100)));
        // A read starts, another copy's change is announced, then the read ends.
        let loading = c.loading();
        c.remove("a");
        c.put("a", 1, loading);
        assert_eq!(c.get("a"), None, "the stale value was dropped");
        // A read that starts after the announcement is stored as usual.
        c.put("a", 2, c.loading());
        assert_eq!(c.get("a"), Some(2));
        let loading = c.loading();
        c.clear();
        c.put("b", 3, loading);
        assert_eq!(c.get("b"), None);
    }
}
