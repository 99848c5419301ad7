//! The client-authentication limit: failed authentications per key (client and address,
//! address) in a window, as Keycloak's brute-force detection counts them — the credential
//! is checked first and only a failure counts. Requests in flight never count: a busy app,
//! or many apps behind one proxy address, may send as many at once as it likes.
//!
//! The budget holds all the same, and over every copy on PostgreSQL: each failure is one
//! atomic increment (in memory, or in the database when copies share one), and the answer
//! follows the count it returned — a failure beyond the budget is answered 429, not 401, and
//! so is a success under a key whose budget is spent. So at most `max` failures per window
//! are ever answered as judged, however many arrive at once and at whichever copy. A copy
//! that has seen no failure under a key answers a success from memory (a client that never
//! fails never waits for the database); one that has asks the database for the fleet's
//! count first. The only guess a copy could honour without knowing the fleet's count is
//! its first under the key, before it saw any failure there — and client secrets and keys
//! are 256-bit or signatures, so what the limit bounds is load and noise, not guessing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::store::{AttemptStore, Budget, Window};

#[derive(Debug, Default, Clone, Copy)]
struct Entry {
    /// Failures in the window: this copy's, or the fleet's as the database last said.
    failures: u32,
    start: i64,
}

/// Most keys remembered before expired windows are swept.
const SWEEP_AT: usize = 100_000;

pub struct FailureLimit {
    max: u32,
    window: i64,
    entries: Mutex<HashMap<String, Entry>>,
    shared: Option<(&'static str, Arc<dyn AttemptStore>)>,
}

impl std::fmt::Debug for FailureLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FailureLimit")
            .field("max", &self.max)
            .field("window", &self.window)
            .field("shared", &self.shared.as_ref().map(|(n, _)| n))
            .finish_non_exhaustive()
    }
}

/// What a judged attempt is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Within the budget: answer as the check said.
    Judged,
    /// This failure used up the budget (the moment a lockout begins, worth an audit entry).
    Exhausted,
    /// The budget was spent: answer 429 with this Retry-After, whatever the check said.
    Spent(u64),
}

impl FailureLimit {
    pub fn new(max: u32, window_secs: i64) -> Self {
        Self {
            max,
            window: window_secs,
            entries: Mutex::new(HashMap::new()),
            shared: None,
        }
    }

    /// Counts in `store` under `name`, one budget for every copy sharing the database.
    pub fn shared(mut self, name: &'static str, store: Arc<dyn AttemptStore>) -> Self {
        self.shared = Some((name, store));
        self
    }

    fn budget(&self) -> Budget {
        Budget {
            max: self.max,
            window: self.window,
        }
    }

    /// Before the check: `Err(retry_after)` when this copy already knows a key's budget is
    /// spent, so a locked-out client costs no check and no database round trip.
    pub fn admit(&self, keys: &[String], now: i64) -> Result<(), u64> {
        let Ok(map) = self.entries.lock() else {
            // A poisoned lock means a panic elsewhere; fail closed for a moment.
            return Err(1);
        };
        let mut retry = None;
        for key in keys {
            if let Some(e) = map.get(key) {
                if now < e.start + self.window && e.failures >= self.max {
                    let wait = (e.start + self.window - now).max(1) as u64;
                    retry = Some(retry.map_or(wait, |r: u64| r.max(wait)));
                }
            }
        }
        retry.map_or(Ok(()), Err)
    }

    /// After a failed check: counts it under every key and says how to answer.
    pub async fn failed(&self, keys: &[String], now: i64) -> Verdict {
        let windows: Vec<Window> = match &self.shared {
            Some((name, store)) => match store.add_failure(name, keys, self.budget(), now).await {
                Ok(w) => w,
                Err(e) => {
                    // Not counted, so not judged either: refused for a second.
                    tracing::warn!(error = %e, limiter = name, "could not count a failure");
                    return Verdict::Spent(1);
                }
            },
            None => self.add_locally(keys, now),
        };
        self.learn(keys, &windows);
        self.verdict(&windows, now, true)
    }

