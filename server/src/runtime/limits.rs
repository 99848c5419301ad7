//! Limits on failed attempts (sign-in, client authentication), built so that they hold under
//! parallel requests and cannot be turned against someone else:
//!
//! - an attempt is *reserved* before the expensive check (argon2id, a signature) and counted
//!   as a failure only if it fails, so N guesses sent at once get at most the budget judged
//!   and the rest a 429 at once, without queueing hashing work;
//! - callers key the budgets by what the attacker controls together with the address they
//!   come from (username + address, client + address), so a stranger elsewhere exhausts only
//!   their own budget; `Slowdown` adds a per-username delay instead of a lockout.
//!
//! Counted in memory per server copy (SQLite: one process), or, on PostgreSQL, in the
//! database, one budget for every copy sharing it (`Sharing`); never permanent, so the right
//! credential always works again later.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::store::{AttemptStore, Budget, Window};

#[derive(Debug, Default, Clone, Copy)]
struct Entry {
    /// Failures judged by this copy in its window.
    failures: u32,
    /// Attempts reserved here and not yet judged.
    pending: u32,
    /// Start of this copy's window.
    start: i64,
    /// Failures the database held under the key, every copy's, when this copy last wrote
    /// there, and when that window ends (`Sharing::AfterFailure`).
    fleet: u32,
    fleet_until: i64,
}

/// Where a limiter counts.
enum Sharing {
    /// In this copy's memory only.
    Local,
    /// In the database under this name, every attempt: one exact budget for every copy.
    /// For sign-in, whose check (argon2id) costs far more than the round trip.
    Always(&'static str, Arc<dyn AttemptStore>),
    /// In the database under this name once a key has failed. An attempt under keys that
    /// have not failed anywhere, as far as this copy knows, with none of its own in
    /// flight, is judged from memory: a client that never fails never waits for the
    /// database. Every failure is counted in the database, which tells the copy the
    /// fleet's count; from then until the window ends every attempt under the key is
    /// reserved there, exactly, and refused here without a round trip once the fleet's
    /// budget is spent. So the fleet judges at most the budget plus one attempt per copy
    /// in a window (each copy's first, before it learns of the others' failures).
    AfterFailure(&'static str, Arc<dyn AttemptStore>),
}

impl Sharing {
    fn name(&self) -> Option<&'static str> {
        match self {
            Sharing::Local => None,
            Sharing::Always(name, _) | Sharing::AfterFailure(name, _) => Some(name),
        }
    }
}

/// At most `max` failures (judged or in progress) per key in `window` seconds.
pub struct AttemptLimiter {
    max: u32,
    window: i64,
    entries: Mutex<HashMap<String, Entry>>,
    sharing: Sharing,
}

/// Most keys remembered before expired windows are swept.
const SWEEP_AT: usize = 100_000;

impl std::fmt::Debug for AttemptLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AttemptLimiter")
            .field("max", &self.max)
            .field("window", &self.window)
            .field("shared", &self.sharing.name())
            .finish_non_exhaustive()
    }
}

impl AttemptLimiter {
    pub fn new(max: u32, window_secs: i64) -> Self {
        Self {
            max,
            window: window_secs,
            entries: Mutex::new(HashMap::new()),
            sharing: Sharing::Local,
        }
    }

    /// Counts every attempt in `store` under `name`, so every copy sharing the database
    /// spends one budget (`Sharing::Always`).
    pub fn shared(mut self, name: &'static str, store: Arc<dyn AttemptStore>) -> Self {
        self.sharing = Sharing::Always(name, store);
        self
    }

    /// Counts in `store` under `name` once a key has failed (`Sharing::AfterFailure`).
    pub fn shared_after_failure(
        mut self,
        name: &'static str,
        store: Arc<dyn AttemptStore>,
    ) -> Self {
        self.sharing = Sharing::AfterFailure(name, store);
        self
    }

    fn budget(&self) -> Budget {
        Budget {
            max: self.max,
            window: self.window,
        }
    }

