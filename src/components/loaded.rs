//! The frame around data read from the API (a `LocalResource`): a loading line until it
//! arrives, the error as an alert if the read failed, the page's view once it succeeded.
//! Inside, pages render `move || Suspend::new(async move { resource.await.map(…) })`, as
//! the Leptos examples do: a newer read always replaces an older one, never the reverse.

use leptos::prelude::*;

use super::Alert;
use crate::api::ApiError;

/// The failed read's `ApiError`, when that is what failed (its status tells "not found").
pub fn api_error(errors: &ArcRwSignal<Errors>) -> Option<ApiError> {
    errors.with(|e| {
        e.iter()
            .find_map(|(_, e)| e.downcast_ref::<ApiError>().cloned())
    })
}

/// What failed, as the server said it.
pub fn messages(errors: &ArcRwSignal<Errors>) -> Vec<String> {
    errors.with(|e| e.iter().map(|(_, e)| e.to_string()).collect())
}

/// Each error of a failed read as an alert.
#[component]
pub fn LoadError(errors: ArcRwSignal<Errors>) -> impl IntoView {
    move || {
        messages(&errors)
            .into_iter()
            .map(|m| view! { <Alert text=m/> })
            .collect_view()
    }
}

/// `children` under `Suspense` (shows "Loading…" on every new read, so a page never shows
/// an older answer as current) and `ErrorBoundary` (shows [`LoadError`]). `keep` uses
/// `Transition` instead: after the first read, the old view stays until the new one is
/// ready (a list refreshed after a change). `announce` gives the loading line
/// `role="status"`.
#[component]
pub fn Loaded(
    #[prop(optional)] announce: bool,
    #[prop(optional)] keep: bool,
    children: Children,
) -> impl IntoView {
    let loading = move || view! { <p role=announce.then_some("status")>"Loading…"</p> };
    let failed = |errors| view! { <LoadError errors/> };
    // Built inside the frame (`view!` wraps children in a closure), so the reads below
    // register with it.
    if keep {
        view! {
            <Transition fallback=loading>
                <ErrorBoundary fallback=failed>{children()}</ErrorBoundary>
            </Transition>
        }
        .into_any()
    } else {
        view! {
            <Suspense fallback=loading>
                <ErrorBoundary fallback=failed>{children()}</ErrorBoundary>
            </Suspense>
        }
        .into_any()
    }
}
