//! `/apps/new`: choose the app type from three cards, name it, create it. Types with a
//! secret show it once in a dialog before the app's page opens.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use portico_proto::{validate, App, AppInput, AppList, AppType};

use crate::api::{self, ApiError};
use crate::components::SecretDialog;
use crate::components::{sig, Button, Msg};
use crate::format::type_label;
use crate::session::use_session;

/// What a type card says: best for, examples, how it authenticates.
pub struct TypeCard {
    pub t: AppType,
    pub best_for: &'static str,
    pub examples: &'static str,
    pub auth: &'static str,
}

pub const CARDS: [TypeCard; 3] = [
    TypeCard {
        t: AppType::MachineToMachine,
        best_for: "CLIs, daemons and scripts that act on their own, with no user signing in.",
        examples: "Shell, Python, cron jobs, back-end services",
        auth: "Signed JWT with a key pair (RFC 7523), or a client secret",
    },
    TypeCard {
        t: AppType::SinglePage,
        best_for: "Apps running in the browser or on a phone, which cannot keep a secret.",
        examples: "JavaScript, Angular, React, Vue, mobile apps",
        auth: "Authorization code flow with PKCE, no secret",
    },
    TypeCard {
        t: AppType::Web,
        best_for: "Server-side web apps that keep credentials on their server.",
        examples: "Go, Java, ASP.NET, Node.js, PHP",
        auth: "Authorization code flow with a client secret",
    },
];

pub const TYPE_REQUIRED: &str = "Choose an app type.";

/// The create body, or the messages to show next to the fields (`type`, `name`).
pub fn create_body(
    t: Option<AppType>,
    name: &str,
) -> Result<AppInput, Vec<(&'static str, String)>> {
    let mut errors = Vec::new();
    if t.is_none() {
        errors.push(("type", TYPE_REQUIRED.to_owned()));
    }
    if let Err(m) = validate::name(name) {
        errors.push(("name", m));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(AppInput {
        app_type: t,
        name: Some(name.trim().to_owned()),
        ..AppInput::default()
    })
}

/// The secret part of `CreatedApp`. The answer is read as an `App` and this, rather than
/// as `CreatedApp`, whose flattened form would cost the bundle a second deserializer.
#[derive(serde::Deserialize)]
struct FirstSecret {
    client_secret: Option<String>,
}

/// `POST /api/v1/apps`: the new app and, for types with secrets, its first secret.
async fn create(
    session: &crate::session::Session,
    body: &AppInput,
) -> Result<(App, Option<String>), ApiError> {
    let json = serde_json::to_string(body).map_err(|e| ApiError {
        status: 0,
        problem: None,
        message: e.to_string(),
    })?;
    let text = api::call(session, "POST", "/api/v1/apps", Some(&json)).await?;
    let parse_error = |e: serde_json::Error| ApiError {
        status: 0,
        problem: None,
        message: format!("The server's answer could not be read: {e}"),
    };
    let app: App = serde_json::from_str(&text).map_err(parse_error)?;
    let s: FirstSecret = serde_json::from_str(&text).map_err(parse_error)?;
    Ok((app, s.client_secret))
}

#[component]
pub fn AppNew() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let chosen = RwSignal::new(None::<AppType>);
    let name = RwSignal::new(String::new());
    let submitted = RwSignal::new(false);
    let name_touched = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let secret = RwSignal::new(None::<String>);
    let created_id = RwSignal::new(None::<String>);
    let limit_note = limit_note(api::read_path(session, "/api/v1/apps"));
    let server_field = move |f: &'static str| error.with(|e| e.as_ref().and_then(|e| e.field(f)));
    let type_error = sig(move || {
        server_field("type").or_else(|| {
            (submitted.get() && chosen.get().is_none()).then(|| TYPE_REQUIRED.to_owned())
        })
    });
    let name_error = sig(move || {
        server_field("name").or_else(|| {
            (submitted.get() || name_touched.get())
                .then(|| name.with(|n| validate::name(n).err()))
                .flatten()
        })
    });
    let other_error = sig(move || {
        error.with(|e| {
            e.as_ref()
                .filter(|e| e.field("type").is_none() && e.field("name").is_none())
                .map(|e| e.message.clone())
        })
    });

    let go = navigate.clone();
    // Input: the create body. Types with a secret show it before the app's page opens.
    let create_app = Action::new_local(move |body: &AppInput| {
        let (body, go) = (body.clone(), go.clone());
        async move {
            match create(&session, &body).await {
                Ok((app, client_secret)) => {
                    let id = app.client_id;
                    match client_secret {
                        Some(s) => {
                            created_id.set(Some(id));
                            secret.set(Some(s));
                        }
                        None => go(&format!("/apps/{id}"), Default::default()),
                    }
                    true
                }
                Err(e) => {
                    error.set(Some(e));
                    false
                }
            }
        }
    });
    // Busy from the click until the app's page opens: a success only leads there.
    let busy = sig(move || create_app.pending().get() || create_app.value().get() == Some(true));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        submitted.set(true);
        error.set(None);
        if let Ok(body) = create_body(chosen.get_untracked(), &name.get_untracked()) {
            create_app.dispatch(body);
        }
    };
    let after_secret = move |()| {
        if let Some(id) = created_id.get_untracked() {
            navigate(&format!("/apps/{id}"), Default::default());
        }
    };

    view! {
        <section class="page" aria-labelledby="new-title">
            <p class="back"><a href="/apps">"← All apps"</a></p>
            <h1 id="new-title">"Create an app"</h1>
            <p class="warning msg" role="alert">{limit_note}</p>
            <form class="form create" novalidate on:submit=submit>
                <TypeCards chosen error message=type_error/>
                <NameField name error message=name_error touched=name_touched/>
                <Msg text=other_error error=true/>
                <div class="actions start">
                    <Button label="Create app" working="Creating…" class="primary" submit=true busy=busy
                        disabled=sig(move || limit_note.with(Option::is_some))/>
                    <a class="button" href="/apps">"Cancel"</a>
                </div>
            </form>
            <SecretDialog secret=secret client_id=sig(move || created_id.get().unwrap_or_default()) on_done=after_secret/>
        </section>
    }
}

