-- Indexes for a database shared by hundreds of councils: every read by council starts with
-- org_id, so no read scans other councils' rows.
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

-- Each council's status counts per period (returns standing, repeated rows counted once),
-- refreshed by every write that changes a period's returns, in the same transaction. Derived
-- data, kept so every council's headline for a period is read without reading 60,000 returns.
CREATE TABLE period_summaries (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organisations(id),
    period        TEXT NOT NULL,
    total         INTEGER NOT NULL,
    counts_json   TEXT NOT NULL,
    refreshed_at  TEXT NOT NULL,
    UNIQUE (org_id, period)
);
CREATE INDEX period_summaries_by_period ON period_summaries (period, org_id);
-- An activity's newest period, for activity lists with latest statuses.
CREATE INDEX updates_by_org_activity ON updates (org_id, activity_id, period);
