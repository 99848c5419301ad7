"""Fixtures: the running server's coordinates (from scripts/interop.sh), an admin API client,
and one app of each type registered through the admin API. Apps are deleted at the end so a
server can host both suites (Portico keeps at most 10 apps)."""

from __future__ import annotations

import pytest

from portico import Admin, Env, admin_access_token

REDIRECT_URI = "http://127.0.0.1:9/authlib/cb"  # the browser never really goes there


@pytest.fixture(scope="session")
def env() -> Env:
    return Env.load()


@pytest.fixture(scope="session")
def metadata(env):
    import requests

    res = requests.get(env.issuer + "/.well-known/oauth-authorization-server", timeout=10)
    assert res.status_code == 200, res.text
    return res.json()


@pytest.fixture(scope="session")
def admin(env):
    api = Admin(env.issuer, admin_access_token(env))
    yield api
    api.delete_created()


@pytest.fixture(scope="session")
def web_app(admin):
    """A web application (confidential, code flow) that rotates refresh tokens."""
    return admin.create_app("web", "authlib web", redirect_uris=[REDIRECT_URI],
                            rotate_refresh_token=True)


@pytest.fixture(scope="session")
def spa_app(admin):
    """A single-page application (public client: PKCE, no secret)."""
    return admin.create_app("single_page", "authlib spa", redirect_uris=[REDIRECT_URI],
                            rotate_refresh_token=True)


@pytest.fixture(scope="session")
def m2m_app(admin, env):
    """A machine-to-machine app with a client secret (from creation), allowed by the admin to
    act as the end user in the JWT-bearer grant (`jwt_bearer_users`; empty by default)."""
    return admin.create_app("machine_to_machine", "authlib m2m", jwt_bearer_users=[env.username])


@pytest.fixture(scope="session")
def m2m_keys(admin, m2m_app):
    """One server-generated key pair per algorithm Portico supports, registered on the
    machine-to-machine app: {alg: {kid, alg, thumbprint, private_key_pem}}."""
    return {alg: admin.key_pair(m2m_app["client_id"], alg) for alg in ("ES256", "RS256", "EdDSA")}
