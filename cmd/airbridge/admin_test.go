package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"airbridge"
	"airbridge/auth"
	"airbridge/vault"
)

// The administrative commands: users, tokens and keys, run offline on a
// database no server holds, and their effect on a server started afterwards.

// serveDB serves db with keyFile until the test stops it.
func serveDB(t *testing.T, db, keyFile string) *runningServer {
	t.Helper()
	return startRun(t, noEnv, "serve", "--addr", "127.0.0.1:0", "--db", db, "--key-file", keyFile)
}

// mustRun runs a command that must succeed and returns its stdout.
func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	r := runCmd(t, args...)
	if r.err != nil {
		t.Fatalf("run %q = %v\nstdout:\n%s\nstderr:\n%s", args, r.err, r.stdout, r.stderr)
	}
	return r.stdout
}

// runFails runs a command that must fail with an error saying each of want,
// and returns the error's text.
func runFails(t *testing.T, args []string, want ...string) string {
	t.Helper()
	r := runCmd(t, args...)
	if r.err == nil {
		t.Errorf("run %q succeeded, want an error saying %q\nstdout:\n%s", args, want, r.stdout)
		return ""
	}
	for _, w := range want {
		if !strings.Contains(r.err.Error(), w) {
			t.Errorf("run %q: %q, want it to say %q", args, r.err, w)
		}
	}
	return r.err.Error()
}

// loginStatus posts a login and returns the status.
func loginStatus(t *testing.T, base, user, password string) int {
	t.Helper()
	return newAPI(t, base, "").status(http.MethodPost, "/api/login", map[string]string{"user": user, "password": password})
}

// whoamiStatus is the status of GET /api/whoami with token.
func whoamiStatus(t *testing.T, base, token string) int {
	t.Helper()
	return newAPI(t, base, token).status(http.MethodGet, "/api/whoami", nil)
}

var passwordLine = regexp.MustCompile(`(?m)^password: ([23456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ]{20})$`)

// TestUsersAddCreatesDatabase is the start of a new deployment as the README
// gives it: a key, a first user on a database that does not exist yet, and
// serve.
func TestUsersAddCreatesDatabase(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "ops.key")
	db := filepath.Join(dir, "ops.db")
	mustRun(t, "keys", "init", "--key-file", keyFile)
	token := addUser(t, db, "cmdr.smith", auth.Commander, "coalition")
	if _, err := os.Stat(db); err != nil {
		t.Fatalf("users add created no database: %v", err)
	}
	s := serveDB(t, db, keyFile)
	var who map[string]string
	c := newAPI(t, s.url, token)
	c.get("/api/whoami", &who)
	if who["user"] != "cmdr.smith" || who["role"] != "commander" || who["nation"] != "coalition" {
		t.Errorf("GET /api/whoami with the first user's token = %v", who)
	}
	configure(t, c) // the commander's token configures the operation
	s.mustStop()
}