    /// After a successful check: refused when a key's budget is spent. Asks the database
    /// only for keys that this copy has seen fail in the window.
    pub async fn succeeded(&self, keys: &[String], now: i64) -> Verdict {
        let known: Vec<String> = match self.entries.lock() {
            Ok(map) => keys
                .iter()
                .filter(|k| {
                    map.get(*k)
                        .is_some_and(|e| e.failures > 0 && now < e.start + self.window)
                })
                .cloned()
                .collect(),
            Err(_) => return Verdict::Spent(1),
        };
        if known.is_empty() {
            return Verdict::Judged;
        }
        let windows = match &self.shared {
            Some((name, store)) => {
                match store.read_failures(name, &known, self.budget(), now).await {
                    Ok(w) => w,
                    Err(e) => {
                        tracing::warn!(error = %e, limiter = name, "could not read failures");
                        return Verdict::Spent(1);
                    }
                }
            }
            None => {
                return self
                    .admit(&known, now)
                    .map_or_else(Verdict::Spent, |()| Verdict::Judged)
            }
        };
        self.learn(&known, &windows);
        self.verdict(&windows, now, false)
    }

    fn add_locally(&self, keys: &[String], now: i64) -> Vec<Window> {
        let Ok(mut map) = self.entries.lock() else {
            return Vec::new();
        };
        if map.len() > SWEEP_AT {
            let window = self.window;
            map.retain(|_, e| now < e.start + window);
        }
        keys.iter()
            .map(|key| {
                let e = map.entry(key.clone()).or_insert(Entry {
                    failures: 0,
                    start: now,
                });
                if now >= e.start + self.window {
                    *e = Entry {
                        failures: 0,
                        start: now,
                    };
                }
                e.failures += 1;
                Window {
                    failures: e.failures,
                    start: e.start,
                }
            })
            .collect()
    }

    /// Remembers the counts the database returned (locally counted ones are already here).
    fn learn(&self, keys: &[String], windows: &[Window]) {
        if self.shared.is_none() {
            return;
        }
        let Ok(mut map) = self.entries.lock() else {
            return;
        };
        for (key, w) in keys.iter().zip(windows) {
            map.insert(
                key.clone(),
                Entry {
                    failures: w.failures,
                    start: w.start,
                },
            );
        }
    }

