package sim

import (
	"fmt"
	"slices"

	"airbridge"
)

// The simulated persons, all alike to the rules.
const (
	nationality = "AFG"
	category    = "local_staff"
)

// world is where a run's persons and flights are, and the rules that move
// them: the engine decides who goes where and when, the world refuses what
// the domain's rules refuse.
type world interface {
	// reserve makes room for about this many persons and groups.
	reserve(persons, groups int)
	// setUp sets the operation up with these commands.
	setUp(operation []airbridge.Command) error
	register(gi int) error
	atGate(p, gate int) error
	clear(p int) error
	stage(p int) error
	// schedule adds flight fi, and returns its destination as the domain
	// reads it (see flightDestination).
	schedule(fi int) (dest string, err error)
	// fly puts the chosen groups on flight fi's manifest, as far as the
	// rules let it (a transit hub's intake for the day may be short),
	// boards them, closes the flight and departs it. It returns the groups
	// carried, in the order chosen.
	fly(fi int, chosen []int) ([]int, error)
}

// ledger runs every step as a domain command on an airbridge.State, which
// builds and applies its events, as the server would.
type ledger struct {
	e   *engine
	st  *airbridge.State
	ids []string // the persons' ids, by index
	// The commands issued per person and group are built in these and
	// passed by pointer: the domain keeps nothing of a command, and a
	// command's value in an interface would be a new allocation each.
	registration airbridge.RegisterGroup
	scan         airbridge.Scan
	screen       airbridge.Screen
	board        airbridge.BoardGroup
	carried      []int
}

func (w *ledger) reserve(persons, groups int) {
	w.st = airbridge.NewStateFor(persons, groups)
	w.ids = make([]string, 0, persons)
}

// do decides cmd on the domain's state and applies its events.
func (w *ledger) do(cmd airbridge.Command) error {
	env := airbridge.Envelope{Actor: "sim", Time: w.e.time(w.e.clock)}
	events, err := w.st.Decide(cmd, env)
	if err != nil {
		return err
	}
	for _, ev := range events {
		if err := w.st.Apply(ev); err != nil {
			return err
		}
	}
	w.e.res.Commands++
	return nil
}

func (w *ledger) setUp(operation []airbridge.Command) error {
	for i, cmd := range operation {
		if err := w.do(cmd); err != nil {
			if i == 0 {
				return fmt.Errorf("configure: %w", err)
			}
			return err
		}
	}
	return nil
}

func (w *ledger) register(gi int) error {
	g := &w.e.groups[gi]
	persons := w.registration.Persons[:0] // the last registration's, reused
	w.ids = grow(w.ids, len(w.e.groupOf))
	for p, end := g.members(); p < end; p++ {
		w.ids[p] = id('P', p+1)
		persons = append(persons, airbridge.PersonInput{ID: w.ids[p], Surname: "Sim", Nationality: nationality, Category: category})
	}
	w.registration = airbridge.RegisterGroup{GroupInput: airbridge.GroupInput{ID: id('G', gi+1), Nation: w.e.nations[g.ni], Persons: persons}}
	return w.do(&w.registration)
}

func (w *ledger) atGate(p, gate int) error {
	w.scan = airbridge.Scan{PersonID: w.ids[p], Site: w.e.gates[gate].site}
	return w.do(&w.scan)
}

func (w *ledger) clear(p int) error {
	w.screen = airbridge.Screen{PersonID: w.ids[p], Decision: airbridge.Cleared}
	return w.do(&w.screen)
}

func (w *ledger) stage(p int) error {
	w.scan = airbridge.Scan{PersonID: w.ids[p], Site: "holding"}
	return w.do(&w.scan)
}

func (w *ledger) schedule(fi int) (string, error) {
	in := flightInput(w.e, fi)
	if err := w.do(airbridge.ScheduleFlight{FlightInput: in}); err != nil {
		return "", err
	}
	return w.st.Flights[in.ID].Destination, nil
}

// flightInput is the domain's flight for flight fi.
func flightInput(e *engine, fi int) airbridge.FlightInput {
	f := e.flights[fi]
	return airbridge.FlightInput{ID: f.id, Callsign: "SIM" + f.id, Operator: f.nation, Aircraft: airbridge.AircraftType(f.aircraft),
		Seats: f.seats, Slot: e.time(f.due), Destination: flightDestination(f.dest)}
}

