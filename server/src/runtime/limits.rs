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

use super::failure_limit::FailureLimit;
use crate::store::{AttemptStore, Budget, Window};

#[derive(Debug, Default, Clone, Copy)]
struct Entry {
    /// Failures judged by this copy in its window.
    failures: u32,
    /// Attempts reserved here and not yet judged.
    pending: u32,
    /// Start of this copy's window.
    start: i64,
}

/// Where a limiter counts.
enum Sharing {
    /// In this copy's memory only.
    Local,
    /// In the database under this name, every attempt: one exact budget for every copy.
    /// For sign-in, whose check (argon2id) costs far more than the round trip.
    Always(&'static str, Arc<dyn AttemptStore>),
}

impl Sharing {}

impl Sharing {
    fn name(&self) -> Option<&'static str> {
        match self {
            Sharing::Local => None,
            Sharing::Always(name, _) => Some(name),
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
        let (name, store) = match &self.sharing {
            Sharing::Local => return self.reserve(keys, now).map(Ticket::Local),
            Sharing::Always(name, store) => (*name, store),
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
        Ok(Ticket::Shared(shared))
    }

    /// `forget`, in the database when the limiter is shared.
    pub async fn forget_everywhere(&self, key: &str) {
        match &self.sharing {
            Sharing::Local => self.forget(key),
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
        let Ok(mut map) = self.entries.lock() else {
            // A poisoned lock means a panic elsewhere; fail closed for a moment.
            return Err(1);
        };
        if map.len() > SWEEP_AT {
            let window = self.window;
            map.retain(|_, e| e.pending > 0 || now < e.start + window);
        }
        let mut retry = None;
        for key in &keys {
            let e = map.entry(key.clone()).or_insert(Entry {
                start: now,
                ..Entry::default()
            });
            if now >= e.start + self.window {
                e.failures = 0;
                e.start = now;
            }
            if e.failures + e.pending >= self.max {
                let w = (e.start + self.window - now).max(1) as u64;
                retry = Some(retry.map_or(w, |r: u64| r.max(w)));
            }
        }
        if let Some(r) = retry {
            return Err(r);
        }
        for key in &keys {
            if let Some(e) = map.get_mut(key) {
                e.pending += 1;
            }
        }
        Ok(Reservation {
            limiter: self,
            keys,
            judged: false,
        })
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
        }
    }

    /// The attempt succeeded: it does not count.
    pub async fn succeeded(self) {
        match self {
            Ticket::Local(r) => r.succeeded(),
            Ticket::Shared(r) => {
                r.judge(false).await;
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
    /// Client authentication failures, per client and address, and per address: 20 a minute,
    /// counted after the check (`failure_limit`).
    pub client_auth: FailureLimit,
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
    /// reserves every attempt there before its argon2id check. Client authentication, on
    /// every token request's path, counts only failures there (`failure_limit`): clients
    /// that present the right credential never wait for the database.
    pub fn for_store(store: &Arc<dyn AttemptStore>) -> Self {
        let mut limits = Self::default();
        if store.counts_attempts() {
            limits.client_auth = limits.client_auth.shared("client_auth", store.clone());
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
            client_auth: FailureLimit::new(20, 60),
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
}
