-- Sign-in throttling state and a sealed audit trail.

-- Throttling state, not the audit trail: one row counts the refusals of one kind of attempt
-- (a sign-in, a set-up link, a single sign-on callback) for one address from one client
-- within one minute, so a stream of guesses adds to a counter instead of a row each. The
-- decision to check a password and the count it adds are one write, so parallel guesses
-- cannot pass the limit. Rows older than a day are pruned. `email` is '' where an attempt
-- names no address (and '*' for refusals counted against a client over its limit).
DROP TABLE login_attempts;
CREATE TABLE login_attempts (
    id        INTEGER PRIMARY KEY,
    kind      TEXT NOT NULL,
    email     TEXT NOT NULL,
    client    TEXT NOT NULL,
    minute    TEXT NOT NULL,
    failures  INTEGER NOT NULL,
    last_at   TEXT NOT NULL,
    UNIQUE (kind, email, client, minute)
);
CREATE INDEX login_attempts_by_email ON login_attempts (email, minute);
CREATE INDEX login_attempts_by_client ON login_attempts (client, minute);
CREATE INDEX login_attempts_by_minute ON login_attempts (minute);

-- The audit trail is sealed with a key held outside the database: `mac` is an HMAC of the
-- event's hash under the council's audit key (NULL for events written before a key was set).
-- An event that records a data row (a return version, an indicator entry, a plan revision,
-- an account) names it (`row_ref`, "table id") and carries the hash of its content
-- (`row_hash`), so a direct edit of that row is detected by `waymark audit verify`.
ALTER TABLE audit_events ADD COLUMN row_ref TEXT;
ALTER TABLE audit_events ADD COLUMN row_hash TEXT;
ALTER TABLE audit_events ADD COLUMN mac TEXT;
CREATE INDEX audit_events_by_row ON audit_events (row_ref, seq);

-- Deleting events is refused as editing them is (a whole-database restore lifts this inside
-- its own transaction).
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