func (w *ledger) fly(fi int, chosen []int) ([]int, error) {
	f := w.e.flights[fi]
	if len(chosen) > 0 {
		publish := airbridge.FlightManifest{FlightID: f.id}
		for _, gi := range chosen {
			publish.Groups = append(publish.Groups, id('G', gi+1))
		}
		if err := w.do(airbridge.PublishManifest{Flights: []airbridge.FlightManifest{publish}}); err != nil {
			if airbridge.ErrorCode(err) != airbridge.ECONFLICT && airbridge.ErrorCode(err) != airbridge.EINVALID {
				return nil, fmt.Errorf("publish the manifest of %s: %w", f.id, err)
			}
			// The hub's intake for the day is short: group by group, as
			// far as it goes.
			for _, gid := range publish.Groups {
				if err := w.do(airbridge.ManifestGroup{FlightID: f.id, GroupID: gid}); err != nil && airbridge.ErrorCode(err) != airbridge.ECONFLICT {
					return nil, fmt.Errorf("manifest %s on %s: %w", gid, f.id, err)
				}
			}
		}
	}
	if err := w.do(airbridge.FlightAction{FlightID: f.id, Action: airbridge.ActionBoarding}); err != nil {
		return nil, err
	}
	w.carried = w.carried[:0]
	for _, gi := range chosen {
		first := w.ids[w.e.groups[gi].first]
		if w.st.Persons[first].FlightID != f.id {
			continue
		}
		w.board = airbridge.BoardGroup{FlightID: f.id, GroupID: w.st.Persons[first].GroupID}
		if err := w.do(&w.board); err != nil {
			return nil, fmt.Errorf("board %s on %s: %w", w.board.GroupID, f.id, err)
		}
		w.carried = append(w.carried, gi)
	}
	if err := w.do(airbridge.FlightAction{FlightID: f.id, Action: airbridge.ActionClose}); err != nil {
		return nil, err
	}
	dep := airbridge.FlightAction{FlightID: f.id, Action: airbridge.ActionDepart}
	if err := w.do(dep); err != nil {
		if airbridge.ErrorCode(err) != airbridge.ECONFLICT {
			return nil, err
		}
		dep.Override = "simulated: the slot is kept"
		if err := w.do(dep); err != nil {
			return nil, fmt.Errorf("depart %s: %w", f.id, err)
		}
	}
	return w.carried, nil
}

// compact keeps each person's stage and screening decision and each
// flight's status and load in flat arrays, and moves them by the domain's
// rules as functions of values. The operation (policy and sites) is set up
// on an airbridge.State, so the domain checks it, as it checks one
// registration of each nation's persons and every flight's schedule.
type compact struct {
	e  *engine
	st *airbridge.State

	stages  []uint8 // by person: its stage's index in airbridge.Stages
	cleared []bool  // by person: screened and cleared, the only decision the sim makes
	on      []int32 // by group: the flight it is on, plus one; 0: none
	// together holds, by group, the index of the stage of all its members
	// plus one, once they are all staged: from then on a group moves as
	// one. 0: not yet.
	together []uint8

	status     []airbridge.FlightStatus // by flight
	manifested []int                    // by flight
	hubUsed    map[hubDay]int           // persons manifested to a hub, by day
	carried    []int
}

type hubDay struct {
	hub string
	day int64 // days since 1970, UTC
}

func (w *compact) reserve(persons, groups int) {
	w.stages = make([]uint8, 0, persons)
	w.cleared = make([]bool, 0, persons)
	w.on = make([]int32, 0, groups)
	w.together = make([]uint8, 0, groups)
}

func (w *compact) do(cmd airbridge.Command) error {
	events, err := w.st.Decide(cmd, airbridge.Envelope{Actor: "sim", Time: w.e.time(w.e.clock)})
	if err != nil {
		return err
	}
	for _, ev := range events {
		if err := w.st.Apply(ev); err != nil {
			return err
		}
	}
	return nil
}

func (w *compact) setUp(operation []airbridge.Command) error {
	w.st = airbridge.NewState()
	w.hubUsed = map[hubDay]int{}
	for i, cmd := range operation {
		if err := w.do(cmd); err != nil {
			if i == 0 {
				return fmt.Errorf("configure: %w", err)
			}
			return err
		}
		w.e.res.Commands++
	}
	// The persons of a nation differ only in their ids: the domain checks
	// one registration of each, as large as groups come.
	for _, nation := range w.e.nations {
		in := airbridge.GroupInput{ID: "check-" + nation, Nation: nation}
		for i := range len(w.e.sc.Arrivals.GroupSize) {
			in.Persons = append(in.Persons, airbridge.PersonInput{ID: fmt.Sprintf("check-%s-%d", nation, i+1), Surname: "Sim", Nationality: nationality, Category: category})
		}
		if err := w.do(airbridge.RegisterGroup{GroupInput: in}); err != nil {
			return fmt.Errorf("register the persons of %s: %w", nation, err)
		}
	}
	return nil
}

