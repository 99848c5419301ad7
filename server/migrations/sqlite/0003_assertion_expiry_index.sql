-- Purging expired jti entries must not scan the table (private_key_jwt checks every request).
CREATE INDEX used_assertions_expires ON used_assertions (expires_at);
