package withdraw

import (
	"fmt"
	"math/rand/v2"
)

// genOptions bound a random scenario.
type genOptions struct {
	minDays, maxDays       int
	minSites, maxSites     int // airports included
	minNations, maxNations int
	scale                  int // personnel per contingent at most
}

var (
	propertyGen = genOptions{minDays: 8, maxDays: 40, minSites: 2, maxSites: 5, minNations: 1, maxNations: 4, scale: 300}
	smallGen    = genOptions{minDays: 6, maxDays: 12, minSites: 2, maxSites: 3, minNations: 1, maxNations: 3, scale: 120}
)

var aircraftCatalogue = []struct {
	name     string
	pax, pos int
}{{"A400M", 114, 9}, {"C-130H", 92, 6}, {"C-130J", 128, 8}, {"C-17", 102, 18}, {"KC-10", 75, 17}, {"CN-235", 40, 3}}

// randomScenario draws a valid scenario: sites 2-5 with one or two airports,
// bases linked to an airport (sometimes through another base, sometimes by
// road and air), nations with contingents, airlift with windows, floors met at
// day 0, and deadlines for some nations.
func randomScenario(seed uint64, o genOptions) *Scenario {
	rng := rand.New(rand.NewPCG(seed, 0x77697468))
	between := func(lo, hi int) int { return lo + rng.IntN(hi-lo+1) }
	days := between(o.minDays, o.maxDays)
	s := &Scenario{Name: fmt.Sprintf("random-%d", seed), Start: "2021-04-14", Days: days, PalletsPerVehicle: between(1, 3)}
	ns := between(o.minSites, o.maxSites)
	na := 1
	if ns >= 4 && rng.IntN(3) == 0 {
		na = 2
	}
	for i := range ns {
		st := Site{ID: fmt.Sprintf("S%d", i)}
		if i < na {
			st.ID = fmt.Sprintf("AP%d", i)
			st.Airport = true
		}
		s.Sites = append(s.Sites, st)
	}
	// Links: each base to an airport or an earlier base; sometimes a
	// second mode; a link between the airports when there are two.
	for i := na; i < ns; i++ {
		to := rng.IntN(na)
		if i > na && rng.IntN(4) == 0 {
			to = between(na, i-1)
		}
		mode := []string{"road", "air"}[rng.IntN(2)]
		s.Moves = append(s.Moves, Link{From: s.Sites[i].ID, To: s.Sites[to].ID, Mode: mode,
			PersonnelPerDay: between(o.scale/6, o.scale), PalletsPerDay: between(4, 30)})
		if rng.IntN(5) == 0 {
			other := map[string]string{"road": "air", "air": "road"}[mode]
			s.Moves = append(s.Moves, Link{From: s.Sites[i].ID, To: s.Sites[to].ID, Mode: other,
				PersonnelPerDay: between(5, o.scale/2), PalletsPerDay: between(0, 10)})
		}
	}
	if na == 2 {
		s.Moves = append(s.Moves, Link{From: "AP1", To: "AP0", Mode: "air", PersonnelPerDay: between(20, o.scale), PalletsPerDay: between(4, 20)})
	}
	nn := between(o.minNations, o.maxNations)
	nations := []string{"DEU", "GBR", "ITA", "USA", "TUR", "GEO"}[:nn]
	for _, n := range nations {
		k := between(1, min(3, ns))
		for _, si := range rng.Perm(ns)[:k] {
			per := between(0, o.scale)
			c := Contingent{Nation: n, Site: s.Sites[si].ID, Personnel: per, Security: between(0, per/2),
				Pallets: between(0, o.scale/8), Vehicles: between(0, o.scale/30)}
			s.Contingents = append(s.Contingents, c)
		}
		types := between(1, 2)
		for _, ti := range rng.Perm(len(aircraftCatalogue))[:types] {
			a := aircraftCatalogue[ti]
			from := 0
			if rng.IntN(3) == 0 {
				from = between(0, days/3)
			}
			to := days - 1
			if rng.IntN(4) == 0 {
				to = between(from, days-1)
			}
			s.Airlift = append(s.Airlift, Airlift{Nation: n, Aircraft: a.name, Passengers: a.pax, Pallets: a.pos,
				SortiesPerDay: between(1, 3), FromDay: from, ToDay: to, Airport: "AP0"})
		}
		if na == 2 && rng.IntN(2) == 0 {
			a := s.Airlift[len(s.Airlift)-1]
			a.Airport = "AP1"
			s.Airlift = append(s.Airlift, a)
		}
		if rng.IntN(3) == 0 {
			s.Deadlines = append(s.Deadlines, Deadline{Nation: n, Day: between(days/2, days-1)})
		}
	}
	s.EvacuationLastDay = between(days/2, days-2)
	// Floors no more than the security at day 0.
	sec := map[string]int{}
	for _, c := range s.Contingents {
		sec[c.Site] += c.Security
	}
	for i := range s.Sites {
		if sec[s.Sites[i].ID] > 0 && rng.IntN(4) > 0 {
			s.Sites[i].SecurityFloor = between(1, sec[s.Sites[i].ID])
		}
	}
	return s
}
