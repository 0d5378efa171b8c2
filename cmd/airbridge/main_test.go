package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
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
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"airbridge"
	"airbridge/auth"
	"airbridge/sqlite"
	"airbridge/vault"
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
	return runCmdEnv(t, noEnv, "", args...)
}

// runCmdEnv is runCmd with an environment and stdin.
func runCmdEnv(t *testing.T, getenv func(string) string, stdin string, args ...string) runResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	var stdout, stderr syncBuffer
	err := run(ctx, args, getenv, strings.NewReader(stdin), &stdout, &stderr)
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

var urlPattern = regexp.MustCompile(`https?://127\.0\.0\.1:[0-9]+`)

// newKeyFile writes a new master key to a private file in dir and returns
// the file and the key.
func newKeyFile(t *testing.T, dir string) (string, vault.MasterKey) {
	t.Helper()
	k, err := vault.GenerateMasterKey()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "master-"+k.ID()+".key")
	if err := vault.WriteMasterKey(path, k); err != nil {
		t.Fatal(err)
	}
	return path, k
}

// envWith returns a getenv that answers from vars.
func envWith(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

var (
	tokenPattern     = regexp.MustCompile(`abt_[0-9a-z]{10}_[A-Za-z0-9_-]{43}`)
	tokenLinePattern = regexp.MustCompile(`API token (?:for \S+ )?\(shown once\): (abt_\S+)\n`)
)

// addUser adds a user to the database at db with "airbridge users add",
// which opens it offline, and returns the user's API token.
func addUser(t *testing.T, db, name string, role auth.Role, nation string) string {
	t.Helper()
	r := runCmd(t, "users", "add", "--db", db, "--name", name, "--role", string(role), "--nation", nation, "--token")
	if r.err != nil {
		t.Fatalf("users add %s: %v\nstderr:\n%s", name, r.err, r.stderr)
	}
	m := tokenLinePattern.FindStringSubmatch(r.stdout)
	if m == nil || !tokenPattern.MatchString(m[1]) {
		t.Fatalf("users add %s --token printed no API token:\n%s", name, r.stdout)
	}
	return m[1]
}

// newDatabase creates an empty airbridge database in dir, sealed under a new
// master key in a key file beside it, and returns both files.
func newDatabase(t *testing.T, dir, name string) (db, keyFile string) {
	t.Helper()
	db = filepath.Join(dir, name)
	keyFile, key := newKeyFile(t, dir)
	d, err := sqlite.Open(t.Context(), db, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	return db, keyFile
}

// demoLogin is one of the demo's users as the demo prints it.
type demoLogin struct {
	name, role, nation, token, password string
}

// demoTable is the demo's users by name.
type demoTable map[string]demoLogin

// withRole returns the first user, by name, of a role.
func (d demoTable) withRole(t *testing.T, role auth.Role) demoLogin {
	t.Helper()
	var found []string
	for name, u := range d {
		if u.role == string(role) {
			found = append(found, name)
		}
	}
	if len(found) == 0 {
		t.Fatalf("the demo has no %s", role)
	}
	slices.Sort(found)
	return d[found[0]]
}

// demoUserPattern matches a line of the demo's table of users: role,
// nation, token, user / password.
var demoUserPattern = regexp.MustCompile(`(?m)^(\S+) +(\S+) +(abt_\S+) +(\S+) / (\S+)$`)

// stableDemoUsers are demo users the tests use by name: name → role and
// nation.
var stableDemoUsers = map[string][2]string{
	"gate.usa":     {"gate_agent", "USA"},
	"coord.deu":    {"coordinator", "DEU"},
	"manifest.usa": {"manifest_officer", "USA"},
	"planner":      {"planner", "coalition"},
	"commander.a":  {"commander", "coalition"},
	"commander.b":  {"commander", "coalition"},
	"auditor":      {"auditor", "coalition"},
}

// demoUsers waits for the demo's table of users and returns them: every
// role at least once, two commanders for the two-person rule.
func (s *runningServer) demoUsers() demoTable {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(s.stdout.String(), "/api/pipeline\n") { // the last line
		if time.Now().After(deadline) {
			s.t.Fatalf("the demo printed no users within 30s:\n%s", s.stdout)
		}
		time.Sleep(5 * time.Millisecond)
	}
	out := s.stdout.String()
	users := demoTable{}
	tokens := map[string]bool{}
	for _, m := range demoUserPattern.FindAllStringSubmatch(out, -1) {
		u := demoLogin{name: m[4], role: m[1], nation: m[2], token: m[3], password: m[5]}
		if _, dup := users[u.name]; dup || tokens[u.token] {
			s.t.Errorf("the demo printed user %s or its token twice:\n%s", u.name, out)
		}
		users[u.name], tokens[u.token] = u, true
		if !tokenPattern.MatchString(u.token) {
			s.t.Errorf("demo user %s has a malformed token %q", u.name, u.token)
		}
	}
	for name, want := range stableDemoUsers {
		if u, ok := users[name]; !ok || u.role != want[0] || u.nation != want[1] {
			s.t.Fatalf("the demo has no %s, a %s of %s:\n%s", name, want[0], want[1], out)
		}
	}
	for _, r := range auth.Roles {
		users.withRole(s.t, r)
	}
	return users
}

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
	return startRunClient(t, http.DefaultClient, getenv, args...)
}

// startRunClient is startRun with the client that checks /healthz, such as
// one that trusts a server's TLS certificate.
func startRunClient(t *testing.T, client *http.Client, getenv func(string) string, args ...string) *runningServer {
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
		resp, err := client.Get(s.url + "/healthz")
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

// api is a JSON client of one server, acting with one API token.
type api struct {
	t      *testing.T
	base   string
	token  string // sent as "Authorization: Bearer token" unless empty
	client *http.Client
	name   string
}

// idempotencyKeys numbers the idempotency keys of every api client, so that
// two clients of one test never send the same key.
var idempotencyKeys atomic.Int64

func newAPI(t *testing.T, base, token string) *api {
	return &api{t: t, base: base, token: token, client: http.DefaultClient, name: strings.ReplaceAll(t.Name(), "/", "-")}
}

func (c *api) request(method, path string, body io.Reader) *http.Request {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if method != http.MethodGet {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", fmt.Sprintf("%s-%d", c.name, idempotencyKeys.Add(1)))
	}
	return req
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
	req := c.request(method, path, r)
	resp, err := c.client.Do(req)
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
	status, _, _ := c.try(method, path, body)
	return status
}

// try sends a request and returns the answer, whatever its status.
func (c *api) try(method, path string, body any) (int, http.Header, []byte) {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	resp, err := c.client.Do(c.request(method, path, r))
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	msg, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: reading the answer: %v", method, path, err)
	}
	return resp.StatusCode, resp.Header, msg
}

// as returns a client of the same server acting with another token.
func (c *api) as(token string) *api {
	d := newAPI(c.t, c.base, token)
	d.client = c.client
	return d
}

func TestServe(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "serve.db")
	keyFile, _ := newKeyFile(t, dir)
	s := startRun(t, noEnv, "serve", "--addr", "127.0.0.1:0", "--db", db, "--key-file", keyFile)
	var health map[string]string
	c := newAPI(t, s.url, "")
	h := c.do(http.MethodGet, "/healthz", nil, &health) // open to all
	if health["status"] != "ok" || health["version"] != version {
		t.Errorf("GET /healthz = %v, want status ok and version %s", health, version)
	}
	if hsts := h.Get("Strict-Transport-Security"); hsts != "" {
		t.Errorf("plain HTTP answered Strict-Transport-Security: %s", hsts)
	}
	// Everything else needs credentials.
	for _, token := range []string{"", "abt_0123456789_" + strings.Repeat("A", 43), "not-a-token"} {
		status, h, msg := c.as(token).try(http.MethodGet, "/api/pipeline", nil)
		if status != http.StatusUnauthorized || !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("GET /api/pipeline with token %q: %d (WWW-Authenticate %q) %s, want 401 asking for a bearer token",
				token, status, h.Get("WWW-Authenticate"), msg)
		}
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

// TestServeNeedsKey: serve refuses to start without a usable master key, and
// says how to get one, before it touches the database.
func TestServeNeedsKey(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "keyless.db")
	r := runCmd(t, "serve", "--addr", "127.0.0.1:0", "--db", db)
	if r.err == nil {
		t.Fatalf("serve without a key returned nil; stdout:\n%s", r.stdout)
	}
	for _, want := range []string{"airbridge keys init", "--key-file", "AIRBRIDGE_MASTER_KEY"} {
		if !strings.Contains(r.err.Error(), want) {
			t.Errorf("serve without a key: %q, want it to mention %q", r.err, want)
		}
	}

	// A key file others may read.
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604} {
		keyFile, _ := newKeyFile(t, t.TempDir())
		if err := os.Chmod(keyFile, mode); err != nil {
			t.Fatal(err)
		}
		r := runCmd(t, "serve", "--addr", "127.0.0.1:0", "--db", db, "--key-file", keyFile)
		if r.err == nil || !strings.Contains(r.err.Error(), "chmod 600") || !strings.Contains(r.err.Error(), keyFile) {
			t.Errorf("serve with a key file of mode %04o: %v, want a refusal naming %s and saying chmod 600", mode, r.err, keyFile)
		}
	}

	// A missing key file, and keys that are not keys.
	missing := filepath.Join(dir, "no.key")
	if r := runCmd(t, "serve", "--addr", "127.0.0.1:0", "--db", db, "--key-file", missing); r.err == nil || !errors.Is(r.err, fs.ErrNotExist) {
		t.Errorf("serve with a missing key file: %v, want a not-exist error", r.err)
	}
	short := "c2hvcnQga2V5IG9mIDE2IGJ5dGVz" // base64 of 21 bytes, not 32
	for _, bad := range []string{"not base64!", short} {
		env := envWith(map[string]string{"AIRBRIDGE_MASTER_KEY": bad})
		r := runCmdEnv(t, env, "", "serve", "--addr", "127.0.0.1:0", "--db", db)
		if r.err == nil || !strings.Contains(r.err.Error(), "AIRBRIDGE_MASTER_KEY") {
			t.Errorf("serve with AIRBRIDGE_MASTER_KEY=%q: %v, want an error naming AIRBRIDGE_MASTER_KEY", bad, r.err)
		} else if strings.Contains(r.err.Error(), bad) {
			t.Errorf("the error quotes the key material: %v", r.err)
		}
	}
	if _, err := os.Stat(db); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("serve without a usable key created its database (stat: %v)", err)
	}
}

