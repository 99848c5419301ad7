-- An app's users (GET /api/v1/apps/{client_id}/grants) are its consents, listed and counted
-- by app, newest first: the primary key (user_id, client_id) cannot serve that.
CREATE INDEX consents_by_app ON consents (client_id, created_at);