func TestUsersAdd(t *testing.T) {
	dir := t.TempDir()
	db, keyFile := newDatabase(t, dir, "users.db")

	// A random password, printed once, and no token unless asked for.
	out := mustRun(t, "users", "add", "--db", db, "--name", "gate.one", "--role", "gate_agent", "--nation", "usa")
	if !strings.Contains(out, "user gate.one added: gate_agent of USA") {
		t.Errorf("users add printed:\n%s\nwant the user, its role and nation", out)
	}
	m := passwordLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("users add printed no random password of 20 characters:\n%s", out)
	}
	randomPassword := m[1]
	if strings.Contains(out, "abt_") {
		t.Errorf("users add without --token printed a token:\n%s", out)
	}
	out = mustRun(t, "users", "add", "--db", db, "--name", "other", "--role", "planner")
	if m := passwordLine.FindStringSubmatch(out); m == nil || m[1] == randomPassword {
		t.Errorf("a second user's password is missing or the same:\n%s", out)
	}
	if !strings.Contains(out, "planner of coalition") {
		t.Errorf("users add without --nation printed:\n%s\nwant a user of the coalition", out)
	}

	// A password from stdin is not printed.
	const chosen = "correct horse battery staple"
	r := runCmdEnv(t, noEnv, chosen+"\n", "users", "add", "--db", db, "--name", "screen_2", "--role", "screener", "--nation", "DEU", "--password-stdin", "--token")
	if r.err != nil {
		t.Fatalf("users add --password-stdin: %v\n%s", r.err, r.stderr)
	}
	if strings.Contains(r.stdout, chosen) || strings.Contains(r.stdout, "password:") {
		t.Errorf("users add --password-stdin printed the password:\n%s", r.stdout)
	}
	tok := tokenLinePattern.FindStringSubmatch(r.stdout)
	if tok == nil {
		t.Fatalf("users add --token printed no token:\n%s", r.stdout)
	}
	for _, tc := range []struct{ stdin, want string }{
		{"", "stdin holds no password"},
		{"\n", "stdin holds no password"},
		{"short\n", "shorter than 12"},
		{strings.Repeat("x", 2000) + "\n", "longer than 1024"},
	} {
		r := runCmdEnv(t, noEnv, tc.stdin, "users", "add", "--db", db, "--name", "nopass", "--role", "auditor", "--password-stdin")
		if r.err == nil || !strings.Contains(r.err.Error(), tc.want) {
			t.Errorf("users add --password-stdin with %d bytes on stdin: %v, want %q", len(tc.stdin), r.err, tc.want)
		}
	}

	// Refusals, each with a clear reason.
	runFails(t, []string{"users", "add", "--db", db, "--name", "gate.one", "--role", "planner"}, "gate.one", "already exists")
	for _, role := range []string{"", "king", "Commander", "gate-agent"} {
		msg := runFails(t, []string{"users", "add", "--db", db, "--name", "x", "--role", role}, "unknown role")
		for _, r := range auth.Roles {
			if msg != "" && !strings.Contains(msg, string(r)) {
				t.Errorf("the error for role %q does not list the role %s: %s", role, r, msg)
			}
		}
	}
	for _, nation := range []string{"de", "DEUT", "D3U", "U S"} {
		runFails(t, []string{"users", "add", "--db", db, "--name", "x", "--role", "planner", "--nation", nation}, "three upper-case letters")
	}
	for _, tc := range []struct{ name, want string }{
		{"", "user name is empty"},
		{"Gate.One", "must start with a letter"},
		{".gate", "must start with a letter"},
		{"gate one", "may contain only"},
		{"gate/one", "may contain only"},
		{"hunter2Hunter2!", "may contain only"},
		{strings.Repeat("a", 65), "longer than 64"},
	} {
		msg := runFails(t, []string{"users", "add", "--db", db, "--name", tc.name, "--role", "planner"}, tc.want)
		if tc.name != "" && strings.Contains(msg, tc.name) {
			t.Errorf("the error for a bad user name quotes it (it may be a password typed in the wrong field): %s", msg)
		}
	}

	// Only the good users are there, and their passwords and token work.
	out = mustRun(t, "users", "list", "--db", db)
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 4 {
		t.Errorf("users list has %d lines, want a header and 3 users:\n%s", len(lines), out)
	}
	s := serveDB(t, db, keyFile)
	if got := loginStatus(t, s.url, "gate.one", randomPassword); got != http.StatusOK {
		t.Errorf("login with the printed random password: %d, want 200", got)
	}
	if got := loginStatus(t, s.url, "screen_2", chosen); got != http.StatusOK {
		t.Errorf("login with the password from stdin: %d, want 200", got)
	}
	if got := loginStatus(t, s.url, "screen_2", randomPassword); got != http.StatusUnauthorized {
		t.Errorf("login with a wrong password: %d, want 401", got)
	}
	var who map[string]string
	newAPI(t, s.url, tok[1]).get("/api/whoami", &who)
	if who["user"] != "screen_2" || who["role"] != "screener" || who["nation"] != "DEU" {
		t.Errorf("GET /api/whoami with screen_2's token = %v", who)
	}
	s.mustStop()
}

func TestUsersList(t *testing.T) {
	db, _ := newDatabase(t, t.TempDir(), "list.db")
	out := mustRun(t, "users", "list", "--db", db)
	if strings.TrimSpace(out) != "NAME  ROLE  NATION  CREATED  DISABLED" {
		t.Errorf("users list of no users:\n%q\nwant only the header", out)
	}
	var none []auth.User
	if err := json.Unmarshal([]byte(mustRun(t, "users", "list", "--db", db, "--json")), &none); err != nil || none == nil || len(none) != 0 {
		t.Errorf("users list --json of no users = %v, %v; want []", none, err)
	}

	addUser(t, db, "zulu", auth.Auditor, "coalition")
	addUser(t, db, "alpha", auth.Coordinator, "FRA")
	mustRun(t, "users", "add", "--db", db, "--name", "mike", "--role", "commander", "--nation", "coalition")
	mustRun(t, "users", "disable", "--db", db, "--name", "zulu")

	out = mustRun(t, "users", "list", "--db", db)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "NAME ") {
		t.Fatalf("users list:\n%s\nwant a header and 3 users", out)
	}
	for i, want := range [][]string{{"alpha", "coordinator", "FRA"}, {"mike", "commander", "coalition"}, {"zulu", "auditor", "coalition"}} {
		f := strings.Fields(lines[i+1])
		if len(f) < 4 || f[0] != want[0] || f[1] != want[1] || f[2] != want[2] {
			t.Errorf("users list line %d: %q, want %v and a creation time", i+1, lines[i+1], want)
		}
		if disabled := len(f) == 5; disabled != (want[0] == "zulu") {
			t.Errorf("users list line %d: %q: disabled %v", i+1, lines[i+1], disabled)
		}
	}

	out = mustRun(t, "users", "list", "--db", db, "--json")
	var users []auth.User
	if err := json.Unmarshal([]byte(out), &users); err != nil {
		t.Fatalf("users list --json printed %q: %v", out, err)
	}
	if len(users) != 3 || users[0].Name != "alpha" || users[1].Name != "mike" || users[2].Name != "zulu" {
		t.Fatalf("users list --json = %+v, want alpha, mike, zulu", users)
	}
	if users[0].Nation != "FRA" || users[0].Role != "coordinator" || users[1].Nation != "" || users[2].Disabled == "" || users[0].Disabled != "" {
		t.Errorf("users list --json = %+v", users)
	}
	for _, u := range users {
		if _, err := time.Parse(time.RFC3339Nano, u.Created); err != nil {
			t.Errorf("user %s created %q: %v", u.Name, u.Created, err)
		}
	}
	// Never the password hashes.
	for _, secret := range []string{"argon2", "password", "$"} {
		if strings.Contains(out, secret) {
			t.Errorf("users list --json shows %q:\n%s", secret, out)
		}
	}
}

