package sqlite

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"airbridge"
	"airbridge/auth"
	"airbridge/vault"
)

// checkMasterKey refuses a master key other than the one the database's
// data keys are wrapped by, naming both by their ids; a new database records
// the key's id.
func checkMasterKey(ctx context.Context, w *sql.DB, master vault.MasterKey) error {
	var id string
	err := w.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'master_key_id'`).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = w.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('master_key_id', ?)`, master.ID())
		return err
	case err != nil:
		return err
	case id != master.ID():
		return fmt.Errorf("the master key given (id %s) is not this database's (id %s)", master.ID(), id)
	}
	return nil
}

// fingerprintNation names the key of the request fingerprints among the
// wrapped keys: it is not a nation's, and no nation is called so.
const fingerprintNation = "#fingerprints"

// fingerprintKey returns the key that the stored request fingerprints are
// keyed with, creating it in a new database. It is random and kept wrapped
// like a data key, not derived from the master key, so that a rotation of
// the master key does not turn the retry of an earlier request into a
// conflict.
func fingerprintKey(ctx context.Context, w *sql.DB, master vault.MasterKey) ([]byte, error) {
	return metaKey(ctx, w, master, fingerprintMeta, func() ([]byte, error) {
		// A database whose fingerprints an earlier build keyed with a key
		// derived from the master key keeps that key, or its retries would
		// be refused as reused keys.
		var n int
		if err := w.QueryRowContext(ctx, `SELECT count(*) FROM commands`).Scan(&n); err != nil {
			return nil, err
		}
		if n > 0 {
			return master.Derive("airbridge request fingerprint"), nil
		}
		return vault.NewDataKey()
	})
}

// signingMeta and fingerprintMeta are keys of the database's own kept in
// meta, each wrapped by the master key as if it were a nation's.
var (
	fingerprintMeta = wrappedMeta{row: "fingerprint_key", name: fingerprintNation}
	signingMeta     = wrappedMeta{row: "signing_key", name: "#signing"}
)

type wrappedMeta struct{ row, name string }

