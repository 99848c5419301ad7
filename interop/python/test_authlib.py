"""Interop: authlib (with requests), an independent OAuth 2.0 client, against a running
Portico. Each test is one thing an integrating developer does with authlib; sign-in and
consent go through the interaction API, as the console's pages drive it."""

from __future__ import annotations

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import AssertionSession, OAuth2Session, OAuthError
from authlib.oauth2.rfc7523 import JWTBearerGrant, PrivateKeyJWT
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
from authlib.oidc.discovery import OpenIDProviderMetadata
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, OKPKey, RSAKey

from conftest import REDIRECT_URI
from portico import Browser, me, query

KEY_CLASSES = {"ES256": ECKey, "RS256": RSAKey, "EdDSA": OKPKey}


def private_key(pair: dict):
    return KEY_CLASSES[pair["alg"]].import_key(pair["private_key_pem"])


def authorize(env, metadata, session: OAuth2Session, **params) -> tuple[str, str]:
    """Builds the authorization URL with authlib, signs `env.username` in and consents;
    returns the callback URL the client receives and the state authlib chose."""
    url, state = session.create_authorization_url(metadata["authorization_endpoint"], **params)
    browser = Browser(env.issuer)
    callback = browser.sign_in(url, env.username, env.password)
    assert callback.startswith(REDIRECT_URI + "?"), callback
    # RFC 9207 §2: the authorization response carries the issuer identifier.
    assert query(callback).get("iss") == env.issuer
    return callback, state


def assert_acts_for_user(env, token: dict, client_id: str) -> dict:
    assert token["token_type"].lower() == "bearer"
    who = me(env.issuer, token["access_token"])
    assert who["kind"] == "user"
    assert who["username"] == env.username
    assert who["client_id"] == client_id
    return who


# --- discovery -----------------------------------------------------------------------------


def test_discovery_metadata_passes_authlib_validation(env):
    """RFC 8414 as authlib reads it. authlib (rightly) insists on https URLs, so this reads
    the document of a second `portico serve` whose --issuer is an https URL, as behind a TLS
    proxy; the next test shows the plain-http document is the same one."""
    if not env.https_metadata_url:
        pytest.skip("PORTICO_HTTPS_METADATA_URL is not set")
    res = requests.get(env.https_metadata_url, timeout=10)
    assert res.status_code == 200
    doc = res.json()
    assert doc["issuer"] == env.https_issuer
    AuthorizationServerMetadata(doc).validate()


def test_openid_configuration_passes_authlib_oidc_validation(env):
    if not env.https_metadata_url:
        pytest.skip("PORTICO_HTTPS_METADATA_URL is not set")
    url = env.https_metadata_url.replace("oauth-authorization-server", "openid-configuration")
    doc = requests.get(url, timeout=10).json()
    assert doc["issuer"] == env.https_issuer
    OpenIDProviderMetadata(doc).validate()


def test_discovery_metadata_names_this_issuer_and_matches_the_https_deployment(env, metadata):
    # RFC 8414 §3.3: the issuer in the document is the one it was fetched for.
    assert metadata["issuer"] == env.issuer
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        assert metadata[key].startswith(env.issuer + "/")
    if env.https_metadata_url:
        https_doc = requests.get(env.https_metadata_url, timeout=10).json()
        rebased = {k: v.replace(env.https_issuer, env.issuer) if isinstance(v, str) else v
                   for k, v in https_doc.items()}
        assert rebased == metadata


# --- authorization code (web application, client secret) ---------------------------------


@pytest.mark.parametrize("auth_method", ["client_secret_basic", "client_secret_post"])
def test_web_app_signs_user_in_with_code_flow_and_client_secret(env, metadata, web_app, auth_method):
    session = OAuth2Session(web_app["client_id"], web_app["client_secret"],
                            token_endpoint_auth_method=auth_method,
                            redirect_uri=REDIRECT_URI, scope="openid profile email")
    callback, state = authorize(env, metadata, session, nonce="n-" + auth_method)
    token = session.fetch_token(metadata["token_endpoint"], authorization_response=callback,
                                state=state)
    assert_acts_for_user(env, token, web_app["client_id"])
    assert "refresh_token" not in token, "no offline_access, no refresh token"
    assert set(token["scope"].split()) == {"openid", "profile", "email"}


