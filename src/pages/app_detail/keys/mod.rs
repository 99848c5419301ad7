//! Public keys of a machine-to-machine app: paste one (PEM or JWK) or generate a pair in
//! the browser; only the public half is sent. Listed with kid, algorithm and thumbprint.

mod generate;
mod paste;

use std::collections::BTreeMap;

use leptos::prelude::*;
use portico_proto::{App, AppKind, PublicKeyInfo};

use crate::api::{self, ApiError};
use crate::components::{sig, ConfirmDialog, Item, ItemList, Msg};
use crate::format::date;
use crate::session::{use_session, Session};
use generate::GenerateKey;
use paste::PasteKey;

pub fn keys_of(app: &App) -> Vec<PublicKeyInfo> {
    match &app.kind {
        AppKind::MachineToMachine { public_keys, .. } => public_keys.clone(),
        _ => Vec::new(),
    }
}

fn keys_mut(app: &mut App) -> Option<&mut Vec<PublicKeyInfo>> {
    match &mut app.kind {
        AppKind::MachineToMachine { public_keys, .. } => Some(public_keys),
        _ => None,
    }
}

/// The JSON body of `POST /public-keys` for a PEM key.
pub fn pem_body(pem: &str) -> String {
    // A JSON string of `str` cannot fail to serialize.
    format!(
        "{{\"pem\":{}}}",
        serde_json::to_string(pem).unwrap_or_default()
    )
}

/// What the form says, without sending anything, when a private key is pasted.
const PRIVATE_KEY: &str = "This is a private key, so it was not sent. Paste only the public \
     half (-----BEGIN PUBLIC KEY-----, or a JWK without \"d\"); keep the private key with the \
     app that signs. If it was pasted anywhere it may have been seen, make a new key pair.";

/// The body for what the admin pasted: a JSON object is a JWK, anything else is sent as
/// PEM. The JWK is checked to be one well-formed JSON object and passed on verbatim, so the
/// server's own messages name what is wrong with it.
pub fn pasted_key(text: &str) -> Result<String, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(
            "Paste a public key: PEM (-----BEGIN PUBLIC KEY-----) or a JWK object.".to_owned(),
        );
    }
    if t.starts_with('{') {
        let members = serde_json::from_str::<BTreeMap<String, serde::de::IgnoredAny>>(t)
            .map_err(|e| format!("This looks like a JWK but is not valid JSON: {e}."))?;
        // RFC 7518 §6.2.2 / §6.3.2 / RFC 8037 §2: `d` is the private part of EC, RSA and OKP
        // keys; §6.4.1: `k` is a symmetric key. Neither may leave this browser.
        if members.contains_key("d") || members.contains_key("k") {
            return Err(PRIVATE_KEY.to_owned());
        }
        return Ok(format!("{{\"jwk\":{t}}}"));
    }
    // `-----BEGIN PRIVATE KEY-----`, `RSA PRIVATE KEY`, `EC PRIVATE KEY`, `ENCRYPTED PRIVATE
    // KEY`, `OPENSSH PRIVATE KEY`: every private PEM label says so.
    if t.contains("PRIVATE KEY-----") {
        return Err(PRIVATE_KEY.to_owned());
    }
    Ok(pem_body(t))
}

fn item(k: &PublicKeyInfo) -> Item {
    let mut details = vec![k.alg.as_str().to_owned()];
    // The kid is the RFC 7638 thumbprint unless the key came with its own: say it once.
    if k.thumbprint != k.kid {
        details.push(format!("Thumbprint {}", k.thumbprint));
    }
    details.push(format!("Added {}", date(k.created_at)));
    Item {
        id: k.kid.clone(),
        code_label: Some("kid"),
        code: k.kid.clone(),
        copy: true,
        details,
        delete_label: format!("Delete key {}", k.kid),
    }
}

async fn register(session: &Session, path: &str, json: &str) -> Result<PublicKeyInfo, ApiError> {
    let text = api::call(session, "POST", path, Some(json)).await?;
    serde_json::from_str(&text).map_err(|e| ApiError {
        status: 0,
        problem: None,
        message: format!("The server's answer could not be read: {e}"),
    })
}

