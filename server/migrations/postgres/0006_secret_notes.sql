-- An administrator's note on each client secret (what uses it), at most 64 characters
-- (checked by the admin API); empty for the secrets made before notes existed.
ALTER TABLE client_secrets ADD COLUMN note TEXT NOT NULL DEFAULT '';
