package manifest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"airbridge"
)

// stateOf returns a state holding in's groups, staged, and its flights,
// scheduled: what the server proposes from. Acceptance policies and
// destinations are left out; hubs keep their capacity.
func stateOf(tb testing.TB, in *Instance) *airbridge.State {
	tb.Helper()
	s := airbridge.NewState()
	var nations []string
	for _, f := range in.Flights {
		if !slices.Contains(nations, f.Operator) {
			nations = append(nations, f.Operator)
		}
	}
	slices.Sort(nations)
	categories := []airbridge.Category{
		{Code: "own_citizen", Name: "Own citizen", Rank: 1}, {Code: "local_staff", Name: "Local staff", Rank: 2},
		{Code: "at_risk", Name: "At risk", Rank: 3}, {Code: "resident", Name: "Resident", Rank: 4},
	}
	apply := func(e airbridge.Event) {
		if err := s.Apply(e); err != nil {
			tb.Fatal(err)
		}
	}
	policy := &airbridge.Policy{Name: "bench", Nations: nations, Categories: categories}
	apply(airbridge.Event{Stream: "operation", Type: airbridge.OperationConfigured, Data: airbridge.EventData{Policy: policy}})
	for _, h := range in.Hubs {
		apply(airbridge.Event{Stream: "site/" + h.ID, Type: airbridge.SiteAdded,
			Data: airbridge.EventData{Site: &airbridge.Site{ID: h.ID, Name: h.ID, Kind: airbridge.Hub, Capacity: h.Capacity}}})
	}
	for _, f := range in.Flights {
		apply(airbridge.Event{Stream: "flight/" + f.ID, Type: airbridge.FlightScheduled, Data: airbridge.EventData{Flight: &airbridge.Flight{
			ID: f.ID, Callsign: "RCH" + f.ID, Operator: f.Operator, Aircraft: "charter", Seats: f.Seats, Litters: min(f.Litters, f.Seats),
			Slot: f.Departure, Destination: f.Destination, Status: airbridge.StatusScheduled}}})
	}
	for i, g := range in.Groups {
		nation := nations[i%len(nations)]
		if slices.Contains(nations, g.Nationality) {
			nation = g.Nationality
		}
		apply(airbridge.Event{Stream: "group/" + g.ID, Type: airbridge.GroupRegistered,
			Data: airbridge.EventData{Group: &airbridge.Group{ID: g.ID, Nation: nation, RegisteredAt: g.Ready}}})
		for m := range g.Size {
			p := &airbridge.Person{ID: fmt.Sprintf("%s-%d", g.ID, m+1), GroupID: g.ID, Nation: nation,
				Nationality: cmpOr(g.Nationality, "AFG"), Category: categories[g.Priority-1].Code,
				Needs: airbridge.Needs{Litter: m < g.Litters}, Stage: airbridge.Staged, Screening: airbridge.Cleared,
				StageSince: g.Ready, RegisteredAt: g.Ready}
			apply(airbridge.Event{Stream: airbridge.PersonStream(p.ID), Type: airbridge.PersonRegistered, Data: airbridge.EventData{Person: p}})
		}
	}
	return s
}

func cmpOr(a, b string) string {
	if strings.TrimSpace(a) == "" {
		return b
	}
	return a
}

// BenchmarkPropose measures what the server does for a proposal of every
// open flight: FromState (which runs in the store's writer, holding up
// commands), then Solve and NewProposal (which do not).
func BenchmarkPropose(b *testing.B) {
	for _, size := range []struct {
		name            string
		groups, flights int
	}{{"peak-day", 3000, 90}, {"national", 80000, 1000}} {
		s := stateOf(b, Generate(1, size.groups, size.flights, 10, true))
		now := time.Date(2021, 8, 24, 0, 0, 0, 0, time.UTC)
		b.Run(size.name+"/from-state", func(b *testing.B) {
			for b.Loop() {
				if _, err := FromState(s, PlanRequest{Now: now}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(size.name+"/all", func(b *testing.B) {
			var pr *Proposal
			for b.Loop() {
				plan, err := FromState(s, PlanRequest{Now: now})
				if err != nil {
					b.Fatal(err)
				}
				sol := Solve(plan.Instance)
				if err := Check(plan.Instance, sol); err != nil {
					b.Fatal(err)
				}
				pr = NewProposal(plan, sol)
			}
			b.ReportMetric(100*pr.Gap, "gap%")
			b.ReportMetric(float64(len(s.Persons)), "persons")
		})
	}
}
