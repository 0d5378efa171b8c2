package manifest

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"
)

// Generate returns a synthetic instance shaped on the peak day of the 2021
// Kabul airlift. The same arguments give the same instance.
//
//   - seed chooses the instance.
//   - groups is the number of staged groups, about 3.7 people each: 22 %
//     singles, 13 % couples, 58 % families of 3 to 6, 7 % of 7 to 10; 3 % of
//     the groups have one member on a litter. Each is ready at a time over
//     the day from 00:00Z on 24 August 2021. 15 % are a coalition nation's
//     own citizens (priority 1); the others are Afghans: local staff (2),
//     at-risk referrals (3) and residents (4), weighted 8, 4, 2 and 1 a
//     person. 10 % will only go to one or two given destinations.
//   - flights is the number of open flights, departing over the 24 hours from
//     06:00Z to Ramstein, Al Udeid, Rota or Sigonella. Al Udeid and Ramstein
//     are hubs whose daily intake is 60 % and 80 % of the free seats flying
//     to them on their busiest UTC day, whatever the size. Each flight
//     is operated by a nation with an aircraft of its fleet (C-17: 400 seats
//     and 36 litter positions in the emergency configuration; A400M: 150 and
//     20; C-130: 90 and 0; charter: 300 and 0). 30 % have an acceptance
//     policy: only the nation's citizens and Afghan local staff (15 %), no
//     residents (10 %), or only the nation's citizens (5 %).
//   - nations is the number of coalition nations (clamped to 1..16) that
//     operate the flights and whose citizens are among the groups.
//   - scarce makes the free seats about 60 % of the people; otherwise they are
//     about 110 %. A flight's free seats and litter positions are its
//     aircraft's times one factor that gives that total, so with few flights
//     for many people a flight has more free seats than its type's figure.
//
// Peak-day size is Generate(seed, 3000, 90, 10, scarce): about 11,000 people.
// National size is Generate(seed, 80000, 1000, 10, scarce): about 300,000.
func Generate(seed int64, groups, flights, nations int, scarce bool) *Instance {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6d616e6966657374)) // "manifest"
	nations = min(max(nations, 1), len(coalition))
	nationWeights := make([]int, nations)
	for i := range nationWeights {
		nationWeights[i] = coalition[i].weight
	}
	start := time.Date(2021, 8, 24, 0, 0, 0, 0, time.UTC)
	in := &Instance{
		Weights: map[string]float64{"1": 8, "2": 4, "3": 2, "4": 1},
		Groups:  make([]Group, max(groups, 0)),
		Flights: make([]Flight, max(flights, 0)),
	}

	people := 0
	for i := range in.Groups {
		g := &in.Groups[i]
		g.ID = "G" + strconv.Itoa(i+1)
		switch r := rng.IntN(100); {
		case r < 22:
			g.Size = 1
		case r < 35:
			g.Size = 2
		case r < 93:
			g.Size = 3 + rng.IntN(4)
		default:
			g.Size = 7 + rng.IntN(4)
		}
		people += g.Size
		if rng.IntN(100) < 3 {
			g.Litters = 1
		}
		if rng.IntN(100) < 15 {
			g.Nationality = coalition[pick(rng, nationWeights)].code
			g.Category, g.Priority = "own_citizen", 1
		} else {
			g.Nationality = "AFG"
			switch r := rng.IntN(100); {
			case r < 45:
				g.Category, g.Priority = "local_staff", 2
			case r < 85:
				g.Category, g.Priority = "at_risk", 3
			default:
				g.Category, g.Priority = "resident", 4
			}
		}
		g.Ready = start.Add(time.Duration(rng.IntN(24*60)) * time.Minute)
		if rng.IntN(100) < 10 {
			d := rng.Perm(len(destinations))[:1+rng.IntN(2)]
			for _, k := range d {
				g.Destinations = append(g.Destinations, destinations[k].id)
			}
		}
	}

	destWeights := make([]int, len(destinations))
	for i, d := range destinations {
		destWeights[i] = d.weight
	}
	capacity := 0
	types := make([]aircraft, len(in.Flights))
	for i := range in.Flights {
		f := &in.Flights[i]
		n := coalition[pick(rng, nationWeights)]
		f.Operator = n.code
		types[i] = aircraftTypes[n.fleet[rng.IntN(len(n.fleet))]]
		capacity += types[i].seats
		f.Departure = start.Add(6*time.Hour + time.Duration(rng.IntN(24*60))*time.Minute)
		f.Destination = destinations[pick(rng, destWeights)].id
		switch r := rng.IntN(100); {
		case r < 15:
			f.Accepts = Accepts{Nationalities: []string{n.code, "AFG"}, Categories: []string{"own_citizen", "local_staff"}}
		case r < 25:
			f.Accepts = Accepts{Categories: []string{"own_citizen", "local_staff", "at_risk"}}
		case r < 30:
			f.Accepts = Accepts{Nationalities: []string{n.code}}
		}
	}
	share := 1.1
	if scarce {
		share = 0.6
	}
	factor := share * float64(people) / float64(max(capacity, 1))
	for i := range in.Flights {
		f := &in.Flights[i]
		f.Seats = min(int(math.Round(factor*float64(types[i].seats))), maxSeats)
		f.Litters = min(int(math.Round(factor*float64(types[i].litters))), f.Seats)
	}
	seatsTo := map[string]int{} // hub-day → free seats
	for _, f := range in.Flights {
		seatsTo[HubDay(f)] += f.Seats
	}
	for _, d := range destinations {
		if d.hubShare > 0 {
			busiest := 0
			for hd, n := range seatsTo {
				if hub, _ := cutHubDay(hd); hub == d.id {
					busiest = max(busiest, n)
				}
			}
			in.Hubs = append(in.Hubs, Hub{ID: d.id, Capacity: int(math.Round(d.hubShare * float64(busiest)))})
		}
	}
	// Ids in the order of departure, as a planner lists them.
	slices.SortStableFunc(in.Flights, func(a, b Flight) int { return a.Departure.Compare(b.Departure) })
	for i := range in.Flights {
		in.Flights[i].ID = "F" + strconv.Itoa(i+1)
	}
	return in
}

