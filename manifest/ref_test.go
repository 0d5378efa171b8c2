package manifest

// The reference solvers: the model of WriteLP solved by cbc and glpsol, and
// an exhaustive search for tiny instances, each checked against the others
// and its assignment against Check.

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// refTimeLimit is the time a reference solver is given, in seconds.
const refTimeLimit = 60

// refResult is what a reference solver found.
type refResult struct {
	solver    string
	found     bool // a feasible assignment; the rest is zero without one
	objective float64
	proven    bool     // optimal, not only the best found in time
	ones      []string // the variables at 1, in the solver's order
	elapsed   time.Duration
}

// haveSolver reports whether the solver name is on PATH. When AIRBRIDGE_CI=1
// its absence fails the test instead: the CI installs both.
func haveSolver(t *testing.T, name string) bool {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("AIRBRIDGE_CI") == "1" {
			t.Fatalf("%s is not on PATH, and AIRBRIDGE_CI=1 requires it", name)
		}
		return false
	}
	return true
}

// writeLPFile writes in's model to a new file model.lp (cbc reads LP format
// only from a file named .lp) and returns its path and content.
func writeLPFile(t *testing.T, in *Instance) (string, []byte) {
	t.Helper()
	var b bytes.Buffer
	if err := WriteLP(&b, in); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "model.lp")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, b.Bytes()
}

// runSolver runs the solver's command line and returns its solution file.
func runSolver(t *testing.T, out string, name string, args ...string) ([]byte, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 3*refTimeLimit*time.Second)
	defer cancel()
	start := time.Now()
	log, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	elapsed := time.Since(start)
	if err != nil {
		t.Fatalf("%s: %v\n%s", name, err, tail(log))
	}
	sol, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("%s wrote no solution: %v\n%s", name, err, tail(log))
	}
	return sol, elapsed
}

func tail(b []byte) []byte { return b[max(0, len(b)-2000):] }

// runCBC solves the model in the LP file with cbc.
func runCBC(t *testing.T, lpPath string) refResult {
	t.Helper()
	out := lpPath + ".cbc"
	sol, elapsed := runSolver(t, out, "cbc", lpPath, "sec", strconv.Itoa(refTimeLimit), "solve", "solution", out)
	r, err := readCBCSolution(bytes.NewReader(sol))
	if err != nil {
		t.Fatalf("cbc: %v\n%s", err, tail(sol))
	}
	r.elapsed = elapsed
	return r
}

// runGLPSOL solves the model in the LP file, whose content is lp, with glpsol.
func runGLPSOL(t *testing.T, lpPath string, lp []byte) refResult {
	t.Helper()
	out := lpPath + ".glpk"
	sol, elapsed := runSolver(t, out, "glpsol", "--lp", lpPath, "--tmlim", strconv.Itoa(refTimeLimit), "-w", out)
	r, err := readGLPKSolution(bytes.NewReader(sol), lpColumns(lp))
	if err != nil {
		t.Fatalf("glpsol: %v\n%s", err, tail(sol))
	}
	r.elapsed = elapsed
	return r
}

// readCBCSolution reads cbc's solution file: a status line such as
// "Optimal - objective value 40.00000000", then a line per variable of
// index, name, value and reduced cost. A status of "Stopped on time (no
// integer solution - continuous used)" gives the relaxation's value, which is
// no assignment's.
func readCBCSolution(r io.Reader) (refResult, error) {
	res := refResult{solver: "cbc"}
	sc := bufio.NewScanner(r)
	if !sc.Scan() {
		return res, fmt.Errorf("empty solution file: %v", sc.Err())
	}
	status, value, ok := strings.Cut(sc.Text(), " - objective value ")
	if !ok {
		return res, fmt.Errorf("no objective in %q", sc.Text())
	}
	switch {
	case strings.HasPrefix(status, "Optimal"):
		res.found, res.proven = true, true
	case strings.HasPrefix(status, "Stopped") && !strings.Contains(status, "no integer solution"):
		res.found = true
	default:
		return res, nil
	}
	obj, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
	if err != nil {
		return res, fmt.Errorf("objective: %v", err)
	}
	res.objective = obj
	for sc.Scan() {
		f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(sc.Text()), "**"))
		if len(f) < 3 {
			return res, fmt.Errorf("variable line %q", sc.Text())
		}
		v, err := strconv.ParseFloat(f[2], 64)
		if err != nil {
			return res, fmt.Errorf("variable line %q: %v", sc.Text(), err)
		}
		if v > 0.5 {
			res.ones = append(res.ones, f[1])
		}
	}
	return res, sc.Err()
}

