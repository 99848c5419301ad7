//! The token, revocation and introspection endpoints' form parser
//! (`portico::oauth::form::Params::parse`): never panics, and whatever it accepts it decodes
//! exactly as the WHATWG `application/x-www-form-urlencoded` parser does, with each name once.
#![no_main]

use std::collections::HashSet;

use libfuzzer_sys::fuzz_target;
use portico::oauth::form::Params;

fuzz_target!(|data: &[u8]| {
    let Ok(params) = Params::parse(data) else {
        return;
    };
    // Accepted: percent-decoding was valid UTF-8 everywhere, so the lenient reference parser
    // decodes the same pairs, and RFC 6749 §3.2 (no repeated parameter) held.
    let mut seen = HashSet::new();
    for (name, value) in form_urlencoded::parse(data) {
        assert!(seen.insert(name.clone()), "repeated {name:?} was accepted");
        assert!(params.contains(&name), "{name:?} lost");
        let expected = if value.is_empty() {
            None
        } else {
            Some(value.as_ref())
        };
        assert_eq!(params.get(&name), expected, "{name:?}");
    }
    assert!(
        params.require("").is_err() || seen.contains(""),
        "an absent parameter was required successfully"
    );
});
