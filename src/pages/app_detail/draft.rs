//! The app settings form as plain data: what the inputs hold, which fields an app type
//! shows, the PATCH body of the changed fields, and the same validation messages as the
//! server (`AppSettings::apply` from `proto`). No DOM here, so it is unit tested natively
//! and in the browser.

use portico_proto::app::{field_applies, AppSettings};
use portico_proto::{App, AppInput, AppKind, AppType, FieldError, IdTokenAlg};

use crate::format::{format_duration, parse_duration};

/// What fills a duration field whose stored value is "never", should the admin untick it.
pub const ABSOLUTE_SUGGESTION: u64 = 30 * 86_400;
pub const INACTIVITY_SUGGESTION: u64 = 7 * 86_400;

/// The settings stored for an app, as the server's `AppSettings`.
pub fn settings_of(app: &App) -> AppSettings {
    let t = app.app_type();
    let mut s = AppSettings::defaults(t);
    s.name = app.name.clone();
    s.description = app.description.clone();
    s.access_token_lifetime = app.access_token_lifetime;
    s.id_token_signed_response_alg = app.id_token_signed_response_alg;
    match &app.kind {
        AppKind::MachineToMachine {
            jwt_bearer_users,
            admin_api_access,
            ..
        } => {
            s.jwt_bearer_users = jwt_bearer_users.clone();
            s.admin_api_access = *admin_api_access;
        }
        AppKind::Web {
            redirect_uris,
            post_logout_redirect_uris,
            rotate_refresh_token,
            refresh_token_absolute_lifetime,
            refresh_token_inactivity_lifetime,
            refresh_token_reuse_grace,
            app_description_url,
            ..
        } => {
            s.redirect_uris = redirect_uris.clone();
            s.post_logout_redirect_uris = post_logout_redirect_uris.clone();
            s.rotate_refresh_token = *rotate_refresh_token;
            s.refresh_token_absolute_lifetime = *refresh_token_absolute_lifetime;
            s.refresh_token_inactivity_lifetime = *refresh_token_inactivity_lifetime;
            s.refresh_token_reuse_grace = *refresh_token_reuse_grace;
            s.app_description_url = app_description_url.clone();
        }
        AppKind::SinglePage {
            redirect_uris,
            post_logout_redirect_uris,
            rotate_refresh_token,
            refresh_token_absolute_lifetime,
            refresh_token_inactivity_lifetime,
            refresh_token_reuse_grace,
            developer_name,
            developer_email,
            privacy_policy_url,
        } => {
            s.redirect_uris = redirect_uris.clone();
            s.post_logout_redirect_uris = post_logout_redirect_uris.clone();
            s.rotate_refresh_token = *rotate_refresh_token;
            s.refresh_token_absolute_lifetime = *refresh_token_absolute_lifetime;
            s.refresh_token_inactivity_lifetime = *refresh_token_inactivity_lifetime;
            s.refresh_token_reuse_grace = *refresh_token_reuse_grace;
            s.developer_name = developer_name.clone();
            s.developer_email = developer_email.clone();
            s.privacy_policy_url = privacy_policy_url.clone();
        }
    }
    s
}

/// A duration input with its "Never" box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurationField {
    pub text: String,
    pub never: bool,
}

impl DurationField {
    pub fn new(value: Option<u64>, suggestion: u64) -> Self {
        Self {
            text: format_duration(value.unwrap_or(suggestion)),
            never: value.is_none(),
        }
    }

    /// `None` is "never".
    pub fn value(&self) -> Result<Option<u64>, String> {
        if self.never {
            Ok(None)
        } else {
            parse_duration(&self.text).map(Some)
        }
    }
}

/// What the settings inputs hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub name: String,
    pub description: String,
    pub access_token_lifetime: String,
    /// One URL per line.
    pub redirect_uris: String,
    /// Where the browser may return after signing out, one URL per line.
    pub post_logout_redirect_uris: String,
    pub rotate_refresh_token: bool,
    pub absolute: DurationField,
    pub inactivity: DurationField,
    /// Seconds, as typed.
    pub refresh_token_reuse_grace: String,
    pub app_description_url: String,
    pub developer_name: String,
    pub developer_email: String,
    pub privacy_policy_url: String,
    /// Machine to machine: the users it may act as in the JWT-bearer grant, one per line.
    pub jwt_bearer_users: String,
    /// The select's choice: how the app's ID tokens are signed.
    pub id_token_signed_response_alg: IdTokenAlg,
}

