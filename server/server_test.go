package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"airbridge"
	"airbridge/auth"
	"airbridge/server"
	"airbridge/sqlite"
	"airbridge/vault"
)

// testUsers are the users of every test server, each with an API token: one
// bound to the coalition for every role that sends commands, and national
// staff of USA who may read USA nationals' personal data.
var testUsers = []struct {
	name   string
	role   auth.Role
	nation string
}{
	{"gate", auth.GateAgent, auth.Coalition},
	{"screener", auth.Screener, auth.Coalition},
	{"coordinator", auth.Coordinator, auth.Coalition},
	{"manifest", auth.ManifestOfficer, auth.Coalition},
	{"planner", auth.Planner, auth.Coalition},
	{"commander", auth.Commander, auth.Coalition},
	{"auditor", auth.Auditor, auth.Coalition},
	{"gate.usa", auth.GateAgent, "USA"},
	{"coordinator.usa", auth.Coordinator, "USA"},
}

// masterKey encrypts the personal data of every test database.
var masterKey = func() vault.MasterKey {
	k, err := vault.GenerateMasterKey()
	if err != nil {
		panic(err)
	}
	return k
}()

// addUsers adds testUsers to db and returns their API tokens by name.
func addUsers(ctx context.Context, db *sqlite.DB) (map[string]string, error) {
	tokens := map[string]string{}
	for _, u := range testUsers {
		if err := db.AddUser(ctx, auth.User{Name: u.name, Role: string(u.role), Nation: u.nation}, "test"); err != nil {
			return nil, err
		}
		full, id, hash, err := auth.NewToken()
		if err != nil {
			return nil, err
		}
		if err := db.IssueToken(ctx, auth.Token{ID: id, User: u.name, Hash: hash}, "test"); err != nil {
			return nil, err
		}
		tokens[u.name] = full
	}
	return tokens, nil
}

// userFor picks the test user a request is sent as unless a test says
// otherwise: one that routes.go allows on the route, bound to the coalition
// so that the subject's nation does not matter, except that reads of
// persons and groups go to a gate agent of USA, who sees USA nationals'
// personal data. Unknown routes and methods go to the commander.
func userFor(method, path string) string {
	path, _, _ = strings.Cut(path, "?")
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case path == "/api/events" || path == "/api/audit":
		return "auditor"
	case len(parts) >= 2 && parts[1] == "withdrawals":
		return "planner"
	case method == http.MethodGet && len(parts) == 4 && parts[1] == "flights" && parts[3] == "manifest":
		return "manifest"
	case method == http.MethodGet:
		return "gate.usa"
	case method != http.MethodPost && method != http.MethodDelete:
		return "commander"
	case path == "/api/operation" || path == "/api/sites":
		return "commander"
	case len(parts) == 4 && parts[1] == "persons" && parts[3] == "screening":
		return "screener"
	case len(parts) == 4 && parts[1] == "groups" && parts[3] == "call":
		return "coordinator"
	case len(parts) == 3 && parts[1] == "sites":
		return "commander"
	case path == "/api/gate/verify":
		return "gate"
	case len(parts) >= 2 && parts[1] == "callforward":
		return "planner"
	case path == "/api/scans" || len(parts) >= 2 && (parts[1] == "persons" || parts[1] == "groups"):
		return "gate"
	case len(parts) == 4 && parts[1] == "flights" && parts[3] == "board", len(parts) >= 2 && parts[1] == "manifests":
		return "manifest"
	case len(parts) >= 2 && parts[1] == "flights":
		return "planner"
	}
	return "commander"
}

// Body limits of the API: one entity, and a batch.
const (
	smallLimit = 1 << 20
	batchLimit = 32 << 20
)

// createRoutes answer 201 Created; every other command answers 200.
var createRoutes = map[string]bool{
	"POST /api/operation":     true,
	"POST /api/sites":         true,
	"POST /api/persons":       true,
	"POST /api/persons/batch": true,
	"POST /api/groups":        true,
	"POST /api/groups/batch":  true,
	"POST /api/flights":       true,

	"POST /api/withdrawals":                true,
	"POST /api/withdrawals/{id}/movements": true,
}

// ---------------------------------------------------------------------------
// Harness

type shared struct {
	url     string
	client  *http.Client
	db      *sqlite.DB
	server  *server.Server
	tokens  map[string]string // API tokens by user name
	keys    atomic.Int64
	mu      sync.Mutex
	covered map[string]bool // mutating routes that passed the replay checks of cmd
}

// api drives a real server over a real SQLite store. Its helpers report to t.
type api struct {
	t *testing.T
	*shared
	user string // sends every request as this user; "" picks by userFor
}

func newAPI(t *testing.T) *api {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"), masterKey)
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	tokens, err := addUsers(ctx, db)
	if err != nil {
		db.Close()
		t.Fatalf("add users: %v", err)
	}
	handler := server.New(db, slog.New(slog.DiscardHandler), "test", server.Options{})
	srv := httptest.NewServer(handler)
	client := srv.Client()
	client.Timeout = 2 * time.Minute
	a := &api{t: t, shared: &shared{url: srv.URL, client: client, db: db, server: handler, tokens: tokens, covered: map[string]bool{}}}
	t.Cleanup(func() {
		srv.Close()
		// Whatever a test did over HTTP, the read tables must be what the
		// ledger says.
		if problems, err := db.Verify(ctx); err != nil {
			t.Errorf("Verify: %v", err)
		} else if len(problems) > 0 {
			t.Errorf("Verify found the tables off the ledger:\n%s", strings.Join(problems, "\n"))
		}
		db.Close()
	})
	return a
}

// with returns a harness on the same server reporting to t (for subtests).
func (a *api) with(t *testing.T) *api { return &api{t: t, shared: a.shared, user: a.user} }

// as returns a harness on the same server that sends every request as user.
func (a *api) as(user string) *api {
	if _, ok := a.tokens[user]; !ok {
		a.t.Fatalf("no test user %q", user)
	}
	return &api{t: a.t, shared: a.shared, user: user}
}

// sender returns who a request to method and path is sent as.
func (a *api) sender(method, path string) string {
	if a.user != "" {
		return a.user
	}
	return userFor(method, path)
}

func (a *api) key() string { return fmt.Sprintf("key-%05d", a.keys.Add(1)) }

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) String() string { return fmt.Sprintf("%d %s", r.status, bytes.TrimSpace(r.body)) }

type apiError struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Details map[string]any `json:"details"`
}

// send sends one request as user (by its API token; "" sends none); key ""
// sends no Idempotency-Key. It is safe for concurrent use.
func (s *shared) send(user, method, path, key, body string, header ...string) (response, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.url+path, rd)
	if err != nil {
		return response{}, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	if user != "" {
		token, ok := s.tokens[user]
		if !ok {
			return response{}, fmt.Errorf("no test user %q", user)
		}
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return response{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, fmt.Errorf("%s %s: read body: %w", method, path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

func (a *api) request(method, path, key, body string, header ...string) response {
	a.t.Helper()
	r, err := a.send(a.sender(method, path), method, path, key, body, header...)
	if err != nil {
		a.t.Fatal(err)
	}
	if r.status == http.StatusUnauthorized || r.status == http.StatusForbidden {
		// The harness sends each request as a user that routes.go allows.
		a.t.Errorf("%s %s as %s: %s", method, path, a.sender(method, path), r)
	}
	return r
}

var placeholder = regexp.MustCompile(`\{[^}]+\}`)

// path splits a route such as "POST /api/flights/{id}/board" and fills its
// placeholders with ids, in order.
func (a *api) path(route string, ids []string) (method, path string) {
	a.t.Helper()
	method, tmpl, ok := strings.Cut(route, " ")
	if !ok {
		a.t.Fatalf("route %q has no method", route)
	}
	i := 0
	path = placeholder.ReplaceAllStringFunc(tmpl, func(string) string {
		if i >= len(ids) {
			a.t.Fatalf("route %q: too few ids %q", route, ids)
		}
		i++
		return ids[i-1]
	})
	if i != len(ids) {
		a.t.Fatalf("route %q: too many ids %q", route, ids)
	}
	return method, path
}

func wantStatus(route string) int {
	if createRoutes[route] {
		return http.StatusCreated
	}
	return http.StatusOK
}

// post runs a command that must succeed, without replay checks (for setup).
func (a *api) post(route, body string, ids ...string) response {
	a.t.Helper()
	method, path := a.path(route, ids)
	r := a.request(method, path, a.key(), body)
	if r.status != wantStatus(route) {
		a.t.Fatalf("%s %s %s: got %s, want status %d", method, path, body, r, wantStatus(route))
	}
	return r
}

// altBody returns a body that decodes for the same route but differs from body.
func altBody(body string) string {
	if b := strings.TrimSpace(body); b == "" || b == "{}" {
		return `{"reason":"another request"}`
	}
	return "{}"
}

// cmd runs a command that must succeed and checks its idempotency: it
// appends events carrying its key and actor; the same key with the same
// body answers the same status and byte-identical body with
// Idempotent-Replayed: true and changes nothing; the same key with another
// body is refused with 409 and changes nothing.
func (a *api) cmd(route, body string, ids ...string) response {
	a.t.Helper()
	method, path := a.path(route, ids)
	key := a.key()
	before := a.events()
	r := a.request(method, path, key, body)
	if r.status != wantStatus(route) {
		a.t.Fatalf("%s %s %s: got %s, want status %d", method, path, body, r, wantStatus(route))
	}
	checkJSONType(a.t, r)
	if h := r.header.Get("Idempotent-Replayed"); h != "" {
		a.t.Errorf("%s %s: first request has Idempotent-Replayed: %q", method, path, h)
	}
	checkNoPersonalData(a.t, method+" "+path, r.body)
	ledger := a.byRoute()
	afterRaw := ledger.request("GET", "/api/events?limit=10000", "", "")
	var after []airbridge.Event
	decode(a.t, afterRaw, &after)
	if len(after) <= len(before) {
		a.t.Fatalf("%s %s: appended no events", method, path)
	}
	// The actor of the events is the authenticated user.
	actor := a.sender(method, path)
	for _, e := range after[len(before):] {
		if e.Key != key || e.Actor != actor {
			a.t.Errorf("%s %s: event %d %s has key %q actor %q, want %q %q", method, path, e.Seq, e.Type, e.Key, e.Actor, key, actor)
		}
	}
	if got, want := r.header.Get("X-Ledger-Seq"), strconv.FormatInt(after[len(after)-1].Seq, 10); got != want {
		a.t.Errorf("%s %s: X-Ledger-Seq = %q, want %q", method, path, got, want)
	}

	replay := a.request(method, path, key, body)
	if replay.status != r.status || !bytes.Equal(replay.body, r.body) {
		a.t.Errorf("%s %s replayed: got %s\nwant %s", method, path, replay, r)
	}
	if h := replay.header.Get("Idempotent-Replayed"); h != "true" {
		a.t.Errorf("%s %s replayed: Idempotent-Replayed = %q, want true", method, path, h)
	}
	if got, want := replay.header.Get("X-Ledger-Seq"), r.header.Get("X-Ledger-Seq"); got != want {
		a.t.Errorf("%s %s replayed: X-Ledger-Seq = %q, want %q", method, path, got, want)
	}
	if got := ledger.request("GET", "/api/events?limit=10000", "", ""); !bytes.Equal(got.body, afterRaw.body) {
		a.t.Errorf("%s %s: the replay changed the ledger", method, path)
	}

	other := a.request(method, path, key, altBody(body))
	e := wantError(a.t, other, http.StatusConflict, airbridge.ECONFLICT)
	if got := detail(e.Details["idempotency_key"]); got != key {
		a.t.Errorf("%s %s with a reused key: details.idempotency_key = %q, want %q", method, path, got, key)
	}
	if got := ledger.request("GET", "/api/events?limit=10000", "", ""); !bytes.Equal(got.body, afterRaw.body) {
		a.t.Errorf("%s %s: reusing the key for another body changed the ledger", method, path)
	}
	a.mu.Lock()
	a.covered[route] = true
	a.mu.Unlock()
	return r
}

// byRoute returns the harness that sends each request as userFor picks.
func (a *api) byRoute() *api { return &api{t: a.t, shared: a.shared} }

// events returns the whole ledger, as the auditor reads it.
func (a *api) events() []airbridge.Event {
	a.t.Helper()
	var es []airbridge.Event
	a.byRoute().get("/api/events?limit=10000", &es)
	return es
}

// get reads path, which must answer 200, into v (if not nil).
func (a *api) get(path string, v any) response {
	a.t.Helper()
	r := a.request("GET", path, "", "")
	if r.status != http.StatusOK {
		a.t.Fatalf("GET %s: %s", path, r)
	}
	checkJSONType(a.t, r)
	if v != nil {
		decode(a.t, r, v)
	}
	return r
}

// snapshot reads the ledger and the given resources; two snapshots are equal
// if nothing changed.
func (a *api) snapshot(paths ...string) map[string]string {
	a.t.Helper()
	s := map[string]string{}
	for _, p := range append([]string{"/api/events?limit=10000", "/api/pipeline"}, paths...) {
		r := a.byRoute().request("GET", p, "", "")
		s[p] = r.String()
	}
	return s
}

func decode(t *testing.T, r response, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %T from %s: %v", v, r, err)
	}
}

func checkJSONType(t *testing.T, r response) {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json (%s)", ct, r)
	}
}

// personalKeys are the JSON fields of personal data (airbridge.PersonalData,
// and its sealed form).
var personalKeys = []string{"surname", "given_names", "birth_date", "sex", "documents", "screening_reason", "sealed"}

// personalData returns the personal data in a JSON body: the fields of
// personalKeys anywhere in it, and the names of groups (objects with
// "members").
func personalData(body []byte) []string {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return nil
	}
	var found []string
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if slices.Contains(personalKeys, k) || k == "name" && v["members"] != nil {
					found = append(found, fmt.Sprintf("%s.%s=%v", path, k, x))
				}
				walk(path+"."+k, x)
			}
		case []any:
			for i, x := range v {
				walk(fmt.Sprintf("%s[%d]", path, i), x)
			}
		}
	}
	walk("", v)
	slices.Sort(found)
	return found
}

