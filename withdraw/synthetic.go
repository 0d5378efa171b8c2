package withdraw

import (
	"fmt"
	"math/rand/v2"
)

// Synthetic returns a generated theatre shaped like NATO's 2021 withdrawal
// from Afghanistan: nations contingents spread over bases (the first nation
// largest, the others in decreasing shares), about personnel people in all,
// a main airport (HKIA) and one more airport per 50 bases, bases linked to an
// airport by road or air or through a hub base, 140 days from 2021-04-14 with
// evacuation flights to day 138, strategic airlift sized to each nation
// (one or two aircraft types, at every airport), and deadlines for a third of
// the nations. The same arguments give the same scenario, which Validate
// accepts.
func Synthetic(nations, bases, personnel int, seed uint64) *Scenario {
	rng := rand.New(rand.NewPCG(seed, 0x6e61746f32303231))
	between := func(lo, hi int) int { return lo + rng.IntN(hi-lo+1) }
	nations, bases = max(nations, 1), max(bases, 1)
	const days = 140
	s := &Scenario{Name: fmt.Sprintf("synthetic-%d-%d-%d-%d", nations, bases, personnel, seed), Start: "2021-04-14",
		Days: days, PalletsPerVehicle: 2, EvacuationLastDay: days - 2}

	airports := 1 + bases/50
	for i := range airports {
		id := "HKIA"
		if i > 0 {
			id = fmt.Sprintf("AP%d", i+1)
		}
		s.Sites = append(s.Sites, Site{ID: id, Name: id, Airport: true})
	}
	for i := range bases {
		id := fmt.Sprintf("B%03d", i+1)
		s.Sites = append(s.Sites, Site{ID: id, Name: "base " + id})
	}
	// Every base moves to an airport or, one in five, to an earlier base
	// that is its hub.
	for i := range bases {
		from := airports + i
		to := rng.IntN(airports)
		if i >= 3 && rng.IntN(5) == 0 {
			to = airports + rng.IntN(i)
		}
		mode := "road"
		if rng.IntN(5) < 2 {
			mode = "air"
		}
		s.Moves = append(s.Moves, Link{From: s.Sites[from].ID, To: s.Sites[to].ID, Mode: mode,
			PersonnelPerDay: between(150, 600), PalletsPerDay: between(30, 120)})
	}

	codes := []string{"USA", "GBR", "DEU", "ITA", "TUR", "GEO", "ROU", "POL", "AUS", "AZE", "BEL", "BGR",
		"HRV", "CZE", "DNK", "EST", "FIN", "FRA", "GRC", "HUN", "ISL", "IRL", "LVA", "LTU", "LUX", "MNG",
		"MNE", "NLD", "NZL", "MKD", "NOR", "PRT", "SVK", "SVN", "ESP", "SWE", "UKR", "ALB", "ARM", "AUT"}
	// Shares fall off like 1/(i+1).
	weights := make([]float64, nations)
	sum := 0.0
	for i := range weights {
		weights[i] = 1 / float64(i+1)
		sum += weights[i]
	}
	secAt := make(map[string]int)
	for i := range nations {
		code := fmt.Sprintf("N%02d", i+1)
		if i < len(codes) {
			code = codes[i]
		}
		people := max(int(float64(personnel)*weights[i]/sum), 10)
		spread := min(bases+airports, between(1, 3)+people/2000)
		sites := rng.Perm(bases + airports)[:spread]
		for j, si := range sites {
			per := people / spread
			if j == 0 {
				per += people % spread
			}
			sec := per * between(15, 30) / 100
			c := Contingent{Nation: code, Site: s.Sites[si].ID, Personnel: per, Security: sec,
				Pallets: per * between(20, 40) / 100, Vehicles: per * between(3, 8) / 100}
			s.Contingents = append(s.Contingents, c)
			secAt[c.Site] += sec
		}
		// Airlift: enough to fly everything in about 30 to 60 days.
		persons, positions := people, people*30/100+2*people*5/100
		types := 1 + rng.IntN(2)
		deadline := days - 1
		if rng.IntN(3) == 0 && i > 0 {
			deadline = between(60, 120)
			s.Deadlines = append(s.Deadlines, Deadline{Nation: code, Day: deadline})
		}
		for _, ti := range rng.Perm(len(syntheticAircraft))[:types] {
			a := syntheticAircraft[ti]
			need := max((persons+a.pax-1)/a.pax, (positions+a.pos-1)/a.pos)
			perDay := max(1, need/between(30, 60)/types)
			for ap := range airports {
				s.Airlift = append(s.Airlift, Airlift{Nation: code, Aircraft: a.name, Passengers: a.pax, Pallets: a.pos,
					SortiesPerDay: perDay, FromDay: 0, ToDay: days - 1, Airport: s.Sites[ap].ID})
			}
		}
	}
	// A base keeps half its security or more; an airport's final element is
	// a tenth or so of the security there, which the airlift flies out in the
	// day after the evacuation.
	for i := range s.Sites {
		if sec := secAt[s.Sites[i].ID]; sec > 0 {
			if s.Sites[i].Airport {
				s.Sites[i].SecurityFloor = sec * between(5, 15) / 100
			} else {
				s.Sites[i].SecurityFloor = sec * between(40, 80) / 100
			}
		}
	}
	return s
}

var syntheticAircraft = []struct {
	name     string
	pax, pos int
}{{"A400M", 114, 9}, {"C-130H", 92, 6}, {"C-130J", 128, 8}, {"C-17", 102, 18}, {"KC-10", 75, 17}}
