package airbridge

import (
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"
)

// A withdrawal is tracked against a plan adopted in the ledger: what each
// nation was to move from where to where on each day (the planner's moves
// and sorties, see the withdraw engine), and the movements that actually
// happened, recorded as they are reported. Days are whole and numbered from
// 0, the plan's start date; what is at a site is counted at the end of a day.

// WithdrawalPlan is a plan as adopted: the theatre at day 0 and the legs.
type WithdrawalPlan struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Start string `json:"start"` // YYYY-MM-DD, day 0
	Days  int    `json:"days"`
	// EvacuationLastDay is the last day an airport keeps its floor whatever
	// else is there.
	EvacuationLastDay int                  `json:"evacuation_last_day"`
	Sites             []WithdrawalSite     `json:"sites"`
	Contingents       []Contingent         `json:"contingents"`
	Deadlines         []WithdrawalDeadline `json:"deadlines,omitempty"`
	Legs              []Leg                `json:"legs"`
}

// WithdrawalSite is a base or an airport of embarkation with its security
// floor: the security personnel of all nations together it needs while
// anything else is there (and at an airport up to the evacuation's end).
type WithdrawalSite struct {
	ID            string `json:"id"`
	Name          string `json:"name,omitempty"`
	Airport       bool   `json:"airport,omitempty"`
	SecurityFloor int    `json:"security_floor"`
}

// Amount is what of a nation is somewhere or moves: personnel, of whom
// Security are the site's security element, pallets and vehicles.
type Amount struct {
	Personnel int `json:"personnel"`
	Security  int `json:"security"`
	Pallets   int `json:"pallets"`
	Vehicles  int `json:"vehicles"`
}

func (a Amount) add(b Amount) Amount {
	return Amount{a.Personnel + b.Personnel, a.Security + b.Security, a.Pallets + b.Pallets, a.Vehicles + b.Vehicles}
}

func (a Amount) sub(b Amount) Amount {
	return Amount{a.Personnel - b.Personnel, a.Security - b.Security, a.Pallets - b.Pallets, a.Vehicles - b.Vehicles}
}

// IsZero reports whether a holds nothing.
func (a Amount) IsZero() bool { return a == Amount{} }

// others is what is not security.
func (a Amount) others() int { return a.Personnel - a.Security + a.Pallets + a.Vehicles }

func (a Amount) check(field string) error {
	for _, v := range []struct {
		name string
		n    int
	}{{"personnel", a.Personnel}, {"security", a.Security}, {"pallets", a.Pallets}, {"vehicles", a.Vehicles}} {
		if v.n < 0 || v.n > maxWithdrawalCount {
			return Errorf(EINVALID, "%s: %d is not between 0 and %d", joinField(field, v.name), v.n, maxWithdrawalCount).With("field", joinField(field, v.name))
		}
	}
	if a.Security > a.Personnel {
		return Errorf(EINVALID, "%s: security %d is more than the personnel %d", joinField(field, "security"), a.Security, a.Personnel).
			With("field", joinField(field, "security"))
	}
	return nil
}

// Contingent is what one nation has at one site at day 0.
type Contingent struct {
	Nation string `json:"nation"`
	Site   string `json:"site"`
	Amount
}

// WithdrawalDeadline is the day by whose end a nation must be out.
type WithdrawalDeadline struct {
	Nation string `json:"nation"`
	Day    int    `json:"day"`
}

// Movement modes. A sortie flies out of theatre from an airport; road and
// air moves go from one site to another.
const (
	ModeRoad   = "road"
	ModeAir    = "air"
	ModeSortie = "sortie"
)

// Leg is what one nation was planned to move on one day: over a link from
// one site to another, or on Sorties sorties of one aircraft type out of
// theatre from an airport (To empty).
type Leg struct {
	Day      int    `json:"day"`
	Nation   string `json:"nation"`
	From     string `json:"from"`
	To       string `json:"to,omitempty"`
	Mode     string `json:"mode"`
	Aircraft string `json:"aircraft,omitempty"`
	Sorties  int    `json:"sorties,omitempty"`
	Amount
}