// checkNoPersonalData reports personal data in the answer to a command: it is
// kept with the idempotency key, and the caller may not be entitled to it.
func checkNoPersonalData(t *testing.T, what string, body []byte) {
	t.Helper()
	if found := personalData(body); len(found) > 0 {
		t.Errorf("%s answered personal data: %s", what, strings.Join(found, ", "))
	}
}

// parseError decodes an error body and checks its shape: exactly code,
// message and (optionally) details.
func parseError(t *testing.T, r response) apiError {
	t.Helper()
	checkJSONType(t, r)
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(r.body, &raw); err != nil {
		t.Fatalf("error body is not a JSON object: %s", r)
	}
	for k := range raw {
		if k != "code" && k != "message" && k != "details" {
			t.Errorf("error body has field %q: %s", k, r)
		}
	}
	var e apiError
	decode(t, r, &e)
	if e.Message == "" {
		t.Errorf("error without a message: %s", r)
	}
	return e
}

// wantError checks that r is an error with the given status and code.
func wantError(t *testing.T, r response, status int, code string) apiError {
	t.Helper()
	e := parseError(t, r)
	if r.status != status || e.Code != code {
		t.Errorf("got %s, want %d %s", r, status, code)
	}
	return e
}

// detail formats a details value as it appears in JSON.
func detail(v any) string {
	if f, ok := v.(float64); ok {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

func js(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

type obj = map[string]any

func policyBody() string {
	return js(obj{"policy": obj{
		"name":       "Kabul test",
		"nations":    []string{"DEU", "USA"},
		"categories": airbridge.DefaultCategories(),
		"load_guard": 0, // loading_test.go holds flights to a load factor
	}})
}

// person returns a registration of a person; id and doc may be empty.
func person(id, doc, category string) obj {
	p := obj{"surname": "Haidari", "given_names": "Test " + id, "birth_date": "1985-04-12", "sex": "F",
		"nationality": "AFG", "category": category}
	if id != "" {
		p["id"] = id
	}
	if doc != "" {
		p["documents"] = []obj{{"type": "passport", "number": doc, "issuing_state": "AFG"}}
	}
	return p
}

// withNation returns p with the fields of a single registration.
func withNation(p obj, nation, groupID string) obj {
	q := maps.Clone(p)
	q["nation"] = nation
	if groupID != "" {
		q["group_id"] = groupID
	}
	return q
}

func flightBody(id string, seats int) string {
	f := obj{"callsign": "RCH871", "operator": "USA", "aircraft": "C-17",
		"slot": "2021-08-20T14:00:00Z", "destination": "Al Udeid"}
	if id != "" {
		f["id"] = id
	}
	if seats > 0 {
		f["seats"] = seats
	}
	return js(f)
}

const callBody = `{"gate":"gate1","window_start":"2021-08-20T10:00:00Z","window_end":"2021-08-20T12:00:00Z"}`

// stage walks a registered or called person through the gate, screening
// and holding.
func (a *api) stage(id string) {
	a.t.Helper()
	a.post("POST /api/scans", js(obj{"person_id": id, "site": "gate1"}))
	a.post("POST /api/persons/{id}/screening", `{"decision":"cleared"}`, id)
	a.post("POST /api/scans", js(obj{"person_id": id, "site": "hold1"}))
}

// newWorld returns a server holding:
//
//	sites gate1 (gate), hold1 (holding), ramp1 (ramp), screen1 (screening)
//	group fam: fam-1 (P100), fam-2 (P101), registered
//	group atg: atg-1 (P300), at the gate
//	group st2: st2-1 (P400), staged
//	group solo: solo-1 (P200), manifested on F2
//	flight F1 scheduled, flight F2 boarding
func newWorld(t *testing.T) *api {
	t.Helper()
	a := newAPI(t)
	a.post("POST /api/operation", policyBody())
	for _, s := range []obj{
		{"id": "gate1", "kind": "gate"}, {"id": "hold1", "kind": "holding"},
		{"id": "ramp1", "kind": "ramp"}, {"id": "screen1", "kind": "screening"},
	} {
		a.post("POST /api/sites", js(s))
	}
	a.post("POST /api/groups", js(obj{"id": "fam", "name": "Family", "nation": "USA",
		"persons": []obj{person("fam-1", "P100", "local_staff"), person("fam-2", "P101", "local_staff")}}))
	a.post("POST /api/persons", js(withNation(person("atg-1", "P300", "at_risk"), "USA", "atg")))
	a.post("POST /api/scans", `{"person_id":"atg-1","site":"gate1"}`)
	a.post("POST /api/persons", js(withNation(person("st2-1", "P400", "at_risk"), "USA", "st2")))
	a.stage("st2-1")
	a.post("POST /api/persons", js(withNation(person("solo-1", "P200", "own_citizen"), "USA", "solo")))
	a.stage("solo-1")
	a.post("POST /api/flights", flightBody("F1", 0))
	a.post("POST /api/flights", flightBody("F2", 0))
	a.post("POST /api/flights/{id}/manifest", `{"group_id":"solo"}`, "F2")
	a.post("POST /api/flights/{id}/boarding", "", "F2")
	a.post("POST /api/withdrawals", `{"id":"W1","scenario":"nato-2021"}`)
	return a
}

// notCommands are the routes of routes.go that change something but are not
// ledger commands: they take no idempotency key and append no events, so they
// have no bad-input cases or replay checks here; authz_test.go covers them.
var notCommands = map[string]string{
	"POST /api/login":                "starts a browser session",
	"POST /api/logout":               "ends a browser session",
	"POST /api/keys/destroy":         "destroys a nation's data key (two commanders)",
	"POST /api/users":                "adds a user",
	"POST /api/users/{name}/disable": "disables a user",
	"POST /api/tokens":               "issues an API token",
	"DELETE /api/tokens/{id}":        "revokes an API token",
	"POST /api/manifests/propose":    "computes a proposal and writes nothing",
	"POST /api/callforward/plan":     "computes a plan and writes nothing",
	"POST /api/persons/import":       "registers a list in batches, each a command under a key derived from its rows",
	"POST /api/gate/verify":          "verifies an invitation; an admission is a command under a key of the invitation's own",
	"POST /api/withdrawals":          "plans the scenario in the body, then adopts the plan as a command under the request's key (withdrawal_test.go)",
}

// mutatingRoutes reads routes.go and returns every route that is not a GET
// and is served by s.command: the ledger's commands. A route that is neither
// a GET, a command nor one of notCommands fails the test.
func mutatingRoutes(t *testing.T) []string {
	t.Helper()
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatalf("read routes.go: %v", err)
	}
	actions := map[string]string{
		"ActionBoarding": airbridge.ActionBoarding, "ActionClose": airbridge.ActionClose,
		"ActionDepart": airbridge.ActionDepart, "ActionArrive": airbridge.ActionArrive,
		"ActionCancel": airbridge.ActionCancel,
	}
	// Each registration is s.handle(pattern, rule, handler), the handler on
	// the same line or the next ones: a statement runs to the next
	// registration or loop.
	handle := regexp.MustCompile(`^\s*s\.handle\("([A-Z]+) ([^"]+)"(\+action)?,`)
	loop := regexp.MustCompile(`range \[\]string\{([^}]*)\}`)
	type registration struct {
		method, path string
		perAction    bool
		actions      []string
		body         string // the statement's text
	}
	var regs []*registration
	var loopActions []string
	var cur *registration
	inRoutes := false
	for _, line := range strings.Split(string(src), "\n") {
		switch {
		case strings.HasPrefix(line, "func (s *Server) routes() {"):
			inRoutes = true
			continue
		case inRoutes && line == "}":
			inRoutes = false
		}
		if !inRoutes {
			continue
		}
		if m := loop.FindStringSubmatch(line); m != nil {
			cur = nil
			loopActions = nil
			for _, name := range strings.Split(m[1], ",") {
				name = strings.TrimPrefix(strings.TrimSpace(name), "airbridge.")
				v, ok := actions[name]
				if !ok {
					t.Fatalf("routes.go loops over %q, which this test does not know", name)
				}
				loopActions = append(loopActions, v)
			}
			continue
		}
		if strings.Contains(line, "HandleFunc(") && !strings.Contains(line, `HandleFunc("/", s.notFound)`) {
			t.Fatalf("routes.go registers a route past s.handle, which the authorization table does not see: %q", line)
		}
		if m := handle.FindStringSubmatch(line); m != nil {
			cur = &registration{method: m[1], path: m[2], perAction: m[3] != ""}
			if cur.perAction {
				if len(loopActions) == 0 {
					t.Fatalf("routes.go: %q appends an action outside a known loop", line)
				}
				cur.actions = loopActions
			}
			regs = append(regs, cur)
		} else if strings.Contains(line, "s.handle(") {
			t.Fatalf("routes.go: cannot parse the registration %q", line)
		}
		if cur != nil {
			cur.body += line + "\n"
		}
	}
	var routes []string
	for _, r := range regs {
		if r.method == "GET" {
			continue
		}
		names := []string{r.method + " " + r.path}
		if r.perAction {
			names = nil
			for _, act := range r.actions {
				names = append(names, r.method+" "+r.path+act)
			}
		}
		for _, name := range names {
			_, exempt := notCommands[name]
			switch isCmd := strings.Contains(r.body, "s.command("); {
			case isCmd && exempt:
				t.Errorf("routes.go serves %s by s.command, but notCommands exempts it", name)
			case isCmd:
				routes = append(routes, name)
			case !exempt:
				t.Errorf("routes.go has %s, which changes something but is neither a command nor listed in notCommands", name)
			}
		}
	}
	if len(regs) < 20 || len(routes) < 10 {
		t.Fatalf("found only %d routes, %d of them commands, in routes.go: %q", len(regs), len(routes), routes)
	}
	return routes
}

// ---------------------------------------------------------------------------
// 1. Bad input for every mutating endpoint

type badCase struct {
	name   string
	ids    []string // path values; nil means the endpoint's own
	key    string   // "" sends a fresh key, "-" sends none, anything else is sent as is
	body   string
	status int
	code   string
	detail map[string]string // details that must be present, as fmt.Sprint of the value
	hide   []string          // what the answer must not repeat: personal data
}

type endpoint struct {
	route    string
	ids      []string // valid path values in newWorld
	limit    int
	valid    string   // a body that succeeds in a fresh newWorld; "-" if none does
	fresh    bool     // valid succeeds on a server without configuration
	affected []string // resources to compare besides the ledger
	cases    []badCase
}

func wrongType(body, field string) badCase {
	return badCase{name: "wrong type " + body, body: body, status: 422, code: airbridge.EINVALID,
		detail: map[string]string{"field": field}}
}

// invalidValue is a body that decodes but breaks a rule on one field.
func invalidValue(body, field string) badCase {
	return badCase{name: "invalid " + body, body: body, status: 422, code: airbridge.EINVALID,
		detail: map[string]string{"field": field}}
}

func notFound(name string, ids []string, body, detailKey, detailValue string) badCase {
	c := badCase{name: "unknown " + name, ids: ids, body: body, status: 404, code: airbridge.ENOTFOUND}
	if detailKey != "" {
		c.detail = map[string]string{detailKey: detailValue}
	}
	return c
}

// tooManyPersons returns a batch registration of n persons.
func tooManyPersons(n int) string {
	var b strings.Builder
	b.WriteString(`{"persons":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"nation":"USA","surname":"S%d","nationality":"AFG","category":"at_risk"}`, i)
	}
	b.WriteString(`]}`)
	return b.String()
}

// tooManyGroups returns a batch registration of n persons in groups of 100.
func tooManyGroups(n int) string {
	var b strings.Builder
	b.WriteString(`{"groups":[`)
	for i := range n {
		switch {
		case i == 0:
			b.WriteString(`{"nation":"USA","persons":[`)
		case i%100 == 0:
			b.WriteString(`]},{"nation":"USA","persons":[`)
		default:
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"surname":"S%d","nationality":"AFG","category":"at_risk"}`, i)
	}
	b.WriteString(`]}]}`)
	return b.String()
}

func endpoints() []endpoint {
	flightRes := []string{"/api/flights/F1", "/api/flights/F2", "/api/flights"}
	var eps []endpoint
	eps = append(eps,
		endpoint{
			route: "POST /api/operation", limit: smallLimit, valid: policyBody(), fresh: true,
			affected: []string{"/api/operation"},
			cases: []badCase{
				wrongType(`{"policy":{"name":5}}`, "policy.name"),
				wrongType(`{"policy":{"nations":"USA"}}`, "policy.nations"),
				wrongType(`{"policy":{"load_guard":"high"}}`, "policy.load_guard"),
				wrongType(`{"policy":{"categories":[{"rank":"1"}]}}`, "policy.categories.rank"),
				{name: "configured already", body: policyBody(), status: 409, code: airbridge.ECONFLICT},
			},
		},
		endpoint{
			route: "POST /api/sites", limit: smallLimit, valid: `{"id":"gate9","kind":"gate"}`,
			affected: []string{"/api/sites"},
			cases: []badCase{
				wrongType(`{"id":5,"kind":"gate"}`, "id"),
				wrongType(`{"id":"gate9","kind":["gate"]}`, "kind"),
				invalidValue(`{"id":"bad id!","kind":"gate"}`, "id"),
				invalidValue(`{"id":"tower","kind":"tower"}`, "kind"),
				{name: "existing id", body: `{"id":"gate1","kind":"gate"}`, status: 409, code: airbridge.ECONFLICT, detail: map[string]string{"id": "gate1"}},
			},
		},
		endpoint{
			route: "POST /api/persons", limit: smallLimit,
			valid:    js(withNation(person("new-1", "P900", "at_risk"), "USA", "")),
			affected: []string{"/api/persons?document=P900", "/api/groups/fam"},
			cases: []badCase{
				wrongType(`{"nation":5}`, "nation"),
				wrongType(`{"group_id":{}}`, "group_id"),
				wrongType(`{"nation":"USA","surname":5}`, "surname"),
				wrongType(`{"nation":"USA","needs":{"litter":"yes"}}`, "needs.litter"),
				invalidValue(`{"nation":"XXX","surname":"A","nationality":"AFG","category":"at_risk"}`, "nation"),
				invalidValue(`{"nation":"USA","surname":"","nationality":"AFG","category":"at_risk"}`, "surname"),
				invalidValue(`{"nation":"USA","surname":"A","nationality":"AF","category":"at_risk"}`, "nationality"),
				invalidValue(`{"nation":"USA","surname":"A","nationality":"AFG","category":"vip"}`, "category"),
				invalidValue(`{"nation":"USA","group_id":"bad id!","surname":"A","nationality":"AFG","category":"at_risk"}`, "group_id"),
				invalidValue(`{"nation":"USA","surname":"A","nationality":"AFG","category":"at_risk","birth_date":"2999-01-01"}`, "birth_date"),
				invalidValue(`{"nation":"USA","surname":"A","nationality":"AFG","category":"at_risk","documents":[{"type":"passport","number":"!!"}]}`, "documents[0].number"),
				{name: "document of another person", body: js(withNation(person("", "P100", "at_risk"), "USA", "")), status: 409, code: airbridge.ECONFLICT,
					detail: map[string]string{"person_id": "fam-1"}},
				{name: "existing person id", body: js(withNation(person("fam-1", "", "at_risk"), "USA", "")), status: 409, code: airbridge.ECONFLICT},
			},
		},
		endpoint{
			route: "POST /api/persons/batch", limit: batchLimit,
			valid:    js(obj{"persons": []obj{withNation(person("new-1", "P900", "at_risk"), "USA", "newg")}}),
			affected: []string{"/api/persons?document=P900"},
			cases: []badCase{
				wrongType(`{"persons":{}}`, "persons"),
				wrongType(`{"persons":[{"nation":5}]}`, "persons.nation"),
				wrongType(`{"persons":[{"nation":"USA","documents":[{"number":5}]}]}`, "persons.documents.number"),
				invalidValue(`{"persons":[]}`, "persons"),
				invalidValue(`{"persons":[{"nation":"USA","surname":"A","nationality":"AFG","category":"at_risk"},`+
					`{"nation":"USA","surname":"B","nationality":"AF","category":"at_risk"}]}`, "persons[1].nationality"),
				invalidValue(`{"persons":[{"nation":"USA","group_id":"x","surname":"A","nationality":"AFG","category":"at_risk"},`+
					`{"nation":"DEU","group_id":"x","surname":"B","nationality":"AFG","category":"at_risk"}]}`, "persons[1].nation"),
				{name: "10001 persons", body: tooManyPersons(airbridge.MaxBatch + 1), status: 413, code: airbridge.ETOOLARGE},
			},
		},
		endpoint{
			route: "POST /api/persons/{id}/screening", ids: []string{"atg-1"}, limit: smallLimit,
			valid: `{"decision":"cleared"}`, affected: []string{"/api/persons/atg-1", "/api/persons/atg-1/history"},
			cases: []badCase{
				wrongType(`{"decision":5}`, "decision"),
				wrongType(`{"decision":"cleared","medical":"yes"}`, "medical"),
				invalidValue(`{"decision":"maybe"}`, "decision"),
				invalidValue(`{"decision":"denied"}`, "reason"),
				notFound("person in the path", []string{"nobody"}, `{"decision":"cleared"}`, "person_id", "nobody"),
			},
		},
		endpoint{
			route: "POST /api/groups", limit: smallLimit,
			valid:    js(obj{"nation": "USA", "persons": []obj{person("", "P901", "at_risk")}}),
			affected: []string{"/api/persons?document=P901", "/api/groups/fam"},
			cases: []badCase{
				wrongType(`{"nation":"USA","persons":"x"}`, "persons"),
				wrongType(`{"nation":5}`, "nation"),
				invalidValue(`{"nation":"USA","persons":[]}`, "persons"),
				invalidValue(`{"nation":"USA","persons":[{"surname":"A","nationality":"AFG","category":"at_risk"},`+
					`{"surname":"B","nationality":"AF","category":"at_risk"}]}`, "persons[1].nationality"),
				{name: "join a group of another nation", body: `{"id":"fam","nation":"DEU","persons":[{"surname":"A","nationality":"AFG","category":"at_risk"}]}`,
					status: 409, code: airbridge.ECONFLICT, detail: map[string]string{"group_id": "fam"}},
			},
		},
		endpoint{
			route: "POST /api/groups/batch", limit: batchLimit,
			valid:    js(obj{"groups": []obj{{"nation": "USA", "persons": []obj{person("", "P901", "at_risk")}}}}),
			affected: []string{"/api/persons?document=P901"},
			cases: []badCase{
				wrongType(`{"groups":5}`, "groups"),
				wrongType(`{"groups":[{"nation":"USA","persons":[{"surname":5}]}]}`, "groups.persons.surname"),
				invalidValue(`{"groups":[]}`, "groups"),
				invalidValue(`{"groups":[{"nation":"USA","persons":[{"surname":"A","nationality":"AF","category":"at_risk"}]}]}`, "groups[0].persons[0].nationality"),
				{name: "10001 persons", body: tooManyGroups(airbridge.MaxBatch + 1), status: 413, code: airbridge.ETOOLARGE},
			},
		},
		endpoint{
			route: "POST /api/groups/{id}/call", ids: []string{"fam"}, limit: smallLimit,
			valid: callBody, affected: []string{"/api/groups/fam"},
			cases: []badCase{
				wrongType(`{"gate":5}`, "gate"),
				wrongType(`{"gate":"gate1","window_start":5}`, "window_start"),
				wrongType(`{"gate":"gate1","window_end":"soon"}`, "window_end"),
				invalidValue(strings.Replace(callBody, "gate1", "hold1", 1), "gate"),
				invalidValue(`{"gate":"gate1","window_start":"2021-08-20T10:00:00Z","window_end":"2021-08-20T09:00:00Z"}`, "window_end"),
				invalidValue(`{"gate":"gate1","window_start":"2021-08-20T10:00:00Z","window_end":"2021-08-23T10:00:00Z"}`, "window_end"),
				notFound("group in the path", []string{"nogroup"}, callBody, "group_id", "nogroup"),
				notFound("gate in the body", nil, strings.Replace(callBody, "gate1", "nogate", 1), "", ""),
			},
		},
		endpoint{
			route: "POST /api/groups/{id}/split", ids: []string{"fam"}, limit: smallLimit,
			valid: `{"persons":["fam-2"],"group_id":"fam-b"}`, affected: []string{"/api/groups/fam", "/api/persons/fam-2"},
			cases: []badCase{
				wrongType(`{"persons":"fam-2"}`, "persons"),
				wrongType(`{"persons":["fam-2"],"group_id":7}`, "group_id"),
				invalidValue(`{"persons":[]}`, "persons"),
				invalidValue(`{"persons":["fam-1","fam-2"]}`, "persons"),
				invalidValue(`{"persons":["atg-1"]}`, "persons[0]"),
				invalidValue(`{"persons":["fam-2"],"group_id":"bad id"}`, "group_id"),
				notFound("group in the path", []string{"nogroup"}, `{"persons":["x"]}`, "group_id", "nogroup"),
				{name: "new group id taken", body: `{"persons":["fam-2"],"group_id":"atg"}`, status: 409, code: airbridge.ECONFLICT},
			},
		},
		endpoint{
			route: "POST /api/scans", limit: smallLimit,
			valid:    `{"person_id":"fam-1","site":"gate1"}`,
			affected: []string{"/api/persons/fam-1", "/api/persons/fam-1/history"},
			cases: []badCase{
				wrongType(`{"site":5}`, "site"),
				wrongType(`{"person_id":true,"site":"gate1"}`, "person_id"),
				wrongType(`{"document":["P100"],"site":"gate1"}`, "document"),
				invalidValue(`{"person_id":"fam-1","site":"screen1"}`, "site"),
				invalidValue(`{"person_id":"fam-1","document":"P100","site":"gate1"}`, "person_id"),
				invalidValue(`{"site":"gate1"}`, "person_id"),
				notFound("person id", nil, `{"person_id":"nobody","site":"gate1"}`, "person_id", "nobody"),
				// Refusals are kept in the ledger: a document number is not
				// repeated in one.
				{name: "unknown document", body: `{"document":"Z999","site":"gate1"}`, status: 404, code: airbridge.ENOTFOUND, hide: []string{"Z999"}},
				notFound("site", nil, `{"person_id":"fam-1","site":"nosite"}`, "field", "site"),
			},
		},
		endpoint{
			route: "POST /api/flights", limit: smallLimit, valid: flightBody("F9", 0),
			affected: []string{"/api/flights"},
			cases: []badCase{
				wrongType(`{"seats":"many"}`, "seats"),
				wrongType(`{"litters":1.5}`, "litters"),
				wrongType(`{"slot":5}`, "slot"),
				invalidValue(strings.Replace(flightBody("F9", 0), "C-17", "B-52", 1), "aircraft"),
				invalidValue(flightBody("F9", 103), "seats"),
				invalidValue(strings.Replace(flightBody("F9", 0), `"operator":"USA"`, `"operator":"XXX"`, 1), "operator"),
				invalidValue(strings.Replace(flightBody("F9", 0), `,"slot":"2021-08-20T14:00:00Z"`, "", 1), "slot"),
				{name: "existing id", body: flightBody("F1", 0), status: 409, code: airbridge.ECONFLICT, detail: map[string]string{"id": "F1"}},
			},
		},
	)
	// Flight actions, each with a body that succeeds on the right flight of
	// newWorld (F1 is scheduled, F2 boarding; nothing has departed, so arrive
	// has no control).
	for _, act := range []struct{ action, flight, valid string }{
		{airbridge.ActionBoarding, "F1", ""},
		{airbridge.ActionClose, "F2", ""},
		{airbridge.ActionDepart, "F2", ""},
		{airbridge.ActionArrive, "F2", "-"},
		{airbridge.ActionCancel, "F1", `{"reason":"weather"}`},
	} {
		eps = append(eps, endpoint{
			route: "POST /api/flights/{id}/" + act.action, ids: []string{act.flight}, limit: smallLimit,
			valid: act.valid, affected: flightRes,
			cases: []badCase{
				wrongType(`{"reason":5}`, "reason"),
				notFound("flight", []string{"NOF"}, `{"reason":"weather"}`, "flight_id", "NOF"),
				invalidValue(`{"reason":"a\u0007b"}`, "reason"),
			},
		})
	}
	eps = append(eps,
		endpoint{
			route: "POST /api/flights/{id}/manifest", ids: []string{"F1"}, limit: smallLimit,
			valid: `{"group_id":"st2"}`, affected: append([]string{"/api/groups/st2"}, flightRes...),
			cases: []badCase{
				wrongType(`{"group_id":5}`, "group_id"),
				notFound("flight", []string{"NOF"}, `{"group_id":"st2"}`, "flight_id", "NOF"),
				notFound("group", nil, `{"group_id":"nogroup"}`, "group_id", "nogroup"),
			},
		},
		endpoint{
			route: "DELETE /api/flights/{id}/manifest/{group}", ids: []string{"F2", "solo"}, limit: smallLimit,
			valid: `{"reason":"weight"}`, affected: append([]string{"/api/groups/solo"}, flightRes...),
			cases: []badCase{
				wrongType(`{"reason":5}`, "reason"),
				notFound("flight", []string{"NOF", "solo"}, "", "flight_id", "NOF"),
				notFound("group", []string{"F2", "nogroup"}, "", "group_id", "nogroup"),
			},
		},
		endpoint{
			route: "POST /api/flights/{id}/board", ids: []string{"F2"}, limit: smallLimit,
			valid: `{"group_id":"solo"}`, affected: append([]string{"/api/groups/solo"}, flightRes...),
			cases: []badCase{
				wrongType(`{"group_id":5}`, "group_id"),
				wrongType(`{"person_id":5}`, "person_id"),
				notFound("flight", []string{"NOF"}, `{"group_id":"solo"}`, "flight_id", "NOF"),
				notFound("group", nil, `{"group_id":"nogroup"}`, "group_id", "nogroup"),
				notFound("person", nil, `{"person_id":"nobody"}`, "person_id", "nobody"),
				invalidValue(`{"group_id":"solo","person_id":"solo-1"}`, "group_id"),
			},
		},
		endpoint{
			route: "DELETE /api/groups/{id}/call", ids: []string{"fam"}, limit: smallLimit, valid: "-",
			affected: []string{"/api/groups/fam"},
			cases: []badCase{
				wrongType(`{"reason":5}`, "reason"),
				notFound("group", []string{"nogroup"}, "", "group_id", "nogroup"),
				{name: "not called", body: `{"reason":"weather"}`, status: 409, code: airbridge.ECONFLICT},
			},
		},
		endpoint{
			route: "POST /api/callforward/publish", limit: batchLimit,
			valid:    `{"calls":[{"group_id":"fam","gate":"gate1","window_start":"2021-08-20T10:00:00Z","window_end":"2021-08-20T11:00:00Z"}]}`,
			affected: []string{"/api/groups/fam"},
			cases: []badCase{
				wrongType(`{"calls":{}}`, "calls"),
				invalidValue(`{"calls":[]}`, "calls"),
				invalidValue(`{"calls":[{"group_id":"fam","gate":"","window_start":"2021-08-20T10:00:00Z","window_end":"2021-08-20T11:00:00Z"}]}`, "calls[0].gate"),
				invalidValue(`{"calls":[{"group_id":"fam","gate":"hold1","window_start":"2021-08-20T10:00:00Z","window_end":"2021-08-20T11:00:00Z"}]}`, "calls[0].gate"),
				notFound("group", nil, `{"calls":[{"group_id":"nogroup","gate":"gate1","window_start":"2021-08-20T10:00:00Z","window_end":"2021-08-20T11:00:00Z"}]}`, "group_id", "nogroup"),
				{name: "at the gate already", body: `{"calls":[{"group_id":"atg","gate":"gate1","window_start":"2021-08-20T10:00:00Z","window_end":"2021-08-20T11:00:00Z"}]}`,
					status: 409, code: airbridge.ECONFLICT},
			},
		},
		endpoint{
			route: "POST /api/withdrawals/{id}/movements", ids: []string{"W1"}, limit: smallLimit,
			valid:    `{"date":"2021-04-25","nation":"USA","from":"BAF","to":"HKIA","mode":"road","personnel":10}`,
			affected: []string{"/api/withdrawals/W1", "/api/withdrawals"},
			cases: []badCase{
				wrongType(`{"date":"2021-04-25","nation":"USA","from":"BAF","to":"HKIA","mode":"road","personnel":"ten"}`, "personnel"),
				wrongType(`{"date":20210425}`, "date"),
				notFound("withdrawal", []string{"W9"}, `{"date":"2021-04-25","nation":"USA","from":"BAF","to":"HKIA","mode":"road","personnel":10}`, "withdrawal", "W9"),
				invalidValue(`{"date":"2021-04-23","nation":"USA","from":"BAF","to":"HKIA","mode":"road","personnel":10}`, "date"),
				invalidValue(`{"date":"2021-04-25","nation":"usa","from":"BAF","to":"HKIA","mode":"road","personnel":10}`, "nation"),
				invalidValue(`{"date":"2021-04-25","nation":"USA","from":"BAF","to":"HKIA","mode":"boat","personnel":10}`, "mode"),
				invalidValue(`{"date":"2021-04-25","nation":"USA","from":"BAF","to":"HKIA","mode":"road","personnel":1,"security":2}`, "security"),
				invalidValue(`{"date":"2021-04-25","nation":"USA","from":"BAF","to":"HKIA","mode":"road"}`, "personnel"),
				invalidValue(`{"date":"2021-04-25","nation":"USA","from":"BAF","mode":"sortie","sorties":1,"personnel":1}`, "from"),
				{name: "more than is there", body: `{"date":"2021-04-25","nation":"USA","from":"BAF","to":"HKIA","mode":"road","personnel":100000}`,
					status: 409, code: airbridge.ECONFLICT, detail: map[string]string{"site": "BAF"}},
				{name: "security below the floor", body: `{"date":"2021-04-25","nation":"USA","from":"BAF","to":"HKIA","mode":"road","personnel":250,"security":250}`,
					status: 409, code: airbridge.ECONFLICT, detail: map[string]string{"site": "BAF"}},
			},
		},
		endpoint{
			route: "POST /api/sites/{id}", ids: []string{"gate1"}, limit: smallLimit,
			valid: `{"lanes":4,"per_lane_hour":60}`, affected: []string{"/api/sites"},
			cases: []badCase{
				wrongType(`{"lanes":"four"}`, "lanes"),
				notFound("site", []string{"nosite"}, `{"lanes":4}`, "id", "nosite"),
				invalidValue(`{"lanes":-1}`, "lanes"),
				invalidValue(`{"kind":"ramp"}`, "kind"),
				invalidValue(`{"id":"hold1"}`, "id"),
				invalidValue(`{"closures":[{"start":"2021-08-20T12:00:00Z","end":"2021-08-20T11:00:00Z"}]}`, "closures[0]"),
			},
		},
		endpoint{
			route: "POST /api/flights/{id}/standby", ids: []string{"F1"}, limit: smallLimit,
			valid: `{"groups":["st2"]}`, affected: append([]string{"/api/groups/st2"}, flightRes...),
			cases: []badCase{
				wrongType(`{"groups":"st2"}`, "groups"),
				notFound("flight", []string{"NOF"}, `{"groups":["st2"]}`, "flight_id", "NOF"),
				notFound("group", nil, `{"groups":["nogroup"]}`, "group_id", "nogroup"),
				invalidValue(`{"groups":["st2","st2"]}`, "groups"),
				{name: "not staged", body: `{"groups":["fam"]}`, status: 409, code: airbridge.ECONFLICT, detail: map[string]string{"group_id": "fam"}},
			},
		},
		endpoint{
			route: "POST /api/manifests/publish", limit: batchLimit,
			valid: `{"flights":[{"flight_id":"F1","groups":["st2"]}]}`, affected: append([]string{"/api/groups/st2", "/api/groups/solo"}, flightRes...),
			cases: []badCase{
				wrongType(`{"flights":{}}`, "flights"),
				wrongType(`{"flights":[{"groups":"st2"}]}`, "flights.groups"),
				invalidValue(`{"flights":[]}`, "flights"),
				invalidValue(`{"flights":[{"flight_id":"F1"},{"flight_id":"F1"}]}`, "flights[1].flight_id"),
				invalidValue(`{"flights":[{"flight_id":"F1","groups":["st2"]},{"flight_id":"F2","groups":["st2"]}]}`, "flights[1].groups"),
				notFound("flight", nil, `{"flights":[{"flight_id":"NOF"}]}`, "flight_id", "NOF"),
				notFound("group", nil, `{"flights":[{"flight_id":"F1","groups":["nogroup"]}]}`, "group_id", "nogroup"),
				{name: "on another flight", body: `{"flights":[{"flight_id":"F1","groups":["solo"]}]}`, status: 409, code: airbridge.ECONFLICT,
					detail: map[string]string{"group_id": "solo", "flight_id": "F2"}},
			},
		},
	)
	return eps
}

// generic returns the cases every command endpoint answers alike.
func (ep endpoint) generic() []badCase {
	valid := ep.valid
	if valid == "-" {
		valid = "{}"
	}
	over := `{"reason":"` + strings.Repeat("x", ep.limit) + `"}`
	return []badCase{
		{name: "malformed: truncated", body: `{"`, status: 400, code: airbridge.EMALFORMED},
		{name: "malformed: syntax", body: `{"reason":}`, status: 400, code: airbridge.EMALFORMED, detail: map[string]string{"offset": "*"}},
		{name: "malformed: array", body: `[]`, status: 400, code: airbridge.EMALFORMED},
		{name: "malformed: string", body: `"x"`, status: 400, code: airbridge.EMALFORMED},
		{name: "malformed: two values", body: `{} {}`, status: 400, code: airbridge.EMALFORMED},
		{name: "unknown field", body: `{"no_such_field":1}`, status: 400, code: airbridge.EMALFORMED, detail: map[string]string{"field": "no_such_field"}},
		{name: "body over the limit", body: over, status: 413, code: airbridge.ETOOLARGE, detail: map[string]string{"limit": strconv.Itoa(ep.limit)}},
		{name: "no idempotency key", key: "-", body: valid, status: 400, code: airbridge.EMALFORMED, detail: map[string]string{"header": "Idempotency-Key"}},
		{name: "idempotency key too long", key: strings.Repeat("k", 201), body: valid, status: 400, code: airbridge.EMALFORMED, detail: map[string]string{"header": "Idempotency-Key"}},
		{name: "idempotency key not UTF-8", key: "key-\xff\xfe", body: valid, status: 400, code: airbridge.EMALFORMED, detail: map[string]string{"header": "Idempotency-Key"}},
	}
}

func TestBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	eps := endpoints()
	t.Run("every mutating route has cases", func(t *testing.T) {
		have := map[string]bool{}
		for _, ep := range eps {
			have[ep.route] = true
		}
		for _, r := range mutatingRoutes(t) {
			if !have[r] {
				t.Errorf("routes.go has %s, which has no bad-input cases", r)
			}
			delete(have, r)
		}
		for r := range have {
			t.Errorf("bad-input cases for %s, which routes.go does not have", r)
		}
	})

	world := newWorld(t)
	for _, ep := range eps {
		t.Run(ep.route, func(t *testing.T) {
			for _, c := range append(ep.generic(), ep.cases...) {
				t.Run(c.name, func(t *testing.T) {
					a := world.with(t)
					ids := c.ids
					if ids == nil {
						ids = ep.ids
					}
					method, path := a.path(ep.route, ids)
					key := c.key
					switch key {
					case "":
						key = a.key()
					case "-":
						key = ""
					}
					before := a.snapshot(ep.affected...)
					r := a.request(method, path, key, c.body)
					e := parseError(t, r)
					if diff := cmp.Diff(before, a.snapshot(ep.affected...)); diff != "" {
						t.Errorf("%s %s (%s) changed the state (-before +after):\n%s", method, path, r, diff)
					}
					var problems []string
					if r.status != c.status || e.Code != c.code {
						problems = append(problems, fmt.Sprintf("got %d %s, want %d %s", r.status, e.Code, c.status, c.code))
					}
					for k, want := range c.detail {
						v, ok := e.Details[k]
						if got := detail(v); !ok || (got != want && want != "*") {
							problems = append(problems, fmt.Sprintf("details.%s = %q, want %q", k, got, want))
						}
					}
					for _, h := range c.hide {
						if bytes.Contains(r.body, []byte(h)) {
							problems = append(problems, fmt.Sprintf("the answer repeats %q", h))
						}
					}
					if len(problems) == 0 {
						return
					}
					if len(r.body) > 300 {
						r.body = r.body[:300]
					}
					t.Errorf("%s %s: %s (%s)", method, path, strings.Join(problems, "; "), r)
				})
			}
			// The control: the endpoint's valid body does succeed with a key,
			// so that the refusals above were refusals of the key and body.
			if ep.valid != "-" {
				t.Run("control", func(t *testing.T) {
					var a *api
					if ep.fresh {
						a = newAPI(t)
					} else {
						a = newWorld(t)
					}
					a.cmd(ep.route, ep.valid, ep.ids...)
				})
			}
		})
	}
}