// readGLPKSolution reads the MIP solution that glpsol -w writes:
// "s mip ROWS COLS STATUS OBJECTIVE", where STATUS is o (optimal), f
// (feasible), n (no feasible solution) or u (undefined: none found in time),
// and "j COLUMN VALUE" per variable. columns names the columns in glpsol's
// order, the order of first appearance in the LP file.
func readGLPKSolution(r io.Reader, columns []string) (refResult, error) {
	res := refResult{solver: "glpsol"}
	sc := bufio.NewScanner(r)
	seenStatus := false
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 0 || f[0] == "c" || f[0] == "i" || f[0] == "e":
		case f[0] == "s":
			if len(f) != 6 || f[1] != "mip" {
				return res, fmt.Errorf("not a MIP solution: %q", sc.Text())
			}
			if n, _ := strconv.Atoi(f[3]); n != len(columns) {
				return res, fmt.Errorf("%s columns, the LP file has %d", f[3], len(columns))
			}
			seenStatus = true
			switch f[4] {
			case "o":
				res.found, res.proven = true, true
			case "f":
				res.found = true
			default:
				return res, nil
			}
			obj, err := strconv.ParseFloat(f[5], 64)
			if err != nil {
				return res, fmt.Errorf("objective: %v", err)
			}
			res.objective = obj
		case f[0] == "j" && len(f) == 3:
			j, err := strconv.Atoi(f[1])
			if err != nil || j < 1 || j > len(columns) {
				return res, fmt.Errorf("column line %q", sc.Text())
			}
			v, err := strconv.ParseFloat(f[2], 64)
			if err != nil {
				return res, fmt.Errorf("column line %q: %v", sc.Text(), err)
			}
			if v > 0.5 {
				res.ones = append(res.ones, columns[j-1])
			}
		default:
			return res, fmt.Errorf("unknown line %q", sc.Text())
		}
	}
	if !seenStatus {
		return res, fmt.Errorf("no status line")
	}
	return res, sc.Err()
}

// lpColumns returns the variables of an LP file of WriteLP in the order of
// its objective, which names every variable before any constraint does.
func lpColumns(lp []byte) []string {
	_, rest, _ := bytes.Cut(lp, []byte("\nMaximize\n"))
	obj, _, _ := bytes.Cut(rest, []byte("\nSubject To\n"))
	var names []string
	for _, f := range strings.Fields(string(obj)) {
		if c := f[0]; (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') && !strings.HasSuffix(f, ":") {
			names = append(names, f)
		}
	}
	return names
}

// assignmentOf turns a solver's variables at 1 into a solution of in, with
// the solver's objective as the objective and the bound.
func assignmentOf(t *testing.T, in *Instance, r refResult) *Solution {
	t.Helper()
	s := &Solution{Objective: r.objective, Bound: r.objective, Assignment: map[string]string{}}
	for _, name := range r.ones {
		var gi, fi int
		if _, err := fmt.Sscanf(name, "x%d_%d", &gi, &fi); err != nil || gi >= len(in.Groups) || fi >= len(in.Flights) {
			t.Fatalf("%s: variable %q is not one of WriteLP's", r.solver, name)
		}
		gid := in.Groups[gi].ID
		if prev, ok := s.Assignment[gid]; ok {
			t.Fatalf("%s: group %q on flights %q and %q", r.solver, gid, prev, in.Flights[fi].ID)
		}
		s.Assignment[gid] = in.Flights[fi].ID
	}
	return s
}

// solveReference runs one reference solver on in and checks its assignment.
func solveReference(t *testing.T, in *Instance, solver, lpPath string, lp []byte) refResult {
	t.Helper()
	var r refResult
	if solver == "cbc" {
		r = runCBC(t, lpPath)
	} else {
		r = runGLPSOL(t, lpPath, lp)
	}
	if r.found {
		if err := Check(in, assignmentOf(t, in, r)); err != nil {
			t.Fatalf("%s's assignment: %v", solver, err)
		}
	}
	return r
}

// referenceOptimum solves in with the reference solvers, cbc first, then
// glpsol if cbc did not prove its answer optimal. opt is the best objective
// they found, of an assignment that passed Check, so every valid bound is at
// least opt; proven says one of them proved it optimal, so that no feasible
// assignment does better (both within 1e-6 relative). ok is false when neither
// solver is on PATH (a failure when AIRBRIDGE_CI=1) or found an assignment
// in its 60 s.
func referenceOptimum(t *testing.T, in *Instance) (opt float64, proven bool, ok bool) {
	t.Helper()
	lpPath, lp := writeLPFile(t, in)
	for _, solver := range []string{"cbc", "glpsol"} {
		if proven || !haveSolver(t, solver) {
			continue
		}
		r := solveReference(t, in, solver, lpPath, lp)
		t.Logf("%s: objective %v, proven %v, in %v", solver, r.objective, r.proven, r.elapsed.Round(time.Millisecond))
		if r.found && (!ok || r.objective > opt) {
			opt = r.objective
		}
		ok = ok || r.found
		proven = proven || r.proven
	}
	return opt, proven, ok
}