func TestUsersDisable(t *testing.T) {
	dir := t.TempDir()
	db, keyFile := newDatabase(t, dir, "disable.db")
	r := runCmdEnv(t, noEnv, "a password long enough\n", "users", "add", "--db", db, "--name", "leaver", "--role", "gate_agent", "--nation", "GBR", "--password-stdin", "--token")
	if r.err != nil {
		t.Fatal(r.err)
	}
	leaver := tokenLinePattern.FindStringSubmatch(r.stdout)[1]
	stayer := addUser(t, db, "stayer", auth.GateAgent, "GBR")

	out := mustRun(t, "users", "disable", "--db", db, "--name", "leaver")
	if !strings.Contains(out, "user leaver disabled") {
		t.Errorf("users disable printed %q", out)
	}
	runFails(t, []string{"users", "disable", "--db", db, "--name", "leaver"}, "leaver", "already disabled")
	runFails(t, []string{"users", "disable", "--db", db, "--name", "nobody"}, "nobody", "does not exist")
	runFails(t, []string{"tokens", "issue", "--db", db, "--user", "leaver"}, "leaver", "disabled")
	// A disabled name stays taken.
	runFails(t, []string{"users", "add", "--db", db, "--name", "leaver", "--role", "gate_agent"}, "already exists")

	s := serveDB(t, db, keyFile)
	if got := whoamiStatus(t, s.url, leaver); got != http.StatusUnauthorized {
		t.Errorf("a disabled user's token: %d, want 401", got)
	}
	if got := loginStatus(t, s.url, "leaver", "a password long enough"); got != http.StatusUnauthorized {
		t.Errorf("a disabled user's login: %d, want 401", got)
	}
	if got := whoamiStatus(t, s.url, stayer); got != http.StatusOK {
		t.Errorf("another user's token: %d, want 200", got)
	}
	s.mustStop()
}

// tokenRow is one line of "tokens list".
type tokenRow struct{ id, user, rest string }

func tokensList(t *testing.T, args ...string) map[string]tokenRow {
	t.Helper()
	out := mustRun(t, append([]string{"tokens", "list"}, args...)...)
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if !strings.HasPrefix(lines[0], "ID ") || !strings.Contains(lines[0], "REVOKED") {
		t.Fatalf("tokens list:\n%s\nwant a header", out)
	}
	rows := map[string]tokenRow{}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) < 3 {
			t.Fatalf("tokens list line %q", l)
		}
		rows[f[0]] = tokenRow{id: f[0], user: f[1], rest: strings.Join(f[2:], " ")}
	}
	return rows
}

var stampPattern = regexp.MustCompile(`[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z`)

// stamps counts the times in s.
func stamps(s string) int { return len(stampPattern.FindAllString(s, -1)) }

// tokenID is the public id of a token: between abt_ and the second _.
func tokenID(token string) string { return strings.SplitN(token, "_", 3)[1] }

func TestTokens(t *testing.T) {
	dir := t.TempDir()
	db, keyFile := newDatabase(t, dir, "tokens.db")
	first := addUser(t, db, "ops", auth.Planner, "coalition")
	addUser(t, db, "other", auth.Auditor, "coalition")

	out := mustRun(t, "tokens", "issue", "--db", db, "--user", "ops", "--label", "tablet 7")
	m := tokenLinePattern.FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "API token for ops (shown once)") {
		t.Fatalf("tokens issue printed:\n%s", out)
	}
	second := m[1]
	out = mustRun(t, "tokens", "issue", "--db", db, "--user", "ops", "--ttl", "720h")
	third := tokenLinePattern.FindStringSubmatch(out)[1]
	if first == second || second == third {
		t.Fatalf("tokens repeat")
	}

	rows := tokensList(t, "--db", db)
	if len(rows) != 4 {
		t.Errorf("tokens list has %d tokens, want 4: %v", len(rows), rows)
	}
	for _, tok := range []string{first, second, third} {
		row, ok := rows[tokenID(tok)]
		if !ok || row.user != "ops" {
			t.Errorf("tokens list lacks ops's token %s: %v", tokenID(tok), rows)
		}
	}
	if row := rows[tokenID(second)]; !strings.Contains(row.rest, "tablet 7") {
		t.Errorf("the labelled token is listed as %+v", row)
	}
	if row := rows[tokenID(third)]; stamps(row.rest) != 2 {
		t.Errorf("the token with a ttl is listed without an expiry: %+v", row)
	}
	listed := mustRun(t, "tokens", "list", "--db", db)
	for _, tok := range []string{first, second, third} {
		if secret := strings.SplitN(tok, "_", 3)[2]; strings.Contains(listed, secret) {
			t.Errorf("tokens list shows a secret:\n%s", listed)
		}
	}
	if only := tokensList(t, "--db", db, "--user", "other"); len(only) != 1 {
		t.Errorf("tokens list --user other = %v, want its one token", only)
	}

	out = mustRun(t, "tokens", "revoke", "--db", db, "--id", tokenID(first))
	if !strings.Contains(out, "token "+tokenID(first)+" revoked") {
		t.Errorf("tokens revoke printed %q", out)
	}
	runFails(t, []string{"tokens", "revoke", "--db", db, "--id", tokenID(first)}, tokenID(first), "already revoked")
	runFails(t, []string{"tokens", "revoke", "--db", db, "--id", "nosuchtokn"}, "does not exist")
	runFails(t, []string{"tokens", "issue", "--db", db, "--user", "nobody"}, "nobody", "does not exist")
	runFails(t, []string{"tokens", "issue", "--db", db, "--user", "ops", "--ttl", "-1h"}, "--ttl")
	runFails(t, []string{"tokens", "issue", "--db", db, "--user", "ops", "--label", strings.Repeat("l", 201)}, "--label")
	rows = tokensList(t, "--db", db)
	for id, row := range rows {
		want := 1 // created
		if id == tokenID(first) || id == tokenID(third) {
			want = 2 // and revoked, or expires
		}
		if got := stamps(row.rest); got != want {
			t.Errorf("after revoking %s, tokens list shows %s as %+v", tokenID(first), id, row)
		}
	}

	// A token that expires soon.
	issued := time.Now()
	out = mustRun(t, "tokens", "issue", "--db", db, "--user", "ops", "--ttl", "1500ms")
	brief := tokenLinePattern.FindStringSubmatch(out)[1]

	s := serveDB(t, db, keyFile)
	if got := whoamiStatus(t, s.url, first); got != http.StatusUnauthorized {
		t.Errorf("a revoked token: %d, want 401", got)
	}
	for _, tok := range []string{second, third} {
		if got := whoamiStatus(t, s.url, tok); got != http.StatusOK {
			t.Errorf("a live token of the same user: %d, want 200", got)
		}
	}
	if got := whoamiStatus(t, s.url, brief); time.Since(issued) < time.Second && got != http.StatusOK {
		t.Errorf("a token before it expires: %d, want 200", got)
	}
	time.Sleep(time.Until(issued.Add(1600 * time.Millisecond)))
	if got := whoamiStatus(t, s.url, brief); got != http.StatusUnauthorized {
		t.Errorf("a token after it expired: %d, want 401", got)
	}
	s.mustStop()
}

