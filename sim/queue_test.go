package sim

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestQueueOrder: the queue gives events in the order of their times, and
// of their scheduling at one time, however pushes and pops interleave, as
// long as nothing is scheduled before the last event given. Times on a
// half-minute grid make many ties; long gaps and far events move through
// every bucket.
func TestQueueOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var q eventQueue
	var pending []event // sorted, first first
	order := func(a, b event) int {
		if a.t != b.t {
			return cmp.Compare(a.t, b.t)
		}
		return cmp.Compare(a.b, b.b) // the order they were scheduled
	}
	var seq uint64
	now := 0.0
	for range 300_000 {
		if q.len() == 0 || rng.IntN(2) == 0 {
			seq++
			gap := math.Floor(rng.ExpFloat64()*4) / 2
			if rng.IntN(100) == 0 {
				gap = rng.Float64() * 1e6
			}
			ev := event{t: now + gap, b: int32(seq)}
			q.push(ev)
			i, _ := slices.BinarySearchFunc(pending, ev, order)
			pending = slices.Insert(pending, i, ev)
			continue
		}
		want := pending[0]
		pending = pending[1:]
		got := q.pop()
		if got != want {
			t.Fatalf("popped %+v, want %+v", got, want)
		}
		now = got.t
	}
	if q.len() != len(pending) {
		t.Errorf("%d events left, want %d", q.len(), len(pending))
	}
}

// BenchmarkQueue pops and pushes with some 15 events pending, as a run of
// the reference pipeline does.
func BenchmarkQueue(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	var q eventQueue
	for range 15 {
		q.push(event{t: rng.ExpFloat64()})
	}
	for b.Loop() {
		ev := q.pop()
		q.push(event{t: ev.t + rng.ExpFloat64()*15})
	}
}

// TestNth: the quickselect that gives the percentiles picks what a sort
// would, through duplicates and short lists.
func TestNth(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 20_000 {
		xs := make([]float64, 1+rng.IntN(40))
		for i := range xs {
			xs[i] = float64(rng.IntN(8))
		}
		sorted := slices.Sorted(slices.Values(xs))
		k := rng.IntN(len(xs))
		if got := nth(xs, k); got != sorted[k] {
			t.Fatalf("nth(%v, %d) = %g, want %g", xs, k, got, sorted[k])
		}
		for i, x := range xs {
			if (i < k && x > xs[k]) || (i > k && x < xs[k]) {
				t.Fatalf("nth left %v unpartitioned at %d", xs, k)
			}
		}
	}
}
