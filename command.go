package airbridge

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Command is a request to change the state. Commands are decided against a
// State and, if the rules allow them, become events; a refused command yields
// an *Error and no events. Only this package defines commands.
type Command interface {
	// decide returns the events the command produces. It does not change
	// s (it may build s's derived indexes, which is why one goroutine at a
	// time decides against a state) nor read a clock; the time is env.Time.
	decide(s *State, env Envelope) ([]Event, error)
	// outcome describes the result of the command once its events have been
	// applied to s.
	outcome(s *State, events []Event) any
}

// Decide returns the events cmd produces against s, or the rule it breaks.
func (s *State) Decide(cmd Command, env Envelope) ([]Event, error) {
	if s.Policy == nil {
		switch cmd.(type) {
		case ConfigureOperation, *ConfigureOperation:
		case AdoptWithdrawalPlan, *AdoptWithdrawalPlan, RecordMovement, *RecordMovement:
			// A withdrawal is planned and tracked with or without an
			// evacuation operation.
		default:
			return nil, Errorf(ECONFLICT, "the operation is not configured yet")
		}
	}
	return cmd.decide(s, env)
}

// Outcome returns what a client is told after cmd's events were applied.
//
// Outcomes carry no personal data: they are kept with the idempotency key to
// answer replays, and the caller may not be entitled to see it.
func (s *State) Outcome(cmd Command, events []Event) any {
	return withoutPersonal(cmd.outcome(s, events))
}

func withoutPersonal(v any) any {
	switch o := v.(type) {
	case *Person:
		p := o.Public()
		return &p
	case GroupView:
		return o.Public()
	case SplitResult:
		return SplitResult{Group: o.Group.Public(), NewGroup: o.NewGroup.Public()}
	case ScanResult:
		o.Person = o.Person.Public()
		group := make([]Person, len(o.Group))
		for i, p := range o.Group {
			group[i] = p.Public()
		}
		if o.Group == nil {
			group = nil
		}
		o.Group = group
		return o
	case *ScanResult:
		return withoutPersonal(*o)
	}
	return v
}

// Execute decides cmd, applies its events to s and returns them with the
// outcome. A refused command leaves s unchanged.
func (s *State) Execute(cmd Command, env Envelope) ([]Event, any, error) {
	events, err := s.Decide(cmd, env)
	if err != nil {
		return nil, nil, err
	}
	for _, e := range events {
		if err := s.Apply(e); err != nil {
			return nil, nil, err
		}
	}
	return events, s.Outcome(cmd, events), nil
}

// AssignIDs fills the ids a command leaves to the server (new persons, groups
// and flights) with values from newID, which is given a one-letter prefix.
func AssignIDs(cmd Command, newID func(prefix string) string) {
	fill := func(id *string, prefix string) {
		if *id == "" {
			*id = newID(prefix)
		}
	}
	fillGroup := func(g *GroupInput) {
		fill(&g.ID, "G")
		for i := range g.Persons {
			fill(&g.Persons[i].ID, "P")
		}
	}
	switch c := cmd.(type) {
	case *RegisterGroup:
		fillGroup(&c.GroupInput)
	case *RegisterGroups:
		for i := range c.Groups {
			fillGroup(&c.Groups[i])
		}
	case *RegisterPerson:
		fill(&c.GroupID, "G")
		fill(&c.ID, "P")
	case *RegisterPersons:
		for i := range c.Persons {
			fill(&c.Persons[i].GroupID, "G")
			fill(&c.Persons[i].ID, "P")
		}
	case *ScheduleFlight:
		fill(&c.ID, "F")
	case *SplitGroup:
		fill(&c.NewGroupID, "G")
	case *AdoptWithdrawalPlan:
		fill(&c.Plan.ID, "W")
	}
}

// GroupView is a group with its members.
type GroupView struct {
	Group   Group    `json:"group"`
	Persons []Person `json:"persons"`
}

// Public returns v without personal data.
func (v GroupView) Public() GroupView {
	out := GroupView{Group: v.Group.Public(), Persons: make([]Person, len(v.Persons))}
	for i, p := range v.Persons {
		out.Persons[i] = p.Public()
	}
	return out
}

// View returns the group with the given id and its members.
func (s *State) View(groupID string) GroupView {
	g := s.Groups[groupID]
	v := GroupView{Group: *g}
	v.Group.Members = slices.Clone(g.Members)
	for _, id := range g.Members {
		v.Persons = append(v.Persons, *s.Persons[id])
	}
	return v
}

// ConfigureOperation sets the operation's policy. It may be done once.
type ConfigureOperation struct {
	Policy Policy `json:"policy"`
}

func (c ConfigureOperation) decide(s *State, env Envelope) ([]Event, error) {
	if s.Policy != nil {
		return nil, Errorf(ECONFLICT, "the operation %q is already configured", s.Policy.Name)
	}
	if err := c.Policy.Validate(); err != nil {
		return nil, err
	}
	p := c.Policy
	return []Event{env.event(operationStream, OperationConfigured, EventData{Policy: &p})}, nil
}