// pick returns an index of weights at random, in proportion to its weight.
func pick(rng *rand.Rand, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	r := rng.IntN(total)
	for i, w := range weights {
		if r < w {
			return i
		}
		r -= w
	}
	panic("unreachable")
}

type aircraft struct{ seats, litters int }

var aircraftTypes = map[string]aircraft{
	"C-17":    {400, 36},
	"A400M":   {150, 20},
	"C-130":   {90, 0},
	"charter": {300, 0},
}

// coalition lists the nations in the order Generate takes them, with their
// share of the flights and of the own citizens.
var coalition = []struct {
	code   string
	weight int
	fleet  []string
}{
	{"USA", 40, []string{"C-17", "C-17", "C-17", "C-130"}},
	{"GBR", 12, []string{"C-17", "A400M"}},
	{"DEU", 8, []string{"A400M"}},
	{"FRA", 6, []string{"A400M"}},
	{"ITA", 6, []string{"C-130"}},
	{"CAN", 6, []string{"C-17"}},
	{"AUS", 5, []string{"C-17", "C-130"}},
	{"QAT", 5, []string{"C-17", "charter"}},
	{"NLD", 4, []string{"C-130"}},
	{"ESP", 3, []string{"A400M"}},
	{"TUR", 3, []string{"A400M", "charter"}},
	{"ARE", 3, []string{"C-17", "charter"}},
	{"BEL", 2, []string{"C-130"}},
	{"DNK", 2, []string{"C-130"}},
	{"NOR", 2, []string{"C-130"}},
	{"POL", 2, []string{"C-130"}},
}

// destinations are the flights' destinations, with their share of the flights
// and, for a hub, its daily capacity as a share of the seats to it on the
// busiest day.
var destinations = []struct {
	id       string
	weight   int
	hubShare float64
}{
	{"Al Udeid", 35, 0.6},
	{"Ramstein", 30, 0.8},
	{"Sigonella", 20, 0},
	{"Rota", 15, 0},
}