func TestKeysInit(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "ops.key")
	out := mustRun(t, "keys", "init", "--key-file", keyFile)
	info, err := os.Stat(keyFile)
	if err != nil {
		t.Fatalf("keys init wrote no file: %v", err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %04o, want 0600", info.Mode().Perm())
	}
	key, err := vault.LoadMasterKey(keyFile)
	if err != nil {
		t.Fatalf("the key file does not load: %v", err)
	}
	if !strings.Contains(out, key.ID()) || !strings.Contains(out, keyFile) {
		t.Errorf("keys init printed:\n%s\nwant the key's id %s and the file", out, key.ID())
	}
	if strings.Contains(out, key.String()) {
		t.Errorf("keys init printed the key itself")
	}

	before := readFile(t, keyFile)
	runFails(t, []string{"keys", "init", "--key-file", keyFile}, keyFile, "already exists")
	if !bytes.Equal(before, readFile(t, keyFile)) {
		t.Errorf("a refused keys init changed the key file")
	}
	runFails(t, []string{"keys", "init", "--key-file", filepath.Join(dir, "no", "such", "dir.key")}, "key file")

	// The key serves a new database.
	db := filepath.Join(dir, "ops.db")
	serveDB(t, db, keyFile).mustStop()
}

// seedPerson registers a person of nation with a passport, in a group of
// its own, through registrar.
func seedPerson(t *testing.T, registrar *api, nation, id, surname, passport string) {
	t.Helper()
	registrar.post("/api/groups", map[string]any{"id": "G" + id, "nation": nation, "persons": []map[string]any{
		{"id": id, "surname": surname, "given_names": "Test", "nationality": "AFG", "category": "at_risk",
			"documents": []map[string]any{{"type": "passport", "number": passport}}},
	}}, nil)
}

// configure sets up an operation of USA and DEU.
func configure(t *testing.T, commander *api) {
	t.Helper()
	commander.post("/api/operation", map[string]any{"policy": airbridge.Policy{
		Name: "admin test", Nations: []string{"USA", "DEU"}, Categories: airbridge.DefaultCategories(),
	}}, nil)
}

// keyRows returns the lines of "keys list" by key name.
func keyRows(t *testing.T, db string) map[string]string {
	t.Helper()
	out := mustRun(t, "keys", "list", "--db", db)
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if !strings.HasPrefix(lines[0], "KEY ") {
		t.Fatalf("keys list:\n%s\nwant a header", out)
	}
	rows := map[string]string{}
	for _, l := range lines[1:] {
		rows[strings.Fields(l)[0]] = l
	}
	return rows
}

