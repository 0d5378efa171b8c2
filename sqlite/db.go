// Package sqlite is airbridge's embedded store: the ledger and its read tables
// in one SQLite file, written by a single writer with group commit.
package sqlite

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // the pure-Go driver, registered as "sqlite"

	"airbridge"
	"airbridge/vault"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is an open airbridge database. It is safe for concurrent use: reads run
// on a pool of connections, and every command goes through one writer
// goroutine that commits concurrent commands together.
type DB struct {
	*Access
	path string
	w    *sql.DB // the one writer connection
	r    *sql.DB // readers
	reqs chan *request
	stop chan struct{}
	done chan struct{}
	// checkpointed is closed when the checkpointer has stopped.
	checkpointed chan struct{}
	closed       atomic.Bool

	lock *os.File // held while open: one process writes a ledger

	master  vault.MasterKey
	keyring *vault.Keyring     // the nations' data keys; safe for concurrent use
	fpKey   []byte             // keys the stored request fingerprints
	signing ed25519.PrivateKey // signs the operation's invitations
	seals   *sealer            // seals the heads of the ledger and the audit log

	// Owned by the writer goroutine once Open returns.
	stmts    *statements
	state    *airbridge.State
	keys     *keyFilter // the idempotency keys of the ledger
	seq      int64
	lastHash []byte               // the chain hash of event seq
	rowSeals map[string]sealedRow // by person: the box its read row holds

	appended atomic.Int64
	now      func() time.Time
}

// MaxGroupCommit bounds how many submissions one transaction commits.
const maxGroupCommit = 512

type request struct {
	subs []airbridge.Submission
	// atomic: the submissions commit together or not at all, alone in their
	// transaction.
	atomic bool
	reply  chan []result
	// fn, if set, is the whole request: it writes in a transaction of its
	// own; after, if set, runs in the writer once that has committed.
	fn func(ctx context.Context, tx *sql.Tx) (after func(), err error)
	// view, if set, is the whole request: it reads the state between
	// commits.
	view func(*airbridge.State) error
}

type result struct {
	receipt airbridge.Receipt
	err     error
}

// Open opens (creating if needed) the database at path, migrates it, and
// loads its state, opening the personal data with the data keys that master
// unwraps. It refuses a file that is not an airbridge database, one that
// another process has open, and one whose data keys master does not open.
// The file is durable: a command is acknowledged only once its transaction
// is synced to disk.
func Open(ctx context.Context, path string, master vault.MasterKey) (*DB, error) {
	return open(ctx, path, master, checkpointEvery)
}

// openWriter opens the one writer connection of the database at path,
// creating the file readable by its owner only if it is missing. It refuses
// a file that is not an airbridge database: airbridge's tables are never
// added to somebody else's file.
func openWriter(ctx context.Context, path string) (*sql.DB, error) {
	if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
		if err := Check(ctx, path); err != nil {
			return nil, fmt.Errorf("open: %w", err)
		}
	}
	if err := createPrivate(path); err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	w, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	return w, nil
}

