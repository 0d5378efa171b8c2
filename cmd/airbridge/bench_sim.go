package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"time"

	"airbridge/sim"
)

// simBench is what bench sim measures.
type simBench struct {
	KabulSeconds      float64 `json:"kabul_seconds"`       // kabul-2021, historical, median
	KabulCoordSeconds float64 `json:"kabul_coord_seconds"` // kabul-2021, coordinated, one run
	PipelineSeconds   float64 `json:"pipeline_seconds"`    // the reference pipeline here, median
	SimPySeconds      float64 `json:"simpy_seconds"`       // the same in SimPy, median (0: not run)
	Ratio             float64 `json:"ratio"`               // SimPy's time over ours, the median of the rounds'
	Evacuated         int     `json:"evacuated"`           // pipeline, here
	SimPyEvacuated    int     `json:"simpy_evacuated"`
}

// benchSim times the simulator on the built-in scenarios, and the SimPy
// reference model on the same pipeline, in one run.
func (env *environment) benchSim(args []string) error {
	fs := env.flags("bench sim", "bench sim [--runs 3] [--reference sim/testdata/reference.py] [--python /usr/bin/python3] [--json]")
	runs := fs.Int("runs", 3, "runs of kabul-2021, and rounds of the pipeline (three runs here, one in SimPy), 1..20; medians are reported")
	reference := fs.String("reference", filepath.Join("sim", "testdata", "reference.py"), "the SimPy model; empty: do not run it")
	python := fs.String("python", "/usr/bin/python3", "the Python with SimPy (Debian's python3-simpy3)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := env.parse(fs, args); err != nil {
		return err
	}
	if *runs < 1 || *runs > 20 {
		return fmt.Errorf("--runs %d: give 1..20", *runs)
	}
	kabul, err := sim.Builtin("kabul-2021")
	if err != nil {
		return err
	}
	pipeline, err := sim.Builtin("pipeline")
	if err != nil {
		return err
	}
	// The target is for one core: the runs, and the collector with them,
	// get one (SimPy has one anyway).
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var res simBench
	timeRun := func(sc *sim.Scenario, policy string) (float64, *sim.Result, error) {
		start := time.Now()
		r, err := sim.Run(sc, sim.Options{Policy: policy, Seed: 1})
		return time.Since(start).Seconds(), r, err
	}
	// Kabul's runs follow each other, as a sweep's do. The pipeline is
	// timed in rounds: three runs here, whose median is the round's time,
	// then one in SimPy; each round gives a ratio. A machine that others
	// share slows down and speeds up over seconds, and a ratio of times
	// taken seconds apart would measure that.
	var kabulTimes, pipeTimes, pyTimes []float64
	for range *runs {
		s, _, err := timeRun(kabul, sim.Historical)
		if err != nil {
			return err
		}
		kabulTimes = append(kabulTimes, s)
	}
	for range *runs {
		var round []float64
		for range 3 {
			s, r, err := timeRun(pipeline, sim.Historical)
			if err != nil {
				return err
			}
			round, res.Evacuated = append(round, s), r.Evacuated
		}
		pipeTimes = append(pipeTimes, median(round))
		if *reference == "" {
			continue
		}
		s, evacuated, err := runSimPy(*python, *reference, pipeline)
		if err != nil {
			return err
		}
		pyTimes, res.SimPyEvacuated = append(pyTimes, s), evacuated
	}
	if res.KabulCoordSeconds, _, err = timeRun(kabul, sim.Coordinated); err != nil {
		return err
	}
	res.KabulSeconds, res.PipelineSeconds = median(kabulTimes), median(pipeTimes)
	if len(pyTimes) > 0 {
		res.SimPySeconds, res.Ratio = median(pyTimes), medianRatio(pipeTimes, pyTimes)
	}
	if *asJSON {
		return json.NewEncoder(env.stdout).Encode(res)
	}
	fmt.Fprintf(env.stdout, "on one core: kabul-2021, 17 days, historical: %.1f ms (median of %d); coordinated: %.1f ms (one run)\n", 1000*res.KabulSeconds, *runs, 1000*res.KabulCoordSeconds)
	fmt.Fprintf(env.stdout, "reference pipeline, 17 days: %.1f ms here (%d evacuated)", 1000*res.PipelineSeconds, res.Evacuated)
	if res.SimPySeconds > 0 {
		fmt.Fprintf(env.stdout, ", %.0f ms in SimPy (%d evacuated); %.1f× as fast (medians of %d rounds)", 1000*res.SimPySeconds, res.SimPyEvacuated, res.Ratio, *runs)
	}
	fmt.Fprintln(env.stdout)
	return nil
}

// runSimPy runs the reference model on sc and returns the seconds its
// simulation took (as it measures them, without Python's start) and the
// persons it evacuated.
func runSimPy(python, reference string, sc *sim.Scenario) (float64, int, error) {
	dir, err := os.MkdirTemp("", "airbridge-bench-sim-")
	if err != nil {
		return 0, 0, err
	}
	defer os.RemoveAll(dir)
	// The reference reads the pipeline subset of the format.
	doc := map[string]any{"name": sc.Name, "days": sc.Days, "nations": sc.Nations, "arrivals": sc.Arrivals,
		"gates": sc.Gates, "holding": sc.Holding, "flights": pipelineFlights(sc)}
	b, err := json.Marshal(doc)
	if err != nil {
		return 0, 0, err
	}
	path := filepath.Join(dir, "pipeline.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return 0, 0, err
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(python, reference, path, "--seed", strconv.Itoa(1))
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return 0, 0, fmt.Errorf("%s %s: %v\n%s(give --reference \"\" to leave SimPy out)", python, reference, err, stderr.Bytes())
	}
	var out struct {
		Seconds   float64 `json:"seconds"`
		Evacuated int     `json:"evacuated"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		return 0, 0, fmt.Errorf("the reference model printed %q: %v", stdout.Bytes(), err)
	}
	return out.Seconds, out.Evacuated, nil
}

func pipelineFlights(sc *sim.Scenario) []map[string]any {
	var fs []map[string]any
	for _, f := range sc.Flights {
		fs = append(fs, map[string]any{"nation": f.Nation, "aircraft": f.Aircraft, "seats": f.Seats, "per_day": f.PerDay})
	}
	return fs
}

// medianRatio is the median over rounds of theirs[i] / ours[i].
func medianRatio(ours, theirs []float64) float64 {
	ratios := make([]float64, len(ours))
	for i := range ours {
		ratios[i] = theirs[i] / ours[i]
	}
	return median(ratios)
}

// median is the middle of xs (the upper one of an even count); xs is not
// changed.
func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	return s[len(s)/2]
}
