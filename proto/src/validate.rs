//! Validation rules for app settings. The server enforces them; the console runs the
//! same functions to show the same messages inline.

use url::{Host, Url};

use crate::app::{AppSettings, AppType, IdTokenAlg};
use crate::problem::FieldError;

pub const NAME_MAX: usize = 100;
pub const DESCRIPTION_MAX: usize = 1_000;
pub const URL_MAX: usize = 2_000;
pub const REDIRECT_URIS_MAX: usize = 10;
pub const DEVELOPER_NAME_MAX: usize = 100;
pub const EMAIL_MAX: usize = 254;
/// Access tokens are short-lived: between one minute and one day.
pub const ACCESS_TOKEN_LIFETIME_MIN: u64 = 60;
pub const ACCESS_TOKEN_LIFETIME_MAX: u64 = 86_400;
/// Refresh-token expiries: between one minute and ten years (or never).
pub const REFRESH_LIFETIME_MIN: u64 = 60;
pub const REFRESH_LIFETIME_MAX: u64 = 3_650 * 86_400;

/// The refresh-token reuse grace: at most a minute, enough for a browser's tabs racing
/// or a client retrying a lost response, short enough to leave a thief little time.
pub const REUSE_GRACE_MAX: u64 = 60;

/// Most users one machine-to-machine app may act as in the JWT-bearer grant.
pub const JWT_BEARER_USERS_MAX: usize = 50;

/// RFC 9700 §4.14.2, quoted where single-page apps are refused a non-rotating policy.
/// `admin_api_access` sent for a web or single-page app.
pub const ADMIN_API_ACCESS_M2M_ONLY: &str = "Only machine-to-machine apps may be given admin API access: it is used with the app's own client credentials token, never through a browser or a user's sign-in.";
pub const SPA_MUST_ROTATE: &str = "Single-page apps always rotate refresh tokens: a public client's refresh tokens must be rotated or sender-constrained (RFC 9700 §4.14.2).";

pub const NAME_REQUIRED: &str = "Name is required.";

/// Name: required, trimmed, 1–100 characters.
pub fn name(value: &str) -> Result<(), String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(NAME_REQUIRED.to_owned());
    }
    if v.chars().count() > NAME_MAX {
        return Err(format!("Name must be at most {NAME_MAX} characters."));
    }
    if v.chars().any(char::is_control) {
        return Err("Name must not contain control characters.".to_owned());
    }
    Ok(())
}

/// Usernames: 1–64 characters of letters, digits and `._@-`, so they print and log safely.
pub fn username(u: &str) -> Result<(), String> {
    let ok_chars = u
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '@' | '-'));
    if u.is_empty() || u.len() > 64 || !ok_chars {
        return Err("Username must be 1–64 characters of letters, digits and . _ @ -".to_owned());
    }
    Ok(())
}

/// The JWT-bearer users of a machine-to-machine app: valid usernames, each once, at most
/// `JWT_BEARER_USERS_MAX`. (That each exists and is not an administrator is the server's
/// check: only it knows the users.)
pub fn jwt_bearer_users(values: &[String]) -> Result<(), String> {
    if values.len() > JWT_BEARER_USERS_MAX {
        return Err(format!(
            "At most {JWT_BEARER_USERS_MAX} users may be listed."
        ));
    }
    for (i, v) in values.iter().enumerate() {
        username(v).map_err(|m| format!("{m} ({v})"))?;
        if values[..i].contains(v) {
            return Err(format!("User {v} is listed twice."));
        }
    }
    Ok(())
}

pub fn description(value: &str) -> Result<(), String> {
    if value.chars().count() > DESCRIPTION_MAX {
        return Err(format!(
            "Description must be at most {DESCRIPTION_MAX} characters."
        ));
    }
    Ok(())
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
    }
}

