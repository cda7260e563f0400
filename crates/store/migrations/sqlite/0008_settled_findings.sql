-- A person's word that a data-quality finding has been dealt with, so the staff site's list of
-- what needs a person stops showing it. Append-only; `period` is '' for a finding about no
-- period. The audit trail records who settled what.
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
CREATE INDEX settled_findings_by_period ON settled_findings (org_id, period, id);
