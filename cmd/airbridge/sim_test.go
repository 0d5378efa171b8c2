package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
