//! Registering a public key the admin pastes (PEM or JWK).

use leptos::prelude::*;
use portico_proto::App;

use super::{added, key_error, pasted_key, register};
use crate::components::{sig, Button, Msg};
use crate::session::use_session;

#[component]
pub fn PasteKey(
    app: RwSignal<Option<App>>,
    status: RwSignal<Option<String>>,
    client_id: String,
) -> impl IntoView {
    let session = use_session();
    let pasted = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let path = format!("/api/v1/apps/{client_id}/public-keys");
    // Input: the JSON body for what was pasted.
    let register_pasted = Action::new_local(move |body: &String| {
        let (path, body) = (path.clone(), body.clone());
        async move {
            match register(&session, &path, &body).await {
                Ok(k) => {
                    added(app, status, k);
                    pasted.set(String::new());
                }
                Err(e) => error.set(Some(key_error(&e))),
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
                error.set(None);
                status.set(None);
                register_pasted.dispatch(body);
            }
            Err(m) => error.set(Some(m)),
        }
    };
    view! {
        <form class="paste" on:submit=add>
            <h3>"Add a public key"</h3>
            <div class="field">
                <label for="public-key">"Public key (PEM or JWK)"</label>
                <textarea id="public-key" name="public-key" rows="6" spellcheck="false"
                    placeholder="-----BEGIN PUBLIC KEY-----"
                    aria-describedby="public-key-hint"
                    aria-invalid=sig(move || error.with(Option::is_some).to_string())
                    prop:value=pasted
                    on:input=move |ev| {
                        pasted.set(event_target_value(&ev));
                        error.set(None);
                    }></textarea>
                <p id="public-key-hint" class="hint">"RSA (2048 bits or more), EC P-256 or Ed25519. Never paste a private key."</p>
                <Msg text=error error=true/>
            </div>
            <Button label="Add key" working="Adding…" submit=true busy=adding
                disabled=sig(move || pasted.with(|p| p.trim().is_empty()))/>
        </form>
    }
}
