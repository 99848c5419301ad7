use leptos::prelude::*;
use portico_proto::{AppList, AppType};

use crate::api;
use crate::components::{CopyButton, Loaded, Msg};
use crate::format::{date, type_label};
use crate::pages::app_detail::{has_admin_api_access, FULL_POWER};
use crate::session::use_session;

/// `/apps`: every app, and "N of 10" beside a Create button disabled at the limit.
#[component]
pub fn Apps() -> impl IntoView {
    let session = use_session();
    let list = api::read_path(session, "/api/v1/apps");
    // What the page before this one did (an app deleted), said once.
    let said = crate::notice::use_notice().take();
    view! {
        <section class="page" aria-labelledby="apps-title">
            <div class="page-head">
                <h1 id="apps-title">"Applications"</h1>
                {move || list.get().and_then(|t| api::parse::<AppList>(&t.ok()?).ok()).map(|l| view! { <Count n=l.apps.len() limit=l.limit/> })}
            </div>
            <Msg text=Signal::stored(said)/>
            <Loaded read=list render=|t: String| {
                let l = api::parse::<AppList>(&t)?;
                Ok(if l.apps.is_empty() {
                    view! {
                        <p class="empty">"No applications yet. Create one to let software reach your organisation's data."</p>
                    }.into_any()
                } else {
                    view! {
                        <ul class="app-cards">
                            {l.apps.into_iter().map(|a| view! { <AppCard app=a/> }).collect_view()}
                        </ul>
                    }.into_any()
                })
            }/>
        </section>
    }
}

/// "N of L apps", and Create (a link, or a disabled button with the reason at the limit).
#[component]
fn Count(n: usize, limit: u32) -> impl IntoView {
    let full = n as u32 >= limit;
    view! {
        <div class="count">
            <span>{format!("{n} of {limit} apps")}</span>
            {if full {
                view! {
                    <button class="primary" disabled=true aria-describedby="limit-why">"Create app"</button>
                    <p id="limit-why" class="muted">{format!("The limit of {limit} apps is reached; delete one to create another.")}</p>
                }.into_any()
            } else {
                view! { <a class="button primary" href="/apps/new">"Create app"</a> }.into_any()
            }}
        </div>
    }
}

#[component]
fn AppCard(app: portico_proto::App) -> impl IntoView {
    let a = app;
    let id = a.client_id.clone();
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
                {has_admin_api_access(&a).then(|| view! {
                    " "<span class="badge admin-power" title=FULL_POWER>"Admin API access"</span>
                })}
                <p class="client-id">
                    <span class="muted">"Client ID "</span><code>{id.clone()}</code>
                    <CopyButton value=id.clone() aria_label=format!("Copy client ID of {}", a.name)/>
                </p>
                <p class="muted">
                    {format!("Created {}", date(a.created_at))}
                    {format!(" · Last used {}", a.last_used_at.map(date).unwrap_or_else(|| "never".to_owned()))}
                </p>
            </div>
        </li>
    }
}
