package manifest

import (
	"encoding/json"
	"math"
	"testing"
	"time"
)

func TestGenerateDeterministic(t *testing.T) {
	encode := func(in *Instance) string {
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	a, b := encode(Generate(7, 200, 10, 5, true)), encode(Generate(7, 200, 10, 5, true))
	if a != b {
		t.Error("Generate gave two instances for the same arguments")
	}
	if c := encode(Generate(8, 200, 10, 5, true)); c == a {
		t.Error("Generate gave the same instance for seeds 7 and 8")
	}
}

// genStats are the figures of an instance that Generate documents.
type genStats struct {
	people, seats                         int
	perGroup, seatShare                   float64
	litterShare, policyShare, afghanShare float64
	restrictedShare                       float64
	priorities                            map[int]int
	operators                             map[string]bool
}

func statsOf(in *Instance) genStats {
	s := genStats{priorities: map[int]int{}, operators: map[string]bool{}}
	litters, afghans, restricted := 0, 0, 0
	for _, g := range in.Groups {
		s.people += g.Size
		s.priorities[g.Priority]++
		if g.Litters > 0 {
			litters++
		}
		if g.Nationality == "AFG" {
			afghans++
		}
		if len(g.Destinations) > 0 {
			restricted++
		}
	}
	policies := 0
	for _, f := range in.Flights {
		s.seats += f.Seats
		s.operators[f.Operator] = true
		if len(f.Accepts.Nationalities)+len(f.Accepts.Categories) > 0 {
			policies++
		}
	}
	n, m := float64(len(in.Groups)), float64(len(in.Flights))
	s.perGroup = float64(s.people) / n
	s.seatShare = float64(s.seats) / float64(s.people)
	s.litterShare, s.afghanShare, s.restrictedShare = float64(litters)/n, float64(afghans)/n, float64(restricted)/n
	s.policyShare = float64(policies) / m
	return s
}

func TestGeneratePeakDay(t *testing.T) {
	for _, scarce := range []bool{true, false} {
		in := Generate(1, 3000, 90, 10, scarce)
		if err := in.Validate(); err != nil {
			t.Fatalf("Generate(scarce=%v) is not valid: %v", scarce, err)
		}
		s := statsOf(in)
		wantShare := map[bool]float64{true: 0.6, false: 1.1}[scarce]
		for _, c := range []struct {
			name      string
			got, want float64
			tol       float64
		}{
			{"people", float64(s.people), 11000, 500},
			{"people a group", s.perGroup, 3.7, 0.15},
			{"seats a person", s.seatShare, wantShare, 0.02},
			{"groups with a litter", s.litterShare, 0.03, 0.01},
			{"Afghan groups", s.afghanShare, 0.85, 0.03},
			{"groups with destinations", s.restrictedShare, 0.10, 0.02},
			{"flights with a policy", s.policyShare, 0.30, 0.12},
		} {
			if math.Abs(c.got-c.want) > c.tol {
				t.Errorf("scarce=%v: %s = %.3f, want %.3f ± %.3f", scarce, c.name, c.got, c.want, c.tol)
			}
		}
		for p := 1; p <= 4; p++ {
			if s.priorities[p] == 0 {
				t.Errorf("scarce=%v: no group of priority %d", scarce, p)
			}
		}
		if len(s.operators) < 5 {
			t.Errorf("scarce=%v: %d operators, want most of the 10 nations", scarce, len(s.operators))
		}
		if len(in.Hubs) != 2 {
			t.Errorf("scarce=%v: %d hubs, want 2", scarce, len(in.Hubs))
		}
		for i := 1; i < len(in.Flights); i++ {
			if in.Flights[i].Departure.Before(in.Flights[i-1].Departure) {
				t.Fatalf("flights[%d] departs before flights[%d]", i, i-1)
			}
		}
		first, last := in.Flights[0].Departure, in.Flights[len(in.Flights)-1].Departure
		if last.Sub(first) < 20*time.Hour || last.Sub(first) > 24*time.Hour {
			t.Errorf("scarce=%v: flights depart from %v to %v, want over about 24 h", scarce, first, last)
		}
	}
}

func TestGenerateSmall(t *testing.T) {
	for seed := range int64(50) {
		for _, size := range [][2]int{{0, 0}, {1, 1}, {8, 3}, {20, 3}, {100, 3}} {
			in := Generate(seed, size[0], size[1], int(seed%20)-2, seed%2 == 0)
			if err := in.Validate(); err != nil {
				t.Fatalf("Generate(%d, %d, %d) is not valid: %v", seed, size[0], size[1], err)
			}
		}
	}
}

func TestGenerateNational(t *testing.T) {
	if testing.Short() {
		t.Skip("national size takes a second")
	}
	start := time.Now()
	in := Generate(1, 80000, 1000, 10, false)
	elapsed := time.Since(start)
	if elapsed > 2*time.Second {
		t.Errorf("Generate at national size took %v, want < 2 s", elapsed)
	}
	if err := in.Validate(); err != nil {
		t.Fatal(err)
	}
	s := statsOf(in)
	if s.people < 280000 || s.people > 320000 {
		t.Errorf("national size: %d people, want about 300,000", s.people)
	}
	t.Logf("national size: %d groups, %d people, %d flights, %d seats in %v", len(in.Groups), s.people, len(in.Flights), s.seats, elapsed)
}

func BenchmarkGenerateNational(b *testing.B) {
	for b.Loop() {
		Generate(1, 80000, 1000, 10, false)
	}
}