    /// Reserves one attempt under every key (see `reserve`), in the database when the
    /// limiter shares its counts there. A database error refuses the attempt for a second
    /// rather than judging it uncounted.
    pub async fn reserve_ticket(&self, keys: Vec<String>, now: i64) -> Result<Ticket<'_>, u64> {
        let (name, store, local) = match &self.sharing {
            Sharing::Local => return self.reserve(keys, now).map(Ticket::Local),
            Sharing::Always(name, store) => (*name, store, None),
            Sharing::AfterFailure(name, store) => {
                let (local, failed_before) = self.reserve_in_memory(keys.clone(), now)?;
                if !failed_before {
                    return Ok(Ticket::Fleet {
                        local,
                        shared: None,
                        now,
                    });
                }
                (*name, store, Some(local))
            }
        };
        let shared = match store.reserve_attempt(name, &keys, self.budget(), now).await {
            Ok(Ok(())) => SharedReservation {
                name,
                store: store.clone(),
                keys,
                budget: self.budget(),
                judged: false,
            },
            Ok(Err(retry)) => return Err(retry),
            Err(e) => {
                tracing::warn!(error = %e, limiter = name, "could not reserve an attempt");
                return Err(1);
            }
        };
        Ok(match local {
            None => Ticket::Shared(shared),
            Some(local) => Ticket::Fleet {
                local,
                shared: Some(shared),
                now,
            },
        })
    }

    /// `forget`, in the database when the limiter is shared.
    pub async fn forget_everywhere(&self, key: &str) {
        match &self.sharing {
            Sharing::Local | Sharing::AfterFailure(..) => self.forget(key),
            Sharing::Always(name, store) => {
                if let Err(e) = store.forget_attempts(name, key).await {
                    tracing::warn!(error = %e, limiter = name, "could not forget failures");
                }
            }
        }
    }

    /// Failures allowed per key in a window.
    pub fn max(&self) -> u32 {
        self.max
    }

    /// Reserves one attempt under every key, all or none. `Err(retry_after_secs)` when any
    /// key has no budget left; the reservation must then be judged with `failed` (the
    /// attempt counts) or `succeeded`, and is released unjudged when dropped.
    pub fn reserve(&self, keys: Vec<String>, now: i64) -> Result<Reservation<'_>, u64> {
        self.reserve_in_memory(keys, now).map(|(r, _)| r)
    }

    /// `reserve`, also saying whether any key has failed (here or, as this copy last
    /// learnt, at any copy) or has an attempt in flight here: then the attempt must be
    /// reserved in the database too (`Sharing::AfterFailure`).
    fn reserve_in_memory(
        &self,
        keys: Vec<String>,
        now: i64,
    ) -> Result<(Reservation<'_>, bool), u64> {
        let Ok(mut map) = self.entries.lock() else {
            // A poisoned lock means a panic elsewhere; fail closed for a moment.
            return Err(1);
        };
        if map.len() > SWEEP_AT {
            let window = self.window;
            map.retain(|_, e| e.pending > 0 || now < e.start + window);
        }
        let mut retry = None;
        let mut failed_before = false;
        for key in &keys {
            let e = map.entry(key.clone()).or_insert(Entry {
                start: now,
                ..Entry::default()
            });
            if now >= e.start + self.window {
                e.failures = 0;
                e.start = now;
            }
            let fleet = if now < e.fleet_until { e.fleet } else { 0 };
            let mut wait = None;
            if e.failures + e.pending >= self.max {
                wait = Some(e.start + self.window - now);
            }
            if fleet >= self.max {
                // Spent at other copies too: refused without asking the database.
                wait = Some(wait.unwrap_or(0).max(e.fleet_until - now));
            }
            if let Some(w) = wait {
                let w = w.max(1) as u64;
                retry = Some(retry.map_or(w, |r: u64| r.max(w)));
            }
            failed_before |= e.failures > 0 || e.pending > 0 || fleet > 0;
        }
        if let Some(r) = retry {
            return Err(r);
        }
        for key in &keys {
            if let Some(e) = map.get_mut(key) {
                e.pending += 1;
            }
        }
        Ok((
            Reservation {
                limiter: self,
                keys,
                judged: false,
            },
            failed_before,
        ))
    }

    /// Remembers the fleet's counts that the database returned for `keys`.
    fn learn(&self, keys: &[String], windows: &[Option<Window>]) {
        let Ok(mut map) = self.entries.lock() else {
            return;
        };
        for (key, window) in keys.iter().zip(windows) {
            if let (Some(e), Some(w)) = (map.get_mut(key), window) {
                e.fleet = w.failures;
                e.fleet_until = w.start + self.window;
            }
        }
    }

    /// Counts the failure of an attempt judged from memory alone (`Sharing::AfterFailure`).
    async fn add_failure(&self, keys: &[String], now: i64) -> Vec<Option<Window>> {
        let Sharing::AfterFailure(name, store) = &self.sharing else {
            return Vec::new();
        };
        match store.add_failure(name, keys, self.budget(), now).await {
            Ok(windows) => windows.into_iter().map(Some).collect(),
            Err(e) => {
                tracing::warn!(error = %e, limiter = name, "could not count a failure");
                Vec::new()
            }
        }
    }

    /// Forgets `key`'s failures (a correct password for that username and address).
    pub fn forget(&self, key: &str) {
        if let Ok(mut map) = self.entries.lock() {
            if let Some(e) = map.get_mut(key) {
                e.failures = 0;
            }
        }
    }

    /// Ends a reservation: the pending attempt goes, and becomes a failure if it failed.
    /// Returns whether this failure used up the last of some key's budget.
    fn judge(&self, keys: &[String], failed: bool) -> bool {
        let Ok(mut map) = self.entries.lock() else {
            return false;
        };
        let mut exhausted = false;
        for key in keys {
            if let Some(e) = map.get_mut(key) {
                e.pending = e.pending.saturating_sub(1);
                if failed {
                    e.failures += 1;
                    exhausted |= e.failures == self.max;
                }
            }
        }
        exhausted
    }
}

