package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"airbridge"
	"airbridge/auth"
	"airbridge/vault"
)

// binary is the airbridge command built once for the tests that run it as a
// process; TestMain removes its directory.
var binary struct {
	once sync.Once
	dir  string
	path string
	out  []byte
	err  error
}

// buildBinary builds the airbridge command once per test run and returns its
// path. It skips the test when the go tool is missing, unless AIRBRIDGE_CI=1.
func buildBinary(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("AIRBRIDGE_CI") == "1" {
			t.Fatalf("AIRBRIDGE_CI=1 but the go tool is missing: %v", err)
		}
		t.Skipf("the go tool is missing (%v): cannot build the binary", err)
	}
	binary.once.Do(func() {
		binary.dir, binary.err = os.MkdirTemp("", "airbridge-test-")
		if binary.err != nil {
			return
		}
		binary.path = filepath.Join(binary.dir, "airbridge")
		binary.out, binary.err = exec.Command(goTool, "build", "-o", binary.path, ".").CombinedOutput()
	})
	if binary.err != nil {
		t.Fatalf("go build: %v\n%s", binary.err, binary.out)
	}
	return binary.path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binary.dir != "" {
		os.RemoveAll(binary.dir)
	}
	os.Exit(code)
}

// process is one airbridge process serving a database.
type process struct {
	t      *testing.T
	cmd    *exec.Cmd
	url    string
	stderr string // the file its stderr goes to
	done   chan struct{}
	err    error // what Wait returned, once done is closed
}

// startProcess starts "airbridge serve" on a free loopback port over db,
// with the master key in the environment and no rate limit (the test is a
// load), and waits until /healthz answers.
func startProcess(t *testing.T, bin, db, name string, key vault.MasterKey) *process {
	t.Helper()
	p := &process{t: t, stderr: filepath.Join(filepath.Dir(db), name+".stderr"), done: make(chan struct{})}
	stderr, err := os.Create(p.stderr)
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()
	p.cmd = exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--db", db, "--rate-limit", "0")
	p.cmd.Env = append(os.Environ(), "AIRBRIDGE_ADDR=", "AIRBRIDGE_DB=", "AIRBRIDGE_KEY_FILE=", "AIRBRIDGE_MASTER_KEY="+key.String())
	p.cmd.Stderr = stderr
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u := urlPattern.FindString(sc.Text()); u != "" {
				select {
				case urlc <- u:
				default:
				}
			}
		}
		io.Copy(io.Discard, stdout)
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	select {
	case p.url = <-urlc:
	case <-p.done:
		t.Fatalf("%s exited before serving: %v\n%s", name, p.err, p.logs())
	case <-time.After(30 * time.Second):
		t.Fatalf("%s printed no URL within 30s\n%s", name, p.logs())
	}
	for i := 0; ; i++ {
		resp, err := http.Get(p.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if i == 300 {
			t.Fatalf("GET %s/healthz: no 200 after %d tries (last: %v)", p.url, i, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return p
}

func (p *process) logs() string {
	b, _ := os.ReadFile(p.stderr)
	return string(b)
}

// kill ends the process with SIGKILL and waits for it.
func (p *process) kill() {
	p.t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		p.t.Fatalf("SIGKILL: %v", err)
	}
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		p.t.Fatal("the process did not die within 10s of SIGKILL")
	}
}

// stop ends the process with SIGTERM and checks it exits 0.
func (p *process) stop() {
	p.t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		p.t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		p.t.Fatal("the process did not exit within 20s of SIGTERM")
	}
	if p.err != nil {
		p.t.Fatalf("after SIGTERM the process exited with %v, want 0\n%s", p.err, p.logs())
	}
}

// A scan's fate as its client saw it.
const (
	notSent  int32 = iota
	inFlight       // sent, no complete answer
	acked          // answered 2xx
	refused        // answered otherwise
)

func crashPersonID(i int) string { return fmt.Sprintf("C%05d", i) }
func crashScanKey(i int) string  { return fmt.Sprintf("crash-scan-%05d", i) }
func crashScanBody(i int) []byte {
	return []byte(`{"person_id":"` + crashPersonID(i) + `","site":"gate-1"}`)
}

// postKey posts body with the API token and the idempotency key and
// returns the status and whether the answer was a replay.
func postKey(c *http.Client, url, token, key string, body []byte) (status int, replayed bool, msg []byte, err error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, false, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	resp, err := c.Do(req)
	if err != nil {
		return 0, false, nil, err
	}
	defer resp.Body.Close()
	msg, err = io.ReadAll(resp.Body)
	if err != nil {
		return 0, false, nil, err
	}
	return resp.StatusCode, resp.Header.Get("Idempotent-Replayed") == "true", msg, nil
}

