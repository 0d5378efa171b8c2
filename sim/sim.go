// Package sim is the airport's digital twin: a discrete-event simulation of
// an evacuation on a virtual clock, with seeded randomness, that moves its
// people and flights by the domain's own rules and fills coordinated
// flights with the manifest optimizer. The rules are the domain's functions
// of values (airbridge.ScanMoves and the others), which the run applies to
// compact state of its own; or, with Options.Ledger, commands decided on an
// airbridge.State, whose events it applies. Both give the same result. It
// is pure and deterministic: the same scenario, policy and seed give the
// same Result, bit for bit.
//
// The model. Groups arrive at the gates (uncontrolled, by the scenario's
// daily profile, as a Poisson process; or called forward, as many each
// half hour as the gates can take). A group joins the gate with the fewest
// persons waiting; each lane checks one person at a time (service time by
// the scenario's distribution); a closed gate starts nobody. A checked
// person is screened, cleared and staged in holding if it has room (else
// waits for room, still in the crowd). A group is ready when all its
// members are staged. Flights are generated per nation and aircraft type,
// evenly over each day; each needs a place on the ramp for its turnaround,
// departs no sooner than the runway spacing after the last, and not while
// its destination hub is out. At departure it takes ready groups: under the
// historical policy only its own nation's, first come first served; under
// the coordinated policy any nation's, chosen by the manifest optimizer,
// and it waits (up to an hour) for more while it is under the load guard's
// threshold and people are still coming through the gates.
package sim

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"airbridge"
	"airbridge/manifest"
)

// The policies a run compares.
const (
	Historical  = "historical"  // each nation its own, first come at the gates, no load guard
	Coordinated = "coordinated" // call-forward slots, coalition seat-sharing by the optimizer, load guard
)

// Options choose a run.
type Options struct {
	Policy string
	Seed   uint64
	// Days, if not 0, overrides the scenario's length.
	Days int
	// Progress, if not nil, is told each simulated day that ends.
	Progress func(day int)
	// Ledger runs every step as a domain command on an airbridge.State,
	// building and applying its events as the server would. The result is
	// the same, bit for bit (TestLedgerSameResult); it takes 25 to 35 times
	// as long under the historical policy, 7 to 10 under the coordinated one,
	// where the optimizer takes most of a run. Without it the run keeps each person's stage and each
	// flight's status compactly and moves them by the same rules, the
	// domain's functions of values (airbridge.ScanMoves and the others).
	Ledger bool
}

// Result is what a run measured.
type Result struct {
	Scenario string `json:"scenario"`
	Policy   string `json:"policy"`
	Seed     uint64 `json:"seed"`
	Days     int    `json:"days"`

	Arrived   int   `json:"arrived"`
	Evacuated int   `json:"evacuated"`
	Flights   int   `json:"flights"`
	PerDay    []int `json:"per_day"`
	// Peak24h is the most persons flown out in any 24 hours (hour-aligned).
	Peak24h int `json:"peak_24h"`
	// SeatsDeparted is the seats of the flights that left; SeatUtilization
	// the share of them taken.
	SeatsDeparted   int     `json:"seats_departed"`
	SeatUtilization float64 `json:"seat_utilization"`
	// EmptySeatsDeparted counts the seats that left empty while cleared
	// people were ready to board.
	EmptySeatsDeparted int `json:"empty_seats_departed"`
	// PeakGateCrowd is the most persons waiting outside the gates at once.
	PeakGateCrowd   int     `json:"peak_gate_crowd"`
	MeanGateWaitMin float64 `json:"mean_gate_wait_min"`
	// TimeInSystem is from arrival at a gate to departure, of those
	// evacuated, in minutes.
	TimeInSystemP50Min float64 `json:"time_in_system_p50_min"`
	TimeInSystemP95Min float64 `json:"time_in_system_p95_min"`
	// LeftBehind is who arrived and was not flown out by the end.
	LeftBehind int `json:"left_behind"`
	// HubStopMin is how long departures stood still for a hub outage, and
	// StrandedPeak the most processed people in holding meanwhile.
	HubStopMin   float64 `json:"hub_stop_min"`
	StrandedPeak int     `json:"stranded_peak"`
	// Commands is how many domain commands the run decided, or on compact
	// state how many it would have: its steps the rules allowed.
	Commands int `json:"commands"`
}

