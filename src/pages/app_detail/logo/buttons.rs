//! Upload the picked logo, cancel the pick, or remove the current logo.

use leptos::prelude::*;
use portico_proto::App;

use super::Picked;
use crate::api;
use crate::components::{sig, Button};
use crate::session::use_session;

#[component]
pub fn LogoButtons(
    app: RwSignal<Option<App>>,
    client_id: String,
    picked: RwSignal<Option<Picked>>,
    error: RwSignal<Option<String>>,
    status: RwSignal<Option<String>>,
    /// Forgets the pick (its preview and the file input).
    clear: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let current = sig(move || app.with(|a| a.as_ref().and_then(|a| a.logo_url.clone())));
    // After a change the server gives the logo a new versioned URL: reload the app.
    let reload = move |id: String| async move {
        match api::get::<App>(&session, &format!("/api/v1/apps/{id}")).await {
            Ok(a) => app.update(|cur| {
                if let Some(cur) = cur.as_mut() {
                    cur.logo_url = a.logo_url;
                }
            }),
            Err(e) => error.set(Some(e.message)),
        }
    };

    let id = client_id.clone();
    let upload = Action::new_local(move |p: &Picked| {
        let (p, id) = (p.clone(), id.clone());
        async move {
            let path = format!("/api/v1/apps/{id}/logo");
            match api::put_bytes(&session, &path, p.mime, &p.bytes).await {
                Ok(()) => {
                    reload(id).await;
                    clear.run(());
                    status.set(Some("Logo uploaded.".to_owned()));
                }
                Err(e) => error.set(Some(e.message)),
            }
        }
    });
    let id = client_id.clone();
    let remove = Action::new_local(move |_: &()| {
        let id = id.clone();
        async move {
            match api::delete::<()>(&session, &format!("/api/v1/apps/{id}/logo")).await {
                Ok(()) => {
                    reload(id).await;
                    status.set(Some("Logo removed.".to_owned()));
                }
                Err(e) => error.set(Some(e.message)),
            }
        }
    });
    let (uploading, removing) = (upload.pending(), remove.pending());
    let busy = sig(move || uploading.get() || removing.get());
    let start_upload = move |()| {
        if let Some(p) = picked.get_untracked() {
            error.set(None);
            upload.dispatch(p);
        }
    };
    let start_remove = move |()| {
        error.set(None);
        status.set(None);
        remove.dispatch(());
    };
    view! {
        <div class="actions start">
            <Button label="Upload logo" working="Uploading…" class="primary" busy=uploading
                disabled=sig(move || removing.get() || picked.with(Option::is_none)) on_click=start_upload/>
            <span hidden=sig(move || picked.with(Option::is_none))>
                <Button label="Cancel" disabled=busy on_click=move |()| clear.run(())/>
            </span>
            <span hidden=sig(move || current.with(Option::is_none) || picked.with(Option::is_some))>
                <Button label="Remove logo" working="Removing…" class="danger-link" busy=removing
                    disabled=uploading on_click=start_remove/>
            </span>
        </div>
    }
}
