-- Outcomes suggested for activities from the plan's own words (waymark_domain::outcome_suggest),
-- kept apart from the links people make (activity_outcomes). Append-only: the newest row of an
-- activity and outcome stands. state: 'suggested' (confident: published and counted as a
-- suggested link until a person decides), 'waiting' (the best outcome, for a person to decide),
-- 'alternative' (ranked lower), 'withdrawn' (a later run no longer ranks it), 'confirmed' or
-- 'rejected' (by decided_by; a rejected outcome is never suggested again for the activity).
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
CREATE INDEX outcome_suggestions_by_org ON outcome_suggestions (org_id, activity_id, id);