def test_web_app_id_token_verifies_against_the_published_jwks(env, metadata, web_app):
    session = OAuth2Session(web_app["client_id"], web_app["client_secret"],
                            redirect_uri=REDIRECT_URI, scope="openid")
    callback, state = authorize(env, metadata, session, nonce="nonce-for-id-token")
    token = session.fetch_token(metadata["token_endpoint"], authorization_response=callback,
                                state=state)
    jwks = KeySet.import_key_set(requests.get(metadata["jwks_uri"], timeout=10).json())
    id_token = jwt.decode(token["id_token"], jwks,
                          algorithms=metadata["id_token_signing_alg_values_supported"])
    jwt.JWTClaimsRegistry(
        leeway=60,
        iss={"essential": True, "value": env.issuer},
        aud={"essential": True, "value": web_app["client_id"]},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": "nonce-for-id-token"},
    ).validate(id_token.claims)
    assert id_token.claims["sub"] == me(env.issuer, token["access_token"])["sub"]


def test_code_is_refused_a_second_time(env, metadata, web_app):
    session = OAuth2Session(web_app["client_id"], web_app["client_secret"],
                            redirect_uri=REDIRECT_URI, scope="openid")
    callback, state = authorize(env, metadata, session)
    session.fetch_token(metadata["token_endpoint"], authorization_response=callback, state=state)
    with pytest.raises(OAuthError) as err:
        session.fetch_token(metadata["token_endpoint"], authorization_response=callback,
                            state=state)
    assert err.value.error == "invalid_grant"


# --- authorization code with PKCE (single-page application, no secret) -------------------


def test_single_page_app_signs_user_in_with_pkce_and_no_secret(env, metadata, spa_app):
    verifier = generate_token(48)
    session = OAuth2Session(spa_app["client_id"], token_endpoint_auth_method="none",
                            redirect_uri=REDIRECT_URI, scope="openid profile offline_access",
                            code_challenge_method="S256")
    callback, state = authorize(env, metadata, session, code_verifier=verifier)
    token = session.fetch_token(metadata["token_endpoint"], authorization_response=callback,
                                state=state, code_verifier=verifier)
    assert_acts_for_user(env, token, spa_app["client_id"])
    # A public client refreshes with its client_id alone.
    refreshed = session.refresh_token(metadata["token_endpoint"],
                                      refresh_token=token["refresh_token"])
    assert refreshed["refresh_token"] != token["refresh_token"]
    assert_acts_for_user(env, refreshed, spa_app["client_id"])


def test_single_page_app_code_is_refused_without_the_pkce_verifier(env, metadata, spa_app):
    verifier = generate_token(48)
    session = OAuth2Session(spa_app["client_id"], token_endpoint_auth_method="none",
                            redirect_uri=REDIRECT_URI, scope="openid",
                            code_challenge_method="S256")
    callback, state = authorize(env, metadata, session, code_verifier=verifier)
    with pytest.raises(OAuthError) as err:
        session.fetch_token(metadata["token_endpoint"], authorization_response=callback,
                            state=state, code_verifier="x" * 43)
    assert err.value.error == "invalid_grant"


# --- refresh with rotation ---------------------------------------------------------------


@pytest.fixture
def offline_token(env, metadata, web_app):
    """(session, token) after a code flow with `offline_access` on the rotating web app."""
    session = OAuth2Session(web_app["client_id"], web_app["client_secret"],
                            redirect_uri=REDIRECT_URI, scope="openid profile offline_access")
    callback, state = authorize(env, metadata, session)
    token = session.fetch_token(metadata["token_endpoint"], authorization_response=callback,
                                state=state)
    assert token.get("refresh_token"), "offline_access brings a refresh token"
    return session, token


def test_refresh_token_is_rotated_on_each_use(env, metadata, web_app, offline_token):
    session, first = offline_token
    second = session.refresh_token(metadata["token_endpoint"],
                                   refresh_token=first["refresh_token"])
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert_acts_for_user(env, second, web_app["client_id"])
    third = session.refresh_token(metadata["token_endpoint"],
                                  refresh_token=second["refresh_token"])
    assert third["refresh_token"] not in (first["refresh_token"], second["refresh_token"])


def test_replayed_refresh_token_is_refused_and_revokes_its_family(metadata, offline_token):
    session, first = offline_token
    second = session.refresh_token(metadata["token_endpoint"],
                                   refresh_token=first["refresh_token"])
    with pytest.raises(OAuthError) as err:
        session.refresh_token(metadata["token_endpoint"], refresh_token=first["refresh_token"])
    assert err.value.error == "invalid_grant"
    # The replay revoked the whole family: the newest token is dead too.
    with pytest.raises(OAuthError) as err:
        session.refresh_token(metadata["token_endpoint"], refresh_token=second["refresh_token"])
    assert err.value.error == "invalid_grant"


