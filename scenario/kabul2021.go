// Package scenario holds airbridge's built-in scenarios as data: the commands
// that bring an empty ledger to a given moment of an operation.
package scenario

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"airbridge"
)

// Kabul2021 returns the commands of a synthetic operation shaped on the public
// figures of the August 2021 Kabul airlift (see DESIGN.md): the coalition
// nations and their aircraft, the categories of evacuees, gates, screening,
// holding and ramp, and the pipeline part-way through — flights departed and
// arrived, one boarding, more scheduled, and people at every stage. now is the
// moment the ledger is brought to; persons is the approximate number of people
// registered. The same seed, now and persons give the same commands.
//
// The commands are checked against the domain's own rules as they are made, so
// every one of them is accepted by a ledger that starts empty.
func Kabul2021(seed int64, now time.Time, persons int) ([]airbridge.Submission, error) {
	g := &generator{
		rng:   rand.New(rand.NewPCG(uint64(seed), 0x4b424c32303231)),
		state: airbridge.NewState(),
		now:   now.UTC().Truncate(time.Second),
	}
	g.clock = g.now.Add(-12 * time.Hour)
	if err := g.build(persons); err != nil {
		return nil, fmt.Errorf("kabul-2021: %w", err)
	}
	return g.subs, nil
}

type generator struct {
	rng   *rand.Rand
	state *airbridge.State
	now   time.Time
	clock time.Time
	subs  []airbridge.Submission
	n     int
}

// exec checks cmd against the rules, records it, and moves the clock on.
func (g *generator) exec(cmd airbridge.Command, step time.Duration) error {
	g.n++
	// Nothing is recorded in the future: commands planned past now happen now.
	env := airbridge.Envelope{Key: fmt.Sprintf("seed-%06d", g.n), Actor: "scenario", Time: minTime(g.clock, g.now)}
	if _, _, err := g.state.Execute(cmd, env); err != nil {
		return fmt.Errorf("command %d (%T): %w", g.n, cmd, err)
	}
	g.subs = append(g.subs, airbridge.Submission{Command: cmd, Envelope: env, Fingerprint: env.Key})
	g.clock = g.clock.Add(step)
	return nil
}

var nations = []struct {
	code   string
	weight int      // share of the registered people
	fleet  []string // aircraft types it operates
}{
	{"USA", 50, []string{"C-17", "C-17", "C-17", "C-130J-30"}},
	{"GBR", 12, []string{"C-17", "A400M"}},
	{"DEU", 8, []string{"A400M"}},
	{"FRA", 6, []string{"A400M"}},
	{"ITA", 6, []string{"C-130J-30"}},
	{"CAN", 6, []string{"C-17"}},
	{"AUS", 5, []string{"C-17", "C-130J-30"}},
	{"NLD", 4, []string{"C-130H"}},
	{"ESP", 3, []string{"A400M"}},
}

var categoryWeights = []struct {
	code   string
	weight int
}{
	{"own_citizen", 14}, {"allied_citizen", 4}, {"local_staff", 40}, {"at_risk", 30}, {"resident", 6}, {"third_country", 6},
}

var (
	surnames = []string{"Ahmadi", "Hakimi", "Karimi", "Rahimi", "Sultani", "Wardak", "Popal", "Noori", "Safi", "Stanikzai",
		"Mohammadi", "Haidari", "Rezai", "Jalali", "Nazari", "Amiri", "Qaderi", "Barakzai", "Sharifi", "Yousufzai",
		"Smith", "Johnson", "Miller", "Brown", "Schmidt", "Müller", "Rossi", "Bianchi", "Martin", "Dubois", "Tremblay", "Jansen", "García"}
	givenNames = []string{"Ahmad", "Mohammad", "Farid", "Hamid", "Nasir", "Zahra", "Fatima", "Maryam", "Sahar", "Parwana",
		"Omid", "Mina", "Laila", "Yusuf", "Hasina", "Karim", "Shabnam", "Bashir", "Nadia", "Rahim",
		"John", "Emily", "Anna", "Lukas", "Giulia", "Marco", "Camille", "Liam", "Sophie", "Daan", "Lucía"}
	thirdCountries = []string{"PAK", "IND", "TJK", "UZB", "IRN", "TUR"}
)