func TestKeysRotate(t *testing.T) {
	dir := t.TempDir()
	db, oldFile := newDatabase(t, dir, "rotate.db")
	old, err := vault.LoadMasterKey(oldFile)
	if err != nil {
		t.Fatal(err)
	}
	commander := addUser(t, db, "commander", auth.Commander, "coalition")
	gate := addUser(t, db, "gate.usa", auth.GateAgent, "USA")
	s := serveDB(t, db, oldFile)
	c := newAPI(t, s.url, commander)
	configure(t, c)
	seedPerson(t, c.as(gate), "USA", "PUSA1", "Rotated", "USA00000001")
	s.mustStop()
	if rows := keyRows(t, db); len(rows) != 1 || rows["USA/1"] == "" {
		t.Fatalf("keys list = %v, want USA/1", rows)
	}

	newFile := filepath.Join(dir, "next.key")
	out := mustRun(t, "keys", "rotate", "--db", db, "--key-file", oldFile, "--new-key-file", newFile)
	next, err := vault.LoadMasterKey(newFile)
	if err != nil {
		t.Fatalf("keys rotate wrote no loadable key: %v", err)
	}
	if info, _ := os.Stat(newFile); info.Mode().Perm() != 0o600 {
		t.Errorf("new key file mode %04o, want 0600", info.Mode().Perm())
	}
	for _, want := range []string{old.ID(), next.ID(), newFile} {
		if !strings.Contains(out, want) {
			t.Errorf("keys rotate printed:\n%s\nwant %s", out, want)
		}
	}

	// The old key no longer opens the database; the new one does, and the
	// personal data sealed before the rotation reads.
	r := runCmd(t, "serve", "--addr", "127.0.0.1:0", "--db", db, "--key-file", oldFile)
	if r.err == nil || !strings.Contains(r.err.Error(), old.ID()) || !strings.Contains(r.err.Error(), next.ID()) {
		t.Errorf("serve with the old key after the rotation: %v, want a refusal naming %s and %s", r.err, old.ID(), next.ID())
	}
	s = serveDB(t, db, newFile)
	var p airbridge.Person
	newAPI(t, s.url, gate).get("/api/persons/PUSA1", &p)
	if p.Surname != "Rotated" || p.Redacted != "" {
		t.Errorf("after the rotation, USA's gate agent reads surname %q (redacted %q), want Rotated", p.Surname, p.Redacted)
	}
	s.mustStop()

	// A wrong current key, or a new key file that exists, is refused and
	// changes nothing.
	third := filepath.Join(dir, "third.key")
	runFails(t, []string{"keys", "rotate", "--db", db, "--key-file", oldFile, "--new-key-file", third}, old.ID(), next.ID(), "not this database's")
	if _, err := os.Stat(third); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a refused rotation left its new key file behind (stat: %v)", err)
	}
	before := readFile(t, newFile)
	runFails(t, []string{"keys", "rotate", "--db", db, "--key-file", newFile, "--new-key-file", newFile}, "already exists")
	if !bytes.Equal(before, readFile(t, newFile)) {
		t.Errorf("a refused rotation changed the key file")
	}
	// The current key through the environment.
	r = runCmdEnv(t, envWith(map[string]string{"AIRBRIDGE_KEY_FILE": newFile}), "", "keys", "rotate", "--db", db, "--new-key-file", third)
	if r.err != nil {
		t.Fatalf("keys rotate with AIRBRIDGE_KEY_FILE: %v", r.err)
	}
	serveDB(t, db, third).mustStop()
	if r := runCmd(t, "verify", "--db", db); r.err != nil {
		t.Errorf("verify after the rotations: %v\n%s", r.err, r.stdout)
	}
}

// wrappedKey reads a nation's wrapped data key from the database, reading
// it as any process may while a server holds it.
func wrappedKey(t *testing.T, db, nation string) []byte {
	t.Helper()
	d, err := sql.Open("sqlite", "file:"+db+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var wrapped []byte
	if err := d.QueryRow(`SELECT wrapped FROM data_keys WHERE nation = ? AND destroyed = ''`, nation).Scan(&wrapped); err != nil {
		t.Fatalf("reading %s's wrapped data key: %v", nation, err)
	}
	if len(wrapped) < 32 {
		t.Fatalf("%s's wrapped data key is %d bytes", nation, len(wrapped))
	}
	return wrapped
}

// filesHold reports which files of the database hold b.
func filesHold(t *testing.T, db string, b []byte) []string {
	t.Helper()
	var in []string
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		content, err := os.ReadFile(db + suffix)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(content, b) {
			in = append(in, filepath.Base(db)+suffix)
		}
	}
	return in
}

// checkShredded checks that no file of the database holds the wrapped key.
func checkShredded(t *testing.T, db string, wrapped []byte) {
	t.Helper()
	if in := filesHold(t, db, wrapped); len(in) > 0 {
		t.Errorf("%v still hold the destroyed wrapped data key", in)
	}
}

// checkDestroyed checks that a person of a destroyed nation reads as
// destroyed, and its passport no longer finds it.
func checkDestroyed(t *testing.T, c *api, id, surname, passport string) {
	t.Helper()
	status, _, body := c.try(http.MethodGet, "/api/persons/"+id, nil)
	if status != http.StatusOK {
		t.Fatalf("GET /api/persons/%s: %d %s", id, status, body)
	}
	var p airbridge.Person
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.Redacted, "destroyed") || !p.PersonalData.IsZero() || p.ID != id {
		t.Errorf("after the destruction, %s reads as %+v; want it redacted as destroyed", id, p)
	}
	if surname != "" && bytes.Contains(body, []byte(surname)) {
		t.Errorf("after the destruction, %s's surname %q is still served: %s", id, surname, body)
	}
	status, _, body = c.try(http.MethodGet, "/api/persons/"+id+"/history", nil)
	if status != http.StatusOK || (surname != "" && bytes.Contains(body, []byte(surname))) {
		t.Errorf("after the destruction, GET /api/persons/%s/history: %d %s", id, status, body)
	}
	if passport != "" {
		if status := c.status(http.MethodGet, "/api/persons?document="+url.QueryEscape(passport), nil); status != http.StatusNotFound {
			t.Errorf("after the destruction, finding %s by its passport: %d, want 404", id, status)
		}
	}
}