type eventKind uint8

const (
	evHour eventKind = iota
	evArrive
	evServiceDone
	evGateOpen
	evFlightLands
	evFlightDue
)

// event is small, since the queue moves events from bucket to bucket. Its
// arguments are indexes: of an hour, group, gate, flight or person.
type event struct {
	t    float64
	a, b int32
	kind eventKind
}

// eventQueue gives events in the order they happen, by time and then by
// the order they were scheduled, on the condition that none is scheduled
// before the last it gave: a radix heap. An event's time, a float64 that
// is never negative, orders as its bits do; the event goes to the bucket
// of the highest bit in which those differ from the last time given.
// Scheduling is an append; the first event is in bucket 0, or found by
// spreading the lowest bucket not empty over the ones below it, which an
// event goes through a few times at most. Landings and arrivals, planned
// long before they happen, cost no more in it than the next hour's events.
//
// Each bucket holds its events in the order they were scheduled: they are
// appended, and a bucket is spread only into empty ones. So bucket 0, the
// events at the last time, gives them from its front.
type eventQueue struct {
	last    uint64 // the bits of the time of the last event given
	buckets [65][]event
	head    int    // bucket 0's events before head were given
	full    uint64 // bit b-1 set: bucket b is not empty (b ≥ 1)
	n       int
}

func (q *eventQueue) bucket(t float64) int { return bits.Len64(math.Float64bits(t) ^ q.last) }

func (q *eventQueue) len() int { return q.n }

// push schedules ev, which must not be before the last event popped (nor
// NaN).
func (q *eventQueue) push(ev event) {
	q.put(ev)
	q.n++
}

func (q *eventQueue) put(ev event) {
	b := q.bucket(ev.t)
	q.buckets[b] = append(q.buckets[b], ev)
	if b > 0 {
		q.full |= 1 << (b - 1)
	}
}

// pop removes and returns the first event; q must not be empty.
func (q *eventQueue) pop() event {
	if q.head == len(q.buckets[0]) {
		q.buckets[0], q.head = q.buckets[0][:0], 0
		i := bits.TrailingZeros64(q.full) + 1
		spread := q.buckets[i]
		q.buckets[i] = spread[:0]
		q.full &^= 1 << (i - 1)
		first := spread[0].t
		for _, ev := range spread[1:] {
			first = min(first, ev.t)
		}
		q.last = math.Float64bits(first)
		for _, ev := range spread {
			q.put(ev) // to a bucket below i
		}
	}
	ev := q.buckets[0][q.head]
	q.head++
	q.n--
	return ev
}

// group holds no pointer, so that the collector need not look into the
// run's groups, and small numbers, so that a run's memory is small: on a
// virtual machine, first touching fresh memory can take as long as the rest
// of the run.
type group struct {
	ni int32 // the nation's index in engine.nations
	// Its members are the persons first, first+1, … first+size-1.
	first, size int32
	staged      int32
	arrive      float64 // at the gates, all together
	readyAt     float64
	done        bool // boarded
}

// members returns the persons of g: first, first+1, … end-1.
func (g *group) members() (first, end int) { return int(g.first), int(g.first + g.size) }

func (g *group) persons() int { return int(g.size) }

// fifo is a first-in, first-out list of indexes. What it handed out is
// dropped from the front of its array once that is more than half of it.
type fifo struct {
	list []int
	head int
}

func (q *fifo) push(x int) { q.list = append(q.list, x) }

func (q *fifo) len() int { return len(q.list) - q.head }

// items returns the list's items, first first.
func (q *fifo) items() []int { return q.list[q.head:] }

// pop removes and returns the first item; q must not be empty.
func (q *fifo) pop() int {
	x := q.list[q.head]
	q.drop(1)
	return x
}