/// One reserved attempt (see `AttemptLimiter::reserve`).
#[must_use = "judge the attempt with `failed` or `succeeded`"]
pub struct Reservation<'a> {
    limiter: &'a AttemptLimiter,
    keys: Vec<String>,
    judged: bool,
}

impl Reservation<'_> {
    /// The attempt failed: it counts. `true` when this failure exhausted a budget (the
    /// moment a lockout begins, worth an audit entry).
    pub fn failed(mut self) -> bool {
        self.judged = true;
        self.limiter.judge(&self.keys, true)
    }

    /// The attempt succeeded: it does not count.
    pub fn succeeded(mut self) {
        self.judged = true;
        self.limiter.judge(&self.keys, false);
    }
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        // Not judged (an error before the check finished): release without counting.
        if !self.judged {
            self.limiter.judge(&self.keys, false);
        }
    }
}

/// A reserved attempt, in memory or in the database (see `Sharing`).
#[must_use = "judge the attempt with `failed` or `succeeded`"]
pub enum Ticket<'a> {
    Local(Reservation<'a>),
    Shared(SharedReservation),
    /// `Sharing::AfterFailure`: held in memory, and in the database when a key had failed.
    Fleet {
        local: Reservation<'a>,
        shared: Option<SharedReservation>,
        now: i64,
    },
}

impl Ticket<'_> {
    /// The attempt failed: it counts. `true` when this failure exhausted a budget.
    pub async fn failed(self) -> bool {
        match self {
            Ticket::Local(r) => r.failed(),
            Ticket::Shared(r) => {
                let max = r.budget.max;
                reaches(&r.judge(true).await, max)
            }
            Ticket::Fleet { local, shared, now } => {
                let limiter = local.limiter;
                let keys = local.keys.clone();
                local.failed();
                let windows = match shared {
                    Some(r) => r.judge(true).await,
                    None => limiter.add_failure(&keys, now).await,
                };
                limiter.learn(&keys, &windows);
                reaches(&windows, limiter.max)
            }
        }
    }

    /// The attempt succeeded: it does not count.
    pub async fn succeeded(self) {
        match self {
            Ticket::Local(r) => r.succeeded(),
            Ticket::Shared(r) => {
                r.judge(false).await;
            }
            Ticket::Fleet { local, shared, .. } => {
                local.succeeded();
                if let Some(r) = shared {
                    r.judge(false).await;
                }
            }
        }
    }
}

