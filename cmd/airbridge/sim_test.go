package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"airbridge/peertest"
)

func TestSimCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	report := filepath.Join(dir, "report.html")
	r := runCmd(t, "sim", "--scenario", "pipeline", "--days", "1", "--report", report)
	if r.err != nil {
		t.Fatalf("sim: %v\n%s", r.err, r.stderr)
	}
	for _, want := range []string{"historical", "coordinated", "evacuated", "seats departed empty while people waited", "people left behind"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the table lacks %q:\n%s", want, r.stdout)
		}
	}
	html, err := os.ReadFile(report)
	if err != nil || !strings.Contains(string(html), "<svg") || !strings.Contains(string(html), "What the model assumes") {
		t.Errorf("report: %v\n%.300s", err, html)
	}

	r = runCmd(t, "sim", "--scenario", "pipeline", "--policy", "historical", "--days", "1", "--seed", "4", "--json")
	var res map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || r.err != nil {
		t.Fatalf("--json: %v %v\n%s", r.err, err, r.stdout)
	}
	for _, k := range []string{"evacuated", "flights", "peak_24h", "empty_seats_departed", "per_day"} {
		if _, ok := res[k]; !ok {
			t.Errorf("--json lacks %q: %s", k, r.stdout)
		}
	}

	if l := runCmd(t, "sim", "--scenario", "pipeline", "--policy", "historical", "--days", "1", "--seed", "4", "--json", "--ledger"); l.err != nil || l.stdout != r.stdout {
		t.Errorf("--ledger: %v\n%s\nwant the same as without:\n%s", l.err, l.stdout, r.stdout)
	}

	r = runCmd(t, "sim", "--scenario", "pipeline", "--policy", "historical", "--days", "1", "--sweep", "lanes=12..36:12")
	if r.err != nil || strings.Count(r.stdout, "historical") != 3 {
		t.Errorf("sweep: %v\n%s", r.err, r.stdout)
	}
	if l := runCmd(t, "sim", "--scenario", "pipeline", "--policy", "historical", "--days", "1", "--sweep", "lanes=12..36:12", "--ledger"); l.err != nil || l.stdout != r.stdout ||
		!strings.Contains(l.stderr, "sweep: 3 runs in ") || !strings.Contains(l.stderr, "on the ledger's state") || strings.Contains(r.stderr, "ledger") {
		t.Errorf("sweep --ledger: %v\n%s%s\nwant the same table as without, run on the ledger:\n%s%s", l.err, l.stdout, l.stderr, r.stdout, r.stderr)
	}

	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"name":"x","days":0}`), 0o600)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"sim", "--scenario", "atlantis"}, "no built-in scenario"},
		{[]string{"sim", "--scenario", bad}, "days"},
		{[]string{"sim", "--policy", "lucky"}, "--policy"},
		{[]string{"sim", "--sweep", "lanes=80..20:10"}, "FROM ≤ TO"},
		{[]string{"sim", "--sweep", "wind=1..2:1"}, "parameter"},
		{[]string{"sim", "--days", "-1"}, "--days"},
	} {
		r := runCmd(t, tc.args...)
		if r.err == nil || !strings.Contains(r.err.Error()+r.stderr, tc.want) {
			t.Errorf("%q: %v %s, want an error naming %q", tc.args, r.err, r.stderr, tc.want)
		}
	}
}

// TestBenchSim: bench sim times the simulator, and the SimPy reference
// model on the same pipeline, in one run, and both evacuate about as many.
func TestBenchSim(t *testing.T) {
	t.Parallel()
	if r := runCmd(t, "bench", "sim", "--runs", "0"); r.err == nil || !strings.Contains(r.err.Error(), "--runs 0") {
		t.Errorf("--runs 0: %v, want an error naming it", r.err)
	}
	python := peertest.SimPy(t)
	r := runCmd(t, "bench", "sim", "--runs", "1", "--json", "--python", python, "--reference", filepath.Join("..", "..", "sim", "testdata", "reference.py"))
	if r.err != nil {
		t.Fatalf("bench sim: %v\n%s", r.err, r.stderr)
	}
	var b simBench
	if err := json.Unmarshal([]byte(r.stdout), &b); err != nil {
		t.Fatalf("bench sim --json: %v\n%s", err, r.stdout)
	}
	if b.KabulSeconds <= 0 || b.KabulCoordSeconds <= 0 || b.PipelineSeconds <= 0 || b.SimPySeconds <= 0 {
		t.Errorf("bench sim: a time is missing: %+v", b)
	}
	if want := b.SimPySeconds / b.PipelineSeconds; math.Abs(b.Ratio-want) > 1e-9*want {
		t.Errorf("ratio %g, want SimPy's time over ours, %g, in the one round", b.Ratio, want)
	}
	// The same scenario and seed, with different random streams: the
	// same throughput within a few percent.
	if diff := math.Abs(float64(b.Evacuated-b.SimPyEvacuated)) / float64(b.SimPyEvacuated); b.SimPyEvacuated < 100_000 || diff > 0.03 {
		t.Errorf("evacuated %d here, %d in SimPy", b.Evacuated, b.SimPyEvacuated)
	}
	r = runCmd(t, "bench", "sim", "--runs", "1", "--reference", "")
	for _, want := range []string{"on one core: kabul-2021, 17 days, historical: ", " ms (median of 1)", "reference pipeline, 17 days: "} {
		if r.err != nil || !strings.Contains(r.stdout, want) {
			t.Errorf("bench sim without SimPy: %v, lacks %q:\n%s", r.err, want, r.stdout)
		}
	}
}

// TestMedianRatio: bench sim's ratio is the median of the rounds' ratios,
// not the ratio of the medians, which a slow second on one side skews.
func TestMedianRatio(t *testing.T) {
	ours, theirs := []float64{1, 2, 10}, []float64{10, 40, 50} // ratios 10, 20, 5
	if got := medianRatio(ours, theirs); got != 10 {
		t.Errorf("medianRatio = %g, want 10 (the ratio of the medians would be 20)", got)
	}
}