func (c ConfigureOperation) outcome(s *State, _ []Event) any { return s.Policy }

// AddSite adds a gate, screening point, holding area, ramp or transit hub.
type AddSite struct {
	Site
}

func (c AddSite) decide(s *State, env Envelope) ([]Event, error) {
	site := c.Site
	if err := site.validate(); err != nil {
		return nil, err
	}
	if _, ok := s.Sites[site.ID]; ok {
		return nil, Errorf(ECONFLICT, "site %s already exists", site.ID).With("id", site.ID)
	}
	return []Event{env.event(siteStream+site.ID, SiteAdded, EventData{Site: &site})}, nil
}

func (c AddSite) outcome(s *State, _ []Event) any { return s.Sites[c.ID] }

// GroupInput registers a group of persons. If ID names an existing group,
// the persons join it, provided none of its members is staged yet.
type GroupInput struct {
	ID      string        `json:"id,omitempty"`
	Name    string        `json:"name,omitempty"`
	Nation  string        `json:"nation"`
	Persons []PersonInput `json:"persons"`
}

// MaxGroupSize bounds a group: larger parties are registered as several groups.
const MaxGroupSize = 100

// MaxBatch is the most persons one registration may carry.
const MaxBatch = 10_000

// RegisterGroup registers one group.
type RegisterGroup struct {
	GroupInput
}

func (c RegisterGroup) decide(s *State, env Envelope) ([]Event, error) {
	return decideRegister(s, env, []GroupInput{c.GroupInput}, paths{
		group:  func(_ int, field string) string { return field },
		person: func(_, pi int) string { return "persons[" + strconv.Itoa(pi) + "]" },
	})
}

// paths name the fields of a registration as the client sent them, from the
// index of a group and of a person in it.
type paths struct {
	group  func(gi int, field string) string
	person func(gi, pi int) string // the prefix of a person's fields; "" for none
}

func listPaths(list string) paths {
	return paths{
		group: func(gi int, field string) string { return list + "[" + strconv.Itoa(gi) + "]." + field },
		person: func(gi, pi int) string {
			return list + "[" + strconv.Itoa(gi) + "].persons[" + strconv.Itoa(pi) + "]"
		},
	}
}

func (c RegisterGroup) outcome(s *State, _ []Event) any { return s.View(c.ID) }

// RegisterGroups registers many groups at once, all or none.
type RegisterGroups struct {
	Groups []GroupInput `json:"groups"`
}

func (c RegisterGroups) decide(s *State, env Envelope) ([]Event, error) {
	return decideRegister(s, env, c.Groups, listPaths("groups"))
}

func (c RegisterGroups) outcome(s *State, events []Event) any { return registered(events) }

// RegisterPerson registers one person, alone or into a group.
type RegisterPerson struct {
	Nation    string `json:"nation"`
	GroupID   string `json:"group_id,omitempty"`
	GroupName string `json:"group_name,omitempty"`
	PersonInput
}

func (c RegisterPerson) decide(s *State, env Envelope) ([]Event, error) {
	g := GroupInput{ID: c.GroupID, Name: c.GroupName, Nation: c.Nation, Persons: []PersonInput{c.PersonInput}}
	return decideRegister(s, env, []GroupInput{g}, paths{
		group:  func(_ int, field string) string { return groupField[field] },
		person: func(int, int) string { return "" },
	})
}

func (c RegisterPerson) outcome(s *State, _ []Event) any { return s.Persons[c.ID] }

// groupField names the group's fields in a RegisterPerson.
var groupField = map[string]string{"id": "group_id", "name": "group_name", "nation": "nation", "persons": "persons"}

// RegisterPersons registers many persons at once, all or none. Persons that
// share a group_id travel together.
type RegisterPersons struct {
	Persons []RegisterPerson `json:"persons"`
}

func (c RegisterPersons) decide(s *State, env Envelope) ([]Event, error) {
	var groups []GroupInput
	index := map[string]int{}
	var origin [][]int // origin[gi][pi] is the index in c.Persons
	for i, p := range c.Persons {
		at := "persons[" + strconv.Itoa(i) + "]"
		if p.GroupID == "" {
			return nil, invalid(at+".group_id", "must not be empty")
		}
		gi, ok := index[p.GroupID]
		if !ok {
			gi = len(groups)
			index[p.GroupID] = gi
			groups = append(groups, GroupInput{ID: p.GroupID, Name: p.GroupName, Nation: p.Nation})
			origin = append(origin, nil)
		}
		if groups[gi].Nation != p.Nation {
			return nil, invalid(at+".nation", "%q differs from %q of another person in group %s", p.Nation, groups[gi].Nation, p.GroupID)
		}
		groups[gi].Persons = append(groups[gi].Persons, p.PersonInput)
		origin[gi] = append(origin[gi], i)
	}
	if len(c.Persons) == 0 {
		return nil, invalid("persons", "must name at least one person")
	}
	at := func(gi, pi int) string { return "persons[" + strconv.Itoa(origin[gi][pi]) + "]" }
	return decideRegister(s, env, groups, paths{
		group:  func(gi int, field string) string { return at(gi, 0) + "." + groupField[field] },
		person: at,
	})
}