func TestKeysDestroyOffline(t *testing.T) {
	dir := t.TempDir()
	db, keyFile := newDatabase(t, dir, "destroy.db")
	cmdA := addUser(t, db, "commander.a", auth.Commander, "coalition")
	cmdB := addUser(t, db, "commander.b", auth.Commander, "coalition")
	cmdDEU := addUser(t, db, "commander.deu", auth.Commander, "DEU")
	cmdUSA := addUser(t, db, "commander.usa", auth.Commander, "USA")
	gate := addUser(t, db, "gate.usa", auth.GateAgent, "USA")
	coord := addUser(t, db, "coord.deu", auth.Coordinator, "DEU")

	s := serveDB(t, db, keyFile)
	c := newAPI(t, s.url, cmdA)
	configure(t, c)
	seedPerson(t, c.as(gate), "USA", "PUSA1", "Keepsake", "USA00000001")
	seedPerson(t, c.as(coord), "DEU", "PDEU1", "Schreddermann", "DEU00000001")
	var p airbridge.Person
	c.as(coord).get("/api/persons/PDEU1", &p)
	if p.Surname != "Schreddermann" {
		t.Fatalf("DEU's coordinator reads %+v before the destruction", p)
	}
	s.mustStop()
	wrapped := wrappedKey(t, db, "DEU")
	if len(filesHold(t, db, wrapped)) == 0 {
		t.Fatalf("the database's files do not hold DEU's wrapped key before its destruction")
	}

	// Revoke a second token of commander.b, for a refusal below.
	out := mustRun(t, "tokens", "issue", "--db", db, "--user", "commander.b")
	revoked := tokenLinePattern.FindStringSubmatch(out)[1]
	mustRun(t, "tokens", "revoke", "--db", db, "--id", tokenID(revoked))

	destroy := func(nation, first, second string) []string {
		return []string{"keys", "destroy", "--db", db, "--nation", nation, "--token", first, "--confirm-token", second}
	}
	runFails(t, destroy("DEU", cmdA, cmdA), "commander.a", "two different commanders")
	runFails(t, destroy("DEU", cmdA, gate), "gate.usa", "gate_agent", "two commanders")
	runFails(t, destroy("DEU", gate, cmdA), "gate.usa", "gate_agent")
	runFails(t, destroy("DEU", cmdA, cmdUSA), "commander.usa", "may not destroy DEU")
	runFails(t, destroy("DEU", cmdA, "abt_garbage"), "token 2", "malformed")
	runFails(t, destroy("DEU", revoked, cmdA), "token 1", "invalid or expired")
	runFails(t, destroy("FRA", cmdA, cmdB), "FRA", "no live data key")
	if rows := keyRows(t, db); strings.Contains(rows["DEU/1"], "commander") {
		t.Fatalf("after the refusals, keys list shows DEU/1 destroyed: %s", rows["DEU/1"])
	}

	// A commander of the coalition and one of DEU agree, through the
	// environment.
	env := envWith(map[string]string{"AIRBRIDGE_TOKEN": cmdA, "AIRBRIDGE_CONFIRM_TOKEN": cmdDEU})
	r := runCmdEnv(t, env, "", "keys", "destroy", "--db", db, "--nation", "deu")
	if r.err != nil {
		t.Fatalf("keys destroy: %v\n%s", r.err, r.stderr)
	}
	if !strings.Contains(r.stdout, "DEU's data key destroyed in "+db) {
		t.Errorf("keys destroy printed %q", r.stdout)
	}
	runFails(t, destroy("DEU", cmdA, cmdB), "DEU", "no live data key")
	rows := keyRows(t, db)
	if row := rows["DEU/1"]; !strings.Contains(row, "commander.a+commander.deu") {
		t.Errorf("keys list shows DEU/1 as %q, want it destroyed by commander.a+commander.deu", row)
	}
	if row := rows["USA/1"]; row == "" || strings.Contains(row, "commander") {
		t.Errorf("keys list shows USA/1 as %q, want it live", row)
	}
	checkShredded(t, db, wrapped)

	s = serveDB(t, db, keyFile)
	checkDestroyed(t, newAPI(t, s.url, coord), "PDEU1", "Schreddermann", "DEU00000001")
	newAPI(t, s.url, gate).get("/api/persons/PUSA1", &p)
	if p.Surname != "Keepsake" {
		t.Errorf("after DEU's destruction, USA's person reads as %+v", p)
	}
	s.mustStop()
	if r := runCmd(t, "verify", "--db", db); r.err != nil {
		t.Errorf("verify after the destruction: %v\n%s", r.err, r.stdout)
	} else {
		checkChainHolds(t, r.stdout)
	}
}

