//! `/audit`: the admin change log, newest first, a page at a time; the page is in the URL
//! (`?before=<id>`), so it survives a reload and can be shared.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use portico_proto::AuditPage;

use crate::api;
use crate::components::Loaded;
use crate::format::date_time;
use crate::session::use_session;

pub const PAGE_SIZE: u32 = 50;

/// The API path for the page older than `before` (the first page when `None`).
pub fn audit_path(before: Option<i64>) -> String {
    match before {
        Some(b) => format!("/api/v1/audit?limit={PAGE_SIZE}&before={b}"),
        None => format!("/api/v1/audit?limit={PAGE_SIZE}"),
    }
}

#[component]
pub fn Audit() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let before = move || {
        query
            .read()
            .get("before")
            .and_then(|b| b.parse::<i64>().ok())
    };
    // One read per `?before=`: a newer page always replaces an older one.
    let page = api::read(
        Some(session),
        Signal::derive(move || Some(audit_path(before()))),
    );

    view! {
        <section class="page" aria-labelledby="audit-title">
            <h1 id="audit-title">"Audit log"</h1>
            <p class="lead">"Every change administrators made to apps, newest first."</p>
            <Loaded read=page announce=true render=move |t: String| {
                let p = api::parse::<AuditPage>(&t)?;
                let newest = before().is_some();
                Ok(if p.entries.is_empty() {
                    view! {
                        <p class="empty">{if newest { "No older entries." } else { "Nothing has been changed yet." }}</p>
                    }.into_any()
                } else {
                    view! { <Entries page=p newest/> }.into_any()
                })
            }/>
        </section>
    }
}

/// One page of entries, and the links to the newest and the next older page.
#[component]
fn Entries(page: AuditPage, newest: bool) -> impl IntoView {
    let p = page;
    view! {
                    <table class="stack audit">
                        <caption class="visually-hidden">"Audit log entries, newest first"</caption>
                        <thead>
                            <tr><th scope="col">"When"</th><th scope="col">"Who"</th><th scope="col">"Action"</th><th scope="col">"App"</th><th scope="col">"Detail"</th></tr>
                        </thead>
                        <tbody>
                            {p.entries.into_iter().map(|e| view! {
                                <tr>
                                    <td data-label="When">{date_time(e.at)}</td>
                                    <td data-label="Who">{e.actor}</td>
                                    <td data-label="Action"><code>{e.action}</code></td>
                                    <td data-label="App">{e.client_id.map(|id| view! { <a href=format!("/apps/{id}")><code>{id.clone()}</code></a> })}</td>
                                    <td data-label="Detail">{e.detail}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    <nav class="pager" aria-label="Audit log pages">
                        {newest.then(|| view! { <a class="button" href="/audit">"Newest"</a> })}
                        {p.next_before.map(|n| view! { <a class="button" href=format!("/audit?before={n}")>"Older"</a> })}
                    </nav>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(audit_path(None), "/api/v1/audit?limit=50");
        assert_eq!(audit_path(Some(7)), "/api/v1/audit?limit=50&before=7");
    }
}
