package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"airbridge"
)

// The writer's statements, prepared once on its one connection and bound to
// each transaction.
const (
	stEvent = iota
	stCommand
	stLookup
	stDoc
	stInsertPerson
	stUpdatePerson
	stGroup
	stInsertGroup
	stFlight
	stSite
	stOperation
	stClearCounts
	stCount
	stMeta
	stWithdrawal
	stMovement
	nStatements
)

var statementSQL = [nStatements]string{
	stEvent:        `INSERT OR FAIL INTO events (seq, stream, type, data, actor, site, key, time, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	stCommand:      `INSERT OR FAIL INTO commands (key, fingerprint, outcome, first_seq, last_seq, refused) VALUES (?, ?, ?, ?, ?, ?)`,
	stLookup:       `SELECT fingerprint, outcome, first_seq, last_seq, refused FROM commands WHERE key = ?`,
	stDoc:          `INSERT OR FAIL INTO documents (number, person_id) VALUES (?, ?)`,
	stInsertPerson: `INSERT OR FAIL INTO persons (id, group_id, stage, flight_id, stage_since, data) VALUES (?, ?, ?, ?, ?, ?)`,
	stUpdatePerson: `UPDATE persons SET group_id = ?2, stage = ?3, flight_id = ?4, stage_since = ?5, data = ?6 WHERE id = ?1`,
	stGroup:        `INSERT INTO groups (id, data) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data`,
	stInsertGroup:  `INSERT OR FAIL INTO groups (id, data) VALUES (?, ?)`,
	stFlight: `INSERT INTO flights (id, slot, data) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET slot = excluded.slot, data = excluded.data`,
	stSite:        `INSERT INTO sites (id, data) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data`,
	stOperation:   `INSERT INTO operation (id, data) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data`,
	stClearCounts: `DELETE FROM pipeline WHERE nation = ?`,
	stCount:       `INSERT INTO pipeline (nation, stage, n) VALUES (?, ?, ?)`,
	stMeta:        `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
	stWithdrawal:  `INSERT OR FAIL INTO withdrawals (id, data, summary) VALUES (?, ?, ?)`,
	stMovement:    `INSERT OR FAIL INTO withdrawal_movements (withdrawal_id, number, data) VALUES (?, ?, ?)`,
}

// appendable are the plain inserts that a transaction buffers and writes
// bulkRows rows a statement: one statement per row costs a fifth of the
// writer's time in the driver.
var appendable = []int{stEvent, stCommand, stDoc, stInsertPerson, stInsertGroup}

const bulkRows = 128

// bulkSQL repeats the VALUES group of a one-row insert n times.
func bulkSQL(one string, n int) string {
	i := strings.Index(one, "VALUES ")
	group := one[i+len("VALUES "):]
	return one[:i] + "VALUES " + strings.TrimSuffix(strings.Repeat(group+", ", n), ", ")
}

// statements holds the one-row statements and, for the appendable ones, the
// bulkRows-row forms.
type statements struct {
	one  [nStatements]*sql.Stmt
	bulk [nStatements]*sql.Stmt
}

func prepare(ctx context.Context, w *sql.DB) (*statements, error) {
	st := &statements{}
	for i, q := range statementSQL {
		var err error
		if st.one[i], err = w.PrepareContext(ctx, q); err != nil {
			st.close()
			return nil, fmt.Errorf("prepare: %w", err)
		}
	}
	for _, i := range appendable {
		var err error
		if st.bulk[i], err = w.PrepareContext(ctx, bulkSQL(statementSQL[i], bulkRows)); err != nil {
			st.close()
			return nil, fmt.Errorf("prepare: %w", err)
		}
	}
	return st, nil
}

func (st *statements) close() {
	for _, s := range append(st.one[:], st.bulk[:]...) {
		if s != nil {
			s.Close()
		}
	}
}

// txn is one write transaction with the statements bound to it.
type txn struct {
	tx      *sql.Tx
	st      statements
	pending [nStatements][]any // buffered rows of the appendable inserts
	count   [nStatements]int
}

func (db *DB) begin(ctx context.Context) (*txn, error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	t := &txn{tx: tx}
	// On the writer's one connection these reuse the prepared statements.
	for i, s := range db.stmts.one {
		t.st.one[i] = tx.StmtContext(ctx, s)
	}
	for _, i := range appendable {
		t.st.bulk[i] = tx.StmtContext(ctx, db.stmts.bulk[i])
	}
	return t, nil
}