// TestServeWrongKey: a database opens only with the master key it was
// created with; the refusal names both keys by their ids.
func TestServeWrongKey(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "keyed.db")
	rightFile, right := newKeyFile(t, dir)
	wrongFile, wrong := newKeyFile(t, dir)
	s := startRun(t, noEnv, "serve", "--addr", "127.0.0.1:0", "--db", db, "--key-file", rightFile)
	s.mustStop()

	r := runCmd(t, "serve", "--addr", "127.0.0.1:0", "--db", db, "--key-file", wrongFile)
	if r.err == nil {
		t.Fatalf("serve with the wrong key returned nil; stdout:\n%s", r.stdout)
	}
	if !strings.Contains(r.err.Error(), right.ID()) || !strings.Contains(r.err.Error(), wrong.ID()) {
		t.Errorf("serve with the wrong key: %q, want it to name the database's key %s and the one given %s", r.err, right.ID(), wrong.ID())
	}
	if urlPattern.MatchString(r.stdout) {
		t.Errorf("serve with the wrong key served: %s", r.stdout)
	}
	// The same through the environment; the right key still works after.
	r = runCmdEnv(t, envWith(map[string]string{"AIRBRIDGE_MASTER_KEY": wrong.String()}), "", "serve", "--addr", "127.0.0.1:0", "--db", db)
	if r.err == nil || !strings.Contains(r.err.Error(), right.ID()) {
		t.Errorf("serve with the wrong AIRBRIDGE_MASTER_KEY: %v, want a refusal naming %s", r.err, right.ID())
	}
	startRun(t, envWith(map[string]string{"AIRBRIDGE_MASTER_KEY": right.String()}), "serve", "--addr", "127.0.0.1:0", "--db", db).mustStop()
}

