-- What a sign-in or an upload leaves waiting between two requests, kept in the database so any
-- of several servers behind one address can take the next request. Rows expire; tokens are
-- stored as SHA-256 hashes, never as sent.

-- A file uploaded on the staff site and previewed, waiting for its uploader to confirm it.
-- `content` is the file's bytes in base64; `mapping` what the admin said of it, as TOML.
CREATE TABLE pending_uploads (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organisations(id),
    user_id      INTEGER NOT NULL REFERENCES users(id),
    token_hash   TEXT NOT NULL UNIQUE,
    file_name    TEXT NOT NULL,
    content      TEXT NOT NULL,
    mapping      TEXT NOT NULL,
    shape        TEXT,
    remembered   INTEGER NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX pending_uploads_by_expiry ON pending_uploads (expires_at);

-- A single sign-on begun: what the identity provider's callback must match.
CREATE TABLE sso_states (
    id           INTEGER PRIMARY KEY,
    state_hash   TEXT NOT NULL UNIQUE,
    nonce        TEXT NOT NULL,
    verifier     TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX sso_states_by_expiry ON sso_states (expires_at);
