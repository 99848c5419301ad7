//! Scopes (RFC 6749 §3.3): a space-delimited, order-free set of known values.

use std::collections::BTreeSet;

use super::error::OAuthError;

pub use portico_proto::scope::{ADMIN, EMAIL, OFFLINE_ACCESS, OPENID, PROFILE};

/// Every scope Portico knows.
pub const SUPPORTED: [&str; 5] = [OPENID, PROFILE, EMAIL, OFFLINE_ACCESS, ADMIN];

/// The scopes the discovery document lists: those any registered app may ask for. `admin`
/// is left out (RFC 8414 §2: a server MAY choose not to advertise some supported scopes): it
/// belongs to Portico's own console, and every other app asking for it gets `invalid_scope`.
pub const ADVERTISED: [&str; 4] = [OPENID, PROFILE, EMAIL, OFFLINE_ACCESS];

/// A validated set of scopes, kept sorted so equal sets compare and store alike.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scopes(BTreeSet<&'static str>);

impl Scopes {
    /// Parses a `scope` parameter; an unknown value is `invalid_scope`.
    pub fn parse(s: &str) -> Result<Self, OAuthError> {
        let mut set = BTreeSet::new();
        for token in s.split(' ').filter(|t| !t.is_empty()) {
            let known = SUPPORTED.iter().find(|k| **k == token).ok_or_else(|| {
                OAuthError::invalid_scope(format!("Unknown scope `{}`.", printable(token)))
            })?;
            set.insert(*known);
        }
        Ok(Scopes(set))
    }

    pub fn contains(&self, s: &str) -> bool {
        self.0.contains(s)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn is_subset(&self, other: &Scopes) -> bool {
        self.0.is_subset(&other.0)
    }

    pub fn remove(&mut self, s: &str) {
        self.0.remove(s);
    }

    pub fn iter(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.0.iter().copied()
    }

    /// The RFC 6749 §3.3 string form.
    pub fn to_param(&self) -> String {
        self.0.iter().copied().collect::<Vec<_>>().join(" ")
    }
}

/// Keeps untrusted text in error descriptions short and printable (RFC 6749 §5.2 limits
/// `error_description` to %x20-21 / %x23-5B / %x5D-7E).
pub fn printable(s: &str) -> String {
    s.chars()
        .filter(|c| matches!(*c, ' '..='~') && *c != '"' && *c != '\\')
        .take(40)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_sorts_dedups_and_refuses_unknown() {
        let s = Scopes::parse("profile openid  profile").unwrap();
        assert_eq!(s.to_param(), "openid profile");
        assert!(Scopes::parse("openid write:all").is_err());
        assert!(Scopes::parse("").unwrap().is_empty());
        assert!(Scopes::parse("openid").unwrap().is_subset(&s));
    }
}
