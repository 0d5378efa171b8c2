package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"airbridge"
)

// t0 is the start of the test operation's clock.
var t0 = time.Date(2021, 8, 20, 10, 0, 0, 0, time.UTC)

func testPolicy() airbridge.Policy {
	return airbridge.Policy{
		Name:       "Kabul test",
		Nations:    []string{"DEU", "USA"},
		Categories: airbridge.DefaultCategories(),
		LoadGuard:  new(0.0), // the store's tests load flights as they like
	}
}

// fixture drives a DB with a deterministic clock: every submission is one
// minute after the previous one.
type fixture struct {
	t   *testing.T
	db  *DB
	ctx context.Context
	n   int
}

func openTest(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Open(context.Background(), path, testKey)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return &fixture{t: t, db: openTest(t, filepath.Join(t.TempDir(), "airbridge.db")), ctx: context.Background()}
}

// sub returns a submission with a unique key, its fingerprint and the next
// tick of the clock.
func (f *fixture) sub(cmd airbridge.Command) airbridge.Submission {
	f.n++
	key := fmt.Sprintf("key-%04d", f.n)
	return airbridge.Submission{
		Command:     cmd,
		Envelope:    airbridge.Envelope{Actor: "tester", Site: "test", Key: key, Time: f.now()},
		Fingerprint: "fp:" + key,
	}
}

func (f *fixture) now() time.Time { return t0.Add(time.Duration(f.n) * time.Minute) }

// do executes cmd and fails the test if it is refused.
func (f *fixture) do(cmd airbridge.Command) airbridge.Receipt {
	f.t.Helper()
	r, err := f.db.Execute(f.ctx, f.sub(cmd))
	if err != nil {
		f.t.Fatalf("Execute(%T %+v): %v", cmd, cmd, err)
	}
	if r.Replayed {
		f.t.Fatalf("Execute(%T): Replayed on a fresh key", cmd)
	}
	return r
}

// refuse executes cmd and checks that it is refused with code.
func (f *fixture) refuse(cmd airbridge.Command, code string) {
	f.t.Helper()
	_, err := f.db.Execute(f.ctx, f.sub(cmd))
	wantCode(f.t, err, code)
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var e *airbridge.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v (%T), want an *airbridge.Error with code %s", err, err, code)
	}
	if e.Code != code {
		t.Fatalf("error code = %s (%v), want %s", e.Code, err, code)
	}
}

func (f *fixture) configure() {
	f.t.Helper()
	f.do(airbridge.ConfigureOperation{Policy: testPolicy()})
	f.do(airbridge.AddSite{Site: airbridge.Site{ID: "gate-1", Name: "Abbey Gate", Kind: airbridge.Gate}})
	f.do(airbridge.AddSite{Site: airbridge.Site{ID: "hold-1", Kind: airbridge.Holding}})
	f.do(airbridge.AddSite{Site: airbridge.Site{ID: "ramp-1", Kind: airbridge.Ramp}})
}

func person(id, category string, docs ...string) airbridge.PersonInput {
	p := airbridge.PersonInput{ID: id, Surname: "Surname " + id, GivenNames: "Given", Nationality: "AFG", Category: category}
	for _, d := range docs {
		p.Documents = append(p.Documents, airbridge.Document{Type: "passport", Number: d})
	}
	return p
}

func (f *fixture) register(groupID, nation string, persons ...airbridge.PersonInput) airbridge.Receipt {
	f.t.Helper()
	return f.do(airbridge.RegisterGroup{GroupInput: airbridge.GroupInput{ID: groupID, Name: "Family " + groupID, Nation: nation, Persons: persons}})
}

// stage walks one person from registered to staged.
func (f *fixture) stage(personID string) {
	f.t.Helper()
	f.do(airbridge.Scan{PersonID: personID, Site: "gate-1"})
	f.do(airbridge.Screen{PersonID: personID, Decision: airbridge.Cleared})
	f.do(airbridge.Scan{PersonID: personID, Site: "hold-1"})
}

func (f *fixture) eventCount() int {
	f.t.Helper()
	return countEvents(f.t, f.db)
}

func countEvents(t *testing.T, db *DB) int {
	t.Helper()
	es, err := db.Events(context.Background(), 0, -1)
	if err != nil {
		t.Fatalf("Events: %v", err)
	}
	return len(es)
}