func (w *compact) register(gi int) error {
	g := &w.e.groups[gi]
	w.stages = grow(w.stages, len(w.e.groupOf))
	w.cleared = grow(w.cleared, len(w.e.groupOf))
	w.on = grow(w.on, len(w.e.groups))
	w.together = grow(w.together, len(w.e.groups))
	for p, end := g.members(); p < end; p++ {
		w.stages[p] = codeRegistered
	}
	w.e.res.Commands++
	return nil
}

// stageOf returns person p's stage.
func (w *compact) stageOf(p int) airbridge.Stage {
	if t := w.together[w.e.groupOf[p]]; t != 0 {
		return stageNames[t-1]
	}
	return stageNames[w.stages[p]]
}

// staged reports whether all of group gi is staged, and from then on moves
// the group as one, as the domain does.
func (w *compact) staged(gi int) bool {
	if t := w.together[gi]; t != 0 {
		return t-1 == codeStaged
	}
	g := &w.e.groups[gi]
	for p, end := g.members(); p < end; p++ {
		if stageNames[w.stages[p]] != airbridge.Staged {
			return false
		}
	}
	w.together[gi] = codeStaged + 1
	return true
}

// stageNames is airbridge.Stages in an array a byte indexes without a
// bounds check.
var stageNames = func() (names [256]airbridge.Stage) {
	copy(names[:], airbridge.Stages)
	return names
}()

// The stages' indexes in airbridge.Stages, which lists them all.
var (
	codeRegistered = stageIndex(airbridge.Registered)
	codeAtGate     = stageIndex(airbridge.AtGate)
	codeScreened   = stageIndex(airbridge.Screened)
	codeStaged     = stageIndex(airbridge.Staged)
	codeManifested = stageIndex(airbridge.Manifested)
	codeBoarded    = stageIndex(airbridge.Boarded)
	codeDeparted   = stageIndex(airbridge.Departed)
)

func stageIndex(st airbridge.Stage) uint8 {
	i := slices.Index(airbridge.Stages, st)
	if i < 0 {
		panic("airbridge.Stages lacks the stage " + string(st))
	}
	return uint8(i)
}

// stageCode returns st's index in airbridge.Stages: at once for the stages
// a run moves persons to, else by looking it up.
func stageCode(st airbridge.Stage) uint8 {
	switch st {
	case airbridge.AtGate:
		return codeAtGate
	case airbridge.Staged:
		return codeStaged
	case airbridge.Boarded:
		return codeBoarded
	}
	return stageIndex(st)
}

// decision returns person p's screening decision.
func (w *compact) decision(p int) string {
	if w.cleared[p] {
		return airbridge.Cleared
	}
	return ""
}

// move moves person p by a scan at a site of kind k.
func (w *compact) move(p int, k airbridge.SiteKind) error {
	to, ok := airbridge.ScanMoves(k, w.stageOf(p), w.decision(p))
	if !ok {
		return fmt.Errorf("person P%d is %s, and a %s does not take a scan of it", p+1, w.stageOf(p), k)
	}
	w.stages[p] = stageCode(to)
	return nil
}

func (w *compact) atGate(p, _ int) error {
	w.e.res.Commands++
	return w.move(p, airbridge.Gate)
}

func (w *compact) stage(p int) error {
	w.e.res.Commands++
	return w.move(p, airbridge.Holding)
}

func (w *compact) clear(p int) error {
	if !airbridge.Screenable(w.stageOf(p), w.decision(p)) {
		return fmt.Errorf("person P%d is %s, and screening needs at_gate or a referral", p+1, w.stageOf(p))
	}
	w.stages[p], w.cleared[p] = codeScreened, true
	w.e.res.Commands++
	return nil
}

func (w *compact) schedule(fi int) (string, error) {
	in, err := flightInput(w.e, fi).Check(*w.st.Policy)
	if err != nil {
		return "", err
	}
	w.status = grow(w.status, len(w.e.flights))
	w.manifested = grow(w.manifested, len(w.e.flights))
	w.status[fi] = airbridge.StatusScheduled
	w.e.res.Commands++
	return in.Destination, nil
}

