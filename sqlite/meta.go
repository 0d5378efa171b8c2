package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
)

// Stats counts what the database holds.
type Stats struct {
	Events  int64 `json:"events"`
	Persons int64 `json:"persons"`
	Flights int64 `json:"flights"`
	// Head is the hash of the last event, in hex: kept elsewhere, it shows
	// later that the ledger up to it was not rewritten.
	Head string `json:"head"`
	// AuditEntries and AuditHead are the same for the audit log.
	AuditEntries int64  `json:"audit_entries"`
	AuditHead    string `json:"audit_head"`
}

// Stats returns the database's counts.
func (db *DB) Stats(ctx context.Context) (Stats, error) { return stats(ctx, db.r) }

func stats(ctx context.Context, r *sql.DB) (Stats, error) {
	var s Stats
	err := r.QueryRowContext(ctx, `SELECT (SELECT coalesce(max(seq), 0) FROM events), (SELECT count(*) FROM persons), (SELECT count(*) FROM flights),
		coalesce((SELECT lower(hex(hash)) FROM events ORDER BY seq DESC LIMIT 1), ''),
		(SELECT coalesce(max(seq), 0) FROM audit), coalesce((SELECT lower(hex(hash)) FROM audit ORDER BY seq DESC LIMIT 1), '')`).
		Scan(&s.Events, &s.Persons, &s.Flights, &s.Head, &s.AuditEntries, &s.AuditHead)
	if err != nil {
		return s, fmt.Errorf("stats: %w", err)
	}
	return s, nil
}

// SetMeta records a fact about the database file; ReadMeta reads it.
func (db *DB) SetMeta(ctx context.Context, key, value string) error {
	if _, err := db.w.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value); err != nil {
		return fmt.Errorf("set %s: %w", key, err)
	}
	return nil
}

var sqliteHeader = []byte("SQLite format 3\x00")

// ReadMeta reads a fact from the airbridge database at path without creating,
// migrating or writing it. It returns "" when the file is an airbridge
// database without that fact, and an error when the file is not an airbridge
// database at all.
func ReadMeta(ctx context.Context, path, key string) (string, error) {
	db, err := openReadOnly(path)
	if err != nil {
		return "", err
	}
	defer db.Close()
	var v string
	err = db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("%s is not an airbridge database: %w", path, err)
	}
	return v, nil
}

// Check reports whether path is an existing airbridge database, without
// creating, migrating or writing it.
func Check(ctx context.Context, path string) error {
	db, err := openReadOnly(path)
	if err != nil {
		return err
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n == 0 {
		return fmt.Errorf("%s is not an airbridge database", path)
	}
	return nil
}

// openReadOnly opens an existing SQLite file so that nothing, not even a
// left-over write-ahead log, is written back to it.
func openReadOnly(path string) (*sql.DB, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	head := make([]byte, len(sqliteHeader))
	_, err = io.ReadFull(f, head)
	f.Close()
	if err != nil || !bytes.Equal(head, sqliteHeader) {
		return nil, fmt.Errorf("%s is not an SQLite database", path)
	}
	return sql.Open("sqlite", "file:"+uriPath(path)+"?mode=ro&_pragma=busy_timeout(5000)")
}