func countRows(t *testing.T, db *DB, table string) int {
	t.Helper()
	var n int
	if err := db.r.QueryRowContext(context.Background(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func verifyClean(t *testing.T, db *DB) {
	t.Helper()
	diffs, err := db.Verify(context.Background())
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if len(diffs) > 0 {
		t.Fatalf("Verify found %d differences:\n%s", len(diffs), strings.Join(diffs, "\n"))
	}
}

func mustMarshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestOpenCreatesAndMigrates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.db")
	db := openTest(t, path)
	if db.Path() != path {
		t.Errorf("Path() = %q, want %q", db.Path(), path)
	}
	for _, table := range []string{"events", "commands", "operation", "sites", "groups", "persons", "documents", "flights",
		"data_keys", "users", "tokens", "sessions", "audit"} {
		if n := countRows(t, db, table); n != 0 {
			t.Errorf("table %s has %d rows in a new database, want 0", table, n)
		}
	}
	var versions []int
	rows, err := db.r.Query(`SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		versions = append(versions, v)
	}
	rows.Close()
	if !slices.Equal(versions, []int{1, 2, 3, 4, 5, 6}) {
		t.Errorf("schema_migrations = %v, want [1 2 3 4 5 6]", versions)
	}
	var keyID string
	if err := db.r.QueryRow(`SELECT value FROM meta WHERE key = 'master_key_id'`).Scan(&keyID); err != nil || keyID != testKey.ID() {
		t.Errorf("meta master_key_id = %q (%v), want %q", keyID, err, testKey.ID())
	}
	var mode string
	if err := db.w.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Errorf("journal_mode = %q, want wal", mode)
	}
	if _, err := db.Policy(context.Background()); airbridge.ErrorCode(err) != airbridge.ENOTFOUND {
		t.Errorf("Policy on a new database: err = %v, want ENOTFOUND", err)
	}
	// Nothing but configuring is accepted before the operation is configured.
	f := &fixture{t: t, db: db, ctx: context.Background()}
	f.refuse(airbridge.AddSite{Site: airbridge.Site{ID: "gate-1", Kind: airbridge.Gate}}, airbridge.ECONFLICT)
	verifyClean(t, db)
}

func TestReopenKeepsDataAndContinuesSeq(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "reopen.db")
	db, err := Open(ctx, path, testKey)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, db: db, ctx: ctx}
	f.configure()
	f.register("G1", "DEU", person("P1", "own_citizen", "C01X00T47"), person("P2", "at_risk"))
	f.stage("P1")
	f.do(airbridge.ScheduleFlight{FlightInput: airbridge.FlightInput{ID: "F1", Callsign: "GAF100", Operator: "DEU",
		Aircraft: "A400M", Slot: t0.Add(2 * time.Hour), Destination: "Tashkent"}})
	last := f.do(airbridge.Scan{PersonID: "P2", Site: "gate-1"})
	replaySub := f.sub(airbridge.Screen{PersonID: "P2", Decision: airbridge.Cleared})
	first, err := db.Execute(ctx, replaySub)
	if err != nil {
		t.Fatal(err)
	}

	events, err := db.Events(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	p1, _ := db.Person(ctx, "P1")
	p2, _ := db.Person(ctx, "P2")
	g1, _ := db.Group(ctx, "G1")
	flights, _ := db.Flights(ctx)
	sites, _ := db.Sites(ctx)
	policy, _ := db.Policy(ctx)
	pipeline, _ := db.Pipeline(ctx)
	queue, _ := db.StagedQueue(ctx, 10)
	if len(queue) != 0 || pipeline.Total != 2 {
		t.Fatalf("before reopen: queue %+v, pipeline %+v", queue, pipeline)
	}
	before := mustMarshal(t, []any{events, p1, p2, g1, flights, sites, policy, pipeline, queue})
	maxSeq := events[len(events)-1].Seq
	if maxSeq != first.LastSeq || last.LastSeq >= first.FirstSeq {
		t.Fatalf("receipts %+v, %+v do not end at the last event %d", last, first, maxSeq)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	db = openTest(t, path)
	f.db = db
	events, err = db.Events(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	p1, _ = db.Person(ctx, "P1")
	p2, _ = db.Person(ctx, "P2")
	g1, _ = db.Group(ctx, "G1")
	flights, _ = db.Flights(ctx)
	sites, _ = db.Sites(ctx)
	policy, _ = db.Policy(ctx)
	pipeline, _ = db.Pipeline(ctx)
	queue, _ = db.StagedQueue(ctx, 10)
	if after := mustMarshal(t, []any{events, p1, p2, g1, flights, sites, policy, pipeline, queue}); after != before {
		t.Fatalf("after reopen the data differs:\nbefore %s\nafter  %s", before, after)
	}
	if p, err := db.PersonByDocument(ctx, "C01X00T47"); err != nil || p.ID != "P1" {
		t.Fatalf("PersonByDocument after reopen = %v, %v; want P1", p, err)
	}
	verifyClean(t, db)

	// The key survives the reopen.
	again, err := db.Execute(ctx, replaySub)
	if err != nil {
		t.Fatalf("replay after reopen: %v", err)
	}
	if !again.Replayed || !bytes.Equal(again.Outcome, first.Outcome) || again.FirstSeq != first.FirstSeq || again.LastSeq != first.LastSeq {
		t.Fatalf("replay after reopen = %+v, want the first receipt %+v replayed", again, first)
	}

	// The in-memory state was reloaded: rules see the old data, and new
	// events continue the ledger.
	f.refuse(airbridge.RegisterPerson{Nation: "DEU", GroupID: "G9", PersonInput: person("P1", "own_citizen")}, airbridge.ECONFLICT)
	r := f.do(airbridge.Scan{PersonID: "P2", Site: "hold-1"})
	if r.FirstSeq != maxSeq+1 || r.LastSeq != maxSeq+1 {
		t.Fatalf("first receipt after reopen = %d..%d, want %d..%d", r.FirstSeq, r.LastSeq, maxSeq+1, maxSeq+1)
	}
	if p, _ := db.Person(ctx, "P2"); p.Stage != airbridge.Staged || p.Version != 4 {
		t.Fatalf("P2 after reopen and scan = %s v%d, want staged v4", p.Stage, p.Version)
	}
	if got := db.EventsAppended(); got != 1 {
		t.Errorf("EventsAppended after reopen = %d, want 1 (counts this process only)", got)
	}
	verifyClean(t, db)
}

// TestFamilyWalk takes families through the whole pipeline and checks every
// query against what the walk did.
func TestFamilyWalk(t *testing.T) {
	f := newFixture(t)
	ctx, db := f.ctx, f.db
	var receipts []airbridge.Receipt
	do := func(cmd airbridge.Command) airbridge.Receipt {
		t.Helper()
		r := f.do(cmd)
		receipts = append(receipts, r)
		return r
	}
	do(airbridge.ConfigureOperation{Policy: testPolicy()})
	do(airbridge.AddSite{Site: airbridge.Site{ID: "gate-1", Name: "Abbey Gate", Kind: airbridge.Gate}})
	do(airbridge.AddSite{Site: airbridge.Site{ID: "hold-1", Kind: airbridge.Holding}})
	do(airbridge.AddSite{Site: airbridge.Site{ID: "ramp-1", Kind: airbridge.Ramp}})

	// G1 is the family followed end to end; the others fill the queue.
	do(airbridge.RegisterGroup{GroupInput: airbridge.GroupInput{ID: "G1", Name: "Family One", Nation: "DEU", Persons: []airbridge.PersonInput{
		person("P1", "own_citizen", "c01x00t47"), person("P2", "at_risk", "P-123 456"),
	}}})
	do(airbridge.RegisterGroup{GroupInput: airbridge.GroupInput{ID: "G2", Nation: "USA", Persons: []airbridge.PersonInput{person("P3", "third_country")}}})
	do(airbridge.RegisterGroup{GroupInput: airbridge.GroupInput{ID: "G3", Nation: "USA", Persons: []airbridge.PersonInput{person("P4", "own_citizen")}}})
	do(airbridge.RegisterGroup{GroupInput: airbridge.GroupInput{ID: "G4", Nation: "DEU", Persons: []airbridge.PersonInput{person("P5", "allied_citizen")}}})
	do(airbridge.RegisterGroup{GroupInput: airbridge.GroupInput{ID: "G5", Nation: "DEU", Persons: []airbridge.PersonInput{
		person("P6", "own_citizen"), person("P7", "own_citizen"),
	}}})

	walk := func(id string) (stagedAt time.Time) {
		t.Helper()
		scan := do(airbridge.Scan{PersonID: id, Site: "gate-1"})
		var sr airbridge.ScanResult
		if err := json.Unmarshal(scan.Outcome, &sr); err != nil {
			t.Fatal(err)
		}
		if sr.Person.ID != id || sr.Person.Stage != airbridge.AtGate || sr.CalledForward {
			t.Fatalf("gate scan outcome = %s", scan.Outcome)
		}
		do(airbridge.Screen{PersonID: id, Decision: airbridge.Cleared})
		do(airbridge.Scan{PersonID: id, Site: "hold-1"})
		return f.now()
	}
	// Staged in this order; the queue orders by priority first.
	walk("P3") // G2, third_country, rank 4
	walk("P5") // G4, allied_citizen, rank 2
	walk("P1")
	g1Staged := walk("P2") // G1, rank min(1, 3) = 1
	walk("P4")             // G3, own_citizen, rank 1, staged after G1
	walk("P6")             // G5 is incomplete: P7 only reaches the gate
	do(airbridge.Scan{PersonID: "P7", Site: "gate-1"})

	q, err := db.StagedQueue(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var gotQ []string
	for _, g := range q {
		gotQ = append(gotQ, fmt.Sprintf("%s/%d/%d", g.GroupID, g.Priority, g.Size))
	}
	if want := []string{"G1/1/2", "G3/1/1", "G4/2/1", "G2/4/1"}; !slices.Equal(gotQ, want) {
		t.Fatalf("StagedQueue = %v, want %v", gotQ, want)
	}
	if !q[0].StagedSince.Equal(g1Staged) || !slices.Equal(q[0].Persons, []string{"P1", "P2"}) || q[0].Nation != "DEU" {
		t.Errorf("StagedQueue[0] = %+v, want G1 staged at %v with P1, P2", q[0], g1Staged)
	}
	if q2, err := db.StagedQueue(ctx, 2); err != nil || len(q2) != 2 || q2[0].GroupID != "G1" || q2[1].GroupID != "G3" {
		t.Errorf("StagedQueue(limit 2) = %+v, %v; want G1, G3", q2, err)
	}

	do(airbridge.ScheduleFlight{FlightInput: airbridge.FlightInput{ID: "F1", Callsign: "REACH871", Operator: "USA",
		Aircraft: "C-17", Slot: t0.Add(48 * time.Hour), Destination: "Al Udeid"}})
	do(airbridge.ScheduleFlight{FlightInput: airbridge.FlightInput{ID: "F2", Callsign: "GAF100", Operator: "DEU",
		Aircraft: "A400M", Slot: t0.Add(47 * time.Hour), Destination: "Tashkent"}})
	do(airbridge.ManifestGroup{FlightID: "F1", GroupID: "G1"})
	do(airbridge.ManifestGroup{FlightID: "F1", GroupID: "G3"})
	do(airbridge.ManifestGroup{FlightID: "F1", GroupID: "G4"}) // will not show up
	do(airbridge.FlightAction{FlightID: "F1", Action: airbridge.ActionBoarding})
	board := do(airbridge.BoardGroup{FlightID: "F1", GroupID: "G1"})
	var bv airbridge.GroupView
	if err := json.Unmarshal(board.Outcome, &bv); err != nil {
		t.Fatal(err)
	}
	if len(bv.Persons) != 2 || bv.Persons[0].Stage != airbridge.Boarded || bv.Persons[1].Stage != airbridge.Boarded {
		t.Fatalf("BoardGroup outcome = %s", board.Outcome)
	}
	do(airbridge.Scan{PersonID: "P4", Site: "ramp-1"}) // G3 boards at the ramp
	depart := do(airbridge.FlightAction{FlightID: "F1", Action: airbridge.ActionDepart})
	if n := depart.LastSeq - depart.FirstSeq + 1; n != 5 { // 3 departed, 1 no-show, 1 flight
		t.Errorf("depart appended %d events, want 5", n)
	}
	departedAt := f.now()
	do(airbridge.FlightAction{FlightID: "F1", Action: airbridge.ActionArrive})
	arrivedAt := f.now()

	// The receipts tile the ledger.
	for i, r := range receipts {
		if r.FirstSeq > r.LastSeq || (i > 0 && r.FirstSeq != receipts[i-1].LastSeq+1) || (i == 0 && r.FirstSeq != 1) {
			t.Fatalf("receipt %d = %d..%d does not follow %+v", i, r.FirstSeq, r.LastSeq, receipts[max(i-1, 0)])
		}
	}
	total := receipts[len(receipts)-1].LastSeq

	// Person.
	p1, err := db.Person(ctx, "P1")
	if err != nil {
		t.Fatal(err)
	}
	if p1.Stage != airbridge.Arrived || p1.FlightID != "F1" || p1.GroupID != "G1" || p1.Nation != "DEU" ||
		p1.Screening != airbridge.Cleared || p1.Version != 8 || !p1.StageSince.Equal(arrivedAt) || !p1.RegisteredAt.Equal(t0.Add(5*time.Minute)) {
		t.Errorf("Person(P1) = %+v", p1)
	}
	if _, err := db.Person(ctx, "nobody"); airbridge.ErrorCode(err) != airbridge.ENOTFOUND {
		t.Errorf("Person(nobody): err = %v, want ENOTFOUND", err)
	}

	// PersonByDocument normalizes what is typed.
	for _, tc := range []struct{ number, want string }{
		{"C01X00T47", "P1"}, {"c01x 00t47", "P1"}, {" c01x-00t47 ", "P1"}, {"p123456", "P2"}, {"P 123-456", "P2"},
	} {
		p, err := db.PersonByDocument(ctx, tc.number)
		if err != nil || p.ID != tc.want {
			t.Errorf("PersonByDocument(%q) = %v, %v; want %s", tc.number, p, err, tc.want)
		}
	}
	if _, err := db.PersonByDocument(ctx, "x999"); airbridge.ErrorCode(err) != airbridge.ENOTFOUND {
		t.Errorf("PersonByDocument(unknown): err = %v, want ENOTFOUND", err)
	}

	// Group.
	g1, err := db.Group(ctx, "G1")
	if err != nil {
		t.Fatal(err)
	}
	if g1.Group.Name != "Family One" || !slices.Equal(g1.Group.Members, []string{"P1", "P2"}) || len(g1.Persons) != 2 ||
		g1.Persons[0].ID != "P1" || g1.Persons[1].ID != "P2" || g1.Persons[1].Stage != airbridge.Arrived {
		t.Errorf("Group(G1) = %+v", g1)
	}
	if _, err := db.Group(ctx, "G99"); airbridge.ErrorCode(err) != airbridge.ENOTFOUND {
		t.Errorf("Group(G99): err = %v, want ENOTFOUND", err)
	}

	// History.
	hist, err := db.History(ctx, "P1")
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for i, e := range hist {
		types = append(types, e.Type)
		if e.Stream != "person/P1" || (i > 0 && e.Seq <= hist[i-1].Seq) || e.Actor != "tester" || e.Key == "" {
			t.Errorf("History(P1)[%d] = %+v", i, e)
		}
	}
	wantTypes := []string{airbridge.PersonRegistered, airbridge.PersonAtGate, airbridge.PersonScreened, airbridge.PersonStaged,
		airbridge.PersonManifested, airbridge.PersonBoarded, airbridge.PersonDeparted, airbridge.PersonArrived}
	if !slices.Equal(types, wantTypes) {
		t.Errorf("History(P1) types = %v, want %v", types, wantTypes)
	}
	if hist[len(hist)-1].Data.FlightID != "F1" || !hist[len(hist)-1].Time.Equal(arrivedAt) {
		t.Errorf("History(P1) last = %+v", hist[len(hist)-1])
	}
	if _, err := db.History(ctx, "nobody"); airbridge.ErrorCode(err) != airbridge.ENOTFOUND {
		t.Errorf("History(nobody): err = %v, want ENOTFOUND", err)
	}
	h5, _ := db.History(ctx, "P5")
	if len(h5) == 0 || h5[len(h5)-1].Type != airbridge.PersonNoShow {
		t.Errorf("History(P5) should end with a no-show: %+v", h5)
	}

	// Flight with its manifest: the carried, not the no-show.
	fv, err := db.Flight(ctx, "F1")
	if err != nil {
		t.Fatal(err)
	}
	var manifest []string
	for _, p := range fv.Manifest {
		manifest = append(manifest, p.ID+":"+string(p.Stage))
	}
	if want := []string{"P1:arrived", "P2:arrived", "P4:arrived"}; !slices.Equal(manifest, want) {
		t.Errorf("Flight(F1) manifest = %v, want %v", manifest, want)
	}
	ff := fv.Flight
	if ff.Status != airbridge.StatusArrived || ff.Carried != 3 || ff.Manifested != 3 || ff.Boarded != 3 || ff.Seats != 102 ||
		ff.Litters != 36 || ff.Version != 4 || !ff.StatusSince.Equal(arrivedAt) {
		t.Errorf("Flight(F1) = %+v", ff)
	}
	if _, err := db.Flight(ctx, "F9"); airbridge.ErrorCode(err) != airbridge.ENOTFOUND {
		t.Errorf("Flight(F9): err = %v, want ENOTFOUND", err)
	}
	if fv2, err := db.Flight(ctx, "F2"); err != nil || len(fv2.Manifest) != 0 || fv2.Manifest == nil {
		t.Errorf("Flight(F2) = %+v, %v; want an empty, non-nil manifest", fv2, err)
	}

	// Flights by slot.
	flights, err := db.Flights(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(flights) != 2 || flights[0].ID != "F2" || flights[1].ID != "F1" {
		t.Errorf("Flights = %+v, want F2 then F1", flights)
	}
	if sites, err := db.Sites(ctx); err != nil || len(sites) != 3 || sites[0].ID != "gate-1" || sites[0].Name != "Abbey Gate" || sites[1].Name != "hold-1" {
		t.Errorf("Sites = %+v, %v", sites, err)
	}

	// Pipeline.
	pl, err := db.Pipeline(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantTotals := map[airbridge.Stage]int{airbridge.Arrived: 3, airbridge.Staged: 3, airbridge.AtGate: 1}
	if pl.Total != 7 || !reflect.DeepEqual(pl.Totals, wantTotals) {
		t.Errorf("Pipeline totals = %d %v, want 7 %v", pl.Total, pl.Totals, wantTotals)
	}
	wantNations := map[string]map[airbridge.Stage]int{
		"DEU": {airbridge.Arrived: 2, airbridge.Staged: 2, airbridge.AtGate: 1},
		"USA": {airbridge.Arrived: 1, airbridge.Staged: 1},
	}
	if !reflect.DeepEqual(pl.Nations, wantNations) {
		t.Errorf("Pipeline nations = %v, want %v", pl.Nations, wantNations)
	}
	if !slices.Equal(pl.Stages, airbridge.Stages) {
		t.Errorf("Pipeline stages = %v", pl.Stages)
	}

	// The no-show is back in the queue, staged since the departure.
	q, err = db.StagedQueue(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	gotQ = nil
	for _, g := range q {
		gotQ = append(gotQ, g.GroupID)
	}
	if !slices.Equal(gotQ, []string{"G4", "G2"}) || !q[0].StagedSince.Equal(departedAt) {
		t.Errorf("StagedQueue after departure = %v (%+v), want [G4 G2] with G4 staged at %v", gotQ, q, departedAt)
	}

	// Events pages through the ledger.
	all, err := db.Events(ctx, 0, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(all)) != total {
		t.Fatalf("Events(0) has %d events, want %d", len(all), total)
	}
	for i, e := range all {
		if e.Seq != int64(i+1) {
			t.Fatalf("Events[%d].Seq = %d", i, e.Seq)
		}
	}
	if all[0].Type != airbridge.OperationConfigured || all[len(all)-1].Type != airbridge.FlightArrived {
		t.Errorf("Events: first %s, last %s", all[0].Type, all[len(all)-1].Type)
	}
	page, err := db.Events(ctx, 10, 5)
	if err != nil || len(page) != 5 || page[0].Seq != 11 || page[4].Seq != 15 {
		t.Errorf("Events(10, 5) = %d events from %v, %v", len(page), page, err)
	}
	if tail, err := db.Events(ctx, total-2, 100); err != nil || len(tail) != 2 {
		t.Errorf("Events(total-2, 100) = %d events, %v", len(tail), err)
	}
	if none, err := db.Events(ctx, total, 100); err != nil || none == nil || len(none) != 0 {
		t.Errorf("Events(total, 100) = %v, %v; want an empty, non-nil list", none, err)
	}
	if got := db.EventsAppended(); got != total {
		t.Errorf("EventsAppended = %d, want %d", got, total)
	}

	verifyClean(t, db)
}

func TestIdempotency(t *testing.T) {
	f := newFixture(t)
	ctx, db := f.ctx, f.db
	f.configure()
	f.register("G1", "DEU", person("P1", "own_citizen"), person("P2", "own_citizen"))

	sub := f.sub(airbridge.Scan{PersonID: "P1", Site: "gate-1"})
	first, err := db.Execute(ctx, sub)
	if err != nil {
		t.Fatal(err)
	}
	if first.Replayed || first.FirstSeq == 0 || first.LastSeq != first.FirstSeq {
		t.Fatalf("first receipt = %+v", first)
	}
	events := f.eventCount()
	commands := countRows(t, db, "commands")

	// Same key, same fingerprint, even with a later time: the first answer.
	again := sub
	again.Envelope.Time = again.Envelope.Time.Add(time.Hour)
	for i := range 3 {
		r, err := db.Execute(ctx, again)
		if err != nil {
			t.Fatalf("replay %d: %v", i, err)
		}
		if !r.Replayed || !bytes.Equal(r.Outcome, first.Outcome) || r.FirstSeq != first.FirstSeq || r.LastSeq != first.LastSeq {
			t.Fatalf("replay %d = %+v %s, want the first receipt %+v %s", i, r, r.Outcome, first, first.Outcome)
		}
	}
	if n := f.eventCount(); n != events {
		t.Fatalf("replays appended %d events", n-events)
	}
	if p, _ := db.Person(ctx, "P1"); p.Version != 2 || p.Stage != airbridge.AtGate {
		t.Fatalf("P1 after replays = %s v%d, want at_gate v2", p.Stage, p.Version)
	}

	// Same key, another request.
	other := sub
	other.Fingerprint = "fp:something else"
	_, err = db.Execute(ctx, other)
	wantCode(t, err, airbridge.ECONFLICT)
	other.Command = airbridge.Scan{PersonID: "P2", Site: "gate-1"}
	_, err = db.Execute(ctx, other)
	wantCode(t, err, airbridge.ECONFLICT)
	if p, _ := db.Person(ctx, "P2"); p.Stage != airbridge.Registered {
		t.Fatalf("a reused key moved P2 to %s", p.Stage)
	}

	// A refused command records its key with its refusal: a retry is
	// refused alike, and the key cannot be reused for another request.
	bad := f.sub(airbridge.Scan{PersonID: "P2", Site: "hold-1"}) // P2 is not screened
	_, err = db.Execute(ctx, bad)
	wantCode(t, err, airbridge.ECONFLICT)
	firstRefusal := err.Error()
	retried, err := db.Execute(ctx, bad)
	wantCode(t, err, airbridge.ECONFLICT)
	if !retried.Replayed || err.Error() != firstRefusal {
		t.Fatalf("retrying a refused command = %+v, %v; want the first refusal %q, replayed", retried, err, firstRefusal)
	}
	fixed := bad
	fixed.Command = airbridge.Scan{PersonID: "P2", Site: "gate-1"}
	fixed.Fingerprint = "fp:corrected"
	_, err = db.Execute(ctx, fixed)
	wantCode(t, err, airbridge.ECONFLICT)
	if p, _ := db.Person(ctx, "P2"); p.Stage != airbridge.Registered {
		t.Fatalf("a refused key reused for another request moved P2 to %s", p.Stage)
	}
	if n := countRows(t, db, "commands"); n != commands+1 {
		t.Fatalf("commands has %d rows, want %d", n, commands+1)
	}

	// An empty key is never deduplicated.
	noKey := airbridge.Submission{Command: airbridge.Screen{PersonID: "P1", Decision: airbridge.Referred, Reason: "check"}}
	if _, err := db.Execute(ctx, noKey); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Execute(ctx, noKey); err != nil {
		t.Fatalf("second keyless submission: %v", err)
	}
	if hist, _ := db.History(ctx, "P1"); len(hist) != 4 {
		t.Fatalf("P1 history has %d events, want 4 (two screenings)", len(hist))
	}
	verifyClean(t, db)
}

// TestIdempotencyInOneBatch replays a key within one ExecuteAll transaction.
func TestIdempotencyInOneBatch(t *testing.T) {
	f := newFixture(t)
	f.configure()
	s1 := f.sub(airbridge.RegisterPerson{Nation: "DEU", GroupID: "G1", PersonInput: person("P1", "own_citizen")})
	rs, err := f.db.ExecuteAll(f.ctx, []airbridge.Submission{s1, s1})
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].Replayed || !rs[1].Replayed || !bytes.Equal(rs[0].Outcome, rs[1].Outcome) || rs[0].FirstSeq != rs[1].FirstSeq || rs[0].LastSeq != rs[1].LastSeq {
		t.Fatalf("receipts = %+v", rs)
	}
	s2 := s1
	s2.Fingerprint = "other"
	_, err = f.db.ExecuteAll(f.ctx, []airbridge.Submission{f.sub(airbridge.RegisterPerson{Nation: "DEU", GroupID: "G2", PersonInput: person("P2", "own_citizen")}), s2})
	wantCode(t, err, airbridge.ECONFLICT)
	if _, err := f.db.Person(f.ctx, "P2"); airbridge.ErrorCode(err) != airbridge.ENOTFOUND {
		t.Fatalf("P2 after an aborted batch: %v", err)
	}
	verifyClean(t, f.db)
}

func TestRefusedCommandChangesNothing(t *testing.T) {
	f := newFixture(t)
	ctx, db := f.ctx, f.db
	f.configure()
	f.register("G1", "DEU", person("P1", "own_citizen", "AB123"))
	before, err := db.Person(ctx, "P1")
	if err != nil {
		t.Fatal(err)
	}
	events, commands := f.eventCount(), countRows(t, db, "commands")
	refusals := 0
	for _, tc := range []struct {
		cmd  airbridge.Command
		code string
	}{
		{airbridge.Scan{PersonID: "P1", Site: "hold-1"}, airbridge.ECONFLICT},     // invalid transition
		{airbridge.Scan{PersonID: "P1", Site: "ramp-1"}, airbridge.ECONFLICT},     // not manifested
		{airbridge.Scan{PersonID: "P1", Site: "nowhere"}, airbridge.ENOTFOUND},    // unknown site
		{airbridge.Screen{PersonID: "P1", Decision: "maybe"}, airbridge.EINVALID}, // bad decision
		{airbridge.Screen{PersonID: "P1", Decision: airbridge.Cleared}, airbridge.ECONFLICT},
		{airbridge.RegisterPerson{Nation: "DEU", GroupID: "G2", PersonInput: person("P2", "own_citizen", "ab 123")}, airbridge.ECONFLICT}, // document taken
		{airbridge.RegisterPerson{Nation: "FRA", GroupID: "G2", PersonInput: person("P2", "own_citizen")}, airbridge.EINVALID},
		{airbridge.ConfigureOperation{Policy: testPolicy()}, airbridge.ECONFLICT},
		{airbridge.ManifestGroup{FlightID: "F1", GroupID: "G1"}, airbridge.ENOTFOUND},
	} {
		f.refuse(tc.cmd, tc.code)
		refusals++
	}
	after, err := db.Person(ctx, "P1")
	if err != nil {
		t.Fatal(err)
	}
	if a, b := mustMarshal(t, after), mustMarshal(t, before); a != b {
		t.Errorf("P1 changed:\nbefore %s\nafter  %s", b, a)
	}
	if n := f.eventCount(); n != events {
		t.Errorf("refused commands appended %d events", n-events)
	}
	if n := countRows(t, db, "commands"); n != commands+refusals {
		t.Errorf("%d refused commands recorded %d keys, want one each", refusals, n-commands)
	}
	if n := countRows(t, db, "persons"); n != 1 {
		t.Errorf("persons has %d rows, want 1", n)
	}
	if db.EventsAppended() != int64(events) {
		t.Errorf("EventsAppended = %d, want %d", db.EventsAppended(), events)
	}
	// The writer still works, and decides against the unchanged state.
	f.do(airbridge.Scan{Document: "ab123", Site: "gate-1"})
	verifyClean(t, db)
}

func TestGroupCommitConcurrent(t *testing.T) {
	f := newFixture(t)
	ctx, db := f.ctx, f.db
	f.configure()
	base := f.eventCount()

	const workers, perWorker = 8, 200
	type span struct{ first, last int64 }
	spans := make([][]span, workers)
	errs := make(chan error, workers+1)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker / 2 {
				pid := fmt.Sprintf("P%d-%d", w, i)
				key := func(op string) airbridge.Submission {
					k := fmt.Sprintf("%s-%s", op, pid)
					return airbridge.Submission{Envelope: airbridge.Envelope{Key: k, Time: t0.Add(time.Duration(i) * time.Second)}, Fingerprint: k}
				}
				reg := key("reg")
				reg.Command = airbridge.RegisterPerson{Nation: "USA", GroupID: "G" + pid, PersonInput: person(pid, "resident", fmt.Sprintf("D%dX%d", w, i))}
				r, err := db.Execute(ctx, reg)
				if err != nil {
					errs <- fmt.Errorf("register %s: %w", pid, err)
					return
				}
				spans[w] = append(spans[w], span{r.FirstSeq, r.LastSeq})
				scan := key("scan")
				scan.Command = airbridge.Scan{Document: fmt.Sprintf("d%dx%d", w, i), Site: "gate-1"}
				if r, err = db.Execute(ctx, scan); err != nil {
					errs <- fmt.Errorf("scan %s: %w", pid, err)
					return
				}
				spans[w] = append(spans[w], span{r.FirstSeq, r.LastSeq})
				if i%10 == 0 {
					// Refusals and replays mixed into the batches change nothing.
					if r2, err := db.Execute(ctx, scan); err != nil || !r2.Replayed || r2.FirstSeq != r.FirstSeq {
						errs <- fmt.Errorf("replay scan %s: %+v, %v", pid, r2, err)
						return
					}
					bad := key("bad")
					bad.Command = airbridge.Scan{PersonID: pid, Site: "gate-1"}
					if _, err := db.Execute(ctx, bad); airbridge.ErrorCode(err) != airbridge.ECONFLICT {
						errs <- fmt.Errorf("second gate scan of %s: err = %v, want ECONFLICT", pid, err)
						return
					}
				}
			}
		})
	}
	// Verify sees the ledger and the tables at one instant while the
	// writers go on.
	verified := make(chan int)
	stopVerify := make(chan struct{})
	go func() {
		n := 0
		defer func() { verified <- n }()
		for {
			select {
			case <-stopVerify:
				return
			default:
			}
			diffs, err := db.Verify(ctx)
			if err != nil || len(diffs) > 0 {
				errs <- fmt.Errorf("Verify during writes: %v, %q", err, diffs)
				return
			}
			n++
		}
	}()
	wg.Wait()
	close(stopVerify)
	if n := <-verified; n == 0 {
		t.Error("Verify never ran during the writes")
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}

	var all []span
	for _, s := range spans {
		all = append(all, s...)
	}
	slices.SortFunc(all, func(a, b span) int { return int(a.first - b.first) })
	next := int64(base + 1)
	for _, s := range all {
		if s.first != next || s.last < s.first {
			t.Fatalf("receipt %d..%d, want it to start at %d: seqs are not unique and contiguous", s.first, s.last, next)
		}
		next = s.last + 1
	}
	want := base + workers*perWorker/2*3 // group + person + at_gate per person
	if int(next-1) != want {
		t.Fatalf("last seq = %d, want %d", next-1, want)
	}
	if n := f.eventCount(); n != want {
		t.Fatalf("ledger has %d events, want %d", n, want)
	}
	if n := countRows(t, db, "persons"); n != workers*perWorker/2 {
		t.Fatalf("persons has %d rows, want %d", n, workers*perWorker/2)
	}
	pl, err := db.Pipeline(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if pl.Totals[airbridge.AtGate] != workers*perWorker/2 || pl.Total != workers*perWorker/2 {
		t.Fatalf("Pipeline = %+v", pl)
	}
	verifyClean(t, db)
}

func TestExecuteAllAllOrNothing(t *testing.T) {
	f := newFixture(t)
	ctx, db := f.ctx, f.db
	f.configure()
	events, commands := f.eventCount(), countRows(t, db, "commands")

	batch := []airbridge.Submission{
		f.sub(airbridge.RegisterGroup{GroupInput: airbridge.GroupInput{ID: "G1", Nation: "DEU", Persons: []airbridge.PersonInput{person("P1", "own_citizen", "DOC1")}}}),
		f.sub(airbridge.Scan{PersonID: "P1", Site: "gate-1"}),
		f.sub(airbridge.Scan{PersonID: "P1", Site: "hold-1"}), // not screened: refused
		f.sub(airbridge.AddSite{Site: airbridge.Site{ID: "gate-2", Kind: airbridge.Gate}}),
	}
	rs, err := db.ExecuteAll(ctx, batch)
	if rs != nil {
		t.Errorf("ExecuteAll returned receipts %+v with an error", rs)
	}
	wantCode(t, err, airbridge.ECONFLICT)

	if n := f.eventCount(); n != events {
		t.Errorf("the aborted batch appended %d events", n-events)
	}
	for _, table := range []string{"persons", "groups", "documents"} {
		if n := countRows(t, db, table); n != 0 {
			t.Errorf("the aborted batch left %d rows in %s", n, table)
		}
	}
	if n := countRows(t, db, "commands"); n != commands {
		t.Errorf("the aborted batch recorded %d keys", n-commands)
	}
	if n := countRows(t, db, "sites"); n != 3 {
		t.Errorf("sites has %d rows, want 3", n)
	}
	if _, err := db.Person(ctx, "P1"); airbridge.ErrorCode(err) != airbridge.ENOTFOUND {
		t.Errorf("Person(P1) after the aborted batch: err = %v, want ENOTFOUND", err)
	}
	if db.EventsAppended() != int64(events) {
		t.Errorf("EventsAppended = %d, want %d", db.EventsAppended(), events)
	}

	// The in-memory state was rolled back too: registering the same person,
	// group and document again is accepted, and so is the first key.
	again := batch[0]
	again.Command = airbridge.RegisterGroup{GroupInput: airbridge.GroupInput{ID: "G1", Nation: "DEU", Persons: []airbridge.PersonInput{person("P1", "own_citizen", "DOC1")}}}
	r, err := db.Execute(ctx, again)
	if err != nil || r.Replayed || r.FirstSeq != int64(events+1) {
		t.Fatalf("registering P1 after the aborted batch = %+v, %v; want accepted at seq %d", r, err, events+1)
	}
	f.do(airbridge.AddSite{Site: airbridge.Site{ID: "gate-2", Kind: airbridge.Gate}})
	f.do(airbridge.Scan{Document: "doc1", Site: "gate-2"})

	// A valid batch commits as a whole, with contiguous receipts.
	ok := []airbridge.Submission{
		f.sub(airbridge.Screen{PersonID: "P1", Decision: airbridge.Cleared}),
		f.sub(airbridge.Scan{PersonID: "P1", Site: "hold-1"}),
		f.sub(airbridge.RegisterPerson{Nation: "USA", GroupID: "G2", PersonInput: person("P2", "resident")}),
	}
	rs, err = db.ExecuteAll(ctx, ok)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 3 || rs[1].FirstSeq != rs[0].LastSeq+1 || rs[2].FirstSeq != rs[1].LastSeq+1 || rs[2].LastSeq-rs[2].FirstSeq != 1 {
		t.Fatalf("receipts = %+v", rs)
	}
	if p, _ := db.Person(ctx, "P1"); p.Stage != airbridge.Staged {
		t.Fatalf("P1 is %s, want staged", p.Stage)
	}
	verifyClean(t, db)
}

// The error of an aborted ExecuteAll should name the submission that was
// refused.
func TestExecuteAllNamesRefusedSubmission(t *testing.T) {
	f := newFixture(t)
	f.configure()
	batch := []airbridge.Submission{
		f.sub(airbridge.RegisterPerson{Nation: "DEU", GroupID: "G1", PersonInput: person("P1", "own_citizen")}),
		f.sub(airbridge.Scan{PersonID: "P1", Site: "gate-1"}),
		f.sub(airbridge.Scan{PersonID: "P1", Site: "hold-1"}),
	}
	_, err := f.db.ExecuteAll(f.ctx, batch)
	wantCode(t, err, airbridge.ECONFLICT)
	if !strings.HasPrefix(err.Error(), "submission 2:") {
		t.Fatalf("ExecuteAll error = %q, want it to name submission 2 (commit.go fail() gives every submission the same error, so ExecuteAll reports index 0)", err)
	}
}

func TestVerifyDetectsTampering(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tamper.db")
	db, err := Open(ctx, path, testKey)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, db: db, ctx: ctx}
	f.configure()
	f.register("G1", "DEU", person("P1", "own_citizen"), person("P2", "own_citizen"))
	f.do(airbridge.Scan{PersonID: "P1", Site: "gate-1"})
	verifyClean(t, db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := raw.Exec(`UPDATE persons SET stage = 'arrived', data = json_set(data, '$.stage', 'arrived') WHERE id = 'P2'`)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("tampered with %d rows", n)
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}

	db = openTest(t, path)
	if p, err := db.Person(ctx, "P2"); err != nil || p.Stage != airbridge.Arrived {
		t.Fatalf("tampered P2 = %v, %v", p, err)
	}
	diffs, err := db.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) != 1 || !strings.HasPrefix(diffs[0], "person P2:") || !strings.Contains(diffs[0], `"arrived"`) || !strings.Contains(diffs[0], `"registered"`) {
		t.Fatalf("Verify = %q, want one difference naming person P2's stage", diffs)
	}
}

func TestVerifyDetectsLedgerGap(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "gap.db")
	db, err := Open(ctx, path, testKey)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, db: db, ctx: ctx}
	f.configure()
	db.Close()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`DELETE FROM events WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	db = openTest(t, path)
	if diffs, err := db.Verify(ctx); err == nil || !strings.Contains(err.Error(), "gap") {
		t.Fatalf("Verify of a ledger with a gap = %q, %v; want a gap error", diffs, err)
	}
}

func TestCloseIdempotentAndExecuteAfterClose(t *testing.T) {
	f := newFixture(t)
	f.configure()
	db := f.db
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	s2 := f.sub(airbridge.AddSite{Site: airbridge.Site{ID: "gate-2", Kind: airbridge.Gate}})
	s3 := f.sub(airbridge.AddSite{Site: airbridge.Site{ID: "gate-3", Kind: airbridge.Gate}})
	done := make(chan error, 2)
	go func() {
		_, err := db.Execute(context.Background(), s2)
		done <- err
	}()
	go func() {
		_, err := db.ExecuteAll(context.Background(), []airbridge.Submission{s3})
		done <- err
	}()
	for range 2 {
		select {
		case err := <-done:
			if err == nil {
				t.Fatal("Execute after Close succeeded")
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Execute after Close hangs")
		}
	}
	if _, err := db.Person(context.Background(), "P1"); err == nil {
		t.Error("a query after Close succeeded")
	}
}

// TestCloseWhileExecuting closes the database while commands are being
// submitted: every Execute must return, with a receipt or an error.
func TestCloseWhileExecuting(t *testing.T) {
	for round := range 20 {
		f := newFixture(t)
		f.configure()
		db := f.db
		var wg sync.WaitGroup
		start := make(chan struct{})
		for w := range 16 {
			wg.Go(func() {
				<-start
				for i := 0; ; i++ {
					sub := airbridge.Submission{Command: airbridge.Scan{PersonID: fmt.Sprintf("nobody-%d-%d", w, i), Site: "gate-1"}}
					if _, err := db.Execute(context.Background(), sub); airbridge.ErrorCode(err) != airbridge.ENOTFOUND {
						return // closed
					}
				}
			})
		}
		close(start)
		time.Sleep(time.Millisecond)
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		finished := make(chan struct{})
		go func() { wg.Wait(); close(finished) }()
		select {
		case <-finished:
		case <-time.After(5 * time.Second):
			t.Fatalf("round %d: Execute hangs when it races with Close (db.go submit: select may enqueue on db.reqs after the writer drained and returned)", round)
		}
	}
}

// TestExecuteRacingClose reproduces one interleaving of Execute and Close
// deterministically: submit has read closed == false, then Close runs to the
// end (the writer drains db.reqs and exits), then submit reaches its select.
// Resetting closed stands for the first step, so the test holds a fix in which
// submit, once it has queued a request, also gives up when db.done is closed
// and no reply is waiting.
func TestExecuteRacingClose(t *testing.T) {
	f := newFixture(t)
	f.configure()
	db := f.db
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db.closed.Store(false) // as seen by a submit that checked before Close
	defer db.closed.Store(true)
	for i := range 32 {
		done := make(chan error, 1)
		go func() {
			_, err := db.Execute(context.Background(), airbridge.Submission{Command: airbridge.Scan{PersonID: "nobody", Site: "gate-1"}})
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil {
				t.Fatal("Execute on a closed database succeeded")
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("attempt %d: Execute never returns: db.go submit's select chose db.reqs <- req although db.stop was closed, and no writer is left to answer", i)
		}
	}
}

func TestEnvelopeTimeDefaultsToNow(t *testing.T) {
	f := newFixture(t)
	f.configure()
	stamp := time.Date(2021, 8, 26, 17, 48, 0, 123456789, time.FixedZone("AFT", 4*3600+1800))
	f.db.now = func() time.Time { return stamp } // read by the writer only after the send below
	r, err := f.db.Execute(f.ctx, airbridge.Submission{
		Command:  airbridge.RegisterPerson{Nation: "DEU", GroupID: "G1", PersonInput: person("P1", "own_citizen")},
		Envelope: airbridge.Envelope{Key: "k"}, Fingerprint: "k",
	})
	if err != nil {
		t.Fatal(err)
	}
	es, err := f.db.Events(f.ctx, r.FirstSeq-1, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if !e.Time.Equal(stamp) || e.Time.Location().String() != "UTC" {
			t.Errorf("event %d time = %v, want %v in UTC", e.Seq, e.Time, stamp.UTC())
		}
	}
	if p, _ := f.db.Person(f.ctx, "P1"); !p.RegisteredAt.Equal(stamp) {
		t.Errorf("P1 registered at %v, want %v", p.RegisteredAt, stamp)
	}
	verifyClean(t, f.db)
}

// A database path may contain characters that mean something in a URI.
func TestOpenPathWithURICharacters(t *testing.T) {
	ctx := context.Background()
	// Subtests are numbered: t.TempDir would put a '#' of the name into the
	// directory above, and a bug would then open a file outside it.
	for i, name := range []string{"with space", "a&b", "ops #1", "what?", "50%41"} {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), name)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "airbridge.db")
			db, err := Open(ctx, path, testKey)
			if err != nil {
				t.Fatalf("Open(%q): %v (db.go dsn puts the path into a file: URI unescaped; %%XX is decoded)", path, err)
			}
			f := &fixture{t: t, db: db, ctx: ctx}
			f.configure()
			db.Close()
			if _, err := os.Stat(path); err != nil {
				t.Fatalf("Open(%q) wrote another file (%v): db.go dsn puts the path into a file: URI unescaped, so '?' or '#' ends it", path, err)
			}
			db = openTest(t, path)
			if n := countEvents(t, db); n != 4 {
				t.Fatalf("reopened %q has %d events, want 4", path, n)
			}
		})
	}
}

