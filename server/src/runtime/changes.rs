//! Applies the changes other copies announce (see `store::changes`) to this copy's caches:
//! an app's entry goes from the client and CORS caches, a revocation makes every cached
//! token verification look at the database again, new signing keys are loaded. When the
//! listening connection drops, announcements may be lost, so everything cached goes and
//! readiness reports the connection down until it is back.

use std::sync::Arc;
use std::time::Duration;

use crate::clock::Clock;
use crate::metrics::Metrics;
use crate::runtime::clients::ClientCache;
use crate::runtime::origins::OriginCache;
use crate::runtime::readiness::{Notifications, Readiness};
use crate::signing::TokenService;
use crate::store::{Change, ChangeListener, Heard, Notice, SigningKeyStore, SqlStore};

/// Wait between attempts to re-establish a lost listening connection.
const RECONNECT_WAIT: Duration = Duration::from_millis(500);

/// Everything a heard change may touch.
pub struct Follower {
    pub store: Arc<SqlStore>,
    pub clients: Arc<ClientCache>,
    pub origins: Arc<OriginCache>,
    pub tokens: Arc<TokenService>,
    pub signing_keys: Arc<dyn SigningKeyStore>,
    pub clock: Arc<dyn Clock>,
    pub metrics: Arc<Metrics>,
    pub readiness: Arc<Readiness>,
}

impl Follower {
    /// Listens for the whole life of the process (PostgreSQL); returns at once on SQLite.
    /// Readiness reports the connection down until it is first established.
    pub async fn run(self) {
        if !self.store.announces_changes() {
            return;
        }
        self.readiness.set_notifications(Notifications::Down);
        let mut listener = self.connect().await;
        loop {
            let lost = match listener.next().await {
                Ok(Heard::Change(notice)) => {
                    self.apply(&notice).await;
                    continue;
                }
                Ok(Heard::Lost) => "connection lost".to_owned(),
                Err(e) => e.to_string(),
            };
            // Announcements made while the connection is down are lost: drop everything
            // cached, report not ready, and listen on a new connection (not the old one's
            // silent reconnect, which would say nothing until the next announcement).
            tracing::warn!(
                reason = %lost,
                "change notifications: dropping every cached entry and listening anew"
            );
            self.readiness.set_notifications(Notifications::Down);
            self.flush().await;
            listener = self.connect().await;
            // What changed between the flush and the new LISTEN was announced to nobody.
            self.flush().await;
            tracing::info!("change notifications: listening again");
        }
    }

    /// A listening connection, retried until the database lets us have it; readiness is up
    /// once it is.
    async fn connect(&self) -> ChangeListener {
        loop {
            match self.store.listen().await {
                Ok(Some(l)) => {
                    self.readiness.set_notifications(Notifications::Up);
                    return l;
                }
                Ok(None) => tracing::warn!("change notifications: this database has none"),
                Err(e) => tracing::warn!(error = %e, "change notifications: cannot listen yet"),
            }
            tokio::time::sleep(RECONNECT_WAIT).await;
        }
    }

    async fn apply(&self, notice: &Notice) {
        self.store.heard(&notice.change);
        match &notice.change {
            Change::App(client_id) => {
                self.clients.invalidate(client_id);
                self.origins.invalidate();
            }
            // The store bumped its revocation epoch: cached verifications re-check.
            Change::Revoked => {}
            Change::SigningKeys => self.reload_keys().await,
        }
        self.metrics.invalidated("notification", 1);
        let lag = crate::clock::unix_millis().saturating_sub(notice.sent_at_ms);
        // Clocks of different machines differ a little; a negative lag is measured as 0.
        self.metrics
            .notification_lag
            .observe(lag.max(0) as f64 / 1000.0);
    }

    async fn reload_keys(&self) {
        if let Err(e) = self
            .tokens
            .reload(self.signing_keys.as_ref(), self.clock.now())
            .await
        {
            tracing::warn!(error = %e, "could not reload signing keys");
        }
    }

    /// Drops everything cached that another copy could have changed.
    async fn flush(&self) {
        self.clients.invalidate_all();
        self.origins.invalidate();
        self.store.heard(&Change::Revoked);
        self.reload_keys().await;
        self.metrics.invalidated("reconnect", 1);
    }
}
