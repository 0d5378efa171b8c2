package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"airbridge"
	"airbridge/auth"
	"airbridge/sqlite"
)

// BenchmarkOverview renders the overview page for a commander over a
// database of 100,000 persons (a third staged, a tenth at the gates), 300
// flights and their manifests, computing it afresh each time (the cache
// that serves repeated views of an unchanged ledger is cleared). Target:
// under 300 ms. It renders the screening desk too.
//
//	go test -run '^$' -bench Overview -benchtime 20x ./server
func BenchmarkOverview(b *testing.B) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "overview.db"), authzKey)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	start := time.Now()
	seedOverview(b, db, 100_000)
	st, err := db.Stats(ctx)
	if err != nil || st.Persons != 100_000 {
		b.Fatalf("seeded %+v, %v", st, err)
	}
	b.Logf("seeded %d persons, %d events in %s", st.Persons, st.Events, time.Since(start).Round(time.Millisecond))
	if err := db.AddUser(ctx, auth.User{Name: "commander.bench", Role: string(auth.Commander), Nation: auth.Coalition}, "bench"); err != nil {
		b.Fatal(err)
	}
	full, id, hash, err := auth.NewToken()
	if err != nil {
		b.Fatal(err)
	}
	if err := db.IssueToken(ctx, auth.Token{ID: id, User: "commander.bench", Hash: hash}, "bench"); err != nil {
		b.Fatal(err)
	}
	s := New(db, slog.New(slog.DiscardHandler), "bench", Options{})
	// The queue history is read up to the ledger's end, as it is a few
	// seconds after a start (pages do not wait for it meanwhile).
	if _, err := s.queues.update(ctx, db, time.Hour); err != nil {
		b.Fatal(err)
	}
	get := func(path ...string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", append(path, "/ui/")[0], nil)
		r.Header.Set("Authorization", "Bearer "+full)
		r.Header.Set("Accept", "text/html")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("GET %s: %d %s", r.URL.Path, w.Code, w.Body.String())
		}
		return w
	}
	b.Run("fresh", func(b *testing.B) {
		for b.Loop() {
			s.overviews.mu.Lock()
			s.overviews.at = time.Time{}
			s.overviews.mu.Unlock()
			get()
		}
	})
	b.Run("cached", func(b *testing.B) {
		for b.Loop() {
			get()
		}
	})
	// The screening desk over the 10,000 at the gates: read from the
	// tables, beside the writer rather than inside it.
	b.Run("screening", func(b *testing.B) {
		for b.Loop() {
			get("/ui/screening")
		}
	})
}

// seedOverview registers n persons in families of four for two nations,
// brings a tenth to the gates and a third to staging, and schedules 300
// flights with a manifested family each.
func seedOverview(tb testing.TB, db *sqlite.DB, n int) {
	tb.Helper()
	ctx := context.Background()
	key := 0
	run := func(cmds ...airbridge.Command) {
		subs := make([]airbridge.Submission, len(cmds))
		for i, c := range cmds {
			key++
			subs[i] = airbridge.Submission{Command: c, Envelope: airbridge.Envelope{Actor: "bench", Key: fmt.Sprintf("seed-%d", key)}}
		}
		for len(subs) > 0 {
			k := min(len(subs), 4096)
			if _, err := db.ExecuteAll(ctx, subs[:k]); err != nil {
				tb.Fatalf("seed: %v", err)
			}
			subs = subs[k:]
		}
	}
	run(airbridge.ConfigureOperation{Policy: airbridge.Policy{Name: "bench", Nations: []string{"USA", "DEU"}, Categories: airbridge.DefaultCategories()}})
	run(airbridge.AddSite{Site: airbridge.Site{ID: "gate1", Kind: airbridge.Gate}}, airbridge.AddSite{Site: airbridge.Site{ID: "hold1", Kind: airbridge.Holding}})
	var groups []airbridge.GroupInput
	for i := 0; i < n; i += 4 {
		g := airbridge.GroupInput{ID: fmt.Sprintf("g%d", i/4), Nation: []string{"USA", "DEU"}[i/4%2]}
		for j := range 4 {
			g.Persons = append(g.Persons, airbridge.PersonInput{ID: fmt.Sprintf("p%d", i+j), Surname: "Rahimi", GivenNames: "Test",
				BirthDate: "1980-02-03", Sex: "F", Nationality: "AFG", Category: "local_staff",
				Documents: []airbridge.Document{{Type: "passport", Number: fmt.Sprintf("D%08d", i+j)}}})
		}
		groups = append(groups, g)
		if len(groups) == 2500 {
			run(airbridge.RegisterGroups{Groups: groups})
			groups = nil
		}
	}
	if len(groups) > 0 {
		run(airbridge.RegisterGroups{Groups: groups})
	}
	var cmds []airbridge.Command
	for i := range n * 13 / 30 {
		id := fmt.Sprintf("p%d", i)
		cmds = append(cmds, airbridge.Scan{PersonID: id, Site: "gate1"})
		if i < n/3 {
			cmds = append(cmds, airbridge.Screen{PersonID: id, Decision: airbridge.Cleared}, airbridge.Scan{PersonID: id, Site: "hold1"})
		}
	}
	run(cmds...)
	cmds = nil
	slot := time.Now().UTC().Add(-12 * time.Hour)
	for i := range 300 {
		f := fmt.Sprintf("F%d", i)
		cmds = append(cmds, airbridge.ScheduleFlight{FlightInput: airbridge.FlightInput{ID: f, Callsign: "RCH", Operator: []string{"USA", "DEU"}[i%2],
			Aircraft: "C-17", Seats: 102, Slot: slot.Add(time.Duration(i) * 10 * time.Minute), Destination: "Al Udeid"}},
			airbridge.ManifestGroup{FlightID: f, GroupID: fmt.Sprintf("g%d", i)})
	}
	run(cmds...)
}
