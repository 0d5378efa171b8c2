package sim

import "testing"

// BenchmarkKabul runs the built-in 17-day Kabul scenario under the
// historical policy: some 125,000 persons and 460,000 domain commands.
func BenchmarkKabul(b *testing.B) {
	sc, err := Builtin("kabul-2021")
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

// BenchmarkPipeline runs the 17-day reference pipeline, the scenario that
// airbridge bench sim also runs in the SimPy model.
func BenchmarkPipeline(b *testing.B) {
	sc, err := Builtin("pipeline")
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
