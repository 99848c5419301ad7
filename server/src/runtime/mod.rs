//! What one server copy keeps in memory between requests: caches of the store (apps, CORS
//! origins, verified tokens), "last used" throttling, and abuse limits. Everything here runs
//! on the injected `Clock` and knows nothing of the handlers.

pub mod changes;
pub mod clients;
pub mod failure_limit;
pub mod invalidating;
pub mod limits;
pub mod origins;
pub mod readiness;
pub mod ttl;
pub mod usage;
pub mod verified;
