-- The ledger: every event ever accepted, in order. Never updated, never deleted.
CREATE TABLE events (
	seq    INTEGER PRIMARY KEY,
	stream TEXT NOT NULL,
	type   TEXT NOT NULL,
	data   TEXT NOT NULL,
	actor  TEXT NOT NULL DEFAULT '',
	site   TEXT NOT NULL DEFAULT '',
	key    TEXT NOT NULL DEFAULT '',
	time   TEXT NOT NULL
);
CREATE INDEX events_stream ON events (stream, seq);

-- One row per idempotency key of a decided command, with the answer a replay
-- receives: the outcome, or for a refused command (refused = 1) its error.
CREATE TABLE commands (
	key         TEXT PRIMARY KEY,
	fingerprint TEXT NOT NULL,
	outcome     BLOB NOT NULL,
	first_seq   INTEGER NOT NULL,
	last_seq    INTEGER NOT NULL,
	refused     INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- Read tables, kept in step with the ledger in the same transaction.
CREATE TABLE operation (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	data TEXT NOT NULL
);
CREATE TABLE sites (
	id   TEXT PRIMARY KEY,
	data TEXT NOT NULL
);
CREATE TABLE groups (
	id   TEXT PRIMARY KEY,
	data TEXT NOT NULL
);
-- Persons are found by id, by document, by flight and, when staged, by the
-- time they have waited; a group's members are listed in its row. Every index
-- costs each registration, so there are no others.
CREATE TABLE persons (
	id          TEXT PRIMARY KEY,
	group_id    TEXT NOT NULL,
	stage       TEXT NOT NULL,
	flight_id   TEXT NOT NULL DEFAULT '',
	stage_since TEXT NOT NULL,
	data        TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX persons_flight ON persons (flight_id) WHERE flight_id <> '';
CREATE INDEX persons_staged ON persons (stage_since) WHERE stage = 'staged';
-- Persons by nation and stage, kept with the persons.
CREATE TABLE pipeline (
	nation TEXT NOT NULL,
	stage  TEXT NOT NULL,
	n      INTEGER NOT NULL,
	PRIMARY KEY (nation, stage)
) WITHOUT ROWID;
CREATE TABLE documents (
	number    TEXT PRIMARY KEY,
	person_id TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE flights (
	id   TEXT PRIMARY KEY,
	slot TEXT NOT NULL,
	data TEXT NOT NULL
);

-- Facts about the database file itself, such as whether it is a demo.
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
