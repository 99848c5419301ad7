-- OAuth2 protocol state: browser sessions, pending interactions, consents, grants and the
-- codes and tokens they issue. Every code and token is stored only as a keyed hash.

CREATE TABLE browser_sessions (
    id_hash    BYTEA PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    auth_time  BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE interactions (
    id           TEXT PRIMARY KEY,
    browser_hash BYTEA NOT NULL,
    client_id    TEXT NOT NULL REFERENCES apps (client_id) ON DELETE CASCADE,
    request      TEXT NOT NULL,
    user_id      TEXT REFERENCES users (id) ON DELETE CASCADE,
    auth_time    BIGINT,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);

CREATE TABLE consents (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id  TEXT NOT NULL REFERENCES apps (client_id) ON DELETE CASCADE,
    scope      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, client_id)
);

-- One authorization of one app by one user (or of an app for itself); every refresh and
-- access token issued under it dies with it.
CREATE TABLE grants (
    id           TEXT PRIMARY KEY,
    user_id      TEXT,
    client_id    TEXT NOT NULL,
    scope        TEXT NOT NULL,
    auth_time    BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL,
    revoked_at   BIGINT
);
CREATE INDEX grants_user_client ON grants (user_id, client_id);
CREATE INDEX grants_client ON grants (client_id);

CREATE TABLE authorization_codes (
    code_hash      BYTEA PRIMARY KEY,
    client_id      TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    redirect_uri   TEXT NOT NULL,
    scope          TEXT NOT NULL,
    code_challenge TEXT,
    nonce          TEXT,
    auth_time      BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    used_at        BIGINT,
    replayed_at    BIGINT,
    grant_id       TEXT
);

CREATE TABLE refresh_tokens (
    token_hash   BYTEA PRIMARY KEY,
    grant_id     TEXT NOT NULL REFERENCES grants (id) ON DELETE CASCADE,
    client_id    TEXT NOT NULL,
    scope        TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL,
    rotated_at   BIGINT
);
CREATE INDEX refresh_tokens_grant ON refresh_tokens (grant_id);

-- RFC 7523 §3: a jti is refused if seen before; kept until the assertion expires.
CREATE TABLE used_assertions (
    client_id  TEXT NOT NULL,
    jti        TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (client_id, jti)
);

-- Access tokens revoked one by one (those of no grant, e.g. client credentials).
CREATE TABLE revoked_access_tokens (
    jti        TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);