func (c RegisterPersons) outcome(s *State, events []Event) any { return registered(events) }

// Registration is the outcome of a batch registration.
type Registration struct {
	Persons int                 `json:"persons"`
	Groups  map[string][]string `json:"groups"` // group id → ids of the persons registered into it
}

func registered(events []Event) Registration {
	r := Registration{Groups: map[string][]string{}}
	for _, e := range events {
		if e.Type == PersonRegistered {
			r.Persons++
			r.Groups[e.Data.Person.GroupID] = append(r.Groups[e.Data.Person.GroupID], e.Data.Person.ID)
		}
	}
	return r
}

func decideRegister(s *State, env Envelope, groups []GroupInput, path paths) ([]Event, error) {
	if len(groups) == 0 {
		return nil, invalid("groups", "must name at least one group")
	}
	total := 0
	for _, g := range groups {
		total += len(g.Persons)
	}
	if total > MaxBatch {
		return nil, Errorf(ETOOLARGE, "%d persons in one registration; at most %d", total, MaxBatch)
	}
	events := make([]Event, 0, total+len(groups))
	var newPersons, newGroups idSet
	var newDocs map[string]string // made for the first document
	for gi, g := range groups {
		gf := func(field string) string { return path.group(gi, field) }
		if !entityID.MatchString(g.ID) {
			return nil, invalid(gf("id"), "%q must be 1-64 letters, digits, '_', '.' or '-'", g.ID)
		}
		if !s.Policy.HasNation(g.Nation) {
			return nil, invalid(gf("nation"), "%q is not a nation of this operation", g.Nation)
		}
		name := strings.TrimSpace(g.Name)
		if err := validNameAt(func() string { return gf("name") }, name); err != nil {
			return nil, err
		}
		if len(g.Persons) == 0 {
			return nil, invalid(gf("persons"), "a group needs at least one person")
		}
		size := len(g.Persons)
		if newGroups.has(g.ID) {
			return nil, invalid(gf("id"), "group %s is listed twice", g.ID)
		}
		newGroups.add(g.ID)
		if old, ok := s.Groups[g.ID]; ok {
			if old.Nation != g.Nation {
				return nil, Errorf(ECONFLICT, "group %s belongs to %s, not %s", g.ID, old.Nation, g.Nation).With("group_id", g.ID)
			}
			for _, m := range old.Members {
				if st := s.Persons[m].Stage; !preStaged(st) {
					return nil, Errorf(ECONFLICT, "group %s cannot take new members: %s is already %s", g.ID, m, st).
						With("group_id", g.ID).With("stage", st)
				}
			}
			size += len(old.Members)
		} else {
			events = append(events, env.event(groupStream+g.ID, GroupRegistered,
				EventData{Group: &Group{ID: g.ID, Name: name, Nation: g.Nation, Members: []string{}, RegisteredAt: env.Time}}))
		}
		if size > MaxGroupSize {
			return nil, invalid(gf("persons"), "a group has at most %d persons", MaxGroupSize)
		}
		for pi := range g.Persons {
			in := g.Persons[pi] // a copy, documents too: validate normalizes it
			in.Documents = slices.Clone(in.Documents)
			pat := func() string { return path.person(gi, pi) } // named only for a refusal
			if in.ID == "" {
				return nil, invalid(joinField(pat(), "id"), "must not be empty")
			}
			if err := in.validate(s.Policy, pat, env.Time); err != nil {
				return nil, err
			}
			if _, ok := s.Persons[in.ID]; ok || newPersons.has(in.ID) {
				return nil, Errorf(ECONFLICT, "person %s already exists", in.ID).With("id", in.ID)
			}
			newPersons.add(in.ID)
			for _, d := range in.Documents {
				if other, ok := s.Documents[d.Number]; ok {
					return nil, Errorf(ECONFLICT, "%s: the document is already registered to person %s", joinField(pat(), "documents"), other).
						With("field", joinField(pat(), "documents")).With("person_id", other)
				}
				if other, ok := newDocs[d.Number]; ok {
					return nil, Errorf(ECONFLICT, "%s: the document is listed twice in this registration (person %s)", joinField(pat(), "documents"), other).
						With("field", joinField(pat(), "documents")).With("person_id", other)
				}
				if newDocs == nil {
					newDocs = make(map[string]string, total)
				}
				newDocs[d.Number] = in.ID
			}
			p := &Person{
				ID: in.ID, GroupID: g.ID, Nation: g.Nation,
				PersonalData: PersonalData{
					Surname: in.Surname, GivenNames: in.GivenNames, BirthDate: in.BirthDate, Sex: in.Sex,
					Documents: slices.Clone(in.Documents),
				},
				Nationality: in.Nationality, Category: in.Category, Needs: in.Needs,
				Stage: Registered, StageSince: env.Time, RegisteredAt: env.Time,
			}
			events = append(events, env.event(personStream+p.ID, PersonRegistered, EventData{Person: p}))
		}
	}
	return events, nil
}