// Movement is what actually moved: as a leg, dated, with who recorded it and,
// when it took a site's security below its floor while others remained, why.
type Movement struct {
	Number   int    `json:"number"` // 1, 2, … in the order recorded
	Date     string `json:"date"`   // YYYY-MM-DD
	Day      int    `json:"day"`
	Nation   string `json:"nation"`
	From     string `json:"from"`
	To       string `json:"to,omitempty"`
	Mode     string `json:"mode"`
	Aircraft string `json:"aircraft,omitempty"`
	Sorties  int    `json:"sorties,omitempty"`
	Amount
	Override   string    `json:"override,omitempty"`
	RecordedBy string    `json:"recorded_by,omitempty"`
	RecordedAt time.Time `json:"recorded_at"`
}

// Withdrawal is an adopted plan and the movements recorded against it.
type Withdrawal struct {
	Plan      WithdrawalPlan `json:"plan"`
	AdoptedBy string         `json:"adopted_by,omitempty"`
	AdoptedAt time.Time      `json:"adopted_at"`
	Movements []Movement     `json:"movements"`

	// track is derived from Movements: built on first use, kept by Apply.
	track *movementTrack
}

// replayAlways makes every movement replay all the others (tests compare).
var replayAlways = false

// movementTrack keeps what the movements before the latest day recorded
// left where, so that a new movement on or after that day is checked
// without replaying them all.
type movementTrack struct {
	settled *tally // every movement before lastDay, taken and arrived
	lastDay int    // -1 before any movement
	pending []Movement
}

func (w *Withdrawal) tracked() *movementTrack {
	if w.track == nil {
		tr := &movementTrack{settled: newTally(&w.Plan), lastDay: -1}
		for d, moves := range byDay(w.Movements) {
			tr.settle()
			tr.lastDay, tr.pending = d, slices.Clone(moves)
		}
		w.track = tr
	}
	return w.track
}

func (tr *movementTrack) settle() {
	for _, m := range tr.pending {
		tr.settled.take(m)
	}
	tr.settled.arrive(tr.pending)
	tr.pending = nil
}

// record keeps m, recorded, in w's track, or drops the track when m comes
// before its latest day.
func (w *Withdrawal) record(m Movement) {
	tr := w.track
	switch {
	case tr == nil:
	case m.Day > tr.lastDay:
		tr.settle()
		tr.lastDay, tr.pending = m.Day, []Movement{m}
	case m.Day == tr.lastDay:
		tr.pending = append(tr.pending, m)
	default:
		w.track = nil
	}
}

// MaxLegs is the most legs a plan adopted in the ledger may have.
const MaxLegs = 50_000

// Bounds on a plan and its movements, so that what the state keeps and what
// a request may ask of it stays bounded.
const (
	maxWithdrawalDays  = 3650
	maxWithdrawalCount = 1_000_000
	maxWithdrawalSites = 1000
	maxWithdrawalItems = 10000   // contingents, deadlines
	maxMovements       = 100_000 // movements of a withdrawal
	// Movements may be dated up to a year past the plan's horizon: a
	// withdrawal that slips goes on after its plan ends.
	maxOverrunDays = 366
)

// AdoptWithdrawalPlan puts a withdrawal plan in the ledger, to be tracked.
// The plan must be consistent: its legs name its sites and nations, fall in
// its days, and never take from a site more than the nation has there.
type AdoptWithdrawalPlan struct {
	Plan WithdrawalPlan `json:"plan"`
}

// withdrawalStream is the stream of the withdrawal with the given id.
const withdrawalStream = "withdrawal/"

// Event types of withdrawals.
const (
	WithdrawalAdopted = "withdrawal_adopted"
	MovementRecorded  = "withdrawal_movement_recorded"
)

