-- A counter per council, raised in the transaction of every write that changes what the
-- council's public pages show. The web server reads it before answering, so a page it keeps
-- rendered is never older than the last write that finished.
CREATE TABLE data_versions (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organisations(id),
    version     INTEGER NOT NULL,
    changed_at  TEXT NOT NULL,
    UNIQUE (org_id)
);
INSERT INTO data_versions (org_id, version, changed_at)
    SELECT id, 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM organisations;