/// Whether some key's count is exactly the budget: the failure that began a lockout.
/// Each count is one atomic increment, so of concurrent failures exactly one sees it.
fn reaches(windows: &[Option<Window>], max: u32) -> bool {
    windows.iter().flatten().any(|w| w.failures == max)
}

/// An attempt reserved in the database (see `AttemptLimiter::shared`).
pub struct SharedReservation {
    name: &'static str,
    store: Arc<dyn AttemptStore>,
    keys: Vec<String>,
    budget: Budget,
    judged: bool,
}

impl SharedReservation {
    async fn judge(mut self, failed: bool) -> Vec<Option<Window>> {
        self.judged = true;
        let keys = std::mem::take(&mut self.keys);
        match self
            .store
            .judge_attempt(self.name, &keys, failed, self.budget)
            .await
        {
            Ok(windows) => windows,
            Err(e) => {
                tracing::warn!(error = %e, limiter = self.name, "could not judge an attempt");
                Vec::new()
            }
        }
    }
}

impl Drop for SharedReservation {
    fn drop(&mut self) {
        // Not judged (an error before the check finished): release it without counting,
        // in the background since a drop cannot wait.
        if self.judged || self.keys.is_empty() {
            return;
        }
        let (name, store, keys, budget) = (
            self.name,
            self.store.clone(),
            std::mem::take(&mut self.keys),
            self.budget,
        );
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                let _ = store.judge_attempt(name, &keys, false, budget).await;
            });
        }
    }
}

/// A delay per key that grows with recent failures instead of locking the key: used per
/// username, which anyone can name, so that guessing one user's password from many
/// addresses gets slow while the user can still sign in.
#[derive(Debug)]
pub struct Slowdown {
    /// Failures allowed in a window before any delay.
    free: u32,
    window: i64,
    step: Duration,
    cap: Duration,
    entries: Mutex<HashMap<String, (u32, i64)>>,
}

