//! `authorization_code` (RFC 6749 §4.1.3, RFC 7636 §4.5–4.6): the code is burnt, checked
//! (what it is bound to, the PKCE verifier, its user) and its grant recorded in one write
//! to the store, then the tokens are signed and the answer sent.

use async_trait::async_trait;
use portico_proto::AppType;

use super::{GrantContext, GrantHandler};
use crate::crypto::random;
use crate::crypto::secret::SecretHasher;
use crate::oauth::error::{OAuthError, OAuthResult};
use crate::oauth::form::Params;
use crate::oauth::issue::{self, Issue, TokenResponse};
use crate::oauth::pkce;
use crate::oauth::scope::{self, Scopes};
use crate::runtime::clients::Client;
use crate::store::{
    CodeExchange, CodeRecord, GrantDecision, GrantRecord, RefreshRecord, UserRecord,
};

pub struct AuthorizationCode;

/// RFC 6749 §4.1.2 recommends a maximum code lifetime of 10 minutes; Portico uses 60 s.
pub const CODE_LIFETIME: i64 = 60;

const INVALID: &str = "The code is invalid or expired.";
/// A second use of a code that issued tokens (RFC 6749 §4.1.2: they are revoked).
const REPLAYED: &str = "The code was already used; the tokens it issued are revoked.";
/// A use of a code an earlier, refused exchange burnt: nothing was issued, nothing revoked.
const SPENT_BY_REFUSAL: &str = "The code was used up by an earlier token request that was \
     refused; no tokens were issued for it. Start a new authorization request to get a new code.";
/// Added to a refusal that burnt the code (RFC 6749 §4.1.2, §10.5: a code is single-use, so
/// a failed exchange spends it too, and a thief cannot try verifiers or redirect URIs one
/// after another), so that the client knows retrying with the same code cannot work.
const NOW_SPENT: &str = " The code is now used up: start a new authorization request.";

#[async_trait]
impl GrantHandler for AuthorizationCode {
    fn grant_type(&self) -> &'static str {
        "authorization_code"
    }

    fn allowed_for(&self, t: AppType) -> bool {
        t.uses_redirects()
    }

    async fn exchange(&self, ctx: GrantContext<'_>) -> OAuthResult<TokenResponse> {
        let deps = &ctx.deps;
        let code_hash = deps.hasher.hash(ctx.params.require("code")?);
        let presented = Presented::from(&ctx.client, ctx.params);
        // Made before the write, so that the decision inside it waits on nothing.
        let grant_id = random::id()?;
        let refresh_value = issue::new_refresh_value()?;
        let decide: GrantDecision = {
            let (presented, hasher, grant_id, refresh_value) = (
                presented.clone(),
                deps.hasher.clone(),
                grant_id.clone(),
                refresh_value.clone(),
            );
            let now = ctx.now;
            Box::new(move |code: &CodeRecord, user: Option<&UserRecord>| {
                let scopes = judge(&presented, code, user, now).ok()?;
                Some(grant_for(
                    code,
                    &scopes,
                    grant_id,
                    &hasher,
                    &refresh_value,
                    now,
                ))
            })
        };
        let (code, user, granted) = match deps
            .grants
            .exchange_code(&code_hash, ctx.now, decide)
            .await?
        {
            CodeExchange::Fresh {
                code,
                user,
                granted,
            } => (code, user, granted),
            CodeExchange::Replayed => return Err(OAuthError::invalid_grant(REPLAYED)),
            CodeExchange::SpentByRefusal => {
                return Err(OAuthError::invalid_grant(SPENT_BY_REFUSAL))
            }
            CodeExchange::Unknown => return Err(OAuthError::invalid_grant(INVALID)),
        };
        // The same checks the decision ran, now for the answer: the first that fails
        // says why the code (burnt either way) issued nothing.
        let scopes = judge(&presented, &code, user.as_ref(), ctx.now)?;
        let (true, Some(user)) = (granted, user) else {
            return Err(OAuthError::invalid_grant(INVALID).with_internal("grant not recorded"));
        };
        let refresh_token = scopes
            .contains(scope::OFFLINE_ACCESS)
            .then_some(refresh_value);
        deps.respond(Issue {
            client: &ctx.client,
            user: Some(&user),
            scopes: &scopes,
            grant_id: Some(&grant_id),
            refresh_token,
            nonce: code.nonce.as_deref(),
            auth_time: code.auth_time,
            password_sign_in: true,
        })
        .await
    }
}