// idSet is a set of ids that keeps its first few in an array: most
// registrations are one small group, and need no map.
type idSet struct {
	few  [8]string
	n    int
	many map[string]bool
}

func (s *idSet) has(id string) bool {
	if s.many != nil {
		return s.many[id]
	}
	return slices.Contains(s.few[:s.n], id)
}

func (s *idSet) add(id string) {
	if s.many == nil && s.n < len(s.few) {
		s.few[s.n] = id
		s.n++
		return
	}
	if s.many == nil {
		s.many = make(map[string]bool, 2*len(s.few))
		for _, x := range s.few[:s.n] {
			s.many[x] = true
		}
	}
	s.many[id] = true
}

func preStaged(st Stage) bool {
	return st == Registered || st == Called || st == AtGate || st == Screened
}

// SplitGroup moves some members of a group into a new group of their own,
// such as a family member denied at screening whom the others must not wait
// for. A group can be split until any of its members is manifested: from
// then on it travels together.
type SplitGroup struct {
	GroupID    string   `json:"-"`
	Persons    []string `json:"persons"`
	NewGroupID string   `json:"group_id,omitempty"`
	Name       string   `json:"name,omitempty"`
}

// SplitResult is the outcome of a split: the group as it remains and the new
// one.
type SplitResult struct {
	Group    GroupView `json:"group"`
	NewGroup GroupView `json:"new_group"`
}

func (c SplitGroup) decide(s *State, env Envelope) ([]Event, error) {
	g, err := s.group(c.GroupID)
	if err != nil {
		return nil, err
	}
	if len(c.Persons) == 0 {
		return nil, invalid("persons", "name at least one member to move")
	}
	if len(c.Persons) >= len(g.Members) {
		return nil, invalid("persons", "at least one member must stay in group %s", g.ID)
	}
	if !entityID.MatchString(c.NewGroupID) {
		return nil, invalid("group_id", "%q must be 1-64 letters, digits, '_', '.' or '-'", c.NewGroupID)
	}
	if _, ok := s.Groups[c.NewGroupID]; ok {
		return nil, Errorf(ECONFLICT, "group %s already exists", c.NewGroupID).With("group_id", c.NewGroupID)
	}
	name := strings.TrimSpace(c.Name)
	if err := validName("name", name); err != nil {
		return nil, err
	}
	for _, id := range g.Members {
		if p := s.Persons[id]; !preStaged(p.Stage) && p.Stage != Staged {
			return nil, Errorf(ECONFLICT, "group %s travels together now: person %s is %s", g.ID, p.ID, p.Stage).
				With("person_id", p.ID).With("stage", p.Stage)
		}
	}
	events := []Event{env.event(groupStream+c.NewGroupID, GroupRegistered,
		EventData{Group: &Group{ID: c.NewGroupID, Name: name, Nation: g.Nation, Members: []string{}, RegisteredAt: env.Time}})}
	for i, id := range c.Persons {
		if !slices.Contains(g.Members, id) {
			return nil, invalid("persons["+strconv.Itoa(i)+"]", "%s is not a member of group %s", id, g.ID)
		}
		if slices.Contains(c.Persons[:i], id) {
			return nil, invalid("persons["+strconv.Itoa(i)+"]", "%s is listed twice", id)
		}
		events = append(events, env.event(personStream+id, PersonRegrouped, EventData{FromGroup: g.ID, ToGroup: c.NewGroupID}))
	}
	return events, nil
}

func (c SplitGroup) outcome(s *State, _ []Event) any {
	return SplitResult{Group: s.View(c.GroupID), NewGroup: s.View(c.NewGroupID)}
}

// CallGroup calls a registered group forward to a gate in a time window.
type CallGroup struct {
	GroupID     string    `json:"-"`
	Gate        string    `json:"gate"`
	WindowStart time.Time `json:"window_start"`
	WindowEnd   time.Time `json:"window_end"`
}