// maxPending bounds the rows buffered per insert, and so the memory a large
// transaction (a scenario's seeding) holds.
const maxPending = 64 * bulkRows

// append buffers one row of an appendable insert; flushAppends writes it.
func (t *txn) append(ctx context.Context, stmt int, args ...any) error {
	t.pending[stmt] = append(t.pending[stmt], args...)
	t.count[stmt]++
	if t.count[stmt] < maxPending {
		return nil
	}
	return t.flush(ctx, stmt)
}

// flushAppends writes every buffered row.
func (t *txn) flushAppends(ctx context.Context) error {
	for _, i := range appendable {
		if err := t.flush(ctx, i); err != nil {
			return err
		}
	}
	return nil
}

// flush writes the buffered rows of one insert, bulkRows a statement.
func (t *txn) flush(ctx context.Context, i int) error {
	rows, width := t.pending[i], 0
	if t.count[i] > 0 {
		width = len(rows) / t.count[i]
	}
	for len(rows) > 0 {
		stmt, n := t.st.bulk[i], bulkRows*width
		if len(rows) < n {
			stmt, n = t.st.one[i], width
		}
		if _, err := stmt.ExecContext(ctx, rows[:n]...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	t.pending[i], t.count[i] = t.pending[i][:0], 0
	return nil
}

func (t *txn) exec(ctx context.Context, stmt int, args ...any) error {
	_, err := t.st.one[stmt].ExecContext(ctx, args...)
	return err
}

// commit decides the batch's submissions in order against the state, appends
// their events and read rows in one transaction, and answers every request.
// A refused submission changes nothing. If the transaction fails, every
// submission in it fails and the state is reloaded from the file.
func (db *DB) commit(batch []*request) {
	ctx := context.Background()
	if len(batch) == 1 && batch[0].fn != nil {
		db.runFn(ctx, batch[0])
		return
	}
	if len(batch) == 1 && batch[0].view != nil {
		db.runView(batch[0])
		return
	}
	seq0 := db.seq
	var t *txn
	answered := false
	fail := func(err error) {
		if t != nil {
			t.tx.Rollback()
		}
		db.seq = seq0
		for _, req := range batch {
			rs := make([]result, len(req.subs))
			for j := range rs {
				rs[j].err = err
			}
			req.reply <- rs
		}
		answered = true
		if rerr := db.reload(ctx); rerr != nil {
			// The state cannot be trusted any more; refuse further writes
			// rather than decide against it.
			db.state = nil
		}
	}
	defer func() {
		// A panic in the rules must not take the process down with every
		// caller waiting: the batch fails and the state is reloaded.
		if p := recover(); p != nil && !answered {
			fail(fmt.Errorf("panic deciding a command: %v", p))
		}
	}()
	if db.state == nil {
		fail(airbridge.Errorf(airbridge.EINTERNAL, "the database could not be reloaded after a failed write; restart airbridge"))
		return
	}
	var err error
	if t, err = db.begin(ctx); err != nil {
		fail(fmt.Errorf("begin: %w", err))
		return
	}
	w := &batchWriter{t: t, db: db, touched: map[airbridge.Ref]bool{}, newPersons: map[string]bool{}, newGroups: map[string]bool{}, keys: map[string]*pending{}}
	replies := make([][]result, len(batch))
	for i, req := range batch {
		replies[i] = make([]result, len(req.subs))
		for j, sub := range req.subs {
			r, err := w.one(ctx, sub)
			var e *airbridge.Error
			switch {
			case err != nil && req.atomic:
				fail(fmt.Errorf("submission %d: %w", j, err))
				return
			case err != nil && !errors.As(err, &e): // a storage or ledger fault
				fail(err)
				return
			}
			replies[i][j] = result{receipt: r, err: err}
		}
	}
	if err := w.flushRows(ctx); err != nil {
		fail(err)
		return
	}
	if db.seq > seq0 {
		if err := db.sealHeads(ctx, t); err != nil {
			fail(fmt.Errorf("seal the ledger's head: %w", err))
			return
		}
	}
	if err := t.tx.Commit(); err != nil {
		t = nil
		fail(fmt.Errorf("commit: %w", err))
		return
	}
	db.appended.Add(db.seq - seq0)
	answered = true
	for i, req := range batch {
		req.reply <- replies[i]
	}
}

// sealHeads seals the chains' heads in the writer's transaction: the
// ledger's it knows, the audit log's it reads.
func (db *DB) sealHeads(ctx context.Context, t *txn) error {
	h := heads{ledgerSeq: db.seq, ledgerHash: db.lastHash}
	err := t.tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1`).Scan(&h.auditSeq, &h.auditHash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	return t.exec(ctx, stMeta, chainSeal, db.seals.value(h))
}

// runFn runs a request that writes outside the ledger (users, keys, audit)
// in a transaction of its own, in turn with the ledger's commits.
func (db *DB) runFn(ctx context.Context, req *request) {
	err := func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("panic: %v", p)
			}
		}()
		tx, err := db.w.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		after, err := req.fn(ctx, tx)
		if err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("commit: %w", err)
		}
		if after != nil {
			after()
		}
		return nil
	}()
	req.reply <- []result{{err: err}}
}

// runView runs a view request, unless the state could not be reloaded.
func (db *DB) runView(req *request) {
	err := func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("panic: %v", p)
			}
		}()
		if db.state == nil {
			return airbridge.Errorf(airbridge.EINTERNAL, "the database could not be reloaded after a failed write; restart airbridge")
		}
		return req.view(db.state)
	}()
	req.reply <- []result{{err: err}}
}

// update runs fn in a write transaction of its own, in the writer.
func (db *DB) update(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) (func(), error)) error {
	rs, err := db.submit(ctx, &request{fn: fn, reply: make(chan []result, 1)})
	if err != nil {
		return err
	}
	return rs[0].err
}

type pending struct {
	fingerprint string
	receipt     airbridge.Receipt
	refusal     *airbridge.Error
}

type batchWriter struct {
	t          *txn
	db         *DB
	touched    map[airbridge.Ref]bool
	newPersons map[string]bool     // persons registered in this transaction
	newGroups  map[string]bool     // groups registered in this transaction
	keys       map[string]*pending // keys used earlier in this transaction
}

// one decides one submission and writes its events. A refusal is returned
// as an *airbridge.Error and recorded with its key, so that a replay is
// refused alike; any other error is a fault that fails the transaction.
func (w *batchWriter) one(ctx context.Context, sub airbridge.Submission) (airbridge.Receipt, error) {
	key := sub.Envelope.Key
	// A request's hash could be guessed back from a document number it
	// holds; keyed, it cannot.
	sub.Fingerprint = w.db.fingerprint(sub.Fingerprint)
	if key != "" {
		if p, ok := w.keys[key]; ok {
			return replay(key, sub.Fingerprint, *p)
		}
		var p pending
		var refused bool
		err := sql.ErrNoRows
		if w.db.keys.mayContain(key) {
			err = w.t.st.one[stLookup].QueryRowContext(ctx, key).Scan(&p.fingerprint, &p.receipt.Outcome, &p.receipt.FirstSeq, &p.receipt.LastSeq, &refused)
		}
		switch {
		case err == nil:
			if refused {
				p.refusal = new(airbridge.Error)
				if err := json.Unmarshal(p.receipt.Outcome, p.refusal); err != nil {
					return airbridge.Receipt{}, fmt.Errorf("read refusal of key %q: %w", key, err)
				}
			}
			return replay(key, sub.Fingerprint, p)
		case !errors.Is(err, sql.ErrNoRows):
			return airbridge.Receipt{}, fmt.Errorf("look up key %q: %w", key, err)
		}
	}
	events, data, err := w.decide(ctx, sub)
	var refusal *airbridge.Error
	if errors.As(err, &refusal) && refusal.Code != airbridge.EINTERNAL {
		if key != "" {
			b := mustJSON(refusal)
			if err := w.t.append(ctx, stCommand, key, sub.Fingerprint, b, 0, 0, true); err != nil {
				return airbridge.Receipt{}, fmt.Errorf("record key: %w", err)
			}
			w.keys[key] = &pending{fingerprint: sub.Fingerprint, receipt: airbridge.Receipt{Outcome: b}, refusal: refusal}
			w.db.keys.add(key)
		}
		return airbridge.Receipt{}, refusal
	}
	if err != nil {
		return airbridge.Receipt{}, err
	}
	r := airbridge.Receipt{FirstSeq: w.db.seq + 1}
	for i := range events {
		e := &events[i]
		if e.Type == airbridge.GroupRegistered && e.Data.Group != nil && w.db.state.Groups[e.Data.Group.ID] == nil {
			w.newGroups[e.Data.Group.ID] = true
		}
		if err := w.db.state.Apply(*e); err != nil {
			return airbridge.Receipt{}, fmt.Errorf("apply: %w", err)
		}
		w.db.seq++
		e.Seq = w.db.seq
		at := e.Time.Format(time.RFC3339Nano)
		h := chainHash(w.db.lastHash, e.Seq, e.Stream, e.Type, data[i], e.Actor, e.Site, e.Key, at)
		if err := w.t.append(ctx, stEvent, e.Seq, e.Stream, e.Type, data[i], e.Actor, e.Site, e.Key, at, h); err != nil {
			return airbridge.Receipt{}, fmt.Errorf("append event: %w", err)
		}
		w.db.lastHash = h
		if e.Type == airbridge.PersonRegistered {
			p := e.Data.Person
			w.newPersons[p.ID] = true
			for _, d := range p.Documents {
				index, err := w.db.keyring.BlindIndex(p.Nation, d.Number)
				if err != nil {
					return airbridge.Receipt{}, fmt.Errorf("index document: %w", err)
				}
				if err := w.t.append(ctx, stDoc, index, p.ID); err != nil {
					return airbridge.Receipt{}, fmt.Errorf("index document: %w", err)
				}
			}
		}
		for _, ref := range e.Touches() {
			w.touched[ref] = true
		}
	}
	r.LastSeq = w.db.seq
	if r.Outcome, err = json.Marshal(w.db.state.Outcome(sub.Command, events)); err != nil {
		return airbridge.Receipt{}, fmt.Errorf("encode outcome: %w", err)
	}
	if key != "" {
		if err := w.t.append(ctx, stCommand, key, sub.Fingerprint, []byte(r.Outcome), r.FirstSeq, r.LastSeq, false); err != nil {
			return airbridge.Receipt{}, fmt.Errorf("record key: %w", err)
		}
		w.keys[key] = &pending{fingerprint: sub.Fingerprint, receipt: r}
		w.db.keys.add(key)
	}
	return r, nil
}

// decide stamps the submission's time, decides it, and encodes its events'
// data before anything is applied: a command whose events cannot be written
// is refused alone, not failed with the others in its transaction.
func (w *batchWriter) decide(ctx context.Context, sub airbridge.Submission) ([]airbridge.Event, [][]byte, error) {
	env := sub.Envelope
	if env.Time.IsZero() {
		env.Time = w.db.now()
	}
	env.Time = env.Time.UTC()
	if y := env.Time.Year(); y < 1 || y > 9999 {
		return nil, nil, airbridge.Errorf(airbridge.EINVALID, "command time %s is outside the years 1-9999", env.Time.Format(time.RFC3339))
	}
	events, err := w.db.state.Decide(sub.Command, env)
	if err != nil {
		return nil, nil, err
	}
	nations := make([]string, len(events))
	for i, e := range events {
		nations[i] = eventNation(w.db.state, e)
		if nations[i] != "" {
			if err := w.db.ensureKey(ctx, w.t, nations[i]); err != nil {
				return nil, nil, err
			}
		}
	}
	data := make([][]byte, len(events))
	fresh := make([]*sealedRow, len(events))
	err = forEach(len(events), func(i int) (err error) {
		data[i], fresh[i], err = w.db.encodeEvent(events[i], nations[i])
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("the command cannot be recorded: %w", err)
	}
	for i, e := range events {
		if e.Data.Person != nil {
			w.db.remember(e.Data.Person, fresh[i])
		}
	}
	return events, data, nil
}

func replay(key, fingerprint string, p pending) (airbridge.Receipt, error) {
	if fingerprint != p.fingerprint {
		return airbridge.Receipt{}, airbridge.KeyReused(key)
	}
	r := p.receipt
	r.Replayed = true
	if p.refusal != nil {
		return r, p.refusal
	}
	return r, nil
}

// flushRows writes the read row of every entity the batch touched, as the
// state now has it.
func (w *batchWriter) flushRows(ctx context.Context) error {
	s := w.db.state
	nations := map[string]bool{}
	// The persons' rows are sealed and encoded at once, then written in
	// the order of their ids.
	var persons []*airbridge.Person
	for ref := range w.touched {
		if ref.Kind == "person" {
			persons = append(persons, s.Persons[ref.ID])
		}
	}
	slices.SortFunc(persons, func(a, b *airbridge.Person) int { return strings.Compare(a.ID, b.ID) })
	rows := make([][]byte, len(persons))
	fresh := make([]*sealedRow, len(persons))
	err := forEach(len(persons), func(i int) error {
		last, ok := w.db.rowSeals[persons[i].ID]
		stored, f, err := w.db.rowPerson(persons[i], last, ok)
		if err != nil {
			return err
		}
		rows[i], fresh[i] = mustJSON(stored), f
		return nil
	})
	if err != nil {
		return err
	}
	for i, p := range persons {
		w.db.remember(p, fresh[i])
		nations[p.Nation] = true
		args := []any{p.ID, p.GroupID, string(p.Stage), p.FlightID, p.StageSince.Format(time.RFC3339Nano), rows[i]}
		if w.newPersons[p.ID] {
			err = w.t.append(ctx, stInsertPerson, args...)
		} else {
			err = w.t.exec(ctx, stUpdatePerson, args...)
		}
		if err != nil {
			return fmt.Errorf("write person %s: %w", p.ID, err)
		}
	}
	for ref := range w.touched {
		var err error
		switch ref.Kind {
		case "person":
			continue
		case "group":
			var stored *airbridge.Group
			stored, serr := w.db.sealedGroup(s.Groups[ref.ID])
			switch {
			case serr != nil:
				err = serr
			case w.newGroups[ref.ID]:
				err = w.t.append(ctx, stInsertGroup, ref.ID, mustJSON(stored))
			default:
				err = w.t.exec(ctx, stGroup, ref.ID, mustJSON(stored))
			}
		case "flight":
			f := s.Flights[ref.ID]
			err = w.t.exec(ctx, stFlight, f.ID, f.Slot.Format(time.RFC3339), mustJSON(f))
		case "site":
			err = w.t.exec(ctx, stSite, ref.ID, mustJSON(s.Sites[ref.ID]))
		case "operation":
			err = w.t.exec(ctx, stOperation, mustJSON(s.Policy))
		case "withdrawal":
			err = w.flushWithdrawal(ctx, s.Withdrawals[ref.ID])
		default:
			err = fmt.Errorf("unknown entity kind %q", ref.Kind)
		}
		if err != nil {
			return fmt.Errorf("write %s %s: %w", ref.Kind, ref.ID, err)
		}
	}
	for nation := range nations {
		if err := w.t.exec(ctx, stClearCounts, nation); err != nil {
			return fmt.Errorf("write counts of %s: %w", nation, err)
		}
		for stage, n := range s.Counts[nation] {
			if err := w.t.exec(ctx, stCount, nation, string(stage), n); err != nil {
				return fmt.Errorf("write counts of %s: %w", nation, err)
			}
		}
	}
	if err := w.t.flushAppends(ctx); err != nil {
		return fmt.Errorf("append rows: %w", err)
	}
	return nil
}

// flushWithdrawal writes a withdrawal's plan if it is new, and the movements
// the table does not have yet: a plan never changes, and movements are only
// added, in their order.
func (w *batchWriter) flushWithdrawal(ctx context.Context, wd *airbridge.Withdrawal) error {
	var plans, stored int
	err := w.t.tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM withdrawals WHERE id = ?1),
		(SELECT count(*) FROM withdrawal_movements WHERE withdrawal_id = ?1)`, wd.Plan.ID).Scan(&plans, &stored)
	if err != nil {
		return err
	}
	if plans == 0 {
		row := *wd
		row.Movements = nil // in their own table
		summary := wd.Summary()
		summary.Movements = 0 // counted when read
		if err := w.t.exec(ctx, stWithdrawal, wd.Plan.ID, mustJSON(row), mustJSON(summary)); err != nil {
			return err
		}
	}
	for _, m := range wd.Movements[min(stored, len(wd.Movements)):] {
		if err := w.t.exec(ctx, stMovement, wd.Plan.ID, m.Number, mustJSON(m)); err != nil {
			return err
		}
	}
	return nil
}

// eventNation is the nation whose data key seals e's personal data and free
// text: that of the person or group it is about, or the operator of the
// flight; "" if it is about none of them.
func eventNation(s *airbridge.State, e airbridge.Event) string {
	switch {
	case e.Data.Person != nil:
		return e.Data.Person.Nation
	case e.Data.Group != nil:
		return e.Data.Group.Nation
	}
	kind, id, _ := strings.Cut(e.Stream, "/")
	switch kind {
	case "person":
		if p, ok := s.Persons[id]; ok {
			return p.Nation
		}
	case "group":
		if g, ok := s.Groups[id]; ok {
			return g.Nation
		}
	case "flight":
		if f, ok := s.Flights[id]; ok {
			return f.Operator
		}
	}
	return ""
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("encode %T: %v", v, err)) // the domain types always encode
	}
	return b
}