/// The values typed one per line (URLs, usernames), trimmed, blank lines dropped.
pub fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn optional(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

impl Draft {
    pub fn from_settings(s: &AppSettings) -> Self {
        Self {
            name: s.name.clone(),
            description: s.description.clone(),
            access_token_lifetime: format_duration(s.access_token_lifetime),
            redirect_uris: s.redirect_uris.join("\n"),
            post_logout_redirect_uris: s.post_logout_redirect_uris.join("\n"),
            rotate_refresh_token: s.rotate_refresh_token,
            absolute: DurationField::new(s.refresh_token_absolute_lifetime, ABSOLUTE_SUGGESTION),
            inactivity: DurationField::new(
                s.refresh_token_inactivity_lifetime,
                INACTIVITY_SUGGESTION,
            ),
            refresh_token_reuse_grace: s.refresh_token_reuse_grace.to_string(),
            app_description_url: s.app_description_url.clone().unwrap_or_default(),
            developer_name: s.developer_name.clone().unwrap_or_default(),
            developer_email: s.developer_email.clone().unwrap_or_default(),
            privacy_policy_url: s.privacy_policy_url.clone().unwrap_or_default(),
            jwt_bearer_users: s.jwt_bearer_users.join("\n"),
            id_token_signed_response_alg: s.id_token_signed_response_alg,
        }
    }

    pub fn from_app(app: &App) -> Self {
        Self::from_settings(&settings_of(app))
    }

    /// The PATCH body: only the fields of type `t` that differ from `original`, so the
    /// audit log names what really changed. Durations that cannot be read are left out
    /// and reported as field errors instead.
    pub fn changes(&self, original: &Draft, t: AppType) -> (AppInput, Vec<FieldError>) {
        let mut input = AppInput::default();
        let mut errors = Vec::new();
        let applies = |f: &str| field_applies(f, t);
        if self.name != original.name {
            input.name = Some(self.name.clone());
        }
        if self.description != original.description {
            input.description = Some(self.description.clone());
        }
        if self.access_token_lifetime != original.access_token_lifetime {
            match parse_duration(&self.access_token_lifetime) {
                Ok(v) => input.access_token_lifetime = Some(v),
                Err(m) => errors.push(FieldError::new("access_token_lifetime", m)),
            }
        }
        if applies("redirect_uris") && self.redirect_uris != original.redirect_uris {
            input.redirect_uris = Some(lines(&self.redirect_uris));
        }
        if applies("post_logout_redirect_uris")
            && self.post_logout_redirect_uris != original.post_logout_redirect_uris
        {
            input.post_logout_redirect_uris = Some(lines(&self.post_logout_redirect_uris));
        }
        // Single-page apps always rotate (RFC 9700 §4.14.2): never send `false` for one, and
        // send `true` when an older stored setting says otherwise, so that the save passes.
        let rotate = self.rotate_refresh_token || t == AppType::SinglePage;
        if applies("rotate_refresh_token") && rotate != original.rotate_refresh_token {
            input.rotate_refresh_token = Some(rotate);
        }
        if applies("refresh_token_absolute_lifetime") && self.absolute != original.absolute {
            match self.absolute.value() {
                Ok(v) => input.refresh_token_absolute_lifetime = Some(v),
                Err(m) => errors.push(FieldError::new("refresh_token_absolute_lifetime", m)),
            }
        }
        if applies("refresh_token_inactivity_lifetime") && self.inactivity != original.inactivity {
            match self.inactivity.value() {
                Ok(v) => input.refresh_token_inactivity_lifetime = Some(v),
                Err(m) => errors.push(FieldError::new("refresh_token_inactivity_lifetime", m)),
            }
        }
        if applies("refresh_token_reuse_grace")
            && self.refresh_token_reuse_grace.trim() != original.refresh_token_reuse_grace.trim()
        {
            match self.refresh_token_reuse_grace.trim().parse::<u64>() {
                Ok(v) => input.refresh_token_reuse_grace = Some(v),
                Err(_) => errors.push(FieldError::new(
                    "refresh_token_reuse_grace",
                    "Reuse grace must be a whole number of seconds, 0–60.",
                )),
            }
        }
        let text = |field: &'static str, now: &str, before: &str| {
            (applies(field) && now != before).then(|| optional(now))
        };
        input.app_description_url = text(
            "app_description_url",
            &self.app_description_url,
            &original.app_description_url,
        );
        input.developer_name = text(
            "developer_name",
            &self.developer_name,
            &original.developer_name,
        );
        input.developer_email = text(
            "developer_email",
            &self.developer_email,
            &original.developer_email,
        );
        input.privacy_policy_url = text(
            "privacy_policy_url",
            &self.privacy_policy_url,
            &original.privacy_policy_url,
        );
        // The whole list when its usernames changed (the server replaces it); a blank line or
        // a space more is no change.
        if applies("jwt_bearer_users") {
            let users = lines(&self.jwt_bearer_users);
            if users != lines(&original.jwt_bearer_users) {
                input.jwt_bearer_users = Some(users);
            }
        }
        if applies("id_token_signed_response_alg")
            && self.id_token_signed_response_alg != original.id_token_signed_response_alg
        {
            input.id_token_signed_response_alg =
                Some(self.id_token_signed_response_alg.as_str().to_owned());
        }
        (input, errors)
    }

    /// Every message the server would give for saving this draft over `stored`, plus the
    /// console's own for durations it cannot read. Empty when the draft can be saved.
    pub fn check(&self, original: &Draft, stored: &AppSettings, t: AppType) -> Vec<FieldError> {
        let (input, mut errors) = self.changes(original, t);
        let mut merged = stored.clone();
        if let Err(e) = merged.apply(t, &input) {
            errors.extend(e);
        }
        errors
    }
}

