package sqlite

import (
	"cmp"
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

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// loadTables reads the read tables into a state, opening the personal data
// with o. The documents are indexed from the persons opened: the table holds
// blind indexes only.
func loadTables(ctx context.Context, q querier, o opener) (*airbridge.State, error) {
	s := airbridge.NewState()
	var policy []byte
	switch err := q.QueryRowContext(ctx, `SELECT data FROM operation WHERE id = 1`).Scan(&policy); {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, fmt.Errorf("load operation: %w", err)
	default:
		s.Policy = new(airbridge.Policy)
		if err := json.Unmarshal(policy, s.Policy); err != nil {
			return nil, fmt.Errorf("load operation: %w", err)
		}
	}
	if err := loadAll(ctx, q, `SELECT data FROM sites`, func(v *airbridge.Site) { s.Sites[v.ID] = v }); err != nil {
		return nil, err
	}
	if err := loadAll(ctx, q, `SELECT data FROM groups`, func(v *airbridge.Group) { o.group(v); s.Groups[v.ID] = v }); err != nil {
		return nil, err
	}
	if err := loadAll(ctx, q, `SELECT data FROM flights`, func(v *airbridge.Flight) { s.Flights[v.ID] = v }); err != nil {
		return nil, err
	}
	if err := loadAll(ctx, q, `SELECT data FROM withdrawals`, func(v *airbridge.Withdrawal) {
		v.Movements = []airbridge.Movement{}
		s.Withdrawals[v.Plan.ID] = v
	}); err != nil {
		return nil, err
	}
	if err := loadMovements(ctx, q, `SELECT withdrawal_id, data FROM withdrawal_movements ORDER BY withdrawal_id, number`, s.Withdrawals); err != nil {
		return nil, err
	}
	err := loadAll(ctx, q, `SELECT data FROM persons`, func(v *airbridge.Person) {
		o.person(v)
		s.Persons[v.ID] = v
		for _, d := range v.Documents {
			s.Documents[d.Number] = v.ID
		}
	})
	if err != nil {
		return nil, err
	}
	if s.Counts, err = readCounts(ctx, q); err != nil {
		return nil, err
	}
	return s, nil
}

func loadAll[T any](ctx context.Context, q querier, query string, put func(*T), args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", query, err)
	}
	defer rows.Close()
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return fmt.Errorf("%s: %w", query, err)
		}
		v := new(T)
		if err := json.Unmarshal(data, v); err != nil {
			return fmt.Errorf("%s: %w", query, err)
		}
		put(v)
	}
	return rows.Err()
}

func getOne[T any](ctx context.Context, q querier, what, id, query string, args ...any) (*T, error) {
	var data []byte
	err := q.QueryRowContext(ctx, query, args...).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, airbridge.Errorf(airbridge.ENOTFOUND, "%s %q does not exist", what, id).With(what+"_id", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w", what, id, err)
	}
	v := new(T)
	if err := json.Unmarshal(data, v); err != nil {
		return nil, fmt.Errorf("read %s %s: %w", what, id, err)
	}
	return v, nil
}

// Policy returns the operation's policy. Returns ENOTFOUND if the operation is
// not configured.
func (db *DB) Policy(ctx context.Context) (*airbridge.Policy, error) {
	return getOne[airbridge.Policy](ctx, db.r, "operation", "1", `SELECT data FROM operation WHERE id = 1`)
}