impl Slowdown {
    pub fn new(free: u32, window_secs: i64, step: Duration, cap: Duration) -> Self {
        Self {
            free,
            window: window_secs,
            step,
            cap,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// How long the next attempt for `key` waits before it is judged.
    pub fn delay(&self, key: &str, now: i64) -> Duration {
        let Ok(map) = self.entries.lock() else {
            return self.cap;
        };
        match map.get(key) {
            Some((n, start)) if now < start + self.window && *n > self.free => {
                self.step.saturating_mul(*n - self.free).min(self.cap)
            }
            _ => Duration::ZERO,
        }
    }

    pub fn fail(&self, key: &str, now: i64) {
        let Ok(mut map) = self.entries.lock() else {
            return;
        };
        if map.len() > SWEEP_AT {
            let window = self.window;
            map.retain(|_, (_, start)| now < *start + window);
        }
        let e = map.entry(key.to_owned()).or_insert((0, now));
        if now >= e.1 + self.window {
            *e = (0, now);
        }
        e.0 += 1;
    }
}

/// Failed-attempt limits (the limiters above). Each is keyed so that an attacker spends
/// only budgets that include their own address: nobody elsewhere can lock a user or an app out.
pub struct Limits {
    /// Client authentication failures, per client and address, and per address: 20 a minute.
    pub client_auth: AttemptLimiter,
    /// Sign-in failures per username and address: 5 in 5 minutes.
    pub login_user_addr: AttemptLimiter,
    /// Sign-in failures per address, whatever the username: 30 in 5 minutes.
    pub login_addr: AttemptLimiter,
    /// Sign-in failures per username from anywhere: after 10 in 15 minutes each further
    /// attempt waits a second more, up to 5 s, but is still judged.
    pub login_user: Slowdown,
}

impl Limits {
    /// The limits, counted in `store` when it is shared by copies (PostgreSQL). Sign-in
    /// reserves every attempt there. Client authentication is on every token request's
    /// path, where a round trip and a row lock per request would cap the token endpoint's
    /// throughput, so it goes to the database only for keys that have failed
    /// (`Sharing::AfterFailure`): clients that present the right credential never do.
    pub fn for_store(store: &Arc<dyn AttemptStore>) -> Self {
        let mut limits = Self::default();
        if store.counts_attempts() {
            limits.client_auth = limits
                .client_auth
                .shared_after_failure("client_auth", store.clone());
            limits.login_user_addr = limits
                .login_user_addr
                .shared("signin_user_addr", store.clone());
            limits.login_addr = limits.login_addr.shared("signin_addr", store.clone());
        }
        limits
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            client_auth: AttemptLimiter::new(20, 60),
            login_user_addr: AttemptLimiter::new(5, 300),
            login_addr: AttemptLimiter::new(30, 300),
            login_user: Slowdown::new(
                10,
                900,
                std::time::Duration::from_secs(1),
                std::time::Duration::from_secs(5),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(k: &[&str]) -> Vec<String> {
        k.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn reserved_attempts_count_before_they_are_judged() {
        let r = AttemptLimiter::new(3, 60);
        // Three in flight at once use the whole budget; the fourth is refused at once.
        let a = r.reserve(keys(&["u"]), 100).unwrap();
        let b = r.reserve(keys(&["u"]), 100).unwrap();
        let c = r.reserve(keys(&["u"]), 100).unwrap();
        assert_eq!(r.reserve(keys(&["u"]), 100).err(), Some(60));
        // A success gives its place back; failures keep theirs.
        a.succeeded();
        assert!(!b.failed());
        assert!(!c.failed());
        let d = r.reserve(keys(&["u"]), 110).unwrap();
        assert!(d.failed(), "the third failure exhausts the budget");
        assert_eq!(r.reserve(keys(&["u"]), 110).err(), Some(50));
        assert!(r.reserve(keys(&["other"]), 110).is_ok());
        assert!(r.reserve(keys(&["u"]), 160).is_ok(), "the window passed");
    }

    #[test]
    fn all_keys_or_none() {
        let r = AttemptLimiter::new(1, 60);
        r.reserve(keys(&["ip"]), 0).unwrap().failed();
        assert!(r.reserve(keys(&["user", "ip"]), 1).is_err());
        // "user" was not charged by the refused reservation.
        assert!(r.reserve(keys(&["user"]), 1).is_ok());
    }

    #[test]
    fn dropped_reservations_are_released() {
        let r = AttemptLimiter::new(1, 60);
        drop(r.reserve(keys(&["u"]), 0).unwrap());
        assert!(r.reserve(keys(&["u"]), 0).is_ok());
    }

    #[test]
    fn forget_clears_failures() {
        let r = AttemptLimiter::new(1, 60);
        r.reserve(keys(&["u"]), 0).unwrap().failed();
        r.forget("u");
        assert!(r.reserve(keys(&["u"]), 0).is_ok());
    }

    /// A real database file that two limiters ("copies") share, as copies share PostgreSQL.
    async fn shared_store() -> (tempfile::TempDir, Arc<dyn AttemptStore>) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("limits.db").display());
        let store: Arc<dyn AttemptStore> = Arc::new(crate::store::connect(&url).await.unwrap());
        (dir, store)
    }

    /// Counts the calls that reach the database, passing each on to the real store.
    struct Counting(Arc<dyn AttemptStore>, std::sync::atomic::AtomicUsize);

    impl Counting {
        fn calls(&self) -> usize {
            self.1.load(std::sync::atomic::Ordering::SeqCst)
        }
        fn count(&self) {
            self.1.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }

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
            self.count();
            self.0.reserve_attempt(limiter, keys, budget, now).await
        }
        async fn judge_attempt(
            &self,
            limiter: &str,
            keys: &[String],
            failed: bool,
            budget: Budget,
        ) -> crate::store::StoreResult<Vec<Option<Window>>> {
            self.count();
            self.0.judge_attempt(limiter, keys, failed, budget).await
        }
        async fn add_failure(
            &self,
            limiter: &str,
            keys: &[String],
            budget: Budget,
            now: i64,
        ) -> crate::store::StoreResult<Vec<Window>> {
            self.count();
            self.0.add_failure(limiter, keys, budget, now).await
        }
        async fn forget_attempts(&self, limiter: &str, key: &str) -> crate::store::StoreResult<()> {
            self.count();
            self.0.forget_attempts(limiter, key).await
        }
    }

    #[tokio::test]
    async fn attempts_that_never_fail_never_reach_the_database() {
        let (_dir, store) = shared_store().await;
        let counting = Arc::new(Counting(store, Default::default()));
        let copy = AttemptLimiter::new(3, 60).shared_after_failure("t", counting.clone());
        for _ in 0..50 {
            copy.reserve_ticket(keys(&["c"]), 100)
                .await
                .unwrap()
                .succeeded()
                .await;
        }
        assert_eq!(counting.calls(), 0);
        // A failure is counted there, and from then on the key's attempts are reserved there.
        copy.reserve_ticket(keys(&["c"]), 100)
            .await
            .unwrap()
            .failed()
            .await;
        assert_eq!(counting.calls(), 1);
        copy.reserve_ticket(keys(&["c"]), 101)
            .await
            .unwrap()
            .succeeded()
            .await;
        assert_eq!(counting.calls(), 3, "reserved and judged in the database");
        // Other keys are untouched by it.
        copy.reserve_ticket(keys(&["d"]), 101)
            .await
            .unwrap()
            .succeeded()
            .await;
        assert_eq!(counting.calls(), 3);
    }

    #[tokio::test]
    async fn copies_share_one_budget_once_a_key_has_failed() {
        let (_dir, store) = shared_store().await;
        let a = AttemptLimiter::new(5, 60).shared_after_failure("t", store.clone());
        let b = AttemptLimiter::new(5, 60).shared_after_failure("t", store.clone());
        let c = AttemptLimiter::new(5, 60).shared_after_failure("t", store);
        // Guesses alternate between the copies until every copy refuses.
        let mut judged = 0;
        let mut exhausted = 0;
        for n in 0..30 {
            let copy = [&a, &b, &c][n % 3];
            if let Ok(ticket) = copy.reserve_ticket(keys(&["k"]), 100).await {
                judged += 1;
                exhausted += usize::from(ticket.failed().await);
            }
        }
        // Per copy the budget would be 15; shared, the budget plus at most one first
        // attempt per copy.
        assert!((5..=5 + 3).contains(&judged), "{judged} judged");
        assert_eq!(exhausted, 1, "one failure begins the lockout");
        for copy in [&a, &b, &c] {
            assert_eq!(copy.reserve_ticket(keys(&["k"]), 110).await.err(), Some(50));
        }
        // The window ends for every copy alike.
        for copy in [&a, &b, &c] {
            copy.reserve_ticket(keys(&["k"]), 160)
                .await
                .unwrap()
                .succeeded()
                .await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn parallel_guesses_at_several_copies_get_at_most_the_budget_and_one_per_copy() {
        let (_dir, store) = shared_store().await;
        let copies: Vec<_> = (0..3)
            .map(|_| Arc::new(AttemptLimiter::new(5, 60).shared_after_failure("t", store.clone())))
            .collect();
        // One failure first, as an attacker's probing leaves, then 60 guesses at once.
        copies[0]
            .reserve_ticket(keys(&["k"]), 100)
            .await
            .unwrap()
            .failed()
            .await;
        let tasks: Vec<_> = (0..60)
            .map(|n| {
                let copy = copies[n % 3].clone();
                tokio::spawn(async move {
                    match copy.reserve_ticket(keys(&["k"]), 100).await {
                        Ok(ticket) => {
                            tokio::time::sleep(Duration::from_millis(20)).await;
                            ticket.failed().await;
                            1
                        }
                        Err(_) => 0,
                    }
                })
            })
            .collect();
        let mut judged = 1;
        for t in tasks {
            judged += t.await.unwrap();
        }
        assert!((5..=5 + 3).contains(&judged), "{judged} judged");
    }

    #[test]
    fn slowdown_grows_then_caps_then_forgives() {
        let s = Slowdown::new(
            2,
            60,
            Duration::from_millis(100),
            Duration::from_millis(250),
        );
        for _ in 0..2 {
            s.fail("u", 0);
        }
        assert_eq!(s.delay("u", 0), Duration::ZERO);
        s.fail("u", 0);
        assert_eq!(s.delay("u", 0), Duration::from_millis(100));
        for _ in 0..5 {
            s.fail("u", 0);
        }
        assert_eq!(s.delay("u", 0), Duration::from_millis(250));
        assert_eq!(s.delay("u", 60), Duration::ZERO);
        assert_eq!(s.delay("v", 0), Duration::ZERO);
    }
}