// TestBodyLimits checks both limits from the accepting side too: a body of
// exactly the limit is read, one byte more is not.
func TestBodyLimits(t *testing.T) {
	t.Parallel()
	a := newWorld(t)
	for _, tc := range []struct {
		route, body string
		limit       int
	}{
		{"POST /api/sites", `{"id":"gate9","kind":"gate"}`, smallLimit},
		{"POST /api/persons/batch", js(obj{"persons": []obj{withNation(person("", "", "at_risk"), "USA", "big")}}), batchLimit},
	} {
		at := tc.body + strings.Repeat(" ", tc.limit-len(tc.body))
		before := a.snapshot()
		r := a.request("POST", strings.TrimPrefix(tc.route, "POST "), a.key(), at+" ")
		wantError(t, r, http.StatusRequestEntityTooLarge, airbridge.ETOOLARGE)
		if diff := cmp.Diff(before, a.snapshot()); diff != "" {
			t.Errorf("%s with %d bytes changed the state:\n%s", tc.route, len(at)+1, diff)
		}
		a.post(tc.route, at)
	}
}

// TestBatchAtMaxAccepted registers exactly airbridge.MaxBatch persons in one
// request: the limit is inclusive.
func TestBatchAtMaxAccepted(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("registers 10,000 persons")
	}
	a := newAPI(t)
	a.post("POST /api/operation", policyBody())
	r := a.post("POST /api/persons/batch", tooManyPersons(airbridge.MaxBatch))
	var reg airbridge.Registration
	decode(t, r, &reg)
	if reg.Persons != airbridge.MaxBatch || len(reg.Groups) != airbridge.MaxBatch {
		t.Errorf("registered %d persons in %d groups, want %d in %d", reg.Persons, len(reg.Groups), airbridge.MaxBatch, airbridge.MaxBatch)
	}
	var p airbridge.Pipeline
	a.get("/api/pipeline", &p)
	if p.Total != airbridge.MaxBatch || p.Nations["USA"][airbridge.Registered] != airbridge.MaxBatch {
		t.Errorf("pipeline after the batch: %+v", p)
	}
}

