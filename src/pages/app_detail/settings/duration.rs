//! A refresh-token expiry: a duration, or "Never".

use leptos::prelude::*;

use crate::components::sig;
use crate::format::{duration_words, parse_duration};
use crate::pages::app_detail::draft::DurationField;

/// A duration input with a "Never" box; under it, the value in words.
#[component]
pub fn DurationInput(
    id: &'static str,
    label: &'static str,
    #[prop(into)] value: Signal<DurationField>,
    #[prop(into)] set: Callback<DurationField>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(into)] on_blur: Callback<()>,
    hint: &'static str,
) -> impl IntoView {
    let never_id = format!("{id}-never");
    let never_for = never_id.clone();
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described = format!("{hint_id} {error_id}");
    let words = sig(move || {
        value.with(|v| {
            if v.never {
                "Never expires.".to_owned()
            } else {
                parse_duration(&v.text)
                    .map(|s| format!("Now: {}.", duration_words(s)))
                    .unwrap_or_default()
            }
        })
    });
    let never = sig(move || value.with(|v| v.never));
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <div class="duration-row">
                <input id=id name=id type="text" autocomplete="off" spellcheck="false" class="duration"
                    aria-invalid=sig(move || error.with(Option::is_some).to_string())
                    aria-describedby=described
                    disabled=never
                    prop:value=sig(move || value.with(|v| v.text.clone()))
                    on:input=move |ev| {
                        let mut v = value.get_untracked();
                        v.text = event_target_value(&ev);
                        set.run(v);
                    }
                    on:blur=move |_| on_blur.run(())/>
                <label class="check" for=never_for>
                    <input id=never_id type="checkbox" prop:checked=never
                        on:change=move |ev| {
                            let mut v = value.get_untracked();
                            v.never = event_target_checked(&ev);
                            set.run(v);
                            on_blur.run(());
                        }/>
                    " Never"
                </label>
            </div>
            <p id=hint_id class="hint">{hint}</p>
            <p class="hint duration-words" aria-live="polite">{words}</p>
            <p id=error_id class="field-error">{error}</p>
        </div>
    }
}