/// What the client presented with the code, owned so that the decision can run inside the
/// store's write.
#[derive(Clone)]
struct Presented {
    client_id: String,
    redirect_uri: String,
    code_verifier: Option<String>,
}

impl Presented {
    fn from(client: &Client, params: &Params) -> Self {
        Presented {
            client_id: client.client_id().to_owned(),
            redirect_uri: params.get("redirect_uri").unwrap_or("").to_owned(),
            code_verifier: params.get("code_verifier").map(str::to_owned),
        }
    }
}

/// Every check a burnt code must pass before it issues anything, in order: not expired,
/// bound to this client and redirect URI, PKCE, its user still active, its scope known.
fn judge(
    p: &Presented,
    code: &CodeRecord,
    user: Option<&UserRecord>,
    now: i64,
) -> OAuthResult<Scopes> {
    if code.expires_at <= now {
        return Err(OAuthError::invalid_grant(INVALID));
    }
    check_binding(code, p)?;
    check_verifier(code, p.code_verifier.as_deref()).map_err(|mut e| {
        e.description.push_str(NOW_SPENT);
        e
    })?;
    if user.is_none_or(|u| u.disabled) {
        return Err(OAuthError::invalid_grant("The user is no longer active."));
    }
    Scopes::parse(&code.scope)
}

/// RFC 6749 §4.1.3: the code was issued to this client, for this redirect URI (which must
/// be repeated exactly when the authorization request carried one).
fn check_binding(record: &CodeRecord, p: &Presented) -> OAuthResult<()> {
    if record.client_id != p.client_id {
        return Err(OAuthError::invalid_grant(INVALID).with_internal("code of another client"));
    }
    if p.redirect_uri != record.redirect_uri {
        let received = match p.redirect_uri.as_str() {
            "" => "none was sent".to_owned(),
            uri => format!("received {}", printable_uri(uri)),
        };
        return Err(OAuthError::invalid_grant(format!(
            "`redirect_uri` must be the same as in the authorization request, or left out \
             when it was left out there (RFC 6749 section 4.1.3); {received}.{NOW_SPENT}"
        )));
    }
    Ok(())
}

/// `uri` as an `error_description` may carry it (RFC 6749 §5.2: printable ASCII but `"` and
/// `\`), cut to a length a developer can still compare.
fn printable_uri(uri: &str) -> String {
    uri.chars()
        .filter(|c| matches!(*c, ' '..='~') && *c != '"' && *c != '\\')
        .take(200)
        .collect()
}

/// RFC 7636 §4.6, RFC 9700 §2.1.1: a challenge binds the code to the verifier, and a
/// verifier without a challenge is a downgrade attempt.
fn check_verifier(record: &CodeRecord, verifier: Option<&str>) -> OAuthResult<()> {
    match (&record.code_challenge, verifier) {
        (Some(challenge), Some(verifier)) => {
            if !pkce::is_valid_verifier(verifier) {
                return Err(OAuthError::invalid_grant(
                    "`code_verifier` must be 43–128 unreserved characters.",
                ));
            }
            if !pkce::verify(verifier, challenge) {
                return Err(OAuthError::invalid_grant(
                    "`code_verifier` does not match the code challenge.",
                ));
            }
        }
        (Some(_), None) => {
            return Err(OAuthError::invalid_grant(
                "`code_verifier` is required (PKCE).",
            ))
        }
        (None, Some(_)) => {
            return Err(OAuthError::invalid_grant(
                "A `code_verifier` was sent but the authorization request had no challenge.",
            ))
        }
        (None, None) => {}
    }
    Ok(())
}

/// The grant a code issues, and its refresh token when the scope includes `offline_access`
/// (OIDC Core §11), stored in the write that burns the code, so that a replay of the code
/// (RFC 6749 §4.1.2) finds them to revoke.
fn grant_for(
    code: &CodeRecord,
    scopes: &Scopes,
    grant_id: String,
    hasher: &SecretHasher,
    refresh_value: &str,
    now: i64,
) -> (GrantRecord, Option<RefreshRecord>) {
    let refresh = scopes.contains(scope::OFFLINE_ACCESS).then(|| {
        issue::refresh_record(
            hasher,
            refresh_value,
            &grant_id,
            &code.client_id,
            &code.scope,
            now,
        )
    });
    let grant = GrantRecord {
        id: grant_id,
        user_id: Some(code.user_id.clone()),
        client_id: code.client_id.clone(),
        scope: code.scope.clone(),
        auth_time: code.auth_time,
        created_at: now,
        last_used_at: now,
        revoked_at: None,
    };
    (grant, refresh)
}
