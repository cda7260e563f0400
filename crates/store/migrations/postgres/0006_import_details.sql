-- What imported documents say beyond the fields Waymark had: where each row came from (a
-- sheet and row), the labels kept as written, and for indicator values the column they
-- were in, the target they were measured against and the rating as the council wrote it.
ALTER TABLE updates ADD COLUMN extras_json TEXT COLLATE "C";
ALTER TABLE updates ADD COLUMN place TEXT COLLATE "C";
ALTER TABLE indicator_values ADD COLUMN label TEXT COLLATE "C";
ALTER TABLE indicator_values ADD COLUMN target TEXT COLLATE "C";
ALTER TABLE indicator_values ADD COLUMN rag_label TEXT COLLATE "C";
ALTER TABLE indicator_values ADD COLUMN polarity TEXT COLLATE "C";
ALTER TABLE indicator_values ADD COLUMN extras_json TEXT COLLATE "C";
ALTER TABLE indicator_values ADD COLUMN place TEXT COLLATE "C";
