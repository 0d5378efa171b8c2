package withdraw

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"airbridge/peertest"
)

var lpSeeds = flag.Int("lpseeds", 40, "random scenarios to compare with the solvers")

// knownGaps lists the random scenarios (smallGen seeds) on which the plan
// flies more sorties than the optimum, by how many: the greedy moves share a
// link in an order of nations, and there the optimum splits a day's capacity
// between two nations' security and other personnel in a way no order does.
// They were found comparing the first 1000 seeds with cbc.
var knownGaps = map[uint64]int{171: 1}

// lpCase is a scenario to compare with the solvers.
type lpCase struct {
	name string
	s    *Scenario
	seed uint64 // for random ones
}

func lpCases(t *testing.T) []lpCase {
	var cases []lpCase
	for _, f := range []string{"holders", "vehicles", "shared-link"} {
		cases = append(cases, lpCase{name: f, s: readScenarioFile(t, "testdata/lp/"+f+".json")})
	}
	for seed := range uint64(*lpSeeds) {
		cases = append(cases, lpCase{name: fmt.Sprintf("random-%d", seed), s: randomScenario(seed, smallGen), seed: seed})
	}
	return cases
}

// solver runs one solver on an LP file and returns the optimum, or false if
// the program is infeasible. It skips t if the solver proves neither within
// its time limit (glpsol takes minutes on a few of the random scenarios;
// cbc solves them all in seconds).
type solver func(t *testing.T, path, lp string) (float64, bool)

const solverSeconds = "120"

func glpsol(t *testing.T, path, lp string) (float64, bool) {
	out := lp + ".out"
	stdout := peertest.Run(t, path, "--lp", lp, "--tmlim", solverSeconds, "-o", out)
	text, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("glpsol wrote no solution: %v\n%s", err, stdout)
	}
	status := regexp.MustCompile(`(?m)^Status:\s+(.*)$`).FindSubmatch(text)
	switch {
	case status == nil:
		t.Fatalf("glpsol: no status in\n%s", text)
	case strings.Contains(string(status[1]), "EMPTY"):
		return 0, false
	case string(status[1]) == "INTEGER NON-OPTIMAL" || string(status[1]) == "INTEGER UNDEFINED":
		t.Skipf("glpsol: %s within %s s", status[1], solverSeconds)
	case string(status[1]) != "INTEGER OPTIMAL":
		t.Fatalf("glpsol: status %s", status[1])
	}
	obj := regexp.MustCompile(`(?m)^Objective:\s+obj = (\S+)`).FindSubmatch(text)
	if obj == nil {
		t.Fatalf("glpsol: no objective in\n%s", text)
	}
	v, err := strconv.ParseFloat(string(obj[1]), 64)
	if err != nil {
		t.Fatal(err)
	}
	return v, true
}

func cbc(t *testing.T, path, lp string) (float64, bool) {
	out := lp + ".sol"
	peertest.Run(t, path, lp, "sec", solverSeconds, "solve", "solu", out)
	text, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("cbc wrote no solution: %v", err)
	}
	first, _, _ := strings.Cut(string(text), "\n")
	switch {
	case strings.HasPrefix(first, "Optimal - objective value "):
		v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimPrefix(first, "Optimal - objective value ")), 64)
		if err != nil {
			t.Fatal(err)
		}
		return v, true
	case strings.Contains(first, "nfeasible"):
		return 0, false
	case strings.HasPrefix(first, "Stopped"):
		t.Skipf("cbc: %s", first)
	}
	t.Fatalf("cbc: %s", first)
	return 0, false
}

func TestLPOptimumGlpsol(t *testing.T) {
	testLPOptimum(t, peertest.Need(t, "glpsol", "glpk-utils"), glpsol)
}

func TestLPOptimumCbc(t *testing.T) {
	testLPOptimum(t, peertest.Need(t, "cbc", "coinor-cbc"), cbc)
}

// testLPOptimum compares Plan with the optimum of WriteLP's program: where
// every deadline can be met, Plan meets them all with as few sorties; where
// none can, Plan does not claim to.
func testLPOptimum(t *testing.T, path string, solve solver) {
	dir := t.TempDir()
	feasible, gaps := 0, 0
	for _, c := range lpCases(t) {
		t.Run(c.name, func(t *testing.T) {
			var lp bytes.Buffer
			if err := WriteLP(&lp, c.s); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, c.name+".lp")
			if err := os.WriteFile(file, lp.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			opt, ok := solve(t, path, file)
			r, err := Plan(c.s)
			if err != nil {
				t.Fatal(err)
			}
			allMet := len(r.Left) == 0
			for _, d := range r.Deadlines {
				allMet = allMet && d.Met
			}
			if !ok {
				if allMet {
					t.Errorf("the program is infeasible, but the plan meets every deadline with %d sorties", r.TotalSorties)
				}
				return
			}
			feasible++
			gap := 0
			if strings.HasPrefix(c.name, "random-") {
				gap = knownGaps[c.seed]
			}
			if !allMet {
				t.Errorf("every deadline can be met (%v sorties), but the plan misses: %+v", opt, r.Deadlines)
			}
			if gap > 0 {
				gaps++
			}
			if float64(r.TotalSorties) != opt+float64(gap) {
				t.Errorf("the plan flies %d sorties, the optimum is %v (known gap %d)", r.TotalSorties, opt, gap)
			}
		})
	}
	if feasible < 3 {
		t.Errorf("only %d feasible cases: the comparison shows too little", feasible)
	}
	t.Logf("%d scenarios where every deadline can be met: the plan flies the optimum on all but the %d known gaps", feasible, gaps)
}
