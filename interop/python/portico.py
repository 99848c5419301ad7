"""Test-side helpers for driving a running `portico serve`: a scripted browser that signs in
and consents through the interaction API (exactly as the console's pages do), and a small
admin API client whose token is obtained by signing in as the bootstrap admin with the
built-in `portico-console` client (authorization code + PKCE).

Nothing here talks to the server through a back door: every request is one a browser, the
console or an integrating app could make.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import requests

TIMEOUT = 10  # seconds, for every HTTP request


@dataclass(frozen=True)
class Env:
    issuer: str
    admin_password: str
    username: str
    password: str
    https_issuer: str | None
    https_metadata_url: str | None

    @staticmethod
    def load() -> "Env":
        def need(name: str) -> str:
            value = os.environ.get(name)
            if not value:
                raise RuntimeError(f"{name} is not set (scripts/interop.sh sets it)")
            return value

        return Env(
            issuer=need("PORTICO_ISSUER").rstrip("/"),
            admin_password=need("PORTICO_ADMIN_PASSWORD"),
            username=need("PORTICO_USER"),
            password=need("PORTICO_USER_PASSWORD"),
            https_issuer=os.environ.get("PORTICO_HTTPS_ISSUER") or None,
            https_metadata_url=os.environ.get("PORTICO_HTTPS_METADATA_URL") or None,
        )


def query(url: str) -> dict[str, str]:
    """The query parameters of `url`, one value each."""
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def pkce_pair() -> tuple[str, str]:
    """RFC 7636 §4.1/§4.2: a verifier and its S256 challenge."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass
class Browser:
    """A user agent with a cookie jar that never follows redirects by itself."""

    issuer: str
    http: requests.Session = field(default_factory=requests.Session)
    pages: list[str] = field(default_factory=list)  # console pages visited, for assertions

    def sign_in(self, authorization_url: str, username: str, password: str,
                decision: str = "allow") -> str:
        """Follows `authorization_url` through sign-in and consent; returns the URL the
        browser is finally sent to at the client (with `code`, `state`, `iss`)."""
        res = self.http.get(authorization_url, allow_redirects=False, timeout=TIMEOUT)
        if res.status_code not in (302, 303):
            raise AssertionError(
                f"authorize answered {res.status_code}, not a redirect: {res.text[:300]}"
            )
        location = res.headers["location"]
        for _ in range(5):
            page = self._console_page(location)
            if page is None:
                return location
            name, interaction = page
            self.pages.append(name)
            if name == "login":
                body = self._post(f"/api/v1/interactions/{interaction}/login",
                                  {"username": username, "password": password})
            elif name == "consent":
                body = self._post(f"/api/v1/interactions/{interaction}/consent",
                                  {"decision": decision})
            else:
                raise AssertionError(f"unexpected console page {location}")
            location = body["redirect_to"]
        raise AssertionError("too many interaction steps")

    def _console_page(self, location: str) -> tuple[str, str] | None:
        """`("login", id)` for `/login?interaction=id` (relative or on the issuer)."""
        url = urljoin(self.issuer + "/", location)
        if not url.startswith(self.issuer + "/"):
            return None
        parts = urlsplit(url)
        interaction = query(url).get("interaction")
        if parts.path in ("/login", "/consent") and interaction:
            return parts.path.lstrip("/"), interaction
        return None

    def _post(self, path: str, body: dict) -> dict:
        # The interaction API accepts only requests from Portico's own origin.
        res = self.http.post(self.issuer + path, json=body,
                             headers={"Origin": self.issuer}, timeout=TIMEOUT)
        if res.status_code != 200:
            raise AssertionError(f"POST {path} answered {res.status_code}: {res.text[:300]}")
        return res.json()


CONSOLE_CLIENT_ID = "portico-console"


def admin_access_token(env: Env) -> str:
    """Signs in as `admin` with the console's own public client (code + PKCE S256)."""
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(16)
    redirect_uri = env.issuer + "/auth/callback"
    url = env.issuer + "/oauth2/authorize?" + urlencode({
        "response_type": "code",
        "client_id": CONSOLE_CLIENT_ID,
        "redirect_uri": redirect_uri,
        "scope": "openid admin",
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    })
    callback = Browser(env.issuer).sign_in(url, "admin", env.admin_password)
    params = query(callback)
    assert params.get("state") == state, callback
    res = requests.post(env.issuer + "/oauth2/token", data={
        "grant_type": "authorization_code",
        "code": params["code"],
        "redirect_uri": redirect_uri,
        "client_id": CONSOLE_CLIENT_ID,
        "code_verifier": verifier,
    }, timeout=TIMEOUT)
    assert res.status_code == 200, res.text
    return res.json()["access_token"]


@dataclass
class Admin:
    """The admin API (`/api/v1`), as the console calls it."""

    issuer: str
    token: str
    created: list[str] = field(default_factory=list)

    def call(self, method: str, path: str, body: dict | None = None,
             expect: int = 200) -> dict:
        res = requests.request(method, self.issuer + "/api/v1" + path, json=body,
                               headers={"Authorization": f"Bearer {self.token}"},
                               timeout=TIMEOUT)
        if res.status_code != expect:
            raise AssertionError(
                f"{method} /api/v1{path} answered {res.status_code}, expected {expect}: "
                f"{res.text[:300]}"
            )
        return res.json() if res.content else {}

    def create_app(self, app_type: str, name: str, **settings) -> dict:
        """Creates an app and applies `settings` with PATCH; returns the 201 body (with
        `client_secret` for web and machine-to-machine apps)."""
        app = self.call("POST", "/apps", {"type": app_type, "name": name}, expect=201)
        self.created.append(app["client_id"])
        if settings:
            self.call("PATCH", f"/apps/{app['client_id']}", settings)
        return app

    def key_pair(self, client_id: str, alg: str) -> dict:
        """A server-generated key pair: `{kid, alg, thumbprint, private_key_pem}`."""
        return self.call("POST", f"/apps/{client_id}/key-pairs", {"alg": alg}, expect=201)

    def delete_created(self) -> None:
        for client_id in self.created:
            requests.delete(self.issuer + f"/api/v1/apps/{client_id}",
                            headers={"Authorization": f"Bearer {self.token}"},
                            timeout=TIMEOUT)
        self.created.clear()


def me(issuer: str, access_token: str) -> dict:
    """`GET /api/v1/me`: whom the access token speaks for."""
    res = requests.get(issuer + "/api/v1/me",
                       headers={"Authorization": f"Bearer {access_token}"}, timeout=TIMEOUT)
    assert res.status_code == 200, f"/api/v1/me answered {res.status_code}: {res.text[:300]}"
    return res.json()
