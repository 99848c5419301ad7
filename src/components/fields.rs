//! Labelled form fields with their hint and error line, wired for screen readers
//! (`aria-describedby`, `aria-invalid`).

use leptos::prelude::*;

use super::sig;
use crate::format::{duration_words, parse_duration};
use crate::pages::app_detail::draft::DurationField;

/// One labelled text input (or textarea) with its hint and error.
#[component]
pub fn TextField(
    id: &'static str,
    label: &'static str,
    #[prop(into)] value: Signal<String>,
    #[prop(into)] set: Callback<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(into)] on_blur: Callback<()>,
    #[prop(optional_no_strip)] hint: Option<&'static str>,
    #[prop(optional)] multiline: bool,
    #[prop(optional_no_strip)] input_type: Option<&'static str>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described = format!("{hint_id} {error_id}");
    let invalid = sig(move || error.with(Option::is_some).to_string());
    let control = if multiline {
        view! {
            <textarea id=id name=id rows="4" spellcheck="false"
                aria-invalid=invalid aria-describedby=described
                prop:value=value
                on:input=move |ev| set.run(event_target_value(&ev))
                on:blur=move |_| on_blur.run(())></textarea>
        }
        .into_any()
    } else {
        view! {
            <input id=id name=id type=input_type.unwrap_or("text") required=required autocomplete="off"
                aria-invalid=invalid aria-describedby=described
                prop:value=value
                on:input=move |ev| set.run(event_target_value(&ev))
                on:blur=move |_| on_blur.run(())/>
        }
        .into_any()
    };
    view! {
        <div class="field">
            <label for=id>{label}{required.then_some(view! { <span class="req" aria-hidden="true">" *"</span> })}</label>
            {control}
            <p id=hint_id class="hint">{hint}</p>
            <p id=error_id class="field-error">{error}</p>
        </div>
    }
}

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
                    .map(|s| format!("= {}", duration_words(s)))
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
            <p id=hint_id class="hint">{hint} " " <span aria-live="polite">{words}</span></p>
            <p id=error_id class="field-error">{error}</p>
        </div>
    }
}
