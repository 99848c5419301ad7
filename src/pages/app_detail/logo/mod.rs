//! The app's logo: picked, checked for type and size in the browser, previewed, uploaded
//! as raw bytes; removable.

mod buttons;

use leptos::html::Input;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use portico_proto::App;

use crate::components::{sig, Msg};
use crate::format::{check_logo_file, sniff_image, LOGO_MAX_BYTES, LOGO_TYPE_MESSAGE};
use crate::keygen::js_error;
use buttons::LogoButtons;

/// A checked file waiting to be uploaded.
#[derive(Clone)]
pub struct Picked {
    pub bytes: Vec<u8>,
    pub mime: &'static str,
    pub preview_url: String,
}

async fn read_file(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let buf = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| js_error(&e))?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}

/// Checks the picked file: type and size first, then the bytes' real signature.
async fn pick(file: web_sys::File) -> Result<Picked, String> {
    check_logo_file(&file.type_(), file.size() as u64)?;
    let bytes = read_file(&file).await?;
    let mime = sniff_image(&bytes).ok_or_else(|| LOGO_TYPE_MESSAGE.to_owned())?;
    let preview_url = web_sys::Url::create_object_url_with_blob(&file).map_err(|e| js_error(&e))?;
    Ok(Picked {
        bytes,
        mime,
        preview_url,
    })
}

fn revoke(p: &Picked) {
    let _ = web_sys::Url::revoke_object_url(&p.preview_url);
}

#[component]
pub fn LogoPanel(app: RwSignal<Option<App>>, client_id: String) -> impl IntoView {
    let picked = RwSignal::new(None::<Picked>);
    let error = RwSignal::new(None::<String>);
    let status = RwSignal::new(None::<String>);
    super::one_voice(status, |_| true);
    let input = NodeRef::<Input>::new();

    let clear_pick = move || {
        if let Some(p) = picked.get_untracked() {
            revoke(&p);
        }
        picked.set(None);
        if let Some(i) = input.get_untracked() {
            i.set_value("");
        }
    };
    on_cleanup(move || {
        if let Some(Some(p)) = picked.try_get_untracked() {
            revoke(&p);
        }
    });

    // Input: the chosen file, a JS object: dispatched on this thread only.
    let check = Action::new_local(move |file: &web_sys::File| {
        let file = file.clone();
        async move {
            match pick(file).await {
                Ok(p) => picked.set(Some(p)),
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let on_change = move |ev: leptos::ev::Event| {
        error.set(None);
        status.set(None);
        if let Some(p) = picked.get_untracked() {
            revoke(&p);
        }
        picked.set(None);
        let file = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|i| i.files())
            .and_then(|f| f.get(0));
        if let Some(file) = file {
            check.dispatch_local(file);
        }
    };

    view! {
        <section class="card panel" aria-labelledby="logo-title">
            <h2 id="logo-title">"Logo"</h2>
            <p class="hint">"Shown to users on the sign-in and consent pages."</p>
            <div class="logo-edit">
                <LogoFigure app picked/>
                <div class="field">
                    <label for="logo-file">"Choose an image"</label>
                    <input id="logo-file" node_ref=input type="file" accept="image/png,image/jpeg,image/webp"
                        aria-describedby="logo-hint" on:change=on_change/>
                    <p id="logo-hint" class="hint">
                        {format!("PNG, JPEG or WebP, at most {} KiB; square images look best.", LOGO_MAX_BYTES / 1024)}
                    </p>
                    <LogoButtons app client_id picked error status clear=Callback::new(move |()| clear_pick())/>
                </div>
            </div>
            <Msg text=error error=true/>
            <Msg text=status/>
        </section>
    }
}

/// The logo as it is, or the picked file's preview, or the name's initial.
#[component]
fn LogoFigure(app: RwSignal<Option<App>>, picked: RwSignal<Option<Picked>>) -> impl IntoView {
    let current = sig(move || app.with(|a| a.as_ref().and_then(|a| a.logo_url.clone())));
    let src = sig(move || {
        picked
            .with(|p| p.as_ref().map(|p| p.preview_url.clone()))
            .or_else(|| current.get())
    });
    let caption = sig(move || {
        if picked.with(Option::is_some) {
            "Preview — not uploaded yet"
        } else if current.with(Option::is_some) {
            "Current logo"
        } else {
            "No logo yet"
        }
    });
    let initial = sig(move || {
        app.with(|a| {
            a.as_ref()
                .and_then(|a| a.name.chars().next())
                .unwrap_or('?')
        })
        .to_string()
    });
    let alt = sig(move || {
        if picked.with(Option::is_some) {
            "Preview of the new logo"
        } else {
            "Current logo"
        }
    });
    view! {
        <figure class="logo-figure">
            <img class="logo big" src=src alt=alt width="96" height="96" hidden=sig(move || src.with(Option::is_none))/>
            <span class="logo big placeholder" aria-hidden="true" hidden=sig(move || src.with(Option::is_some))>{initial}</span>
            <figcaption>{caption}</figcaption>
        </figure>
    }
}
