package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"airbridge/manifest"
)

// manifestCase is one generated instance of the benchmark.
type manifestCase struct {
	Name    string `json:"name"`
	Groups  int    `json:"groups"`
	Flights int    `json:"flights"`
	Nations int    `json:"nations"`
	Scarce  bool   `json:"scarce"`
}

var manifestCases = []manifestCase{
	{"peak-day", 3000, 90, 10, false},
	{"peak-day-scarce", 3000, 90, 10, true},
	{"national", 80_000, 1000, 30, false},
	{"national-scarce", 80_000, 1000, 30, true},
}

type manifestRun struct {
	manifestCase
	Persons   int     `json:"persons"`
	Ms        float64 `json:"ms"` // median solve time
	Objective float64 `json:"objective"`
	Bound     float64 `json:"bound"`
	GapPct    float64 `json:"gap_pct"`
	PeakMiB   float64 `json:"peak_mib,omitempty"` // the process's peak resident memory while solving (Linux)
	Valid     bool    `json:"valid"`              // the independent checker accepts the assignment
	Reference *refRun `json:"reference,omitempty"`
}

// refRun is what a reference MILP solver found on the same instance.
type refRun struct {
	Solver    string  `json:"solver"`
	Seconds   float64 `json:"seconds"`
	Objective float64 `json:"objective"`
	Bound     float64 `json:"bound,omitempty"` // its best bound, when it stopped before proving
	Proven    bool    `json:"proven"`
}

func (env *environment) benchManifest(args []string) error {
	fs := env.flags("bench manifest", "bench manifest [--seed N] [--runs N] [--only NAME] [--reference SECONDS] [--json]")
	seed := fs.Int64("seed", 1, "seed of the generated instances")
	runs := fs.Int("runs", 5, "solves per instance (1..50); the median time is reported")
	only := fs.String("only", "", "run only the instance of this name ("+caseNames()+")")
	refLimit := fs.Int("reference", 0, "also solve each peak-day instance with cbc or glpsol, if installed, for at most this many seconds (0: no)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := env.parse(fs, args); err != nil {
		return err
	}
	if *runs < 1 || *runs > 50 || *refLimit < 0 {
		fmt.Fprintln(env.stderr, "airbridge bench manifest: need 1 ≤ --runs ≤ 50 and --reference ≥ 0")
		return exitError(2)
	}
	var results []manifestRun
	for _, c := range manifestCases {
		if *only != "" && c.Name != *only {
			continue
		}
		in := manifest.Generate(*seed, c.Groups, c.Flights, c.Nations, c.Scarce)
		r := manifestRun{manifestCase: c}
		for _, g := range in.Groups {
			r.Persons += g.Size
		}
		var times []float64
		var sol *manifest.Solution
		for range *runs {
			runtime.GC()
			resetPeak()
			start := time.Now()
			sol = manifest.Solve(in)
			times = append(times, float64(time.Since(start).Microseconds())/1000)
			r.PeakMiB = max(r.PeakMiB, peakMiB())
		}
		slices.Sort(times)
		r.Ms, r.Objective, r.Bound = times[len(times)/2], sol.Objective, sol.Bound
		if sol.Bound > 0 {
			r.GapPct = 100 * (sol.Bound - sol.Objective) / sol.Bound
		}
		r.Valid = manifest.Check(in, sol) == nil
		if *refLimit > 0 && c.Groups <= 5000 {
			ref, err := referenceSolve(env.ctx, in, time.Duration(*refLimit)*time.Second)
			if err != nil {
				fmt.Fprintf(env.stderr, "%s: reference solver: %v\n", c.Name, err)
			}
			r.Reference = ref
		}
		results = append(results, r)
		if !*asJSON {
			printManifestRun(env, r)
		}
	}
	if *asJSON {
		return json.NewEncoder(env.stdout).Encode(results)
	}
	return nil
}

func caseNames() string {
	var names []string
	for _, c := range manifestCases {
		names = append(names, c.Name)
	}
	return strings.Join(names, ", ")
}