// drop removes the first n items.
func (q *fifo) drop(n int) {
	q.head += n
	if q.head > 4096 && q.head*2 > len(q.list) {
		q.list = append(q.list[:0], q.list[q.head:]...)
		q.head = 0
	}
}

// waiting drops the boarded groups at the front of q, a list of ready
// groups oldest first, and returns q's groups from its first not boarded.
func (e *engine) waiting(q *fifo) []int {
	n := 0
	for _, gi := range q.items() {
		if !e.groups[gi].done {
			break
		}
		n++
	}
	q.drop(n)
	return q.items()
}

type gate struct {
	Gate
	site  string // its site in the domain
	queue fifo   // persons waiting
	busy  int
}

func (g *gate) waiting() int { return g.queue.len() }

func (g *gate) closed(t float64) (bool, float64) {
	for _, w := range g.Closures {
		if w.holds(t) {
			return true, w.ToMin
		}
	}
	return false, 0
}

type flight struct {
	id        string
	aircraft  string
	nation    string
	ni        int // the nation's index in engine.nations, or -1
	seats     int
	due       float64 // planned departure
	dest      string
	heldSince float64
	onGround  bool
}

type engine struct {
	clock  float64 // the virtual time, in minutes from the start
	sc     *Scenario
	opt    Options
	days   int
	end    float64
	rng    *rand.Rand
	world  world
	q      eventQueue
	policy airbridge.Policy

	// groupOf gives each person's group; a group's members follow each
	// other.
	groupOf []int32
	groups  []group
	gates   []*gate
	flights []*flight
	nations []string
	shares  []float64
	// The sums of the nations' shares and of the group sizes' weights.
	shareWeight, sizeWeight float64

	// crowd counts the persons outside: waiting at the gates, or checked
	// and waiting for room in holding.
	crowd       int
	holding     int  // persons staged
	holdingWait fifo // persons checked, waiting for room in holding
	// The ready groups: under the historical policy, which takes a
	// nation's own, by nation (as engine.nations); else all in one.
	ready        fifo
	readyOf      []fifo
	readyCount   int   // ready groups not boarded
	readyPersons int   // their persons
	chosen       []int // the last flight's groups, reused
	onGround     int
	rampWait     []int // flights waiting for a place on the ramp
	lastDepart   float64
	hubs         map[string]Hub

	backlog  float64 // coordinated: persons not yet called
	perHour  []int   // persons flown out, by hour
	waitSum  float64
	waitN    int
	inSystem []float64
	res      Result
}

// Run simulates sc under opt.
func Run(sc *Scenario, opt Options) (*Result, error) {
	if opt.Policy != Historical && opt.Policy != Coordinated {
		return nil, fmt.Errorf("policy %q: must be %s or %s", opt.Policy, Historical, Coordinated)
	}
	if opt.Days < 0 || opt.Days > maxDays {
		return nil, fmt.Errorf("days %d: must be 0..%d", opt.Days, maxDays)
	}
	e := &engine{sc: sc, opt: opt, days: sc.Days, rng: rand.New(rand.NewPCG(opt.Seed, 0x61697262726964)),
		hubs: map[string]Hub{}, lastDepart: math.Inf(-1)}
	if opt.Ledger {
		e.world = &ledger{e: e, st: airbridge.NewState()}
	} else {
		e.world = &compact{e: e}
	}
	if opt.Days > 0 {
		e.days = opt.Days
	}
	e.end = float64(e.days) * 1440
	e.res = Result{Scenario: sc.Name, Policy: opt.Policy, Seed: opt.Seed, Days: e.days, PerDay: make([]int, e.days)}
	e.perHour = make([]int, e.days*24)
	if err := e.setUp(); err != nil {
		return nil, err
	}
	dayEnd := 1440.0 // when the day being simulated ends
	for {
		ev, ok := e.next()
		if !ok || ev.t >= e.end {
			break
		}
		if ev.t >= dayEnd {
			d := int(ev.t / 1440)
			if opt.Progress != nil {
				opt.Progress(d)
			}
			dayEnd = float64(d+1) * 1440
		}
		e.clock = ev.t
		if err := e.handle(ev); err != nil {
			return nil, fmt.Errorf("minute %.1f: %w", ev.t, err)
		}
		e.watch()
	}
	e.clock = e.end
	e.finish()
	return &e.res, nil
}

