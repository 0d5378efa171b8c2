package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"airbridge"
	"airbridge/server"
	"airbridge/sqlite"
	"airbridge/withdraw"
)

// FuzzCommandBody sends arbitrary bodies to every command route: whatever the
// body, the answer is a JSON error with a stable code or a success, never an
// internal error, and a refused request leaves the ledger as it was.
func FuzzCommandBody(f *testing.F) {
	routes := []string{
		"/api/operation", "/api/sites", "/api/persons", "/api/persons/batch", "/api/groups", "/api/groups/batch",
		"/api/groups/G1/call", "/api/scans", "/api/persons/P1/screening", "/api/flights",
		"/api/flights/F1/boarding", "/api/flights/F1/depart", "/api/flights/F1/manifest", "/api/flights/F1/board",
		"/api/flights/F1/close", "/api/flights/F1/standby", "/api/manifests/publish", "/api/manifests/propose",
		"/api/withdrawals", "/api/withdrawals/W1/movements",
	}
	for _, seed := range []string{
		`{}`, `[]`, `null`, `{"id":"x"}`, `{"persons":[{"surname":"A","nationality":"AFG","category":"at_risk","nation":"USA","group_id":"G1"}]}`,
		`{"nation":"USA","persons":[{"id":"P9","surname":"A","nationality":"AFG","category":"at_risk","documents":[{"type":"passport","number":"X1"}]}]}`,
		`{"person_id":"P1","site":"gate"}`, `{"document":"x 1","site":"gate"}`, `{"decision":"cleared"}`, `{"decision":"denied"}`,
		`{"callsign":"RCH1","operator":"USA","aircraft":"C-17","slot":"2021-08-24T10:00:00Z","destination":"Qatar","seats":823}`,
		`{"group_id":"G1"}`, `{"gate":"gate","window_start":"2021-08-24T10:00:00Z","window_end":"2021-08-24T09:00:00Z"}`,
		`{"surname":1}`, `{"id":"a"}{"id":"b"}`, "\xff\xfe", `{"policy":{"name":"x","nations":["usa"]}}`,
		`{"groups":["G1"]}`, `{"flights":[{"flight_id":"F1","groups":["G1"],"standby":[]}]}`, `{"override":"x"}`,
		`{"flights":["F1"],"replan":true}`,
		`{"scenario":"nato-2021"}`, `{"id":"W2","scenario":{"name":"x","start":"2021-01-01","days":2}}`,
		`{"date":"2021-04-24","nation":"USA","from":"HKIA","mode":"sortie","sorties":1,"personnel":5}`,
		`{"date":"2021-04-25","nation":"USA","from":"BAF","to":"HKIA","mode":"road","personnel":300,"security":250,"override":"x"}`,
	} {
		for i := range routes {
			f.Add(i, seed)
		}
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(f.TempDir(), "fuzz.db"), masterKey)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	tokens, err := addUsers(ctx, db)
	if err != nil {
		f.Fatal(err)
	}
	srv := server.New(db, slog.New(slog.DiscardHandler), "fuzz", server.Options{})
	for i, c := range []airbridge.Command{
		&airbridge.ConfigureOperation{Policy: airbridge.Policy{Name: "fuzz", Nations: []string{"USA"}, Categories: airbridge.DefaultCategories()}},
		&airbridge.AddSite{Site: airbridge.Site{ID: "gate", Kind: airbridge.Gate}},
		&airbridge.RegisterGroup{GroupInput: airbridge.GroupInput{ID: "G1", Nation: "USA", Persons: []airbridge.PersonInput{
			{ID: "P1", Surname: "A", Nationality: "AFG", Category: "at_risk"}}}},
		adoptNATO(f, "W1"),
	} {
		if _, err := db.Execute(ctx, airbridge.Submission{Command: c, Envelope: airbridge.Envelope{Key: fmt.Sprint("setup-", i)}}); err != nil {
			f.Fatal(err)
		}
	}
	key := 0
	f.Fuzz(func(t *testing.T, route int, body string) {
		if route < 0 || route >= len(routes) {
			return
		}
		before, _ := db.Stats(ctx)
		key++
		req := httptest.NewRequest(http.MethodPost, routes[route], bytes.NewReader([]byte(body)))
		req.Header.Set("Idempotency-Key", fmt.Sprint("fuzz-", key))
		// Each route is sent by a coalition-bound user that routes.go
		// allows: no body may turn that into a 401 or 403.
		req.Header.Set("Authorization", "Bearer "+tokens[userFor(http.MethodPost, routes[route])])
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		switch rec.Code {
		case 200, 201:
			if found := personalData(rec.Body.Bytes()); len(found) > 0 {
				t.Fatalf("POST %s %q: the answer carries personal data: %s", routes[route], body, found)
			}
			return
		case 400, 404, 409, 413, 422:
		default:
			t.Fatalf("POST %s %q: status %d: %s", routes[route], body, rec.Code, rec.Body)
		}
		var e airbridge.Error
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Code == "" || e.Message == "" {
			t.Fatalf("POST %s %q: error body %q is not a JSON error", routes[route], body, rec.Body)
		}
		if after, _ := db.Stats(ctx); after.Events != before.Events {
			t.Fatalf("POST %s %q: refused with %d but the ledger grew from %d to %d events", routes[route], body, rec.Code, before.Events, after.Events)
		}
	})
}

// adoptNATO returns the command that adopts the nato-2021 plan as id.
func adoptNATO(t testing.TB, id string) *airbridge.AdoptWithdrawalPlan {
	t.Helper()
	sc, err := withdraw.Builtin("nato-2021")
	if err != nil {
		t.Fatal(err)
	}
	plan, err := withdraw.Plan(sc)
	if err != nil {
		t.Fatal(err)
	}
	return &airbridge.AdoptWithdrawalPlan{Plan: plan.Adoptable(sc, id)}
}
