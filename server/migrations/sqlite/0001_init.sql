-- Portico schema, SQLite. Never edit once applied: add a new migration instead.
-- Times are Unix seconds (INTEGER) so both databases and the test clock agree.
-- Flags are 0/1 integers: sqlx's Any driver does not map SQLite's BOOLEAN.

CREATE TABLE server_secrets (
    name       TEXT PRIMARY KEY,
    value      BLOB NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE signing_keys (
    kid        TEXT PRIMARY KEY,
    alg        TEXT NOT NULL,
    pkcs8      BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    retired_at INTEGER
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    email         TEXT,
    name          TEXT,
    is_admin      INTEGER NOT NULL DEFAULT 0,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);

-- One row that every app creation updates first, so concurrent creations queue and the
-- app limit is checked against a count no one else is changing.
CREATE TABLE app_create_lock (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    ticks BIGINT NOT NULL
);
INSERT INTO app_create_lock (id, ticks) VALUES (1, 0);

CREATE TABLE apps (
    client_id    TEXT PRIMARY KEY,
    app_type     TEXT NOT NULL,
    settings     TEXT NOT NULL,
    builtin      INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    logo_version INTEGER
);

CREATE TABLE client_secrets (
    id           TEXT PRIMARY KEY,
    client_id    TEXT NOT NULL REFERENCES apps (client_id) ON DELETE CASCADE,
    secret_hash  BLOB NOT NULL,
    hint         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER
);
CREATE INDEX client_secrets_client ON client_secrets (client_id);

CREATE TABLE app_public_keys (
    client_id  TEXT NOT NULL REFERENCES apps (client_id) ON DELETE CASCADE,
    kid        TEXT NOT NULL,
    alg        TEXT NOT NULL,
    thumbprint TEXT NOT NULL,
    jwk        TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (client_id, kid)
);

CREATE TABLE app_logos (
    client_id    TEXT PRIMARY KEY REFERENCES apps (client_id) ON DELETE CASCADE,
    content_type TEXT NOT NULL,
    bytes        BLOB NOT NULL,
    updated_at   INTEGER NOT NULL
);

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    client_id TEXT,
    detail    TEXT NOT NULL
);