// exhaustiveOptimum returns the optimum of a tiny instance and an assignment
// that reaches it, by trying every assignment: each group on no flight or on
// each flight it is compatible with, within the seats, the litters and the
// hubs' daily capacities, fixed groups on their flight only.
func exhaustiveOptimum(in *Instance) (float64, map[string]string) {
	capacity := map[string]int{}
	for _, h := range in.Hubs {
		capacity[h.ID] = h.Capacity
	}
	seats := make([]int, len(in.Flights))
	litters := make([]int, len(in.Flights))
	hubDays := map[string]int{}
	choice := make([]int, len(in.Groups)) // flight index, or -1
	best, bestChoice := -1.0, []int(nil)
	var try func(gi int, objective float64)
	try = func(gi int, objective float64) {
		if gi == len(in.Groups) {
			if objective > best {
				best, bestChoice = objective, append([]int(nil), choice...)
			}
			return
		}
		g := in.Groups[gi]
		fixed, isFixed := in.Fixed[g.ID]
		if !isFixed {
			choice[gi] = -1
			try(gi+1, objective)
		}
		for fi, f := range in.Flights {
			if isFixed && f.ID != fixed || !Compatible(g, f) ||
				seats[fi]+g.Size > f.Seats || litters[fi]+g.Litters > f.Litters {
				continue
			}
			c, isHub := capacity[f.Destination]
			hd := HubDay(f)
			if isHub && hubDays[hd]+g.Size > c {
				continue
			}
			seats[fi] += g.Size
			litters[fi] += g.Litters
			hubDays[hd] += g.Size
			choice[gi] = fi
			try(gi+1, objective+in.Weights[strconv.Itoa(g.Priority)]*float64(g.Size))
			seats[fi] -= g.Size
			litters[fi] -= g.Litters
			hubDays[hd] -= g.Size
		}
	}
	try(0, 0)
	assignment := map[string]string{}
	for gi, fi := range bestChoice {
		if fi >= 0 {
			assignment[in.Groups[gi].ID] = in.Flights[fi].ID
		}
	}
	return best, assignment
}

// withFixed fixes the first group that fits a flight alone to that flight.
func withFixed(in *Instance) *Instance {
	capacity := map[string]int{}
	for _, h := range in.Hubs {
		capacity[h.ID] = h.Capacity
	}
	for _, g := range in.Groups {
		for _, f := range in.Flights {
			c, isHub := capacity[f.Destination]
			if Compatible(g, f) && g.Size <= f.Seats && g.Litters <= f.Litters && (!isHub || g.Size <= c) {
				in.Fixed = map[string]string{g.ID: f.ID}
				return in
			}
		}
	}
	return in
}

// referenceCase is an instance for TestReferenceSolvers; tiny ones are also
// solved exhaustively.
type referenceCase struct {
	name string
	in   *Instance
	tiny bool
}

func referenceCases() []referenceCase {
	fixedSample := sample()
	fixedSample.Fixed = map[string]string{"G2": "F1"} // worse than G1 on F1: the fix costs 20
	cases := []referenceCase{
		{"sample", sample(), true},
		{"sample fixed", fixedSample, true},
		{"empty", &Instance{}, true},
	}
	for seed := range int64(12) {
		in := Generate(seed, 8, 3, 3, seed%2 == 0)
		if seed%3 == 0 {
			in = withFixed(in)
		}
		cases = append(cases, referenceCase{fmt.Sprintf("tiny seed %d", seed), in, true})
	}
	for _, c := range []struct {
		groups, flights int
		scarce          bool
	}{{20, 3, true}, {20, 3, false}, {100, 3, true}, {100, 3, false}, {300, 9, true}, {300, 9, false}} {
		cases = append(cases, referenceCase{
			fmt.Sprintf("%d groups %d flights scarce=%v", c.groups, c.flights, c.scarce),
			Generate(int64(c.groups), c.groups, c.flights, 10, c.scarce), false,
		})
	}
	return cases
}

