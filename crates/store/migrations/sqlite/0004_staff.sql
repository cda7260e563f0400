-- The staff site: people who sign in, their sessions, the quarterly return workflow and the
-- audit trail. Public pages read none of these tables: a return reaches `updates` (and so the
-- public site) only when an admin publishes its period.

-- A person who signs in. Each belongs to one council; an e-mail address names one person in
-- the whole database, so signing in needs no council. `role` is one of the workflow's roles;
-- a director approves for one directorate.
CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    org_id          INTEGER NOT NULL REFERENCES organisations(id),
    email           TEXT NOT NULL,
    name            TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('admin', 'director', 'owner', 'reader')),
    directorate_id  INTEGER REFERENCES directorates(id),
    -- Argon2id in PHC string form; NULL until the person sets a password (or signs in only
    -- through the council's identity provider).
    password_hash   TEXT,
    -- "issuer subject" of the person's single sign-on identity, once linked.
    oidc_subject    TEXT,
    active          INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (email),
    UNIQUE (oidc_subject)
);
CREATE INDEX users_by_org ON users (org_id, id);

-- One-time links to set (or reset) a password. Only a hash of the token is kept.
CREATE TABLE setup_tokens (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organisations(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    token_hash  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT,
    UNIQUE (token_hash)
);

-- Signed-in sessions. The cookie holds a random token; only its hash is kept, so a copy of
-- the database cannot be used to sign in. Ended sessions are kept (ended_at, end_reason).
CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organisations(id),
    user_id       INTEGER NOT NULL REFERENCES users(id),
    token_hash    TEXT NOT NULL,
    csrf_token    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    ended_at      TEXT,
    end_reason    TEXT,
    UNIQUE (token_hash)
);
CREATE INDEX sessions_by_user ON sessions (user_id, id);

-- Every sign-in attempt by e-mail address (known or not), for throttling.
CREATE TABLE login_attempts (
    id          INTEGER PRIMARY KEY,
    email       TEXT NOT NULL,
    succeeded   INTEGER NOT NULL,
    client      TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX login_attempts_by_email ON login_attempts (email, at);

-- The audit trail: every change, who made it, when, and what it was before and after.
-- Append-only and hash-chained: each row's hash covers its content and the previous row's
-- hash, so changing or removing a row breaks the chain (`waymark audit verify`).
CREATE TABLE audit_events (
    id           INTEGER PRIMARY KEY,
    seq          INTEGER NOT NULL,
    org_id       INTEGER REFERENCES organisations(id),
    at           TEXT NOT NULL,
    actor_id     INTEGER REFERENCES users(id),
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    subject      TEXT NOT NULL,
    before_json  TEXT,
    after_json   TEXT,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL,
    UNIQUE (seq)
);
CREATE INDEX audit_events_by_org ON audit_events (org_id, seq);
CREATE TRIGGER audit_events_append_only BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;

-- A reporting period's cycle: opened by an admin, locked, published (and reopened for
-- corrections). `revision` rises with every change, so two admins acting at once are told.
CREATE TABLE cycles (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organisations(id),
    period        TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('open', 'locked', 'published')),
    deadline      TEXT NOT NULL,
    revision      INTEGER NOT NULL,
    opened_at     TEXT NOT NULL,
    changed_at    TEXT NOT NULL,
    published_at  TEXT,
    UNIQUE (org_id, period)
);

-- Who answers for each activity in a cycle.
CREATE TABLE assignments (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organisations(id),
    cycle_id     INTEGER NOT NULL REFERENCES cycles(id),
    activity_id  INTEGER NOT NULL REFERENCES activities(id),
    owner_id     INTEGER NOT NULL REFERENCES users(id),
    assigned_at  TEXT NOT NULL,
    UNIQUE (cycle_id, activity_id)
);
CREATE INDEX assignments_by_owner ON assignments (owner_id, cycle_id);

-- A return in the workflow: where it stands now. `revision` rises with every change; a
-- change made against an older revision is refused as a conflict, never applied over it.
CREATE TABLE staff_returns (
    id                  INTEGER PRIMARY KEY,
    org_id              INTEGER NOT NULL REFERENCES organisations(id),
    cycle_id            INTEGER NOT NULL REFERENCES cycles(id),
    activity_id         INTEGER NOT NULL REFERENCES activities(id),
    state               TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'returned', 'approved')),
    revision            INTEGER NOT NULL,
    -- The revision last published, if any.
    published_revision  INTEGER,
    updated_at          TEXT NOT NULL,
    UNIQUE (cycle_id, activity_id)
);