/// The host of an absolute URL as written (between `://` and the first `/`, `?` or `#`),
/// before any IDNA processing.
fn written_host(value: &str) -> &str {
    let rest = value.split_once("://").map_or("", |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    authority.rsplit_once('@').map_or(authority, |(_, h)| h)
}

/// Registered URLs name their host in ASCII: an international domain name goes in its
/// `xn--` (punycode) form. Consent pages show these links to end users, and a Unicode host is
/// the classic homograph disguise (UTS #39 §5); ASCII also lets the console ship `url`
/// without Unicode tables (Cargo.lock pins `idna_adapter` 1.0, its ASCII-only back end).
fn ascii_host(label: &str, value: &str) -> Result<(), String> {
    if written_host(value).is_ascii() {
        Ok(())
    } else {
        Err(format!(
            "{label} must name its host in ASCII: write an international domain name in its xn-- (punycode) form."
        ))
    }
}

/// One redirect URI (RFC 6749 §3.1.2, RFC 9700 §2.1 and §4.1.3): absolute, `https` (or
/// `http` on a loopback host only), no fragment, no wildcard, no userinfo.
pub fn redirect_uri(value: &str) -> Result<(), String> {
    if value.len() > URL_MAX {
        return Err(format!(
            "Redirect URL must be at most {URL_MAX} characters."
        ));
    }
    if value.trim() != value || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("Redirect URL must not contain spaces.".to_owned());
    }
    if value.contains('*') {
        return Err(
            "Redirect URL must not contain wildcards: register each URL exactly.".to_owned(),
        );
    }
    // RFC 6749 §3.1.2: the endpoint URI MUST NOT include a fragment component.
    if value.contains('#') {
        return Err("Redirect URL must not contain a fragment (#).".to_owned());
    }
    ascii_host("Redirect URL", value)?;
    let url = Url::parse(value).map_err(|_| {
        "Redirect URL must be an absolute URL, like https://app.example.com/callback.".to_owned()
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err("Redirect URL must not contain a user name or password.".to_owned());
    }
    // The scheme first: `javascript:alert(1)` has no host, and "must have a host" would
    // send the admin looking in the wrong place. (The parser lower-cases the scheme and
    // allows only letters, digits, `+`, `-` and `.` in it, so it is safe to repeat.)
    let scheme = url.scheme();
    if !matches!(scheme, "https" | "http") {
        return Err(format!(
            "Redirect URL must use https: the {scheme}: scheme is not allowed."
        ));
    }
    let host = url
        .host()
        .ok_or_else(|| "Redirect URL must have a host.".to_owned())?;
    // RFC 8252 §7.3 / RFC 9700 §2.6: plain http only for loopback redirects.
    if scheme == "http" && !is_loopback(&host) {
        return Err(
            "Redirect URL must use https (http is allowed only for localhost, 127.0.0.1 or [::1])."
                .to_owned(),
        );
    }
    Ok(())
}

/// Redirect URI list: at most 10, each valid, no duplicates. Every bad URL is reported at
/// once, one line each (`message (url)`), so four bad lines need one save, not four.
pub fn redirect_uris(values: &[String]) -> Result<(), String> {
    if values.len() > REDIRECT_URIS_MAX {
        return Err(format!(
            "At most {REDIRECT_URIS_MAX} redirect URLs may be registered."
        ));
    }
    let problems: Vec<String> = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| match redirect_uri(v) {
            Err(m) => Some(format!("{m} ({v})")),
            Ok(()) if values[..i].contains(v) => Some(format!("Redirect URL {v} is listed twice.")),
            Ok(()) => None,
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// RFC 8252 §8.3, quoted where a single-page app registers a `localhost` redirect URL.
pub const LOOPBACK_NOT_LOCALHOST: &str = "Use 127.0.0.1 or [::1] instead of localhost: localhost may resolve elsewhere (RFC 8252 §8.3). A loopback IP redirect URL matches any port (RFC 8252 §7.3).";

/// Single-page apps (public clients, which includes CLIs and desktop apps) name a loopback
/// redirect by its IP literal: RFC 8252 §8.3 calls `localhost` NOT RECOMMENDED, since the
/// name may be resolved by something other than the loopback interface (a hosts file, a
/// proxy, a resolver) and the code would go there. Web apps keep accepting it, as before.
pub fn single_page_redirect_uris(values: &[String]) -> Result<(), String> {
    for v in values {
        let localhost = Url::parse(v).ok().is_some_and(|u| {
            matches!(u.host(), Some(Host::Domain(d))
                if d.trim_end_matches('.').eq_ignore_ascii_case("localhost"))
        });
        if localhost {
            return Err(format!("{LOOPBACK_NOT_LOCALHOST} ({v})"));
        }
    }
    Ok(())
}

/// An informational link (privacy policy, app description): absolute http(s), no userinfo.
pub fn web_url(label: &str, value: &str) -> Result<(), String> {
    if value.len() > URL_MAX {
        return Err(format!("{label} must be at most {URL_MAX} characters."));
    }
    ascii_host(label, value)?;
    let url = Url::parse(value)
        .map_err(|_| format!("{label} must be an absolute URL, like https://example.com/page."))?;
    if !matches!(url.scheme(), "https" | "http") || url.host().is_none() {
        return Err(format!("{label} must be an http or https URL."));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!("{label} must not contain a user name or password."));
    }
    Ok(())
}

/// A plausible e-mail address: one `@`, something before it, a dotted domain after it.
pub fn email(value: &str) -> Result<(), String> {
    const MSG: &str = "Enter an e-mail address like dev@example.com.";
    if value.len() > EMAIL_MAX {
        return Err(format!("E-mail must be at most {EMAIL_MAX} characters."));
    }
    let (local, domain) = value.split_once('@').ok_or_else(|| MSG.to_owned())?;
    let ok = !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !value.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(())
    } else {
        Err(MSG.to_owned())
    }
}

/// The ID-token signing algorithm (OIDC Dynamic Client Registration 1.0 §2
/// `id_token_signed_response_alg`): exactly `RS256` or `ES256`, the two Portico signs with.
/// `none` is never offered (OIDC Core §2: only for the implicit flow's absent tokens), nor
/// HS256 (a MAC keyed with the client secret, which single-page apps do not have).
pub fn id_token_signed_response_alg(value: &str) -> Result<IdTokenAlg, String> {
    IdTokenAlg::parse(value).ok_or_else(|| {
        let choices: Vec<String> = IdTokenAlg::ALL.iter().map(|a| format!("\"{a}\"")).collect();
        format!(
            "ID token signature algorithm must be {}.",
            choices.join(" or ")
        )
    })
}

pub fn access_token_lifetime(secs: u64) -> Result<(), String> {
    if (ACCESS_TOKEN_LIFETIME_MIN..=ACCESS_TOKEN_LIFETIME_MAX).contains(&secs) {
        Ok(())
    } else {
        Err("Access-token lifetime must be between 1 minute and 24 hours.".to_owned())
    }
}

pub fn refresh_lifetime(label: &str, secs: Option<u64>) -> Result<(), String> {
    match secs {
        None => Ok(()),
        Some(s) if (REFRESH_LIFETIME_MIN..=REFRESH_LIFETIME_MAX).contains(&s) => Ok(()),
        Some(_) => Err(format!(
            "{label} must be between 1 minute and 3650 days, or never."
        )),
    }
}

/// Seconds after a rotation in which the rotated refresh token still works: 0–60.
pub fn refresh_token_reuse_grace(secs: u64) -> Result<(), String> {
    if secs <= REUSE_GRACE_MAX {
        Ok(())
    } else {
        Err(format!(
            "Reuse grace must be between 0 and {REUSE_GRACE_MAX} seconds."
        ))
    }
}

/// Every rule on a complete set of settings for an app of type `t`.
pub fn settings(s: &AppSettings, t: AppType) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut check = |field: &str, r: Result<(), String>| {
        if let Err(m) = r {
            errors.push(FieldError::new(field, m));
        }
    };
    check("name", name(&s.name));
    check("description", description(&s.description));
    check(
        "access_token_lifetime",
        access_token_lifetime(s.access_token_lifetime),
    );
    if t == AppType::MachineToMachine {
        check("jwt_bearer_users", jwt_bearer_users(&s.jwt_bearer_users));
    }
    if t == AppType::SinglePage && !s.rotate_refresh_token {
        check("rotate_refresh_token", Err(SPA_MUST_ROTATE.to_owned()));
    }
    if t.uses_redirects() {
        check(
            "redirect_uris",
            redirect_uris(&s.redirect_uris).and_then(|()| {
                if t == AppType::SinglePage {
                    single_page_redirect_uris(&s.redirect_uris)
                } else {
                    Ok(())
                }
            }),
        );
        // RP-Initiated Logout 1.0 §3.1: registered like redirect URIs, and the same rules
        // (https, or http on loopback; no fragment; at most 10; no duplicates). Matched
        // exactly, with no loopback port exception, so the localhost rule of single-page
        // redirect URIs (which exists for that exception) does not apply.
        check(
            "post_logout_redirect_uris",
            redirect_uris(&s.post_logout_redirect_uris),
        );
        check(
            "refresh_token_absolute_lifetime",
            refresh_lifetime("Absolute expiry", s.refresh_token_absolute_lifetime),
        );
        check(
            "refresh_token_inactivity_lifetime",
            refresh_lifetime("Inactivity expiry", s.refresh_token_inactivity_lifetime),
        );
        check(
            "refresh_token_reuse_grace",
            refresh_token_reuse_grace(s.refresh_token_reuse_grace),
        );
        if let (Some(a), Some(i)) = (
            s.refresh_token_absolute_lifetime,
            s.refresh_token_inactivity_lifetime,
        ) {
            if i > a {
                check(
                    "refresh_token_inactivity_lifetime",
                    Err(
                        "Inactivity expiry must not be longer than the absolute expiry.".to_owned(),
                    ),
                );
            }
        }
    }
    if let Some(u) = &s.app_description_url {
        check("app_description_url", web_url("App description URL", u));
    }
    if let Some(n) = &s.developer_name {
        if n.chars().count() > DEVELOPER_NAME_MAX {
            check(
                "developer_name",
                Err(format!(
                    "Developer name must be at most {DEVELOPER_NAME_MAX} characters."
                )),
            );
        }
    }
    if let Some(e) = &s.developer_email {
        check("developer_email", email(e));
    }
    if let Some(u) = &s.privacy_policy_url {
        check("privacy_policy_url", web_url("Privacy policy URL", u));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(name("  My app ").is_ok());
        assert_eq!(name("   ").unwrap_err(), NAME_REQUIRED);
        assert!(name(&"x".repeat(100)).is_ok());
        assert!(name(&"x".repeat(101)).is_err());
        assert!(
            name(&"é".repeat(100)).is_ok(),
            "counted in characters, not bytes"
        );
    }

    #[test]
    fn redirect_uri_rules() {
        for ok in [
            "https://app.example.com/callback",
            "https://app.example.com:8443/cb?x=1",
            "http://localhost:3000/cb",
            "http://127.0.0.1/cb",
            "http://[::1]:8080/cb",
        ] {
            assert!(redirect_uri(ok).is_ok(), "{ok}");
        }
        for bad in [
            "/callback",
            "app.example.com/cb",
            "http://app.example.com/cb",
            "https://app.example.com/cb#frag",
            "https://*.example.com/cb",
            "https://user:pw@app.example.com/cb",
            "https://user@app.example.com/cb",
            "ftp://app.example.com/cb",
            "javascript:alert(1)",
            " https://app.example.com/cb",
            "http://localhost.evil.com/cb",
        ] {
            assert!(redirect_uri(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn single_page_apps_name_loopback_by_ip() {
        for bad in [
            "http://localhost:3000/cb",
            "http://LOCALHOST/cb",
            "http://localhost./cb",
        ] {
            let e = single_page_redirect_uris(&[bad.to_owned()]).unwrap_err();
            assert!(e.contains("localhost may resolve elsewhere"), "{bad}: {e}");
        }
        for ok in [
            "http://127.0.0.1/cb",
            "http://[::1]:8080/cb",
            "https://app.example/cb",
            "http://localhost.evil.example/cb",
        ] {
            assert!(single_page_redirect_uris(&[ok.to_owned()]).is_ok(), "{ok}");
        }
        let mut s = AppSettings::defaults(AppType::SinglePage);
        s.name = "x".into();
        s.redirect_uris = vec!["http://localhost:5173/cb".into()];
        assert_eq!(settings(&s, AppType::SinglePage)[0].field, "redirect_uris");
        let mut w = AppSettings::defaults(AppType::Web);
        w.name = "x".into();
        w.redirect_uris = vec!["http://localhost:5173/cb".into()];
        assert!(
            settings(&w, AppType::Web).is_empty(),
            "web apps keep localhost"
        );
    }

    #[test]
    fn international_hosts_are_written_as_punycode() {
        let msg = "Redirect URL must name its host in ASCII: write an international domain name in its xn-- (punycode) form.";
        assert_eq!(redirect_uri("https://bücher.example/cb").unwrap_err(), msg);
        assert_eq!(
            redirect_uri("https://u@bücher.example/cb").unwrap_err(),
            msg
        );
        assert!(redirect_uri("https://xn--bcher-kva.example/cb").is_ok());
        // Non-ASCII after the host is not the host: the URL parser percent-encodes it.
        assert!(redirect_uri("https://app.example/rückruf?q=é").is_ok());
        assert!(
            web_url("Privacy policy URL", "https://аpple.example/privacy")
                .unwrap_err()
                .starts_with("Privacy policy URL must name its host in ASCII")
        );
        assert!(web_url("Privacy policy URL", "https://example.com/café").is_ok());
    }

    #[test]
    fn redirect_uri_list_rules() {
        let eleven: Vec<String> = (0..11).map(|i| format!("https://a.example/{i}")).collect();
        assert!(redirect_uris(&eleven).is_err());
        assert!(redirect_uris(&eleven[..10]).is_ok());
        let dup = vec![
            "https://a.example/".to_owned(),
            "https://a.example/".to_owned(),
        ];
        assert!(redirect_uris(&dup).is_err());
    }

    #[test]
    fn every_bad_redirect_url_is_named_at_once_and_a_bad_scheme_is_called_that() {
        assert_eq!(
            redirect_uri("javascript:alert(1)").unwrap_err(),
            "Redirect URL must use https: the javascript: scheme is not allowed."
        );
        assert_eq!(
            redirect_uri("ftp://app.example.com/cb").unwrap_err(),
            "Redirect URL must use https: the ftp: scheme is not allowed."
        );
        let list: Vec<String> = [
            "https://ok.example/cb",
            "http://app.example.com/cb",
            "javascript:alert(1)",
            "https://ok.example/cb",
            "https://a.example/cb#x",
        ]
        .map(str::to_owned)
        .to_vec();
        let lines: Vec<String> = redirect_uris(&list)
            .unwrap_err()
            .lines()
            .map(str::to_owned)
            .collect();
        assert_eq!(lines.len(), 4, "{lines:?}");
        assert!(lines[0].ends_with("(http://app.example.com/cb)"));
        assert!(lines[1].contains("javascript: scheme is not allowed"));
        assert_eq!(
            lines[2],
            "Redirect URL https://ok.example/cb is listed twice."
        );
        assert!(lines[3].contains("fragment"));
    }

    #[test]
    fn emails() {
        assert!(email("dev@example.com").is_ok());
        for bad in [
            "dev",
            "@example.com",
            "dev@example",
            "a@b@c.com",
            "dev @example.com",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn inactivity_not_longer_than_absolute() {
        let mut s = AppSettings::defaults(AppType::Web);
        s.name = "x".into();
        s.refresh_token_absolute_lifetime = Some(3_600);
        s.refresh_token_inactivity_lifetime = Some(7_200);
        let e = settings(&s, AppType::Web);
        assert_eq!(e[0].field, "refresh_token_inactivity_lifetime");
        s.refresh_token_inactivity_lifetime = None;
        assert!(settings(&s, AppType::Web).is_empty());
    }

    #[test]
    fn single_page_apps_always_rotate() {
        let mut s = AppSettings::defaults(AppType::SinglePage);
        s.name = "spa".into();
        assert!(settings(&s, AppType::SinglePage).is_empty());
        s.rotate_refresh_token = false;
        let e = settings(&s, AppType::SinglePage);
        assert_eq!(e[0].field, "rotate_refresh_token");
        assert!(e[0].message.contains("RFC 9700"));
        let mut w = AppSettings::defaults(AppType::Web);
        w.name = "web".into();
        w.rotate_refresh_token = false;
        assert!(settings(&w, AppType::Web).is_empty(), "web apps may choose");
    }

    #[test]
    fn jwt_bearer_user_lists() {
        assert!(jwt_bearer_users(&["alice".into(), "svc.bot".into()]).is_ok());
        assert!(jwt_bearer_users(&["alice".into(), "alice".into()])
            .unwrap_err()
            .contains("twice"));
        assert!(jwt_bearer_users(&["not ok".into()]).is_err());
        let many: Vec<String> = (0..51).map(|i| format!("u{i}")).collect();
        assert!(jwt_bearer_users(&many).is_err());
    }

    #[test]
    fn id_token_algs() {
        assert_eq!(id_token_signed_response_alg("RS256"), Ok(IdTokenAlg::RS256));
        assert_eq!(id_token_signed_response_alg("ES256"), Ok(IdTokenAlg::ES256));
        assert_eq!(
            id_token_signed_response_alg("HS256").unwrap_err(),
            r#"ID token signature algorithm must be "RS256" or "ES256"."#
        );
        for bad in ["none", "", "rs256", "ES384", "EdDSA"] {
            assert!(id_token_signed_response_alg(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn lifetimes() {
        assert!(access_token_lifetime(59).is_err());
        assert!(access_token_lifetime(3_600).is_ok());
        assert!(access_token_lifetime(86_401).is_err());
        assert!(refresh_lifetime("x", None).is_ok());
        assert!(refresh_lifetime("x", Some(0)).is_err());
    }
}