// Person returns the person with the given id. Returns ENOTFOUND if there is
// none.
func (db *DB) Person(ctx context.Context, id string) (*airbridge.Person, error) {
	p, err := getOne[airbridge.Person](ctx, db.r, "person", id, `SELECT data FROM persons WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	db.opener().person(p)
	return p, nil
}

func (db *DB) opener() opener { return opener{db.keyring} }

// PersonByDocument returns the person who holds the document with the given
// number. Returns ENOTFOUND if nobody does.
func (db *DB) PersonByDocument(ctx context.Context, number string) (*airbridge.Person, error) {
	n := airbridge.NormalizeDocumentNumber(number)
	notFound := airbridge.Errorf(airbridge.ENOTFOUND, "no person holds document %q", n).With("document", n)
	indexes := db.keyring.BlindIndexes(n)
	if len(indexes) == 0 {
		return nil, notFound
	}
	args := make([]any, len(indexes))
	for i, x := range indexes {
		args[i] = x
	}
	p, err := getOne[airbridge.Person](ctx, db.r, "document", n,
		`SELECT p.data FROM documents d JOIN persons p ON p.id = d.person_id WHERE d.number IN (?`+strings.Repeat(", ?", len(args)-1)+`)`, args...)
	if airbridge.ErrorCode(err) == airbridge.ENOTFOUND {
		return nil, notFound
	}
	if err != nil {
		return nil, err
	}
	db.opener().person(p)
	return p, nil
}

// Group returns a group with its members. Returns ENOTFOUND if there is none.
func (db *DB) Group(ctx context.Context, id string) (*airbridge.GroupView, error) {
	tx, err := db.r.BeginTx(ctx, nil) // the group and its members at one instant
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	g, err := getOne[airbridge.Group](ctx, tx, "group", id, `SELECT data FROM groups WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	o := db.opener()
	o.group(g)
	v := &airbridge.GroupView{Group: *g, Persons: []airbridge.Person{}}
	for _, m := range g.Members {
		p, err := getOne[airbridge.Person](ctx, tx, "person", m, `SELECT data FROM persons WHERE id = ?`, m)
		if err != nil {
			return nil, fmt.Errorf("read group %s: %w", id, err)
		}
		o.person(p)
		v.Persons = append(v.Persons, *p)
	}
	return v, nil
}

// History returns the events of a person's stream, oldest first. Returns
// ENOTFOUND if the person does not exist.
func (db *DB) History(ctx context.Context, personID string) ([]airbridge.Event, error) {
	if _, err := db.Person(ctx, personID); err != nil {
		return nil, err
	}
	return db.readEvents(ctx, `SELECT seq, stream, type, data, actor, site, key, time FROM events WHERE stream = ? ORDER BY seq`,
		airbridge.PersonStream(personID))
}

// Events returns up to limit ledger events after seq, oldest first.
func (db *DB) Events(ctx context.Context, after int64, limit int) ([]airbridge.Event, error) {
	return db.readEvents(ctx, `SELECT seq, stream, type, data, actor, site, key, time FROM events WHERE seq > ? ORDER BY seq LIMIT ?`,
		after, limit)
}

func (db *DB) readEvents(ctx context.Context, query string, args ...any) ([]airbridge.Event, error) {
	rows, err := db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	defer rows.Close()
	events := []airbridge.Event{}
	for rows.Next() {
		e, _, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		db.opener().event(&e)
		events = append(events, e)
	}
	return events, rows.Err()
}

// scanEvent reads an event as stored; raw is its data column.
func scanEvent(rows *sql.Rows, extra ...any) (e airbridge.Event, raw []byte, err error) {
	var t string
	if err := rows.Scan(append([]any{&e.Seq, &e.Stream, &e.Type, &raw, &e.Actor, &e.Site, &e.Key, &t}, extra...)...); err != nil {
		return e, nil, fmt.Errorf("read event: %w", err)
	}
	if err := json.Unmarshal(raw, &e.Data); err != nil {
		return e, nil, fmt.Errorf("read event %d: %w", e.Seq, err)
	}
	if e.Time, err = time.Parse(time.RFC3339Nano, t); err != nil {
		return e, nil, fmt.Errorf("read event %d: %w", e.Seq, err)
	}
	return e, raw, nil
}

// Flight returns a flight with its manifest (those manifested, boarded, or
// carried). Returns ENOTFOUND if there is none.
func (db *DB) Flight(ctx context.Context, id string) (*airbridge.FlightView, error) {
	f, err := getOne[airbridge.Flight](ctx, db.r, "flight", id, `SELECT data FROM flights WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	v := &airbridge.FlightView{Flight: *f, Manifest: []airbridge.Person{}}
	o := db.opener()
	err = loadAll(ctx, db.r, `SELECT data FROM persons WHERE flight_id = ? ORDER BY group_id, id`,
		func(p *airbridge.Person) { o.person(p); v.Manifest = append(v.Manifest, *p) }, id)
	if err != nil {
		return nil, fmt.Errorf("read manifest of %s: %w", id, err)
	}
	return v, nil
}

// Flights returns every flight, by slot time.
func (db *DB) Flights(ctx context.Context) ([]airbridge.Flight, error) {
	var fs []airbridge.Flight
	err := loadAll(ctx, db.r, `SELECT data FROM flights ORDER BY slot, id`, func(f *airbridge.Flight) { fs = append(fs, *f) })
	return fs, err
}

// Sites returns every site, by id.
func (db *DB) Sites(ctx context.Context) ([]airbridge.Site, error) {
	var ss []airbridge.Site
	err := loadAll(ctx, db.r, `SELECT data FROM sites ORDER BY id`, func(s *airbridge.Site) { ss = append(ss, *s) })
	return ss, err
}

// Pipeline returns the counts of persons by nation × stage.
func (db *DB) Pipeline(ctx context.Context) (*airbridge.Pipeline, error) {
	counts, err := readCounts(ctx, db.r)
	if err != nil {
		return nil, err
	}
	p := &airbridge.Pipeline{Stages: airbridge.Stages, Nations: counts, Totals: map[airbridge.Stage]int{}}
	for _, byStage := range counts {
		for stage, n := range byStage {
			p.Totals[stage] += n
			p.Total += n
		}
	}
	return p, nil
}

// readCounts reads the persons by nation and stage.
func readCounts(ctx context.Context, q querier) (map[string]map[airbridge.Stage]int, error) {
	rows, err := q.QueryContext(ctx, `SELECT nation, stage, n FROM pipeline`)
	if err != nil {
		return nil, fmt.Errorf("read pipeline: %w", err)
	}
	defer rows.Close()
	counts := map[string]map[airbridge.Stage]int{}
	for rows.Next() {
		var nation string
		var stage airbridge.Stage
		var n int
		if err := rows.Scan(&nation, &stage, &n); err != nil {
			return nil, fmt.Errorf("read pipeline: %w", err)
		}
		if counts[nation] == nil {
			counts[nation] = map[airbridge.Stage]int{}
		}
		counts[nation][stage] = n
	}
	return counts, rows.Err()
}

// StagedQueue returns the groups whose members are all staged, by priority,
// then by the time they have waited; at most limit of them.
func (db *DB) StagedQueue(ctx context.Context, limit int) ([]airbridge.StagedGroup, error) {
	tx, err := db.r.BeginTx(ctx, nil) // persons and groups at one instant
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	policy, err := getOne[airbridge.Policy](ctx, tx, "operation", "1", `SELECT data FROM operation WHERE id = 1`)
	if airbridge.ErrorCode(err) == airbridge.ENOTFOUND {
		return []airbridge.StagedGroup{}, nil // not configured: nobody is staged
	}
	if err != nil {
		return nil, err
	}
	rank := map[string]int{}
	for _, c := range policy.Categories {
		rank[c.Code] = c.Rank
	}
	// Only the fields the queue needs: decoding every staged person's row
	// and reading each group on its own took half a second with 30,000
	// staged.
	// One parse of a person's row for its three fields.
	rows, err := tx.QueryContext(ctx, `SELECT id, group_id, stage_since, json_extract(data, '$.nation', '$.category', '$.needs.litter')
		FROM persons WHERE stage = 'staged' ORDER BY stage_since`)
	if err != nil {
		return nil, fmt.Errorf("staged queue: %w", err)
	}
	defer rows.Close()
	byGroup := map[string]*airbridge.StagedGroup{}
	var order []string
	for rows.Next() {
		var id, group, since string
		var fields []byte
		if err := rows.Scan(&id, &group, &since, &fields); err != nil {
			return nil, fmt.Errorf("staged queue: %w", err)
		}
		staged, err := time.Parse(time.RFC3339Nano, since)
		if err != nil {
			return nil, fmt.Errorf("staged queue: person %s: %w", id, err)
		}
		var f struct {
			nation, category string
			litter           bool
		}
		if err := json.Unmarshal(fields, &[]any{&f.nation, &f.category, &f.litter}); err != nil {
			return nil, fmt.Errorf("staged queue: person %s: %w", id, err)
		}
		g, ok := byGroup[group]
		if !ok {
			g = &airbridge.StagedGroup{GroupID: group, Nation: f.nation, Priority: rank[f.category]}
			byGroup[group] = g
			order = append(order, group)
		}
		g.Size++
		g.Persons = append(g.Persons, id)
		g.Priority = min(g.Priority, rank[f.category])
		if f.litter {
			g.Litters++
		}
		if staged.After(g.StagedSince) {
			g.StagedSince = staged
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("staged queue: %w", err)
	}
	// A group is in the queue when all its members are staged.
	members := make(map[string]int, len(order))
	sizes, err := tx.QueryContext(ctx, `SELECT id, json_array_length(data, '$.members') FROM groups
		WHERE id IN (SELECT group_id FROM persons WHERE stage = 'staged')`)
	if err != nil {
		return nil, fmt.Errorf("staged queue: %w", err)
	}
	defer sizes.Close()
	for sizes.Next() {
		var id string
		var n int
		if err := sizes.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("staged queue: %w", err)
		}
		members[id] = n
	}
	if err := sizes.Err(); err != nil {
		return nil, fmt.Errorf("staged queue: %w", err)
	}
	queue := make([]airbridge.StagedGroup, 0, len(order))
	for _, id := range order {
		if sg := byGroup[id]; members[id] == sg.Size {
			queue = append(queue, *sg)
		}
	}
	slices.SortStableFunc(queue, func(a, b airbridge.StagedGroup) int {
		return cmp.Or(cmp.Compare(a.Priority, b.Priority), a.StagedSince.Compare(b.StagedSince), cmp.Compare(a.GroupID, b.GroupID))
	})
	if len(queue) > limit {
		queue = queue[:limit]
	}
	return queue, nil
}

// NationOf returns the nation a person or group belongs to, or the operator
// of a flight; kind is "person", "group" or "flight". Returns ENOTFOUND if
// there is no such entity.
func (db *DB) NationOf(ctx context.Context, kind, id string) (string, error) {
	var q string
	switch kind {
	case "person":
		q = `SELECT json_extract(data, '$.nation') FROM persons WHERE id = ?`
	case "group":
		q = `SELECT json_extract(data, '$.nation') FROM groups WHERE id = ?`
	case "flight":
		q = `SELECT json_extract(data, '$.operator') FROM flights WHERE id = ?`
	default:
		return "", fmt.Errorf("nation of a %s: unknown kind", kind)
	}
	var nation string
	err := db.r.QueryRowContext(ctx, q, id).Scan(&nation)
	if errors.Is(err, sql.ErrNoRows) {
		return "", airbridge.Errorf(airbridge.ENOTFOUND, "%s %q does not exist", kind, id).With(kind+"_id", id)
	}
	return nation, err
}

// LastSeq returns the position of the ledger's last event, 0 if it has none.
func (db *DB) LastSeq(ctx context.Context) (int64, error) {
	var seq int64
	err := db.r.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM events`).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("read the ledger's last position: %w", err)
	}
	return seq, nil
}

