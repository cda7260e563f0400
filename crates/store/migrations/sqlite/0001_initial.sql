-- Waymark's first schema. Every row belongs to an organisation (a council). History is
-- append-only: activities change by adding versions, returns are never updated in place.

CREATE TABLE organisations (
    id          INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- Every imported file, identified by the hash of its parsed content so importing it twice
-- (even re-saved with other line endings) adds nothing.
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

-- Plan content from the latest corporate plan, principles page and strategies; each row
-- names the document it came from.
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

-- Each imported action plan is a revision of the plan.
CREATE TABLE plan_revisions (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organisations(id),
    document_id   INTEGER NOT NULL REFERENCES documents(id),
    title         TEXT NOT NULL,
    last_updated  TEXT,
    recorded_at   TEXT NOT NULL
);

-- An activity's identity. Its reference arrives when a report is linked to it.
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

-- What an activity says in each plan revision (append-only). removed = 1 when a revision
-- dropped it.
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
-- Lookups of an activity's latest version go by activity id alone.
CREATE INDEX activity_versions_by_activity ON activity_versions (activity_id, id);

-- Every name an activity has been known by, with the document that used it.
CREATE TABLE activity_names (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organisations(id),
    activity_id  INTEGER NOT NULL REFERENCES activities(id),
    title        TEXT NOT NULL,
    document_id  INTEGER NOT NULL REFERENCES documents(id),
    recorded_at  TEXT NOT NULL
);
CREATE INDEX activity_names_by_activity ON activity_names (activity_id, id);

-- What changed between plan revisions.
CREATE TABLE plan_changes (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organisations(id),
    revision_id  INTEGER NOT NULL REFERENCES plan_revisions(id),
    activity_id  INTEGER NOT NULL REFERENCES activities(id),
    change       TEXT NOT NULL,
    detail       TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);

-- Returns (updates): an activity's status for a period. Never updated in place. Rows that
-- repeat an earlier row of the same document are kept (nothing is lost) and marked.
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
);
CREATE INDEX updates_by_period ON updates (org_id, period, document_id, id);
CREATE INDEX updates_by_activity ON updates (activity_id, id);
CREATE INDEX activities_by_org ON activities (org_id, id);

-- Reconciliation decisions made when a report was imported.
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
CREATE INDEX links_by_period ON links (org_id, period, document_id, id);
CREATE INDEX links_by_reference ON links (org_id, reference, id);

-- Published claims ("83% … complete or on track"), kept to be recomputed.
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
    recorded_at  TEXT NOT NULL,
    UNIQUE (org_id, reference)
);

-- Indicator values per financial year (outturns) or period; append-only.
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
);
CREATE INDEX indicator_values_by_indicator ON indicator_values (indicator_id, year, id);

-- A council's settings (e.g. its headline rule), append-only: the newest value of a key wins,
-- and older values show what applied on an earlier date.
CREATE TABLE settings (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organisations(id),
    key          TEXT NOT NULL,
    value_json   TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX settings_by_key ON settings (org_id, key, id);

-- Which plan outcomes an activity delivers. Append-only: the newest set for an activity wins.
CREATE TABLE activity_outcomes (
    id             INTEGER PRIMARY KEY,
    org_id         INTEGER NOT NULL REFERENCES organisations(id),
    activity_id    INTEGER NOT NULL REFERENCES activities(id),
    outcomes_json  TEXT NOT NULL,
    recorded_at    TEXT NOT NULL
);
CREATE INDEX activity_outcomes_by_activity ON activity_outcomes (activity_id, id);
