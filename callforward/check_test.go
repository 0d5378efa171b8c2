package callforward

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// TestCheckCatches: Check accepts the day's plan and rejects it tampered.
func TestCheckCatches(t *testing.T) {
	// firstAt returns the index of the first call at gate.
	firstAt := func(p *Plan, gate string) int {
		return slices.IndexFunc(p.Calls, func(c Call) bool { return c.Gate == gate })
	}
	for _, tc := range []struct {
		name   string
		change func(in *Instance, p *Plan)
		want   string // a part of the error; "" for none
	}{
		{"valid", func(in *Instance, p *Plan) {}, ""},
		{"invalid instance", func(in *Instance, p *Plan) { in.QueueTarget = 0 }, "instance: queue_target: 0"},
		{"no plan", func(in *Instance, p *Plan) {}, "no plan"},
		{"call moved into a closure", func(in *Instance, p *Plan) {
			c := &p.Calls[firstAt(p, "B")]
			c.Start, c.End = at(13, 30), at(14, 0)
		}, `gate "B" is closed in slot 15 (2021-08-24T13:30:00Z–14:00)`},
		{"queue over target", func(in *Instance, p *Plan) {
			in.QueueTarget = slices.Max(p.Queue["A"]) - 1
		}, "queue peak"},
		{"extra call over target", func(in *Instance, p *Plan) {
			// A group of 100 added to the first slot, where A has 54.
			in.Groups = append(in.Groups, Group{ID: "big", Size: 100})
			p.Calls = inOrder(append(p.Calls, Call{Group: "big", Size: 100, Gate: "A", Start: at(6, 0), End: at(6, 30)}))
		}, `gate "A", slot 0 (2021-08-24T06:00:00Z–06:30): queue peak 154 above 150`},
		{"holding over its limit", func(in *Instance, p *Plan) { in.Holding = slices.Max(p.Holding) - 1 }, "): holding 516 above 515"},
		{"called ahead of the seats", func(in *Instance, p *Plan) {
			id := p.Uncalled[0]
			p.Uncalled = p.Uncalled[1:]
			size := in.Groups[slices.IndexFunc(in.Groups, func(g Group) bool { return g.ID == id })].Size
			p.Calls = inOrder(append(p.Calls, Call{Group: id, Size: size, Gate: "A", Start: at(6, 0), End: at(6, 30)}))
		}, "above 102 (the call-ahead bound)"},
		{"group called twice", func(in *Instance, p *Plan) {
			p.Calls = slices.Insert(p.Calls, 1, p.Calls[0])
		}, "the group is called twice"},
		{"kept call called again", func(in *Instance, p *Plan) {
			c := p.Calls[0]
			in.Called = append(in.Called, Call{Group: c.Group, Size: c.Size, Gate: c.Gate, Start: at(1, 0), End: at(1, 30)})
		}, "the group was already called"},
		{"no such group", func(in *Instance, p *Plan) { p.Calls[0].Group = "nobody" }, "no such group"},
		{"wrong size", func(in *Instance, p *Plan) { p.Calls[0].Size++ }, "but the group has"},
		{"no such gate", func(in *Instance, p *Plan) { p.Calls[0].Gate = "Z" }, `no such gate "Z"`},
		{"gate not the group's", func(in *Instance, p *Plan) {
			c := p.Calls[firstAt(p, "A")]
			i := slices.IndexFunc(in.Groups, func(g Group) bool { return g.ID == c.Group })
			in.Groups[i].Gates = []string{"B"}
		}, `gate "A" is not one of the group's gates ["B"]`},
		{"not a slot", func(in *Instance, p *Plan) {
			p.Calls[0].Start = p.Calls[0].Start.Add(10 * time.Minute)
			p.Calls[0].End = p.Calls[0].End.Add(10 * time.Minute)
		}, "is not a slot of the horizon"},
		{"beyond the horizon", func(in *Instance, p *Plan) {
			c := &p.Calls[len(p.Calls)-1]
			c.Start, c.End = at(30, 0), at(30, 30)
		}, "is not a slot of the horizon"},
		{"out of order", func(in *Instance, p *Plan) { p.Calls[0], p.Calls[1] = p.Calls[1], p.Calls[0] }, "out of order"},
		{"uncalled left out", func(in *Instance, p *Plan) { p.Uncalled = p.Uncalled[1:] }, `uncalled[0]: "G237", want "G234"`},
		{"uncalled too many", func(in *Instance, p *Plan) { p.Uncalled = append(p.Uncalled, "G999") }, `uncalled[187]: "G999", want none`},
		{"queue figure", func(in *Instance, p *Plan) { p.Queue["B"][3]++ }, `queue["B"][3]: 49, want 48`},
		{"queue of a gate missing", func(in *Instance, p *Plan) { delete(p.Queue, "B") }, "queue: 1 gates, want 2"},
		{"processed figure", func(in *Instance, p *Plan) { p.Processed[0]-- }, "processed[0]: 100, want 101"},
		{"holding figure", func(in *Instance, p *Plan) { p.Holding = p.Holding[1:] }, "holding[0]: 201, want 101"},
		{"seats short figure", func(in *Instance, p *Plan) { p.SeatsShort = 1 }, "seats short: 1, want 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := day()
			p, err := Solve(in)
			if err != nil {
				t.Fatal(err)
			}
			tc.change(in, p)
			if tc.name == "no plan" {
				p = nil
			}
			err = Check(in, p)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Check = %v, want nil", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Check = %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// inOrder sorts calls as a plan lists them.
func inOrder(calls []Call) []Call {
	slices.SortFunc(calls, func(a, b Call) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return strings.Compare(a.Gate+"\x00"+a.Group, b.Gate+"\x00"+b.Group)
	})
	return calls
}

// TestCheckKeptOverload: calls kept that overload a gate or holding break no
// rule, but new calls may not add to the overload.
func TestCheckKeptOverload(t *testing.T) {
	in := &Instance{
		Start: at(6, 0), Slot: time.Hour, Horizon: 3 * time.Hour, QueueTarget: 10, Holding: 5, Lead: 0,
		Gates:      []Gate{{ID: "A", Lanes: 1, PerLaneHour: 20}},
		Departures: []Departure{{Time: at(8, 0), Seats: 40}},
		Groups:     []Group{{ID: "g", Size: 2}},
		Called:     []Call{{Group: "k", Size: 30, Gate: "A", Start: at(6, 0), End: at(7, 0)}},
	}
	// Kept: 30 at 06:00 — peaks 30, 10; processed 20, 10; holding 20, 30,
	// 0. Slot 0 is over the target and slot 1 at it, so g comes at 08:00.
	p := solve(t, in)
	if want := []int{30, 10, 2}; !slices.Equal(p.Queue["A"], want) {
		t.Errorf("queue %v, want %v", p.Queue["A"], want)
	}
	if want := []int{20, 30, 0}; !slices.Equal(p.Holding, want) {
		t.Errorf("holding %v, want %v", p.Holding, want)
	}
	if want := []Call{{Group: "g", Size: 2, Gate: "A", Start: at(8, 0), End: at(9, 0)}}; !slices.Equal(p.Calls, want) {
		t.Errorf("calls %+v, want %+v", p.Calls, want)
	}
	p.Calls = []Call{{Group: "g", Size: 2, Gate: "A", Start: at(6, 0), End: at(7, 0)}}
	if err := Check(in, p); err == nil || !strings.Contains(err.Error(), "queue peak 32 above 30") {
		t.Errorf("Check = %v, want the queue over the kept calls' peak", err)
	}
}
