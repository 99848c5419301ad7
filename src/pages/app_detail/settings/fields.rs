//! The form's fields, grouped by the app types that have them.

use leptos::prelude::*;
use portico_proto::validate::SPA_MUST_ROTATE;
use portico_proto::{AppType, IdTokenAlg};

use super::duration::DurationInput;
use super::form::Form;
use crate::components::{sig, TextField};
use crate::pages::app_detail::draft::Draft;

/// One text field of the draft: its value, edits, error and blur all wired to `form`.
#[component]
pub fn DraftText(
    form: Form,
    id: &'static str,
    label: &'static str,
    get: fn(&Draft) -> String,
    set: fn(&mut Draft, String),
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] multiline: bool,
    #[prop(optional)] input_type: Option<&'static str>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    view! {
        <TextField id label value=form.text(get) set=form.edit(id, set) error=form.error_for(id)
            on_blur=form.blur(id) hint multiline input_type required/>
    }
}

/// The one sentence beside the rotation switch.
/// What rotation does, in one sentence (RFC 9700 §4.14.2).
pub const ROTATION_HINT: &str = "Each refresh returns a new refresh token and retires the one used; if a retired token comes back, Portico ends that sign-in, because someone has a copy.";

/// Why a web app's default differs from a single-page app's.
pub const WEB_ROTATION_DEFAULT: &str = "Off by default for web apps: their client secret already ties the token to the app's server. Single-page apps always rotate, as they cannot keep a secret.";

pub const REUSE_GRACE_HINT: &str = "For this many seconds (0–60) after a refresh token is rotated, presenting it again still gets new tokens of the same sign-in, so browser tabs refreshing at once or a client that lost an answer keep working; later, it revokes the sign-in's tokens as reuse (applies while rotation is on).";

/// Redirect URLs and refresh-token rules (web and single-page apps).
#[component]
pub fn RefreshFields(form: Form) -> impl IntoView {
    // Single-page apps always rotate (RFC 9700 §4.14.2): their switch is on and locked.
    let locked = form.t == AppType::SinglePage;
    let rotate = sig(move || locked || form.draft.with(|d| d.rotate_refresh_token));
    view! {
        <fieldset class="group">
            <legend>"Sign-in"</legend>
            <DraftText form id="redirect_uris" label="Redirect URLs" multiline=true
                get=|d| d.redirect_uris.clone() set=|d, v| d.redirect_uris = v
                hint="One per line, exactly as your app sends them: https, or http only on 127.0.0.1, [::1] or localhost. No wildcards, no #fragment. Single-page apps (CLIs, desktop apps): http://127.0.0.1/… or http://[::1]/… matches any port the app picks at sign-in (RFC 8252 §7.3); localhost is refused for them."/>
            <DraftText form id="post_logout_redirect_uris" label="Post-logout URLs" multiline=true
                get=|d| d.post_logout_redirect_uris.clone() set=|d, v| d.post_logout_redirect_uris = v
                hint="Where the app may send the user back after signing out through Portico's end-session endpoint, one per line, exactly as the app sends post_logout_redirect_uri (no port exception). Same rules as redirect URLs."/>
        </fieldset>
        <fieldset class="group">
            <legend>"Refresh tokens"</legend>
            <p class="hint">"Issued only when the app asks for the offline_access scope."</p>
            <label class="check">
                <input id="rotate_refresh_token" type="checkbox" prop:checked=rotate
                    disabled=locked aria-describedby="rotate_refresh_token-what rotate_refresh_token-hint"
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        form.draft.update(|d| d.rotate_refresh_token = on);
                        form.changed("rotate_refresh_token");
                    }/>
                " Rotate the refresh token on each use"
            </label>
            <p id="rotate_refresh_token-what" class="hint">{ROTATION_HINT}</p>
            <p id="rotate_refresh_token-hint" class="hint">{if locked { SPA_MUST_ROTATE } else { WEB_ROTATION_DEFAULT }}</p>
            <p id="rotate_refresh_token-error" class="field-error">{form.error_for("rotate_refresh_token")}</p>
            <DraftText form id="refresh_token_reuse_grace" label="Reuse grace (seconds)"
                input_type="number"
                get=|d| d.refresh_token_reuse_grace.clone() set=|d, v| d.refresh_token_reuse_grace = v
                hint=REUSE_GRACE_HINT/>
            <DurationInput id="refresh_token_absolute_lifetime" label="Absolute expiry"
                value=form.duration(|d| d.absolute.clone())
                set=form.edit_duration("refresh_token_absolute_lifetime", |d, v| d.absolute = v)
                error=form.error_for("refresh_token_absolute_lifetime")
                on_blur=form.blur("refresh_token_absolute_lifetime")
                hint="How long after signing in the user must sign in again. Write it like 30d, 12h or 90m."/>
            <DurationInput id="refresh_token_inactivity_lifetime" label="Inactivity expiry"
                value=form.duration(|d| d.inactivity.clone())
                set=form.edit_duration("refresh_token_inactivity_lifetime", |d, v| d.inactivity = v)
                error=form.error_for("refresh_token_inactivity_lifetime")
                on_blur=form.blur("refresh_token_inactivity_lifetime")
                hint="How long the refresh token may go unused before it expires. Write it like 7d or 12h."/>
        </fieldset>
    }
}

