package manifest

import (
	"testing"
	"time"
)

func TestCompatible(t *testing.T) {
	noon := time.Date(2021, 8, 24, 12, 0, 0, 0, time.UTC)
	group := Group{ID: "G", Size: 3, Priority: 2, Nationality: "AFG", Category: "local_staff", Ready: noon}
	flight := Flight{ID: "F", Seats: 100, Departure: noon, Destination: "Ramstein"}
	for _, tc := range []struct {
		name string
		g    func(*Group)
		f    func(*Flight)
		want bool
	}{
		{"no restrictions", func(g *Group) { g.Ready = noon.Add(-time.Hour) }, nil, true},
		{"ready at departure", nil, nil, true},
		{"ready after departure", func(g *Group) { g.Ready = noon.Add(time.Second) }, nil, false},
		{"ready after departure in another zone", func(g *Group) { g.Ready = time.Date(2021, 8, 24, 16, 31, 0, 0, time.FixedZone("AFT", 4*3600+1800)) }, nil, false},
		{"ready before departure in another zone", func(g *Group) { g.Ready = time.Date(2021, 8, 24, 16, 29, 0, 0, time.FixedZone("AFT", 4*3600+1800)) }, nil, true},
		{"destination listed", func(g *Group) { g.Destinations = []string{"Rota", "Ramstein"} }, nil, true},
		{"destination not listed", func(g *Group) { g.Destinations = []string{"Rota"} }, nil, false},
		{"flight without destination", func(g *Group) { g.Destinations = []string{"Rota"} }, func(f *Flight) { f.Destination = "" }, false},
		{"nationality accepted", nil, func(f *Flight) { f.Accepts.Nationalities = []string{"DEU", "AFG"} }, true},
		{"nationality refused", nil, func(f *Flight) { f.Accepts.Nationalities = []string{"DEU"} }, false},
		{"no nationality refused", func(g *Group) { g.Nationality = "" }, func(f *Flight) { f.Accepts.Nationalities = []string{"DEU"} }, false},
		{"category accepted", nil, func(f *Flight) { f.Accepts.Categories = []string{"local_staff"} }, true},
		{"category refused", nil, func(f *Flight) { f.Accepts.Categories = []string{"own_citizen"} }, false},
		{"both accepted", nil, func(f *Flight) {
			f.Accepts = Accepts{Nationalities: []string{"AFG"}, Categories: []string{"local_staff"}}
		}, true},
		{"nationality accepted, category refused", nil, func(f *Flight) {
			f.Accepts = Accepts{Nationalities: []string{"AFG"}, Categories: []string{"at_risk"}}
		}, false},
		{"empty lists", func(g *Group) { g.Destinations = []string{} }, func(f *Flight) {
			f.Accepts = Accepts{Nationalities: []string{}, Categories: []string{}}
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, f := group, flight
			if tc.g != nil {
				tc.g(&g)
			}
			if tc.f != nil {
				tc.f(&f)
			}
			if got := Compatible(g, f); got != tc.want {
				t.Errorf("Compatible = %v, want %v", got, tc.want)
			}
			if got := incompatibility(g, f) == ""; got != tc.want {
				t.Errorf("incompatibility = %q, want it empty: %v", incompatibility(g, f), tc.want)
			}
		})
	}
}

func TestHubDay(t *testing.T) {
	kabul := time.FixedZone("AFT", 4*3600+1800)
	for _, tc := range []struct {
		f    Flight
		want string
	}{
		{Flight{Destination: "Ramstein", Departure: time.Date(2021, 8, 24, 0, 0, 0, 0, time.UTC)}, "Ramstein@2021-08-24"},
		{Flight{Destination: "Ramstein", Departure: time.Date(2021, 8, 24, 23, 59, 59, 999999999, time.UTC)}, "Ramstein@2021-08-24"},
		// 02:00 in Kabul is 21:30Z the day before; 23:00 in Kabul is 18:30Z.
		{Flight{Destination: "Al Udeid", Departure: time.Date(2021, 8, 25, 2, 0, 0, 0, kabul)}, "Al Udeid@2021-08-24"},
		{Flight{Destination: "Al Udeid", Departure: time.Date(2021, 8, 24, 23, 0, 0, 0, kabul)}, "Al Udeid@2021-08-24"},
		{Flight{Destination: "a@b", Departure: time.Date(2021, 8, 31, 23, 0, 0, 0, time.FixedZone("", -3600))}, "a@b@2021-09-01"},
	} {
		got := HubDay(tc.f)
		if got != tc.want {
			t.Errorf("HubDay(%s at %v) = %q, want %q", tc.f.Destination, tc.f.Departure, got, tc.want)
		}
		if hub, day := cutHubDay(got); hub != tc.f.Destination || day != tc.f.Departure.UTC().Format(time.DateOnly) {
			t.Errorf("cutHubDay(%q) = %q, %q", got, hub, day)
		}
	}
}
