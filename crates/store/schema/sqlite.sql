-- The SQLite schema after migrations 1 to 9, applied in one transaction to a new,
-- empty database file (see Store::open). Made by the store's schema test from
-- migrations/sqlite; do not edit. After adding a migration, run
-- WAYMARK_WRITE_SCHEMA=1 cargo test -p waymark-store --test schema
-- and set SQLITE_SCHEMA_VERSION in src/lib.rs to 9.

CREATE TABLE _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    success BOOLEAN NOT NULL,
    checksum BLOB NOT NULL,
    execution_time BIGINT NOT NULL
);

CREATE TABLE organisations (
    id          INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE documents (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organisations(id),
    kind         TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    byte_len     INTEGER NOT NULL,
    title        TEXT NOT NULL,
    body_json    TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    UNIQUE (org_id, sha256)
);

CREATE TABLE directorates (
    id        INTEGER PRIMARY KEY,
    org_id    INTEGER NOT NULL REFERENCES organisations(id),
    name      TEXT NOT NULL,
    fold_key  TEXT NOT NULL,
    UNIQUE (org_id, fold_key)
);

CREATE TABLE portfolios (
    id        INTEGER PRIMARY KEY,
    org_id    INTEGER NOT NULL REFERENCES organisations(id),
    name      TEXT NOT NULL,
    fold_key  TEXT NOT NULL,
    UNIQUE (org_id, fold_key)
);

CREATE TABLE themes (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organisations(id),
    document_id  INTEGER NOT NULL REFERENCES documents(id),
    number       INTEGER NOT NULL,
    title        TEXT NOT NULL,
    summary      TEXT NOT NULL,
    line         INTEGER NOT NULL
);

CREATE TABLE outcomes (
    id              INTEGER PRIMARY KEY,
    org_id          INTEGER NOT NULL REFERENCES organisations(id),
    theme_id        INTEGER NOT NULL REFERENCES themes(id),
    number          INTEGER NOT NULL,
    title           TEXT NOT NULL,
    narrative_json  TEXT NOT NULL,
    line            INTEGER NOT NULL
);

CREATE TABLE principles (
    id                INTEGER PRIMARY KEY,
    org_id            INTEGER NOT NULL REFERENCES organisations(id),
    document_id       INTEGER NOT NULL REFERENCES documents(id),
    position          INTEGER NOT NULL,
    title             TEXT NOT NULL,
    explanation_json  TEXT NOT NULL
);

CREATE TABLE plan_values (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organisations(id),
    document_id  INTEGER NOT NULL REFERENCES documents(id),
    position     INTEGER NOT NULL,
    title        TEXT NOT NULL
);

CREATE TABLE strategies (
    id               INTEGER PRIMARY KEY,
    org_id           INTEGER NOT NULL REFERENCES organisations(id),
    document_id      INTEGER NOT NULL REFERENCES documents(id),
    title            TEXT NOT NULL,
    paragraphs_json  TEXT NOT NULL
);

CREATE TABLE plan_revisions (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organisations(id),
    document_id   INTEGER NOT NULL REFERENCES documents(id),
    title         TEXT NOT NULL,
    last_updated  TEXT,
    recorded_at   TEXT NOT NULL
);

CREATE TABLE activities (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organisations(id),
    reference    TEXT,
    origin       TEXT NOT NULL CHECK (origin IN ('plan', 'report')),
    -- Set when a person confirms that this report-only activity is a plan activity.
    merged_into  INTEGER REFERENCES activities(id),
    recorded_at  TEXT NOT NULL,
    UNIQUE (org_id, reference)
);

CREATE TABLE activity_versions (
    id               INTEGER PRIMARY KEY,
    org_id           INTEGER NOT NULL REFERENCES organisations(id),
    activity_id      INTEGER NOT NULL REFERENCES activities(id),
    revision_id      INTEGER REFERENCES plan_revisions(id),
    document_id      INTEGER NOT NULL REFERENCES documents(id),
    line             INTEGER,
    title            TEXT NOT NULL,
    directorate_id   INTEGER NOT NULL REFERENCES directorates(id),
    portfolios_json  TEXT NOT NULL,
    due_json         TEXT,
    due_deadline     TEXT,
    status_note      TEXT,
    removed          INTEGER NOT NULL DEFAULT 0,
    recorded_at      TEXT NOT NULL
);

CREATE TABLE activity_names (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organisations(id),
    activity_id  INTEGER NOT NULL REFERENCES activities(id),
    title        TEXT NOT NULL,
    document_id  INTEGER NOT NULL REFERENCES documents(id),
    recorded_at  TEXT NOT NULL
);

CREATE TABLE plan_changes (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organisations(id),
    revision_id  INTEGER NOT NULL REFERENCES plan_revisions(id),
    activity_id  INTEGER NOT NULL REFERENCES activities(id),
    change       TEXT NOT NULL,
    detail       TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);

CREATE TABLE updates (
    id                INTEGER PRIMARY KEY,
    org_id            INTEGER NOT NULL REFERENCES organisations(id),
    activity_id       INTEGER NOT NULL REFERENCES activities(id),
    period            TEXT NOT NULL,
    reference         TEXT NOT NULL,
    title             TEXT NOT NULL,
    directorate_id    INTEGER NOT NULL REFERENCES directorates(id),
    status            TEXT NOT NULL,
    status_label      TEXT NOT NULL,
    note              TEXT,
    review_state      TEXT NOT NULL DEFAULT 'approved',
    document_id       INTEGER REFERENCES documents(id),
    line              INTEGER,
    position          INTEGER NOT NULL,
    recorded_at       TEXT NOT NULL
, corrective_action TEXT, reason TEXT, evidence_json TEXT, return_version_id INTEGER REFERENCES return_versions(id), extras_json TEXT, place TEXT);

CREATE TABLE links (
    id                  INTEGER PRIMARY KEY,
    org_id              INTEGER NOT NULL REFERENCES organisations(id),
    document_id         INTEGER NOT NULL REFERENCES documents(id),
    period              TEXT NOT NULL,
    reference           TEXT,
    report_title        TEXT,
    report_directorate  TEXT,
    line                INTEGER,
    activity_id         INTEGER REFERENCES activities(id),
    plan_title          TEXT,
    plan_directorate    TEXT,
    score               REAL NOT NULL,
    decision            TEXT NOT NULL CHECK (decision IN ('linked', 'review', 'unmatched')),
    -- Set when a person accepted or rejected a suggested link.
    decided_at          TEXT,
    recorded_at         TEXT NOT NULL
);

CREATE TABLE claims (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organisations(id),
    document_id  INTEGER NOT NULL REFERENCES documents(id),
    period       TEXT NOT NULL,
    line         INTEGER NOT NULL,
    text         TEXT NOT NULL,
    claim_json   TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);

CREATE TABLE indicators (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organisations(id),
    reference    TEXT NOT NULL,
    name         TEXT NOT NULL,
    frequency    TEXT NOT NULL,
    section      TEXT,
    recorded_at  TEXT NOT NULL, retired_at TEXT,
    UNIQUE (org_id, reference)
);

CREATE TABLE indicator_values (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organisations(id),
    indicator_id  INTEGER NOT NULL REFERENCES indicators(id),
    year          INTEGER NOT NULL,
    text          TEXT NOT NULL,
    value         REAL,
    unit          TEXT,
    rag           TEXT,
    direction     TEXT,
    document_id   INTEGER NOT NULL REFERENCES documents(id),
    line          INTEGER NOT NULL,
    recorded_at   TEXT NOT NULL
, period TEXT, entry_id INTEGER REFERENCES indicator_entries(id), label TEXT, target TEXT, rag_label TEXT, polarity TEXT, extras_json TEXT, place TEXT);

CREATE TABLE settings (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organisations(id),
    key          TEXT NOT NULL,
    value_json   TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);

CREATE TABLE activity_outcomes (
    id             INTEGER PRIMARY KEY,
    org_id         INTEGER NOT NULL REFERENCES organisations(id),
    activity_id    INTEGER NOT NULL REFERENCES activities(id),
    outcomes_json  TEXT NOT NULL,
    recorded_at    TEXT NOT NULL
);

CREATE TABLE period_summaries (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organisations(id),
    period        TEXT NOT NULL,
    total         INTEGER NOT NULL,
    counts_json   TEXT NOT NULL,
    refreshed_at  TEXT NOT NULL,
    UNIQUE (org_id, period)
);

CREATE TABLE data_versions (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organisations(id),
    version     INTEGER NOT NULL,
    changed_at  TEXT NOT NULL,
    UNIQUE (org_id)
);

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
    hash         TEXT NOT NULL, row_ref TEXT, row_hash TEXT, mac TEXT,
    UNIQUE (seq)
);

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