// next removes and returns the first event, if there is one.
func (e *engine) next() (event, bool) {
	if e.q.len() == 0 {
		return event{}, false
	}
	return e.q.pop(), true
}

func (e *engine) at(t float64, kind eventKind, a, b int) {
	e.q.push(event{t: t, kind: kind, a: int32(a), b: int32(b)})
}

// time returns the wall-clock time of minute t of the run.
func (e *engine) time(t float64) time.Time {
	return e.sc.Start.Add(time.Duration(t * float64(time.Minute)))
}

func (e *engine) setUp() error {
	guard := 0.0
	if e.opt.Policy == Coordinated {
		guard = 0.9
	}
	for _, n := range e.sc.Nations {
		e.nations = append(e.nations, n.Code)
		e.shares = append(e.shares, n.Share)
		e.shareWeight += n.Share
	}
	for _, w := range e.sc.Arrivals.GroupSize {
		e.sizeWeight += w
	}
	e.readyOf = make([]fifo, len(e.nations))
	// Room for the persons and groups the arrivals bring on average, and a
	// little more, so that the slices rarely grow.
	expected := 0.0
	for d := range e.days {
		expected += at(e.sc.Arrivals.PerDay, d)
	}
	if n := int(min(expected*1.05, 1<<22)); n > 0 {
		groups := n
		if m := e.meanGroup(); m >= 1 {
			groups = int(float64(n) / m)
		}
		e.groupOf = make([]int32, 0, n)
		e.groups = make([]group, 0, groups)
		e.inSystem = make([]float64, 0, n)
		e.world.reserve(n, groups)
	}
	e.policy = airbridge.Policy{Name: e.sc.Name, Nations: e.nations, Categories: airbridge.DefaultCategories(), LoadGuard: &guard,
		MaxSeats: map[airbridge.AircraftType]int{}}
	// The scenario's loads are the operation's seat limits, where they go
	// past the aircraft's standard seats.
	limit := func(aircraft string, seats int) {
		t := airbridge.AircraftType(aircraft)
		if a, ok := airbridge.LookupAircraft(t); ok && seats > a.StandardSeats {
			e.policy.MaxSeats[t] = max(e.policy.MaxSeats[t], seats)
		}
	}
	for _, f := range e.sc.Flights {
		limit(f.Aircraft, f.Seats)
	}
	for _, f := range e.sc.Schedule {
		limit(f.Aircraft, f.Seats)
	}
	for _, g := range e.sc.Gates {
		e.gates = append(e.gates, &gate{Gate: g, site: "gate-" + g.ID})
	}
	for _, h := range e.sc.Hubs {
		e.hubs[h.ID] = h
	}
	if err := e.world.setUp(e.operation()); err != nil {
		return err
	}
	// Flights: every departure of every day, planned now.
	flights := 0
	for _, fg := range e.sc.Flights {
		for d := range e.days {
			flights += atInt(fg.PerDay, d)
		}
	}
	if flights += len(e.sc.Schedule); flights > maxRunFlights {
		return fmt.Errorf("%d flights over %d days: at most %d", flights, e.days, maxRunFlights)
	}
	for _, fg := range e.sc.Flights {
		for d := range e.days {
			n := atInt(fg.PerDay, d)
			for k := range n {
				due := float64(d)*1440 + (float64(k)+0.5)*1440/float64(n)
				e.plan(&flight{aircraft: fg.Aircraft, nation: fg.Nation, seats: fg.Seats, due: due, dest: fg.Destination}, fg.TurnaroundMin)
			}
		}
	}
	for _, sf := range e.sc.Schedule {
		if sf.AtMin < e.end {
			e.plan(&flight{aircraft: sf.Aircraft, nation: sf.Nation, seats: sf.Seats, due: sf.AtMin, dest: sf.Destination}, sf.TurnaroundMin)
		}
	}
	e.at(0, evHour, 0, 0)
	return nil
}

