package manifest

import (
	"math"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	// In sample, G1 (4 people, weight 8) → F1 and G3 (2, weight 4) → F2 is
	// feasible with objective 40; G2 (3 people, a litter) fits F1 only alone.
	valid := func() *Solution {
		return &Solution{Objective: 40, Bound: 44, Assignment: map[string]string{"G1": "F1", "G3": "F2"}}
	}
	for _, tc := range []struct {
		name   string
		change func(in *Instance, s *Solution)
		want   string // "" for a valid solution
	}{
		{"valid", func(in *Instance, s *Solution) {}, ""},
		{"valid with bound equal", func(in *Instance, s *Solution) { s.Bound = 40 }, ""},
		{"valid within tolerance", func(in *Instance, s *Solution) { s.Objective, s.Bound = 40.00001, 40 }, ""},
		{"valid empty", func(in *Instance, s *Solution) { *s = Solution{} }, ""},
		{"valid fixed", func(in *Instance, s *Solution) { in.Fixed = map[string]string{"G3": "F2"} }, ""},
		{"valid with litter", func(in *Instance, s *Solution) {
			*s = Solution{Objective: 20, Bound: 20, Assignment: map[string]string{"G2": "F1", "G3": "F2"}}
		}, ""},
		{"no solution", func(in *Instance, s *Solution) {}, "no solution"},
		{"unknown group", func(in *Instance, s *Solution) { s.Assignment["G9"] = "F1" }, `assignment["G9"]: no such group`},
		{"unknown flight", func(in *Instance, s *Solution) { s.Assignment["G3"] = "F9" }, `assignment["G3"]: no such flight "F9"`},
		{"incompatible", func(in *Instance, s *Solution) { s.Assignment["G3"] = "F1" },
			`assignment["G3"]: the group cannot board flight "F1": the group is ready after the departure`},
		{"seats exceeded", func(in *Instance, s *Solution) {
			in.Hubs[0].Capacity = 100
			s.Assignment["G2"] = "F1"
			s.Objective, s.Bound = 52, 52
		}, `flight "F1": seats exceeded: 7 people on 6 seats`},
		{"litters exceeded", func(in *Instance, s *Solution) {
			in.Flights[0].Litters = 0
			*s = Solution{Objective: 20, Bound: 20, Assignment: map[string]string{"G2": "F1", "G3": "F2"}}
		}, `flight "F1": litters exceeded: 1 litters on 0 positions`},
		{"hub exceeded", func(in *Instance, s *Solution) { in.Hubs[0].Capacity = 3 },
			`hub "Ramstein" on 2021-08-24: capacity exceeded: 4 people, capacity 3`},
		{"fixed group left out", func(in *Instance, s *Solution) {
			in.Fixed = map[string]string{"G2": "F1"}
		}, `fixed group "G2": on flight "", not on its fixed flight "F1"`},
		{"objective too high", func(in *Instance, s *Solution) { s.Objective = 41 }, "objective 41, but the assignment's is 40"},
		{"objective too low", func(in *Instance, s *Solution) { s.Objective = 39 }, "objective 39, but the assignment's is 40"},
		{"objective NaN", func(in *Instance, s *Solution) { s.Objective = math.NaN() }, "objective NaN, but the assignment's is 40"},
		{"bound below", func(in *Instance, s *Solution) { s.Bound = 39.9 }, "bound 39.9 is below the objective 40"},
		{"bound NaN", func(in *Instance, s *Solution) { s.Bound = math.NaN() }, "bound NaN is below the objective 40"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, s := sample(), valid()
			tc.change(in, s)
			if err := in.Validate(); err != nil {
				t.Fatalf("the instance is not valid: %v", err)
			}
			if tc.name == "no solution" {
				s = nil
			}
			err := Check(in, s)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Check = %v, want nil", err)
			case tc.want != "" && (err == nil || err.Error() != tc.want):
				t.Errorf("Check = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestCheckFirstViolation pins the order: assignments by group id first.
func TestCheckFirstViolation(t *testing.T) {
	in := sample()
	s := &Solution{Objective: 1, Assignment: map[string]string{"G3": "F9", "G1": "F2", "G2": "F1"}}
	err := Check(in, s)
	if want := `assignment["G1"]: the group cannot board flight "F2"`; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Check = %v, want %q…", err, want)
	}
}