func (c CallGroup) decide(s *State, env Envelope) ([]Event, error) {
	g, err := s.group(c.GroupID)
	if err != nil {
		return nil, err
	}
	if c.Gate == "" {
		return nil, invalid("gate", "is required")
	}
	switch site, ok := s.Sites[c.Gate]; {
	case !ok:
		return nil, Errorf(ENOTFOUND, "site %q does not exist", c.Gate).With("field", "gate")
	case site.Kind != Gate:
		return nil, invalid("gate", "%q is a %s, not a gate", c.Gate, site.Kind)
	}
	if c.WindowStart.IsZero() || !c.WindowEnd.After(c.WindowStart) {
		return nil, invalid("window_end", "the window must have a start and end after it")
	}
	if err := plausibleTime("window_start", c.WindowStart); err != nil {
		return nil, err
	}
	if err := plausibleTime("window_end", c.WindowEnd); err != nil {
		return nil, err
	}
	if c.WindowEnd.Sub(c.WindowStart) > 48*time.Hour {
		return nil, invalid("window_end", "a window is at most 48 hours long")
	}
	var events []Event
	for _, id := range g.Members {
		p := s.Persons[id]
		if p.Stage != Registered && p.Stage != Called {
			return nil, stageConflict(p, Registered, Called)
		}
		events = append(events, env.event(personStream+id, PersonCalled,
			EventData{SiteID: c.Gate, WindowStart: c.WindowStart.UTC(), WindowEnd: c.WindowEnd.UTC()}))
	}
	return events, nil
}

func (c CallGroup) outcome(s *State, _ []Event) any { return s.View(c.GroupID) }

// Scan records a person passing a checkpoint. At a gate it records arrival at
// the airport; at holding that a cleared person is staged; at the ramp that the
// person's group boards the flight it is manifested on.
type Scan struct {
	PersonID string `json:"person_id,omitempty"`
	Document string `json:"document,omitempty"`
	// MRZ is the machine-readable zone as scanned. The adapter that takes
	// the command reads it into Document before the rules see it; the rules
	// refuse one left unread.
	MRZ  string `json:"mrz,omitempty"`
	Site string `json:"site"`
}

// ScanResult is what a checkpoint is told after a scan.
type ScanResult struct {
	Person        Person `json:"person"`
	CalledForward bool   `json:"called_forward"`
	// Group lists the group's members when the scan moved the whole group.
	Group []Person `json:"group,omitempty"`
}

func (c Scan) person(s *State) (*Person, error) {
	switch {
	case c.MRZ != "":
		return nil, invalid("mrz", "the machine-readable zone was not read")
	case c.PersonID != "" && c.Document != "":
		return nil, invalid("person_id", "give person_id or document, not both")
	case c.PersonID != "":
		return s.person(c.PersonID)
	case c.Document != "":
		return s.PersonByDocument(c.Document)
	}
	return nil, invalid("person_id", "give person_id or document")
}

func (c Scan) decide(s *State, env Envelope) ([]Event, error) {
	p, err := c.person(s)
	if err != nil {
		return nil, err
	}
	if c.Site == "" {
		return nil, invalid("site", "is required")
	}
	site, ok := s.Sites[c.Site]
	if !ok {
		return nil, Errorf(ENOTFOUND, "site %q does not exist", c.Site).With("field", "site")
	}
	_, allowed := ScanMoves(site.Kind, p.Stage, p.Screening)
	switch site.Kind {
	case Gate:
		if !allowed {
			return nil, stageConflict(p, Registered, Called)
		}
		return []Event{env.event(personStream+p.ID, PersonAtGate,
			EventData{SiteID: site.ID, WasCalled: p.Stage == Called})}, nil
	case Holding:
		if !allowed {
			return nil, Errorf(ECONFLICT, "person %s is %s%s, not screened and cleared", p.ID, p.Stage, decisionSuffix(p)).
				With("stage", p.Stage).With("screening", p.Screening)
		}
		return []Event{env.event(personStream+p.ID, PersonStaged, EventData{SiteID: site.ID})}, nil
	case Ramp:
		if !allowed {
			return nil, stageConflict(p, Manifested)
		}
		return BoardGroup{FlightID: p.FlightID, GroupID: p.GroupID}.decide(s, env)
	}
	return nil, invalid("site", "a %s takes no scans", site.Kind)
}

func (c Scan) outcome(s *State, events []Event) any {
	p, _ := c.person(s)
	r := ScanResult{Person: *p}
	for _, e := range events {
		r.CalledForward = r.CalledForward || e.Data.WasCalled
	}
	if len(events) > 1 || events[0].Type == PersonBoarded {
		r.Group = s.View(r.Person.GroupID).Persons
	}
	return r
}

func decisionSuffix(p *Person) string {
	if p.Screening == "" {
		return ""
	}
	return " (" + p.Screening + ")"
}

// Screen records a screener's decision on a person at the gate, or on a
// person who was referred.
type Screen struct {
	PersonID string `json:"-"`
	Decision string `json:"decision"`
	Reason   string `json:"reason,omitempty"`
	Medical  *bool  `json:"medical,omitempty"`
}