func (c AdoptWithdrawalPlan) decide(s *State, env Envelope) ([]Event, error) {
	p := c.Plan
	if err := checkID("plan.id", p.ID); err != nil {
		return nil, err
	}
	if _, dup := s.Withdrawals[p.ID]; dup {
		return nil, Errorf(ECONFLICT, "withdrawal %s exists", p.ID).With("id", p.ID)
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	return []Event{env.event(withdrawalStream+p.ID, WithdrawalAdopted, EventData{Withdrawal: &p})}, nil
}

func (c AdoptWithdrawalPlan) outcome(s *State, _ []Event) any {
	return s.Withdrawals[c.Plan.ID].Summary()
}

// WithdrawalSummary is a withdrawal in a list: its plan in figures and how
// many movements were recorded.
type WithdrawalSummary struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Start     string `json:"start"`
	Days      int    `json:"days"`
	Legs      int    `json:"legs"`
	Nations   int    `json:"nations"`
	Movements int    `json:"movements"`
	AdoptedBy string `json:"adopted_by,omitempty"`
	// AdoptedAt is the time of adoption, RFC 3339 in UTC.
	AdoptedAt string `json:"adopted_at"`
}

// Summary returns w in figures.
func (w *Withdrawal) Summary() WithdrawalSummary {
	p := &w.Plan
	return WithdrawalSummary{ID: p.ID, Name: p.Name, Start: p.Start, Days: p.Days, Legs: len(p.Legs), Nations: len(p.Nations()),
		Movements: len(w.Movements), AdoptedBy: w.AdoptedBy, AdoptedAt: w.AdoptedAt.UTC().Format(time.RFC3339Nano)}
}

func checkID(field, id string) error {
	if !entityID.MatchString(id) {
		return invalid(field, "%q is not an id: a letter or digit, then up to 63 letters, digits, '_', '.' or '-'", id)
	}
	return nil
}

