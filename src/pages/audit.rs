//! `/audit`: the audit log, newest first, a page at a time, filtered by app, actor, action
//! and kind. The filters and the page are in the URL (`?kind=user&before=<id>`, or
//! `after=<id>` for a newer page), so a filtered view survives a reload and can be
//! bookmarked; the server does the filtering.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::params::ParamsMap;
use portico_proto::{AppList, AuditAction, AuditEntry, AuditKind, AuditPage};

use crate::api;
use crate::components::Loaded;
use crate::format::date_time;
use crate::session::use_session;

pub const PAGE_SIZE: u32 = 50;

/// What the page shows: the filters (each matched exactly by the server) and the page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub client_id: Option<String>,
    pub actor: Option<String>,
    pub action: Option<String>,
    pub kind: Option<String>,
    /// The page: entries older than this id.
    pub before: Option<i64>,
    /// Or the page just newer than this id (the "Newer" button).
    pub after: Option<i64>,
}

impl Filters {
    /// From the page's query string; empty values are no filter.
    pub fn from_pairs<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Filters {
        let text = |k: &str| {
            get(k)
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        Filters {
            client_id: text("client_id"),
            actor: text("actor"),
            action: text("action"),
            kind: text("kind"),
            before: get("before").and_then(|b| b.parse().ok()),
            // The server takes one cursor; `before` wins when a hand-made URL has both.
            after: get("after")
                .and_then(|a| a.parse().ok())
                .filter(|_| get("before").is_none()),
        }
    }

    fn from_query(q: &ParamsMap) -> Filters {
        let pairs: Vec<(String, String)> =
            ["client_id", "actor", "action", "kind", "before", "after"]
                .into_iter()
                .filter_map(|k| q.get(k).map(|v| (k.to_owned(), v)))
                .collect();
        Filters::from_pairs(|k| {
            pairs
                .iter()
                .find(|(name, _)| name == k)
                .map(|(_, v)| v.as_str())
        })
    }

    /// The query string of the filters given, encoded, without `?`.
    pub fn query(&self) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("client_id", &self.client_id),
            ("actor", &self.actor),
            ("action", &self.action),
            ("kind", &self.kind),
        ] {
            if let Some(v) = v {
                q.append_pair(k, v);
            }
        }
        if let Some(b) = self.before {
            q.append_pair("before", &b.to_string());
        } else if let Some(a) = self.after {
            q.append_pair("after", &a.to_string());
        }
        q.finish()
    }

    /// The API path for this page.
    pub fn api_path(&self) -> String {
        let q = self.query();
        if q.is_empty() {
            format!("/api/v1/audit?limit={PAGE_SIZE}")
        } else {
            format!("/api/v1/audit?limit={PAGE_SIZE}&{q}")
        }
    }

    /// This page of the console.
    pub fn href(&self) -> String {
        let q = self.query();
        if q.is_empty() {
            "/audit".to_owned()
        } else {
            format!("/audit?{q}")
        }
    }

    fn filtered(&self) -> bool {
        self.client_id.is_some()
            || self.actor.is_some()
            || self.action.is_some()
            || self.kind.is_some()
    }
}

/// What a kind is called on the page.
pub fn kind_label(kind: AuditKind) -> &'static str {
    match kind {
        AuditKind::Admin => "Admin",
        AuditKind::User => "User",
        AuditKind::Security => "Security",
    }
}

#[component]
pub fn Audit() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let filters = Memo::new(move |_| Filters::from_query(&query.read()));
    // One read per filters and page: a newer answer always replaces an older one.
    let page = api::read(
        Some(session),
        Signal::derive(move || Some(filters.get().api_path())),
    );
    let apps = api::read_path(session, "/api/v1/apps");

    view! {
        <section class="page" aria-labelledby="audit-title">
            <h1 id="audit-title">"Audit log"</h1>
            <p class="lead">"Administrators' changes, users' sign-ins and decisions, and what Portico did to protect them, newest first."</p>
            <FilterForm filters apps/>
            <Loaded read=page announce=true render=move |t: String| {
                let p = api::parse::<AuditPage>(&t)?;
                let f = filters.get_untracked();
                Ok(if p.entries.is_empty() {
                    let text = match (f.before.is_some(), f.after.is_some(), f.filtered()) {
                        (true, _, _) => "No older entries.",
                        (_, true, _) => "No newer entries.",
                        (false, false, true) => "No entries match these filters.",
                        (false, false, false) => "Nothing has been recorded yet.",
                    };
                    view! {
                        <p class="empty">{text}</p>
                        <Pager filters=f next_before=None prev_after=None/>
                    }.into_any()
                } else {
                    view! { <Entries page=p filters=f/> }.into_any()
                })
            }/>
        </section>
    }
}