func (c Screen) decide(s *State, env Envelope) ([]Event, error) {
	p, err := s.person(c.PersonID)
	if err != nil {
		return nil, err
	}
	switch c.Decision {
	case Cleared, Denied, Referred:
	default:
		return nil, invalid("decision", "%q must be cleared, denied or referred", c.Decision)
	}
	reason := strings.TrimSpace(c.Reason)
	if err := validName("reason", reason); err != nil {
		return nil, err
	}
	if reason == "" && c.Decision != Cleared {
		return nil, invalid("reason", "a %s decision needs a reason", c.Decision)
	}
	if !Screenable(p.Stage, p.Screening) {
		return nil, Errorf(ECONFLICT, "person %s is %s%s; screening needs at_gate or a referral", p.ID, p.Stage, decisionSuffix(p)).
			With("stage", p.Stage).With("screening", p.Screening)
	}
	return []Event{env.event(personStream+p.ID, PersonScreened,
		EventData{Decision: c.Decision, Reason: reason, Medical: c.Medical})}, nil
}

func (c Screen) outcome(s *State, _ []Event) any { return s.Persons[c.PersonID] }

// ScheduleFlight adds a flight.
type ScheduleFlight struct {
	FlightInput
}

func (c ScheduleFlight) decide(s *State, env Envelope) ([]Event, error) {
	in := c.FlightInput
	if err := in.validate(*s.Policy); err != nil {
		return nil, err
	}
	if in.ID == "" {
		return nil, invalid("id", "must not be empty")
	}
	if _, ok := s.Flights[in.ID]; ok {
		return nil, Errorf(ECONFLICT, "flight %s already exists", in.ID).With("id", in.ID)
	}
	f := &Flight{
		ID: in.ID, Callsign: in.Callsign, Operator: in.Operator, Aircraft: in.Aircraft,
		Seats: in.Seats, Litters: *in.Litters, Slot: in.Slot, Destination: in.Destination,
		Status: StatusScheduled, StatusSince: env.Time,
	}
	return []Event{env.event(flightStream+f.ID, FlightScheduled, EventData{Flight: f})}, nil
}

func (c ScheduleFlight) outcome(s *State, _ []Event) any { return s.Flights[c.ID] }

// Flight actions for FlightAction.
const (
	ActionBoarding = "boarding"
	ActionClose    = "close"
	ActionDepart   = "depart"
	ActionArrive   = "arrive"
	ActionCancel   = "cancel"
)

// FlightAction moves a flight along its lifecycle. Closing boarding turns
// the manifested who have not boarded into no-shows, back in staged, fills
// the seats left from the standby list, and raises a load-guard alert if the
// flight stays under the threshold while compatible people wait. Departing
// departs the boarded persons (anyone still manifested is a no-show); under
// the load guard's threshold with compatible people waiting, it needs an
// Override giving the reason, recorded with the departure. Arriving arrives
// the persons carried; cancelling, with a Reason, offloads everyone.
type FlightAction struct {
	FlightID string `json:"-"`
	Action   string `json:"-"`
	Reason   string `json:"reason,omitempty"`
	Override string `json:"override,omitempty"`
}

func (c FlightAction) decide(s *State, env Envelope) ([]Event, error) {
	f, err := s.flight(c.FlightID)
	if err != nil {
		return nil, err
	}
	reason := strings.TrimSpace(c.Reason)
	if err := validName("reason", reason); err != nil {
		return nil, err
	}
	stream := flightStream + f.ID
	from := flightActionFrom[c.Action]
	if from == nil {
		return nil, Errorf(ENOTFOUND, "unknown flight action %q", c.Action)
	}
	if _, ok := FlightActionAllowed(f.Status, c.Action); !ok {
		return nil, flightConflict(f, c.Action, from...)
	}
	switch c.Action {
	case ActionBoarding:
		return []Event{env.event(stream, FlightBoarding, EventData{})}, nil
	case ActionClose:
		return s.closeFlight(f, env), nil
	case ActionDepart:
		override := strings.TrimSpace(c.Override)
		if err := validName("override", override); err != nil {
			return nil, err
		}
		alert, err := s.departGuard(f, override, env.Time)
		if err != nil {
			return nil, err
		}
		departed := EventData{}
		if alert != nil {
			departed = EventData{Override: true, Reason: override, Alert: alert}
		}
		aboard := s.aboard(f.ID)
		events := make([]Event, 0, len(aboard)+2) // and perhaps an alert's, and the departure
		carried, noShows := 0, 0
		for _, p := range aboard {
			if Departs(p.Stage) {
				carried++
				events = append(events, env.event(personStream+p.ID, PersonDeparted, EventData{FlightID: f.ID}))
			} else {
				noShows++
				events = append(events, env.event(personStream+p.ID, PersonNoShow, EventData{FlightID: f.ID}))
			}
		}
		departed.Carried, departed.NoShows = carried, noShows
		events = append(events, alertEvents(env, f, nil)...)
		return append(events, env.event(stream, FlightDeparted, departed)), nil
	case ActionArrive:
		aboard := s.aboard(f.ID)
		events := make([]Event, 0, len(aboard)+1)
		for _, p := range aboard {
			events = append(events, env.event(personStream+p.ID, PersonArrived, EventData{FlightID: f.ID}))
		}
		return append(events, env.event(stream, FlightArrived, EventData{})), nil
	case ActionCancel:
		if reason == "" {
			return nil, invalid("reason", "cancelling a flight needs a reason")
		}
		var events []Event
		for _, p := range s.aboard(f.ID) {
			events = append(events, env.event(personStream+p.ID, PersonOffloaded,
				EventData{FlightID: f.ID, Reason: "flight cancelled: " + reason}))
		}
		events = append(events, alertEvents(env, f, nil)...)
		return append(events, env.event(stream, FlightCancelled, EventData{Reason: reason})), nil
	}
	return nil, Errorf(ENOTFOUND, "unknown flight action %q", c.Action)
}

