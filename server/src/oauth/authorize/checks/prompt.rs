//! Check 7: `prompt` (OIDC Core §3.1.2.1): `none`, `login`, `consent`; `none` stands alone.

use crate::oauth::authorize::Prompt;
use crate::oauth::error::OAuthError;
use crate::oauth::form::Params;
use crate::oauth::scope::printable;

pub fn check(params: &Params) -> Result<Prompt, OAuthError> {
    let mut prompt = Prompt::default();
    for p in params
        .get("prompt")
        .unwrap_or("")
        .split(' ')
        .filter(|p| !p.is_empty())
    {
        match p {
            "none" => prompt.none = true,
            "login" => prompt.login = true,
            "consent" => prompt.consent = true,
            other => {
                return Err(OAuthError::invalid_request(format!(
                    "Unsupported prompt `{}`.",
                    printable(other)
                )))
            }
        }
    }
    if prompt.none && (prompt.login || prompt.consent) {
        return Err(OAuthError::invalid_request(
            "prompt=none cannot be combined with other values.",
        ));
    }
    Ok(prompt)
}