// parallel calls f(i) for i in [0, n) on workers goroutines.
func parallel(n, workers int, f func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				f(i)
			}
		}()
	}
	wg.Wait()
}

// TestCrashDuringLoad kills the server with SIGKILL while 16 clients scan
// people at a gate, restarts it on the same file, and checks that every
// acknowledged scan survived and that no command was half applied.
func TestCrashDuringLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and crashes it under load; skipped with -short")
	}
	const (
		persons = 3000
		clients = 16
	)
	bin := buildBinary(t)
	db, keyFile := newDatabase(t, t.TempDir(), "crash.db")
	key, err := vault.LoadMasterKey(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	// A commander sets the operation up; a gate agent of USA registers the
	// people, scans them and reads them back.
	commander := addUser(t, db, "commander", auth.Commander, "coalition")
	gate := addUser(t, db, "gate.usa", auth.GateAgent, "USA")
	p := startProcess(t, bin, db, "first", key)
	httpc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: clients * 2}}
	t.Cleanup(httpc.CloseIdleConnections)

	// An operation, a gate, and the people, in batches.
	type step struct {
		path, token string
		body        any
	}
	setup := []step{
		{"/api/operation", commander, map[string]any{"policy": airbridge.Policy{
			Name: "crash", Nations: []string{"USA", "DEU"}, Categories: airbridge.DefaultCategories(),
		}}},
		{"/api/sites", commander, airbridge.Site{ID: "gate-1", Name: "Gate 1", Kind: airbridge.Gate}},
	}
	const batch = 500
	for from := 0; from < persons; from += batch {
		var ps []map[string]any
		for i := from; i < min(from+batch, persons); i++ {
			ps = append(ps, map[string]any{
				"id": crashPersonID(i), "group_id": fmt.Sprintf("G%05d", i), "nation": "USA",
				"surname": "Crash", "given_names": "Test", "nationality": "AFG", "category": "at_risk",
				"documents": []map[string]any{{"type": "passport", "number": fmt.Sprintf("CR%08d", i)}},
			})
		}
		setup = append(setup, step{"/api/persons/batch", gate, map[string]any{"persons": ps}})
	}
	for i, s := range setup {
		body, err := json.Marshal(s.body)
		if err != nil {
			t.Fatal(err)
		}
		status, _, msg, err := postKey(httpc, p.url+s.path, s.token, fmt.Sprintf("crash-setup-%d", i), body)
		if err != nil || status != http.StatusCreated {
			t.Fatalf("POST %s: %d %s %v", s.path, status, msg, err)
		}
	}

	// The load: every client scans the next person with a fresh key, until
	// the server dies, the people run out, or 30 s pass.
	fate := make([]atomic.Int32, persons)
	var next, ackedCount atomic.Int64
	var unexpected sync.Map // index → answer, for refused scans
	var wg sync.WaitGroup
	start := time.Now()
	loadDeadline := start.Add(30 * time.Second)
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(loadDeadline) {
				i := int(next.Add(1)) - 1
				if i >= persons {
					return
				}
				fate[i].Store(inFlight)
				status, _, msg, err := postKey(httpc, p.url+"/api/scans", gate, crashScanKey(i), crashScanBody(i))
				switch {
				case err != nil:
					return // the server is gone: the scan stays in flight
				case status >= 200 && status <= 299:
					fate[i].Store(acked)
					ackedCount.Add(1)
				default:
					fate[i].Store(refused)
					unexpected.Store(i, fmt.Sprintf("%d %s", status, bytes.TrimSpace(msg)))
				}
			}
		}()
	}
	// Kill after about a second, or as soon as half the people are scanned
	// if the server is faster than that, so the kill lands mid-load.
	for time.Since(start) < time.Second && ackedCount.Load() < persons/2 {
		time.Sleep(time.Millisecond)
	}
	p.kill()
	killedAfter := time.Since(start)
	wg.Wait()
	httpc.CloseIdleConnections()

	count := map[int32]int{}
	for i := range fate {
		count[fate[i].Load()]++
	}
	t.Logf("killed after %s: %d scans acknowledged, %d in flight, %d not sent, %d refused",
		killedAfter.Round(time.Millisecond), count[acked], count[inFlight], count[notSent], count[refused])
	unexpected.Range(func(k, v any) bool {
		t.Errorf("scan of %s before the crash was refused: %s", crashPersonID(k.(int)), v)
		return true
	})
	if count[acked] == 0 {
		t.Fatalf("no scan was acknowledged before the kill\n%s", p.logs())
	}
	if count[notSent] == 0 {
		t.Logf("warning: every scan was sent before the kill; the kill did not land mid-load")
	}

	// The file as the crash left it, with its write-ahead log, is still not
	// the demo's to replace, and must not be touched.
	t.Run("demo refuses the crashed database", func(t *testing.T) {
		copyDir := t.TempDir()
		copied := filepath.Join(copyDir, "crash.db")
		for _, suffix := range []string{"", "-wal", "-shm"} {
			b, err := os.ReadFile(db + suffix)
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(copied+suffix, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		before := readFile(t, copied)
		r := runCmd(t, "demo", "--addr", "127.0.0.1:0", "--db", copied, "--persons", "100")
		if r.err == nil || !strings.Contains(r.err.Error(), "not a demo") {
			t.Errorf("demo over the crashed database = %v, want a refusal", r.err)
		}
		if after := readFile(t, copied); !bytes.Equal(before, after) {
			t.Errorf("demo's refusal rewrote the crashed database: %d bytes before, %d after", len(before), len(after))
		}
	})

	// Restart on the same file.
	p = startProcess(t, bin, db, "second", key)

	// Every person is either scanned exactly once or not at all, and every
	// acknowledged scan is there.
	type seen struct {
		stage   airbridge.Stage
		atGate  int
		history []string
		err     error
	}
	state := make([]seen, persons)
	getJSON := func(path string, v any) error {
		req, err := http.NewRequest(http.MethodGet, p.url+path, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+gate)
		resp, err := httpc.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: %d %s", path, resp.StatusCode, body)
		}
		return json.Unmarshal(body, v)
	}
	parallel(persons, clients, func(i int) {
		var person airbridge.Person
		var history []airbridge.Event
		id := crashPersonID(i)
		if err := getJSON("/api/persons/"+id, &person); err != nil {
			state[i].err = err
			return
		}
		if err := getJSON("/api/persons/"+id+"/history", &history); err != nil {
			state[i].err = err
			return
		}
		state[i].stage = person.Stage
		for _, e := range history {
			state[i].history = append(state[i].history, e.Type)
			if e.Type == airbridge.PersonAtGate {
				state[i].atGate++
			}
		}
	})
	var mu sync.Mutex
	failures := 0
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		failures++
		if failures <= 20 {
			t.Errorf(format, args...)
		}
	}
	for i, s := range state {
		id := crashPersonID(i)
		switch f := fate[i].Load(); {
		case s.err != nil:
			fail("%s: %v", id, s.err)
		case f == acked && (s.stage != airbridge.AtGate || s.atGate != 1):
			fail("%s: acknowledged scan lost: stage %s, history %v", id, s.stage, s.history)
		case f == notSent && (s.stage != airbridge.Registered || len(s.history) != 1):
			fail("%s: never scanned, but stage %s, history %v", id, s.stage, s.history)
		case !(s.stage == airbridge.AtGate && s.atGate == 1 && len(s.history) == 2) &&
			!(s.stage == airbridge.Registered && s.atGate == 0 && len(s.history) == 1):
			fail("%s: half applied: stage %s, history %v", id, s.stage, s.history)
		}
	}

	// Every acknowledged key replays; a key in flight at the crash either
	// replays (its scan was committed with its key) or is applied now.
	parallel(persons, clients, func(i int) {
		f := fate[i].Load()
		if f != acked && f != inFlight {
			return
		}
		status, replayed, msg, err := postKey(httpc, p.url+"/api/scans", gate, crashScanKey(i), crashScanBody(i))
		id := crashPersonID(i)
		switch {
		case err != nil:
			fail("replay of %s: %v", crashScanKey(i), err)
		case status != http.StatusOK:
			fail("replay of %s (%s, %s): %d %s", crashScanKey(i), id, state[i].stage, status, bytes.TrimSpace(msg))
		case f == acked && !replayed:
			fail("replay of acknowledged %s (%s): no Idempotent-Replayed: true", crashScanKey(i), id)
		case f == inFlight && replayed != (state[i].stage == airbridge.AtGate):
			fail("replay of in-flight %s (%s was %s): Idempotent-Replayed %v: the scan and its key were not committed together",
				crashScanKey(i), id, state[i].stage, replayed)
		}
	})
	if failures > 20 {
		t.Errorf("… and %d more failures", failures-20)
	}

	p.stop()
	out, err := exec.Command(bin, "verify", "--db", db).CombinedOutput()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Fatalf("airbridge verify exited %d after the crash:\n%s", exit.ExitCode(), out)
		}
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "matches the read tables") {
		t.Errorf("airbridge verify printed:\n%s\nwant that the ledger matches", out)
	}
	checkChainHolds(t, string(out))
}