func (c FlightAction) outcome(s *State, _ []Event) any { return s.Flights[c.FlightID] }

// aboard returns the persons whose current flight is id, ordered by id.
func (s *State) aboard(id string) []*Person {
	m := s.flightIndex()[id]
	if len(m) == 0 {
		return nil
	}
	ps := make([]*Person, 0, len(m))
	for _, p := range m {
		ps = append(ps, p)
	}
	slices.SortFunc(ps, func(a, b *Person) int { return strings.Compare(a.ID, b.ID) })
	return ps
}

// ManifestGroup puts a staged group on a flight's manifest.
type ManifestGroup struct {
	FlightID string `json:"-"`
	GroupID  string `json:"group_id"`
}

func (c ManifestGroup) decide(s *State, env Envelope) ([]Event, error) {
	f, err := s.flight(c.FlightID)
	if err != nil {
		return nil, err
	}
	if !f.Status.Open() {
		return nil, flightConflict(f, "take manifest changes", StatusScheduled, StatusBoarding)
	}
	if c.GroupID == "" {
		return nil, invalid("group_id", "is required")
	}
	g, err := s.group(c.GroupID)
	if err != nil {
		return nil, err
	}
	pt := s.party(g)
	litters := 0
	for _, p := range pt.members {
		if p.Stage == Manifested || p.Stage == Boarded {
			return nil, Errorf(ECONFLICT, "person %s of group %s is already on the manifest of flight %s", p.ID, g.ID, p.FlightID).
				With("person_id", p.ID).With("stage", p.Stage).With("flight_id", p.FlightID)
		}
		if p.Stage != Staged {
			return nil, Errorf(ECONFLICT, "group %s travels together, but person %s is %s, not staged", g.ID, p.ID, p.Stage).
				With("person_id", p.ID).With("stage", p.Stage)
		}
		if p.Needs.Litter {
			litters++
		}
	}
	if free := f.Seats - f.Manifested; !FitsSeats(f.Seats, f.Manifested, len(g.Members)) {
		return nil, Errorf(ECONFLICT, "flight %s has %d free seats; group %s needs %d", f.ID, free, g.ID, len(g.Members)).
			With("seats", f.Seats).With("manifested", f.Manifested).With("group_size", len(g.Members))
	}
	if free := f.Litters - f.LittersUsed; litters > free {
		return nil, Errorf(ECONFLICT, "flight %s has %d free litter positions; group %s needs %d", f.ID, free, g.ID, litters).
			With("litters", f.Litters).With("litters_used", f.LittersUsed)
	}
	if err := s.carriable(pt, f); err != nil {
		return nil, err
	}
	if err := s.checkHubs([]*Flight{f}, map[string]int{f.ID: f.Manifested + pt.size()}); err != nil {
		return nil, err
	}
	return s.seating(f, nil).manifest(make([]Event, 0, pt.size()), env, pt, f), nil
}

func (c ManifestGroup) outcome(s *State, _ []Event) any { return s.View(c.GroupID) }

// OffloadGroup takes a group that has not boarded off a flight's manifest,
// back to staged.
type OffloadGroup struct {
	FlightID string `json:"-"`
	GroupID  string `json:"-"`
	Reason   string `json:"reason,omitempty"`
}

func (c OffloadGroup) decide(s *State, env Envelope) ([]Event, error) {
	f, err := s.flight(c.FlightID)
	if err != nil {
		return nil, err
	}
	if !f.Status.Open() && f.Status != StatusClosed {
		return nil, flightConflict(f, "offload", StatusScheduled, StatusBoarding, StatusClosed)
	}
	g, err := s.group(c.GroupID)
	if err != nil {
		return nil, err
	}
	reason := strings.TrimSpace(c.Reason)
	if err := validName("reason", reason); err != nil {
		return nil, err
	}
	events := make([]Event, 0, len(g.Members))
	if err := s.manifestedOn(g, f); err != nil {
		return nil, err
	}
	for _, id := range g.Members {
		events = append(events, env.event(personStream+id, PersonOffloaded, EventData{FlightID: f.ID, Reason: reason}))
	}
	return events, nil
}

