//! The frame around data a page reads from the API (an [`api::Read`]): a loading line
//! until it arrives, the error as an alert if the read failed, the page's view of it once
//! it succeeded. `Suspense` (or `Transition`) and `ErrorBoundary` as the Leptos examples
//! use them, written once: every page's read goes through the same `Suspend`, so that
//! code is in the bundle once.

use leptos::prelude::*;

use super::Alert;
use crate::api::{self, ApiError};

/// The failed read's `ApiError`, when that is what failed (its status tells "not found").
pub fn api_error(errors: &ArcRwSignal<Errors>) -> Option<ApiError> {
    errors.with(|e| {
        e.iter()
            .find_map(|(_, e)| e.downcast_ref::<ApiError>().cloned())
    })
}

/// Each error of a failed read as an alert.
#[component]
pub fn LoadError(errors: ArcRwSignal<Errors>) -> impl IntoView {
    move || {
        errors
            .with(|e| e.iter().map(|(_, e)| e.to_string()).collect::<Vec<_>>())
            .into_iter()
            .map(|m| view! { <Alert text=m/> })
            .collect_view()
    }
}

/// What a page makes of the text it read: its view, or why the text is not what it wanted.
pub type Render = Callback<String, Result<AnyView, ApiError>>;

/// Shows `read` through `render`. Under `Suspense` the loading line comes back on every
/// new read, so a page never shows an older answer as current; `keep` uses `Transition`
/// instead: after the first read the old view stays until the new one is ready (a list
/// refreshed after a change). `announce` gives the loading line `role="status"`;
/// `loading` and `failed` replace the default lines.
#[component]
pub fn Loaded(
    read: api::Read,
    #[prop(into)] render: Render,
    #[prop(optional)] announce: bool,
    #[prop(optional)] keep: bool,
    #[prop(optional, into)] loading: Option<ViewFn>,
    #[prop(optional, into)] failed: Option<Callback<ArcRwSignal<Errors>, AnyView>>,
) -> impl IntoView {
    let loading = move || match &loading {
        Some(f) => f.run(),
        None => view! { <p role=announce.then_some("status")>"Loading…"</p> }.into_any(),
    };
    let failed = move |errors| match failed {
        Some(f) => f.run(errors),
        None => view! { <LoadError errors/> }.into_any(),
    };
    let body = move || Suspend::new(async move { render.run(read.await?) });
    // Built inside the frame (`view!` wraps children in a closure), so the read registers
    // with it.
    if keep {
        view! {
            <Transition fallback=loading>
                <ErrorBoundary fallback=failed>{body}</ErrorBoundary>
            </Transition>
        }
        .into_any()
    } else {
        view! {
            <Suspense fallback=loading>
                <ErrorBoundary fallback=failed>{body}</ErrorBoundary>
            </Suspense>
        }
        .into_any()
    }
}