// TestRefusedCommandKeepsItsKey: a command refused by the rules records its
// key with the refusal, so a retry is refused alike and the key cannot serve
// another request; a request that could not be read records nothing.
func TestRefusedCommandKeepsItsKey(t *testing.T) {
	t.Parallel()
	a := newWorld(t)
	for _, tc := range []struct {
		name, route, bad string
		status           int
		good             string
		ids              []string
	}{
		{"invalid", "POST /api/sites", `{"id":"bad id!","kind":"gate"}`, 422, `{"id":"gate9","kind":"gate"}`, nil},
		{"invalid reason", "POST /api/persons/{id}/screening", `{"decision":"denied"}`, 422, `{"decision":"denied","reason":"no documents"}`, []string{"atg-1"}},
		{"not found", "POST /api/flights/{id}/manifest", `{"group_id":"nogroup"}`, 404, `{"group_id":"st2"}`, []string{"F1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := a.with(t)
			method, path := a.path(tc.route, tc.ids)
			key := a.key()
			first := a.request(method, path, key, tc.bad)
			if first.status != tc.status {
				t.Fatalf("%s %s %s: got %s, want %d", method, path, tc.bad, first, tc.status)
			}
			again := a.request(method, path, key, tc.bad)
			if again.status != tc.status || string(again.body) != string(first.body) || again.header.Get("Idempotent-Replayed") != "true" {
				t.Errorf("the same refused request again: got %s (replayed %q), want the first answer replayed", again, again.header.Get("Idempotent-Replayed"))
			}
			if r := a.request(method, path, key, tc.good); r.status != 409 {
				t.Errorf("the refused key with another body: got %s, want 409", r)
			}
		})
	}
	t.Run("malformed", func(t *testing.T) {
		a := a.with(t)
		key := a.key()
		if r := a.request("POST", "/api/scans", key, `{"person_id":`); r.status != 400 {
			t.Fatalf("malformed scan: got %s, want 400", r)
		}
		if r := a.request("POST", "/api/scans", key, `{"person_id":"fam-1","site":"gate1"}`); r.status != 200 {
			t.Errorf("the key of a request that could not be read, with a good body: got %s, want 200", r)
		}
	})
}

// ---------------------------------------------------------------------------
// 2. GET endpoints

func TestGetErrors(t *testing.T) {
	t.Parallel()
	a := newWorld(t)
	for _, tc := range []struct {
		method, path string
		status       int
		code         string
		detailKey    string
		detail       string
	}{
		{"GET", "/api/persons/nobody", 404, airbridge.ENOTFOUND, "person_id", "nobody"},
		{"GET", "/api/persons/nobody/history", 404, airbridge.ENOTFOUND, "person_id", "nobody"},
		{"GET", "/api/groups/nogroup", 404, airbridge.ENOTFOUND, "group_id", "nogroup"},
		{"GET", "/api/flights/NOF", 404, airbridge.ENOTFOUND, "flight_id", "NOF"},
		{"GET", "/api/persons?document=Z999", 404, airbridge.ENOTFOUND, "document", "Z999"},
		{"GET", "/api/persons?document=z-999", 404, airbridge.ENOTFOUND, "document", "Z999"},
		{"GET", "/api/persons", 400, airbridge.EMALFORMED, "parameter", "document"},
		{"GET", "/api/persons?document=", 400, airbridge.EMALFORMED, "parameter", "document"},
		{"GET", "/api/persons?doc=P100", 400, airbridge.EMALFORMED, "parameter", "document"},
		{"GET", "/api/staged?limit=abc", 422, airbridge.EINVALID, "parameter", "limit"},
		{"GET", "/api/staged?limit=0", 422, airbridge.EINVALID, "parameter", "limit"},
		{"GET", "/api/staged?limit=-1", 422, airbridge.EINVALID, "parameter", "limit"},
		{"GET", "/api/staged?limit=10001", 422, airbridge.EINVALID, "parameter", "limit"},
		{"GET", "/api/staged?limit=1.5", 422, airbridge.EINVALID, "parameter", "limit"},
		{"GET", "/api/events?limit=abc", 422, airbridge.EINVALID, "parameter", "limit"},
		{"GET", "/api/events?limit=0", 422, airbridge.EINVALID, "parameter", "limit"},
		{"GET", "/api/events?limit=10001", 422, airbridge.EINVALID, "parameter", "limit"},
		{"GET", "/api/events?after=-1", 422, airbridge.EINVALID, "parameter", "after"},
		{"GET", "/api/events?after=abc", 422, airbridge.EINVALID, "parameter", "after"},
		{"GET", "/api/events?after=99999999999999999999", 422, airbridge.EINVALID, "parameter", "after"},
		{"GET", "/api/nothing", 404, airbridge.ENOTFOUND, "", ""},
		{"GET", "/index.html", 404, airbridge.ENOTFOUND, "", ""},
		{"GET", "/api", 404, airbridge.ENOTFOUND, "", ""},
		{"GET", "/api/flights/F1/manifests", 404, airbridge.ENOTFOUND, "", ""},
		{"GET", "/api/flights/F1/manifest?format=doc", 422, airbridge.EINVALID, "parameter", "format"},
		{"GET", "/api/flights/NOF/manifest?format=csv", 404, airbridge.ENOTFOUND, "flight_id", "NOF"},
		{"GET", "/api/persons/fam-1/history/more", 404, airbridge.ENOTFOUND, "", ""},
		{"PUT", "/api/sites", 404, airbridge.ENOTFOUND, "", ""},
		{"DELETE", "/api/persons/fam-1", 404, airbridge.ENOTFOUND, "", ""},
		{"POST", "/api/flights/F1/takeoff", 404, airbridge.ENOTFOUND, "", ""},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			a := a.with(t)
			before := a.snapshot()
			r := a.request(tc.method, tc.path, a.key(), "{}")
			e := wantError(t, r, tc.status, tc.code)
			if tc.detailKey != "" {
				if got := detail(e.Details[tc.detailKey]); got != tc.detail {
					t.Errorf("details.%s = %q, want %q (%s)", tc.detailKey, got, tc.detail, r)
				}
			}
			if diff := cmp.Diff(before, a.snapshot()); diff != "" {
				t.Errorf("changed the state:\n%s", diff)
			}
		})
	}
}

func TestGetReads(t *testing.T) {
	t.Parallel()
	a := newWorld(t)
	all := a.events()
	n := len(all)
	for i, e := range all {
		if e.Seq != int64(i+1) {
			t.Fatalf("event %d has seq %d: the ledger must count from 1 without gaps", i, e.Seq)
		}
	}
	var page []airbridge.Event
	a.get("/api/events?after=3&limit=2", &page)
	if len(page) != 2 || page[0].Seq != 4 || page[1].Seq != 5 {
		t.Errorf("events after 3, limit 2: got %d events %+v", len(page), page)
	}
	r := a.get(fmt.Sprintf("/api/events?after=%d", n), nil)
	if got := string(bytes.TrimSpace(r.body)); got != "[]" {
		t.Errorf("events after the last: got %s, want []", got)
	}
	a.get("/api/events?after=0&limit=10000", nil)

	var staged []airbridge.StagedGroup
	a.get("/api/staged?limit=1", &staged)
	if len(staged) != 1 || staged[0].GroupID != "st2" {
		t.Errorf("staged, limit 1: %+v, want st2 (solo is manifested)", staged)
	}
	a.get("/api/staged?limit=10000", nil)

	var sites []airbridge.Site
	a.get("/api/sites", &sites)
	var ids []string
	for _, s := range sites {
		ids = append(ids, s.ID)
	}
	if want := []string{"gate1", "hold1", "ramp1", "screen1"}; !slices.Equal(ids, want) {
		t.Errorf("sites: %q, want %q", ids, want)
	}
	var p airbridge.Person
	a.get("/api/persons/fam-1", &p)
	if p.ID != "fam-1" || p.GroupID != "fam" || p.Stage != airbridge.Registered || len(p.Documents) != 1 || p.Documents[0].Number != "P100" {
		t.Errorf("person fam-1: %+v", p)
	}
	var g airbridge.GroupView
	a.get("/api/groups/fam", &g)
	if g.Group.ID != "fam" || len(g.Persons) != 2 || g.Persons[0].ID != "fam-1" || g.Persons[1].ID != "fam-2" {
		t.Errorf("group fam: %+v", g)
	}
	var pol airbridge.Policy
	a.get("/api/operation", &pol)
	if pol.Name != "Kabul test" {
		t.Errorf("operation: %+v", pol)
	}
}

// TestBeforeConfiguration: reads answer empty and commands are refused until
// the operation is configured.
func TestBeforeConfiguration(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	wantError(t, a.request("GET", "/api/operation", "", ""), 404, airbridge.ENOTFOUND)
	for _, p := range []string{"/api/sites", "/api/flights", "/api/events"} {
		if r := a.get(p, nil); string(bytes.TrimSpace(r.body)) != "[]" {
			t.Errorf("GET %s: %s, want []", p, r)
		}
	}
	var pl airbridge.Pipeline
	a.get("/api/pipeline", &pl)
	if pl.Total != 0 {
		t.Errorf("pipeline: %+v", pl)
	}
	for _, tc := range []struct{ route, body string }{
		{"POST /api/sites", `{"id":"gate1","kind":"gate"}`},
		{"POST /api/persons", js(withNation(person("", "", "at_risk"), "USA", ""))},
		{"POST /api/flights", flightBody("F1", 0)},
	} {
		method, path := a.path(tc.route, nil)
		wantError(t, a.request(method, path, a.key(), tc.body), 409, airbridge.ECONFLICT)
	}
	if es := a.events(); len(es) != 0 {
		t.Errorf("refused commands appended %d events", len(es))
	}
	a.cmd("POST /api/operation", policyBody())
	var pol airbridge.Policy
	a.get("/api/operation", &pol)
	if pol.Name != "Kabul test" || len(pol.Nations) != 2 {
		t.Errorf("operation: %+v", pol)
	}
}

// ---------------------------------------------------------------------------
// 3. Invalid transitions