// demoPersons returns the ids of the demo's persons of a nation that hold
// documents, read from the ledger's events by a commander.
func demoPersons(t *testing.T, c *api, nation string) []string {
	t.Helper()
	var events []airbridge.Event
	c.get("/api/events?limit=10000", &events)
	var ids []string
	for _, e := range events {
		if p := e.Data.Person; e.Type == airbridge.PersonRegistered && p != nil && p.Nation == nation {
			if !strings.HasPrefix(p.ID, "P"+nation) {
				t.Errorf("person %s of %s", p.ID, nation)
			}
			ids = append(ids, p.ID)
		}
	}
	if len(ids) == 0 {
		t.Fatalf("the demo has no person of %s among %d events", nation, len(events))
	}
	return ids
}

// TestKeysDestroyServer destroys DEU's data key through a running demo.
func TestKeysDestroyServer(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	s := startRun(t, noEnv, "demo", "--addr", "127.0.0.1:0", "--db", db, "--persons", "300")
	users := s.demoUsers()
	cmdA, cmdB := users["commander.a"].token, users["commander.b"].token
	commander := newAPI(t, s.url, cmdA)
	coord := commander.as(users["coord.deu"].token)
	gate := commander.as(users["gate.usa"].token)

	// A DEU person with a passport, as DEU's coordinator sees it, and a USA
	// person as USA's gate agent does.
	var deu airbridge.Person
	for _, id := range demoPersons(t, commander, "DEU") {
		coord.get("/api/persons/"+id, &deu)
		if len(deu.Documents) > 0 {
			break
		}
	}
	if deu.Surname == "" || len(deu.Documents) == 0 || deu.Redacted != "" {
		t.Fatalf("DEU's coordinator reads %+v, want a DEU person with a surname and a passport", deu)
	}
	var usa airbridge.Person
	gate.get("/api/persons/"+demoPersons(t, commander, "USA")[0], &usa)
	if usa.Surname == "" {
		t.Fatalf("USA's gate agent reads %+v, want a surname", usa)
	}
	wrapped := wrappedKey(t, db, "DEU")
	if len(filesHold(t, db, wrapped)) == 0 {
		t.Fatalf("the database's files do not hold DEU's wrapped key before its destruction")
	}

	destroy := func(first, second string) []string {
		return []string{"keys", "destroy", "--server", s.url, "--nation", "deu", "--token", first, "--confirm-token", second}
	}
	runFails(t, destroy(cmdA, cmdA), "403", "two different commanders")
	runFails(t, destroy(cmdA, users["gate.usa"].token), "403", "gate_agent")
	runFails(t, destroy(users["gate.usa"].token, cmdB), "403", "gate_agent")
	runFails(t, destroy(cmdA, "abt_garbage"), "403", "malformed")
	runFails(t, destroy("abt_garbage", cmdB), "401")
	coord.get("/api/persons/"+deu.ID, &airbridge.Person{}) // still there

	r := runCmd(t, destroy(cmdA, cmdB)...)
	if r.err != nil {
		t.Fatalf("keys destroy --server: %v\n%s", r.err, r.stderr)
	}
	if !strings.Contains(r.stdout, "DEU's data key destroyed on "+s.url) {
		t.Errorf("keys destroy --server printed %q", r.stdout)
	}
	checkShredded(t, db, wrapped) // at once, while the server runs
	runFails(t, destroy(cmdA, cmdB), "404", "no live data key")

	checkDestroyed(t, coord, deu.ID, deu.Surname, deu.Documents[0].Number)
	var after airbridge.Person
	gate.get("/api/persons/"+usa.ID, &after)
	if after.Surname != usa.Surname || after.Redacted != "" {
		t.Errorf("after DEU's destruction, USA's gate agent reads %s as %+v, want surname %s", usa.ID, after, usa.Surname)
	}
	var audit []auth.AuditEntry
	commander.as(users["auditor"].token).get("/api/audit?action=key.destroy", &audit)
	if len(audit) != 1 || audit[0].Actor != "commander.a+commander.b" || audit[0].Target != "DEU" {
		t.Errorf("the audit log of key.destroy = %+v, want one entry by commander.a+commander.b for DEU", audit)
	}
	s.mustStop()

	r = runCmd(t, "verify", "--db", db)
	if r.err != nil {
		t.Fatalf("verify after the destruction: %v\n%s", r.err, r.stdout)
	}
	checkChainHolds(t, r.stdout)
	if row := keyRows(t, db)["DEU/1"]; !strings.Contains(row, "commander.a+commander.b") {
		t.Errorf("keys list shows DEU/1 as %q, want it destroyed by commander.a+commander.b", row)
	}
	checkShredded(t, db, wrapped)

	// Served again, the demo's database still knows DEU's data is gone.
	s = serveDB(t, db, db+".key")
	checkDestroyed(t, newAPI(t, s.url, users["coord.deu"].token), deu.ID, "", "")
	gate = newAPI(t, s.url, users["gate.usa"].token)
	gate.get("/api/persons/"+usa.ID, &after)
	if after.Surname != usa.Surname {
		t.Errorf("after a restart, USA's gate agent reads %s as %+v", usa.ID, after)
	}
	s.mustStop()
}