func printManifestRun(env *environment, r manifestRun) {
	fmt.Fprintf(env.stdout, "%-16s %6d groups %7d persons %5d flights  %9.1f ms  objective %.0f  bound %.0f  gap %.3f%%  peak %.0f MiB  valid %v\n",
		r.Name, r.Groups, r.Persons, r.Flights, r.Ms, r.Objective, r.Bound, r.GapPct, r.PeakMiB, r.Valid)
	if ref := r.Reference; ref != nil {
		proven := "best found, not proven"
		if ref.Proven {
			proven = "proven optimal"
		}
		fmt.Fprintf(env.stdout, "  %s: objective %.0f (%s), bound %.0f, in %.1f s\n", ref.Solver, ref.Objective, proven, ref.Bound, ref.Seconds)
	}
}

// resetPeak and peakMiB measure the process's peak resident memory on Linux:
// writing 5 to clear_refs resets the high-water mark that VmHWM reports.
func resetPeak() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

func peakMiB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return float64(m.Sys) / (1 << 20)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

var (
	cbcObjective = regexp.MustCompile(`(?m)^Objective value:\s+(\S+)`)
	cbcBound     = regexp.MustCompile(`(?m)^(?:Lower|Upper) bound:\s+(\S+)`)
	glpObjective = regexp.MustCompile(`(?m)^Objective:\s+\S+ = (\S+)`)
)

// referenceSolve runs cbc, or else glpsol, on the instance's LP model.
func referenceSolve(ctx context.Context, in *manifest.Instance, limit time.Duration) (*refRun, error) {
	dir, err := os.MkdirTemp("", "airbridge-ref-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	model := filepath.Join(dir, "model.lp")
	f, err := os.Create(model)
	if err != nil {
		return nil, err
	}
	w := bufio.NewWriter(f)
	if err := manifest.WriteLP(w, in); err != nil {
		f.Close()
		return nil, err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return nil, err
	}
	f.Close()
	ctx, cancel := context.WithTimeout(ctx, limit+30*time.Second)
	defer cancel()
	secs := strconv.Itoa(int(limit.Seconds()))
	start := time.Now()
	if _, err := exec.LookPath("cbc"); err == nil {
		out, err := exec.CommandContext(ctx, "cbc", model, "sec", secs, "solve", "solution", filepath.Join(dir, "sol")).CombinedOutput()
		if err != nil {
			return nil, fmt.Errorf("cbc: %w", err)
		}
		r := &refRun{Solver: "cbc", Seconds: time.Since(start).Seconds(), Proven: strings.Contains(string(out), "Result - Optimal solution found")}
		if m := cbcObjective.FindSubmatch(out); m != nil {
			r.Objective, _ = strconv.ParseFloat(string(m[1]), 64)
		}
		if m := cbcBound.FindSubmatch(out); m != nil {
			b, _ := strconv.ParseFloat(string(m[1]), 64)
			r.Bound = math.Abs(b) // cbc minimizes the negated objective
		}
		if r.Proven {
			r.Bound = r.Objective
		}
		return r, nil
	}
	if _, err := exec.LookPath("glpsol"); err == nil {
		out := filepath.Join(dir, "glp.out")
		log, err := exec.CommandContext(ctx, "glpsol", "--lp", model, "--tmlim", secs, "-o", out).CombinedOutput()
		if err != nil {
			return nil, fmt.Errorf("glpsol: %w: %s", err, log)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			return nil, err
		}
		r := &refRun{Solver: "glpsol", Seconds: time.Since(start).Seconds(), Proven: strings.Contains(string(b), "INTEGER OPTIMAL")}
		if m := glpObjective.FindSubmatch(b); m != nil {
			r.Objective, _ = strconv.ParseFloat(string(m[1]), 64)
		}
		if r.Proven {
			r.Bound = r.Objective
		}
		return r, nil
	}
	return nil, nil
}
