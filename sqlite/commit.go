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

// txn holds the prepared statements of one write transaction.
type txn struct {
	tx                                         *sql.Tx
	event, command, lookup, doc                *sql.Stmt
	person, group, flight, site, operationStmt *sql.Stmt
}

func (db *DB) begin(ctx context.Context) (*txn, error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	t := &txn{tx: tx}
	for _, p := range []struct {
		dst **sql.Stmt
		sql string
	}{
		{&t.event, `INSERT INTO events (seq, stream, type, data, actor, site, key, time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`},
		{&t.command, `INSERT INTO commands (key, fingerprint, outcome, first_seq, last_seq) VALUES (?, ?, ?, ?, ?)`},
		{&t.lookup, `SELECT fingerprint, outcome, first_seq, last_seq FROM commands WHERE key = ?`},
		{&t.doc, `INSERT INTO documents (number, person_id) VALUES (?, ?)`},
		{&t.person, `INSERT INTO persons (id, group_id, nation, stage, flight_id, stage_since, data) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET group_id = excluded.group_id, nation = excluded.nation, stage = excluded.stage,
			flight_id = excluded.flight_id, stage_since = excluded.stage_since, data = excluded.data`},
		{&t.group, `INSERT INTO groups (id, nation, data) VALUES (?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET nation = excluded.nation, data = excluded.data`},
		{&t.flight, `INSERT INTO flights (id, status, slot, data) VALUES (?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET status = excluded.status, slot = excluded.slot, data = excluded.data`},
		{&t.site, `INSERT INTO sites (id, data) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data`},
		{&t.operationStmt, `INSERT INTO operation (id, data) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data`},
	} {
		if *p.dst, err = tx.PrepareContext(ctx, p.sql); err != nil {
			tx.Rollback()
			return nil, err
		}
	}
	return t, nil
}

// commit decides the batch's submissions in order against the state, appends
// their events and read rows in one transaction, and answers every request.
// A refused submission changes nothing. If the transaction fails, every
// submission in it fails and the state is reloaded from the file.
func (db *DB) commit(batch []*request) {
	ctx := context.Background()
	replies := make([][]result, len(batch))
	fail := func(err error) {
		for i, req := range batch {
			replies[i] = make([]result, len(req.subs))
			for j := range replies[i] {
				replies[i][j].err = err
			}
			req.reply <- replies[i]
		}
		if rerr := db.reload(ctx); rerr != nil {
			// The state cannot be trusted any more; refuse further writes
			// rather than decide against it.
			db.state = nil
		}
	}
	if db.state == nil {
		fail(airbridge.Errorf(airbridge.EINTERNAL, "the database could not be reloaded after a failed write; restart airbridge"))
		return
	}
	t, err := db.begin(ctx)
	if err != nil {
		fail(fmt.Errorf("begin: %w", err))
		return
	}
	w := &batchWriter{t: t, db: db, touched: map[airbridge.Ref]bool{}, keys: map[string]*pending{}}
	seq0, appended := db.seq, int64(0)
	for i, req := range batch {
		replies[i] = make([]result, len(req.subs))
		for j, sub := range req.subs {
			r, err := w.one(ctx, sub)
			if err != nil && req.atomic {
				t.tx.Rollback()
				db.seq = seq0
				fail(err)
				return
			}
			var e *airbridge.Error
			if err != nil && !errors.As(err, &e) { // a storage or ledger fault
				t.tx.Rollback()
				db.seq = seq0
				fail(err)
				return
			}
			replies[i][j] = result{receipt: r, err: err}
		}
	}
	appended = db.seq - seq0
	if err := w.flushRows(ctx); err != nil {
		t.tx.Rollback()
		db.seq = seq0
		fail(err)
		return
	}
	if err := t.tx.Commit(); err != nil {
		db.seq = seq0
		fail(fmt.Errorf("commit: %w", err))
		return
	}
	db.appended.Add(appended)
	for i, req := range batch {
		req.reply <- replies[i]
	}
}

type pending struct {
	fingerprint string
	receipt     airbridge.Receipt
}

type batchWriter struct {
	t       *txn
	db      *DB
	touched map[airbridge.Ref]bool
	keys    map[string]*pending // keys used earlier in this transaction
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
		env.Time = w.db.now().UTC()
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
	for ref := range w.touched {
		var err error
		switch ref.Kind {
		case "person":
			p := s.Persons[ref.ID]
			_, err = w.t.person.ExecContext(ctx, p.ID, p.GroupID, p.Nation, string(p.Stage), p.FlightID, p.StageSince.Format(time.RFC3339Nano), mustJSON(p))
		case "group":
			g := s.Groups[ref.ID]
			_, err = w.t.group.ExecContext(ctx, g.ID, g.Nation, mustJSON(g))
		case "flight":
			f := s.Flights[ref.ID]
			_, err = w.t.flight.ExecContext(ctx, f.ID, string(f.Status), f.Slot.Format(time.RFC3339), mustJSON(f))
		case "site":
			_, err = w.t.site.ExecContext(ctx, ref.ID, mustJSON(s.Sites[ref.ID]))
		case "operation":
			_, err = w.t.operationStmt.ExecContext(ctx, mustJSON(s.Policy))
		default:
			err = fmt.Errorf("unknown entity kind %q", ref.Kind)
		}
		if err != nil {
			return fmt.Errorf("write %s %s: %w", ref.Kind, ref.ID, err)
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