// TestAuditSince: GET /api/audit?since=T returns the entries at T or later.
func TestAuditSince(t *testing.T) {
	dir := t.TempDir()
	db, keyFile := newDatabase(t, dir, "audit.db")
	auditor := addUser(t, db, "auditor", auth.Auditor, "coalition")
	s := serveDB(t, db, keyFile)
	c := newAPI(t, s.url, auditor)

	// An entry early in a second: a refused token.
	for time.Now().Nanosecond() > 200e6 {
		time.Sleep(time.Millisecond)
	}
	since := time.Now().UTC().Truncate(time.Second)
	if got := whoamiStatus(t, s.url, "abt_0123456789_"+strings.Repeat("A", 43)); got != http.StatusUnauthorized {
		t.Fatalf("an unknown token: %d", got)
	}
	var all, from []auth.AuditEntry
	c.get("/api/audit?action=auth.failed", &all)
	c.get("/api/audit?action=auth.failed&since="+since.Format(time.RFC3339), &from)
	if len(all) != 1 || all[0].Time.Before(since) {
		t.Fatalf("audit of auth.failed = %+v, want one entry at %s or later", all, since)
	}
	if all[0].Time.Truncate(time.Second) != since {
		t.Skipf("the entry at %s is not in the second of %s; cannot test", all[0].Time, since)
	}
	if len(from) != 1 {
		t.Errorf("audit since %s = %+v, want the entry at %s", since.Format(time.RFC3339), from, all[0].Time.Format(time.RFC3339Nano))
	}
	s.mustStop()
}

// TestAdministerRunningServer: users and tokens are administered through a
// running server (--server), so that a stolen token is revoked at once.
func TestAdministerRunningServer(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	s := startRun(t, noEnv, "demo", "--addr", "127.0.0.1:0", "--db", db, "--persons", "100")
	users := s.demoUsers()
	commander, auditor := users["commander.a"].token, users["auditor"].token

	out := mustRun(t, "users", "add", "--server", s.url, "--as", commander, "--name", "gate.deu2", "--role", "gate_agent", "--nation", "DEU")
	if !strings.Contains(out, "gate_agent of DEU") || !passwordLine.MatchString(out) {
		t.Errorf("users add --server printed %q, want the user and a generated password", out)
	}
	out = mustRun(t, "tokens", "issue", "--server", s.url, "--token", commander, "--user", "gate.deu2", "--label", "tablet", "--ttl", "24h")
	token := regexp.MustCompile(`abt_\S+`).FindString(out)
	if token == "" {
		t.Fatalf("tokens issue --server printed %q, want a token", out)
	}
	if got := whoamiStatus(t, s.url, token); got != http.StatusOK {
		t.Fatalf("the new token: whoami = %d, want 200", got)
	}
	if list := mustRun(t, "tokens", "list", "--server", s.url, "--token", auditor, "--user", "gate.deu2"); !strings.Contains(list, tokenID(token)) || strings.Contains(list, token) {
		t.Errorf("tokens list --server = %q, want the id and never the secret", list)
	}
	mustRun(t, "tokens", "revoke", "--server", s.url, "--token", commander, "--id", tokenID(token))
	if got := whoamiStatus(t, s.url, token); got != http.StatusUnauthorized {
		t.Errorf("after tokens revoke --server: whoami = %d, want 401 at once", got)
	}
	runFails(t, []string{"tokens", "revoke", "--server", s.url, "--token", commander, "--id", tokenID(token)}, "already revoked")

	second := mustRun(t, "tokens", "issue", "--server", s.url, "--token", commander, "--user", "gate.deu2")
	token = regexp.MustCompile(`abt_\S+`).FindString(second)
	mustRun(t, "users", "disable", "--server", s.url, "--token", commander, "--name", "gate.deu2")
	if got := whoamiStatus(t, s.url, token); got != http.StatusUnauthorized {
		t.Errorf("after users disable --server: whoami = %d, want 401 at once", got)
	}
	if list := mustRun(t, "users", "list", "--server", s.url, "--token", auditor); !strings.Contains(list, "gate.deu2") {
		t.Errorf("users list --server = %q, want gate.deu2", list)
	}
	// A commander cannot make another: two would be one.
	runFails(t, []string{"users", "add", "--server", s.url, "--as", commander, "--name", "c3", "--role", "commander"}, "403", "two commanders")
	// Without a token, or with a gate agent's, nothing happens.
	r := runCmd(t, "tokens", "revoke", "--server", s.url, "--id", "x")
	if exitStatus(r.err) != 2 {
		t.Errorf("tokens revoke --server without a token = %v, want a usage error", r.err)
	}
	runFails(t, []string{"users", "disable", "--server", s.url, "--token", users["gate.usa"].token, "--name", "auditor"}, "403")
	s.mustStop()
}

// TestAdminRefusesMissingDatabase: only users add creates a database; any
// other administrative command on a missing file is a mistyped path and
// creates nothing.
func TestAdminRefusesMissingDatabase(t *testing.T) {
	dir := t.TempDir()
	typo := filepath.Join(dir, "typo.db")
	keyFile, _ := newKeyFile(t, dir)
	for _, args := range [][]string{
		{"users", "list", "--db", typo},
		{"users", "disable", "--db", typo, "--name", "x"},
		{"tokens", "list", "--db", typo},
		{"tokens", "revoke", "--db", typo, "--id", "x"},
		{"keys", "list", "--db", typo},
		{"keys", "rotate", "--db", typo, "--key-file", keyFile, "--new-key-file", filepath.Join(dir, "new.key")},
	} {
		runFails(t, args, "typo.db")
		if _, err := os.Stat(typo); err == nil {
			t.Fatalf("%q created %s", args, typo)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "new.key")); err == nil {
		t.Errorf("keys rotate on a missing database wrote a new key file")
	}
}
