package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"airbridge"
)

// statements are the writer's prepared statements, prepared once on its one
// connection and bound to each transaction.
type statements struct {
	event, command, lookup, doc                     *sql.Stmt
	insertPerson, updatePerson, group, flight, site *sql.Stmt
	operation, clearCounts, count                   *sql.Stmt
}

func prepare(ctx context.Context, w *sql.DB) (*statements, error) {
	st := &statements{}
	for _, p := range []struct {
		dst **sql.Stmt
		sql string
	}{
		{&st.event, `INSERT INTO events (seq, stream, type, data, actor, site, key, time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`},
		{&st.command, `INSERT INTO commands (key, fingerprint, outcome, first_seq, last_seq) VALUES (?, ?, ?, ?, ?)`},
		{&st.lookup, `SELECT fingerprint, outcome, first_seq, last_seq FROM commands WHERE key = ?`},
		{&st.doc, `INSERT INTO documents (number, person_id) VALUES (?, ?)`},
		{&st.insertPerson, `INSERT INTO persons (id, group_id, nation, stage, flight_id, stage_since, data) VALUES (?, ?, ?, ?, ?, ?, ?)`},
		{&st.updatePerson, `UPDATE persons SET group_id = ?2, nation = ?3, stage = ?4, flight_id = ?5, stage_since = ?6, data = ?7 WHERE id = ?1`},
		{&st.group, `INSERT INTO groups (id, nation, data) VALUES (?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET nation = excluded.nation, data = excluded.data`},
		{&st.flight, `INSERT INTO flights (id, status, slot, data) VALUES (?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET status = excluded.status, slot = excluded.slot, data = excluded.data`},
		{&st.site, `INSERT INTO sites (id, data) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data`},
		{&st.operation, `INSERT INTO operation (id, data) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data`},
		{&st.clearCounts, `DELETE FROM pipeline WHERE nation = ?`},
		{&st.count, `INSERT INTO pipeline (nation, stage, n) VALUES (?, ?, ?)`},
	} {
		var err error
		if *p.dst, err = w.PrepareContext(ctx, p.sql); err != nil {
			st.close()
			return nil, fmt.Errorf("prepare: %w", err)
		}
	}
	return st, nil
}

func (st *statements) close() {
	for _, s := range []*sql.Stmt{st.event, st.command, st.lookup, st.doc, st.insertPerson, st.updatePerson,
		st.group, st.flight, st.site, st.operation, st.clearCounts, st.count} {
		if s != nil {
			s.Close()
		}
	}
}

// txn is one write transaction with the statements bound to it.
type txn struct {
	tx *sql.Tx
	statements
}

func (db *DB) begin(ctx context.Context) (*txn, error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	t := &txn{tx: tx}
	// On the writer's one connection, Tx.Stmt reuses the prepared statement.
	for _, p := range []struct{ dst, src **sql.Stmt }{
		{&t.event, &db.stmts.event}, {&t.command, &db.stmts.command}, {&t.lookup, &db.stmts.lookup}, {&t.doc, &db.stmts.doc},
		{&t.insertPerson, &db.stmts.insertPerson}, {&t.updatePerson, &db.stmts.updatePerson}, {&t.group, &db.stmts.group},
		{&t.flight, &db.stmts.flight}, {&t.site, &db.stmts.site}, {&t.operation, &db.stmts.operation},
		{&t.clearCounts, &db.stmts.clearCounts}, {&t.count, &db.stmts.count},
	} {
		*p.dst = tx.StmtContext(ctx, *p.src)
	}
	return t, nil
}