// signingKey returns the operation's Ed25519 key, which signs the
// invitations its gates verify offline, creating it on first use. Only its
// seed is kept, wrapped by the master key.
func signingKey(ctx context.Context, w *sql.DB, master vault.MasterKey) (ed25519.PrivateKey, error) {
	seed, err := metaKey(ctx, w, master, signingMeta, func() ([]byte, error) {
		b := make([]byte, ed25519.SeedSize)
		_, err := rand.Read(b)
		return b, err
	})
	if err != nil {
		return nil, err
	}
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("the signing key is damaged: %d bytes", len(seed))
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// metaKey returns the key kept in m's meta row, unwrapped by master; if
// there is none, it keeps the one fresh makes.
func metaKey(ctx context.Context, w *sql.DB, master vault.MasterKey, m wrappedMeta, fresh func() ([]byte, error)) ([]byte, error) {
	var wrapped string
	err := w.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, m.row).Scan(&wrapped)
	if errors.Is(err, sql.ErrNoRows) {
		key, err := fresh()
		if err != nil {
			return nil, err
		}
		b, err := master.Wrap(m.name, 1, key)
		if err != nil {
			return nil, err
		}
		if _, err := w.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)`, m.row, hex.EncodeToString(b)); err != nil {
			return nil, err
		}
		return key, nil
	}
	if err != nil {
		return nil, err
	}
	b, err := hex.DecodeString(wrapped)
	if err != nil {
		return nil, fmt.Errorf("the %s is damaged: %w", strings.ReplaceAll(m.row, "_", " "), err)
	}
	return master.Unwrap(m.name, 1, b)
}

// rewrapMetaKeys wraps the database's own keys under next in tx.
func rewrapMetaKeys(ctx context.Context, tx *sql.Tx, old, next vault.MasterKey) error {
	for _, m := range []wrappedMeta{fingerprintMeta, signingMeta} {
		var wrapped string
		err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, m.row).Scan(&wrapped)
		if errors.Is(err, sql.ErrNoRows) {
			continue // made by the first Open under the new key
		}
		if err != nil {
			return err
		}
		b, err := hex.DecodeString(wrapped)
		if err != nil {
			return fmt.Errorf("the %s is damaged: %w", strings.ReplaceAll(m.row, "_", " "), err)
		}
		key, err := old.Unwrap(m.name, 1, b)
		if err != nil {
			return err
		}
		if b, err = next.Wrap(m.name, 1, key); err != nil {
			return err
		}
		if _, err = tx.ExecContext(ctx, `UPDATE meta SET value = ? WHERE key = ?`, hex.EncodeToString(b), m.row); err != nil {
			return err
		}
	}
	return nil
}

// loadKeyring unwraps every live data key with master.
func loadKeyring(ctx context.Context, q querier, master vault.MasterKey) (*vault.Keyring, error) {
	kr := vault.NewKeyring()
	rows, err := q.QueryContext(ctx, `SELECT nation, version, wrapped, destroyed FROM data_keys ORDER BY nation, version`)
	if err != nil {
		return nil, fmt.Errorf("load data keys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var nation, destroyed string
		var version int
		var wrapped []byte
		if err := rows.Scan(&nation, &version, &wrapped, &destroyed); err != nil {
			return nil, fmt.Errorf("load data keys: %w", err)
		}
		if destroyed != "" {
			at, _ := time.Parse(time.RFC3339Nano, destroyed)
			kr.AddDestroyed(nation, version, at)
			continue
		}
		key, err := master.Unwrap(nation, version, wrapped)
		if err != nil {
			return nil, err
		}
		if err := kr.Add(nation, version, key); err != nil {
			return nil, err
		}
	}
	return kr, rows.Err()
}

// DataKey describes one nation's data key, never the key itself.
type DataKey struct {
	Nation      string `json:"nation"`
	Version     int    `json:"version"`
	Created     string `json:"created"`
	Destroyed   string `json:"destroyed,omitempty"`
	DestroyedBy string `json:"destroyed_by,omitempty"`
}

func listDataKeys(ctx context.Context, q querier) ([]DataKey, error) {
	rows, err := q.QueryContext(ctx, `SELECT nation, version, created, destroyed, destroyed_by FROM data_keys ORDER BY nation, version`)
	if err != nil {
		return nil, fmt.Errorf("list data keys: %w", err)
	}
	defer rows.Close()
	keys := []DataKey{}
	for rows.Next() {
		var k DataKey
		if err := rows.Scan(&k.Nation, &k.Version, &k.Created, &k.Destroyed, &k.DestroyedBy); err != nil {
			return nil, fmt.Errorf("list data keys: %w", err)
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// DataKeys lists the nations' data keys.
func (db *DB) DataKeys(ctx context.Context) ([]DataKey, error) { return listDataKeys(ctx, db.r) }

// destroyKey deletes nation's wrapped data keys in tx, and with them what
// only they could open: the blind indexes of its people's documents and the
// sealed copies in the read tables, which say instead why the data is gone.
// The ledger keeps its sealed events unchanged, so that its hash chain still
// holds; without the key they are noise.
func destroyKey(ctx context.Context, tx *sql.Tx, nation, by, at string, seal *sealer) (reason string, err error) {
	res, err := tx.ExecContext(ctx, `UPDATE data_keys SET wrapped = NULL, destroyed = ?, destroyed_by = ? WHERE nation = ? AND destroyed = ''`, at, by, nation)
	if err != nil {
		return "", fmt.Errorf("destroy data key: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return "", airbridge.Errorf(airbridge.ENOTFOUND, "nation %s has no live data key", nation).With("nation", nation)
	}
	var version int
	if err := tx.QueryRowContext(ctx, `SELECT max(version) FROM data_keys WHERE nation = ?`, nation).Scan(&version); err != nil {
		return "", fmt.Errorf("destroy data key: %w", err)
	}
	t, _ := time.Parse(time.RFC3339Nano, at)
	reason = redaction(&vault.DestroyedError{Key: vault.KeyName(nation, version), At: t})
	for _, q := range []string{
		`DELETE FROM documents WHERE person_id IN (SELECT id FROM persons WHERE json_extract(data, '$.nation') = ?2)`,
		`UPDATE persons SET data = json_set(json_remove(data, '$.sealed'), '$.redacted', ?1) WHERE json_extract(data, '$.nation') = ?2`,
		`UPDATE groups SET data = json_set(json_remove(data, '$.sealed'), '$.redacted', ?1) WHERE json_extract(data, '$.nation') = ?2 AND json_extract(data, '$.sealed') IS NOT NULL`,
	} {
		if _, err := tx.ExecContext(ctx, q, reason, nation); err != nil {
			return "", fmt.Errorf("destroy data key: %w", err)
		}
	}
	return reason, appendAudit(ctx, tx, at, auth.AuditEntry{Actor: by, Action: "key.destroy", Target: nation, Outcome: "ok",
		Detail: fmt.Sprintf("data key %s destroyed", vault.KeyName(nation, version))}, seal)
}

// DestroyNationKey crypto-shreds nation's personal data: its data keys are
// deleted from the file and forgotten by this process, its people and groups
// are redacted in memory, and the write-ahead log is truncated so that the
// wrapped key does not survive there. by names who confirmed it.
func (db *DB) DestroyNationKey(ctx context.Context, nation, by string) error {
	err := db.update(ctx, func(ctx context.Context, tx *sql.Tx) (func(), error) {
		now := db.now().UTC()
		reason, err := destroyKey(ctx, tx, nation, by, now.Format(stampLayout), db.seals)
		if err != nil {
			return nil, err
		}
		return func() {
			db.keyring.Destroy(nation, now)
			clear(db.rowSeals)
			for _, p := range db.state.Persons {
				if p.Nation == nation {
					for _, d := range p.Documents {
						delete(db.state.Documents, d.Number)
					}
					p.Redact(reason)
				}
			}
			for _, g := range db.state.Groups {
				if g.Nation == nation && g.Name != "" {
					g.Name, g.Redacted = "", reason
				}
			}
		}, nil
	})
	if err != nil {
		return err
	}
	// The log still holds the pages with the wrapped key until a checkpoint
	// copies them out and truncates it; a reader in a long transaction holds
	// it back.
	for range 5 {
		var busy, logPages, done int
		if err := db.r.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logPages, &done); err != nil {
			return fmt.Errorf("data key destroyed, but the write-ahead log was not truncated: %w", err)
		}
		if busy == 0 {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("data key destroyed, but a reader kept the write-ahead log, which may still hold the wrapped key, from being truncated; it will be at the next checkpoint")
}
