-- Portico schema, PostgreSQL. Never edit once applied: add a new migration instead.
-- Times are Unix seconds (INTEGER) so both databases and the test clock agree.
-- Flags are 0/1 integers: sqlx's Any driver does not map SQLite's BOOLEAN.

CREATE TABLE server_secrets (
    name       TEXT PRIMARY KEY,
    value      BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE signing_keys (
    kid        TEXT PRIMARY KEY,
    alg        TEXT NOT NULL,
    pkcs8      BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    retired_at BIGINT
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    email         TEXT,
    name          TEXT,
    is_admin      BIGINT NOT NULL DEFAULT 0,
    disabled      BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL
);

-- One row that every app creation updates first, so concurrent creations queue and the
-- app limit is checked against a count no one else is changing.
CREATE TABLE app_create_lock (
    id    BIGINT PRIMARY KEY CHECK (id = 1),
    ticks BIGINT NOT NULL
);
INSERT INTO app_create_lock (id, ticks) VALUES (1, 0);

CREATE TABLE apps (
    client_id    TEXT PRIMARY KEY,
    app_type     TEXT NOT NULL,
    settings     TEXT NOT NULL,
    builtin      BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    logo_version BIGINT
);

CREATE TABLE client_secrets (
    id           TEXT PRIMARY KEY,
    client_id    TEXT NOT NULL REFERENCES apps (client_id) ON DELETE CASCADE,
    secret_hash  BYTEA NOT NULL,
    hint         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX client_secrets_client ON client_secrets (client_id);

CREATE TABLE app_public_keys (
    client_id  TEXT NOT NULL REFERENCES apps (client_id) ON DELETE CASCADE,
    kid        TEXT NOT NULL,
    alg        TEXT NOT NULL,
    thumbprint TEXT NOT NULL,
    jwk        TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (client_id, kid)
);

CREATE TABLE app_logos (
    client_id    TEXT PRIMARY KEY REFERENCES apps (client_id) ON DELETE CASCADE,
    content_type TEXT NOT NULL,
    bytes        BYTEA NOT NULL,
    updated_at   BIGINT NOT NULL
);

CREATE TABLE audit_log (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        BIGINT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    client_id TEXT,
    detail    TEXT NOT NULL
);
