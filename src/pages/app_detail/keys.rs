//! Public keys of a machine-to-machine app: paste one (PEM or JWK) or generate a pair in
//! the browser; only the public half is sent. Listed with kid, algorithm and thumbprint.

use leptos::prelude::*;
use portico_proto::{App, AppKind, KeyAlg, PublicKeyInfo};

use crate::api::{self, ApiError};
use crate::components::ConfirmDialog;
use crate::components::{sig, Button, Item, ItemList, Msg};
use crate::format::date;
use crate::keygen;
use crate::session::use_session;

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
        serde_json::from_str::<serde::de::IgnoredAny>(t)
            .map_err(|e| format!("This looks like a JWK but is not valid JSON: {e}."))?;
        return Ok(format!("{{\"jwk\":{t}}}"));
    }
    Ok(pem_body(t))
}

fn item(k: &PublicKeyInfo) -> Item {
    Item {
        id: k.kid.clone(),
        code: k.kid.clone(),
        details: vec![
            k.alg.as_str().to_owned(),
            format!("Thumbprint {}", k.thumbprint),
            format!("Added {}", date(k.created_at)),
        ],
        delete_label: format!("Delete key {}", k.kid),
    }
}

async fn register(
    session: &crate::session::Session,
    path: &str,
    json: &str,
) -> Result<PublicKeyInfo, ApiError> {
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

/// The private half of a key just generated, kept in memory only until the admin is done:
/// (file name, PEM, kid).
type Download = (String, String, String);

fn save(d: &Download) -> Result<(), String> {
    keygen::download(&d.0, "application/x-pem-file", &d.1)
}

#[component]
pub fn KeysPanel(app: RwSignal<Option<App>>, client_id: String) -> impl IntoView {
    let session = use_session();
    let keys = sig(move || app.with(|a| a.as_ref().map(keys_of).unwrap_or_default()));
    let pasted = RwSignal::new(String::new());
    let add_error = RwSignal::new(None::<String>);
    let alg = RwSignal::new(KeyAlg::ES256);
    let progress = RwSignal::new(None::<String>);
    let generating = sig(move || progress.with(Option::is_some));
    let gen_error = RwSignal::new(None::<String>);
    let download = RwSignal::new(None::<Download>);
    let status = RwSignal::new(None::<String>);

    let target = RwSignal::new(None::<String>);
    let confirm_open = RwSignal::new(false);
    let delete_error = RwSignal::new(None::<String>);

    let added = move |k: PublicKeyInfo| {
        status.set(Some(format!("Key {} ({}) added.", k.kid, k.alg)));
        app.update(|a| {
            if let Some(list) = a.as_mut().and_then(keys_mut) {
                list.push(k);
            }
        });
    };

    let path = format!("/api/v1/apps/{client_id}/public-keys");
    // Input: the JSON body for what was pasted.
    let register_pasted = Action::new_local(move |body: &String| {
        let (path, body) = (path.clone(), body.clone());
        async move {
            match register(&session, &path, &body).await {
                Ok(k) => {
                    added(k);
                    pasted.set(String::new());
                }
                Err(e) => add_error.set(Some(key_error(&e))),
            }
        }
    });
    let adding = register_pasted.pending();
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if adding.get_untracked() {
            return;
        }
        match pasted.with_untracked(|p| pasted_key(p)) {
            Ok(body) => {
                add_error.set(None);
                status.set(None);
                register_pasted.dispatch(body);
            }
            Err(m) => add_error.set(Some(m)),
        }
    };

    let id = client_id.clone();
    // Input: the algorithm. Only the public half of the pair leaves the browser.
    let make_pair = Action::new_local(move |chosen: &KeyAlg| {
        let (chosen, client_id) = (*chosen, id.clone());
        let path = format!("/api/v1/apps/{client_id}/public-keys");
        async move {
            match keygen::generate(chosen).await {
                Err(e) => gen_error.set(Some(e)),
                Ok(pair) => {
                    progress.set(Some("Registering the public key…".to_owned()));
                    // Only the public half leaves the browser.
                    match register(&session, &path, &pem_body(&pair.public_pem)).await {
                        Ok(k) => {
                            let d = (
                                keygen::private_key_file_name(&client_id, &k.kid),
                                pair.private_pem,
                                k.kid.clone(),
                            );
                            if let Err(e) = save(&d) {
                                gen_error.set(Some(format!("The download could not start: {e}")));
                            }
                            download.set(Some(d));
                            added(k);
                        }
                        Err(e) => gen_error.set(Some(key_error(&e))),
                    }
                }
            }
            progress.set(None);
        }
    });
    let generate = move |()| {
        if progress.with_untracked(Option::is_some) {
            return;
        }
        progress.set(Some("Generating the key pair in your browser…".to_owned()));
        gen_error.set(None);
        status.set(None);
        download.set(None);
        make_pair.dispatch(alg.get_untracked());
    };

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
    let confirm_delete = move |()| {
        if let Some(kid) = target.get_untracked() {
            delete.dispatch(kid);
        }
    };
    let ask_delete = move |kid: String| {
        target.set(Some(kid));
        delete_error.set(None);
        confirm_open.set(true);
    };
    let file_name =
        sig(move || download.with(|d| d.as_ref().map(|d| d.0.clone()).unwrap_or_default()));
    let kid_header = sig(move || {
        download.with(|d| {
            d.as_ref()
                .map(|d| format!("\"kid\": \"{}\"", d.2))
                .unwrap_or_default()
        })
    });

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
                <div>
                    <h3>"Generate a key pair"</h3>
                    <p class="hint">
                        "Made in this browser with WebCrypto. The private key is downloaded to your "
                        "computer and never sent to Portico; only the public key is registered."
                    </p>
                    <div class="field">
                        <label for="key-alg">"Algorithm"</label>
                        <select id="key-alg" on:change=move |ev| {
                            if let Some(a) = KeyAlg::parse(&event_target_value(&ev)) {
                                alg.set(a);
                            }
                        }>
                            {keygen::ALGS.into_iter().map(|a| view! {
                                <option value=a.as_str()>{keygen::alg_label(a)}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <Button label="Generate key pair" working="Generating…" class="primary" busy=generating on_click=generate/>
                    <p class="muted msg" role="status">{progress}</p>
                    <Msg text=gen_error error=true/>
                    <div class="notice" hidden=sig(move || download.with(Option::is_none))>
                        <p>
                            <strong>"Store the private key now."</strong>
                            " Your browser downloaded " <code>{file_name}</code>
                            ". It exists nowhere else — not on the server — and leaves this page's memory when you click Done."
                        </p>
                        <p>"Sign your JWT assertions with it and put " <code>{kid_header}</code> " in their header."</p>
                        <div class="actions">
                            <Button label="Download private key again" on_click=move |()| {
                                if let Some(Err(e)) = download.with_untracked(|d| d.as_ref().map(save)) {
                                    gen_error.set(Some(e));
                                }
                            }/>
                            <Button label="Done" class="primary" on_click=move |()| download.set(None)/>
                        </div>
                    </div>
                </div>
                <form class="paste" on:submit=add>
                    <h3>"Add a public key"</h3>
                    <div class="field">
                        <label for="public-key">"Public key (PEM or JWK)"</label>
                        <textarea id="public-key" name="public-key" rows="6" spellcheck="false"
                            placeholder="-----BEGIN PUBLIC KEY-----"
                            aria-describedby="public-key-hint"
                            aria-invalid=sig(move || add_error.with(Option::is_some).to_string())
                            prop:value=pasted
                            on:input=move |ev| {
                                pasted.set(event_target_value(&ev));
                                add_error.set(None);
                            }></textarea>
                        <p id="public-key-hint" class="hint">"RSA (2048 bits or more), EC P-256 or Ed25519. Never paste a private key."</p>
                        <Msg text=add_error error=true/>
                    </div>
                    <Button label="Add key" working="Adding…" submit=true busy=adding
                        disabled=sig(move || pasted.with(|p| p.trim().is_empty()))/>
                </form>
            </div>

            <ConfirmDialog open=confirm_open id="delete-key"
                title="Delete this key?".to_owned()
                confirm_label="Delete key".to_owned()
                busy=delete.pending() error=delete_error on_confirm=confirm_delete>
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
