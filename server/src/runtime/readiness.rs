//! Whether this copy should be sent traffic: the facts `/health/ready` reports that are not
//! questions to the database — shutting down, and the change-notification connection.

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

/// The state of the connection on which a copy hears of other copies' changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notifications {
    /// SQLite: one process owns the file; caches expire on their timer.
    NotUsed,
    Up,
    /// Lost, and being re-established; until then caches may be stale beyond the 1 s target.
    Down,
}

#[derive(Debug)]
pub struct Readiness {
    draining: AtomicBool,
    notifications: AtomicU8,
}

impl Default for Readiness {
    fn default() -> Self {
        Self {
            draining: AtomicBool::new(false),
            notifications: AtomicU8::new(Notifications::NotUsed as u8),
        }
    }
}

impl Readiness {
    /// SIGTERM received: stay up, but tell the load balancer to stop sending requests.
    pub fn start_draining(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    pub fn draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }

    pub fn set_notifications(&self, state: Notifications) {
        self.notifications.store(state as u8, Ordering::SeqCst);
    }

    pub fn notifications(&self) -> Notifications {
        match self.notifications.load(Ordering::SeqCst) {
            x if x == Notifications::Up as u8 => Notifications::Up,
            x if x == Notifications::Down as u8 => Notifications::Down,
            _ => Notifications::NotUsed,
        }
    }
}
