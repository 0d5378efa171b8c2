package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"airbridge/manifest"
)

func TestManifestSolveAndLP(t *testing.T) {
	dir := t.TempDir()
	in := manifest.Generate(3, 60, 4, 3, true)
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "instance.json")
	writeFile(t, path, string(b))

	out := filepath.Join(dir, "solution.json")
	mustRun(t, "manifest", "solve", "--in", path, "--out", out)
	var sol manifest.Solution
	if err := json.Unmarshal(readFile(t, out), &sol); err != nil {
		t.Fatal(err)
	}
	if err := manifest.Check(in, &sol); err != nil || sol.Objective <= 0 || sol.Bound < sol.Objective {
		t.Errorf("manifest solve wrote %+v: %v", sol, err)
	}
	stdout := mustRun(t, "manifest", "solve", "--in", path)
	if !strings.Contains(stdout, `"objective"`) || !strings.Contains(stdout, `"bound"`) || !strings.Contains(stdout, `"assignment"`) {
		t.Errorf("manifest solve printed %q", stdout)
	}
	lp := mustRun(t, "manifest", "lp", "--in", path)
	for _, want := range []string{"Maximize", "Subject To", "Binary", "End"} {
		if !strings.Contains(lp, want) {
			t.Errorf("manifest lp output lacks %q", want)
		}
	}

	bad := filepath.Join(dir, "bad.json")
	writeFile(t, bad, `{"weights":{"1":8},"groups":[{"id":"G1","size":0,"priority":1,"ready":"2021-08-24T10:00:00Z"}],"flights":[]}`)
	runFails(t, []string{"manifest", "solve", "--in", bad}, "groups[0].size")
	runFails(t, []string{"manifest", "solve", "--in", filepath.Join(dir, "missing.json")}, "missing.json")
	if _, err := os.Stat(filepath.Join(dir, "none.json")); err == nil {
		t.Fatal("unexpected file")
	}
}
