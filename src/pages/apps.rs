use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_proto::{AppList, AppType};

use crate::api::{self, ApiError};
use crate::format::{copy_to_clipboard, date, type_label};
use crate::session::use_session;

/// `/apps`: every app, and "N of 10" beside a Create button disabled at the limit.
#[component]
pub fn Apps() -> impl IntoView {
    let session = use_session();
    let list = RwSignal::new(None::<Result<AppList, ApiError>>);
    spawn_local(async move {
        list.set(Some(api::get::<AppList>(&session, "/api/v1/apps").await));
    });
    view! {
        <section class="page" aria-labelledby="apps-title">
            <div class="page-head">
                <h1 id="apps-title">"Applications"</h1>
                {move || list.get().and_then(|r| r.ok()).map(|l| {
                    let n = l.apps.len();
                    let full = n as u32 >= l.limit;
                    view! {
                        <div class="count">
                            <span>{format!("{n} of {} apps", l.limit)}</span>
                            {if full {
                                view! {
                                    <button class="primary" disabled=true aria-describedby="limit-why">"Create app"</button>
                                    <p id="limit-why" class="muted">{format!("The limit of {} apps is reached; delete one to create another.", l.limit)}</p>
                                }.into_any()
                            } else {
                                view! { <a class="button primary" href="/apps/new">"Create app"</a> }.into_any()
                            }}
                        </div>
                    }
                })}
            </div>
            {move || match list.get() {
                None => view! { <p>"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                Some(Ok(l)) if l.apps.is_empty() => view! {
                    <p class="empty">"No applications yet. Create one to let software reach your organisation's data."</p>
                }.into_any(),
                Some(Ok(l)) => view! {
                    <ul class="app-cards">
                        {l.apps.into_iter().map(|a| {
                            let id = a.client_id.clone();
                            let copy_id = id.clone();
                            let t: AppType = a.app_type();
                            view! {
                                <li class="card app-card">
                                    {match a.logo_url.clone() {
                                        Some(src) => view! { <img class="logo" src=src alt="" width="40" height="40"/> }.into_any(),
                                        None => view! { <span class="logo placeholder" aria-hidden="true">{a.name.chars().next().unwrap_or('?').to_string()}</span> }.into_any(),
                                    }}
                                    <div class="app-main">
                                        <h2><a href=format!("/apps/{id}")>{a.name.clone()}</a></h2>
                                        <span class=format!("badge {}", t.as_str())>{type_label(t)}</span>
                                        <p class="client-id">
                                            <span class="muted">"Client ID "</span><code>{id.clone()}</code>
                                            <button class="link" on:click=move |_| copy_to_clipboard(&copy_id) aria-label=format!("Copy client ID of {}", a.name)>"Copy"</button>
                                        </p>
                                        <p class="muted">
                                            {format!("Created {}", date(a.created_at))}
                                            {format!(" · Last used {}", a.last_used_at.map(date).unwrap_or_else(|| "never".to_owned()))}
                                        </p>
                                    </div>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
    }
}
