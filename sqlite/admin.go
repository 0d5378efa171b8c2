package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"time"

	"airbridge/auth"
	"airbridge/vault"
)

// Admin is a database opened for administration while no server holds it:
// users, tokens and keys, without the ledger's state or its master key.
type Admin struct {
	*Access
	path string
	w    *sql.DB
	lock *os.File
}

// OpenAdmin opens (creating if needed) the database at path for
// administration. Like Open, it refuses a foreign file and one another
// process holds.
func OpenAdmin(ctx context.Context, path string) (*Admin, error) {
	w, err := openWriter(ctx, path)
	if err != nil {
		return nil, err
	}
	err = migrate(ctx, w)
	var held *os.File
	if err == nil {
		held, err = lock(path)
	}
	if err != nil {
		w.Close()
		if held != nil {
			held.Close()
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	a := &Admin{path: path, w: w, lock: held}
	a.Access = &Access{update: a.update, r: w, now: time.Now}
	return a, nil
}

func (a *Admin) update(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) (func(), error)) error {
	tx, err := a.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	after, err := fn(ctx, tx)
	if err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if after != nil {
		after()
	}
	return nil
}

// Close closes the database, leaving no write-ahead log behind.
func (a *Admin) Close() error {
	a.w.ExecContext(context.Background(), `PRAGMA wal_checkpoint(TRUNCATE)`)
	err := a.w.Close()
	if a.lock != nil {
		a.lock.Close()
	}
	return err
}

// DataKeys lists the nations' data keys.
func (a *Admin) DataKeys(ctx context.Context) ([]DataKey, error) { return listDataKeys(ctx, a.w) }

// DestroyNationKey crypto-shreds nation's personal data in a database no
// server holds (see DB.DestroyNationKey).
func (a *Admin) DestroyNationKey(ctx context.Context, nation, by string) error {
	return a.update(ctx, func(ctx context.Context, tx *sql.Tx) (func(), error) {
		_, err := destroyKey(ctx, tx, nation, by, a.now().UTC().Format(stampLayout), nil)
		return nil, err
	})
}

// RotateMasterKey rewraps every live data key from old to next in one
// transaction; the personal data itself is untouched. The database then
// opens with next only.
func (a *Admin) RotateMasterKey(ctx context.Context, old, next vault.MasterKey, actor string) error {
	return a.update(ctx, func(ctx context.Context, tx *sql.Tx) (func(), error) {
		var id string
		err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'master_key_id'`).Scan(&id)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		if id != "" && id != old.ID() {
			return nil, fmt.Errorf("the current master key given (id %s) is not this database's (id %s)", old.ID(), id)
		}
		type wrapped struct {
			nation  string
			version int
			key     []byte
		}
		var keys []wrapped
		rows, err := tx.QueryContext(ctx, `SELECT nation, version, wrapped FROM data_keys WHERE destroyed = ''`)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var k wrapped
			if err := rows.Scan(&k.nation, &k.version, &k.key); err != nil {
				rows.Close()
				return nil, err
			}
			keys = append(keys, k)
		}
		rows.Close()
		for _, k := range keys {
			plain, err := old.Unwrap(k.nation, k.version, k.key)
			if err != nil {
				return nil, err
			}
			rewrapped, err := next.Wrap(k.nation, k.version, plain)
			clear(plain)
			if err != nil {
				return nil, err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE data_keys SET wrapped = ? WHERE nation = ? AND version = ?`, rewrapped, k.nation, k.version); err != nil {
				return nil, err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('master_key_id', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, next.ID()); err != nil {
			return nil, err
		}
		if err := rewrapMetaKeys(ctx, tx, old, next); err != nil {
			return nil, err
		}
		// The chains' heads are sealed under a key derived from the master
		// key: checked under the old one, they are sealed again under the new.
		oldSeal, newSeal := newSealer(old), newSealer(next)
		if err := newSeal.reseal(ctx, tx, oldSeal); err != nil {
			return nil, err
		}
		return nil, appendAudit(ctx, tx, a.now().UTC().Format(stampLayout), auth.AuditEntry{Actor: actor, Action: "key.rotate", Outcome: "ok",
			Detail: fmt.Sprintf("master key %s replaced by %s; %d data keys rewrapped", old.ID(), next.ID(), len(keys))}, newSeal)
	})
}
