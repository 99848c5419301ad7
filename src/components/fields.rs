//! A labelled form field with its hint and error line, wired for screen readers
//! (`aria-describedby`, `aria-invalid`).

use leptos::prelude::*;

use super::sig;

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
