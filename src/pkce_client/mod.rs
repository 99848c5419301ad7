//! The reference OAuth 2.0 client: the authorization code flow with PKCE as a single-page
//! app runs it. `steps` is one pure function per protocol step (no network, no DOM, so
//! unit tested natively and in the browser); `http` sends those steps' requests. The
//! console signs itself in with this very code (`session`), and the PKCE demo shows it.

pub mod http;
pub mod steps;
