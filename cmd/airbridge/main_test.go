package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"airbridge"
)

// syncBuffer is an io.Writer that run's goroutines and the test may use at
// the same time.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func noEnv(string) string { return "" }

// runResult is what a finished call of run left behind.
type runResult struct {
	err            error
	stdout, stderr string
}

// runCmd calls run with args to completion, with a bound on its duration so
// that a command that unexpectedly starts serving cannot hang the test.
func runCmd(t *testing.T, args ...string) runResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	var stdout, stderr syncBuffer
	err := run(ctx, args, noEnv, strings.NewReader(""), &stdout, &stderr)
	if ctx.Err() != nil {
		t.Fatalf("run %q did not return within its time bound", args)
	}
	return runResult{err: err, stdout: stdout.String(), stderr: stderr.String()}
}

// exitStatus returns the status main would exit with for err.
func exitStatus(err error) int {
	if err == nil {
		return 0
	}
	var exit exitError
	if errors.As(err, &exit) {
		return int(exit)
	}
	return 1
}

var urlPattern = regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+`)

// runningServer is one call of run that serves until stop is called.
type runningServer struct {
	t              *testing.T
	url            string
	stdout, stderr *syncBuffer
	cancel         context.CancelFunc
	errc           chan error
	stopped        bool
	err            error
}

// startRun calls run(args) in a goroutine, waits for the URL it prints and
// for /healthz to answer 200. The server is stopped at the end of the test
// if the test did not stop it.
func startRun(t *testing.T, getenv func(string) string, args ...string) *runningServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &runningServer{t: t, stdout: new(syncBuffer), stderr: new(syncBuffer), cancel: cancel, errc: make(chan error, 1)}
	go func() { s.errc <- run(ctx, args, getenv, strings.NewReader(""), s.stdout, s.stderr) }()
	t.Cleanup(func() {
		if !s.stopped {
			s.stop()
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for s.url == "" {
		select {
		case err := <-s.errc:
			s.stopped = true
			t.Fatalf("run %q returned before serving: %v\nstdout:\n%s\nstderr:\n%s", args, err, s.stdout, s.stderr)
		case <-time.After(10 * time.Millisecond):
		}
		s.url = urlPattern.FindString(s.stdout.String())
		if time.Now().After(deadline) {
			t.Fatalf("run %q printed no URL within 60s\nstdout:\n%s\nstderr:\n%s", args, s.stdout, s.stderr)
		}
	}
	for i := 0; ; i++ {
		resp, err := http.Get(s.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if i == 200 {
			t.Fatalf("GET %s/healthz: no 200 after %d tries (last: %v)", s.url, i, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return s
}

// stop cancels run's context and returns what run returned.
func (s *runningServer) stop() error {
	if s.stopped {
		return s.err
	}
	s.stopped = true
	s.cancel()
	select {
	case s.err = <-s.errc:
	case <-time.After(30 * time.Second):
		s.err = errors.New("run did not return within 30s of its context ending")
	}
	return s.err
}

// mustStop stops the server and fails the test if run returned an error.
func (s *runningServer) mustStop() {
	s.t.Helper()
	if err := s.stop(); err != nil {
		s.t.Fatalf("run returned %v after its context ended, want nil\nstderr:\n%s", err, s.stderr)
	}
	if logs := s.stderr.String(); strings.Contains(logs, `"level":"ERROR"`) {
		s.t.Errorf("the server logged errors:\n%s", logs)
	}
}

// api is a JSON client of one server.
type api struct {
	t    *testing.T
	base string
	keys atomic.Int64
	name string
}

func newAPI(t *testing.T, base string) *api {
	return &api{t: t, base: base, name: strings.ReplaceAll(t.Name(), "/", "-")}
}

// do sends a request and decodes a 2xx answer into out; any other answer
// fails the test.
func (c *api) do(method, path string, body, out any) http.Header {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	if method != http.MethodGet {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", fmt.Sprintf("%s-%d", c.name, c.keys.Add(1)))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	msg, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: reading the answer: %v", method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		c.t.Fatalf("%s %s: %s: %s", method, path, resp.Status, msg)
	}
	if out != nil {
		if err := json.Unmarshal(msg, out); err != nil {
			c.t.Fatalf("%s %s: decoding %s: %v", method, path, msg, err)
		}
	}
	return resp.Header
}

func (c *api) get(path string, out any)        { c.t.Helper(); c.do(http.MethodGet, path, nil, out) }
func (c *api) post(path string, body, out any) { c.t.Helper(); c.do(http.MethodPost, path, body, out) }
func (c *api) status(method, path string, body any) int {
	c.t.Helper()
	b, _ := json.Marshal(body)
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(b))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Idempotency-Key", fmt.Sprintf("%s-%d", c.name, c.keys.Add(1)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestServe(t *testing.T) {
	db := filepath.Join(t.TempDir(), "serve.db")
	s := startRun(t, noEnv, "serve", "--addr", "127.0.0.1:0", "--db", db)
	var health map[string]string
	newAPI(t, s.url).get("/healthz", &health)
	if health["status"] != "ok" || health["version"] != version {
		t.Errorf("GET /healthz = %v, want status ok and version %s", health, version)
	}
	s.mustStop()
	if out := s.stdout.String(); !strings.Contains(out, "serving "+db+" on "+s.url) {
		t.Errorf("stdout = %q, want it to say it serves %s on %s", out, db, s.url)
	}
	if _, err := os.Stat(db); err != nil {
		t.Errorf("serve did not create its database: %v", err)
	}
	if _, err := http.Get(s.url + "/healthz"); err == nil {
		t.Errorf("the server still answers after run returned")
	}
}

// TestOneWriterPerDatabase: while a server holds a database, a second server
// and a demo refuse it, and verify reads it without disturbing it.
func TestOneWriterPerDatabase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	s := startRun(t, noEnv, "demo", "--addr", "127.0.0.1:0", "--db", db, "--persons", "200")
	if r := runCmd(t, "serve", "--addr", "127.0.0.1:0", "--db", db); r.err == nil || !strings.Contains(r.err.Error(), "in use") {
		t.Errorf("a second serve on the demo's database = %v, want it refused as in use", r.err)
	}
	if r := runCmd(t, "demo", "--addr", "127.0.0.1:0", "--db", db); r.err == nil || !strings.Contains(r.err.Error(), "another airbridge process") {
		t.Errorf("a second demo on the same file = %v, want it refused", r.err)
	}
	if r := runCmd(t, "verify", "--db", db); r.err != nil || !strings.Contains(r.stdout, "matches") {
		t.Errorf("verify while the demo serves = %v, %q; want a match", r.err, r.stdout)
	}
	var health map[string]string
	newAPI(t, s.url).get("/healthz", &health) // still serving
	s.mustStop()
	if r := runCmd(t, "verify", "--db", db); r.err != nil {
		t.Errorf("verify after the demo stopped: %v", r.err)
	}
}

func TestServeFromEnvironment(t *testing.T) {
	db := filepath.Join(t.TempDir(), "env.db")
	env := map[string]string{"AIRBRIDGE_ADDR": "127.0.0.1:0", "AIRBRIDGE_DB": db}
	s := startRun(t, func(k string) string { return env[k] }, "serve")
	s.mustStop()
	if out := s.stdout.String(); !strings.Contains(out, "serving "+db) {
		t.Errorf("stdout = %q, want it to serve %s from AIRBRIDGE_DB", out, db)
	}
}

func TestServeAddressInUse(t *testing.T) {
	dir := t.TempDir()
	s := startRun(t, noEnv, "serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "a.db"))
	addr := strings.TrimPrefix(s.url, "http://")
	r := runCmd(t, "serve", "--addr", addr, "--db", filepath.Join(dir, "b.db"))
	if r.err == nil || !strings.Contains(r.err.Error(), "listen") {
		t.Errorf("serve on a busy address returned %v, want a listen error", r.err)
	}
	s.mustStop()
}

func TestDemo(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	s := startRun(t, noEnv, "demo", "--addr", "127.0.0.1:0", "--db", db, "--persons", "500")
	c := newAPI(t, s.url)
	var pipeline airbridge.Pipeline
	c.get("/api/pipeline", &pipeline)
	if pipeline.Total < 400 || pipeline.Total > 600 {
		t.Errorf("the demo holds %d persons, want about 500", pipeline.Total)
	}
	var flights []airbridge.Flight
	c.get("/api/flights", &flights)
	if len(flights) == 0 {
		t.Errorf("the demo has no flights")
	}
	s.mustStop()
	out := s.stdout.String()
	for _, want := range []string{"kabul-2021 (seed 1)", "persons", db, "serving on " + s.url, "curl " + s.url + "/api/pipeline"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
}

func TestDemoTwiceRecreates(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	s := startRun(t, noEnv, "demo", "--addr", "127.0.0.1:0", "--db", db, "--persons", "100")
	c := newAPI(t, s.url)
	var op airbridge.Policy
	c.get("/api/operation", &op)
	c.post("/api/groups", map[string]any{"id": "marker", "nation": op.Nations[0], "persons": []map[string]any{
		{"id": "marker-1", "surname": "Marker", "given_names": "Test", "nationality": "AFG", "category": "at_risk"},
	}}, nil)
	c.get("/api/groups/marker", nil)
	s.mustStop()

	s = startRun(t, noEnv, "demo", "--addr", "127.0.0.1:0", "--db", db, "--persons", "100")
	if got := newAPI(t, s.url).status(http.MethodGet, "/api/groups/marker", nil); got != http.StatusNotFound {
		t.Errorf("after the second demo, GET /api/groups/marker = %d, want 404: the database was not recreated", got)
	}
	s.mustStop()
}

func TestDemoRefusesToReplace(t *testing.T) {
	tests := []struct {
		name string
		make func(t *testing.T, path string)
		want string
	}{
		{"plain text file", func(t *testing.T, path string) {
			writeFile(t, path, "my notes, not a database\n")
		}, "not an SQLite database"},
		{"empty file", func(t *testing.T, path string) {
			writeFile(t, path, "")
		}, "refusing"},
		{"foreign SQLite database", func(t *testing.T, path string) {
			execSQL(t, path, `CREATE TABLE notes (body TEXT)`, `INSERT INTO notes VALUES ('keep me')`)
		}, "not an airbridge database"},
		{"airbridge database made by serve", func(t *testing.T, path string) {
			s := startRun(t, noEnv, "serve", "--addr", "127.0.0.1:0", "--db", path)
			c := newAPI(t, s.url)
			c.post("/api/operation", map[string]any{"policy": airbridge.Policy{
				Name: "real", Nations: []string{"USA"}, Categories: airbridge.DefaultCategories(),
			}}, nil)
			s.mustStop()
		}, "not a demo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "precious.db")
			tt.make(t, path)
			before := readFile(t, path)
			r := runCmd(t, "demo", "--addr", "127.0.0.1:0", "--db", path, "--persons", "100")
			if r.err == nil {
				t.Fatalf("demo over a %s returned nil, want an error", tt.name)
			}
			if !strings.Contains(r.err.Error(), tt.want) || !strings.Contains(r.err.Error(), path) {
				t.Errorf("demo over a %s: error %q, want it to name %s and say %q", tt.name, r.err, path, tt.want)
			}
			if urlPattern.MatchString(r.stdout) {
				t.Errorf("demo over a %s served: %s", tt.name, r.stdout)
			}
			if after := readFile(t, path); !bytes.Equal(before, after) {
				t.Errorf("demo changed the %s: %d bytes before, %d after", tt.name, len(before), len(after))
			}
		})
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		r := runCmd(t, args...)
		if r.err != nil || r.stdout != "airbridge "+version+"\n" || r.stderr != "" {
			t.Errorf("run %q = %v, stdout %q, stderr %q; want nil, %q, nothing", args, r.err, r.stdout, r.stderr, "airbridge "+version+"\n")
		}
	}
}

func TestHelp(t *testing.T) {
	commands := [][]string{{"serve"}, {"demo"}, {"verify"}, {"bench"}, {"bench", "ingest"}, {"bench", "demo"}, {"version"}}
	for _, cmd := range commands {
		for _, flag := range []string{"--help", "-h", "-help"} {
			args := append(append([]string{}, cmd...), flag)
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				r := runCmd(t, args...)
				if r.err != nil {
					t.Fatalf("run %q = %v, want nil; stderr:\n%s", args, r.err, r.stderr)
				}
				if !strings.Contains(r.stdout, "Usage: airbridge "+strings.Join(cmd, " ")) {
					t.Errorf("run %q printed on stdout:\n%s\nwant its usage", args, r.stdout)
				}
				if r.stderr != "" {
					t.Errorf("run %q printed on stderr:\n%s", args, r.stderr)
				}
			})
		}
	}
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}, {"-help"}} {
		r := runCmd(t, args...)
		if r.err != nil || !strings.Contains(r.stdout, "Usage:\n  airbridge <command>") || r.stderr != "" {
			t.Errorf("run %q = %v, stdout %q, stderr %q; want the usage on stdout", args, r.err, r.stdout, r.stderr)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args []string
		want string // on stderr
		bug  string // why the case is skipped
	}{
		{nil, "Usage:", ""},
		{[]string{"fly"}, `unknown command "fly"`, ""},
		{[]string{"--fly"}, `unknown command "--fly"`, ""},
		{[]string{"serve", "--port", "80"}, "flag provided but not defined: -port", ""},
		{[]string{"serve", "--addr"}, "flag needs an argument", ""},
		{[]string{"serve", "extra"}, `unexpected argument "extra"`, ""},
		{[]string{"demo", "--persons", "many"}, "invalid value", ""},
		{[]string{"demo", "--persons", "99", "--db", filepath.Join(dir, "d.db")}, "outside 100..200000", ""},
		{[]string{"demo", "--persons", "200001", "--db", filepath.Join(dir, "d.db")}, "outside 100..200000", ""},
		{[]string{"verify"}, "--db is required", ""},
		{[]string{"verify", "--db"}, "flag needs an argument", ""},
		{[]string{"verify", "--bd", "x"}, "flag provided but not defined", ""},
		{[]string{"version", "--short"}, "flag provided but not defined", ""},
		{[]string{"version", "2"}, `unexpected argument "2"`, ""},
		{[]string{"bench", "fly"}, `unknown benchmark "fly"`, ""},
		{[]string{"bench", "ingest", "--clients", "0"}, "1 ≤ clients ≤ 1024", ""},
		{[]string{"bench", "ingest", "--duration", "-1s"}, "0 < duration", ""},
		{[]string{"bench", "ingest", "--rate", "x"}, "invalid value", ""},
		{[]string{"bench", "demo", "--json=maybe"}, "invalid boolean", ""},
		{[]string{"bench", "demo", "--persons", "-5"}, "--persons", ""},
		{[]string{"bench"}, "Usage: airbridge bench", ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			if tt.bug != "" {
				t.Skip(tt.bug)
			}
			r := runCmd(t, tt.args...)
			if got := exitStatus(r.err); got != 2 {
				t.Errorf("run %q = %v (exit status %d), want exit status 2", tt.args, r.err, got)
			}
			if !strings.Contains(r.stderr, tt.want) {
				t.Errorf("run %q printed on stderr:\n%s\nwant %q", tt.args, r.stderr, tt.want)
			}
			if r.stdout != "" {
				t.Errorf("run %q printed on stdout:\n%s", tt.args, r.stdout)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "d.db")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("demo with a bad --persons created its database (stat: %v)", err)
	}
}

func TestVerifyMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.db")
	r := runCmd(t, "verify", "--db", path)
	if r.err == nil {
		t.Fatalf("verify of a missing file returned nil; stdout:\n%s", r.stdout)
	}
	if !errors.Is(r.err, fs.ErrNotExist) || !strings.Contains(r.err.Error(), path) {
		t.Errorf("verify of a missing file: %v, want a not-exist error naming %s", r.err, path)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("verify created %s (stat: %v)", path, err)
	}
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Stat(path + suffix); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("verify created %s", path+suffix)
		}
	}
}

func TestVerifyNotAnAirbridgeDatabase(t *testing.T) {
	tests := []struct {
		name string
		make func(t *testing.T, path string)
	}{
		{"plain text file", func(t *testing.T, path string) { writeFile(t, path, "my notes, not a database\n") }},
		{"empty file", func(t *testing.T, path string) { writeFile(t, path, "") }},
		{"foreign SQLite database", func(t *testing.T, path string) {
			execSQL(t, path, `CREATE TABLE notes (body TEXT)`, `INSERT INTO notes VALUES ('keep me')`)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "other.db")
			tt.make(t, path)
			before := readFile(t, path)
			r := runCmd(t, "verify", "--db", path)
			if r.err == nil {
				t.Errorf("verify of a %s returned nil; stdout:\n%s", tt.name, r.stdout)
			}
			if after := readFile(t, path); !bytes.Equal(before, after) {
				t.Errorf("verify changed the %s: %d bytes before, %d after", tt.name, len(before), len(after))
			}
		})
	}
}

// TestWalk walks one family through the whole pipeline over HTTP against the
// demo, as in the issue, then checks the ledger offline.
func TestWalk(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	s := startRun(t, noEnv, "demo", "--addr", "127.0.0.1:0", "--db", db, "--persons", "500")
	c := newAPI(t, s.url)

	var op airbridge.Policy
	c.get("/api/operation", &op)
	if len(op.Nations) == 0 {
		t.Fatalf("GET /api/operation: no nations in %+v", op)
	}
	nation := op.Nations[0]
	var sites []airbridge.Site
	c.get("/api/sites", &sites)
	site := map[airbridge.SiteKind]string{}
	for _, s := range sites {
		if site[s.Kind] == "" {
			site[s.Kind] = s.ID
		}
	}
	for _, k := range []airbridge.SiteKind{airbridge.Gate, airbridge.Holding} {
		if site[k] == "" {
			t.Fatalf("the demo has no %s site: %+v", k, sites)
		}
	}
	var before airbridge.Pipeline
	c.get("/api/pipeline", &before)

	// Register the family.
	var family airbridge.GroupView
	c.post("/api/groups", map[string]any{
		"name": "Walk family", "nation": nation,
		"persons": []map[string]any{
			{"surname": "Walker", "given_names": "Amina", "birth_date": "1984-03-02", "sex": "F", "nationality": "AFG", "category": "local_staff",
				"documents": []map[string]any{{"type": "passport", "number": "WALK0000001"}}},
			{"surname": "Walker", "given_names": "Omar", "birth_date": "1981-11-20", "sex": "M", "nationality": "AFG", "category": "local_staff",
				"documents": []map[string]any{{"type": "passport", "number": "WALK0000002"}}},
			{"surname": "Walker", "given_names": "Sara", "birth_date": "2015-06-14", "sex": "F", "nationality": "AFG", "category": "local_staff"},
		},
	}, &family)
	group := family.Group.ID
	if group == "" || len(family.Persons) != 3 {
		t.Fatalf("POST /api/groups answered %+v, want a group of 3", family)
	}
	var ids []string
	for _, p := range family.Persons {
		ids = append(ids, p.ID)
	}

	// Call it forward, then each member arrives at the gate.
	now := time.Now().UTC()
	c.post("/api/groups/"+group+"/call", map[string]any{
		"gate": site[airbridge.Gate], "window_start": now.Add(-time.Hour), "window_end": now.Add(2 * time.Hour),
	}, nil)
	for _, id := range ids {
		var scan airbridge.ScanResult
		c.post("/api/scans", map[string]any{"person_id": id, "site": site[airbridge.Gate]}, &scan)
		if scan.Person.Stage != airbridge.AtGate || !scan.CalledForward {
			t.Errorf("scan of %s at the gate: stage %s, called forward %v; want at_gate, true", id, scan.Person.Stage, scan.CalledForward)
		}
	}
	// Screened and cleared, then staged at the holding site.
	for _, id := range ids {
		var p airbridge.Person
		c.post("/api/persons/"+id+"/screening", map[string]any{"decision": "cleared"}, &p)
		if p.Stage != airbridge.Screened || p.Screening != airbridge.Cleared {
			t.Errorf("screening %s: stage %s (%s), want screened (cleared)", id, p.Stage, p.Screening)
		}
		var scan airbridge.ScanResult
		c.post("/api/scans", map[string]any{"person_id": id, "site": site[airbridge.Holding]}, &scan)
		if scan.Person.Stage != airbridge.Staged {
			t.Errorf("scan of %s at holding: stage %s, want staged", id, scan.Person.Stage)
		}
	}

	// A flight: scheduled, manifested, boarding, boarded, departed, arrived.
	flight := "WALK-1"
	c.post("/api/flights", map[string]any{
		"id": flight, "callsign": "REACH 871", "operator": nation, "aircraft": "C-17",
		"slot": now.Add(time.Hour), "destination": "Al Udeid",
	}, nil)
	c.post("/api/flights/"+flight+"/manifest", map[string]any{"group_id": group}, nil)
	c.post("/api/flights/"+flight+"/boarding", nil, nil)
	c.post("/api/flights/"+flight+"/board", map[string]any{"group_id": group}, nil)
	var f airbridge.Flight
	c.post("/api/flights/"+flight+"/depart", nil, &f)
	if f.Status != airbridge.StatusDeparted {
		t.Errorf("flight after depart: %s, want departed", f.Status)
	}
	c.post("/api/flights/"+flight+"/arrive", nil, &f)
	if f.Status != airbridge.StatusArrived {
		t.Errorf("flight after arrive: %s, want arrived", f.Status)
	}

	// Every step is in each member's history.
	wantSteps := []string{
		airbridge.PersonRegistered, airbridge.PersonCalled, airbridge.PersonAtGate, airbridge.PersonScreened,
		airbridge.PersonStaged, airbridge.PersonManifested, airbridge.PersonBoarded, airbridge.PersonDeparted, airbridge.PersonArrived,
	}
	for _, id := range ids {
		var history []airbridge.Event
		c.get("/api/persons/"+id+"/history", &history)
		var got []string
		for _, e := range history {
			got = append(got, e.Type)
		}
		if strings.Join(got, " ") != strings.Join(wantSteps, " ") {
			t.Errorf("history of %s:\n got %v\nwant %v", id, got, wantSteps)
		}
		var p airbridge.Person
		c.get("/api/persons/"+id, &p)
		if p.Stage != airbridge.Arrived || p.FlightID != flight {
			t.Errorf("person %s is %s on flight %q, want arrived on %s", id, p.Stage, p.FlightID, flight)
		}
	}
	var after airbridge.Pipeline
	c.get("/api/pipeline", &after)
	if got, want := after.Nations[nation][airbridge.Arrived], before.Nations[nation][airbridge.Arrived]+3; got != want {
		t.Errorf("pipeline: %d arrived for %s, want %d", got, nation, want)
	}
	if got, want := after.Total, before.Total+3; got != want {
		t.Errorf("pipeline: total %d, want %d", got, want)
	}
	s.mustStop()

	r := runCmd(t, "verify", "--db", db)
	if r.err != nil {
		t.Fatalf("verify = %v, want nil; stdout:\n%s\nstderr:\n%s", r.err, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "matches the read tables") {
		t.Errorf("verify printed:\n%s\nwant that the ledger matches", r.stdout)
	}
}

func TestVerifyFindsTampering(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	s := startRun(t, noEnv, "demo", "--addr", "127.0.0.1:0", "--db", db, "--persons", "100")
	s.mustStop()
	if r := runCmd(t, "verify", "--db", db); r.err != nil {
		t.Fatalf("verify of the untouched demo = %v; stdout:\n%s", r.err, r.stdout)
	}

	sqldb, err := sql.Open("sqlite", "file:"+db+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	var id string
	if err := sqldb.QueryRow(`SELECT id FROM persons WHERE stage <> 'arrived' ORDER BY id LIMIT 1`).Scan(&id); err != nil {
		t.Fatalf("finding a person to tamper with: %v", err)
	}
	res, err := sqldb.Exec(`UPDATE persons SET stage = 'arrived', data = json_set(data, '$.stage', 'arrived') WHERE id = ?`, id)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("tampering updated %d rows, want 1", n)
	}
	if err := sqldb.Close(); err != nil {
		t.Fatal(err)
	}

	r := runCmd(t, "verify", "--db", db)
	if got := exitStatus(r.err); got != 1 {
		t.Errorf("verify of a tampered database = %v (exit status %d), want exit status 1", r.err, got)
	}
	if _, ok := r.err.(exitError); !ok {
		t.Errorf("verify returned %T %v, want an exitError: it already said what is wrong", r.err, r.err)
	}
	if !strings.Contains(r.stdout, "person "+id+":") || !strings.Contains(r.stdout, "differences between the ledger") {
		t.Errorf("verify printed:\n%s\nwant a difference naming person %s", r.stdout, id)
	}
	if strings.Contains(r.stdout, "matches") {
		t.Errorf("verify of a tampered database says it matches:\n%s", r.stdout)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// execSQL runs statements on the SQLite database at path, creating it, and
// closes it.
func execSQL(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func TestBenchDemo(t *testing.T) {
	r := runCmd(t, "bench", "demo", "--persons", "100", "--json")
	if r.err != nil {
		t.Fatalf("bench demo = %v; stderr:\n%s", r.err, r.stderr)
	}
	var res demoResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("bench demo --json printed %q: %v", r.stdout, err)
	}
	if res.ReadyMs <= 0 || res.Persons != 100 || res.Events <= 0 {
		t.Errorf("bench demo --json = %+v, want a positive time, 100 persons and some events", res)
	}
}

func TestBenchIngest(t *testing.T) {
	if testing.Short() {
		t.Skip("registers 20000 persons; skipped with -short")
	}
	args := []string{"bench", "ingest", "--duration", "100ms", "--clients", "4", "--rate", "200", "--json"}
	var r runResult
	if raceEnabled() {
		// Registering 20000 persons takes ~20 s under the race detector;
		// the command built without it takes ~2 s.
		cmd := exec.Command(buildBinary(t), args...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		r.err = cmd.Run()
		r.stdout, r.stderr = stdout.String(), stderr.String()
	} else {
		r = runCmd(t, args...)
	}
	if r.err != nil {
		t.Fatalf("bench ingest = %v; stderr:\n%s", r.err, r.stderr)
	}
	var res ingestResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("bench ingest --json printed %q: %v", r.stdout, err)
	}
	if res.Scans == 0 || res.EventsPerSec <= 0 || res.RawRowsPerSec <= 0 || res.BatchPersonsPerSec <= 0 || res.Errors != 0 || res.Clients != 4 {
		t.Errorf("bench ingest --json = %+v, want scans, positive rates and no errors", res)
	}
}

// raceEnabled reports whether the test binary was built with -race.
func raceEnabled() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}