// Withdrawal returns the withdrawal plan with the given id and the movements
// recorded against it.
func (db *DB) Withdrawal(ctx context.Context, id string) (*airbridge.Withdrawal, error) {
	tx, err := db.r.BeginTx(ctx, nil) // the plan and its movements at one instant
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	w, err := getOne[airbridge.Withdrawal](ctx, tx, "withdrawal", id, `SELECT data FROM withdrawals WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	w.Movements = []airbridge.Movement{}
	err = loadMovements(ctx, tx, `SELECT withdrawal_id, data FROM withdrawal_movements WHERE withdrawal_id = ? ORDER BY number`,
		map[string]*airbridge.Withdrawal{id: w}, id)
	return w, err
}

// loadMovements appends each movement row to its withdrawal in ws.
func loadMovements(ctx context.Context, q querier, query string, ws map[string]*airbridge.Withdrawal, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("read movements: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var data []byte
		if err := rows.Scan(&id, &data); err != nil {
			return fmt.Errorf("read movements: %w", err)
		}
		w, ok := ws[id]
		if !ok {
			return fmt.Errorf("read movements: withdrawal %s has movements and no plan", id)
		}
		var m airbridge.Movement
		if err := json.Unmarshal(data, &m); err != nil {
			return fmt.Errorf("read movements of %s: %w", id, err)
		}
		w.Movements = append(w.Movements, m)
	}
	return rows.Err()
}

// Withdrawals returns every withdrawal plan in figures, by id.
func (db *DB) Withdrawals(ctx context.Context) ([]airbridge.WithdrawalSummary, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT summary, (SELECT count(*) FROM withdrawal_movements m WHERE m.withdrawal_id = w.id)
		FROM withdrawals w ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("read withdrawals: %w", err)
	}
	defer rows.Close()
	out := []airbridge.WithdrawalSummary{}
	for rows.Next() {
		var summary []byte
		var movements int
		if err := rows.Scan(&summary, &movements); err != nil {
			return nil, fmt.Errorf("read withdrawals: %w", err)
		}
		var s airbridge.WithdrawalSummary
		if err := json.Unmarshal(summary, &s); err != nil {
			return nil, fmt.Errorf("read withdrawals: %w", err)
		}
		s.Movements = movements
		out = append(out, s)
	}
	return out, rows.Err()
}

// awaitingWhere selects who waits for a screening decision, of nation ?1
// unless it is empty; its first term is the condition of the index
// persons_waiting, which SQLite needs to see to use it.
const awaitingWhere = `stage IN ('at_gate', 'screened') AND (stage = 'at_gate' OR json_extract(data, '$.screening') = 'referred')
	AND (?1 = '' OR json_extract(data, '$.nation') = ?1)`

const awaitingQuery = `SELECT data FROM persons WHERE ` + awaitingWhere + ` ORDER BY stage_since, id LIMIT ?2`

// AwaitingScreening returns who waits for a screening decision (at a gate,
// or screened and referred), the longest waiting first, at most limit of
// them, and how many wait in all; of one nation, unless nation is empty.
func (db *DB) AwaitingScreening(ctx context.Context, nation string, limit int) ([]airbridge.Person, int, error) {
	tx, err := db.r.BeginTx(ctx, nil) // the list and its count at one instant
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM persons WHERE `+awaitingWhere, nation).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count the persons awaiting screening: %w", err)
	}
	o := db.opener()
	waiting := []airbridge.Person{}
	err = loadAll(ctx, tx, awaitingQuery,
		func(p *airbridge.Person) { o.person(p); waiting = append(waiting, *p) }, nation, max(limit, 0))
	return waiting, total, err
}