    /// A failure is judged while its count is within the budget (the one reaching it
    /// begins the lockout); a success while every count is below it.
    fn verdict(&self, windows: &[Window], now: i64, failed: bool) -> Verdict {
        let mut verdict = Verdict::Judged;
        for w in windows {
            let over = if failed {
                w.failures > self.max
            } else {
                w.failures >= self.max
            };
            if over && now < w.start + self.window {
                let wait = (w.start + self.window - now).max(1) as u64;
                verdict = match verdict {
                    Verdict::Spent(r) => Verdict::Spent(r.max(wait)),
                    _ => Verdict::Spent(wait),
                };
            } else if failed && w.failures == self.max && verdict == Verdict::Judged {
                verdict = Verdict::Exhausted;
            }
        }
        verdict
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn keys(k: &[&str]) -> Vec<String> {
        k.iter().map(|s| (*s).to_owned()).collect()
    }

    /// A real database file that limiters ("copies") share, as copies share PostgreSQL.
    async fn shared_store() -> (tempfile::TempDir, Arc<dyn AttemptStore>) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("limits.db").display());
        let store: Arc<dyn AttemptStore> = Arc::new(crate::store::connect(&url).await.unwrap());
        (dir, store)
    }

    /// Counts the calls that reach the database, passing each on to the real store.
    struct Counting(Arc<dyn AttemptStore>, AtomicUsize);

    #[async_trait::async_trait]
    impl AttemptStore for Counting {
        fn counts_attempts(&self) -> bool {
            true
        }
        async fn reserve_attempt(
            &self,
            limiter: &str,
            keys: &[String],
            budget: Budget,
            now: i64,
        ) -> crate::store::StoreResult<Result<(), u64>> {
            self.1.fetch_add(1, Ordering::SeqCst);
            self.0.reserve_attempt(limiter, keys, budget, now).await
        }
        async fn judge_attempt(
            &self,
            limiter: &str,
            keys: &[String],
            failed: bool,
            budget: Budget,
        ) -> crate::store::StoreResult<Vec<Option<Window>>> {
            self.1.fetch_add(1, Ordering::SeqCst);
            self.0.judge_attempt(limiter, keys, failed, budget).await
        }
        async fn add_failure(
            &self,
            limiter: &str,
            keys: &[String],
            budget: Budget,
            now: i64,
        ) -> crate::store::StoreResult<Vec<Window>> {
            self.1.fetch_add(1, Ordering::SeqCst);
            self.0.add_failure(limiter, keys, budget, now).await
        }
        async fn read_failures(
            &self,
            limiter: &str,
            keys: &[String],
            budget: Budget,
            now: i64,
        ) -> crate::store::StoreResult<Vec<Window>> {
            self.1.fetch_add(1, Ordering::SeqCst);
            self.0.read_failures(limiter, keys, budget, now).await
        }
        async fn forget_attempts(&self, limiter: &str, key: &str) -> crate::store::StoreResult<()> {
            self.1.fetch_add(1, Ordering::SeqCst);
            self.0.forget_attempts(limiter, key).await
        }
    }

    #[test]
    fn only_failures_count_and_the_one_reaching_the_budget_is_judged() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            let l = FailureLimit::new(3, 60);
            let k = keys(&["c"]);
            // Successes, however many, use nothing.
            for _ in 0..100 {
                assert_eq!(l.succeeded(&k, 100).await, Verdict::Judged);
            }
            assert_eq!(l.failed(&k, 100).await, Verdict::Judged);
            assert_eq!(l.failed(&k, 100).await, Verdict::Judged);
            assert_eq!(l.failed(&k, 100).await, Verdict::Exhausted);
            assert_eq!(l.failed(&k, 110).await, Verdict::Spent(50));
            assert_eq!(l.succeeded(&k, 110).await, Verdict::Spent(50));
            assert_eq!(l.admit(&k, 110), Err(50));
            assert!(l.admit(&keys(&["other"]), 110).is_ok());
            assert!(l.admit(&k, 160).is_ok(), "the window passed");
            assert_eq!(l.failed(&k, 160).await, Verdict::Judged);
        });
    }

    #[tokio::test]
    async fn clients_that_never_fail_never_reach_the_database() {
        let (_dir, store) = shared_store().await;
        let counting = Arc::new(Counting(store, AtomicUsize::new(0)));
        let copy = FailureLimit::new(3, 60).shared("t", counting.clone());
        for _ in 0..50 {
            assert!(copy.admit(&keys(&["c"]), 100).is_ok());
            assert_eq!(copy.succeeded(&keys(&["c"]), 100).await, Verdict::Judged);
        }
        assert_eq!(counting.1.load(Ordering::SeqCst), 0);
        // A failure is counted there; a later success under that key asks for the count.
        assert_eq!(copy.failed(&keys(&["c"]), 100).await, Verdict::Judged);
        assert_eq!(copy.succeeded(&keys(&["c"]), 101).await, Verdict::Judged);
        assert_eq!(counting.1.load(Ordering::SeqCst), 2);
        assert_eq!(copy.succeeded(&keys(&["d"]), 101).await, Verdict::Judged);
        assert_eq!(counting.1.load(Ordering::SeqCst), 2, "other keys untouched");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn parallel_failures_at_several_copies_get_exactly_the_budget_judged() {
        let (_dir, store) = shared_store().await;
        let copies: Vec<_> = (0..3)
            .map(|_| Arc::new(FailureLimit::new(5, 60).shared("t", store.clone())))
            .collect();
        let tasks: Vec<_> = (0..60)
            .map(|n| {
                let copy = copies[n % 3].clone();
                tokio::spawn(async move { copy.failed(&keys(&["k"]), 100).await })
            })
            .collect();
        let mut judged = 0;
        let mut exhausted = 0;
        for t in tasks {
            match t.await.unwrap() {
                Verdict::Judged => judged += 1,
                Verdict::Exhausted => exhausted += 1,
                Verdict::Spent(_) => {}
            }
        }
        assert_eq!(judged + exhausted, 5, "one budget for every copy");
        assert_eq!(exhausted, 1, "one failure begins the lockout");
        // Every copy now refuses the right credential too, whether it saw a failure or not.
        for copy in &copies {
            assert!(matches!(
                copy.succeeded(&keys(&["k"]), 110).await,
                Verdict::Spent(50)
            ));
        }
    }
}
