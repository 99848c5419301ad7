-- The audit log records end users' events and the server's own protective events besides
-- administrators' changes: each entry has a kind, decided by its action. Entries written
-- before this were administrators' changes, but for the two events the server noticed.
ALTER TABLE audit_log ADD COLUMN kind TEXT NOT NULL DEFAULT 'admin';
UPDATE audit_log SET kind = 'security' WHERE action IN ('signin.lockout', 'refresh.reuse_detected');
-- The log is filtered by kind (and purged by kind and time), by app and by actor, newest first.
CREATE INDEX audit_log_kind ON audit_log (kind, at);
CREATE INDEX audit_log_client ON audit_log (client_id, id);
CREATE INDEX audit_log_actor ON audit_log (actor, id);