// act takes a flight action on flight fi.
func (w *compact) act(fi int, action string) error {
	to, ok := airbridge.FlightActionAllowed(w.status[fi], action)
	if !ok {
		return fmt.Errorf("flight %s is %s, which does not take the action %s", w.e.flights[fi].id, w.status[fi], action)
	}
	w.status[fi] = to
	w.e.res.Commands++
	return nil
}

// hubRoom returns how many more persons flight fi's transit hub takes on
// the day of its slot, or -1 if it is not a limited hub.
func (w *compact) hubRoom(fi int) (int, hubDay) {
	f := w.e.flights[fi]
	site, ok := w.st.Sites[f.dest]
	if !ok || site.Kind != airbridge.Hub {
		return -1, hubDay{}
	}
	slot := w.e.time(f.due).UTC()
	k := hubDay{f.dest, slot.Unix() / 86400}
	return airbridge.HubRoom(site.Capacity, w.hubUsed[k], 0), k
}

// manifests reports whether group gi may go on flight fi's manifest.
func (w *compact) manifests(fi, gi int, room int) bool {
	g := &w.e.groups[gi]
	return w.staged(gi) && airbridge.FitsSeats(w.e.flights[fi].seats, w.manifested[fi], g.persons()) && (room < 0 || g.persons() <= room)
}

func (w *compact) manifest(fi, gi int, k hubDay) {
	g := &w.e.groups[gi]
	w.together[gi] = codeManifested + 1
	w.on[gi] = int32(fi + 1)
	w.manifested[fi] += g.persons()
	if k.hub != "" {
		w.hubUsed[k] += g.persons()
	}
}

func (w *compact) fly(fi int, chosen []int) ([]int, error) {
	if len(chosen) > 0 {
		if !w.status[fi].Open() {
			return nil, fmt.Errorf("flight %s is %s, and takes no manifest", w.e.flights[fi].id, w.status[fi])
		}
		// The manifest as published, whole if it all fits; else group by
		// group, as far as the hub's intake for the day goes.
		room, k := w.hubRoom(fi)
		total, fits := 0, true
		for _, gi := range chosen {
			total += w.e.groups[gi].persons()
			fits = fits && w.manifests(fi, gi, -1)
		}
		if fits && airbridge.FitsSeats(w.e.flights[fi].seats, w.manifested[fi], total) && (room < 0 || total <= room) {
			for _, gi := range chosen {
				w.manifest(fi, gi, k)
			}
			w.e.res.Commands++
		} else {
			for _, gi := range chosen {
				if room, _ := w.hubRoom(fi); w.manifests(fi, gi, room) {
					w.manifest(fi, gi, k)
					w.e.res.Commands++
				}
			}
		}
	}
	if err := w.act(fi, airbridge.ActionBoarding); err != nil {
		return nil, err
	}
	w.carried = w.carried[:0]
	for _, gi := range chosen {
		if w.on[gi] != int32(fi+1) {
			continue
		}
		if !airbridge.Boardable(w.status[fi]) {
			return nil, fmt.Errorf("flight %s is %s, and boards nobody", w.e.flights[fi].id, w.status[fi])
		}
		first, _ := w.e.groups[gi].members()
		to, ok := airbridge.ScanMoves(airbridge.Ramp, w.stageOf(first), w.decision(first))
		if !ok {
			return nil, fmt.Errorf("group G%d is %s, and does not board", gi+1, w.stageOf(first))
		}
		w.together[gi] = stageCode(to) + 1
		w.e.res.Commands++
		w.carried = append(w.carried, gi)
	}
	if err := w.act(fi, airbridge.ActionClose); err != nil {
		return nil, err
	}
	if err := w.act(fi, airbridge.ActionDepart); err != nil {
		return nil, err
	}
	for _, gi := range w.carried {
		first, _ := w.e.groups[gi].members()
		if airbridge.Departs(w.stageOf(first)) {
			w.together[gi] = codeDeparted + 1
		}
	}
	return w.carried, nil
}

// grow returns s extended with zero values to length n, if shorter. Groups
// are made in the order their arrival is drawn, and may arrive in another.
func grow[T any](s []T, n int) []T {
	if n <= len(s) {
		return s
	}
	return slices.Grow(s, n-len(s))[:n]
}
