package callforward

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Check verifies plan p of instance in by recomputing the model (see the
// package documentation) from in and p alone, and returns the first rule
// that p breaks, or nil. The rules, checked in this order:
//
//   - in is valid;
//   - each call, in order: its group is one of in.Groups, not in in.Called
//     and not called earlier in p, with the group's size; its gate exists and
//     the group may use it; its window is a slot of the horizon that overlaps
//     none of the gate's closures; it comes after the call before it by start,
//     then gate, then group;
//   - Uncalled lists, by id, exactly the groups neither in in.Called nor
//     called by p;
//   - the queue peaks are within their limits (gates in instance order, then
//     slots), then holding, then the call-ahead bound (slots in order);
//   - Queue, Processed, Holding and SeatsShort are those of the model.
//
// Check shares no code with Solve but Validate: it is the tests'
// independent judge.
func Check(in *Instance, p *Plan) error {
	if err := Validate(in); err != nil {
		return fmt.Errorf("instance: %w", err)
	}
	if p == nil {
		return errors.New("no plan")
	}
	n := int(in.Horizon / in.Slot)
	bounds := make([]time.Time, n+1) // slot t is [bounds[t], bounds[t+1])
	for t := range bounds {
		bounds[t] = in.Start.Add(time.Duration(t) * in.Slot)
	}
	// slotAt returns the slot that holds x, or -1.
	slotAt := func(x time.Time) int {
		if x.Before(bounds[0]) || !x.Before(bounds[n]) {
			return -1
		}
		return int(x.Sub(bounds[0]) / in.Slot)
	}
	slotName := func(t int) string {
		return fmt.Sprintf("slot %d (%s–%s)", t, bounds[t].Format(time.RFC3339), bounds[t+1].Format("15:04"))
	}

	gateAt := map[string]int{}
	for i, g := range in.Gates {
		gateAt[g.ID] = i
	}
	groupAt := map[string]int{}
	for i, g := range in.Groups {
		groupAt[g.ID] = i
	}
	before := map[string]bool{}
	for _, c := range in.Called {
		before[c.Group] = true
	}

	// The calls.
	oldArr, newArr := grid(len(in.Gates), n), grid(len(in.Gates), n)
	seen := map[string]bool{}
	for i, c := range p.Calls {
		at := fmt.Sprintf("calls[%d] (group %q)", i, c.Group)
		gi, ok := groupAt[c.Group]
		switch {
		case !ok:
			return fmt.Errorf("%s: no such group", at)
		case before[c.Group]:
			return fmt.Errorf("%s: the group was already called", at)
		case seen[c.Group]:
			return fmt.Errorf("%s: the group is called twice", at)
		case c.Size != in.Groups[gi].Size:
			return fmt.Errorf("%s: size %d, but the group has %d", at, c.Size, in.Groups[gi].Size)
		}
		seen[c.Group] = true
		g, ok := gateAt[c.Gate]
		if !ok {
			return fmt.Errorf("%s: no such gate %q", at, c.Gate)
		}
		if may := in.Groups[gi].Gates; len(may) > 0 && !slices.Contains(may, c.Gate) {
			return fmt.Errorf("%s: gate %q is not one of the group's gates %q", at, c.Gate, may)
		}
		t := slotAt(c.Start)
		if t < 0 || !c.Start.Equal(bounds[t]) || !c.End.Equal(bounds[t+1]) {
			return fmt.Errorf("%s: window %s–%s is not a slot of the horizon", at, c.Start.Format(time.RFC3339), c.End.Format(time.RFC3339))
		}
		for j, w := range in.Gates[g].Closures {
			if w.Start.Before(c.End) && c.Start.Before(w.End) {
				return fmt.Errorf("%s: gate %q is closed in %s (closures[%d])", at, c.Gate, slotName(t), j)
			}
		}
		if i > 0 {
			prev := p.Calls[i-1]
			if c.Start.Before(prev.Start) ||
				c.Start.Equal(prev.Start) && (c.Gate < prev.Gate || c.Gate == prev.Gate && c.Group < prev.Group) {
				return fmt.Errorf("%s: out of order: calls go by start, then gate, then group", at)
			}
		}
		newArr[g][t] += c.Size
	}

	var left []string
	for _, g := range in.Groups {
		if !before[g.ID] && !seen[g.ID] {
			left = append(left, g.ID)
		}
	}
	slices.Sort(left)
	if i, got, want, ok := differ(p.Uncalled, left); ok {
		return fmt.Errorf("uncalled[%d]: %s, want %s", i, got, want)
	}

	// The old calls.
	end := bounds[n]
	for _, c := range in.Called {
		if !c.End.After(in.Start) || !c.Start.Before(end) {
			continue // history, or beyond the horizon
		}
		oldArr[gateAt[c.Gate]][max(0, slotAt(c.Start))] += c.Size // before Start: slot 0
	}
	allArr := grid(len(in.Gates), n)
	for g := range allArr {
		for t := range n {
			allArr[g][t] = oldArr[g][t] + newArr[g][t]
		}
	}

	capacity := grid(len(in.Gates), n)
	for g, gate := range in.Gates {
		hourly := float64(gate.Lanes) * gate.PerLaneHour
		for t := range n {
			open := true
			for _, w := range gate.Closures {
				if w.Start.Before(bounds[t+1]) && bounds[t].Before(w.End) {
					open = false
				}
			}
			if open {
				capacity[g][t] = int(hourly * float64(in.Slot) / float64(time.Hour))
			}
		}
	}
	seats := make([]int, n)
	due := make([]int, n)
	for _, d := range in.Departures {
		if d.Time.Before(in.Start) || !d.Time.Before(end) {
			continue
		}
		seats[slotAt(d.Time)] += d.Seats
		// The deadline slot k is the last with bounds[k+1] ≤ d − Lead.
		if x := d.Time.Add(-in.Lead); !x.Before(bounds[1]) {
			due[min(n-1, int(x.Sub(bounds[0])/in.Slot)-1)] += d.Seats
		}
	}

	base, plan := model(oldArr, capacity, seats), model(allArr, capacity, seats)
	for g, gate := range in.Gates {
		for t := range n {
			if limit := max(in.QueueTarget, base.peak[g][t]); plan.peak[g][t] > limit {
				return fmt.Errorf("gate %q, %s: queue peak %d above %d", gate.ID, slotName(t), plan.peak[g][t], limit)
			}
		}
	}
	if in.Holding > 0 {
		for t := range n {
			if limit := max(in.Holding, base.holding[t]); plan.holding[t] > limit {
				return fmt.Errorf("%s: holding %d above %d", slotName(t), plan.holding[t], limit)
			}
		}
	}

	// need(k) by its definition; the call-ahead bound from it.
	thr := make([]int, n)
	for t := range n {
		for g := range capacity {
			thr[t] += min(capacity[g][t], in.QueueTarget)
		}
	}
	D := prefix(due)
	need := make([]int, n)
	for k := range n {
		need[k] = D[k]
		through := 0
		for u := k + 1; u < n; u++ {
			through += thr[u]
			need[k] = max(need[k], D[u]-through)
		}
	}
	baseA, planA := prefix(sumGates(oldArr)), prefix(sumGates(allArr))
	for t := range n {
		bound := need[min(t+1, n-1)]
		if limit := max(bound, baseA[t]); planA[t] > limit {
			return fmt.Errorf("%s: %d persons called by the end of the slot, above %d (the call-ahead bound)", slotName(t), planA[t], limit)
		}
	}

	// The figures reported.
	if len(p.Queue) != len(in.Gates) {
		return fmt.Errorf("queue: %d gates, want %d", len(p.Queue), len(in.Gates))
	}
	for g, gate := range in.Gates {
		got, ok := p.Queue[gate.ID]
		if !ok {
			return fmt.Errorf("queue: no gate %q", gate.ID)
		}
		if i, got, want, ok := differ(got, plan.peak[g]); ok {
			return fmt.Errorf("queue[%q][%d]: %s, want %s", gate.ID, i, got, want)
		}
	}
	if i, got, want, ok := differ(p.Processed, plan.processed); ok {
		return fmt.Errorf("processed[%d]: %s, want %s", i, got, want)
	}
	if i, got, want, ok := differ(p.Holding, plan.holding); ok {
		return fmt.Errorf("holding[%d]: %s, want %s", i, got, want)
	}
	short, P := 0, prefix(plan.processed)
	for k := range n {
		short = max(short, D[k]-P[k])
	}
	if p.SeatsShort != short {
		return fmt.Errorf("seats short: %d, want %d", p.SeatsShort, short)
	}
	return nil
}

// differ reports the first index where got and want differ, with both
// elements there ("none" past an end).
func differ[E comparable](got, want []E) (i int, g, w string, ok bool) {
	show := func(xs []E) string {
		if i < len(xs) {
			return fmt.Sprintf("%#v", xs[i])
		}
		return "none"
	}
	for i = 0; i < max(len(got), len(want)); i++ {
		if i >= len(got) || i >= len(want) || got[i] != want[i] {
			return i, show(got), show(want), true
		}
	}
	return 0, "", "", false
}

// checked is the model's state for given arrivals.
type checked struct {
	peak      [][]int // [gate][slot]
	processed []int   // over all gates
	holding   []int
}

// model runs rules 3 and 4 of the model.
func model(arrivals, capacity [][]int, seats []int) checked {
	n := len(seats)
	m := checked{peak: grid(len(arrivals), n), processed: make([]int, n), holding: make([]int, n)}
	carry := make([]int, len(arrivals))
	waiting := 0
	for t := range n {
		for g := range arrivals {
			m.peak[g][t] = carry[g] + arrivals[g][t]
			through := min(m.peak[g][t], capacity[g][t])
			carry[g] = m.peak[g][t] - through
			m.processed[t] += through
		}
		waiting += m.processed[t]
		waiting -= min(waiting, seats[t])
		m.holding[t] = waiting
	}
	return m
}

func grid(rows, cols int) [][]int {
	m := make([][]int, rows)
	for i := range m {
		m[i] = make([]int, cols)
	}
	return m
}

func sumGates(m [][]int) []int {
	var sum []int
	for g := range m {
		if sum == nil {
			sum = make([]int, len(m[g]))
		}
		for t, v := range m[g] {
			sum[t] += v
		}
	}
	return sum
}

// prefix returns the running sums of xs.
func prefix(xs []int) []int {
	out := make([]int, len(xs))
	sum := 0
	for i, x := range xs {
		sum += x
		out[i] = sum
	}
	return out
}