// The gates' lanes and rates, and the holding area's capacity (the 6,000
// processed people who waited), are illustrative: they give the
// call-forward planner something to plan with.
var sites = []airbridge.Site{
	{ID: "abbey-gate", Name: "Abbey Gate", Kind: airbridge.Gate, Lanes: 4, PerLaneHour: 60},
	{ID: "north-gate", Name: "North Gate", Kind: airbridge.Gate, Lanes: 3, PerLaneHour: 60},
	{ID: "east-gate", Name: "East Gate", Kind: airbridge.Gate, Lanes: 2, PerLaneHour: 60},
	{ID: "ecc-screening", Name: "Evacuation Control Center screening", Kind: airbridge.Screening},
	{ID: "pax-terminal", Name: "Passenger terminal holding", Kind: airbridge.Holding, Capacity: 6000},
	{ID: "north-ramp", Name: "North ramp", Kind: airbridge.Ramp},
	{ID: "al-udeid", Name: "Al Udeid transit hub", Kind: airbridge.Hub},
	{ID: "ramstein", Name: "Ramstein transit hub", Kind: airbridge.Hub},
}

func (g *generator) pick(n int) int { return g.rng.IntN(n) }

func (g *generator) build(persons int) error {
	policy := airbridge.Policy{
		Name:       "Kabul 2021 (synthetic)",
		Categories: airbridge.DefaultCategories(),
		MaxSeats:   map[airbridge.AircraftType]int{"C-17": 823, "A400M": 229, "C-130J-30": 150},
		LoadGuard:  new(0.8),
	}
	for _, n := range nations {
		policy.Nations = append(policy.Nations, n.code)
	}
	if err := g.exec(&airbridge.ConfigureOperation{Policy: policy}, time.Second); err != nil {
		return err
	}
	for _, s := range sites {
		if err := g.exec(&airbridge.AddSite{Site: s}, time.Second); err != nil {
			return err
		}
	}
	groups, err := g.register(persons)
	if err != nil {
		return err
	}
	flights, err := g.schedule()
	if err != nil {
		return err
	}
	// Process people in tranches ahead of each departure, then load it.
	next := 0
	for _, f := range flights {
		if f.Slot.After(g.now.Add(3 * time.Hour)) {
			break
		}
		for staged := g.stagedSeats(); staged < f.Seats*5/4 && next < len(groups); next++ {
			g.clock = maxTime(g.clock, f.Slot.Add(-3*time.Hour))
			n, err := g.process(groups[next], g.processTo())
			if err != nil {
				return err
			}
			staged += n
		}
		if err := g.load(f); err != nil {
			return err
		}
	}
	// The rest of the people are somewhere on their way in.
	g.clock = maxTime(g.clock, g.now.Add(-2*time.Hour))
	for ; next < len(groups); next++ {
		if _, err := g.process(groups[next], []airbridge.Stage{airbridge.Registered, airbridge.Called, airbridge.AtGate,
			airbridge.Screened, airbridge.Staged}[g.pick(5)]); err != nil {
			return err
		}
	}
	return nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// processTo is the stage a group in an early tranche reaches: nearly all are
// staged, a few are held at screening.
func (g *generator) processTo() airbridge.Stage {
	if g.pick(20) == 0 {
		return airbridge.Screened
	}
	return airbridge.Staged
}

// register registers the groups, a batch per nation, and returns their ids in
// registration order.
func (g *generator) register(persons int) ([]string, error) {
	total := 0
	for _, n := range nations {
		total += n.weight
	}
	var ids []string
	doc := 0
	for _, n := range nations {
		want := persons * n.weight / total
		var batch []airbridge.GroupInput
		for got := 0; got < want; {
			size := 1 + g.pick(6)
			if g.pick(4) == 0 {
				size = 1
			}
			category := g.category()
			surname := surnames[g.pick(20)]
			if category == "own_citizen" || category == "allied_citizen" {
				surname = surnames[20+g.pick(len(surnames)-20)]
			}
			gi := airbridge.GroupInput{ID: fmt.Sprintf("G%s%05d", n.code, len(ids)), Nation: n.code, Name: surname + " family"}
			for i := range size {
				doc++
				p := airbridge.PersonInput{
					ID:          fmt.Sprintf("P%s%06d", n.code, doc),
					Surname:     surname,
					GivenNames:  givenNames[g.pick(len(givenNames))],
					BirthDate:   g.birthDate(i),
					Sex:         []string{"F", "M"}[g.pick(2)],
					Nationality: g.nationality(n.code, category),
					Category:    category,
					Needs:       airbridge.Needs{Litter: g.pick(300) == 0, Medical: g.pick(40) == 0},
				}
				if g.pick(20) != 0 { // one in twenty arrives without a document
					p.Documents = []airbridge.Document{{Type: "passport", Number: fmt.Sprintf("%c%08d", 'A'+rune(g.pick(26)), doc), IssuingState: p.Nationality}}
				}
				gi.Persons = append(gi.Persons, p)
			}
			got += size
			batch = append(batch, gi)
			ids = append(ids, gi.ID)
		}
		for len(batch) > 0 {
			chunk := batch[:min(len(batch), 1000)]
			batch = batch[len(chunk):]
			if err := g.exec(&airbridge.RegisterGroups{Groups: chunk}, time.Minute); err != nil {
				return nil, err
			}
		}
	}
	g.rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	return ids, nil
}

func (g *generator) category() string {
	sum := 0
	for _, c := range categoryWeights {
		sum += c.weight
	}
	r := g.pick(sum)
	for _, c := range categoryWeights {
		if r < c.weight {
			return c.code
		}
		r -= c.weight
	}
	return categoryWeights[0].code
}

func (g *generator) nationality(nation, category string) string {
	switch category {
	case "own_citizen":
		return nation
	case "allied_citizen":
		return nations[g.pick(len(nations))].code
	case "third_country":
		return thirdCountries[g.pick(len(thirdCountries))]
	}
	return "AFG"
}

// birthDate gives the first member of a group an adult's birth date and the
// others anyone's.
func (g *generator) birthDate(member int) string {
	age := 1 + g.pick(70)
	if member == 0 {
		age = 20 + g.pick(45)
	}
	d := g.now.AddDate(-age, 0, -g.pick(365))
	return d.Format(time.DateOnly)
}

// schedule adds the flights: a departure about every 45 minutes from nine
// hours ago to nine hours ahead.
func (g *generator) schedule() ([]*airbridge.Flight, error) {
	var flights []*airbridge.Flight
	slot := g.now.Add(-9 * time.Hour).Truncate(15 * time.Minute)
	for i := 0; slot.Before(g.now.Add(9 * time.Hour)); i++ {
		n := nations[[]int{0, 0, 0, 1, 0, 2, 3, 0, 4, 5, 0, 6, 7, 0, 8}[i%15]]
		aircraft := airbridge.AircraftType(n.fleet[g.pick(len(n.fleet))])
		a, _ := airbridge.LookupAircraft(aircraft)
		seats := a.StandardSeats
		if aircraft == "C-17" && g.pick(3) == 0 {
			seats = 300 + g.pick(150) // an emergency configuration
		}
		dest := "Al Udeid"
		if n.code != "USA" && g.pick(2) == 0 {
			dest = "Ramstein"
		}
		in := airbridge.FlightInput{
			ID: fmt.Sprintf("F%03d", i+1), Callsign: fmt.Sprintf("%s%03d", callsignPrefix[n.code], 100+i*7%900),
			Operator: n.code, Aircraft: aircraft, Seats: seats, Slot: slot, Destination: dest,
		}
		if err := g.exec(&airbridge.ScheduleFlight{FlightInput: in}, time.Second); err != nil {
			return nil, err
		}
		flights = append(flights, g.state.Flights[in.ID])
		slot = slot.Add(time.Duration(35+g.pick(20)) * time.Minute)
	}
	return flights, nil
}

var callsignPrefix = map[string]string{
	"USA": "RCH", "GBR": "RRR", "DEU": "GAF", "FRA": "CTM", "ITA": "IAM", "CAN": "CFC", "AUS": "ASY", "NLD": "NAF", "ESP": "AME",
}

// process moves a group from registered to the given stage, through the gate,
// screening and holding. It returns how many of its members are staged.
func (g *generator) process(groupID string, to airbridge.Stage) (int, error) {
	members := g.state.Groups[groupID].Members
	order := []airbridge.Stage{airbridge.Registered, airbridge.Called, airbridge.AtGate, airbridge.Screened, airbridge.Staged}
	reach := slices.Index(order, to)
	called := g.pick(3) != 0
	if reach >= 1 && called {
		gate := sites[g.pick(3)].ID
		start := g.clock.Truncate(time.Hour)
		if err := g.exec(&airbridge.CallGroup{GroupID: groupID, Gate: gate, WindowStart: start, WindowEnd: start.Add(2 * time.Hour)}, 20*time.Second); err != nil {
			return 0, err
		}
	}
	if reach < 2 {
		return 0, nil
	}
	gate := sites[g.pick(3)].ID
	for _, id := range members {
		if err := g.exec(&airbridge.Scan{PersonID: id, Site: gate}, 5*time.Second); err != nil {
			return 0, err
		}
	}
	if reach < 3 {
		return 0, nil
	}
	staged := 0
	for _, id := range members {
		decision, reason := airbridge.Cleared, ""
		switch r := g.pick(100); {
		case r < 2:
			decision, reason = airbridge.Denied, "no eligibility documents"
		case r < 5:
			decision, reason = airbridge.Referred, "identity to be confirmed by the embassy"
		}
		if err := g.exec(&airbridge.Screen{PersonID: id, Decision: decision, Reason: reason}, 30*time.Second); err != nil {
			return 0, err
		}
		if reach >= 4 && decision == airbridge.Cleared {
			if err := g.exec(&airbridge.Scan{PersonID: id, Site: "pax-terminal"}, 5*time.Second); err != nil {
				return 0, err
			}
			staged++
		}
	}
	return staged, nil
}

// stagedSeats counts the persons of groups that are wholly staged.
func (g *generator) stagedSeats() int {
	n := 0
	for _, id := range g.stagedGroups() {
		n += len(g.state.Groups[id].Members)
	}
	return n
}

// stagedGroups returns the wholly staged groups by priority, then by wait.
func (g *generator) stagedGroups() []string {
	type entry struct {
		id    string
		rank  int
		since time.Time
	}
	var es []entry
	for id, gr := range g.state.Groups {
		e := entry{id: id, rank: 99}
		ok := true
		for _, m := range gr.Members {
			p := g.state.Persons[m]
			if p.Stage != airbridge.Staged {
				ok = false
				break
			}
			c, _ := g.state.Policy.Category(p.Category)
			e.rank = min(e.rank, c.Rank)
			e.since = maxTime(e.since, p.StageSince)
		}
		if ok {
			es = append(es, e)
		}
	}
	slices.SortFunc(es, func(a, b entry) int {
		if a.rank != b.rank {
			return a.rank - b.rank
		}
		if c := a.since.Compare(b.since); c != 0 {
			return c
		}
		if a.id < b.id {
			return -1
		}
		return 1
	})
	ids := make([]string, len(es))
	for i, e := range es {
		ids[i] = e.id
	}
	return ids
}

// load manifests staged groups onto f and takes it as far as the clock
// allows: departed and arrived when its slot has passed, boarding when it is
// next, manifested only when it is later.
func (g *generator) load(f *airbridge.Flight) error {
	g.clock = maxTime(g.clock, f.Slot.Add(-90*time.Minute))
	target := f.Seats * (55 + g.pick(45)) / 100
	if f.Slot.After(g.now) {
		target = f.Seats * g.pick(60) / 100
	}
	var manifested []string
	for _, id := range g.stagedGroups() {
		size := len(g.state.Groups[id].Members)
		if f.Manifested+size > target {
			continue
		}
		if err := g.exec(&airbridge.ManifestGroup{FlightID: f.ID, GroupID: id}, 10*time.Second); err != nil {
			if airbridge.ErrorCode(err) == airbridge.ECONFLICT { // no litter position left: try the next group
				continue
			}
			return err
		}
		manifested = append(manifested, id)
	}
	if f.Slot.After(g.now.Add(45 * time.Minute)) {
		return nil
	}
	g.clock = maxTime(g.clock, f.Slot.Add(-45*time.Minute))
	if err := g.exec(&airbridge.FlightAction{FlightID: f.ID, Action: airbridge.ActionBoarding}, time.Minute); err != nil {
		return err
	}
	boarding := f.Slot.After(g.now)
	for i, id := range manifested {
		if g.pick(25) == 0 || (boarding && i >= len(manifested)/2) {
			continue // a no-show, or not yet at the ramp
		}
		if err := g.exec(&airbridge.BoardGroup{FlightID: f.ID, GroupID: id}, 20*time.Second); err != nil {
			return err
		}
	}
	if boarding {
		return nil
	}
	g.clock = maxTime(g.clock, f.Slot)
	// Flights left Kabul under-filled while people waited; the override is
	// recorded only where the load guard would have held the flight.
	depart := &airbridge.FlightAction{FlightID: f.ID, Action: airbridge.ActionDepart, Override: "departed as loaded in August 2021"}
	if err := g.exec(depart, time.Minute); err != nil {
		return err
	}
	if f.Slot.Add(4 * time.Hour).Before(g.now) {
		if err := g.exec(&airbridge.FlightAction{FlightID: f.ID, Action: airbridge.ActionArrive}, time.Minute); err != nil {
			return err
		}
	}
	return nil
}