// holdWriteLock takes the database file's write lock from another connection,
// so that the writer blocks in BEGIN IMMEDIATE while submissions queue up; the
// returned function releases it.
func holdWriteLock(t *testing.T, path string) (release func()) {
	t.Helper()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := raw.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			conn.ExecContext(context.Background(), `ROLLBACK`)
			conn.Close()
			raw.Close()
		})
	}
	t.Cleanup(release)
	return release
}

// executeInOneBatch submits subs concurrently while the writer is held up, so
// that they are committed as one group; it returns their results in order.
func executeInOneBatch(t *testing.T, db *DB, subs []airbridge.Submission) []result {
	t.Helper()
	release := holdWriteLock(t, db.Path())
	// A first submission for the writer to block on.
	blocker := make(chan error, 1)
	go func() {
		_, err := db.Execute(context.Background(), airbridge.Submission{Command: airbridge.Scan{PersonID: "nobody", Site: "gate-1"}})
		blocker <- err
	}()
	time.Sleep(50 * time.Millisecond)
	results := make([]result, len(subs))
	var wg sync.WaitGroup
	for i, sub := range subs {
		wg.Go(func() {
			results[i].receipt, results[i].err = db.Execute(context.Background(), sub)
		})
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(db.reqs) < len(subs) {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d submissions queued", len(db.reqs), len(subs))
		}
		time.Sleep(time.Millisecond)
	}
	release()
	wg.Wait()
	if err := <-blocker; airbridge.ErrorCode(err) != airbridge.ENOTFOUND {
		t.Fatalf("blocking submission: %v", err)
	}
	return results
}