// commit decides the batch's submissions in order against the state, appends
// their events and read rows in one transaction, and answers every request.
// A refused submission changes nothing. If the transaction fails, every
// submission in it fails and the state is reloaded from the file.
func (db *DB) commit(batch []*request) {
	ctx := context.Background()
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
	w := &batchWriter{t: t, db: db, touched: map[airbridge.Ref]bool{}, newPersons: map[string]bool{}, keys: map[string]*pending{}}
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

type pending struct {
	fingerprint string
	receipt     airbridge.Receipt
}

type batchWriter struct {
	t          *txn
	db         *DB
	touched    map[airbridge.Ref]bool
	newPersons map[string]bool     // persons registered in this transaction
	keys       map[string]*pending // keys used earlier in this transaction
}

func (w *batchWriter) one(ctx context.Context, sub airbridge.Submission) (airbridge.Receipt, error) {
	key := sub.Envelope.Key
	if key != "" {
		if p, ok := w.keys[key]; ok {
			return replay(key, sub.Fingerprint, p.fingerprint, p.receipt)
		}
		var fp string
		var r airbridge.Receipt
		err := w.t.lookup.QueryRowContext(ctx, key).Scan(&fp, &r.Outcome, &r.FirstSeq, &r.LastSeq)
		switch {
		case err == nil:
			return replay(key, sub.Fingerprint, fp, r)
		case !errors.Is(err, sql.ErrNoRows):
			return airbridge.Receipt{}, fmt.Errorf("look up key %q: %w", key, err)
		}
	}
	env := sub.Envelope
	if env.Time.IsZero() {
		env.Time = w.db.now()
	}
	env.Time = env.Time.UTC()
	if y := env.Time.Year(); y < 1 || y > 9999 {
		return airbridge.Receipt{}, airbridge.Errorf(airbridge.EINVALID, "command time %s is outside the years 1-9999", env.Time.Format(time.RFC3339))
	}
	events, outcome, err := w.db.state.Execute(sub.Command, env)
	if err != nil {
		var e *airbridge.Error
		if errors.As(err, &e) {
			return airbridge.Receipt{}, err
		}
		return airbridge.Receipt{}, fmt.Errorf("apply: %w", err)
	}
	r := airbridge.Receipt{FirstSeq: w.db.seq + 1}
	for i := range events {
		e := &events[i]
		w.db.seq++
		e.Seq = w.db.seq
		data, err := json.Marshal(e.Data)
		if err != nil {
			return airbridge.Receipt{}, fmt.Errorf("encode event: %w", err)
		}
		if _, err := w.t.event.ExecContext(ctx, e.Seq, e.Stream, e.Type, data, e.Actor, e.Site, e.Key, e.Time.Format(time.RFC3339Nano)); err != nil {
			return airbridge.Receipt{}, fmt.Errorf("append event: %w", err)
		}
		if e.Type == airbridge.PersonRegistered {
			w.newPersons[e.Data.Person.ID] = true
			for _, d := range e.Data.Person.Documents {
				if _, err := w.t.doc.ExecContext(ctx, d.Number, e.Data.Person.ID); err != nil {
					return airbridge.Receipt{}, fmt.Errorf("index document: %w", err)
				}
			}
		}
		for _, ref := range e.Touches() {
			w.touched[ref] = true
		}
	}
	r.LastSeq = w.db.seq
	if r.Outcome, err = json.Marshal(outcome); err != nil {
		return airbridge.Receipt{}, fmt.Errorf("encode outcome: %w", err)
	}
	if key != "" {
		if _, err := w.t.command.ExecContext(ctx, key, sub.Fingerprint, []byte(r.Outcome), r.FirstSeq, r.LastSeq); err != nil {
			return airbridge.Receipt{}, fmt.Errorf("record key: %w", err)
		}
		w.keys[key] = &pending{fingerprint: sub.Fingerprint, receipt: r}
	}
	return r, nil
}

func replay(key, fingerprint, first string, r airbridge.Receipt) (airbridge.Receipt, error) {
	if fingerprint != first {
		return airbridge.Receipt{}, airbridge.KeyReused(key)
	}
	r.Replayed = true
	return r, nil
}

// flushRows writes the read row of every entity the batch touched, as the
// state now has it.
func (w *batchWriter) flushRows(ctx context.Context) error {
	s := w.db.state
	nations := map[string]bool{}
	for ref := range w.touched {
		var err error
		switch ref.Kind {
		case "person":
			p := s.Persons[ref.ID]
			nations[p.Nation] = true
			stmt := w.t.updatePerson
			if w.newPersons[p.ID] {
				stmt = w.t.insertPerson
			}
			_, err = stmt.ExecContext(ctx, p.ID, p.GroupID, p.Nation, string(p.Stage), p.FlightID, p.StageSince.Format(time.RFC3339Nano), mustJSON(p))
		case "group":
			g := s.Groups[ref.ID]
			_, err = w.t.group.ExecContext(ctx, g.ID, g.Nation, mustJSON(g))
		case "flight":
			f := s.Flights[ref.ID]
			_, err = w.t.flight.ExecContext(ctx, f.ID, string(f.Status), f.Slot.Format(time.RFC3339), mustJSON(f))
		case "site":
			_, err = w.t.site.ExecContext(ctx, ref.ID, mustJSON(s.Sites[ref.ID]))
		case "operation":
			_, err = w.t.operation.ExecContext(ctx, mustJSON(s.Policy))
		default:
			err = fmt.Errorf("unknown entity kind %q", ref.Kind)
		}
		if err != nil {
			return fmt.Errorf("write %s %s: %w", ref.Kind, ref.ID, err)
		}
	}
	for nation := range nations {
		if _, err := w.t.clearCounts.ExecContext(ctx, nation); err != nil {
			return fmt.Errorf("write counts of %s: %w", nation, err)
		}
		for stage, n := range s.Counts[nation] {
			if _, err := w.t.count.ExecContext(ctx, nation, string(stage), n); err != nil {
				return fmt.Errorf("write counts of %s: %w", nation, err)
			}
		}
	}
	return nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("encode %T: %v", v, err)) // the domain types always encode
	}
	return b
}