/// The filters, applied by going to the page's URL with them (so the API filters, and the
/// view can be bookmarked). The app select lists the current apps, and the filtered app
/// when it is no longer one of them (a deleted app's entries stay findable).
#[component]
fn FilterForm(filters: Memo<Filters>, apps: api::Read) -> impl IntoView {
    let app_ref = NodeRef::<leptos::html::Select>::new();
    let kind_ref = NodeRef::<leptos::html::Select>::new();
    let action_ref = NodeRef::<leptos::html::Select>::new();
    let actor_ref = NodeRef::<leptos::html::Input>::new();
    let navigate = use_navigate();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let select = |r: NodeRef<leptos::html::Select>| r.get().map(|e| e.value());
        let value = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
        let chosen = Filters {
            client_id: value(select(app_ref)),
            kind: value(select(kind_ref)),
            action: value(select(action_ref)),
            actor: value(actor_ref.get().map(|e| e.value().trim().to_owned())),
            before: None,
            after: None,
        };
        navigate(&chosen.href(), Default::default());
    };
    let is = move |field: fn(&Filters) -> &Option<String>, v: &str| {
        field(&filters.read()).as_deref() == Some(v)
    };
    let app_options = move || {
        let list = apps
            .get()
            .and_then(|t| api::parse::<AppList>(&t.ok()?).ok())
            .map(|l| l.apps)
            .unwrap_or_default();
        let current = filters.read().client_id.clone();
        let other = current.filter(|id| !list.iter().any(|a| &a.client_id == id));
        view! {
            {list.into_iter().map(|a| {
                let id = a.client_id.clone();
                view! { <option value=a.client_id selected=move || is(|f| &f.client_id, &id)>{a.name}</option> }
            }).collect_view()}
            {other.map(|id| view! { <option value=id.clone() selected=true>{format!("Deleted or other app ({id})")}</option> })}
        }
    };
    view! {
        <form class="audit-filters" on:submit=on_submit aria-label="Filter the audit log">
            <div class="field">
                <label for="audit-app">"App"</label>
                <select id="audit-app" node_ref=app_ref>
                    <option value="" selected=move || filters.read().client_id.is_none()>"Any app"</option>
                    {app_options}
                </select>
            </div>
            <div class="field">
                <label for="audit-kind">"Kind"</label>
                <select id="audit-kind" node_ref=kind_ref>
                    <option value="" selected=move || filters.read().kind.is_none()>"Any kind"</option>
                    {AuditKind::ALL.into_iter().map(|k| view! {
                        <option value=k.as_str() selected=move || is(|f| &f.kind, k.as_str())>{kind_label(k)}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="audit-action">"Action"</label>
                <select id="audit-action" node_ref=action_ref>
                    <option value="" selected=move || filters.read().action.is_none()>"Any action"</option>
                    {AuditAction::ALL.iter().map(|a| {
                        let name = a.as_str();
                        let text = action_label(name).map_or(name.to_owned(), |l| format!("{name} ({l})"));
                        view! { <option value=name selected=move || is(|f| &f.action, name)>{text}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="audit-actor">"Actor"</label>
                <input id="audit-actor" node_ref=actor_ref type="text" autocomplete="off" spellcheck="false"
                    placeholder="username, cli, address:…"
                    prop:value=move || filters.read().actor.clone().unwrap_or_default()/>
            </div>
            <div class="audit-filter-actions">
                <button type="submit" class="primary">"Apply filters"</button>
                <a class="button" href="/audit">"Clear"</a>
            </div>
        </form>
    }
}

/// Words beside an action's dotted name, where the name alone undersells it.
fn action_label(action: &str) -> Option<&'static str> {
    match AuditAction::parse(action)? {
        AuditAction::AdminApiEnable => Some("admin API access turned on"),
        AuditAction::AdminApiDisable => Some("admin API access turned off"),
        _ => None,
    }
}

/// The app an entry names: by its current name, with the client ID on hover; "deleted app"
/// once it is gone (no link to a page that no longer exists); Portico's own console as such.
#[component]
fn AppCell(entry: AuditEntry) -> impl IntoView {
    let Some(id) = entry.client_id else {
        return ().into_any();
    };
    let title = format!("Client ID {id}");
    if entry.app_deleted {
        view! { <span class="app-deleted" title=title>"deleted app"</span> }.into_any()
    } else if entry.app_builtin {
        view! { <span title=title>{entry.app_name.unwrap_or_else(|| "Portico console".to_owned())}</span> }.into_any()
    } else {
        let name = entry.app_name.unwrap_or_else(|| id.clone());
        view! { <a href=format!("/apps/{id}") title=title>{name}</a> }.into_any()
    }
}

/// One page of entries, and the links to the newest, the next newer and the next older page.
#[component]
fn Entries(page: AuditPage, filters: Filters) -> impl IntoView {
    let p = page;
    view! {
        <table class="stack audit">
            <caption class="visually-hidden">"Audit log entries, newest first"</caption>
            <thead>
                <tr><th scope="col">"When"</th><th scope="col">"Kind"</th><th scope="col">"Who"</th><th scope="col">"Action"</th><th scope="col">"App"</th><th scope="col">"Detail"</th></tr>
            </thead>
            <tbody>
                {p.entries.into_iter().map(|e| {
                    let kind = e.kind;
                    view! {
                        <tr class=format!("kind-{}", kind.as_str()) data-action=e.action.clone()>
                            <td data-label="When">{date_time(e.at)}</td>
                            <td data-label="Kind"><span class=format!("badge kind kind-{}", kind.as_str())>{kind_label(kind)}</span></td>
                            <td data-label="Who">{e.actor.clone()}</td>
                            <td data-label="Action"><code>{e.action.clone()}</code>
                                {action_label(&e.action).map(|l| view! { " " <span class="muted">{l}</span> })}</td>
                            <td data-label="App" class="audit-app"><AppCell entry=e.clone()/></td>
                            <td data-label="Detail">{e.detail}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <Pager filters next_before=p.next_before prev_after=p.prev_after/>
    }
}

/// "Newest" back to the first page with the same filters; "Newer" to the page just newer
/// than this one, when there is one; "Older" to the next older page.
#[component]
fn Pager(filters: Filters, next_before: Option<i64>, prev_after: Option<i64>) -> impl IntoView {
    let newest = Filters {
        before: None,
        after: None,
        ..filters.clone()
    };
    let newer = prev_after.map(|n| Filters {
        before: None,
        after: Some(n),
        ..filters.clone()
    });
    let older = next_before.map(|n| Filters {
        before: Some(n),
        after: None,
        ..filters.clone()
    });
    let paged = filters.before.is_some() || filters.after.is_some();
    view! {
        <nav class="pager" aria-label="Audit log pages">
            {paged.then(|| view! { <a class="button" href=newest.href()>"Newest"</a> })}
            {newer.map(|n| view! { <a class="button" href=n.href()>"Newer"</a> })}
            {older.map(|o| view! { <a class="button" href=o.href()>"Older"</a> })}
        </nav>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(q: &str) -> Filters {
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(q.as_bytes())
            .into_owned()
            .collect();
        Filters::from_pairs(|k| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str()))
    }

    #[test]
    fn paths() {
        assert_eq!(Filters::default().api_path(), "/api/v1/audit?limit=50");
        assert_eq!(Filters::default().href(), "/audit");
        let f = Filters {
            before: Some(7),
            ..Filters::default()
        };
        assert_eq!(f.api_path(), "/api/v1/audit?limit=50&before=7");
        let f = parse("kind=user&actor=ann+lee&client_id=abc&action=signin.failed&before=9");
        assert_eq!(
            f.api_path(),
            "/api/v1/audit?limit=50&client_id=abc&actor=ann+lee&action=signin.failed&kind=user&before=9"
        );
        // What the page's URL says comes back the same.
        assert_eq!(parse(&f.query()), f);
        let newer = parse("kind=user&after=12");
        assert_eq!(
            newer.api_path(),
            "/api/v1/audit?limit=50&kind=user&after=12"
        );
        assert_eq!(parse(&newer.query()), newer);
        // One cursor at a time: a URL with both pages older.
        assert_eq!(
            parse("before=5&after=3").api_path(),
            "/api/v1/audit?limit=50&before=5"
        );
    }

    #[test]
    fn empty_values_are_no_filter() {
        assert_eq!(parse("kind=&actor=%20&before=x"), Filters::default());
        assert!(!parse("before=3").filtered());
        assert!(parse("actor=a").filtered());
    }
}
