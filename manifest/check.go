package manifest

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
)

// Check verifies solution s of the valid instance in and returns the first
// rule it breaks, or nil. The rules, checked in this order:
//
//   - every assigned group and flight exists, and the pair is Compatible
//     (assignments in the order of group ids);
//   - no flight carries more people than its seats (people on litters take a
//     seat too), nor more litters than its litter positions (flights in
//     instance order);
//   - no hub takes more people a UTC day than its capacity (hub-days in order);
//   - every fixed group is on its fixed flight (in the order of group ids);
//   - s.Objective is Σ weight × size over the assigned groups, within 1e-6
//     relative;
//   - s.Bound is not below s.Objective (with the same tolerance).
//
// Check is the tests' independent judge of the solver: it shares no code
// with it but Compatible and HubDay.
func Check(in *Instance, s *Solution) error {
	if s == nil {
		return errors.New("no solution")
	}
	groups := make(map[string]int, len(in.Groups))
	for i, g := range in.Groups {
		groups[g.ID] = i
	}
	flights := make(map[string]int, len(in.Flights))
	for i, f := range in.Flights {
		flights[f.ID] = i
	}
	hubs := make(map[string]int, len(in.Hubs))
	for _, h := range in.Hubs {
		hubs[h.ID] = h.Capacity
	}

	seats := make([]int, len(in.Flights))
	litters := make([]int, len(in.Flights))
	hubDays := map[string]int{} // hub-day → people
	objective := 0.0
	for _, gid := range slices.Sorted(maps.Keys(s.Assignment)) {
		fid := s.Assignment[gid]
		gi, ok := groups[gid]
		if !ok {
			return fmt.Errorf("assignment[%q]: no such group", gid)
		}
		fi, ok := flights[fid]
		if !ok {
			return fmt.Errorf("assignment[%q]: no such flight %q", gid, fid)
		}
		g, f := in.Groups[gi], in.Flights[fi]
		if !Compatible(g, f) {
			return fmt.Errorf("assignment[%q]: the group cannot board flight %q: %s", gid, fid, incompatibility(g, f))
		}
		seats[fi] += g.Size
		litters[fi] += g.Litters
		if _, ok := hubs[f.Destination]; ok {
			hubDays[HubDay(f)] += g.Size
		}
		objective += in.Weights[strconv.Itoa(g.Priority)] * float64(g.Size)
	}
	for fi, f := range in.Flights {
		if seats[fi] > f.Seats {
			return fmt.Errorf("flight %q: seats exceeded: %d people on %d seats", f.ID, seats[fi], f.Seats)
		}
		if litters[fi] > f.Litters {
			return fmt.Errorf("flight %q: litters exceeded: %d litters on %d positions", f.ID, litters[fi], f.Litters)
		}
	}
	for _, hd := range slices.Sorted(maps.Keys(hubDays)) {
		hub, day := cutHubDay(hd)
		if hubDays[hd] > hubs[hub] {
			return fmt.Errorf("hub %q on %s: capacity exceeded: %d people, capacity %d", hub, day, hubDays[hd], hubs[hub])
		}
	}
	for _, gid := range slices.Sorted(maps.Keys(in.Fixed)) {
		if got, want := s.Assignment[gid], in.Fixed[gid]; got != want {
			return fmt.Errorf("fixed group %q: on flight %q, not on its fixed flight %q", gid, got, want)
		}
	}

	// The solver may sum in another order; the tolerance absorbs rounding.
	tol := 1e-6 * math.Max(1, math.Abs(objective))
	if !(math.Abs(s.Objective-objective) <= tol) { // NaN fails too
		return fmt.Errorf("objective %v, but the assignment's is %v", s.Objective, objective)
	}
	if !(s.Bound >= s.Objective-tol) {
		return fmt.Errorf("bound %v is below the objective %v", s.Bound, s.Objective)
	}
	return nil
}