/// The first message for `field`, if any.
pub fn message_for(errors: &[FieldError], field: &str) -> Option<String> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use portico_proto::validate;

    fn spa() -> App {
        App {
            client_id: "c1".into(),
            name: "Shop".into(),
            description: String::new(),
            access_token_lifetime: 3_600,
            id_token_signed_response_alg: IdTokenAlg::RS256,
            logo_url: None,
            created_at: 0,
            updated_at: 0,
            last_used_at: None,
            kind: AppKind::SinglePage {
                redirect_uris: vec!["https://shop.example/cb".into()],
                post_logout_redirect_uris: vec!["https://shop.example/bye".into()],
                rotate_refresh_token: true,
                refresh_token_absolute_lifetime: Some(30 * 86_400),
                refresh_token_inactivity_lifetime: None,
                refresh_token_reuse_grace: 0,
                developer_name: None,
                developer_email: None,
                privacy_policy_url: None,
            },
        }
    }

    #[test]
    fn round_trips_an_app() {
        let app = spa();
        let d = Draft::from_app(&app);
        assert_eq!(d.absolute.text, "30d");
        assert!(!d.absolute.never);
        assert!(d.inactivity.never);
        assert_eq!(d.inactivity.text, "7d", "suggested when unticked");
        let (input, errors) = d.changes(&d.clone(), AppType::SinglePage);
        assert!(errors.is_empty());
        assert!(input.present_fields().is_empty(), "no changes, empty body");
    }

    #[test]
    fn sends_only_changes_with_null_for_never_and_cleared() {
        let app = spa();
        let original = Draft::from_app(&app);
        let mut d = original.clone();
        d.absolute.never = true;
        d.inactivity.never = false;
        d.inactivity.text = "12h".into();
        d.developer_email = " dev@shop.example ".into();
        d.redirect_uris = "https://shop.example/cb\n\n  https://shop.example/cb2 \n".into();
        let (input, errors) = d.changes(&original, AppType::SinglePage);
        assert!(errors.is_empty());
        assert_eq!(input.refresh_token_absolute_lifetime, Some(None));
        assert_eq!(input.refresh_token_inactivity_lifetime, Some(Some(43_200)));
        assert_eq!(
            input.developer_email,
            Some(Some("dev@shop.example".to_owned()))
        );
        assert_eq!(
            input.redirect_uris,
            Some(vec![
                "https://shop.example/cb".to_owned(),
                "https://shop.example/cb2".to_owned()
            ])
        );
        assert_eq!(input.name, None);
        let json = serde_json::to_value(&input).unwrap_or_default();
        assert!(json["refresh_token_absolute_lifetime"].is_null());
        assert!(json.get("name").is_none());
    }

    #[test]
    fn messages_are_the_servers() {
        let app = spa();
        let stored = settings_of(&app);
        let original = Draft::from_app(&app);
        let mut d = original.clone();
        d.name = "  ".into();
        d.redirect_uris = "http://shop.example/cb".into();
        d.inactivity.never = false;
        d.inactivity.text = "60d".into();
        let errors = d.check(&original, &stored, AppType::SinglePage);
        assert_eq!(
            message_for(&errors, "name").as_deref(),
            Some(validate::NAME_REQUIRED)
        );
        assert_eq!(
            message_for(&errors, "redirect_uris"),
            validate::redirect_uris(&["http://shop.example/cb".to_owned()]).err()
        );
        assert_eq!(
            message_for(&errors, "refresh_token_inactivity_lifetime").as_deref(),
            Some("Inactivity expiry must not be longer than the absolute expiry.")
        );
    }

    #[test]
    fn unreadable_durations_are_reported_on_their_field() {
        let app = spa();
        let original = Draft::from_app(&app);
        let mut d = original.clone();
        d.absolute.text = "30".into();
        d.access_token_lifetime = "soon".into();
        let errors = d.check(&original, &settings_of(&app), AppType::SinglePage);
        assert!(message_for(&errors, "refresh_token_absolute_lifetime")
            .is_some_and(|m| m.starts_with("Add a unit")));
        assert!(message_for(&errors, "access_token_lifetime").is_some());
        let mut d = original.clone();
        d.access_token_lifetime = "2d".into();
        let errors = d.check(&original, &settings_of(&app), AppType::SinglePage);
        assert_eq!(
            message_for(&errors, "access_token_lifetime").as_deref(),
            Some("Access-token lifetime must be between 1 minute and 24 hours.")
        );
    }

    #[test]
    fn fields_of_other_types_are_never_sent() {
        let mut app = spa();
        app.kind = AppKind::MachineToMachine {
            secrets: vec![],
            public_keys: vec![],
            jwt_bearer_users: vec![],
            admin_api_access: false,
        };
        let original = Draft::from_app(&app);
        let mut d = original.clone();
        d.redirect_uris = "https://x.example/cb".into();
        d.developer_name = "Someone".into();
        d.rotate_refresh_token = false;
        d.description = "Nightly export".into();
        let (input, _) = d.changes(&original, AppType::MachineToMachine);
        assert_eq!(input.present_fields(), vec!["description"]);

        // And the JWT-bearer users belong to machine-to-machine apps only.
        let app = spa();
        let original = Draft::from_app(&app);
        let mut d = original.clone();
        d.jwt_bearer_users = "alice".into();
        let (input, errors) = d.changes(&original, AppType::SinglePage);
        assert!(errors.is_empty());
        assert!(input.present_fields().is_empty());
    }

    fn m2m(users: &[&str]) -> App {
        App {
            kind: AppKind::MachineToMachine {
                secrets: vec![],
                public_keys: vec![],
                jwt_bearer_users: users.iter().map(|u| (*u).to_owned()).collect(),
                admin_api_access: false,
            },
            ..spa()
        }
    }

    #[test]
    fn jwt_bearer_users_are_one_per_line_and_sent_only_when_changed() {
        let app = m2m(&["alice", "svc.bot"]);
        assert_eq!(settings_of(&app).jwt_bearer_users, vec!["alice", "svc.bot"]);
        let original = Draft::from_app(&app);
        assert_eq!(original.jwt_bearer_users, "alice\nsvc.bot");
        let t = AppType::MachineToMachine;

        // Blank lines and spaces are no change: nothing is sent.
        let mut d = original.clone();
        d.jwt_bearer_users = "\n alice \n\nsvc.bot\n".into();
        let (input, errors) = d.changes(&original, t);
        assert!(errors.is_empty());
        assert!(input.present_fields().is_empty());

        // A change sends the whole list, trimmed, as the server replaces it.
        d.jwt_bearer_users = "alice\n  bob \n".into();
        let (input, _) = d.changes(&original, t);
        assert_eq!(
            serde_json::to_value(&input).unwrap_or_default(),
            serde_json::json!({"jwt_bearer_users": ["alice", "bob"]})
        );
        assert!(d.check(&original, &settings_of(&app), t).is_empty());

        // Emptied: `[]`, so the app acts only as itself again.
        d.jwt_bearer_users = " \n".into();
        let (input, _) = d.changes(&original, t);
        assert_eq!(input.jwt_bearer_users, Some(vec![]));
        assert!(d.check(&original, &settings_of(&app), t).is_empty());
    }

    #[test]
    fn jwt_bearer_users_get_the_servers_messages() {
        let app = m2m(&[]);
        let stored = settings_of(&app);
        let original = Draft::from_app(&app);
        assert_eq!(original.jwt_bearer_users, "");
        let t = AppType::MachineToMachine;
        let message = |text: &str| {
            let mut d = original.clone();
            d.jwt_bearer_users = text.to_owned();
            message_for(&d.check(&original, &stored, t), "jwt_bearer_users")
        };
        assert_eq!(
            message("alice\nbad name!"),
            validate::jwt_bearer_users(&["alice".to_owned(), "bad name!".to_owned()]).err()
        );
        assert!(message("alice\nbad name!").is_some_and(|m| m.contains("(bad name!)")));
        assert_eq!(
            message("alice\n alice"),
            Some("User alice is listed twice.".to_owned())
        );
        let many: Vec<String> = (0..=validate::JWT_BEARER_USERS_MAX)
            .map(|i| format!("u{i}"))
            .collect();
        assert_eq!(
            message(&many.join("\n")),
            validate::jwt_bearer_users(&many).err()
        );
        assert_eq!(message("alice\nsvc.bot@example.com"), None);
    }

    #[test]
    fn single_page_apps_never_send_rotation_off() {
        let app = spa();
        let original = Draft::from_app(&app);
        let mut d = original.clone();
        d.rotate_refresh_token = false;
        let (input, errors) = d.changes(&original, AppType::SinglePage);
        assert!(errors.is_empty());
        assert_eq!(input.rotate_refresh_token, None);
        assert!(d
            .check(&original, &settings_of(&app), AppType::SinglePage)
            .is_empty());

        // Stored off before the rule: the next save turns it on, and so passes.
        let mut legacy = spa();
        if let AppKind::SinglePage {
            rotate_refresh_token,
            ..
        } = &mut legacy.kind
        {
            *rotate_refresh_token = false;
        }
        let stored = settings_of(&legacy);
        let original = Draft::from_app(&legacy);
        let mut d = original.clone();
        d.name = "Shop 2".into();
        let (input, _) = d.changes(&original, AppType::SinglePage);
        assert_eq!(input.rotate_refresh_token, Some(true));
        assert!(d.check(&original, &stored, AppType::SinglePage).is_empty());
        // Without that, the server's refusal is what the form would show.
        let mut without = input.clone();
        without.rotate_refresh_token = None;
        let refused = stored
            .clone()
            .apply(AppType::SinglePage, &without)
            .err()
            .unwrap_or_default();
        assert_eq!(
            message_for(&refused, "rotate_refresh_token").as_deref(),
            Some(validate::SPA_MUST_ROTATE)
        );

        // Web apps choose.
        let mut web = spa();
        web.kind = AppKind::Web {
            secrets: vec![],
            redirect_uris: vec!["https://shop.example/cb".into()],
            post_logout_redirect_uris: vec![],
            rotate_refresh_token: true,
            refresh_token_absolute_lifetime: None,
            refresh_token_inactivity_lifetime: None,
            refresh_token_reuse_grace: 0,
            app_description_url: None,
        };
        let original = Draft::from_app(&web);
        let mut d = original.clone();
        d.rotate_refresh_token = false;
        let (input, _) = d.changes(&original, AppType::Web);
        assert_eq!(input.rotate_refresh_token, Some(false));
        assert!(d
            .check(&original, &settings_of(&web), AppType::Web)
            .is_empty());
    }

    #[test]
    fn post_logout_urls_are_one_per_line_and_checked_like_redirect_urls() {
        let app = spa();
        let original = Draft::from_app(&app);
        assert_eq!(
            original.post_logout_redirect_uris,
            "https://shop.example/bye"
        );
        let mut d = original.clone();
        d.post_logout_redirect_uris =
            " https://shop.example/bye\n\nhttps://shop.example/out ".into();
        let (input, errors) = d.changes(&original, AppType::SinglePage);
        assert!(errors.is_empty());
        assert_eq!(
            serde_json::to_value(&input).unwrap_or_default(),
            serde_json::json!({"post_logout_redirect_uris": ["https://shop.example/bye", "https://shop.example/out"]})
        );
        d.post_logout_redirect_uris = "http://shop.example/bye".into();
        let errors = d.check(&original, &settings_of(&app), AppType::SinglePage);
        assert_eq!(
            message_for(&errors, "post_logout_redirect_uris"),
            validate::redirect_uris(&["http://shop.example/bye".to_owned()]).err()
        );
    }

    #[test]
    fn reuse_grace_is_sent_when_changed_and_checked_like_the_server() {
        let app = spa();
        let stored = settings_of(&app);
        let original = Draft::from_app(&app);
        assert_eq!(original.refresh_token_reuse_grace, "0");
        let mut d = original.clone();
        d.refresh_token_reuse_grace = " 30 ".into();
        let (input, errors) = d.changes(&original, AppType::SinglePage);
        assert!(errors.is_empty());
        assert_eq!(input.refresh_token_reuse_grace, Some(30));
        d.refresh_token_reuse_grace = "61".into();
        assert!(message_for(
            &d.check(&original, &stored, AppType::SinglePage),
            "refresh_token_reuse_grace"
        )
        .is_some());
        d.refresh_token_reuse_grace = "soon".into();
        assert!(message_for(
            &d.check(&original, &stored, AppType::SinglePage),
            "refresh_token_reuse_grace"
        )
        .is_some());
        // Machine-to-machine apps have no refresh tokens: never sent for them.
        let (input, _) = d.changes(&original, AppType::MachineToMachine);
        assert_eq!(input.refresh_token_reuse_grace, None);
    }

    #[test]
    fn id_token_alg_is_sent_only_when_changed_for_every_type() {
        let web = App {
            kind: AppKind::Web {
                secrets: vec![],
                redirect_uris: vec![],
                post_logout_redirect_uris: vec![],
                rotate_refresh_token: false,
                refresh_token_absolute_lifetime: None,
                refresh_token_inactivity_lifetime: None,
                refresh_token_reuse_grace: 0,
                app_description_url: None,
            },
            ..spa()
        };
        for app in [spa(), web, m2m(&[])] {
            let t = app.app_type();
            let original = Draft::from_app(&app);
            assert_eq!(original.id_token_signed_response_alg, IdTokenAlg::RS256);
            let mut d = original.clone();
            d.id_token_signed_response_alg = IdTokenAlg::ES256;
            let (input, errors) = d.changes(&original, t);
            assert!(errors.is_empty());
            assert_eq!(
                serde_json::to_value(&input).unwrap_or_default(),
                serde_json::json!({"id_token_signed_response_alg": "ES256"}),
                "{t:?}"
            );
            assert!(d.check(&original, &settings_of(&app), t).is_empty());

            // Stored as ES256, the draft starts there; choosing it again sends nothing.
            let mut stored = app.clone();
            stored.id_token_signed_response_alg = IdTokenAlg::ES256;
            assert_eq!(
                settings_of(&stored).id_token_signed_response_alg,
                IdTokenAlg::ES256
            );
            let original = Draft::from_app(&stored);
            assert_eq!(original.id_token_signed_response_alg, IdTokenAlg::ES256);
            assert!(original.changes(&original, t).0.present_fields().is_empty());
        }
    }
}