// TestReferenceSolvers solves generated instances with cbc and glpsol and
// checks that every assignment they report is feasible with its objective,
// that they agree when both prove optimality, and that on tiny instances they
// find the exhaustive optimum.
func TestReferenceSolvers(t *testing.T) {
	cases := referenceCases()
	for _, c := range cases {
		if err := c.in.Validate(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
	}
	results := map[string][]refResult{} // case → the solvers' results
	for _, solver := range []string{"cbc", "glpsol"} {
		t.Run(solver, func(t *testing.T) {
			if !haveSolver(t, solver) {
				t.Skipf("%s is not on PATH", solver)
			}
			for _, c := range cases {
				lpPath, lp := writeLPFile(t, c.in)
				r := solveReference(t, c.in, solver, lpPath, lp)
				if !c.tiny {
					t.Logf("%s: objective %v, proven %v, in %v", c.name, r.objective, r.proven, r.elapsed.Round(time.Millisecond))
				}
				results[c.name] = append(results[c.name], r)
				if !c.tiny {
					continue
				}
				want, assignment := exhaustiveOptimum(c.in)
				if err := Check(c.in, &Solution{Objective: want, Bound: want, Assignment: assignment}); err != nil {
					t.Fatalf("%s: the exhaustive optimum's assignment: %v", c.name, err)
				}
				if !r.found || !r.proven || !nearlyEqual(r.objective, want) {
					t.Errorf("%s: %s found %v (proven %v), the exhaustive optimum is %v", c.name, solver, r.objective, r.proven, want)
				}
			}
		})
	}
	for _, c := range cases {
		if rs := results[c.name]; len(rs) == 2 && rs[0].proven && rs[1].proven && !nearlyEqual(rs[0].objective, rs[1].objective) {
			t.Errorf("%s: %s's optimum is %v, %s's %v", c.name, rs[0].solver, rs[0].objective, rs[1].solver, rs[1].objective)
		}
	}
}

// nearlyEqual reports whether a and b are equal within 1e-6 relative.
func nearlyEqual(a, b float64) bool {
	return math.Abs(a-b) <= 1e-6*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func TestReferenceOptimum(t *testing.T) {
	in := sample()
	opt, proven, ok := referenceOptimum(t, in)
	if !ok {
		t.Skip("neither cbc nor glpsol is on PATH")
	}
	if !proven || opt != 40 {
		t.Errorf("referenceOptimum(sample) = %v, proven %v; want 40, proven", opt, proven)
	}
}

func TestReadCBCSolution(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     refResult
	}{
		{"optimal", "Optimal - objective value 40.00000000\n      0 x0_0                   1                       0\n      1 x1_0                   0                      12\n      2 x2_1                   1                       8\n",
			refResult{found: true, proven: true, objective: 40, ones: []string{"x0_0", "x2_1"}}},
		{"stopped with a solution", "Stopped on time - objective value 2746.00000000\n      5 x3_2                   1                      -0\n",
			refResult{found: true, objective: 2746, ones: []string{"x3_2"}}},
		{"stopped with a relaxation", "Stopped on time (no integer solution - continuous used) - objective value 30216.00000000\n      1 x0_39                  1                      -0\n",
			refResult{}},
		{"infeasible", "Infeasible - objective value 0.00000000\n", refResult{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readCBCSolution(strings.NewReader(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if got.found != tc.want.found || got.proven != tc.want.proven || got.objective != tc.want.objective || !slices.Equal(got.ones, tc.want.ones) {
				t.Errorf("readCBCSolution = %+v, want %+v", got, tc.want)
			}
		})
	}
	if _, err := readCBCSolution(strings.NewReader("Error reading file\n")); err == nil {
		t.Error("readCBCSolution(garbage) = nil error")
	}
}

func TestReadGLPKSolution(t *testing.T) {
	columns := []string{"x0_0", "x1_0", "x2_1"}
	for _, tc := range []struct {
		name, in string
		want     refResult
	}{
		{"optimal", "c Problem:\nc\ns mip 8 3 o 40\ni 1 1\nj 1 1\nj 2 0\nj 3 1\ne o f\n",
			refResult{found: true, proven: true, objective: 40, ones: []string{"x0_0", "x2_1"}}},
		{"feasible", "s mip 8 3 f 32\nj 1 1\nj 2 0\nj 3 0\ne o f\n",
			refResult{found: true, objective: 32, ones: []string{"x0_0"}}},
		{"undefined", "s mip 8 3 u 0\nj 1 0\nj 2 0\nj 3 0\ne o f\n", refResult{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readGLPKSolution(strings.NewReader(tc.in), columns)
			if err != nil {
				t.Fatal(err)
			}
			if got.found != tc.want.found || got.proven != tc.want.proven || got.objective != tc.want.objective || !slices.Equal(got.ones, tc.want.ones) {
				t.Errorf("readGLPKSolution = %+v, want %+v", got, tc.want)
			}
		})
	}
	for _, bad := range []string{"", "s bas 8 3 f f 0\n", "s mip 8 4 o 40\n", "s mip 8 3 o 40\nj 4 1\n"} {
		if _, err := readGLPKSolution(strings.NewReader(bad), columns); err == nil {
			t.Errorf("readGLPKSolution(%q) = nil error", bad)
		}
	}
}
