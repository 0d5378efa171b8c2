package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"airbridge"
	"airbridge/auth"
	"airbridge/sqlite"
	"airbridge/vault"
)

// ingestResult is what "bench ingest --json" prints.
type ingestResult struct {
	EventsPerSec       float64 `json:"events_per_sec"` // acknowledged single-event scans per second, closed loop
	P50Ms              float64 `json:"p50_ms"`
	P99Ms              float64 `json:"p99_ms"`
	RawRowsPerSec      float64 `json:"raw_rows_per_sec"` // the same event rows inserted straight into SQLite in batches
	Ratio              float64 `json:"ratio"`            // events_per_sec / raw_rows_per_sec
	PacedRate          float64 `json:"paced_rate"`       // requests per second offered in the paced run
	PacedAchieved      float64 `json:"paced_achieved"`
	PacedP50Ms         float64 `json:"paced_p50_ms"`
	PacedP99Ms         float64 `json:"paced_p99_ms"`
	BatchPersonsPerSec float64 `json:"batch_persons_per_sec"` // persons registered per second through POST /api/persons/batch
	Clients            int     `json:"clients"`
	Scans              int     `json:"scans"`
	Errors             int64   `json:"errors"`
}

func (env *environment) benchIngest(args []string) error {
	fs := env.flags("bench ingest", "bench ingest [--duration D] [--clients N] [--rate R] [--json]")
	duration := fs.Duration("duration", 5*time.Second, "length of the closed-loop run and of the paced run")
	clients := fs.Int("clients", 32, "concurrent clients in the closed-loop run")
	rate := fs.Float64("rate", 2000, "requests per second offered in the paced run")
	asJSON := fs.Bool("json", false, "print one JSON object")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	if err := env.parse(fs, args); err != nil {
		return err
	}
	stop, err := cpuProfile(*profile)
	if err != nil {
		return err
	}
	defer stop()
	if *duration <= 0 || *duration > time.Minute || *clients < 1 || *clients > 1024 || *rate <= 0 || *rate > 100_000 {
		fmt.Fprintln(env.stderr, "airbridge bench ingest: need 0 < duration ≤ 1m, 1 ≤ clients ≤ 1024, 0 < rate ≤ 100000")
		return exitError(2)
	}
	dir, err := os.MkdirTemp("", "airbridge-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	res, err := runIngest(env.ctx, dir, *duration, *clients, *rate, env.stderr)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(env.stdout).Encode(res)
	}
	w := env.stdout
	fmt.Fprintf(w, "scan requests, closed loop (%d clients, %s):\n", res.Clients, *duration)
	fmt.Fprintf(w, "  acknowledged   %10.0f /s   p50 %.2f ms   p99 %.2f ms   (%d scans, %d errors)\n", res.EventsPerSec, res.P50Ms, res.P99Ms, res.Scans, res.Errors)
	fmt.Fprintf(w, "scan requests, paced at %.0f/s:\n", res.PacedRate)
	fmt.Fprintf(w, "  achieved       %10.0f /s   p50 %.2f ms   p99 %.2f ms\n", res.PacedAchieved, res.PacedP50Ms, res.PacedP99Ms)
	fmt.Fprintf(w, "batch registration, %d persons a request, 2 clients:\n  persons        %10.0f /s\n", airbridge.MaxBatch, res.BatchPersonsPerSec)
	fmt.Fprintf(w, "raw SQLite inserts of the same event rows, in batches:\n  rows           %10.0f /s\n", res.RawRowsPerSec)
	fmt.Fprintf(w, "ratio acknowledged / raw: %.3f\n", res.Ratio)
	return nil
}

