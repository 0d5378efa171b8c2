package callforward

import (
	"fmt"
	"math"
	"testing"
	"time"
)

// at is a time on 24 Aug 2021, Kabul's peak day, in UTC.
func at(hour, minute int) time.Time {
	return time.Date(2021, 8, 24, hour, minute, 0, 0, time.UTC)
}

// day is a 24-hour plan from 06:00 in 30-minute slots: gates A and B each put
// 60 persons a slot through, B is closed 11:00–14:00, and a C-17 with 102
// seats leaves every 45 minutes from 09:00 to 04:30 — 136 seats an hour, more
// than A alone can process, so the closure must be worked ahead of. There are
// more groups (families of 1 to 8, 3,600 persons) than seats.
func day() *Instance {
	in := &Instance{
		Start:       at(6, 0),
		Slot:        30 * time.Minute,
		Horizon:     24 * time.Hour,
		QueueTarget: 150,
		Lead:        2 * time.Hour,
		Gates: []Gate{
			{ID: "A", Lanes: 2, PerLaneHour: 60},
			{ID: "B", Lanes: 2, PerLaneHour: 60, Closures: []Window{{at(11, 0), at(14, 0)}}},
		},
	}
	for d := at(9, 0); !d.After(at(28, 30)); d = d.Add(45 * time.Minute) {
		in.Departures = append(in.Departures, Departure{Time: d, Seats: 102})
	}
	for i := range 800 {
		in.Groups = append(in.Groups, Group{
			ID:         fmt.Sprintf("G%03d", i),
			Size:       1 + i*7%8,
			Weight:     float64(1 + i%3),
			Registered: at(0, 0).Add(time.Duration(i) * time.Minute),
		})
	}
	return in
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		change func(in *Instance)
		want   string // "" for valid
	}{
		{func(in *Instance) {}, ""},
		{func(in *Instance) { in.Holding = 500; in.Lead = 0 }, ""},
		{func(in *Instance) { in.Gates[0].Lanes, in.Gates[0].PerLaneHour = 0, 0 }, ""},
		{func(in *Instance) {
			in.Called = []Call{{Group: "G001", Size: 4, Gate: "B", Start: at(5, 0), End: at(5, 30)}}
		}, ""},
		{func(in *Instance) { in.Start = time.Time{} }, "start: must be given"},
		{func(in *Instance) { in.Slot = time.Minute }, "slot: 1m0s, want 5m0s..4h0m0s"},
		{func(in *Instance) { in.Slot = 5 * time.Hour }, "slot: 5h0m0s, want 5m0s..4h0m0s"},
		{func(in *Instance) { in.Horizon = 0 }, "horizon: 0s, want 30m0s (the slot)..168h0m0s"},
		{func(in *Instance) { in.Horizon = 8 * 24 * time.Hour }, "horizon: 192h0m0s, want 30m0s (the slot)..168h0m0s"},
		{func(in *Instance) { in.Horizon = 100 * time.Minute }, "horizon: 1h40m0s is not a whole number of 30m0s slots"},
		{func(in *Instance) { in.Slot, in.Horizon = 5*time.Minute, 7*24*time.Hour }, "horizon: 2016 slots, want at most 2000"},
		{func(in *Instance) { in.QueueTarget = 0 }, "queue_target: 0, want 1..1000000"},
		{func(in *Instance) { in.Holding = -1 }, "holding: -1, want ≥ 0 (0: no limit)"},
		{func(in *Instance) { in.Lead = -time.Minute }, "lead: -1m0s, want 0..168h0m0s"},
		{func(in *Instance) { in.Gates = nil }, "gates: none: nobody can be called"},
		{func(in *Instance) { in.Gates[1].ID = "" }, "gates[1].id: must be given"},
		{func(in *Instance) { in.Gates[1].ID = "A" }, `gates[1].id: "A" is listed twice`},
		{func(in *Instance) { in.Gates[0].Lanes = -1 }, "gates[0].lanes: -1, want ≥ 0"},
		{func(in *Instance) { in.Gates[0].PerLaneHour = math.NaN() }, "gates[0].per_lane_hour: NaN, want a number ≥ 0"},
		{func(in *Instance) { in.Gates[0].PerLaneHour = math.Inf(1) }, "gates[0].per_lane_hour: +Inf, want a number ≥ 0"},
		{func(in *Instance) { in.Gates[0].Lanes = 1000 }, ""},
		{func(in *Instance) { in.Gates[0].Lanes = 100_000 }, "gates[0].per_lane_hour: lanes × per_lane_hour is 6e+06 persons an hour, want at most 1000000"},
		{func(in *Instance) { in.Gates[1].Closures[0].End = at(10, 0) }, "gates[1].closures[0]: end before start"},
		{func(in *Instance) { in.Gates[1].Closures[0].End = at(11, 0) }, "gates[1].closures[0]: empty: end equals start"},
		{func(in *Instance) { in.Gates[1].Closures[0].Start = time.Time{} }, "gates[1].closures[0]: start and end must be given"},
		{func(in *Instance) { in.Departures[2].Time = time.Time{} }, "departures[2].time: must be given"},
		{func(in *Instance) { in.Departures[2].Seats = -1 }, "departures[2].seats: -1, want 0..1000000"},
		{func(in *Instance) { in.Groups[3].ID = "" }, "groups[3].id: must be given"},
		{func(in *Instance) { in.Groups[3].ID = "G001" }, `groups[3].id: "G001" is listed twice`},
		{func(in *Instance) { in.Groups[3].Size = 0 }, "groups[3].size: 0, want 1..1000000"},
		{func(in *Instance) { in.Groups[3].Weight = math.Inf(-1) }, "groups[3].weight: -Inf, want a finite number"},
		{func(in *Instance) { in.Groups[3].Gates = []string{"A", "C"} }, `groups[3].gates[1]: no gate "C"`},
		{func(in *Instance) {
			in.Called = []Call{{Group: "", Size: 4, Gate: "A", Start: at(5, 0), End: at(5, 30)}}
		}, "called[0].group: must be given"},
		{func(in *Instance) {
			c := Call{Group: "G1", Size: 4, Gate: "A", Start: at(5, 0), End: at(5, 30)}
			in.Called = []Call{c, c}
		}, `called[1].group: "G1" is called twice`},
		{func(in *Instance) {
			in.Called = []Call{{Group: "G1", Size: 0, Gate: "A", Start: at(5, 0), End: at(5, 30)}}
		}, "called[0].size: 0, want 1..1000000"},
		{func(in *Instance) {
			in.Called = []Call{{Group: "G1", Size: 4, Gate: "Z", Start: at(5, 0), End: at(5, 30)}}
		}, `called[0].gate: no gate "Z"`},
		{func(in *Instance) {
			in.Called = []Call{{Group: "G1", Size: 4, Gate: "A", Start: at(5, 0), End: at(4, 30)}}
		}, "called[0]: end before start"},
	} {
		in := day()
		tc.change(in)
		err := Validate(in)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("Validate = %v, want nil", err)
		case tc.want != "" && (err == nil || err.Error() != tc.want):
			t.Errorf("Validate = %v, want %q", err, tc.want)
		}
	}
	if err := Validate(nil); err == nil {
		t.Error("Validate(nil) = nil, want an error")
	}
}