// TestOneWriterPerDatabase: while a server holds a database, a second server,
// a demo and the offline administrative commands refuse it, and verify reads
// it without disturbing it.
func TestOneWriterPerDatabase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	s := startRun(t, noEnv, "demo", "--addr", "127.0.0.1:0", "--db", db, "--persons", "200")
	users := s.demoUsers()
	if r := runCmd(t, "serve", "--addr", "127.0.0.1:0", "--db", db, "--key-file", db+".key"); r.err == nil || !strings.Contains(r.err.Error(), "in use") {
		t.Errorf("a second serve on the demo's database = %v, want it refused as in use", r.err)
	}
	if r := runCmd(t, "demo", "--addr", "127.0.0.1:0", "--db", db); r.err == nil || !strings.Contains(r.err.Error(), "another airbridge process") {
		t.Errorf("a second demo on the same file = %v, want it refused", r.err)
	}
	for _, args := range [][]string{
		{"users", "add", "--db", db, "--name", "intruder", "--role", "commander"},
		{"users", "list", "--db", db},
		{"users", "disable", "--db", db, "--name", "auditor"},
		{"tokens", "issue", "--db", db, "--user", "planner"},
		{"tokens", "list", "--db", db},
		{"keys", "list", "--db", db},
		{"keys", "destroy", "--db", db, "--nation", "DEU", "--token", users["commander.a"].token, "--confirm-token", users["commander.b"].token},
	} {
		r := runCmd(t, args...)
		if r.err == nil || !strings.Contains(r.err.Error(), "in use") || !strings.Contains(r.err.Error(), "must be stopped") {
			t.Errorf("%q while the demo serves = %v, want it refused as in use", args, r.err)
		}
	}
	if r := runCmd(t, "verify", "--db", db); r.err != nil || !strings.Contains(r.stdout, "matches") {
		t.Errorf("verify while the demo serves = %v, %q; want a match", r.err, r.stdout)
	}
	var who map[string]string // still serving, and the auditor not disabled
	newAPI(t, s.url, users["auditor"].token).get("/api/whoami", &who)
	s.mustStop()
	if r := runCmd(t, "verify", "--db", db); r.err != nil {
		t.Errorf("verify after the demo stopped: %v", r.err)
	}
	r := runCmd(t, "users", "list", "--db", db)
	if r.err != nil || strings.Contains(r.stdout, "intruder") || !strings.Contains(r.stdout, "auditor") {
		t.Errorf("users list after the demo stopped = %v:\n%s\nwant the demo's users and no intruder", r.err, r.stdout)
	}
}

func TestServeFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "env.db")
	keyFile, key := newKeyFile(t, dir)
	env := map[string]string{"AIRBRIDGE_ADDR": "127.0.0.1:0", "AIRBRIDGE_DB": db, "AIRBRIDGE_KEY_FILE": keyFile}
	s := startRun(t, envWith(env), "serve")
	s.mustStop()
	if out := s.stdout.String(); !strings.Contains(out, "serving "+db) {
		t.Errorf("stdout = %q, want it to serve %s from AIRBRIDGE_DB", out, db)
	}
	// The key itself in the environment opens the same database.
	delete(env, "AIRBRIDGE_KEY_FILE")
	env["AIRBRIDGE_MASTER_KEY"] = key.String()
	startRun(t, envWith(env), "serve").mustStop()
	// --key-file wins over AIRBRIDGE_MASTER_KEY.
	_, other := newKeyFile(t, dir)
	env["AIRBRIDGE_MASTER_KEY"] = other.String()
	startRun(t, envWith(env), "serve", "--key-file", keyFile).mustStop()
}

func TestServeAddressInUse(t *testing.T) {
	dir := t.TempDir()
	keyFile, _ := newKeyFile(t, dir)
	s := startRun(t, noEnv, "serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "a.db"), "--key-file", keyFile)
	addr := strings.TrimPrefix(s.url, "http://")
	r := runCmd(t, "serve", "--addr", addr, "--db", filepath.Join(dir, "b.db"), "--key-file", keyFile)
	if r.err == nil || !strings.Contains(r.err.Error(), "listen") {
		t.Errorf("serve on a busy address returned %v, want a listen error", r.err)
	}
	s.mustStop()
}

// TestServeTLS serves HTTPS with a certificate from "certs dev" to a client
// that trusts only that certificate.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	tlsDir := filepath.Join(dir, "tls")
	if r := runCmd(t, "certs", "dev", "--dir", tlsDir); r.err != nil {
		t.Fatalf("certs dev: %v\n%s", r.err, r.stderr)
	}
	certPath, keyPath := filepath.Join(tlsDir, "cert.pem"), filepath.Join(tlsDir, "key.pem")
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(readFile(t, certPath)) {
		t.Fatalf("%s holds no certificate", certPath)
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	t.Cleanup(client.CloseIdleConnections)

	db, keyFile := newDatabase(t, dir, "tls.db")
	token := addUser(t, db, "planner", auth.Planner, "coalition")
	s := startRunClient(t, client, noEnv, "serve", "--addr", "127.0.0.1:0", "--db", db, "--key-file", keyFile,
		"--tls-cert", certPath, "--tls-key", keyPath)
	if !strings.HasPrefix(s.url, "https://127.0.0.1:") {
		t.Fatalf("serve with TLS printed %s, want an https URL", s.url)
	}
	resp, err := client.Get(s.url + "/healthz")
	if err != nil {
		t.Fatalf("GET /healthz over TLS: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz over TLS: %s, want 200", resp.Status)
	}
	if hsts := resp.Header.Get("Strict-Transport-Security"); !strings.Contains(hsts, "max-age=") {
		t.Errorf("Strict-Transport-Security %q, want a max-age", hsts)
	}
	if resp.TLS == nil || resp.TLS.Version < tls.VersionTLS12 {
		t.Errorf("connection state %+v, want TLS 1.2 or later", resp.TLS)
	}
	// An API call with a token over TLS.
	c := newAPI(t, s.url, token)
	c.client = client
	var who map[string]string
	c.get("/api/whoami", &who)
	if who["user"] != "planner" || who["role"] != "planner" || who["nation"] != "coalition" {
		t.Errorf("GET /api/whoami over TLS = %v, want the planner", who)
	}
	// A client that does not trust the certificate, and plain HTTP, get nothing.
	if resp, err := http.Get(s.url + "/healthz"); err == nil {
		resp.Body.Close()
		t.Errorf("a client trusting only the system roots got %s", resp.Status)
	}
	if resp, err := http.Get("http://" + strings.TrimPrefix(s.url, "https://") + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Errorf("plain HTTP to the TLS port answered 200")
		}
	}
	s.mustStop()
	if out := s.stdout.String(); !strings.Contains(out, "serving "+db+" on https://") {
		t.Errorf("stdout = %q, want an https URL", out)
	}

	// Half a pair, or a pair that is not one, is refused.
	for _, args := range [][]string{
		{"--tls-cert", certPath},
		{"--tls-key", keyPath},
	} {
		r := runCmd(t, append([]string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--key-file", keyFile}, args...)...)
		if r.err == nil || !strings.Contains(r.err.Error(), "both --tls-cert and --tls-key") {
			t.Errorf("serve %q = %v, want both or neither", args, r.err)
		}
	}
	r := runCmd(t, "serve", "--addr", "127.0.0.1:0", "--db", db, "--key-file", keyFile, "--tls-cert", keyPath, "--tls-key", certPath)
	if r.err == nil || !strings.Contains(r.err.Error(), "TLS") || urlPattern.MatchString(r.stdout) {
		t.Errorf("serve with the certificate and key swapped = %v, %q; want a TLS error", r.err, r.stdout)
	}
}

// TestServeRateLimit: --rate-limit bounds each token's requests; 0 turns the
// limit off.
func TestServeRateLimit(t *testing.T) {
	dir := t.TempDir()
	db, keyFile := newDatabase(t, dir, "rate.db")
	busy := addUser(t, db, "busy", auth.Planner, "coalition")
	calm := addUser(t, db, "calm", auth.Planner, "coalition")

	s := startRun(t, noEnv, "serve", "--addr", "127.0.0.1:0", "--db", db, "--key-file", keyFile, "--rate-limit", "1")
	c := newAPI(t, s.url, busy)
	limited := 0
	for range 10 {
		status, h, msg := c.try(http.MethodGet, "/api/whoami", nil)
		switch status {
		case http.StatusOK:
		case http.StatusTooManyRequests:
			limited++
			if secs, err := strconv.Atoi(h.Get("Retry-After")); err != nil || secs < 1 {
				t.Errorf("429 with Retry-After %q, want whole seconds", h.Get("Retry-After"))
			}
		default:
			t.Errorf("GET /api/whoami: %d %s", status, msg)
		}
	}
	if limited < 5 {
		t.Errorf("%d of 10 quick requests at --rate-limit 1 were limited, want most", limited)
	}
	if status := c.as(calm).status(http.MethodGet, "/api/whoami", nil); status != http.StatusOK {
		t.Errorf("another token's first request: %d, want 200: the limit is per token", status)
	}
	s.mustStop()

	s = startRun(t, noEnv, "serve", "--addr", "127.0.0.1:0", "--db", db, "--key-file", keyFile, "--rate-limit", "0")
	c = newAPI(t, s.url, busy)
	for i := range 500 {
		if status, _, msg := c.try(http.MethodGet, "/api/whoami", nil); status != http.StatusOK {
			t.Fatalf("request %d with --rate-limit 0: %d %s", i, status, msg)
		}
	}
	s.mustStop()

	if r := runCmd(t, "serve", "--addr", "127.0.0.1:0", "--db", db, "--key-file", keyFile, "--rate-limit", "-1"); r.err == nil || !strings.Contains(r.err.Error(), "--rate-limit") {
		t.Errorf("serve --rate-limit -1 = %v, want it refused", r.err)
	}
}

func TestDemo(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	s := startRun(t, noEnv, "demo", "--addr", "127.0.0.1:0", "--db", db, "--persons", "500")
	users := s.demoUsers()
	c := newAPI(t, s.url, users["planner"].token)
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
	// The nato-2021 withdrawal, followed to the plan for three weeks.
	var wd struct {
		Movements []airbridge.Movement         `json:"movements"`
		Progress  airbridge.WithdrawalProgress `json:"progress"`
	}
	c.get("/api/withdrawals/nato-2021", &wd)
	if len(wd.Movements) == 0 || wd.Progress.AsOfDay != demoWithdrawalDays-1 {
		t.Errorf("the demo's withdrawal: %d movements, as of day %d", len(wd.Movements), wd.Progress.AsOfDay)
	}
	for _, n := range wd.Progress.Nations {
		if n.Status != airbridge.StatusOnPlan && n.Status != airbridge.StatusOut {
			t.Errorf("the demo's withdrawal: %s is %s", n.Nation, n.Status)
		}
	}
	// Every printed token acts as the user printed beside it.
	for name, u := range users {
		var who map[string]string
		c.as(u.token).get("/api/whoami", &who)
		if who["user"] != name || who["role"] != u.role || who["nation"] != u.nation {
			t.Errorf("GET /api/whoami with %s's token = %v, want %s, a %s of %s", name, who, name, u.role, u.nation)
		}
	}
	// And every printed password logs its user in.
	login := newAPI(t, s.url, "")
	for name, u := range users {
		var session map[string]any
		login.post("/api/login", map[string]string{"user": name, "password": u.password}, &session)
		if session["user"] != name || session["csrf_token"] == "" {
			t.Errorf("POST /api/login as %s = %v", name, session)
		}
	}
	if status := login.status(http.MethodPost, "/api/login", map[string]string{"user": "planner", "password": users["auditor"].password}); status != http.StatusUnauthorized {
		t.Errorf("login with another user's password: %d, want 401", status)
	}
	s.mustStop()
	out := s.stdout.String()
	for _, want := range []string{"kabul-2021 (seed 1)", "persons", db, "serving on " + s.url, db + ".key",
		"curl -H", "Authorization: Bearer ", s.url + "/api/pipeline"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	// The tokens are also in a private file beside the database.
	tokens := string(readFile(t, db+".tokens"))
	for name, u := range users {
		if !strings.Contains(tokens, u.token) {
			t.Errorf("%s.tokens lacks %s's token:\n%s", db, name, tokens)
		}
		if strings.Contains(tokens, u.password) {
			t.Errorf("%s.tokens holds %s's password", db, name)
		}
	}
	if info, err := os.Stat(db + ".tokens"); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("%s.tokens: %v, want mode 0600", db, info.Mode())
	}
	// The demo's master key is beside its database, private, and opens it.
	info, err := os.Stat(db + ".key")
	if err != nil {
		t.Fatalf("the demo wrote no key file: %v", err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("%s.key has mode %04o, want 0600", db, info.Mode().Perm())
	}
	startRun(t, noEnv, "serve", "--addr", "127.0.0.1:0", "--db", db, "--key-file", db+".key").mustStop()
}

func TestDemoTwiceRecreates(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	s := startRun(t, noEnv, "demo", "--addr", "127.0.0.1:0", "--db", db, "--persons", "100")
	first := s.demoUsers()
	c := newAPI(t, s.url, first["gate.usa"].token) // a registrar of USA
	var op airbridge.Policy
	c.get("/api/operation", &op)
	if len(op.Nations) == 0 || op.Nations[0] != "USA" {
		t.Fatalf("the demo's first nation is not USA: %v", op.Nations)
	}
	c.post("/api/groups", map[string]any{"id": "marker", "nation": "USA", "persons": []map[string]any{
		{"id": "marker-1", "surname": "Marker", "given_names": "Test", "nationality": "AFG", "category": "at_risk"},
	}}, nil)
	c.get("/api/groups/marker", nil)
	s.mustStop()
	firstKey := readFile(t, db+".key")

	s = startRun(t, noEnv, "demo", "--addr", "127.0.0.1:0", "--db", db, "--persons", "100")
	second := s.demoUsers()
	if got := newAPI(t, s.url, second["gate.usa"].token).status(http.MethodGet, "/api/groups/marker", nil); got != http.StatusNotFound {
		t.Errorf("after the second demo, GET /api/groups/marker = %d, want 404: the database was not recreated", got)
	}
	if got := newAPI(t, s.url, first["gate.usa"].token).status(http.MethodGet, "/api/pipeline", nil); got != http.StatusUnauthorized {
		t.Errorf("the first demo's token on the second demo: %d, want 401", got)
	}
	if bytes.Equal(firstKey, readFile(t, db+".key")) {
		t.Errorf("the second demo kept the first one's master key")
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
			_, keyFile := newDatabase(t, filepath.Dir(path), filepath.Base(path))
			commander := addUser(t, path, "commander", auth.Commander, "coalition")
			s := startRun(t, noEnv, "serve", "--addr", "127.0.0.1:0", "--db", path, "--key-file", keyFile)
			c := newAPI(t, s.url, commander)
			c.post("/api/operation", map[string]any{"policy": airbridge.Policy{
				Name: "real", Nations: []string{"USA"}, Categories: airbridge.DefaultCategories(),
			}}, nil)
			s.mustStop()
		}, "not a demo"},
		{"airbridge database made by users add", func(t *testing.T, path string) {
			addUser(t, path, "first.user", auth.Commander, "coalition")
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
	commands := [][]string{{"serve"}, {"demo"}, {"verify"}, {"bench"}, {"bench", "ingest"}, {"bench", "demo"}, {"version"},
		{"users"}, {"users", "add"}, {"users", "list"}, {"users", "disable"},
		{"tokens"}, {"tokens", "issue"}, {"tokens", "revoke"}, {"tokens", "list"},
		{"keys"}, {"keys", "init"}, {"keys", "rotate"}, {"keys", "list"}, {"keys", "destroy"},
		{"certs"}, {"certs", "dev"}}
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
		{[]string{"serve", "--rate-limit", "x"}, "invalid value", ""},
		{[]string{"users"}, "Usage: airbridge users", ""},
		{[]string{"users", "fly"}, `unknown subcommand "fly"`, ""},
		{[]string{"users", "add", "--nmae", "x"}, "flag provided but not defined: -nmae", ""},
		{[]string{"users", "add", "--name", "x", "--role", "planner"}, "--db is required", ""},
		{[]string{"users", "list"}, "--db is required", ""},
		{[]string{"users", "list", "--json=maybe", "--db", filepath.Join(dir, "u.db")}, "invalid boolean", ""},
		{[]string{"users", "disable", "--name", "x"}, "--db is required", ""},
		{[]string{"tokens"}, "Usage: airbridge tokens", ""},
		{[]string{"tokens", "issue", "--user", "x"}, "--db is required", ""},
		{[]string{"tokens", "issue", "--ttl", "soon"}, "invalid value", ""},
		{[]string{"tokens", "revoke", "--id", "x"}, "--db is required", ""},
		{[]string{"tokens", "list", "extra"}, `unexpected argument "extra"`, ""},
		{[]string{"keys"}, "Usage: airbridge keys", ""},
		{[]string{"keys", "shred"}, `unknown subcommand "shred"`, ""},
		{[]string{"keys", "init"}, "--key-file is required", ""},
		{[]string{"keys", "rotate", "--db", filepath.Join(dir, "k.db")}, "--new-key-file is required", ""},
		{[]string{"keys", "list"}, "--db is required", ""},
		{[]string{"keys", "destroy"}, "--nation", ""},
		{[]string{"keys", "destroy", "--nation", "DE", "--db", filepath.Join(dir, "k.db")}, `--nation "DE" is not a three-letter nation code`, ""},
		{[]string{"keys", "destroy", "--nation", "coalition", "--db", filepath.Join(dir, "k.db")}, "three-letter", ""},
		{[]string{"keys", "destroy", "--nation", "DEU", "--db", filepath.Join(dir, "k.db")}, "two commanders' API tokens are required", ""},
		{[]string{"keys", "destroy", "--nation", "DEU", "--token", "a", "--confirm-token", "b"}, "give either --server URL or --db FILE", ""},
		{[]string{"keys", "destroy", "--nation", "DEU", "--token", "a", "--confirm-token", "b", "--server", "http://127.0.0.1:1", "--db", filepath.Join(dir, "k.db")}, "give either --server URL or --db FILE", ""},
		{[]string{"certs"}, "Usage: airbridge certs", ""},
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
	for _, name := range []string{"d.db", "u.db", "k.db"} {
		if _, err := os.Stat(filepath.Join(dir, name)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("a usage error created the database %s (stat: %v)", name, err)
		}
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
// demo, as in the issue, each step by the demo user whose job it is, then
// checks the ledger offline. The family is of the coordinator's nation; its
// flight is operated by the manifest officer's.
func TestWalk(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	s := startRun(t, noEnv, "demo", "--addr", "127.0.0.1:0", "--db", db, "--persons", "500")
	users := s.demoUsers()
	c := newAPI(t, s.url, users["planner"].token) // plans flights, reads the coalition's aggregates
	coordUser := users.withRole(t, auth.Coordinator)
	screenUser := users.withRole(t, auth.Screener)
	manifestUser := users.withRole(t, auth.ManifestOfficer)
	coord := c.as(coordUser.token)
	gate := c.as(users["gate.usa"].token)
	screen := c.as(screenUser.token)
	manifest := c.as(manifestUser.token)
	nation, operator := coordUser.nation, manifestUser.nation
	if screenUser.nation != "coalition" && screenUser.nation != nation {
		t.Fatalf("the demo's screener is of %s and its coordinator of %s: no family of one nation can be walked", screenUser.nation, nation)
	}

	var op airbridge.Policy
	c.get("/api/operation", &op)
	if !slices.Contains(op.Nations, nation) || !slices.Contains(op.Nations, operator) {
		t.Fatalf("GET /api/operation: nations %v, want %s and %s", op.Nations, nation, operator)
	}
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
	coord.post("/api/groups", map[string]any{
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

	// Call it forward (the coordinator's job, not the gate's), then each
	// member arrives at the gate.
	now := time.Now().UTC()
	call := map[string]any{"gate": site[airbridge.Gate], "window_start": now.Add(-time.Hour), "window_end": now.Add(2 * time.Hour)}
	if status := gate.status(http.MethodPost, "/api/groups/"+group+"/call", call); status != http.StatusForbidden {
		t.Errorf("a gate agent calling a group forward: %d, want 403", status)
	}
	coord.post("/api/groups/"+group+"/call", call, nil)
	for _, id := range ids {
		var scan airbridge.ScanResult
		gate.post("/api/scans", map[string]any{"person_id": id, "site": site[airbridge.Gate]}, &scan)
		if scan.Person.Stage != airbridge.AtGate || !scan.CalledForward {
			t.Errorf("scan of %s at the gate: stage %s, called forward %v; want at_gate, true", id, scan.Person.Stage, scan.CalledForward)
		}
	}
	// Screened and cleared, then staged at the holding site.
	for _, id := range ids {
		var p airbridge.Person
		screen.post("/api/persons/"+id+"/screening", map[string]any{"decision": "cleared"}, &p)
		if p.Stage != airbridge.Screened || p.Screening != airbridge.Cleared {
			t.Errorf("screening %s: stage %s (%s), want screened (cleared)", id, p.Stage, p.Screening)
		}
		var scan airbridge.ScanResult
		gate.post("/api/scans", map[string]any{"person_id": id, "site": site[airbridge.Holding]}, &scan)
		if scan.Person.Stage != airbridge.Staged {
			t.Errorf("scan of %s at holding: stage %s, want staged", id, scan.Person.Stage)
		}
	}

	// A flight: scheduled, manifested, boarding, boarded, departed, arrived.
	flight := "WALK-1"
	c.post("/api/flights", map[string]any{
		"id": flight, "callsign": "REACH 871", "operator": operator, "aircraft": "C-17",
		"slot": now.Add(time.Hour), "destination": "Al Udeid",
	}, nil)
	c.post("/api/flights/"+flight+"/manifest", map[string]any{"group_id": group}, nil)
	manifest.post("/api/flights/"+flight+"/boarding", nil, nil)
	manifest.post("/api/flights/"+flight+"/board", map[string]any{"group_id": group}, nil)
	var f airbridge.Flight
	manifest.post("/api/flights/"+flight+"/depart", nil, &f)
	if f.Status != airbridge.StatusDeparted {
		t.Errorf("flight after depart: %s, want departed", f.Status)
	}
	manifest.post("/api/flights/"+flight+"/arrive", nil, &f)
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
		coord.get("/api/persons/"+id+"/history", &history)
		var got []string
		for _, e := range history {
			got = append(got, e.Type)
		}
		if strings.Join(got, " ") != strings.Join(wantSteps, " ") {
			t.Errorf("history of %s:\n got %v\nwant %v", id, got, wantSteps)
		}
		var p airbridge.Person
		coord.get("/api/persons/"+id, &p)
		if p.Stage != airbridge.Arrived || p.FlightID != flight {
			t.Errorf("person %s is %s on flight %q, want arrived on %s", id, p.Stage, p.FlightID, flight)
		}
		if p.Surname != "Walker" || p.Redacted != "" {
			t.Errorf("%s's coordinator reads person %s with surname %q (redacted %q), want Walker", nation, id, p.Surname, p.Redacted)
		}
		// The manifest officer of the flight's nation sees the personal
		// data; the coalition's planner does not.
		var q airbridge.Person
		manifest.get("/api/persons/"+id, &q)
		if q.Surname != "Walker" {
			t.Errorf("%s's manifest officer reads person %s on a %s flight with surname %q (redacted %q), want Walker", operator, id, operator, q.Surname, q.Redacted)
		}
		q = airbridge.Person{}
		c.get("/api/persons/"+id, &q)
		if q.Surname != "" || len(q.Documents) != 0 || !strings.Contains(q.Redacted, "withheld") {
			t.Errorf("the planner reads person %s with surname %q, documents %v, redacted %q; want the personal data withheld", id, q.Surname, q.Documents, q.Redacted)
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
	checkChainHolds(t, r.stdout)
}

// verifyChain matches what verify prints of the hash chain.
var verifyChain = regexp.MustCompile(`the hash chain of ([0-9]+) events holds[^\n]*\nhead of the chain: event ([0-9]+), ([0-9a-f]{64})\n`)

// checkChainHolds checks that verify printed that the hash chain holds, and
// its head, and returns the number of events.
func checkChainHolds(t *testing.T, out string) int {
	t.Helper()
	m := verifyChain.FindStringSubmatch(out)
	if m == nil {
		t.Errorf("verify printed:\n%s\nwant that the hash chain holds, and its head", out)
		return 0
	}
	if m[1] != m[2] || m[1] == "0" {
		t.Errorf("verify: a chain of %s events with its head at event %s", m[1], m[2])
	}
	n, _ := strconv.Atoi(m[1])
	return n
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

// TestVerifyNamesEditedEvent is the check as a user would run it:
// one event's payload edited with SQLite makes verify fail and name it, with
// or without the master key.
func TestVerifyNamesEditedEvent(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	s := startRun(t, noEnv, "demo", "--addr", "127.0.0.1:0", "--db", db, "--persons", "100")
	s.mustStop()
	key := db + ".key"
	if r := runCmd(t, "verify", "--db", db, "--key-file", key); r.err != nil || !strings.Contains(r.stdout, "match their seals") {
		t.Fatalf("verify of the untouched demo with its key = %v; stdout:\n%s", r.err, r.stdout)
	}
	execSQL(t, db, `UPDATE events SET data = json_set(data, '$.site_id', 'forged') WHERE seq = 100`)
	for _, args := range [][]string{{"verify", "--db", db}, {"verify", "--db", db, "--key-file", key}} {
		r := runCmd(t, args...)
		if got := exitStatus(r.err); got != 1 {
			t.Errorf("%q after an edit = %v (exit %d), want exit 1", args, r.err, got)
		}
		if !strings.Contains(r.stdout, "event 100 (") || !strings.Contains(r.stdout, "hash chain breaks here") {
			t.Errorf("%q printed:\n%s\nwant it to name event 100 as where the chain breaks", args, r.stdout)
		}
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