// A refused submission in a group commit does not affect the others.
func TestGroupCommitRefusalIsolated(t *testing.T) {
	f := newFixture(t)
	f.configure()
	f.register("G1", "DEU", person("P1", "own_citizen"))
	f.register("G2", "DEU", person("P2", "own_citizen"))
	events := f.eventCount()
	rs := executeInOneBatch(t, f.db, []airbridge.Submission{
		f.sub(airbridge.Scan{PersonID: "P1", Site: "gate-1"}),
		f.sub(airbridge.Scan{PersonID: "P2", Site: "hold-1"}), // refused
		f.sub(airbridge.Scan{PersonID: "P2", Site: "gate-1"}),
		f.sub(airbridge.RegisterPerson{Nation: "DEU", GroupID: "G3", PersonInput: person("P1", "own_citizen")}), // refused
	})
	for i, r := range rs {
		refused := i == 1 || i == 3
		if (r.err != nil) != refused || (refused && airbridge.ErrorCode(r.err) != airbridge.ECONFLICT) {
			t.Errorf("submission %d: %+v, %v", i, r.receipt, r.err)
		}
	}
	if n := f.eventCount(); n != events+2 {
		t.Errorf("the batch appended %d events, want 2", n-events)
	}
	for _, id := range []string{"P1", "P2"} {
		if p, _ := f.db.Person(f.ctx, id); p.Stage != airbridge.AtGate {
			t.Errorf("%s is %s, want at_gate", id, p.Stage)
		}
	}
	verifyClean(t, f.db)
}