func TestInvalidTransitions(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	a.post("POST /api/operation", policyBody())
	for _, s := range []obj{{"id": "gate1", "kind": "gate"}, {"id": "hold1", "kind": "holding"}, {"id": "ramp1", "kind": "ramp"}} {
		a.post("POST /api/sites", js(s))
	}
	reg := func(group string, n int) {
		var ps []obj
		for i := 1; i <= n; i++ {
			ps = append(ps, person(fmt.Sprintf("%s-%d", group, i), fmt.Sprintf("D%s%d", strings.ToUpper(group), i), "at_risk"))
		}
		a.post("POST /api/groups", js(obj{"id": group, "nation": "USA", "persons": ps}))
	}
	reg("three", 3)
	reg("pair", 2)
	reg("lone", 1)
	reg("deny", 1)
	reg("fresh", 1)
	for _, id := range []string{"three-1", "three-2", "three-3", "pair-1", "lone-1"} {
		a.stage(id)
	}
	// pair-2 is cleared but not staged.
	a.post("POST /api/scans", `{"person_id":"pair-2","site":"gate1"}`)
	a.post("POST /api/persons/{id}/screening", `{"decision":"cleared"}`, "pair-2")
	a.post("POST /api/scans", `{"person_id":"deny-1","site":"gate1"}`)
	a.post("POST /api/persons/{id}/screening", `{"decision":"denied","reason":"no eligibility"}`, "deny-1")
	a.post("POST /api/flights", flightBody("small", 2))
	a.post("POST /api/flights", flightBody("F", 0))

	type step struct {
		name   string
		route  string
		ids    []string
		body   string
		detail map[string]string // for refusals: details that name the current state
	}
	ok := func(route, body string, ids ...string) step {
		return step{route: route, ids: ids, body: body}
	}
	no := func(name, route, body string, detail map[string]string, ids ...string) step {
		return step{name: name, route: route, ids: ids, body: body, detail: detail}
	}
	steps := []step{
		no("configure twice", "POST /api/operation", policyBody(), nil),
		no("add a site twice", "POST /api/sites", `{"id":"gate1","kind":"gate"}`, map[string]string{"id": "gate1"}),
		no("register a document twice", "POST /api/persons", js(withNation(person("", "DLONE1", "at_risk"), "USA", "")), map[string]string{"person_id": "lone-1"}),
		no("screen someone registered", "POST /api/persons/{id}/screening", `{"decision":"cleared"}`,
			map[string]string{"stage": "registered"}, "fresh-1"),
		no("stage someone denied", "POST /api/scans", `{"person_id":"deny-1","site":"hold1"}`,
			map[string]string{"stage": "screened", "screening": "denied"}),
		no("scan at the gate twice", "POST /api/scans", `{"person_id":"lone-1","site":"gate1"}`,
			map[string]string{"stage": "staged", "person_id": "lone-1"}),
		no("call a staged group", "POST /api/groups/{id}/call", callBody,
			map[string]string{"stage": "staged"}, "lone"),
		no("join a staged group", "POST /api/persons", js(withNation(person("", "", "at_risk"), "USA", "lone")),
			map[string]string{"stage": "staged", "group_id": "lone"}),
		no("manifest past the seats", "POST /api/flights/{id}/manifest", `{"group_id":"three"}`,
			map[string]string{"seats": "2", "manifested": "0", "group_size": "3"}, "small"),
		no("split a group", "POST /api/flights/{id}/manifest", `{"group_id":"pair"}`,
			map[string]string{"person_id": "pair-2", "stage": "screened"}, "F"),
		no("manifest someone not staged", "POST /api/flights/{id}/manifest", `{"group_id":"fresh"}`,
			map[string]string{"person_id": "fresh-1", "stage": "registered"}, "F"),
		no("close a scheduled flight", "POST /api/flights/{id}/close", "", map[string]string{"status": "scheduled"}, "F"),
		no("depart a scheduled flight", "POST /api/flights/{id}/depart", "", map[string]string{"status": "scheduled"}, "F"),
		no("arrive a scheduled flight", "POST /api/flights/{id}/arrive", "", map[string]string{"status": "scheduled"}, "F"),
		no("offload a group not on the flight", "DELETE /api/flights/{id}/manifest/{group}", "",
			map[string]string{"person_id": "lone-1", "stage": "staged"}, "F", "lone"),
		ok("POST /api/flights/{id}/boarding", "", "F"),
		no("boarding twice", "POST /api/flights/{id}/boarding", "", map[string]string{"status": "boarding"}, "F"),
		no("board someone not manifested", "POST /api/flights/{id}/board", `{"group_id":"lone"}`,
			map[string]string{"person_id": "lone-1", "stage": "staged"}, "F"),
		no("board by ramp scan someone not manifested", "POST /api/scans", `{"person_id":"lone-1","site":"ramp1"}`,
			map[string]string{"person_id": "lone-1", "stage": "staged"}),
		ok("POST /api/flights/{id}/manifest", `{"group_id":"three"}`, "F"),
		no("manifest a group already manifested", "POST /api/flights/{id}/manifest", `{"group_id":"three"}`,
			map[string]string{"stage": "manifested", "flight_id": "F"}, "F"),
		ok("POST /api/flights/{id}/manifest", `{"group_id":"lone"}`, "small"),
		no("board onto another flight than the manifest's", "POST /api/flights/{id}/board", `{"group_id":"lone"}`,
			map[string]string{"person_id": "lone-1", "stage": "manifested"}, "F"),
		no("board a flight that is not boarding", "POST /api/flights/{id}/board", `{"group_id":"lone"}`,
			map[string]string{"status": "scheduled"}, "small"),
		no("board by ramp scan onto a flight not boarding", "POST /api/scans", `{"person_id":"lone-1","site":"ramp1"}`,
			map[string]string{"status": "scheduled", "flight_id": "small"}),
		ok("POST /api/scans", `{"person_id":"three-2","site":"ramp1"}`),
		no("board twice", "POST /api/flights/{id}/board", `{"person_id":"three-1"}`,
			map[string]string{"person_id": "three-1", "stage": "boarded"}, "F"),
		no("offload a boarded group", "DELETE /api/flights/{id}/manifest/{group}", `{"reason":"x"}`,
			map[string]string{"person_id": "three-1", "stage": "boarded"}, "F", "three"),
		no("cancel without a reason", "POST /api/flights/{id}/cancel", "", nil, "F"),
		ok("POST /api/flights/{id}/depart", "", "F"),
		no("depart twice", "POST /api/flights/{id}/depart", "", map[string]string{"status": "departed"}, "F"),
		no("boarding a departed flight", "POST /api/flights/{id}/boarding", "", map[string]string{"status": "departed"}, "F"),
		no("close a departed flight", "POST /api/flights/{id}/close", "", map[string]string{"status": "departed"}, "F"),
		no("cancel a departed flight", "POST /api/flights/{id}/cancel", `{"reason":"late"}`, map[string]string{"status": "departed"}, "F"),
		no("manifest onto a departed flight", "POST /api/flights/{id}/manifest", `{"group_id":"pair"}`,
			map[string]string{"status": "departed"}, "F"),
		ok("POST /api/flights/{id}/arrive", "", "F"),
		no("arrive twice", "POST /api/flights/{id}/arrive", "", map[string]string{"status": "arrived"}, "F"),
		no("scan an arrived person at the gate", "POST /api/scans", `{"person_id":"three-1","site":"gate1"}`,
			map[string]string{"stage": "arrived"}),
	}
	affected := []string{"/api/flights/F", "/api/flights/small", "/api/flights", "/api/sites", "/api/operation",
		"/api/groups/three", "/api/groups/pair", "/api/groups/lone", "/api/groups/fresh", "/api/groups/deny", "/api/staged"}
	for _, s := range steps {
		if s.name == "" {
			a.post(s.route, s.body, s.ids...)
			continue
		}
		t.Run(s.name, func(t *testing.T) {
			a := a.with(t)
			method, path := a.path(s.route, s.ids)
			before := a.snapshot(affected...)
			r := a.request(method, path, a.key(), s.body)
			want := http.StatusConflict
			code := airbridge.ECONFLICT
			if s.name == "cancel without a reason" {
				want, code = http.StatusUnprocessableEntity, airbridge.EINVALID
			}
			e := wantError(t, r, want, code)
			for k, v := range s.detail {
				if got := detail(e.Details[k]); got != v {
					t.Errorf("details.%s = %q, want %q (%s)", k, got, v, r)
				}
			}
			if diff := cmp.Diff(before, a.snapshot(affected...)); diff != "" {
				t.Errorf("a refused %s changed the state (-before +after):\n%s", s.route, diff)
			}
		})
	}
	// The walk ends where the rules say.
	var f airbridge.FlightView
	a.get("/api/flights/F", &f)
	if f.Flight.Status != airbridge.StatusArrived || f.Flight.Carried != 3 || len(f.Manifest) != 3 {
		t.Errorf("flight F: %+v", f)
	}
}

// ---------------------------------------------------------------------------
// 4. The happy walk, with every command replayed

func TestHappyWalk(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	r := a.cmd("POST /api/operation", policyBody())
	var pol airbridge.Policy
	decode(t, r, &pol)
	if pol.Name != "Kabul test" {
		t.Errorf("configured %+v", pol)
	}
	for _, s := range []string{
		`{"id":"gate-north","name":"North Gate","kind":"gate"}`,
		`{"id":"hold-1","kind":"holding"}`,
		`{"id":"ramp-1","kind":"ramp"}`,
	} {
		var site airbridge.Site
		decode(t, a.cmd("POST /api/sites", s), &site)
		if site.ID == "" || site.Name == "" || site.Kind == "" {
			t.Errorf("added site %+v", site)
		}
	}
	stageOne := func(id string, wantCalled bool) {
		t.Helper()
		var sr airbridge.ScanResult
		decode(t, a.cmd("POST /api/scans", js(obj{"person_id": id, "site": "gate-north"})), &sr)
		if sr.Person.Stage != airbridge.AtGate || sr.CalledForward != wantCalled {
			t.Errorf("gate scan of %s: %+v", id, sr)
		}
		a.cmd("POST /api/persons/{id}/screening", `{"decision":"cleared"}`, id)
		decode(t, a.cmd("POST /api/scans", js(obj{"person_id": id, "site": "hold-1"})), &sr)
		if sr.Person.Stage != airbridge.Staged {
			t.Errorf("holding scan of %s: %+v", id, sr)
		}
	}

	// A third-country national is staged first: lowest priority.
	var third airbridge.Person
	decode(t, a.cmd("POST /api/persons", js(withNation(person("", "T1000", "third_country"), "USA", ""))), &third)
	stageOne(third.ID, false)

	// The family of three, with passports.
	docs := []string{"P1000001", "P1000002", "P1000003"}
	var fam airbridge.GroupView
	decode(t, a.cmd("POST /api/groups", js(obj{"name": "Haidari family", "nation": "USA", "persons": []obj{
		person("", docs[0], "local_staff"), person("", docs[1], "local_staff"), person("", docs[2], "local_staff"),
	}})), &fam)
	if !strings.HasPrefix(fam.Group.ID, "G") || len(fam.Persons) != 3 || len(fam.Group.Members) != 3 {
		t.Fatalf("registered family: %+v", fam)
	}
	// The answer carries no personal data (cmd checks it); a coordinator of
	// the family's nation reads it.
	for i, p := range fam.Persons {
		if !strings.HasPrefix(p.ID, "P") || p.ID != fam.Group.Members[i] || p.GroupID != fam.Group.ID ||
			p.Stage != airbridge.Registered {
			t.Errorf("family member %d: %+v", i, p)
		}
		var got airbridge.Person
		a.as("coordinator.usa").get("/api/persons/"+p.ID, &got)
		if got.ID != p.ID || got.Surname != "Haidari" || len(got.Documents) != 1 || got.Documents[0].Number != docs[i] || got.Redacted != "" {
			t.Errorf("family member %d read by a coordinator of USA: %+v", i, got)
		}
	}
	var called airbridge.GroupView
	decode(t, a.cmd("POST /api/groups/{id}/call",
		`{"gate":"gate-north","window_start":"2021-08-20T10:00:00Z","window_end":"2021-08-20T12:00:00Z"}`, fam.Group.ID), &called)
	for _, p := range called.Persons {
		if p.Stage != airbridge.Called {
			t.Errorf("after the call: %s is %s", p.ID, p.Stage)
		}
	}
	// The gate scans the passports, typed as people type them.
	for i, typed := range []string{"p1000001", "P 1000-002", "<P1000003<"} {
		var sr airbridge.ScanResult
		decode(t, a.cmd("POST /api/scans", js(obj{"document": typed, "site": "gate-north"})), &sr)
		if sr.Person.ID != fam.Persons[i].ID || sr.Person.Stage != airbridge.AtGate || !sr.CalledForward {
			t.Errorf("gate scan of %q: %+v", typed, sr)
		}
	}
	for _, p := range fam.Persons {
		var got airbridge.Person
		decode(t, a.cmd("POST /api/persons/{id}/screening", `{"decision":"cleared","medical":false}`, p.ID), &got)
		if got.Stage != airbridge.Screened || got.Screening != airbridge.Cleared {
			t.Errorf("screened %s: %+v", p.ID, got)
		}
	}
	for _, p := range fam.Persons {
		var sr airbridge.ScanResult
		decode(t, a.cmd("POST /api/scans", js(obj{"person_id": p.ID, "site": "hold-1"})), &sr)
		if sr.Person.Stage != airbridge.Staged {
			t.Errorf("holding scan of %s: %+v", p.ID, sr)
		}
	}
	// An own citizen is staged last: highest priority.
	var own airbridge.Person
	decode(t, a.cmd("POST /api/persons", js(withNation(person("", "D2000", "own_citizen"), "DEU", ""))), &own)
	stageOne(own.ID, false)

	var staged []airbridge.StagedGroup
	a.get("/api/staged", &staged)
	type entry struct {
		Group    string
		Priority int
		Size     int
	}
	var got []entry
	for _, g := range staged {
		got = append(got, entry{g.GroupID, g.Priority, g.Size})
	}
	want := []entry{{own.GroupID, 1, 1}, {fam.Group.ID, 2, 3}, {third.GroupID, 4, 1}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("staged queue by priority (-want +got):\n%s", diff)
	}

	var fl airbridge.Flight
	decode(t, a.cmd("POST /api/flights", flightBody("", 0)), &fl)
	if !strings.HasPrefix(fl.ID, "F") || fl.Seats != 102 || fl.Litters != 36 || fl.Status != airbridge.StatusScheduled {
		t.Errorf("scheduled %+v", fl)
	}
	var man airbridge.GroupView
	decode(t, a.cmd("POST /api/flights/{id}/manifest", js(obj{"group_id": fam.Group.ID}), fl.ID), &man)
	for _, p := range man.Persons {
		if p.Stage != airbridge.Manifested || p.FlightID != fl.ID {
			t.Errorf("manifested %s: %s on %q", p.ID, p.Stage, p.FlightID)
		}
	}
	a.get("/api/staged", &staged)
	if len(staged) != 2 || staged[0].GroupID != own.GroupID || staged[1].GroupID != third.GroupID {
		t.Errorf("staged after manifesting the family: %+v", staged)
	}
	flightStep := func(action string, want airbridge.FlightStatus) airbridge.Flight {
		t.Helper()
		var f airbridge.Flight
		decode(t, a.cmd("POST /api/flights/{id}/"+action, "", fl.ID), &f)
		if f.Status != want {
			t.Errorf("after %s: flight is %s, want %s", action, f.Status, want)
		}
		return f
	}
	flightStep(airbridge.ActionBoarding, airbridge.StatusBoarding)
	var boarded airbridge.GroupView
	decode(t, a.cmd("POST /api/flights/{id}/board", js(obj{"group_id": fam.Group.ID}), fl.ID), &boarded)
	for _, p := range boarded.Persons {
		if p.Stage != airbridge.Boarded {
			t.Errorf("boarded %s: %s", p.ID, p.Stage)
		}
	}
	if f := flightStep(airbridge.ActionDepart, airbridge.StatusDeparted); f.Carried != 3 {
		t.Errorf("departed carrying %d, want 3", f.Carried)
	}
	flightStep(airbridge.ActionArrive, airbridge.StatusArrived)

	// History, in order.
	historyActors := map[string]string{
		airbridge.PersonRegistered: "gate", airbridge.PersonCalled: "coordinator", airbridge.PersonAtGate: "gate",
		airbridge.PersonScreened: "screener", airbridge.PersonStaged: "gate", airbridge.PersonManifested: "planner",
		airbridge.PersonBoarded: "manifest", airbridge.PersonDeparted: "planner", airbridge.PersonArrived: "planner",
	}
	var hist []airbridge.Event
	a.get("/api/persons/"+fam.Persons[0].ID+"/history", &hist)
	var types []string
	for _, e := range hist {
		types = append(types, e.Type)
		// Each event names the user who sent its command.
		if e.Stream != airbridge.PersonStream(fam.Persons[0].ID) || e.Actor != historyActors[e.Type] {
			t.Errorf("history event %+v, want actor %q", e, historyActors[e.Type])
		}
	}
	wantTypes := []string{airbridge.PersonRegistered, airbridge.PersonCalled, airbridge.PersonAtGate, airbridge.PersonScreened,
		airbridge.PersonStaged, airbridge.PersonManifested, airbridge.PersonBoarded, airbridge.PersonDeparted, airbridge.PersonArrived}
	if diff := cmp.Diff(wantTypes, types); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	if hist[2].Site != "gate-north" || hist[4].Site != "hold-1" {
		t.Errorf("scan events carry sites %q and %q, want gate-north and hold-1", hist[2].Site, hist[4].Site)
	}

	var pl airbridge.Pipeline
	a.get("/api/pipeline", &pl)
	if pl.Nations["USA"][airbridge.Arrived] != 3 || pl.Nations["USA"][airbridge.Staged] != 1 ||
		pl.Nations["DEU"][airbridge.Staged] != 1 || pl.Totals[airbridge.Arrived] != 3 || pl.Total != 5 {
		t.Errorf("pipeline: %+v", pl)
	}
	if !slices.Equal(pl.Stages, airbridge.Stages) {
		t.Errorf("pipeline stages %q", pl.Stages)
	}

	var fv airbridge.FlightView
	a.get("/api/flights/"+fl.ID, &fv)
	var manifest []string
	for _, p := range fv.Manifest {
		manifest = append(manifest, p.ID)
		if p.Stage != airbridge.Arrived || p.FlightID != fl.ID {
			t.Errorf("manifest entry %s: %s on %q", p.ID, p.Stage, p.FlightID)
		}
	}
	wantManifest := slices.Clone(fam.Group.Members)
	slices.Sort(wantManifest)
	if !slices.Equal(manifest, wantManifest) || fv.Flight.Status != airbridge.StatusArrived || fv.Flight.Carried != 3 {
		t.Errorf("flight %s: %+v, manifest %q, want %q", fl.ID, fv.Flight, manifest, wantManifest)
	}
	var flights []airbridge.Flight
	a.get("/api/flights", &flights)
	if len(flights) != 1 || flights[0].ID != fl.ID {
		t.Errorf("flights: %+v", flights)
	}

	for _, q := range []string{docs[1], "p1000-002", "P 1000002"} {
		var p airbridge.Person
		a.get("/api/persons?document="+strings.ReplaceAll(q, " ", "%20"), &p)
		if p.ID != fam.Persons[1].ID || p.Stage != airbridge.Arrived {
			t.Errorf("find by document %q: %+v", q, p)
		}
	}
	var g airbridge.GroupView
	a.get("/api/groups/"+fam.Group.ID, &g)
	for _, p := range g.Persons {
		if p.Stage != airbridge.Arrived {
			t.Errorf("group member %s is %s", p.ID, p.Stage)
		}
	}
	events := a.events()
	for i, e := range events {
		if e.Seq != int64(i+1) {
			t.Fatalf("ledger seq %d at %d", e.Seq, i)
		}
	}
}

