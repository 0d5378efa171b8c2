package airbridge

import (
	"testing"
	"time"
)

func TestOverview(t *testing.T) {
	f := newFixture(t)
	f.staged("g1", 3)
	f.staged("g2", 2)
	f.staged("g3", 4)
	f.register("g4", 5)
	f.schedule("F1", 10) // slot t0+6h
	f.schedule("F2", 20)
	f.manifest("F1", "g1")
	f.act("F1", ActionBoarding)
	f.exec(BoardGroup{FlightID: "F1", GroupID: "g1"})
	f.act("F1", ActionClose)
	f.exec(FlightAction{FlightID: "F1", Action: ActionDepart, Override: "test"})
	departed := f.s.Flights["F1"].StatusSince

	now := departed.Add(30 * time.Minute)
	o := OverviewOf(f.s, now)
	if o.Total != 14 || o.Totals[Registered] != 5 || o.Totals[Staged] != 6 || o.Totals[Departed] != 3 {
		t.Fatalf("totals %v (total %d)", o.Totals, o.Total)
	}
	if len(o.Nations) != 1 || o.Counts[o.Nations[0]][Staged] != 6 {
		t.Fatalf("counts %v, nations %v", o.Counts, o.Nations)
	}
	if len(o.Departures) != OverviewHours || !o.Departures[OverviewHours-1].Hour.Equal(now.Truncate(time.Hour)) {
		t.Fatalf("departures %+v", o.Departures)
	}
	for _, h := range o.Departures {
		if want := 0; h.Hour.Equal(departed.Truncate(time.Hour)) && h.Count != 3 || !h.Hour.Equal(departed.Truncate(time.Hour)) && h.Count != want {
			t.Fatalf("departures %+v: the 3 carried belong to the hour of %s", o.Departures, departed)
		}
	}
	if o.Waiting.Staged != 6 || o.Waiting.Longest <= 0 || o.Waiting.Median > o.Waiting.P90 || o.Waiting.P90 > o.Waiting.Longest {
		t.Fatalf("waiting %+v", o.Waiting)
	}
	// F2 (20 free seats) leaves at t0+6h, under 6 hours from now.
	for _, s := range o.Seats {
		want := 20
		if s.Hours < 6 {
			want = 0
		}
		if s.Free != want || s.Ready != 6 {
			t.Fatalf("seats %+v", o.Seats)
		}
	}
	if len(o.Loads) != 1 || o.Loads[0].FlightID != "F2" || o.Flows["Al Udeid"] != 3 {
		t.Fatalf("loads %+v, flows %v", o.Loads, o.Flows)
	}

	// A day later the departure has left the hourly window, and the staged
	// have waited past the alarm.
	later := OverviewOf(f.s, now.Add(25*time.Hour))
	sum := 0
	for _, h := range later.Departures {
		sum += h.Count
	}
	if sum != 0 || later.Waiting.OverHours != 6 {
		t.Fatalf("a day later: departures %d, over the alarm %d", sum, later.Waiting.OverHours)
	}
}