fn key_error(e: &ApiError) -> String {
    e.field("pem")
        .or_else(|| e.field("jwk"))
        .unwrap_or_else(|| e.message.clone())
}

/// A key the server registered: listed at once, and said so.
fn added(app: RwSignal<Option<App>>, status: RwSignal<Option<String>>, k: PublicKeyInfo) {
    status.set(Some(format!("Key {} ({}) added.", k.kid, k.alg)));
    app.update(|a| {
        if let Some(list) = a.as_mut().and_then(keys_mut) {
            list.push(k);
        }
    });
}

#[component]
pub fn KeysPanel(app: RwSignal<Option<App>>, client_id: String) -> impl IntoView {
    let session = use_session();
    let keys = sig(move || app.with(|a| a.as_ref().map(keys_of).unwrap_or_default()));
    let status = RwSignal::new(None::<String>);
    super::one_voice(status, |_| true);
    let target = RwSignal::new(None::<String>);
    let confirm_open = RwSignal::new(false);
    let delete_error = RwSignal::new(None::<String>);

    let id = client_id.clone();
    // Input: the kid of the key to delete.
    let delete = Action::new_local(move |kid: &String| {
        let kid = kid.clone();
        let path = format!("/api/v1/apps/{id}/public-keys/{kid}");
        async move {
            match api::delete::<()>(&session, &path).await {
                Ok(()) => {
                    app.update(|a| {
                        if let Some(list) = a.as_mut().and_then(keys_mut) {
                            list.retain(|x| x.kid != kid);
                        }
                    });
                    status.set(Some(format!("Key {kid} deleted.")));
                    confirm_open.set(false);
                }
                Err(e) => delete_error.set(Some(e.message)),
            }
        }
    });
    let ask_delete = move |kid: String| {
        target.set(Some(kid));
        delete_error.set(None);
        confirm_open.set(true);
    };

    view! {
        <section class="card panel" aria-labelledby="keys-title">
            <h2 id="keys-title">"Public keys"</h2>
            <p class="hint">
                "The app signs JWT assertions (RFC 7523) with its private key; Portico checks them "
                "with these public keys. Put the key's kid in the JWT header."
            </p>
            <ItemList items=sig(move || keys.with(|l| l.iter().map(item).collect())) label="Public keys"
                empty="No keys yet." on_delete=ask_delete/>
            <Msg text=status/>
            <div class="split">
                <GenerateKey app status client_id=client_id.clone()/>
                <PasteKey app status client_id/>
            </div>
            <ConfirmDialog open=confirm_open id="delete-key"
                title="Delete this key?".to_owned()
                confirm_label="Delete key".to_owned()
                busy=delete.pending() error=delete_error
                on_confirm=move |()| {
                    if let Some(kid) = target.get_untracked() {
                        delete.dispatch(kid);
                    }
                }>
                <p>
                    "JWT assertions signed with key " <code>{sig(move || target.get().unwrap_or_default())}</code>
                    " will be refused from now on. This cannot be undone."
                </p>
            </ConfirmDialog>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_keys() {
        let pem = pasted_key("  -----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----\n");
        assert_eq!(
            pem.as_deref(),
            Ok(r#"{"pem":"-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----"}"#)
        );
        let jwk = pasted_key(r#" {"kty":"OKP","crv":"Ed25519","x":"abc"} "#);
        assert_eq!(
            jwk.as_deref(),
            Ok(r#"{"jwk":{"kty":"OKP","crv":"Ed25519","x":"abc"}}"#)
        );
        assert!(pasted_key("{not json").is_err_and(|m| m.contains("not valid JSON")));
        // One object only: nothing can be smuggled next to it.
        assert!(pasted_key(r#"{"kty":"EC"}, "pem": "x""#).is_err());
        assert!(pasted_key("   ").is_err());
        let body: serde_json::Value = serde_json::from_str(&pem_body("a\"b")).unwrap();
        assert_eq!(body["pem"], "a\"b");
    }
}