func open(ctx context.Context, path string, master vault.MasterKey, checkpointEvery time.Duration) (*DB, error) {
	w, err := openWriter(ctx, path)
	if err != nil {
		return nil, err
	}
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := migrate(ctx, w); err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	held, err := lock(path)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open: %w", err)
	}
	r, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		w.Close()
		if held != nil {
			held.Close()
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	db := &DB{path: path, w: w, r: r, lock: held, reqs: make(chan *request, 4096),
		stop: make(chan struct{}), done: make(chan struct{}), now: time.Now,
		master: master, seals: newSealer(master)}
	db.Access = &Access{update: db.update, r: r, now: func() time.Time { return db.now() }, seal: db.seals}
	err = checkMasterKey(ctx, w, master)
	if err == nil {
		db.fpKey, err = fingerprintKey(ctx, w, master)
	}
	if err == nil {
		db.signing, err = signingKey(ctx, w, master)
	}
	if err == nil {
		db.stmts, err = prepare(ctx, w)
	}
	if err == nil {
		err = db.reload(ctx)
	}
	if err != nil {
		if db.stmts != nil {
			db.stmts.close()
		}
		db.w.Close()
		db.r.Close()
		db.unlock()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.checkpointed = make(chan struct{})
	go db.writer()
	go db.checkpointer(checkpointEvery)
	return db, nil
}

// createPrivate creates an empty file at path, readable by its owner only,
// unless one is there: SQLite gives its log the same mode, and the file
// holds password hashes and sealed data.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// checkpointEvery is how often the write-ahead log is copied into the
// database file.
const checkpointEvery = time.Second

// checkpointer copies the write-ahead log into the database file from its
// own connection, so that the writer never pauses a commit to do it (the
// writer's automatic checkpoint is off). A passive checkpoint takes no lock
// that the writer or the readers wait for.
func (db *DB) checkpointer(every time.Duration) {
	defer close(db.checkpointed)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-db.stop:
			return
		case <-t.C:
			// A failed checkpoint is retried on the next tick; the log
			// stays correct and readable meanwhile.
			db.r.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`)
		}
	}
}

func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
		// Checkpoints run beside the writer (see checkpointer); after one, a
		// log that grew large in a burst is cut back.
		q.Add("_pragma", "wal_autocheckpoint(0)")
		// Deleted content is overwritten, so that a destroyed data key does
		// not linger in free pages.
		q.Add("_pragma", "secure_delete(1)")
		q.Add("_pragma", "journal_size_limit(67108864)")
		// A large transaction (an imported list, a scenario's seeding) must
		// not spill its dirty pages into the log before it commits, nor
		// write its statement journal to a temporary file: both cost a
		// system call a page. 64 MiB of page cache and an in-memory
		// statement journal keep it in memory.
		q.Add("_pragma", "cache_size(-65536)")
		q.Add("_pragma", "temp_store(memory)")
	}
	return "file:" + uriPath(path) + "?" + q.Encode()
}

// uriPath escapes what means something in a URI, so that "ops #1/air.db" is
// that file.
func uriPath(path string) string {
	return strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(path)
}

func migrate(ctx context.Context, w *sql.DB) error {
	if _, err := w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		version, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with a number", base)
		}
		var n int
		if err := w.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if n > 0 {
			continue
		}
		if version == 2 {
			// Files of schema 1 hold personal data in clear in their ledger,
			// which cannot be rewritten: an edit would break what the ledger
			// promises.
			var events int
			if err := w.QueryRowContext(ctx, `SELECT count(*) FROM events`).Scan(&events); err != nil {
				return fmt.Errorf("migrate: %w", err)
			}
			if events > 0 {
				return errors.New("this database was written by an airbridge that did not encrypt personal data, and its ledger cannot be encrypted in place; start a new database and destroy this file securely")
			}
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		tx, err := w.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: %w", base, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version) VALUES (?)`, version); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: %w", base, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration %s: %w", base, err)
		}
	}
	return nil
}