// A submission the store cannot encode must be refused alone: it must not
// fail the other submissions committed with it.
func TestGroupCommitEncodingFaultIsolated(t *testing.T) {
	f := newFixture(t)
	f.configure()
	f.register("G1", "DEU", person("P1", "own_citizen"))
	bad := f.sub(airbridge.RegisterPerson{Nation: "DEU", GroupID: "G2", PersonInput: person("P2", "own_citizen")})
	bad.Envelope.Time = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) // JSON cannot encode it
	rs := executeInOneBatch(t, f.db, []airbridge.Submission{
		f.sub(airbridge.Scan{PersonID: "P1", Site: "gate-1"}),
		bad,
	})
	if rs[0].err != nil {
		t.Fatalf("a good submission failed because another one in its group commit could not be encoded: %v (commit.go one() returns a plain error for \"encode event\"/\"encode outcome\", and commit() fails the whole batch on any non-*airbridge.Error)", rs[0].err)
	}
	if airbridge.ErrorCode(rs[1].err) != airbridge.EINVALID {
		t.Errorf("submission with year 10000: err = %v, want EINVALID", rs[1].err)
	}
	verifyClean(t, f.db)
}

// An envelope time the ledger cannot store and read back must be refused, not
// written into the ledger.
func TestEnvelopeTimeOutOfRange(t *testing.T) {
	f := newFixture(t)
	f.configure()
	sub := f.sub(airbridge.AddSite{Site: airbridge.Site{ID: "gate-2", Kind: airbridge.Gate}})
	sub.Envelope.Time = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	_, execErr := f.db.Execute(f.ctx, sub)
	if _, err := f.db.Events(f.ctx, 0, 100); err != nil {
		t.Fatalf("Execute with Envelope.Time in year 10000 returned %v, and now Events fails for good: %v (commit.go one() writes e.Time.Format(time.RFC3339Nano), a 5-digit year that scanEvent cannot parse; Verify fails the same way)", execErr, err)
	}
	if airbridge.ErrorCode(execErr) != airbridge.EINVALID {
		t.Errorf("Execute with year 10000: err = %v, want EINVALID", execErr)
	}
	verifyClean(t, f.db)
}

