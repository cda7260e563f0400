-- What imported documents say beyond the fields Waymark had: where each row came from (a
-- sheet and row), the labels kept as written, and for indicator values the column they
-- were in, the target they were measured against and the rating as the council wrote it.
ALTER TABLE updates ADD COLUMN extras_json TEXT;
ALTER TABLE updates ADD COLUMN place TEXT;
ALTER TABLE indicator_values ADD COLUMN label TEXT;
ALTER TABLE indicator_values ADD COLUMN target TEXT;
ALTER TABLE indicator_values ADD COLUMN rag_label TEXT;
ALTER TABLE indicator_values ADD COLUMN polarity TEXT;
ALTER TABLE indicator_values ADD COLUMN extras_json TEXT;
ALTER TABLE indicator_values ADD COLUMN place TEXT;