// reload replaces the writer's keyring and state with what the tables hold.
func (db *DB) reload(ctx context.Context) error {
	kr, err := loadKeyring(ctx, db.w, db.master)
	if err != nil {
		return err
	}
	if db.keyring == nil {
		db.keyring = kr
	} else {
		db.keyring.Replace(kr)
	}
	st, err := loadTables(ctx, db.w, opener{db.keyring})
	if err != nil {
		return err
	}
	var seq int64
	var last []byte
	err = db.w.QueryRowContext(ctx, `SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1`).Scan(&seq, &last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	db.state, db.seq, db.lastHash = st, seq, last
	db.rowSeals = map[string]sealedRow{}
	if db.keys == nil {
		// After a failed write the filter is kept: the keys it holds but the
		// table lost only cost a look-up.
		if db.keys, err = loadKeys(ctx, db.w); err != nil {
			return err
		}
	}
	return nil
}

func loadKeys(ctx context.Context, q querier) (*keyFilter, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM commands`).Scan(&n); err != nil {
		return nil, fmt.Errorf("load keys: %w", err)
	}
	f := newKeyFilter(n)
	rows, err := q.QueryContext(ctx, `SELECT key FROM commands`)
	if err != nil {
		return nil, fmt.Errorf("load keys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		if err := rows.Scan(&key); err != nil {
			return nil, fmt.Errorf("load keys: %w", err)
		}
		f.add(key)
	}
	return f, rows.Err()
}

// Close stops the writer after the submissions it has taken and closes the
// database.
func (db *DB) Close() error {
	if db.closed.Swap(true) {
		return nil
	}
	close(db.stop)
	<-db.done
	<-db.checkpointed
	db.w.ExecContext(context.Background(), `PRAGMA wal_checkpoint(TRUNCATE)`)
	db.stmts.close()
	err := errors.Join(db.r.Close(), db.w.Close())
	db.unlock()
	return err
}

func (db *DB) unlock() {
	if db.lock != nil {
		db.lock.Close()
	}
}

// InUse reports whether an airbridge process holds the database at path open.
func InUse(path string) bool {
	f, err := lock(path)
	if err != nil {
		_, statErr := os.Stat(path)
		return statErr == nil
	}
	if f != nil {
		f.Close()
	}
	return false
}

// Path returns the file the database lives in.
func (db *DB) Path() string { return db.path }

// SigningKey returns the operation's Ed25519 key, which signs the
// invitations that gates verify offline with its public half.
func (db *DB) SigningKey() ed25519.PrivateKey { return db.signing }

// DocumentIndex returns the blind index of a document number under nation's
// current data key, as hex: what an invitation names a person's document by.
func (db *DB) DocumentIndex(nation, number string) (string, error) {
	return db.keyring.BlindIndex(nation, airbridge.NormalizeDocumentNumber(number))
}

// EventsAppended counts the events this process appended to the ledger.
func (db *DB) EventsAppended() int64 { return db.appended.Load() }

var errClosed = airbridge.Errorf(airbridge.EINTERNAL, "the database is closed")

// Execute decides and commits one submission. A refused command returns its
// *airbridge.Error and changes nothing; a replayed key returns the first
// receipt.
func (db *DB) Execute(ctx context.Context, sub airbridge.Submission) (airbridge.Receipt, error) {
	rs, err := db.submit(ctx, &request{subs: []airbridge.Submission{sub}, reply: make(chan []result, 1)})
	if err != nil {
		return airbridge.Receipt{}, err
	}
	return rs[0].receipt, rs[0].err
}

// ExecuteAll commits many submissions in one transaction, all or none: the
// first refusal aborts them all and is returned. It is for bulk loads such as
// seeding a scenario.
func (db *DB) ExecuteAll(ctx context.Context, subs []airbridge.Submission) ([]airbridge.Receipt, error) {
	rs, err := db.submit(ctx, &request{subs: subs, atomic: true, reply: make(chan []result, 1)})
	if err != nil {
		return nil, err
	}
	receipts := make([]airbridge.Receipt, len(rs))
	for i, r := range rs {
		if r.err != nil {
			return nil, r.err // names the submission that failed
		}
		receipts[i] = r.receipt
	}
	return receipts, nil
}

// View runs fn on the state that commands are decided against, between two
// commits: what fn sees is consistent. fn must not keep or change anything it
// is given, and should be quick, since no command commits while it runs.
func (db *DB) View(ctx context.Context, fn func(*airbridge.State) error) error {
	rs, err := db.submit(ctx, &request{view: fn, reply: make(chan []result, 1)})
	if err != nil {
		return err
	}
	return rs[0].err
}

// alone reports whether r commits in a transaction of its own.
func (r *request) alone() bool { return r.atomic || r.fn != nil || r.view != nil }

func (db *DB) submit(ctx context.Context, req *request) ([]result, error) {
	if db.closed.Load() {
		return nil, errClosed
	}
	select {
	case db.reqs <- req:
	case <-db.stop:
		return nil, errClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	// Once taken, a request is decided and committed (or failed) whatever the
	// caller does: waiting here keeps the answer honest. If Close won the race
	// and the writer is gone, nobody will answer.
	select {
	case rs := <-req.reply:
		return rs, nil
	case <-db.done:
		select {
		case rs := <-req.reply:
			return rs, nil
		default:
			return nil, errClosed
		}
	}
}

func (db *DB) writer() {
	defer close(db.done)
	for {
		var first *request
		select {
		case first = <-db.reqs:
		case <-db.stop:
			// Drain what was already queued so no caller waits forever.
			for {
				select {
				case r := <-db.reqs:
					db.commit([]*request{r})
				default:
					return
				}
			}
		}
		if first.alone() {
			db.commit([]*request{first})
			continue
		}
		batch := []*request{first}
	drain:
		for len(batch) < maxGroupCommit {
			select {
			case r := <-db.reqs:
				if r.alone() {
					db.commit(batch)
					batch = []*request{r}
					break drain
				}
				batch = append(batch, r)
			default:
				break drain
			}
		}
		db.commit(batch)
	}
}
