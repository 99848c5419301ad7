-- Abuse-limit counters shared by every copy (used on PostgreSQL, where copies share the
-- database; a single SQLite process counts in memory). One row per limiter and key: the
-- failures judged and the attempts reserved but not yet judged in the current window.
CREATE TABLE attempt_windows (
    limiter TEXT NOT NULL,
    attempt_key TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0,
    pending INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (limiter, attempt_key)
);
CREATE INDEX attempt_windows_start ON attempt_windows (window_start);
