package sim

import "testing"

// BenchmarkKabul runs the built-in 17-day Kabul scenario under the
// historical policy: some 125,000 persons and 460,000 steps by the domain's
// rules.
func BenchmarkKabul(b *testing.B) { benchRun(b, "kabul-2021") }

// BenchmarkPipeline runs the 17-day reference pipeline, the scenario that
// airbridge bench sim also runs in the SimPy model.
func BenchmarkPipeline(b *testing.B) { benchRun(b, "pipeline") }

// benchRun runs the built-in scenario name under the historical policy.
func benchRun(b *testing.B, name string) {
	sc, err := Builtin(name)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Run(sc, Options{Policy: Historical, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