// TestReplayEveryRoute walks the operation through every mutating route of
// routes.go, each with the replay checks of cmd.
func TestReplayEveryRoute(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	a.cmd("POST /api/operation", policyBody())
	for _, s := range []string{`{"id":"gate1","kind":"gate"}`, `{"id":"hold1","kind":"holding"}`, `{"id":"ramp1","kind":"ramp"}`} {
		a.cmd("POST /api/sites", s)
	}
	var reg airbridge.Registration
	decode(t, a.cmd("POST /api/persons/batch", js(obj{"persons": []obj{
		withNation(person("b-1", "B1", "at_risk"), "USA", "b"), withNation(person("b-2", "B2", "at_risk"), "USA", "b"),
	}})), &reg)
	if reg.Persons != 2 || !slices.Equal(reg.Groups["b"], []string{"b-1", "b-2"}) {
		t.Errorf("batch of persons: %+v", reg)
	}
	var regGroups airbridge.Registration
	decode(t, a.cmd("POST /api/groups/batch", js(obj{"groups": []obj{
		{"id": "gb", "nation": "DEU", "persons": []obj{person("gb-1", "", "own_citizen"), person("gb-2", "", "own_citizen")}},
		{"id": "gc", "nation": "USA", "persons": []obj{person("gc-1", "", "resident")}},
	}})), &regGroups)
	if regGroups.Persons != 3 || len(regGroups.Groups) != 2 || !slices.Equal(regGroups.Groups["gb"], []string{"gb-1", "gb-2"}) {
		t.Errorf("batch of groups: %+v", regGroups)
	}
	a.cmd("POST /api/persons", js(withNation(person("solo-1", "S1", "at_risk"), "USA", "solo")))
	a.cmd("POST /api/groups", js(obj{"id": "g1", "nation": "USA", "persons": []obj{person("g1-1", "G11", "local_staff"), person("g1-2", "G12", "local_staff")}}))
	a.cmd("POST /api/groups/{id}/split", `{"persons":["g1-2"],"group_id":"g2"}`, "g1")
	a.cmd("POST /api/groups/{id}/call", callBody, "g1")
	a.cmd("DELETE /api/groups/{id}/call", `{"reason":"flight moved"}`, "g1")
	a.cmd("POST /api/callforward/publish", `{"calls":[{"group_id":"g1","gate":"gate1","window_start":"2021-08-20T10:00:00Z","window_end":"2021-08-20T11:00:00Z"}]}`)
	a.cmd("POST /api/sites/{id}", `{"lanes":4,"per_lane_hour":60}`, "gate1")
	for _, id := range []string{"g1-1", "solo-1"} {
		a.cmd("POST /api/scans", js(obj{"person_id": id, "site": "gate1"}))
		a.cmd("POST /api/persons/{id}/screening", `{"decision":"referred","reason":"check"}`, id)
		a.cmd("POST /api/persons/{id}/screening", `{"decision":"cleared"}`, id)
		a.cmd("POST /api/scans", js(obj{"document": "", "person_id": id, "site": "hold1"}))
	}
	a.cmd("POST /api/flights", flightBody("F1", 10))
	a.cmd("POST /api/flights/{id}/manifest", `{"group_id":"g1"}`, "F1")
	a.cmd("DELETE /api/flights/{id}/manifest/{group}", `{"reason":"weight"}`, "F1", "g1")
	a.cmd("POST /api/flights/{id}/standby", `{"groups":["g1"]}`, "F1")
	a.cmd("POST /api/manifests/publish", `{"flights":[{"flight_id":"F1","groups":["g1"],"standby":[]}]}`)
	a.cmd("POST /api/flights/{id}/manifest", `{"group_id":"solo"}`, "F1")
	a.cmd("POST /api/flights/{id}/boarding", "", "F1")
	var sr airbridge.ScanResult
	decode(t, a.cmd("POST /api/scans", `{"person_id":"g1-1","site":"ramp1"}`), &sr)
	if sr.Person.Stage != airbridge.Boarded || len(sr.Group) != 1 {
		t.Errorf("ramp scan: %+v", sr)
	}
	a.cmd("POST /api/flights/{id}/board", `{"person_id":"solo-1"}`, "F1")
	a.cmd("POST /api/flights/{id}/close", `{"reason":"full"}`, "F1")
	a.cmd("POST /api/flights/{id}/depart", "", "F1")
	a.cmd("POST /api/flights/{id}/arrive", "{}", "F1")
	a.cmd("POST /api/flights", flightBody("F2", 0))
	a.cmd("POST /api/flights/{id}/cancel", `{"reason":"weather"}`, "F2")
	a.post("POST /api/withdrawals", `{"id":"W1","scenario":"nato-2021"}`) // replay-checked in TestWithdrawalTracked
	a.cmd("POST /api/withdrawals/{id}/movements", `{"date":"2021-04-25","nation":"USA","from":"BAF","to":"HKIA","mode":"road","personnel":10}`, "W1")

	// A key is global: reused on another route it is refused.
	key := a.key()
	a.request("POST", "/api/sites", key, `{"id":"gate2","kind":"gate"}`)
	before := a.snapshot("/api/sites")
	wantError(t, a.request("POST", "/api/flights/F2/boarding", key, ""), 409, airbridge.ECONFLICT)
	wantError(t, a.request("POST", "/api/scans", key, `{}`), 409, airbridge.ECONFLICT)
	if diff := cmp.Diff(before, a.snapshot("/api/sites")); diff != "" {
		t.Errorf("a reused key changed the state:\n%s", diff)
	}

	for _, r := range mutatingRoutes(t) {
		if !a.covered[r] {
			t.Errorf("%s was not replay-checked", r)
		}
	}
}

// TestScanAnswerHasNoPersonalData: a scan's answer, first and replayed,
// carries no personal data, whether it moves a person or a whole group; the
// caller reads the person to see it, if entitled.
func TestScanAnswerHasNoPersonalData(t *testing.T) {
	t.Parallel()
	a := newWorld(t)
	for _, tc := range []struct{ name, body string }{
		{"a person at the gate", `{"person_id":"fam-1","site":"gate1"}`},
		{"a person by document", `{"document":"P101","site":"gate1"}`},
		{"a group boarding at the ramp", `{"person_id":"solo-1","site":"ramp1"}`},
	} {
		key := a.key()
		for _, try := range []string{"first", "replayed"} {
			r := a.request("POST", "/api/scans", key, tc.body)
			if r.status != http.StatusOK {
				t.Fatalf("%s (%s): %s", tc.name, try, r)
			}
			checkNoPersonalData(t, tc.name+" ("+try+")", r.body)
		}
	}
}

// TestCancelFlight cancels flights, scheduled and with a group manifested:
// the cancellation and its reason are recorded, everyone manifested is
// offloaded, and the reason reaches those entitled to it.
func TestCancelFlight(t *testing.T) {
	t.Parallel()
	a := newWorld(t)
	var f airbridge.Flight
	decode(t, a.cmd("POST /api/flights/{id}/cancel", `{"reason":"weather"}`, "F1"), &f)
	if f.Status != airbridge.StatusCancelled {
		t.Errorf("cancelled F1: %+v", f)
	}
	a.post("POST /api/flights/{id}/cancel", `{"reason":"engine"}`, "F2")
	var p airbridge.Person
	a.get("/api/persons/solo-1", &p)
	if p.Stage != airbridge.Staged || p.FlightID != "" {
		t.Errorf("solo-1 after F2 was cancelled: %s on %q, want staged on none", p.Stage, p.FlightID)
	}
	var hist []airbridge.Event
	a.get("/api/persons/solo-1/history", &hist)
	if last := hist[len(hist)-1]; last.Type != airbridge.PersonOffloaded || !strings.Contains(last.Data.Reason, "engine") {
		t.Errorf("solo-1's last event: %+v, want offloaded for the engine", last)
	}
}

// ---------------------------------------------------------------------------
// 5. Metrics and health

func TestHealthz(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	var h map[string]string
	a.get("/healthz", &h)
	if h["status"] != "ok" {
		t.Errorf("healthz: %v", h)
	}
}

type sample struct {
	name   string
	labels map[string]string
	value  float64
}

var (
	sampleLine = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$`)
	labelPair  = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"`)
)

// parseMetrics parses the Prometheus text format strictly enough to catch
// malformed lines, and checks that every family has HELP and TYPE.
func parseMetrics(t *testing.T, text string) []sample {
	t.Helper()
	var out []sample
	typed := map[string]string{}
	helped := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if f, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name, typ, _ := strings.Cut(f, " ")
			typed[name] = typ
			continue
		}
		if f, ok := strings.CutPrefix(line, "# HELP "); ok {
			name, _, _ := strings.Cut(f, " ")
			helped[name] = true
			continue
		}
		m := sampleLine.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("metrics: malformed line %q", line)
			continue
		}
		s := sample{name: m[1], labels: map[string]string{}}
		var pairs []string
		for _, p := range labelPair.FindAllStringSubmatch(m[2], -1) {
			s.labels[p[1]] = p[2]
			pairs = append(pairs, p[0])
		}
		if strings.Join(pairs, ",") != m[2] {
			t.Errorf("metrics: malformed labels in %q", line)
		}
		v, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			t.Errorf("metrics: bad value in %q", line)
		}
		s.value = v
		family := s.name
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			if b, ok := strings.CutSuffix(family, suffix); ok && typed[b] == "histogram" {
				family = b
			}
		}
		if typed[family] == "" || !helped[family] {
			t.Errorf("metrics: %s has no TYPE or HELP before it", s.name)
		}
		out = append(out, s)
	}
	return out
}