func (c OffloadGroup) outcome(s *State, _ []Event) any { return s.View(c.GroupID) }

func onFlight(p *Person) string {
	if p.FlightID == "" {
		return ""
	}
	return " on flight " + p.FlightID
}

// BoardGroup boards a manifested group onto its flight while the flight is
// boarding. PersonID may name any member instead of GroupID.
type BoardGroup struct {
	FlightID string `json:"-"`
	GroupID  string `json:"group_id,omitempty"`
	PersonID string `json:"person_id,omitempty"`
}

func (c BoardGroup) decide(s *State, env Envelope) ([]Event, error) {
	f, err := s.flight(c.FlightID)
	if err != nil {
		return nil, err
	}
	groupID := c.GroupID
	switch {
	case c.GroupID != "" && c.PersonID != "":
		return nil, invalid("group_id", "give group_id or person_id, not both")
	case c.PersonID != "":
		p, err := s.person(c.PersonID)
		if err != nil {
			return nil, err
		}
		groupID = p.GroupID
	case c.GroupID == "":
		return nil, invalid("group_id", "give group_id or person_id")
	}
	g, err := s.group(groupID)
	if err != nil {
		return nil, err
	}
	// A closed flight still boards the standby groups that took the seats
	// of no-shows.
	if !Boardable(f.Status) {
		return nil, flightConflict(f, "board", fromBoardingClosed...)
	}
	events := make([]Event, 0, len(g.Members))
	if err := s.manifestedOn(g, f); err != nil {
		return nil, err
	}
	for _, id := range g.Members {
		events = append(events, env.event(personStream+id, PersonBoarded, EventData{FlightID: f.ID}))
	}
	return events, nil
}

func (c BoardGroup) outcome(s *State, events []Event) any {
	id := strings.TrimPrefix(events[0].Stream, personStream)
	return s.View(s.Persons[id].GroupID)
}

func (s *State) person(id string) (*Person, error) {
	p, ok := s.Persons[id]
	if !ok {
		return nil, Errorf(ENOTFOUND, "person %q does not exist", id).With("person_id", id)
	}
	return p, nil
}

// PersonByDocument returns the person holding the document with the given
// number. Returns ENOTFOUND if nobody does.
func (s *State) PersonByDocument(number string) (*Person, error) {
	id, ok := s.Documents[NormalizeDocumentNumber(number)]
	if !ok {
		// The number is not repeated: refusals are stored in the ledger.
		return nil, Errorf(ENOTFOUND, "no person holds the scanned document")
	}
	return s.Persons[id], nil
}

func (s *State) group(id string) (*Group, error) {
	g, ok := s.Groups[id]
	if !ok {
		return nil, Errorf(ENOTFOUND, "group %q does not exist", id).With("group_id", id)
	}
	return g, nil
}

func (s *State) flight(id string) (*Flight, error) {
	f, ok := s.Flights[id]
	if !ok {
		return nil, Errorf(ENOTFOUND, "flight %q does not exist", id).With("flight_id", id)
	}
	return f, nil
}

// manifestedOn reports the first member of g who is not manifested (and not
// yet boarded) on f.
func (s *State) manifestedOn(g *Group, f *Flight) error {
	for _, id := range g.Members {
		if p := s.Persons[id]; p.FlightID != f.ID || p.Stage != Manifested {
			return Errorf(ECONFLICT, "person %s of group %s is %s%s, not manifested on flight %s", p.ID, g.ID, p.Stage, onFlight(p), f.ID).
				With("person_id", p.ID).With("stage", p.Stage)
		}
	}
	return nil
}

func stageConflict(p *Person, want ...Stage) error {
	return Errorf(ECONFLICT, "person %s is %s%s, expected %s", p.ID, p.Stage, decisionSuffix(p), orList(want)).
		With("person_id", p.ID).With("stage", p.Stage)
}

func flightConflict(f *Flight, action string, want ...FlightStatus) error {
	return Errorf(ECONFLICT, "flight %s is %s; to %s it must be %s", f.ID, f.Status, action, orList(want)).
		With("flight_id", f.ID).With("status", f.Status)
}

// orList names the alternatives: "a", "a or b", "a or b or c".
func orList[T ~string](want []T) string {
	names := make([]string, len(want))
	for i, w := range want {
		names[i] = string(w)
	}
	return strings.Join(names, " or ")
}

// joinField joins a field to its prefix, which may be empty.
func joinField(prefix, field string) string {
	if prefix == "" {
		return field
	}
	return prefix + "." + field
}
