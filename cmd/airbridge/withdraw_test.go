package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWithdrawCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	report := filepath.Join(dir, "plan.html")
	r := runCmd(t, "withdraw", "plan", "--report", report)
	if r.err != nil {
		t.Fatalf("withdraw plan: %v\n%s", r.err, r.stderr)
	}
	for _, want := range []string{"nato-2021", "USA", "DEU", "04 Jul", "HKIA", "sorties"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the plan's table lacks %q:\n%s", want, r.stdout)
		}
	}
	if html, err := os.ReadFile(report); err != nil || strings.Count(string(html), "<svg") != 3 {
		t.Errorf("report: %v, %d charts", err, strings.Count(string(html), "<svg"))
	}
	r = runCmd(t, "withdraw", "plan", "--json")
	var plan struct {
		TotalSorties int `json:"total_sorties"`
		Deadlines    []struct {
			Nation string `json:"nation"`
			Met    bool   `json:"met"`
		} `json:"deadlines"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &plan); err != nil || plan.TotalSorties == 0 || len(plan.Deadlines) != 36 {
		t.Fatalf("--json: %v, %d sorties, %d deadlines", err, plan.TotalSorties, len(plan.Deadlines))
	}
	lp := filepath.Join(dir, "small.lp")
	if r := runCmd(t, "withdraw", "lp", "--scenario", filepath.Join("..", "..", "withdraw", "testdata", "small.json"), "--out", lp); r.err != nil {
		t.Fatalf("withdraw lp: %v", r.err)
	}
	if b, err := os.ReadFile(lp); err != nil || !strings.Contains(strings.ToLower(string(b)), "minimize") {
		t.Errorf("LP: %v\n%.200s", err, b)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"name":"x","days":-1}`), 0o600)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"withdraw", "plan", "--scenario", "atlantis"}, "no built-in scenario"},
		{[]string{"withdraw", "plan", "--scenario", bad}, "start"},
		{[]string{"withdraw", "lp"}, "--scenario"},
		{[]string{"withdraw", "retreat"}, "unknown command"},
	} {
		r := runCmd(t, tc.args...)
		if r.err == nil || !strings.Contains(r.err.Error()+r.stderr, tc.want) {
			t.Errorf("%q: %v %s, want an error naming %q", tc.args, r.err, r.stderr, tc.want)
		}
	}
}