func find(samples []sample, name string, labels ...string) (float64, bool) {
next:
	for _, s := range samples {
		if s.name != name {
			continue
		}
		for i := 0; i+1 < len(labels); i += 2 {
			if s.labels[labels[i]] != labels[i+1] {
				continue next
			}
		}
		return s.value, true
	}
	return 0, false
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	a := newWorld(t)
	a.get("/healthz", nil)
	a.get("/healthz", nil)
	a.get("/api/persons/fam-1", nil)
	a.get("/api/persons/fam-2", nil)
	a.request("GET", "/nope", "", "")
	a.request("POST", "/api/sites", a.key(), `{"id":"bad id!","kind":"gate"}`)

	r := a.request("GET", "/metrics", "", "")
	if r.status != 200 {
		t.Fatalf("GET /metrics: %s", r)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type = %q", ct)
	}
	samples := parseMetrics(t, string(r.body))

	// Routes that need no credentials.
	if got, ok := find(samples, "airbridge_http_requests_total", "route", "GET /healthz", "status", "200"); !ok || got != 2 {
		t.Errorf("airbridge_http_requests_total{route=\"GET /healthz\",status=\"200\"} = %v (present %v), want 2", got, ok)
	}
	// Routes that do.
	t.Run("routes of authenticated requests", func(t *testing.T) {
		for _, tc := range []struct {
			route, status string
			want          float64
		}{
			{"POST /api/sites", "201", 4},
			{"POST /api/sites", "422", 1},
			{"GET /api/persons/{id}", "200", 2},
			{"unmatched", "404", 1},
			{"POST /api/flights/{id}/boarding", "200", 1},
		} {
			got, ok := find(samples, "airbridge_http_requests_total", "route", tc.route, "status", tc.status)
			if !ok || got != tc.want {
				t.Errorf("airbridge_http_requests_total{route=%q,status=%q} = %v (present %v), want %v", tc.route, tc.status, got, ok, tc.want)
			}
		}
		if _, ok := find(samples, "airbridge_http_request_duration_seconds_count", "route", "POST /api/scans"); !ok {
			t.Errorf("no latency histogram for POST /api/scans")
		}
	})
	for _, s := range samples {
		if s.name == "airbridge_http_requests_total" && strings.Contains(s.labels["route"], "fam-") {
			t.Errorf("route label holds a path value: %v", s.labels)
		}
	}

	// Histograms: buckets are cumulative and +Inf equals the count.
	routes := map[string]bool{}
	for _, s := range samples {
		if s.name == "airbridge_http_request_duration_seconds_bucket" {
			routes[s.labels["route"]] = true
		}
	}
	if !routes["GET /healthz"] || len(routes) < 2 {
		t.Errorf("latency histograms for routes %v", slices.Sorted(maps.Keys(routes)))
	}
	for route := range routes {
		last := -1.0
		for _, s := range samples {
			if s.name == "airbridge_http_request_duration_seconds_bucket" && s.labels["route"] == route {
				if s.value < last {
					t.Errorf("histogram of %s is not cumulative at le=%s", route, s.labels["le"])
				}
				last = s.value
			}
		}
		inf, ok1 := find(samples, "airbridge_http_request_duration_seconds_bucket", "route", route, "le", "+Inf")
		count, ok2 := find(samples, "airbridge_http_request_duration_seconds_count", "route", route)
		_, ok3 := find(samples, "airbridge_http_request_duration_seconds_sum", "route", route)
		if !ok1 || !ok2 || !ok3 || inf != count || inf != last {
			t.Errorf("histogram of %s: +Inf %v, count %v, last bucket %v", route, inf, count, last)
		}
	}
	if n, _ := find(samples, "airbridge_http_request_duration_seconds_count", "route", "GET /healthz"); n != 2 {
		t.Errorf("healthz latency count %v, want 2", n)
	}

	appended, ok := find(samples, "airbridge_events_appended_total")
	if events := a.events(); !ok || appended != float64(len(events)) {
		t.Errorf("airbridge_events_appended_total = %v, want %d (the whole ledger of this process)", appended, len(events))
	}
	var pl airbridge.Pipeline
	a.get("/api/pipeline", &pl)
	for _, st := range airbridge.Stages {
		got, ok := find(samples, "airbridge_persons", "stage", string(st))
		if !ok || got != float64(pl.Totals[st]) {
			t.Errorf("airbridge_persons{stage=%q} = %v (present %v), want %d", st, got, ok, pl.Totals[st])
		}
	}
	if got, _ := find(samples, "airbridge_persons", "stage", "registered"); got != 2 {
		t.Errorf("airbridge_persons{stage=\"registered\"} = %v, want 2", got)
	}
}

// ---------------------------------------------------------------------------
// 6. Concurrency

func TestConcurrentScans(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	a.post("POST /api/operation", policyBody())
	a.post("POST /api/sites", `{"id":"gate1","kind":"gate"}`)
	const persons = 42
	var ps []obj
	for i := range persons {
		ps = append(ps, withNation(person(fmt.Sprintf("c-%02d", i), fmt.Sprintf("C%02d", i), "at_risk"), "USA", fmt.Sprintf("cg-%02d", i)))
	}
	a.post("POST /api/persons/batch", js(obj{"persons": ps}))
	seq0 := len(a.events())

	type call struct {
		key, person string
		r           response
		err         error
	}
	scan := func(id string) string { return js(obj{"person_id": id, "site": "gate1"}) }
	const workers = 16
	var calls [workers][]*call
	for g := range workers {
		calls[g] = []*call{
			{key: fmt.Sprintf("distinct-%02d", g), person: fmt.Sprintf("c-%02d", g)},  // 16 keys, one request each
			{key: fmt.Sprintf("pair-%d", g/2), person: fmt.Sprintf("c-%02d", 16+g/2)}, // 8 keys, two requests each
			{key: "everyone", person: "c-24"},                                         // 1 key, 16 requests
			{key: fmt.Sprintf("contended-%02d", g), person: "c-25"},                   // 16 keys on one person
			{key: fmt.Sprintf("clash-%d", g/2), person: fmt.Sprintf("c-%02d", 26+g)},  // 8 keys, two bodies each
		}
		// Vary the order so that the kinds interleave.
		if g%2 == 1 {
			slices.Reverse(calls[g])
		}
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for g := range workers {
		wg.Go(func() {
			<-start
			for _, c := range calls[g] {
				c.r, c.err = a.send("gate", "POST", "/api/scans", c.key, scan(c.person))
			}
		})
	}
	close(start)
	wg.Wait()

	byKey := map[string][]*call{}
	for g := range workers {
		for _, c := range calls[g] {
			if c.err != nil {
				t.Fatalf("%s: %v", c.key, c.err)
			}
			byKey[c.key] = append(byKey[c.key], c)
		}
	}
	// Each key with one body: all answered alike, exactly one not replayed.
	for key, cs := range byKey {
		if strings.HasPrefix(key, "contended-") || strings.HasPrefix(key, "clash-") {
			continue
		}
		fresh := 0
		for _, c := range cs {
			if c.r.status != 200 || !bytes.Equal(c.r.body, cs[0].r.body) {
				t.Errorf("%s: got %s, want 200 and %s", key, c.r, cs[0].r)
			}
			if c.r.header.Get("Idempotent-Replayed") != "true" {
				fresh++
			}
		}
		if fresh != 1 {
			t.Errorf("%s: %d of %d answers were not replays, want exactly 1", key, fresh, len(cs))
		}
	}
	// Distinct keys on one person: one scan wins, the rest conflict.
	wins := 0
	for g := range workers {
		c := byKey[fmt.Sprintf("contended-%02d", g)][0]
		switch c.r.status {
		case 200:
			wins++
		case 409:
			var e apiError
			decode(t, c.r, &e)
			if e.Code != airbridge.ECONFLICT || e.Details["stage"] != string(airbridge.AtGate) {
				t.Errorf("contended scan refused with %s", c.r)
			}
		default:
			t.Errorf("contended scan: %s", c.r)
		}
	}
	if wins != 1 {
		t.Errorf("%d contended scans of c-25 succeeded, want 1", wins)
	}
	// One key, two bodies: the first wins, the other is refused as a reuse.
	for i := range workers / 2 {
		cs := byKey[fmt.Sprintf("clash-%d", i)]
		var statuses []int
		for _, c := range cs {
			statuses = append(statuses, c.r.status)
		}
		slices.Sort(statuses)
		if !slices.Equal(statuses, []int{200, 409}) {
			t.Errorf("clash-%d: statuses %v, want one 200 and one 409", i, statuses)
		}
	}

	// The ledger: one event per key, none for the refused requests.
	events := a.events()[seq0:]
	perKey := map[string]int{}
	perPerson := map[string]int{}
	for _, e := range events {
		if e.Type != airbridge.PersonAtGate {
			t.Errorf("unexpected event %+v", e)
		}
		perKey[e.Key]++
		perPerson[e.Stream]++
	}
	for key := range byKey {
		want := 1
		if strings.HasPrefix(key, "contended-") {
			continue
		}
		if perKey[key] != want {
			t.Errorf("key %s has %d events, want %d", key, perKey[key], want)
		}
	}
	contended := 0
	for key, n := range perKey {
		if strings.HasPrefix(key, "contended-") {
			contended += n
		}
	}
	if contended != 1 {
		t.Errorf("contended keys appended %d events, want 1", contended)
	}
	for stream, n := range perPerson {
		if n != 1 {
			t.Errorf("%s has %d gate events, want 1", stream, n)
		}
	}
	if want := 16 + 8 + 1 + 1 + 8; len(events) != want {
		t.Errorf("%d events appended, want %d", len(events), want)
	}
	// Every answer that claims success matches the ledger.
	for key, cs := range byKey {
		for _, c := range cs {
			if c.r.status != 200 {
				continue
			}
			var sr airbridge.ScanResult
			decode(t, c.r, &sr)
			if perPerson[airbridge.PersonStream(sr.Person.ID)] != 1 || sr.Person.Stage != airbridge.AtGate {
				t.Errorf("%s answered %+v", key, sr.Person)
			}
		}
	}
}

// ---------------------------------------------------------------------------
// Headers

// TestIdempotencyKeyLength: a key of 200 bytes is accepted (201 is refused
// in TestBadInputChangesNothing).
func TestIdempotencyKeyLength(t *testing.T) {
	t.Parallel()
	a := newWorld(t)
	key := strings.Repeat("k", 200)
	if r := a.request("POST", "/api/sites", key, `{"id":"gate9","kind":"gate"}`); r.status != 201 {
		t.Fatalf("a 200-byte key: %s", r)
	}
	r := a.request("POST", "/api/sites", key, `{"id":"gate9","kind":"gate"}`)
	if r.status != 201 || r.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("replayed 200-byte key: %s, replayed %q", r, r.header.Get("Idempotent-Replayed"))
	}
}

// TestActorIsTheAuthenticatedUser: events name the user whose token sent
// the command, whatever headers the client adds (X-Airbridge-Actor, once the
// actor, is ignored), and a command without credentials changes nothing.
func TestActorIsTheAuthenticatedUser(t *testing.T) {
	t.Parallel()
	a := newWorld(t)
	before := a.snapshot("/api/sites")
	r, err := a.send("", "POST", "/api/sites", a.key(), `{"id":"gate8","kind":"gate"}`, "X-Airbridge-Actor", "commander")
	if err != nil {
		t.Fatal(err)
	}
	wantError(t, r, http.StatusUnauthorized, airbridge.EUNAUTHENTICATED)
	if diff := cmp.Diff(before, a.snapshot("/api/sites")); diff != "" {
		t.Errorf("a command without credentials changed the state:\n%s", diff)
	}

	big := strings.Repeat("A", 64<<10)
	for _, tc := range []struct{ user, route, body string }{
		{"commander", "POST /api/sites", `{"id":"gate9","kind":"gate"}`},
		{"planner", "POST /api/sites", `{"id":"gate10","kind":"gate"}`},
		{"gate.usa", "POST /api/persons", js(withNation(person("act-1", "", "at_risk"), "USA", ""))},
	} {
		n := len(a.events())
		as := a.as(tc.user)
		method, path := as.path(tc.route, nil)
		if r := as.request(method, path, as.key(), tc.body, "X-Airbridge-Actor", big); r.status != http.StatusCreated {
			t.Fatalf("%s as %s with X-Airbridge-Actor: %s", tc.route, tc.user, r)
		}
		es := a.events()[n:]
		if len(es) == 0 {
			t.Fatalf("%s as %s appended no events", tc.route, tc.user)
		}
		for _, e := range es {
			if e.Actor != tc.user {
				t.Errorf("%s as %s: event %d %s has actor %q", tc.route, tc.user, e.Seq, e.Type, e.Actor)
			}
		}
	}
}