func runIngest(ctx context.Context, dir string, duration time.Duration, clients int, rate float64, progress io.Writer) (ingestResult, error) {
	res := ingestResult{Clients: clients, PacedRate: rate}
	key, err := vault.GenerateMasterKey()
	if err != nil {
		return res, err
	}
	db, err := sqlite.Open(ctx, filepath.Join(dir, "bench.db"), key)
	if err != nil {
		return res, err
	}
	defer db.Close()
	// Every request is authenticated, as in service: a commander sets the
	// operation up, a gate agent of the coalition registers and scans.
	_, commander, err := newUser(ctx, db, "bench.commander", auth.Commander, auth.Coalition, "", true, "bench")
	if err != nil {
		return res, err
	}
	_, gate, err := newUser(ctx, db, "bench.gate", auth.GateAgent, auth.Coalition, "", true, "bench")
	if err != nil {
		return res, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	base, served, err := serveInProcess(ctx, db)
	if err != nil {
		return res, err
	}
	c := &benchClient{base: base, commander: commander, gate: gate, http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients + 64, MaxConnsPerHost: 0}}}

	// The operation and enough registered people to scan for the whole run.
	if err := c.setup(); err != nil {
		return res, err
	}
	need := int(float64(duration)/float64(time.Second)*(rate+30_000)) + 10_000
	need = (need + airbridge.MaxBatch - 1) / airbridge.MaxBatch * airbridge.MaxBatch
	fmt.Fprintf(progress, "registering %d persons in batches of %d…\n", need, airbridge.MaxBatch)
	// Two clients, so that one batch is decoded while another is written.
	start := time.Now()
	var batches atomic.Int64
	regErr := make(chan error, 2)
	for range 2 {
		go func() {
			for {
				i := int(batches.Add(1)-1) * airbridge.MaxBatch
				if i >= need {
					regErr <- nil
					return
				}
				if err := c.registerBatch(i, airbridge.MaxBatch); err != nil {
					regErr <- err
					return
				}
			}
		}()
	}
	if err := errors.Join(<-regErr, <-regErr); err != nil {
		return res, err
	}
	res.BatchPersonsPerSec = float64(need) / time.Since(start).Seconds()

	// Closed loop: every client scans the next person as soon as its last
	// scan is acknowledged.
	fmt.Fprintf(progress, "closed loop, %d clients, %s…\n", clients, duration)
	var next atomic.Int64
	var errs atomic.Int64
	lat := make([][]time.Duration, clients)
	var wg sync.WaitGroup
	deadline := time.Now().Add(duration)
	start = time.Now()
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				i := int(next.Add(1)) - 1
				if i >= need {
					return
				}
				t0 := time.Now()
				if err := c.scan(i); err != nil {
					errs.Add(1)
					continue
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	all := slices.Concat(lat...)
	res.Scans = len(all)
	res.Errors = errs.Load()
	res.EventsPerSec = float64(len(all)) / elapsed.Seconds()
	res.P50Ms, res.P99Ms = quantileMs(all, 0.50), quantileMs(all, 0.99)

	// Paced: requests are offered at a fixed rate whatever the answers do;
	// latency counts from when a request was due, so a stall is not hidden.
	fmt.Fprintf(progress, "paced at %.0f/s, %s…\n", rate, duration)
	interval := time.Duration(float64(time.Second) / rate)
	total := int(duration / interval)
	due := make(chan time.Time, total)
	var pmu sync.Mutex
	var paced []time.Duration
	start = time.Now()
	for range min(clients*4, 256) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range due {
				if d := time.Until(t); d > 0 {
					time.Sleep(d)
				}
				i := int(next.Add(1)) - 1
				if i >= need {
					errs.Add(1)
					continue
				}
				if err := c.scan(i); err != nil {
					errs.Add(1)
					continue
				}
				d := time.Since(t)
				pmu.Lock()
				paced = append(paced, d)
				pmu.Unlock()
			}
		}()
	}
	for k := range total {
		due <- start.Add(time.Duration(k) * interval)
	}
	close(due)
	wg.Wait()
	res.PacedAchieved = float64(len(paced)) / time.Since(start).Seconds()
	res.PacedP50Ms, res.PacedP99Ms = quantileMs(paced, 0.50), quantileMs(paced, 0.99)
	res.Errors = errs.Load()

	fmt.Fprintln(progress, "raw SQLite inserts…")
	events, err := db.Events(ctx, 0, 10_000)
	if err != nil {
		return res, err
	}
	var sample airbridge.Event
	for _, e := range slices.Backward(events) {
		if e.Type == airbridge.PersonAtGate {
			sample = e
			break
		}
	}
	raw, err := sqlite.RawInsertRate(ctx, filepath.Join(dir, "raw.db"), sample, max(res.Scans, 20_000))
	if err != nil {
		return res, err
	}
	res.RawRowsPerSec = raw
	res.Ratio = res.EventsPerSec / raw
	cancel()
	if err := <-served; err != nil {
		return res, err
	}
	return res, nil
}

func quantileMs(ds []time.Duration, q float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return float64(ds[int(q*float64(len(ds)-1))]) / float64(time.Millisecond)
}

type benchClient struct {
	base            string
	commander, gate string // API tokens
	http            *http.Client
	keys            atomic.Int64
}

func (c *benchClient) post(path string, body []byte) error {
	req, err := http.NewRequest(http.MethodPost, c.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", "bench-"+strconv.FormatInt(c.keys.Add(1), 10))
	token := c.gate
	if path == "/api/operation" || path == "/api/sites" {
		token = c.commander
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("POST %s: %s: %s", path, resp.Status, msg)
	}
	return nil
}

func (c *benchClient) setup() error {
	policy, _ := json.Marshal(airbridge.ConfigureOperation{Policy: airbridge.Policy{
		Name: "bench", Nations: []string{"USA", "DEU"}, Categories: airbridge.DefaultCategories(),
	}})
	if err := c.post("/api/operation", policy); err != nil {
		return err
	}
	return c.post("/api/sites", []byte(`{"id":"gate-1","name":"Gate 1","kind":"gate"}`))
}

func benchPersonID(i int) string { return fmt.Sprintf("B%07d", i) }

func (c *benchClient) registerBatch(from, n int) error {
	var b bytes.Buffer
	b.WriteString(`{"persons":[`)
	for i := from; i < from+n; i++ {
		if i > from {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%q,"group_id":"G%07d","nation":"USA","surname":"Person","given_names":"Bench","birth_date":"1990-01-%02d","sex":"F","nationality":"AFG","category":"at_risk","documents":[{"type":"passport","number":"X%08d"}]}`,
			benchPersonID(i), i/4, 1+i%28, i)
	}
	b.WriteString(`]}`)
	return c.post("/api/persons/batch", b.Bytes())
}

func (c *benchClient) scan(i int) error {
	return c.post("/api/scans", []byte(`{"person_id":"`+benchPersonID(i)+`","site":"gate-1"}`))
}