/// Said before the form is sent, when the server would refuse it anyway.
fn limit_note(apps: api::Read) -> Signal<Option<String>> {
    sig(move || {
        let l = api::parse::<AppList>(&apps.get()?.ok()?).ok()?;
        (l.apps.len() as u32 >= l.limit).then(|| {
            format!(
                "The limit of {} apps is reached; delete one before creating another.",
                l.limit
            )
        })
    })
}

/// The name, checked as it is typed once left; typing clears the server's verdict on it.
#[component]
fn NameField(
    name: RwSignal<String>,
    error: RwSignal<Option<ApiError>>,
    message: Signal<Option<String>>,
    touched: RwSignal<bool>,
) -> impl IntoView {
    view! {
        <div class="field narrow-field">
            <label for="name">"Name" <span class="req" aria-hidden="true">" *"</span></label>
            <input id="name" name="name" type="text" required autocomplete="off"
                aria-invalid=sig(move || message.with(Option::is_some).to_string())
                aria-describedby="name-hint name-error"
                prop:value=name
                on:input=move |ev| {
                    name.set(event_target_value(&ev));
                    if error.with_untracked(|e| e.as_ref().is_some_and(|e| e.field("name").is_some())) {
                        error.set(None);
                    }
                }
                on:blur=move |_| touched.set(true)/>
            <p id="name-hint" class="hint">"Shown to users when the app asks for access. You can change it later."</p>
            <p id="name-error" class="field-error">{message}</p>
        </div>
    }
}

/// The three app types as radio cards; choosing one clears the server's verdict on it.
#[component]
fn TypeCards(
    chosen: RwSignal<Option<AppType>>,
    error: RwSignal<Option<ApiError>>,
    message: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <fieldset class="type-cards" aria-describedby="type-error">
            <legend>"What kind of app is it?"</legend>
            <div class="type-grid">
            {CARDS.iter().map(|c| {
                let t = c.t;
                let id = format!("type-{}", t.as_str());
                let for_id = id.clone();
                view! {
                    <label class=sig(move || if chosen.get() == Some(t) { "type-card selected" } else { "type-card" }) for=for_id>
                        <input type="radio" id=id name="type" value=t.as_str()
                            on:change=move |_| {
                                chosen.set(Some(t));
                                if error.with_untracked(|e| e.as_ref().is_some_and(|e| e.field("type").is_some())) {
                                    error.set(None);
                                }
                            }/>
                        <span class="type-name">{type_label(t)}</span>
                        <span class="type-best">{c.best_for}</span>
                        <span class="type-line"><span class="muted">"For example: "</span>{c.examples}</span>
                        <span class="type-line"><span class="muted">"Signs in with: "</span>{c.auth}</span>
                    </label>
                }
            }).collect_view()}
            </div>
            <p id="type-error" class="field-error">{message}</p>
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_needs_a_type_and_a_name() {
        let e = create_body(None, " ").unwrap_err();
        assert_eq!(e[0], ("type", TYPE_REQUIRED.to_owned()));
        assert_eq!(e[1], ("name", validate::NAME_REQUIRED.to_owned()));
        let body = create_body(Some(AppType::Web), "  Billing ").unwrap();
        assert_eq!(body.name.as_deref(), Some("Billing"));
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(json, serde_json::json!({"type": "web", "name": "Billing"}));
    }

    #[test]
    fn every_type_has_one_card() {
        for t in AppType::ALL {
            assert_eq!(CARDS.iter().filter(|c| c.t == t).count(), 1);
        }
    }
}
