package sim

import (
	"math/rand/v2"
	"testing"
)

func BenchmarkHeap(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	var q eventQueue
	var seq uint64
	now := 0.0
	for range 15 {
		seq++
		q.push(event{t: now + rng.ExpFloat64(), seq: seq})
	}
	for b.Loop() {
		ev := q.pop()
		now = ev.t
		seq++
		q.push(event{t: now + rng.ExpFloat64()*15, seq: seq})
	}
}