// Atomic batches that fail, and the state reloads they cause, interleave
// with single submissions without losing or inventing anything.
func TestConcurrentAtomicAndSingle(t *testing.T) {
	f := newFixture(t)
	ctx, db := f.ctx, f.db
	f.configure()
	const singles, atomics, rounds = 4, 2, 40
	var (
		mu         sync.Mutex
		wantExists = map[string]bool{}
		wg         sync.WaitGroup
	)
	record := func(id string, exists bool) {
		mu.Lock()
		wantExists[id] = exists
		mu.Unlock()
	}
	errs := make(chan error, singles+atomics)
	for w := range singles {
		wg.Go(func() {
			for i := range rounds {
				id := fmt.Sprintf("S%d-%d", w, i)
				_, err := db.Execute(ctx, airbridge.Submission{Command: airbridge.RegisterPerson{Nation: "USA", GroupID: "G" + id, PersonInput: person(id, "resident")}})
				if err == nil {
					_, err = db.Execute(ctx, airbridge.Submission{Command: airbridge.Scan{PersonID: id, Site: "gate-1"}})
				}
				if err != nil {
					errs <- fmt.Errorf("%s: %w", id, err)
					return
				}
				record(id, true)
			}
		})
	}
	for w := range atomics {
		wg.Go(func() {
			for i := range rounds {
				id := fmt.Sprintf("A%d-%d", w, i)
				batch := []airbridge.Submission{
					{Command: airbridge.RegisterPerson{Nation: "DEU", GroupID: "G" + id, PersonInput: person(id, "own_citizen")}},
					{Command: airbridge.Scan{PersonID: id, Site: "gate-1"}},
				}
				fail := i%2 == 0
				if fail {
					batch = append(batch, airbridge.Submission{Command: airbridge.Scan{PersonID: id, Site: "hold-1"}})
				}
				_, err := db.ExecuteAll(ctx, batch)
				if fail != (err != nil) || (fail && airbridge.ErrorCode(err) != airbridge.ECONFLICT) {
					errs <- fmt.Errorf("batch %s (fail %v): %v", id, fail, err)
					return
				}
				record(id, !fail)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for id, exists := range wantExists {
		p, err := db.Person(ctx, id)
		switch {
		case exists && (err != nil || p.Stage != airbridge.AtGate):
			t.Errorf("Person(%s) = %v, %v; want at_gate", id, p, err)
		case !exists && airbridge.ErrorCode(err) != airbridge.ENOTFOUND:
			t.Errorf("Person(%s) from an aborted batch: %v, %v", id, p, err)
		}
	}
	if want := singles*rounds + atomics*rounds/2; countRows(t, db, "persons") != want {
		t.Errorf("persons has %d rows, want %d", countRows(t, db, "persons"), want)
	}
	verifyClean(t, db)
}

func TestOpenTwice(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "a.db")
	first, err := Open(ctx, path, testKey)
	if err != nil {
		t.Fatal(err)
	}
	if !InUse(path) {
		t.Error("InUse = false while the database is open")
	}
	if second, err := Open(ctx, path, testKey); err == nil {
		second.Close()
		t.Fatal("a second Open of an open database succeeded")
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if InUse(path) {
		t.Error("InUse = true after Close")
	}
	again, err := Open(ctx, path, testKey)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	again.Close()
}

func TestOpenRefusesAForeignDatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "notes.db")
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`CREATE TABLE notes (body TEXT)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if db, err := Open(ctx, path, testKey); err == nil {
		db.Close()
		t.Fatal("Open of a foreign SQLite database succeeded")
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("Open changed the foreign database it refused")
	}
}

// TestMigratePersonsToRowid opens a file whose persons table is still
// clustered on the id (schema 2): the migration keeps every row, and the
// reopened database answers as before.
func TestMigratePersonsToRowid(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v2.db")
	db, err := Open(ctx, path, testKey)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, db: db, ctx: ctx}
	f.configure()
	f.register("G1", "DEU", person("P1", "own_citizen", "C01X00T47"), person("P2", "at_risk"))
	f.stage("P1")
	f.stage("P2")
	p1, _ := db.Person(ctx, "P1")
	before := mustMarshal(t, p1)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`CREATE TABLE persons_v2 (id TEXT PRIMARY KEY, group_id TEXT NOT NULL, stage TEXT NOT NULL,
			flight_id TEXT NOT NULL DEFAULT '', stage_since TEXT NOT NULL, data TEXT NOT NULL) WITHOUT ROWID`,
		`INSERT INTO persons_v2 SELECT id, group_id, stage, flight_id, stage_since, data FROM persons`,
		`DROP TABLE persons`,
		`ALTER TABLE persons_v2 RENAME TO persons`,
		`CREATE INDEX persons_flight ON persons (flight_id) WHERE flight_id <> ''`,
		`CREATE INDEX persons_staged ON persons (stage_since) WHERE stage = 'staged'`,
		`DELETE FROM schema_migrations WHERE version = 3`,
	} {
		if _, err := raw.Exec(q); err != nil {
			raw.Close()
			t.Fatalf("%s: %v", q, err)
		}
	}
	raw.Close()

	db = openTest(t, path)
	var ddl string
	if err := db.r.QueryRow(`SELECT sql FROM sqlite_schema WHERE name = 'persons'`).Scan(&ddl); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.ToUpper(ddl), "WITHOUT ROWID") {
		t.Fatalf("persons after migration: %s", ddl)
	}
	if n := countRows(t, db, "persons"); n != 2 {
		t.Fatalf("persons after migration: %d rows, want 2", n)
	}
	p1, _ = db.Person(ctx, "P1")
	if after := mustMarshal(t, p1); after != before {
		t.Fatalf("P1 after migration:\n%s\nwant\n%s", after, before)
	}
	if q, err := db.StagedQueue(ctx, 10); err != nil || len(q) != 1 {
		t.Fatalf("staged queue after migration = %+v, %v", q, err)
	}
	verifyClean(t, db)
	f.db = db
	f.register("G2", "DEU", person("P3", "resident", "C01X00T55"))
	if p, err := db.PersonByDocument(ctx, "C01X00T55"); err != nil || p.ID != "P3" {
		t.Fatalf("a person registered after migration: %v, %v", p, err)
	}
}
