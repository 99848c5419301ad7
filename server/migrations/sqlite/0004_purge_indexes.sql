-- The background purge finds dead rows by these columns; without an index each run would
-- scan the whole table.
CREATE INDEX interactions_expires ON interactions (expires_at);
CREATE INDEX authorization_codes_expires ON authorization_codes (expires_at);
CREATE INDEX browser_sessions_expires ON browser_sessions (expires_at);
CREATE INDEX revoked_access_tokens_expires ON revoked_access_tokens (expires_at);
CREATE INDEX refresh_tokens_rotated ON refresh_tokens (rotated_at);
CREATE INDEX grants_revoked ON grants (revoked_at);
