package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

func (env *environment) bench(args []string) error {
	if len(args) == 0 {
		fmt.Fprint(env.stderr, benchUsage)
		return exitError(2)
	}
	switch args[0] {
	case "--help", "-help", "-h", "help":
		fmt.Fprint(env.stdout, benchUsage)
		return nil
	case "ingest":
		return env.benchIngest(args[1:])
	case "demo":
		return env.benchDemo(args[1:])
	case "manifest":
		return env.benchManifest(args[1:])
	case "import":
		return env.benchImport(args[1:])
	case "sim":
		return env.benchSim(args[1:])
	}
	fmt.Fprintf(env.stderr, "airbridge bench: unknown benchmark %q\n\n%s", args[0], benchUsage)
	return exitError(2)
}

const benchUsage = `Usage: airbridge bench <benchmark> [flags]

Benchmarks:
  ingest   scan and registration throughput over loopback HTTP, against raw SQLite
  demo     time for "airbridge demo" to be ready to answer
  manifest the manifest optimizer on generated instances: time, objective, bound, gap
  import   importing a generated 100,000-row embassy list, and importing it again
  sim      the simulator on kabul-2021, and on the reference pipeline against its SimPy model

Every benchmark takes --json to print one JSON object.
`

// cpuProfile starts a CPU profile written to path, if not empty, and
// returns what stops it.
func cpuProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