// operation returns the commands that set the operation up: its policy,
// and a site for each gate, holding and each transit hub.
func (e *engine) operation() []airbridge.Command {
	cmds := []airbridge.Command{airbridge.ConfigureOperation{Policy: e.policy}}
	for _, g := range e.gates {
		cmds = append(cmds, airbridge.AddSite{Site: airbridge.Site{ID: g.site, Kind: airbridge.Gate}})
	}
	// The sim keeps holding's capacity itself; the domain's site takes it
	// when it is within the domain's range.
	holding := airbridge.Site{ID: "holding", Kind: airbridge.Holding}
	if e.sc.Holding.Capacity <= 1_000_000 {
		holding.Capacity = e.sc.Holding.Capacity
	}
	cmds = append(cmds, airbridge.AddSite{Site: holding})
	for _, h := range e.sc.Hubs {
		cmds = append(cmds, airbridge.AddSite{Site: airbridge.Site{ID: h.ID, Name: h.Name, Kind: airbridge.Hub, Capacity: h.IntakePerDay}})
	}
	return cmds
}

// plan adds a flight, which lands turnaround minutes before it is due.
func (e *engine) plan(f *flight, turnaround float64) {
	f.id = id('F', len(e.flights)+1)
	f.ni = slices.Index(e.nations, f.nation)
	e.flights = append(e.flights, f)
	e.at(max(f.due-turnaround, 0), evFlightLands, len(e.flights)-1, 0)
}

func (e *engine) handle(ev event) error {
	a, b := int(ev.a), int(ev.b)
	switch ev.kind {
	case evHour:
		return e.hour(a)
	case evArrive:
		return e.arrive(a)
	case evServiceDone:
		return e.serviceDone(a, b)
	case evGateOpen:
		return e.serve(a)
	case evFlightLands:
		return e.lands(a)
	case evFlightDue:
		return e.depart(a)
	}
	return fmt.Errorf("unknown event %d", ev.kind)
}

// meanGroup is the mean group size.
func (e *engine) meanGroup() float64 {
	sum, n := 0.0, 0.0
	for i, w := range e.sc.Arrivals.GroupSize {
		sum += float64(i+1) * w
		n += w
	}
	return sum / n
}

