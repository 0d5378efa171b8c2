-- Persons move to a table with a rowid. Ids are random, so in a table
-- clustered on the id (WITHOUT ROWID) each registration landed on a random
-- page of the whole table, and a large transaction (an imported list)
-- rewrote most of it. Rows now append in the order they are registered and
-- only the narrow index on the id takes random inserts.
CREATE TABLE persons_by_rowid (
	id          TEXT PRIMARY KEY,
	group_id    TEXT NOT NULL,
	stage       TEXT NOT NULL,
	flight_id   TEXT NOT NULL DEFAULT '',
	stage_since TEXT NOT NULL,
	data        TEXT NOT NULL
);
INSERT INTO persons_by_rowid (id, group_id, stage, flight_id, stage_since, data)
	SELECT id, group_id, stage, flight_id, stage_since, data FROM persons;
DROP TABLE persons;
ALTER TABLE persons_by_rowid RENAME TO persons;
CREATE INDEX persons_flight ON persons (flight_id) WHERE flight_id <> '';
CREATE INDEX persons_staged ON persons (stage_since) WHERE stage = 'staged';