CREATE TABLE assignments (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organisations(id),
    cycle_id     INTEGER NOT NULL REFERENCES cycles(id),
    activity_id  INTEGER NOT NULL REFERENCES activities(id),
    owner_id     INTEGER NOT NULL REFERENCES users(id),
    assigned_at  TEXT NOT NULL,
    UNIQUE (cycle_id, activity_id)
);

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

CREATE TABLE outcome_suggestions (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organisations(id),
    activity_id   INTEGER NOT NULL REFERENCES activities(id),
    outcome       INTEGER NOT NULL,
    score         REAL NOT NULL,
    ranking       INTEGER NOT NULL,
    state         TEXT NOT NULL,
    decided_by    TEXT,
    recorded_at   TEXT NOT NULL
);

CREATE TABLE settled_findings (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organisations(id),
    period       TEXT NOT NULL,
    code         TEXT NOT NULL,
    subject      TEXT NOT NULL,
    note         TEXT NOT NULL,
    settled_by   TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);

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

CREATE TABLE sso_states (
    id           INTEGER PRIMARY KEY,
    state_hash   TEXT NOT NULL UNIQUE,
    nonce        TEXT NOT NULL,
    verifier     TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);

CREATE INDEX activity_versions_by_activity ON activity_versions (activity_id, id);

