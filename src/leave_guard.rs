//! Asking before leaving a page with unsaved changes: reload and closing the tab
//! (`beforeunload`), in-app links, and the browser's Back and Forward.
//!
//! Back and Forward are the hard part. When `popstate` fires the browser has already moved
//! in its history and the event cannot be cancelled (HTML §7.4.6.4, "history traversal");
//! the router reacts to it by rendering the other page, which disposes the form and its
//! edits. Listeners on the window run in the order they were added, so [`install`] adds
//! one before the router mounts. While a page asks, that listener confirms first; to stay,
//! it stops the event from reaching the router and puts the page's URL back.

use std::cell::{Cell, RefCell};

use leptos::prelude::*;
use leptos::wasm_bindgen::{closure::Closure, JsCast, JsValue};

/// The page that asks: its URL and whether it has unsaved changes now.
struct Asking {
    id: u64,
    url: String,
    question: &'static str,
    dirty: Signal<bool>,
}

thread_local! {
    static ASKING: RefCell<Option<Asking>> = const { RefCell::new(None) };
    static NEXT_ID: Cell<u64> = const { Cell::new(0) };
}

fn confirm(question: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.confirm_with_message(question).ok())
        .unwrap_or(true)
}

/// The question to ask now, if a page has unsaved changes.
fn pending() -> Option<(String, &'static str)> {
    ASKING.with_borrow(|a| {
        a.as_ref()
            .filter(|a| a.dirty.try_get_untracked().unwrap_or(false))
            .map(|a| (a.url.clone(), a.question))
    })
}

fn add_window_listener(event: &str, capture: bool, f: impl Fn(web_sys::Event) + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let cb = Closure::<dyn Fn(web_sys::Event)>::new(f).into_js_value();
    let func: &js_sys::Function = cb.unchecked_ref();
    // The console lives as long as the tab: this listener is never removed.
    let _ = window.add_event_listener_with_callback_and_bool(event, func, capture);
}

/// Call once, before the router mounts, so this runs ahead of the router's own `popstate`
/// and link-click listeners.
pub fn install() {
    add_window_listener("popstate", false, |ev| {
        let Some((url, question)) = pending() else {
            return;
        };
        if confirm(question) {
            return;
        }
        ev.stop_immediate_propagation();
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = history.push_state_with_url(&JsValue::NULL, "", Some(&url));
        }
    });
    // Capture phase: before the router's link handler (it listens for the bubbling click).
    add_window_listener("click", true, |ev| {
        let Ok(ev) = ev.dyn_into::<web_sys::MouseEvent>() else {
            return;
        };
        // Only the clicks the router would turn into an in-app navigation.
        if ev.default_prevented()
            || ev.button() != 0
            || ev.ctrl_key()
            || ev.meta_key()
            || ev.shift_key()
            || ev.alt_key()
        {
            return;
        }
        let link = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("a[href]").ok().flatten());
        let Some(link) = link else { return };
        if link.has_attribute("download") || link.get_attribute("target").is_some() {
            return;
        }
        let Some((_, question)) = pending() else {
            return;
        };
        if !confirm(question) {
            ev.prevent_default();
            ev.stop_propagation();
        }
    });
    add_window_listener("beforeunload", false, |ev| {
        if pending().is_some() {
            // The browser shows its own wording; the call is what makes it ask.
            ev.prevent_default();
            if let Ok(ev) = ev.dyn_into::<web_sys::BeforeUnloadEvent>() {
                ev.set_return_value("");
            }
        }
    });
}

/// While the calling component lives, leaving the page asks `question` whenever `dirty`
/// is true.
pub fn ask_while(dirty: Signal<bool>, question: &'static str) {
    let Some(url) = web_sys::window().and_then(|w| w.location().href().ok()) else {
        return;
    };
    let id = NEXT_ID.get() + 1;
    NEXT_ID.set(id);
    ASKING.set(Some(Asking {
        id,
        url,
        question,
        dirty,
    }));
    // Only this page's registration: the next page may have set its own already.
    on_cleanup(move || {
        ASKING.with_borrow_mut(|a| {
            if a.as_ref().is_some_and(|a| a.id == id) {
                *a = None;
            }
        });
    });
}
