-- Each event's hash covers its contents and the hash of the event before it:
-- an edit made to the file breaks the chain at that event.
ALTER TABLE events ADD COLUMN hash BLOB NOT NULL DEFAULT x'';

-- The nations' data keys, wrapped by the master key. Destroying a nation's
-- key (crypto-shred) deletes the wrapped key and keeps the row as a record.
CREATE TABLE data_keys (
	nation       TEXT NOT NULL,
	version      INTEGER NOT NULL,
	wrapped      BLOB,
	created      TEXT NOT NULL,
	destroyed    TEXT NOT NULL DEFAULT '',
	destroyed_by TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (nation, version)
) WITHOUT ROWID;

-- Who may use airbridge. Passwords are argon2id hashes; tokens and sessions
-- are stored as SHA-256 of their random secret.
CREATE TABLE users (
	name     TEXT PRIMARY KEY,
	role     TEXT NOT NULL,
	nation   TEXT NOT NULL DEFAULT '',
	password TEXT NOT NULL DEFAULT '',
	created  TEXT NOT NULL,
	disabled TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE TABLE tokens (
	id        TEXT PRIMARY KEY,
	user_name TEXT NOT NULL REFERENCES users (name),
	hash      TEXT NOT NULL,
	label     TEXT NOT NULL DEFAULT '',
	created   TEXT NOT NULL,
	expires   TEXT NOT NULL DEFAULT '',
	revoked   TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE TABLE sessions (
	id        TEXT PRIMARY KEY,
	user_name TEXT NOT NULL REFERENCES users (name),
	hash      TEXT NOT NULL,
	csrf      TEXT NOT NULL,
	created   TEXT NOT NULL,
	expires   TEXT NOT NULL
) WITHOUT ROWID;

-- Security events: logins, refusals, changes to users, tokens and keys.
-- Hash-chained like the ledger.
CREATE TABLE audit (
	seq     INTEGER PRIMARY KEY,
	time    TEXT NOT NULL,
	actor   TEXT NOT NULL,
	action  TEXT NOT NULL,
	target  TEXT NOT NULL DEFAULT '',
	outcome TEXT NOT NULL,
	detail  TEXT NOT NULL DEFAULT '',
	hash    BLOB NOT NULL
);
CREATE INDEX audit_actor ON audit (actor, seq);