CREATE INDEX activity_names_by_activity ON activity_names (activity_id, id);

CREATE INDEX updates_by_period ON updates (org_id, period, document_id, id);

CREATE INDEX updates_by_activity ON updates (activity_id, id);

CREATE INDEX activities_by_org ON activities (org_id, id);

CREATE INDEX links_by_period ON links (org_id, period, document_id, id);

CREATE INDEX links_by_reference ON links (org_id, reference, id);

CREATE INDEX indicator_values_by_indicator ON indicator_values (indicator_id, year, id);

CREATE INDEX settings_by_key ON settings (org_id, key, id);

CREATE INDEX activity_outcomes_by_activity ON activity_outcomes (activity_id, id);

CREATE INDEX activity_names_by_org ON activity_names (org_id, id);

CREATE INDEX claims_by_period ON claims (org_id, period, document_id);

CREATE INDEX plan_changes_by_org ON plan_changes (org_id, id);

CREATE INDEX plan_revisions_by_org ON plan_revisions (org_id, id);

CREATE INDEX activity_outcomes_by_org ON activity_outcomes (org_id, id);

CREATE INDEX documents_by_kind ON documents (org_id, kind, id);

CREATE INDEX themes_by_document ON themes (org_id, document_id);

CREATE INDEX outcomes_by_theme ON outcomes (theme_id);

CREATE INDEX principles_by_document ON principles (org_id, document_id);

CREATE INDEX plan_values_by_document ON plan_values (org_id, document_id);

CREATE INDEX strategies_by_org ON strategies (org_id, id);

CREATE INDEX period_summaries_by_period ON period_summaries (period, org_id);

CREATE INDEX updates_by_org_activity ON updates (org_id, activity_id, period);

CREATE INDEX users_by_org ON users (org_id, id);

CREATE INDEX sessions_by_user ON sessions (user_id, id);

CREATE INDEX audit_events_by_org ON audit_events (org_id, seq);

CREATE INDEX assignments_by_owner ON assignments (owner_id, cycle_id);

CREATE INDEX indicator_settings_by_indicator ON indicator_settings (indicator_id, id);

CREATE INDEX login_attempts_by_email ON login_attempts (email, minute);

CREATE INDEX login_attempts_by_client ON login_attempts (client, minute);

CREATE INDEX login_attempts_by_minute ON login_attempts (minute);

CREATE INDEX audit_events_by_row ON audit_events (row_ref, seq);

CREATE INDEX outcome_suggestions_by_org ON outcome_suggestions (org_id, activity_id, id);

CREATE INDEX settled_findings_by_period ON settled_findings (org_id, period, id);

CREATE INDEX pending_uploads_by_expiry ON pending_uploads (expires_at);

CREATE INDEX sso_states_by_expiry ON sso_states (expires_at);

CREATE TRIGGER audit_events_append_only BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
