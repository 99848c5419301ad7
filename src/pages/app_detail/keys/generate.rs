//! Generating a key pair in the browser (WebCrypto): the public half is registered, the
//! private half is downloaded and never sent.

use leptos::prelude::*;
use portico_proto::{App, KeyAlg};

use super::{added, key_error, pem_body, register};
use crate::components::{sig, Button, Msg};
use crate::keygen;
use crate::session::use_session;

/// The private half of a key just generated, kept in memory only until the admin is done:
/// (file name, PEM, kid).
type Download = (String, String, String);

fn save(d: &Download) -> Result<(), String> {
    keygen::download(&d.0, "application/x-pem-file", &d.1)
}

#[component]
pub fn GenerateKey(
    app: RwSignal<Option<App>>,
    status: RwSignal<Option<String>>,
    client_id: String,
) -> impl IntoView {
    let session = use_session();
    let alg = RwSignal::new(KeyAlg::ES256);
    let progress = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let download = RwSignal::new(None::<Download>);
    // Input: the algorithm.
    let make_pair = Action::new_local(move |chosen: &KeyAlg| {
        let (chosen, client_id) = (*chosen, client_id.clone());
        let path = format!("/api/v1/apps/{client_id}/public-keys");
        async move {
            match keygen::generate(chosen).await {
                Err(e) => error.set(Some(e)),
                Ok(pair) => {
                    progress.set(Some("Registering the public key…".to_owned()));
                    // Only the public half leaves the browser.
                    match register(&session, &path, &pem_body(&pair.public_pem)).await {
                        Ok(k) => {
                            let file = keygen::private_key_file_name(&client_id, &k.kid);
                            let d = (file, pair.private_pem.into_exposed(), k.kid.clone());
                            if let Err(e) = save(&d) {
                                error.set(Some(format!("The download could not start: {e}")));
                            }
                            download.set(Some(d));
                            added(app, status, k);
                        }
                        Err(e) => error.set(Some(key_error(&e))),
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
        error.set(None);
        status.set(None);
        download.set(None);
        make_pair.dispatch(alg.get_untracked());
    };
    view! {
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
            <Button label="Generate key pair" working="Generating…" class="primary"
                busy=sig(move || progress.with(Option::is_some)) on_click=generate/>
            <p class="muted msg" role="status">{progress}</p>
            <Msg text=error error=true/>
            <StoreNotice download error/>
        </div>
    }
}

/// "Store the private key now", until the admin clicks Done.
#[component]
fn StoreNotice(
    download: RwSignal<Option<Download>>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
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
                        error.set(Some(e));
                    }
                }/>
                <Button label="Done" class="primary" on_click=move |()| download.set(None)/>
            </div>
        </div>
    }
}