// Nations returns the nations of the plan, sorted.
func (p *WithdrawalPlan) Nations() []string {
	var out []string
	for _, h := range p.Contingents {
		out = append(out, h.Nation)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func (p *WithdrawalPlan) site(id string) (WithdrawalSite, bool) {
	for _, s := range p.Sites {
		if s.ID == id {
			return s, true
		}
	}
	return WithdrawalSite{}, false
}

func (p *WithdrawalPlan) validate() error {
	if strings.TrimSpace(p.Name) == "" {
		return invalid("plan.name", "is empty")
	}
	if err := validName("plan.name", p.Name); err != nil {
		return err
	}
	if _, err := time.Parse(time.DateOnly, p.Start); err != nil {
		return invalid("plan.start", "%q is not a date YYYY-MM-DD", p.Start)
	}
	if p.Days < 1 || p.Days > maxWithdrawalDays {
		return invalid("plan.days", "%d is not between 1 and %d", p.Days, maxWithdrawalDays)
	}
	if p.EvacuationLastDay < 0 || p.EvacuationLastDay >= p.Days {
		return invalid("plan.evacuation_last_day", "%d is not a day of the plan 0..%d", p.EvacuationLastDay, p.Days-1)
	}
	if len(p.Sites) == 0 || len(p.Sites) > maxWithdrawalSites {
		return invalid("plan.sites", "%d sites: must be 1 to %d", len(p.Sites), maxWithdrawalSites)
	}
	if len(p.Contingents) == 0 || len(p.Contingents) > maxWithdrawalItems {
		return invalid("plan.contingents", "%d contingents: must be 1 to %d", len(p.Contingents), maxWithdrawalItems)
	}
	if len(p.Deadlines) > maxWithdrawalItems {
		return invalid("plan.deadlines", "%d deadlines, more than %d", len(p.Deadlines), maxWithdrawalItems)
	}
	if len(p.Legs) > MaxLegs {
		return invalid("plan.legs", "%d legs, more than %d", len(p.Legs), MaxLegs)
	}
	sites := map[string]bool{}
	for i, st := range p.Sites {
		f := fmt.Sprintf("plan.sites[%d]", i)
		if err := checkID(f+".id", st.ID); err != nil {
			return err
		}
		if sites[st.ID] {
			return invalid(f+".id", "%q is not unique", st.ID)
		}
		sites[st.ID] = true
		if err := validName(f+".name", st.Name); err != nil {
			return err
		}
		if st.SecurityFloor < 0 || st.SecurityFloor > maxWithdrawalCount {
			return invalid(f+".security_floor", "%d is not between 0 and %d", st.SecurityFloor, maxWithdrawalCount)
		}
	}
	type key struct{ nation, site string }
	at := map[key]Amount{}
	nations := map[string]bool{}
	for i, h := range p.Contingents {
		f := fmt.Sprintf("plan.contingents[%d]", i)
		if !countryCode.MatchString(h.Nation) {
			return invalid(f+".nation", "%q is not a nation code (three capital letters)", h.Nation)
		}
		if !sites[h.Site] {
			return invalid(f+".site", "%q is not a site of the plan", h.Site)
		}
		if err := h.Amount.check(f); err != nil {
			return err
		}
		k := key{h.Nation, h.Site}
		if _, dup := at[k]; dup {
			return invalid(f, "%s at %s is held twice", h.Nation, h.Site)
		}
		at[k] = h.Amount
		nations[h.Nation] = true
	}
	for i, d := range p.Deadlines {
		f := fmt.Sprintf("plan.deadlines[%d]", i)
		if !nations[d.Nation] {
			return invalid(f+".nation", "%q holds nothing in the plan", d.Nation)
		}
		if d.Day < 0 || d.Day >= p.Days {
			return invalid(f+".day", "%d is not a day of the plan 0..%d", d.Day, p.Days-1)
		}
	}
	// Legs in day order; what a leg takes was there at the end of the day
	// before, and what arrives may go on from the next day.
	arriving := map[key]Amount{}
	day := -1
	for i, l := range p.Legs {
		f := fmt.Sprintf("plan.legs[%d]", i)
		if l.Day < day {
			return invalid(f+".day", "%d comes after day %d: legs are in day order", l.Day, day)
		}
		if l.Day >= p.Days {
			return invalid(f+".day", "%d is not a day of the plan 0..%d", l.Day, p.Days-1)
		}
		if l.Day > day {
			for k, a := range arriving {
				at[k] = at[k].add(a)
			}
			clear(arriving)
			day = l.Day
		}
		m := Movement{Nation: l.Nation, From: l.From, To: l.To, Mode: l.Mode, Aircraft: l.Aircraft, Sorties: l.Sorties, Amount: l.Amount}
		if err := m.checkShape(p, f, 1); err != nil {
			return err
		}
		k := key{l.Nation, l.From}
		left := at[k].sub(l.Amount)
		if left.Personnel < 0 || left.Security < 0 || left.Pallets < 0 || left.Vehicles < 0 || left.Security > left.Personnel {
			return invalid(f, "%s has %s at %s at the end of day %d; the leg takes %s", l.Nation, at[k].describe(), l.From, l.Day-1, l.Amount.describe())
		}
		at[k] = left
		if l.To != "" {
			k := key{l.Nation, l.To}
			arriving[k] = arriving[k].add(l.Amount)
		}
	}
	return nil
}

// describe says what a is, in words.
func (a Amount) describe() string {
	return fmt.Sprintf("%d personnel (%d security), %d pallets, %d vehicles", a.Personnel, a.Security, a.Pallets, a.Vehicles)
}

// checkShape checks a leg or a movement on its own: nation, sites, mode and
// amounts.
func (m *Movement) checkShape(p *WithdrawalPlan, field string, minSorties int) error {
	if !slices.Contains(p.Nations(), m.Nation) {
		return invalid(joinField(field, "nation"), "%q holds nothing in the plan", m.Nation)
	}
	from, ok := p.site(m.From)
	if !ok {
		return invalid(joinField(field, "from"), "%q is not a site of the plan", m.From)
	}
	if err := m.Amount.check(field); err != nil {
		return err
	}
	if m.Amount.IsZero() {
		return invalid(joinField(field, "personnel"), "moves nothing: give personnel, pallets or vehicles")
	}
	if err := validName(joinField(field, "aircraft"), m.Aircraft); err != nil {
		return err
	}
	switch m.Mode {
	case ModeSortie:
		if m.To != "" {
			return invalid(joinField(field, "to"), "a sortie flies out of theatre: leave to empty")
		}
		if !from.Airport {
			return invalid(joinField(field, "from"), "%q is not an airport: sorties fly out of theatre from airports", m.From)
		}
		// A movement may have 0 sorties: it flew on sorties recorded with
		// another one (security recorded after the rest, say).
		if m.Sorties < minSorties || m.Sorties > 10_000 {
			return invalid(joinField(field, "sorties"), "%d is not between %d and 10000", m.Sorties, minSorties)
		}
	case ModeRoad, ModeAir:
		if _, ok := p.site(m.To); !ok {
			return invalid(joinField(field, "to"), "%q is not a site of the plan", m.To)
		}
		if m.To == m.From {
			return invalid(joinField(field, "to"), "%q is where it comes from", m.To)
		}
		if m.Sorties != 0 || m.Aircraft != "" {
			return invalid(joinField(field, "sorties"), "only a sortie has sorties and an aircraft")
		}
	default:
		return invalid(joinField(field, "mode"), "%q is not %s, %s or %s", m.Mode, ModeRoad, ModeAir, ModeSortie)
	}
	return nil
}

// RecordMovement records a movement that happened against an adopted plan.
// It is refused if the nation did not have what it moves at the site at the
// end of the day before (counting every movement recorded), and, unless
// Override says why, if security leaving takes the site below its floor
// while anything else is still there (or, at an airport, before the
// evacuation's last day is over).
type RecordMovement struct {
	WithdrawalID string `json:"-"`
	Date         string `json:"date"`
	Nation       string `json:"nation"`
	From         string `json:"from"`
	To           string `json:"to,omitempty"`
	Mode         string `json:"mode"`
	Aircraft     string `json:"aircraft,omitempty"`
	Sorties      int    `json:"sorties,omitempty"`
	Amount
	Override string `json:"override,omitempty"`
}

func (c RecordMovement) decide(s *State, env Envelope) ([]Event, error) {
	w, ok := s.Withdrawals[c.WithdrawalID]
	if !ok {
		return nil, Errorf(ENOTFOUND, "no withdrawal %s", c.WithdrawalID).With("withdrawal", c.WithdrawalID)
	}
	if len(w.Movements) >= maxMovements {
		return nil, Errorf(ECONFLICT, "withdrawal %s has %d movements, the most it keeps", c.WithdrawalID, maxMovements)
	}
	p := &w.Plan
	if _, err := time.Parse(time.DateOnly, c.Date); err != nil {
		return nil, invalid("date", "%q is not a date YYYY-MM-DD", c.Date)
	}
	day, ok := p.dayOf(c.Date)
	if !ok {
		return nil, invalid("date", "%s is not between the plan's start %s and %d days after its end", c.Date, p.Start, maxOverrunDays)
	}
	if err := validName("override", strings.TrimSpace(c.Override)); err != nil {
		return nil, err
	}
	m := Movement{Number: len(w.Movements) + 1, Date: c.Date, Day: day, Nation: c.Nation, From: c.From, To: c.To, Mode: c.Mode,
		Aircraft: c.Aircraft, Sorties: c.Sorties, Amount: c.Amount, Override: strings.TrimSpace(c.Override), RecordedBy: env.Actor, RecordedAt: env.Time}
	if err := m.checkShape(p, "", 0); err != nil {
		return nil, err
	}
	// Every day, in order, with the new movement among the others: nothing
	// is taken that was not there, and the new movement's security leaves
	// its site no thinner than the floor. A movement on or after the latest
	// day recorded (as most are) starts from what the days before left;
	// one dated earlier replays them all.
	tally, replay := newTally(p), append(slices.Clone(w.Movements), m)
	if tr := w.tracked(); day >= tr.lastDay && !replayAlways {
		tally, replay = tr.settled.child(), append(slices.Clone(tr.pending), m)
	}
	for d, moves := range byDay(replay) {
		for _, x := range moves {
			if !tally.take(x) {
				if x.Number == m.Number {
					return nil, Errorf(ECONFLICT, "%s had %s at %s at the end of %s; the movement takes %s",
						m.Nation, tally.at(m.Nation, m.From).describe(), m.From, p.date(d-1), m.Amount.describe()).With("nation", m.Nation).With("site", m.From)
				}
				return nil, Errorf(ECONFLICT, "recorded on %s, movement %d of %s from %s would then take more than was there: the new movement comes before what it needs",
					x.Date, x.Number, x.Nation, x.From).With("movement", x.Number)
			}
		}
		tally.arrive(moves)
		if d < day || m.Override != "" {
			continue
		}
		// From its day on, the new movement may not leave a site below its
		// floor while others are there: where its security left, nor where
		// it brought others. (A movement dated before others is checked
		// on their days too: they may have counted on what it takes.)
		for _, site := range m.thins() {
			if sec, floor, applies := tally.floor(p, site, d); applies && sec < floor {
				return nil, Errorf(ECONFLICT, "%s's security would be %d at the end of %s, below its floor of %d while others are there; record first what else left that day, or give an override",
					site, sec, p.date(d), floor).With("site", site).With("security", sec).With("floor", floor)
			}
		}
	}
	return []Event{env.event(withdrawalStream+c.WithdrawalID, MovementRecorded, EventData{Movement: &m})}, nil
}

// thins returns the sites where m could leave less security than the floor
// asks: the one its security leaves, and the one it brings others to.
func (m *Movement) thins() []string {
	var sites []string
	if m.Security > 0 {
		sites = append(sites, m.From)
	}
	if m.To != "" && m.Amount.others() > 0 {
		sites = append(sites, m.To)
	}
	return sites
}

func (c RecordMovement) outcome(s *State, _ []Event) any {
	w := s.Withdrawals[c.WithdrawalID]
	return w.Movements[len(w.Movements)-1]
}

// dayOf returns the day of the plan a date (YYYY-MM-DD) is, and whether a
// movement may have it: from the start to maxOverrunDays past the end.
func (p *WithdrawalPlan) dayOf(date string) (int, bool) {
	d, err := time.Parse(time.DateOnly, date)
	start, serr := time.Parse(time.DateOnly, p.Start)
	if err != nil || serr != nil || d.Before(start) {
		return 0, false
	}
	day := int(d.Sub(start).Hours() / 24)
	return day, day < p.Days+maxOverrunDays
}

// date returns the date of day d of the plan.
func (p *WithdrawalPlan) date(d int) string {
	start, _ := time.Parse(time.DateOnly, p.Start)
	return start.AddDate(0, 0, d).Format(time.DateOnly)
}

// byDay groups movements by day, in day order and, within a day, in the
// order recorded.
func byDay(moves []Movement) iter.Seq2[int, []Movement] {
	sorted := slices.Clone(moves)
	slices.SortStableFunc(sorted, func(a, b Movement) int { return a.Day - b.Day })
	return func(yield func(int, []Movement) bool) {
		for i := 0; i < len(sorted); {
			j := i + 1
			for j < len(sorted) && sorted[j].Day == sorted[i].Day {
				j++
			}
			if !yield(sorted[i].Day, sorted[i:j]) {
				return
			}
			i = j
		}
	}
}

// tally is what each nation has at each site, kept sparse, with the sums
// per site and per nation. A child tally reads through to its parent and
// keeps its own changes.
type tally struct {
	parent *tally
	cell   map[[2]string]Amount // [nation, site]
	site   map[string]Amount
	nation map[string]Amount
}

func newTally(p *WithdrawalPlan) *tally {
	t := (*tally)(nil).child()
	for _, h := range p.Contingents {
		t.add(h.Nation, h.Site, h.Amount)
	}
	return t
}

func (t *tally) child() *tally {
	return &tally{parent: t, cell: map[[2]string]Amount{}, site: map[string]Amount{}, nation: map[string]Amount{}}
}

func lookup[K comparable](t *tally, k K, in func(*tally) map[K]Amount) Amount {
	for ; t != nil; t = t.parent {
		if a, ok := in(t)[k]; ok {
			return a
		}
	}
	return Amount{}
}

func (t *tally) at(nation, site string) Amount {
	return lookup(t, [2]string{nation, site}, func(t *tally) map[[2]string]Amount { return t.cell })
}

func (t *tally) siteAt(site string) Amount {
	return lookup(t, site, func(t *tally) map[string]Amount { return t.site })
}

func (t *tally) nationAt(nation string) Amount {
	return lookup(t, nation, func(t *tally) map[string]Amount { return t.nation })
}

func (t *tally) add(nation, site string, a Amount) {
	t.cell[[2]string{nation, site}] = t.at(nation, site).add(a)
	t.site[site] = t.siteAt(site).add(a)
	t.nation[nation] = t.nationAt(nation).add(a)
}

// take removes what m takes from its site, if it is there.
func (t *tally) take(m Movement) bool {
	left := t.at(m.Nation, m.From).sub(m.Amount)
	if left.Personnel < 0 || left.Security < 0 || left.Pallets < 0 || left.Vehicles < 0 || left.Security > left.Personnel {
		return false
	}
	t.add(m.Nation, m.From, Amount{}.sub(m.Amount))
	return true
}

// arrive adds what moves brought to their destinations.
func (t *tally) arrive(moves []Movement) {
	for _, m := range moves {
		if m.To != "" {
			t.add(m.Nation, m.To, m.Amount)
		}
	}
}

// floor returns a site's security, its floor, and whether the floor
// applies at the end of day d.
func (t *tally) floor(p *WithdrawalPlan, site string, d int) (int, int, bool) {
	st, _ := p.site(site)
	here := t.siteAt(site)
	applies := here.others() > 0 || (st.Airport && d <= p.EvacuationLastDay)
	return here.Security, st.SecurityFloor, applies && st.SecurityFloor > 0
}

func (s *State) applyWithdrawal(id string, e Event) error {
	switch e.Type {
	case WithdrawalAdopted:
		if e.Data.Withdrawal == nil {
			return fmt.Errorf("apply %s to %s: no plan", e.Type, e.Stream)
		}
		p := *e.Data.Withdrawal
		p.Sites = slices.Clone(p.Sites)
		p.Contingents = slices.Clone(p.Contingents)
		p.Deadlines = slices.Clone(p.Deadlines)
		p.Legs = slices.Clone(p.Legs)
		s.Withdrawals[id] = &Withdrawal{Plan: p, AdoptedBy: e.Actor, AdoptedAt: e.Time, Movements: []Movement{}}
		return nil
	case MovementRecorded:
		w, ok := s.Withdrawals[id]
		if !ok || e.Data.Movement == nil {
			return fmt.Errorf("apply %s to %s: no such withdrawal or no movement", e.Type, e.Stream)
		}
		w.Movements = append(w.Movements, *e.Data.Movement)
		w.record(*e.Data.Movement)
		return nil
	}
	return fmt.Errorf("apply %s to %s: unknown event", e.Type, e.Stream)
}