-- Every revision of every return, never changed: the content as it stood, the action that
-- made the revision, who took it and any reviewer's comment.
CREATE TABLE return_versions (
    id                 INTEGER PRIMARY KEY,
    org_id             INTEGER NOT NULL REFERENCES organisations(id),
    return_id          INTEGER NOT NULL REFERENCES staff_returns(id),
    revision           INTEGER NOT NULL,
    action             TEXT NOT NULL,
    state              TEXT NOT NULL,
    status             TEXT NOT NULL,
    commentary         TEXT NOT NULL,
    corrective_action  TEXT NOT NULL,
    reason             TEXT NOT NULL,
    evidence_json      TEXT NOT NULL,
    review_comment     TEXT,
    actor_id           INTEGER NOT NULL REFERENCES users(id),
    author_id          INTEGER NOT NULL REFERENCES users(id),
    at                 TEXT NOT NULL,
    UNIQUE (return_id, revision)
);

-- Reminder e-mails sent: at most one of each kind a day to each person for each period.
CREATE TABLE reminders_sent (
    id         INTEGER PRIMARY KEY,
    org_id     INTEGER NOT NULL REFERENCES organisations(id),
    user_id    INTEGER NOT NULL REFERENCES users(id),
    cycle_id   INTEGER NOT NULL REFERENCES cycles(id),
    kind       TEXT NOT NULL,
    sent_on    TEXT NOT NULL,
    items      INTEGER NOT NULL,
    at         TEXT NOT NULL,
    UNIQUE (user_id, cycle_id, kind, sent_on)
);

-- How each indicator is judged and who enters its values. Append-only: the newest row for an
-- indicator stands, older rows show what applied before.
CREATE TABLE indicator_settings (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organisations(id),
    indicator_id INTEGER NOT NULL REFERENCES indicators(id),
    polarity     TEXT NOT NULL,
    target       REAL,
    rules_json   TEXT NOT NULL,
    owner_id     INTEGER REFERENCES users(id),
    actor_id     INTEGER NOT NULL REFERENCES users(id),
    recorded_at  TEXT NOT NULL
);
CREATE INDEX indicator_settings_by_indicator ON indicator_settings (indicator_id, id);

-- Indicator values entered for a period in the workflow. Append-only: a correction is a new
-- row; the newest for an indicator and period stands and is what publication makes public.
CREATE TABLE indicator_entries (
    id               INTEGER PRIMARY KEY,
    org_id           INTEGER NOT NULL REFERENCES organisations(id),
    indicator_id     INTEGER NOT NULL REFERENCES indicators(id),
    cycle_id         INTEGER NOT NULL REFERENCES cycles(id),
    revision         INTEGER NOT NULL,
    text             TEXT NOT NULL,
    value            REAL NOT NULL,
    unit             TEXT NOT NULL,
    computed_rag     TEXT,
    override_rag     TEXT,
    override_reason  TEXT NOT NULL,
    direction        TEXT,
    note             TEXT NOT NULL,
    author_id        INTEGER NOT NULL REFERENCES users(id),
    recorded_at      TEXT NOT NULL,
    UNIQUE (indicator_id, cycle_id, revision)
);

-- A published return carries what the workflow collected beyond its commentary, and the
-- revision it was published from.
ALTER TABLE updates ADD COLUMN corrective_action TEXT;
ALTER TABLE updates ADD COLUMN reason TEXT;
ALTER TABLE updates ADD COLUMN evidence_json TEXT;
ALTER TABLE updates ADD COLUMN return_version_id INTEGER REFERENCES return_versions(id);

-- An indicator value made public by a publication carries its period and the entry it came from.
ALTER TABLE indicator_values ADD COLUMN period TEXT;
ALTER TABLE indicator_values ADD COLUMN entry_id INTEGER REFERENCES indicator_entries(id);

-- An indicator the performance team has retired: kept with its history, no longer collected.
ALTER TABLE indicators ADD COLUMN retired_at TEXT;
