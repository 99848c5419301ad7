//! The form's state: the draft, what it started from, which fields to show errors on, the
//! server's verdict, and the line under the form. `Copy`, so every field group gets it.

use leptos::prelude::*;
use portico_proto::app::AppSettings;
use portico_proto::{App, AppType, FieldError};

use crate::api::ApiError;
use crate::components::sig;
use crate::pages::app_detail::draft::{message_for, settings_of, Draft, DurationField};

#[derive(Clone, Copy)]
pub struct Form {
    pub t: AppType,
    pub draft: RwSignal<Draft>,
    pub original: RwSignal<Draft>,
    pub touched: RwSignal<Vec<&'static str>>,
    pub submitted: RwSignal<bool>,
    pub server_errors: RwSignal<Vec<FieldError>>,
    /// The last save's outcome, for the line under the form.
    pub result: RwSignal<Option<Result<String, String>>>,
    pub dirty: Signal<bool>,
    /// The browser's own check, with the server's messages (from `proto`).
    pub check: Signal<Vec<FieldError>>,
}

impl Form {
    pub fn new(app: RwSignal<Option<App>>, t: AppType) -> Self {
        let start = app
            .with_untracked(|a| a.as_ref().map(Draft::from_app))
            .unwrap_or_else(|| Draft::from_settings(&AppSettings::defaults(t)));
        let original = RwSignal::new(start.clone());
        let draft = RwSignal::new(start);
        let stored = move || {
            app.with(|a| a.as_ref().map(settings_of))
                .unwrap_or_else(|| AppSettings::defaults(t))
        };
        Form {
            t,
            draft,
            original,
            touched: RwSignal::new(Vec::new()),
            submitted: RwSignal::new(false),
            server_errors: RwSignal::new(Vec::new()),
            result: RwSignal::new(None),
            dirty: sig(move || draft.with(|d| original.with(|o| d != o))),
            check: sig(move || draft.with(|d| original.with(|o| d.check(o, &stored(), t)))),
        }
    }

    /// The message under `field`: the server's, else the browser's once the field was left
    /// or the form submitted.
    pub fn error_for(self, field: &'static str) -> Signal<Option<String>> {
        sig(move || {
            message_for(&self.server_errors.read(), field).or_else(|| {
                let shown = self.submitted.get() || self.touched.with(|t| t.contains(&field));
                shown
                    .then(|| message_for(&self.check.get(), field))
                    .flatten()
            })
        })
    }

    pub fn blur(self, field: &'static str) -> Callback<()> {
        Callback::new(move |()| {
            if !self.touched.with_untracked(|t| t.contains(&field)) {
                self.touched.update(|t| t.push(field));
            }
        })
    }

    /// Editing clears the server's verdict on that field and the last result message.
    pub fn changed(self, field: &'static str) {
        self.server_errors
            .update(|e| e.retain(|x| x.field != field));
        self.result.set(None);
    }

    pub fn edit(self, field: &'static str, f: fn(&mut Draft, String)) -> Callback<String> {
        Callback::new(move |v: String| {
            self.draft.update(|d| f(d, v));
            self.changed(field);
        })
    }

    pub fn edit_duration(
        self,
        field: &'static str,
        f: fn(&mut Draft, DurationField),
    ) -> Callback<DurationField> {
        Callback::new(move |v: DurationField| {
            self.draft.update(|d| f(d, v));
            self.changed(field);
        })
    }

    pub fn text(self, f: fn(&Draft) -> String) -> Signal<String> {
        sig(move || self.draft.with(f))
    }

    pub fn duration(self, f: fn(&Draft) -> DurationField) -> Signal<DurationField> {
        sig(move || self.draft.with(f))
    }

    /// After a save: the server's app is the new starting point.
    pub fn saved(self, saved: &App) {
        let d = Draft::from_app(saved);
        self.original.set(d.clone());
        self.draft.set(d);
        self.reset();
        self.result.set(Some(Ok("Saved.".to_owned())));
    }

    /// After a refused save: the server's messages go next to their fields.
    pub fn refused(self, e: ApiError) {
        let fields = e
            .problem
            .as_ref()
            .map(|p| p.errors.clone())
            .unwrap_or_default();
        let msg = if fields.is_empty() {
            e.message
        } else {
            "The server refused some settings; see the fields marked above.".to_owned()
        };
        self.server_errors.set(fields);
        self.result.set(Some(Err(msg)));
    }

    pub fn discard(self) {
        self.draft.set(self.original.get_untracked());
        self.reset();
        self.result.set(None);
    }

    fn reset(self) {
        self.server_errors.set(Vec::new());
        self.touched.set(Vec::new());
        self.submitted.set(false);
    }
}