/// Who is shown as the developer on the consent page (single-page apps).
#[component]
pub fn DeveloperFields(form: Form) -> impl IntoView {
    view! {
        <fieldset class="group">
            <legend>"Developer"</legend>
            <p class="hint">"Shown to users on the consent page. Optional."</p>
            <DraftText form id="developer_name" label="Developer name"
                get=|d| d.developer_name.clone() set=|d, v| d.developer_name = v/>
            <DraftText form id="developer_email" label="Developer e-mail" input_type="email"
                get=|d| d.developer_email.clone() set=|d, v| d.developer_email = v/>
            <DraftText form id="privacy_policy_url" label="Privacy policy URL" input_type="url"
                get=|d| d.privacy_policy_url.clone() set=|d, v| d.privacy_policy_url = v/>
        </fieldset>
    }
}

/// How the app's ID tokens are signed (OIDC Dynamic Client Registration 1.0 §2
/// `id_token_signed_response_alg`). Every app type can receive an ID token, so every type
/// shows it.
#[component]
pub fn IdTokenAlgField(form: Form) -> impl IntoView {
    const ID: &str = "id_token_signed_response_alg";
    let chosen = move |a: IdTokenAlg| form.draft.with(|d| d.id_token_signed_response_alg == a);
    let error = form.error_for(ID);
    view! {
        <div class="field">
            <label for=ID>"ID token signature"</label>
            <select id=ID name=ID aria-describedby=format!("{ID}-hint {ID}-error")
                aria-invalid=sig(move || error.with(Option::is_some).to_string())
                on:change=move |ev| {
                    if let Some(a) = IdTokenAlg::parse(&event_target_value(&ev)) {
                        form.draft.update(|d| d.id_token_signed_response_alg = a);
                        form.changed(ID);
                    }
                }>
                {IdTokenAlg::ALL.into_iter().map(|a| view! {
                    <option value=a.as_str() prop:selected=move || chosen(a)>{alg_label(a)}</option>
                }).collect_view()}
            </select>
            <p id=format!("{ID}-hint") class="hint">
                "RS256 is what every OpenID Connect client supports; ES256 is about 30× cheaper "
                "for Portico to sign and gives smaller tokens, and most current libraries verify "
                "it: choose it when your client library verifies ES256."
            </p>
            <p id=format!("{ID}-error") class="field-error">{error}</p>
        </div>
    }
}

fn alg_label(a: IdTokenAlg) -> &'static str {
    match a {
        IdTokenAlg::RS256 => "RS256 (RSA, the default)",
        IdTokenAlg::ES256 => "ES256 (ECDSA P-256)",
    }
}
