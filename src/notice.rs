//! A one-time message carried from one page to the next: "Billing was deleted." said on the
//! list the console goes to after deleting an app. Kept in memory, never in the URL, so no
//! link can make the console say something.

use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Notice(RwSignal<Option<String>>);

/// Makes the notice available to every page; called once by the shell.
pub fn provide_notice() {
    provide_context(Notice(RwSignal::new(None)));
}

/// The shell's notice (a detached one outside the shell, as in component tests).
pub fn use_notice() -> Notice {
    use_context::<Notice>().unwrap_or_else(|| Notice(RwSignal::new(None)))
}

impl Notice {
    /// Leaves `message` for the next page.
    pub fn leave(&self, message: String) {
        self.0.set(Some(message));
    }

    /// The message left for this page, once.
    pub fn take(&self) -> Option<String> {
        let m = self.0.get_untracked();
        if m.is_some() {
            self.0.set(None);
        }
        m
    }
}