# --- client credentials with private_key_jwt ----------------------------------------------


@pytest.mark.parametrize("alg", ["ES256", "RS256", "EdDSA"])
def test_m2m_app_gets_its_own_token_with_private_key_jwt(env, metadata, m2m_app, m2m_keys, alg):
    pair = m2m_keys[alg]
    session = OAuth2Session(m2m_app["client_id"], private_key(pair),
                            token_endpoint_auth_method="private_key_jwt")
    session.register_client_auth_method(
        PrivateKeyJWT(metadata["token_endpoint"], headers={"kid": pair["kid"]}, alg=alg))
    token = session.fetch_token(metadata["token_endpoint"], grant_type="client_credentials")
    assert token["token_type"].lower() == "bearer"
    assert "refresh_token" not in token
    who = me(env.issuer, token["access_token"])
    assert who["kind"] == "app"
    assert who["client_id"] == m2m_app["client_id"]


def test_m2m_app_gets_its_own_token_with_client_secret_basic(env, metadata, m2m_app):
    session = OAuth2Session(m2m_app["client_id"], m2m_app["client_secret"])
    token = session.fetch_token(metadata["token_endpoint"], grant_type="client_credentials")
    assert me(env.issuer, token["access_token"])["kind"] == "app"


# --- JWT-bearer grant (RFC 7523 §2.1) ------------------------------------------------------


def test_m2m_app_acts_for_user_with_jwt_bearer_assertion_session(env, metadata, m2m_app,
                                                                 m2m_keys):
    """authlib's AssertionSession signs the grant assertion and obtains the token itself on
    the first API call; the app authenticates with its client secret (HTTP Basic)."""
    pair = m2m_keys["ES256"]
    session = AssertionSession(
        token_endpoint=metadata["token_endpoint"],
        issuer=m2m_app["client_id"],
        subject=env.username,
        audience=env.issuer,
        scope="openid profile",
        key=private_key(pair),
        header={"alg": "ES256", "kid": pair["kid"]},
    )
    session.auth = (m2m_app["client_id"], m2m_app["client_secret"])  # client_secret_basic
    res = session.get(env.issuer + "/api/v1/me", timeout=10)
    assert res.status_code == 200, res.text
    who = res.json()
    assert who["kind"] == "user"
    assert who["username"] == env.username
    assert who["client_id"] == m2m_app["client_id"]
    assert set(session.token["scope"].split()) == {"openid", "profile"}


@pytest.mark.parametrize("alg", ["RS256", "EdDSA"])
def test_m2m_app_acts_for_user_with_jwt_bearer_and_private_key_jwt(env, metadata, m2m_app,
                                                                   m2m_keys, alg):
    pair = m2m_keys[alg]
    key = private_key(pair)
    session = OAuth2Session(m2m_app["client_id"], key,
                            token_endpoint_auth_method="private_key_jwt")
    session.register_client_auth_method(
        PrivateKeyJWT(metadata["token_endpoint"], headers={"kid": pair["kid"]}, alg=alg))
    assertion = JWTBearerGrant.sign(key, issuer=m2m_app["client_id"],
                                    audience=metadata["token_endpoint"], subject=env.username,
                                    header={"alg": alg, "kid": pair["kid"]})
    token = session.fetch_token(metadata["token_endpoint"], grant_type=JWTBearerGrant.GRANT_TYPE,
                                assertion=assertion, scope="openid profile")
    assert_acts_for_user(env, token, m2m_app["client_id"])
    assert "refresh_token" not in token


def test_jwt_bearer_assertion_is_refused_a_second_time(env, metadata, m2m_app, m2m_keys):
    pair = m2m_keys["ES256"]
    assertion = JWTBearerGrant.sign(private_key(pair), issuer=m2m_app["client_id"],
                                    audience=env.issuer, subject=env.username,
                                    header={"alg": "ES256", "kid": pair["kid"]})
    session = OAuth2Session(m2m_app["client_id"], m2m_app["client_secret"])
    session.fetch_token(metadata["token_endpoint"], grant_type=JWTBearerGrant.GRANT_TYPE,
                        assertion=assertion)
    with pytest.raises(OAuthError) as err:
        session.fetch_token(metadata["token_endpoint"], grant_type=JWTBearerGrant.GRANT_TYPE,
                            assertion=assertion)
    assert err.value.error == "invalid_grant"
