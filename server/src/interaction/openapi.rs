//! The interaction and account API in the OpenAPI document (`crate::openapi` merges it with
//! the admin API and the protocol endpoints).

use utoipa::OpenApi;

use super::{account, console_token, login, logout, sign_out, switch_account};

#[derive(OpenApi)]
#[openapi(
    paths(
        super::show, login::login, super::consent, switch_account::switch_account,
        sign_out::sign_out, console_token::console_token, logout::show, logout::confirm,
        account::list, account::revoke,
    ),
    tags(
        (name = "interactions", description = "The sign-in, consent and sign-out pages' API. \
            Called by Portico's own pages in the browser: the `Origin` must be Portico's, and \
            the interaction is bound to the browser that started it by a cookie."),
        (name = "account", description = "The signed-in user's connected apps, with a token \
            of Portico's console"),
    )
)]
pub struct InteractionApi;