// pick draws an index with probability its weight over total, their sum.
func pick(rng *rand.Rand, weights []float64, total float64) int {
	x := rng.Float64() * total
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

// hour schedules the arrivals of hour h and the next hour.
func (e *engine) hour(h int) error {
	start := float64(h) * 60
	if start >= e.end {
		return nil
	}
	e.at(start+60, evHour, h+1, 0)
	a := e.sc.Arrivals
	day := h / 24
	perDay := at(a.PerDay, day)
	if e.opt.Policy == Coordinated {
		// Called forward: the day's people come in equal parts each half
		// hour, no more than the open lanes can check in that time.
		e.backlog += perDay / 24
		for half := range 2 {
			t0 := start + float64(half)*30
			capacity := 0.0
			for _, g := range e.gates {
				if closed, _ := g.closed(t0); !closed {
					capacity += float64(g.Lanes) * 30 / g.Service.MeanMin * 0.9
				}
			}
			call := min(e.backlog, capacity)
			e.backlog -= call
			for persons := call; persons > 0; {
				size := 1 + pick(e.rng, a.GroupSize, e.sizeWeight)
				persons -= float64(size)
				e.newGroup(t0+e.rng.Float64()*30, size)
			}
		}
		return nil
	}
	weight := 1.0
	if len(a.Profile) == 24 {
		total := 0.0
		for _, w := range a.Profile {
			total += w
		}
		weight = a.Profile[h%24] / total
	} else {
		weight = 1.0 / 24
	}
	rate := perDay * weight / e.meanGroup() / 60 // groups a minute
	if rate <= 0 {
		return nil
	}
	for t := start + e.rng.ExpFloat64()/rate; t < start+60; t += e.rng.ExpFloat64() / rate {
		e.newGroup(t, 1+pick(e.rng, a.GroupSize, e.sizeWeight))
	}
	return nil
}

func (e *engine) newGroup(t float64, size int) {
	gi := len(e.groups)
	ni := pick(e.rng, e.shares, e.shareWeight)
	g := group{ni: int32(ni), first: int32(len(e.groupOf)), size: int32(size), arrive: t}
	for range size {
		e.groupOf = append(e.groupOf, int32(gi))
	}
	e.groups = append(e.groups, g)
	e.at(t, evArrive, gi, 0)
}

// id returns prefix followed by n in decimal, such as "P12", in one
// allocation.
func id(prefix byte, n int) string {
	var b [24]byte
	return string(strconv.AppendInt(append(b[:0], prefix), int64(n), 10))
}

// arrive registers a group and queues its members at the least busy open
// gate (any gate, if all are closed).
func (e *engine) arrive(gi int) error {
	g := &e.groups[gi]
	if err := e.world.register(gi); err != nil {
		return err
	}
	e.res.Arrived += g.persons()
	best := -1
	for _, open := range []bool{true, false} { // an open gate if there is one
		for i, gt := range e.gates {
			if open && isClosed(gt, e.clock) {
				continue
			}
			if best < 0 || gt.waiting()+gt.busy < e.gates[best].waiting()+e.gates[best].busy {
				best = i
			}
		}
		if best >= 0 {
			break
		}
	}
	gt := e.gates[best]
	for p := range g.persons() {
		gt.queue.push(int(g.first) + p)
	}
	e.crowd += g.persons()
	return e.serve(best)
}

func isClosed(g *gate, t float64) bool {
	c, _ := g.closed(t)
	return c
}

// serve starts whom the gate's free lanes can take.
func (e *engine) serve(gi int) error {
	gt := e.gates[gi]
	if closed, until := gt.closed(e.clock); closed {
		if gt.waiting() > 0 {
			e.at(until, evGateOpen, gi, 0)
		}
		return nil
	}
	for gt.busy < gt.Lanes && gt.waiting() > 0 {
		p := gt.queue.pop()
		e.crowd--
		gt.busy++
		e.waitSum += e.clock - e.groups[e.groupOf[p]].arrive
		e.waitN++
		if err := e.world.atGate(p, gi); err != nil {
			return err
		}
		d := e.service(gt.Service)
		if !(d >= 0 && d < math.Inf(1)) {
			return fmt.Errorf("gate %s: a service time of %v minutes drawn from %+v", gt.ID, d, gt.Service)
		}
		e.at(e.clock+d, evServiceDone, gi, p)
	}
	return nil
}

func (e *engine) service(s Service) float64 {
	switch s.Dist {
	case "fixed":
		return s.MeanMin
	case "lognormal":
		// The normal's parameters from the mean and standard deviation.
		v := math.Log(1 + (s.SDMin*s.SDMin)/(s.MeanMin*s.MeanMin))
		return math.Exp(math.Log(s.MeanMin) - v/2 + math.Sqrt(v)*e.rng.NormFloat64())
	}
	return e.rng.ExpFloat64() * s.MeanMin
}

// serviceDone clears a checked person, who goes to holding if there is
// room.
func (e *engine) serviceDone(gi, p int) error {
	e.gates[gi].busy--
	if err := e.world.clear(p); err != nil {
		return err
	}
	e.holdingWait.push(p)
	e.crowd++
	if err := e.admit(); err != nil {
		return err
	}
	return e.serve(gi)
}

// admit stages whom holding has room for.
func (e *engine) admit() error {
	for e.holdingWait.len() > 0 && e.holding < e.sc.Holding.Capacity {
		p := e.holdingWait.pop()
		e.crowd--
		if err := e.world.stage(p); err != nil {
			return err
		}
		e.holding++
		g := &e.groups[e.groupOf[p]]
		g.staged++
		if g.staged == g.size {
			g.readyAt = e.clock
			q := &e.ready
			if e.opt.Policy == Historical {
				q = &e.readyOf[g.ni]
			}
			q.push(int(e.groupOf[p]))
			e.readyCount++
			e.readyPersons += g.persons()
		}
	}
	return nil
}

// lands puts a flight on the ramp, or in line for a place.
func (e *engine) lands(fi int) error {
	if r := e.sc.Ramp; r != nil && e.onGround >= r.MaxOnGround {
		e.rampWait = append(e.rampWait, fi)
		return nil
	}
	return e.onRamp(fi)
}

func (e *engine) onRamp(fi int) error {
	f := e.flights[fi]
	f.onGround = true
	e.onGround++
	dest, err := e.world.schedule(fi)
	if err != nil {
		return fmt.Errorf("schedule %s: %w", f.id, err)
	}
	f.dest = dest // as the domain reads it, which names its hub
	e.at(max(f.due, e.clock), evFlightDue, fi, 0)
	return nil
}

// outage returns when the hub's outage that holds t ends, if one does.
func (e *engine) outage(dest string, t float64) (bool, float64) {
	h, ok := e.hubs[dest]
	if !ok {
		return false, 0
	}
	for _, w := range h.Outages {
		if w.holds(t) {
			return true, w.ToMin
		}
	}
	return false, 0
}

// maxHold is how long a coordinated flight under the load guard waits for
// more people.
const maxHold = 60.0

// depart fills a flight and sends it, unless its hub is out, the runway
// is not free yet, or (coordinated) it waits to fill.
func (e *engine) depart(fi int) error {
	f := e.flights[fi]
	if out, until := e.outage(f.dest, e.clock); out {
		e.at(until, evFlightDue, fi, 0)
		return nil
	}
	if r := e.sc.Ramp; r != nil && e.clock < e.lastDepart+r.SpacingMin {
		e.at(e.lastDepart+r.SpacingMin, evFlightDue, fi, 0)
		return nil
	}
	if e.opt.Policy == Coordinated && float64(e.readyPersons) < 0.9*float64(f.seats) && e.clock-f.due < maxHold && e.coming() {
		e.at(e.clock+10, evFlightDue, fi, 0) // hold for those coming through the gates
		return nil
	}
	chosen, _, err := e.choose(f)
	if err != nil {
		return err
	}
	boarded, err := e.world.fly(fi, chosen)
	if err != nil {
		return err
	}
	carried := 0
	for _, gi := range boarded {
		g := &e.groups[gi]
		g.done = true
		e.readyCount--
		e.readyPersons -= g.persons()
		carried += g.persons()
		for range g.size {
			e.inSystem = append(e.inSystem, e.clock-g.arrive)
		}
	}
	e.holding -= carried
	e.lastDepart = e.clock
	e.res.Flights++
	e.res.Evacuated += carried
	e.res.SeatsDeparted += f.seats
	if e.readyCount > 0 {
		e.res.EmptySeatsDeparted += f.seats - carried
	}
	if d := int(e.clock / 1440); d < len(e.res.PerDay) {
		e.res.PerDay[d] += carried
		e.perHour[int(e.clock/60)] += carried
	}
	e.onGround--
	f.onGround = false
	if len(e.rampWait) > 0 {
		next := e.rampWait[0]
		e.rampWait = e.rampWait[1:]
		if err := e.onRamp(next); err != nil {
			return err
		}
	}
	return e.admit()
}

// coming reports whether people are on their way to holding.
func (e *engine) coming() bool {
	if e.holdingWait.len() > 0 {
		return true
	}
	for _, g := range e.gates {
		if g.waiting()+g.busy > 0 {
			return true
		}
	}
	return false
}

// choose picks the ready groups a flight takes, and their persons.
func (e *engine) choose(f *flight) ([]int, int, error) {
	chosen := e.chosen[:0]
	defer func() { e.chosen = chosen }()
	load := 0
	if e.opt.Policy == Historical {
		if f.ni < 0 {
			return nil, 0, nil
		}
		for _, gi := range e.waiting(&e.readyOf[f.ni]) {
			g := &e.groups[gi]
			if g.done || load+g.persons() > f.seats {
				continue
			}
			chosen = append(chosen, gi)
			load += g.persons()
			if load == f.seats {
				break
			}
		}
		return chosen, load, nil
	}
	// Coordinated: the optimizer chooses among the longest waiting, as many
	// as could fill the flight twice over.
	candidates := 0
	in := &manifest.Instance{Weights: map[string]float64{}, Fixed: map[string]string{}}
	for r := 1; r <= 4; r++ {
		in.Weights[strconv.Itoa(r)] = e.policy.Weight(r)
	}
	departure := e.time(e.clock)
	in.Flights = []manifest.Flight{{ID: f.id, Operator: f.nation, Seats: f.seats, Departure: departure}}
	index := map[string]int{}
	for _, gi := range e.waiting(&e.ready) {
		g := &e.groups[gi]
		if g.done {
			continue
		}
		gid := id('G', gi+1)
		index[gid] = gi
		in.Groups = append(in.Groups, manifest.Group{ID: gid, Size: g.persons(), Priority: 2, Nationality: nationality, Category: category,
			Ready: e.time(g.readyAt)})
		if candidates += g.persons(); candidates >= 2*f.seats {
			break
		}
	}
	if len(in.Groups) == 0 {
		return nil, 0, nil
	}
	sol := manifest.Solve(in)
	for _, g := range in.Groups {
		if sol.Assignment[g.ID] == f.id {
			chosen = append(chosen, index[g.ID])
			load += g.Size
		}
	}
	slices.Sort(chosen) // oldest first, as ready
	return chosen, load, nil
}

// watch keeps the peaks.
func (e *engine) watch() {
	e.res.PeakGateCrowd = max(e.res.PeakGateCrowd, e.crowd)
	for _, h := range e.sc.Hubs { // as e.hubs, without a map's iteration
		for _, w := range h.Outages {
			if w.holds(e.clock) {
				e.res.StrandedPeak = max(e.res.StrandedPeak, e.holding)
			}
		}
	}
}

func (e *engine) finish() {
	r := &e.res
	r.LeftBehind = r.Arrived - r.Evacuated
	if r.SeatsDeparted > 0 {
		r.SeatUtilization = float64(r.Evacuated) / float64(r.SeatsDeparted)
	}
	if e.waitN > 0 {
		r.MeanGateWaitMin = e.waitSum / float64(e.waitN)
	}
	sum := 0
	for i, n := range e.perHour {
		sum += n
		if i >= 24 {
			sum -= e.perHour[i-24]
		}
		r.Peak24h = max(r.Peak24h, sum)
	}
	if n := len(e.inSystem); n > 0 {
		r.TimeInSystemP95Min = nth(e.inSystem, n*95/100)
		r.TimeInSystemP50Min = nth(e.inSystem[:n*95/100+1], n/2)
	}
	for _, h := range e.sc.Hubs {
		for _, w := range h.Outages {
			r.HubStopMin += min(w.ToMin, e.end) - min(w.FromMin, e.end)
		}
	}
}

// nth returns the value that would be xs[k] were xs sorted, and reorders
// xs so that no value before k is greater and none after it less: a
// quickselect, in linear time on average, where a sort of a run's 120,000
// times would take a tenth of the run.
func nth(xs []float64, k int) float64 {
	lo, hi := 0, len(xs)-1
	for lo < hi {
		// The median of three as the pivot; then Hoare's partition.
		mid := lo + (hi-lo)/2
		if xs[mid] < xs[lo] {
			xs[mid], xs[lo] = xs[lo], xs[mid]
		}
		if xs[hi] < xs[lo] {
			xs[hi], xs[lo] = xs[lo], xs[hi]
		}
		if xs[hi] < xs[mid] {
			xs[hi], xs[mid] = xs[mid], xs[hi]
		}
		pivot := xs[mid]
		i, j := lo, hi
		for i <= j {
			for xs[i] < pivot {
				i++
			}
			for xs[j] > pivot {
				j--
			}
			if i <= j {
				xs[i], xs[j] = xs[j], xs[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return xs[k]
		}
	}
	return xs[k]
}
