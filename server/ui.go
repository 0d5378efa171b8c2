package server

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"airbridge"
	"airbridge/auth"
	"airbridge/svgplot"
	"airbridge/translit"
)

// The operations picture in the browser: server-rendered pages behind the
// login, scoped by role and nation like the API they sit on. Their scripts
// (ui/static/app.js, no build step) call the same JSON API with the
// session's CSRF token, and refresh the live parts of a page when the event
// stream says something changed.

//go:embed ui
var uiFiles embed.FS

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"clock":    func(t time.Time) string { return t.UTC().Format("02 Jan 15:04") },
	"hm":       func(t time.Time) string { return t.UTC().Format("15:04") },
	"duration": humanDuration,
	"pct": func(n, of int) int {
		if of <= 0 {
			return 0
		}
		return min(100*n/of, 100)
	},
	"stageName": func(s airbridge.Stage) string { return strings.ReplaceAll(string(s), "_", " ") },
	"nation":    nationName,
}).ParseFS(uiFiles, "ui/*.html"))

// uiCSP lets the pages load their own script, style and pictures and talk
// to their own API, and nothing else.
const uiCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// uiRoutes registers the pages with who may open them.
func (s *Server) uiRoutes() {
	s.handle("GET /{$}", open, func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/ui/", http.StatusSeeOther) })
	s.handle("GET /ui/login", open, s.uiLogin)
	static, _ := fs.Sub(uiFiles, "ui/static")
	files := http.StripPrefix("/ui/static/", http.FileServerFS(static))
	s.handle("GET /ui/static/{file}", open, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	})
	s.handle("GET /ui/{$}", everyone, s.uiOverview)
	s.handle("GET /ui/overview/live", everyone, s.uiOverviewLive)
	s.handle("GET /ui/flights", everyone, s.uiFlights)
	s.handle("GET /ui/flights/{id}", everyone, s.uiFlight)
	// The desks list what their users act on; a list of one nation's people
	// is narrowed to it by the handler (nationBound), not refused.
	s.handle("GET /ui/gate", rule{auth.GateAgent: anyNation, auth.Screener: anyNation, auth.ManifestOfficer: anyNation}, s.uiGate)
	s.handle("GET /ui/screening", rule{auth.Screener: anyNation, auth.Coordinator: anyNation, auth.Commander: anyNation}, s.uiScreening)
	s.handle("GET /ui/manifests", rule{auth.ManifestOfficer: anyNation, auth.Planner: anyNation, auth.Commander: anyNation}, s.uiManifests)
	s.handle("GET /ui/persons/{id}", individuals, s.uiPerson)
	s.handle("GET /ui/persons/{id}/card", individuals, s.uiPersonCard)
	s.handle("GET /ui/search", everyone, s.uiSearch)
	s.handle("GET /ui/withdrawals", withdrawalReaders, s.uiWithdrawals)
	s.handle("GET /ui/withdrawals/{id}", withdrawalReaders, s.uiWithdrawal)
}

// isPage reports whether a browser asks for a page, which then answers its
// errors in HTML; a script gets them in JSON like the rest of the API.
func isPage(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/ui/") && !strings.HasPrefix(r.URL.Path, "/ui/static/") &&
		strings.Contains(r.Header.Get("Accept"), "text/html")
}

// nationBound reports whether c works for its own nation's people only at
// the desks: national staff, not the coalition's nor the commanders.
func nationBound(c caller) bool {
	return c.Nation != auth.Coalition && c.Role != auth.Commander && c.Role != auth.Planner && c.Role != auth.Auditor
}

// navLink is an entry of the pages' navigation.
type navLink struct {
	Path, Label, Pattern string
	Current              bool
}

var navigation = []navLink{
	{Path: "/ui/", Label: "Overview", Pattern: "GET /ui/{$}"},
	{Path: "/ui/flights", Label: "Flights", Pattern: "GET /ui/flights"},
	{Path: "/ui/gate", Label: "Gate desk", Pattern: "GET /ui/gate"},
	{Path: "/ui/screening", Label: "Screening & staging", Pattern: "GET /ui/screening"},
	{Path: "/ui/manifests", Label: "Manifest desk", Pattern: "GET /ui/manifests"},
	{Path: "/ui/search", Label: "Find a person", Pattern: "GET /ui/search"},
	{Path: "/ui/withdrawals", Label: "Withdrawal", Pattern: "GET /ui/withdrawals"},
}

// view is what every page template gets.
type view struct {
	Title  string
	User   string
	Role   auth.Role
	Nation string
	CSRF   string
	Nav    []navLink
	Data   any
}

// may reports whether the caller's role may call the route pattern.
func (s *Server) may(c caller, pattern string) bool {
	_, ok := s.rules[pattern][c.Role]
	return ok
}

// mayFor reports whether the caller's role may call the route pattern about
// a subject of nation.
func (s *Server) mayFor(c caller, pattern, nation string) bool {
	switch s.rules[pattern][c.Role] {
	case anyNation:
		return true
	case ownNation:
		return c.Nation == auth.Coalition || c.Nation == nation
	}
	return false
}

// render writes the page template name with data for the caller.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) {
	c := callerOf(r)
	v := view{Title: title, User: c.User, Role: c.Role, Nation: nationName(c.Nation), Data: data}
	if c.session != nil {
		v.CSRF = c.session.CSRF
	}
	if c.User != "" {
		for _, l := range navigation {
			if s.may(c, l.Pattern) {
				l.Current = l.Path == r.URL.Path
				v.Nav = append(v.Nav, l)
			}
		}
	}
	s.writeTemplate(w, status, name, v)
}

func (s *Server) writeTemplate(w http.ResponseWriter, status int, name string, data any) {
	var b strings.Builder
	if err := pages.ExecuteTemplate(&b, name, data); err != nil {
		s.log.Error("render page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", uiCSP)
	w.WriteHeader(status)
	w.Write([]byte(b.String()))
}

// pageError answers a page's error as a page: a login for the
// unauthenticated, the reason for the rest.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, e *airbridge.Error, status int) {
	if e.Code == airbridge.EUNAUTHENTICATED && r.Method == http.MethodGet {
		http.Redirect(w, r, "/ui/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	s.render(w, r, status, "error.html", "Not possible", e)
}

func (s *Server) uiLogin(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Query().Get("next")
	if !strings.HasPrefix(next, "/ui/") || strings.HasPrefix(next, "//") {
		next = "/ui/"
	}
	s.render(w, r, http.StatusOK, "login.html", "Log in", next)
}

// overviewCache keeps the last overview computed, for the ledger position
// and the minute it was computed at: a wall screen and every browser that
// follows the stream ask again after each change.
type overviewCache struct {
	mu  sync.Mutex
	seq int64
	at  time.Time
	o   airbridge.Overview
}

func (s *Server) overview(ctx context.Context) (airbridge.Overview, error) {
	seq, err := s.ledger.LastSeq(ctx)
	if err != nil {
		return airbridge.Overview{}, err
	}
	now := time.Now().UTC()
	s.overviews.mu.Lock()
	defer s.overviews.mu.Unlock()
	// Computed once per ledger position (and again after 10 s, for what the
	// clock changes): every page that follows the stream asks after each
	// change. A stale answer would stay on the screens until the next one.
	if c := &s.overviews; c.seq == seq && !c.at.IsZero() && now.Sub(c.at) < 10*time.Second {
		return c.o, nil
	}
	var o airbridge.Overview
	err = s.ledger.View(ctx, func(st *airbridge.State) error {
		o = airbridge.OverviewOf(st, now)
		return nil
	})
	if err != nil {
		return airbridge.Overview{}, err
	}
	s.overviews.seq, s.overviews.at, s.overviews.o = seq, now, o
	return o, nil
}

// overviewPage is the overview with its charts drawn.
type overviewPage struct {
	airbridge.Overview
	Throughput template.HTML
	LoadChart  template.HTML
	Queues     template.HTML // empty while the ledger is first read
	LoadGuard  float64
	Upcoming   []airbridge.FlightLoad
}

func (s *Server) overviewPage(ctx context.Context) (*overviewPage, error) {
	o, err := s.overview(ctx)
	if err != nil {
		return nil, err
	}
	policy, err := s.ledger.Policy(ctx)
	if err != nil && airbridge.ErrorCode(err) != airbridge.ENOTFOUND {
		return nil, err
	}
	guard := 0.9
	if policy != nil {
		guard = policy.LoadThreshold()
	}
	p := &overviewPage{Overview: o, LoadGuard: guard, Upcoming: o.Loads[:min(len(o.Loads), 12)]}
	points := make([]svgplot.Point, len(o.Departures))
	for i, h := range o.Departures {
		points[i] = svgplot.Point{X: h.Hour, Y: float64(h.Count)}
	}
	p.Throughput = template.HTML(svgplot.Line("Persons flown out per hour, last 24 hours",
		[]svgplot.Series{{Name: "carried", Points: points}}, svgplot.Options{YLabel: "persons", Area: true}))
	bars := make([]svgplot.Bar, len(p.Upcoming))
	for i, f := range p.Upcoming {
		bars[i] = svgplot.Bar{Label: f.FlightID + " " + f.Callsign, Value: float64(f.Manifested), Max: float64(f.Seats), Warn: f.Alert}
	}
	p.LoadChart = template.HTML(svgplot.Bars("Load of the next flights (manifested of seats)", bars, svgplot.Options{Threshold: guard}))
	samples, ok, err := s.queueSamples(ctx, airbridge.OverviewHours, o.At)
	if err != nil {
		return nil, err
	}
	if ok {
		series := []svgplot.Series{{Name: "at a gate"}, {Name: "screened"}, {Name: "staged"}}
		for _, smp := range samples {
			series[0].Points = append(series[0].Points, svgplot.Point{X: smp.Hour, Y: float64(smp.AtGate)})
			series[1].Points = append(series[1].Points, svgplot.Point{X: smp.Hour, Y: float64(smp.Screened)})
			series[2].Points = append(series[2].Points, svgplot.Point{X: smp.Hour, Y: float64(smp.Staged)})
		}
		p.Queues = template.HTML(svgplot.Line("Persons waiting at the airport, at the end of each hour", series, svgplot.Options{YLabel: "persons"}))
	}
	return p, nil
}

func (s *Server) uiOverview(w http.ResponseWriter, r *http.Request) {
	p, err := s.overviewPage(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "overview.html", "Overview", p)
}

// uiOverviewLive is the overview's live part alone, which the page fetches
// again when the event stream reports a change.
func (s *Server) uiOverviewLive(w http.ResponseWriter, r *http.Request) {
	p, err := s.overviewPage(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.writeTemplate(w, http.StatusOK, "overview-live", p)
}

// flightRow is a flight on the board.
type flightRow struct {
	airbridge.Flight
	Open bool
}

func (s *Server) uiFlights(w http.ResponseWriter, r *http.Request) {
	flights, err := s.ledger.Flights(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	rows := make([]flightRow, len(flights))
	for i, f := range flights {
		rows[i] = flightRow{Flight: f, Open: f.Status.Open()}
	}
	slices.SortStableFunc(rows, func(a, b flightRow) int {
		if a.Open != b.Open {
			if a.Open {
				return -1
			}
			return 1
		}
		if a.Open {
			return a.Slot.Compare(b.Slot)
		}
		return b.Slot.Compare(a.Slot)
	})
	s.render(w, r, http.StatusOK, "flights.html", "Flights", rows)
}

// flightPage is a flight with its manifest as the caller may see it.
type flightPage struct {
	View        *airbridge.FlightView
	Groups      []manifestGroup
	Standby     []string
	Exports     bool
	Passes      bool
	Board       bool // may board groups
	Manage      bool // may move the flight through its statuses
	BoardedPct  int
	ManifestPct int
}

type manifestGroup struct {
	ID      string
	Persons []airbridge.Person
	Boarded int
}

func (s *Server) uiFlight(w http.ResponseWriter, r *http.Request) {
	v, ok := s.scopedFlight(w, r)
	if !ok {
		return
	}
	c := callerOf(r)
	p := &flightPage{View: v, Standby: v.Flight.Standby,
		Exports: s.mayFor(c, "GET /api/flights/{id}/manifest", v.Flight.Operator),
		Passes:  s.rules["GET /api/persons/{id}/boarding-pass"][c.Role] == anyNation,
		Board:   s.may(c, "POST /api/flights/{id}/board") && (c.Nation == v.Flight.Operator || c.Nation == auth.Coalition),
		Manage:  s.may(c, "POST /api/flights/{id}/close") && (!nationBound(c) || c.Nation == v.Flight.Operator),
	}
	byGroup := map[string]int{}
	for _, m := range v.Manifest {
		i, ok := byGroup[m.GroupID]
		if !ok {
			i = len(p.Groups)
			byGroup[m.GroupID] = i
			p.Groups = append(p.Groups, manifestGroup{ID: m.GroupID})
		}
		p.Groups[i].Persons = append(p.Groups[i].Persons, m)
		if m.Stage == airbridge.Boarded || m.Stage == airbridge.Departed || m.Stage == airbridge.Arrived {
			p.Groups[i].Boarded++
		}
	}
	if seats := v.Flight.Seats; seats > 0 {
		p.BoardedPct, p.ManifestPct = min(100*v.Flight.Boarded/seats, 100), min(100*v.Flight.Manifested/seats, 100)
	}
	s.render(w, r, http.StatusOK, "flight.html", "Flight "+v.Flight.ID, p)
}

func (s *Server) uiGate(w http.ResponseWriter, r *http.Request) {
	sites, err := s.ledger.Sites(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	var gates []airbridge.Site
	for _, site := range sites {
		if site.Kind == airbridge.Gate || site.Kind == airbridge.Holding || site.Kind == airbridge.Ramp {
			gates = append(gates, site)
		}
	}
	s.render(w, r, http.StatusOK, "gate.html", "Gate desk", gates)
}

// screeningPage lists who waits for a decision and who is staged.
type screeningPage struct {
	Waiting []airbridge.Person // at a gate, to be screened
	More    int
	Staged  []airbridge.StagedGroup
	Decide  bool
}

// maxListedWaiting bounds the persons the screening page lists.
const maxListedWaiting = 200

func (s *Server) uiScreening(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c := callerOf(r)
	own := nationBound(c)
	nation := ""
	if own {
		nation = c.Nation
	}
	waiting, total, err := s.ledger.AwaitingScreening(ctx, nation, maxListedWaiting)
	if err != nil {
		s.error(w, r, err)
		return
	}
	for i := range waiting {
		if !visible(c, &waiting[i], "") {
			waiting[i].Redact(withheld(c, waiting[i].Nation))
		}
	}
	limit := 100
	if own {
		limit = 10_000 // the queue of all nations, of which the caller's are kept
	}
	staged, err := s.ledger.StagedQueue(ctx, limit)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if own {
		staged = slices.DeleteFunc(staged, func(g airbridge.StagedGroup) bool { return g.Nation != c.Nation })
	}
	staged = staged[:min(len(staged), 100)]
	s.render(w, r, http.StatusOK, "screening.html", "Screening & staging", screeningPage{
		Waiting: waiting, More: total - len(waiting), Staged: staged, Decide: s.may(c, "POST /api/persons/{id}/screening")})
}

// manifestsPage is the manifest desk: the open flights the caller plans
// for, and the alerts it may override.
type manifestsPage struct {
	Flights []airbridge.Flight
	Publish bool
	Depart  bool // may depart a flight held by the load guard
}

func (s *Server) uiManifests(w http.ResponseWriter, r *http.Request) {
	flights, err := s.ledger.Flights(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	c := callerOf(r)
	own := nationBound(c)
	var open []airbridge.Flight
	for _, f := range flights {
		if (f.Status.Open() || f.Status == airbridge.StatusClosed) && (!own || f.Operator == c.Nation) {
			open = append(open, f)
		}
	}
	slices.SortFunc(open, func(a, b airbridge.Flight) int { return a.Slot.Compare(b.Slot) })
	s.render(w, r, http.StatusOK, "manifests.html", "Manifest desk",
		manifestsPage{Flights: open, Publish: s.may(c, "POST /api/manifests/publish"), Depart: s.may(c, "POST /api/flights/{id}/depart")})
}

// personPage is a person, their group and their history, as the caller may
// see them.
type personPage struct {
	Person  airbridge.Person
	Group   *airbridge.GroupView
	History []airbridge.Event
}

// scopedPerson reads person id as the caller may see it, with its history
// if asked, or answers the error.
func (s *Server) scopedPerson(w http.ResponseWriter, r *http.Request, history bool) (*personPage, bool) {
	ctx := r.Context()
	p, err := s.ledger.Person(ctx, r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return nil, false
	}
	if !s.allowNation(w, r, p.Nation) {
		return nil, false
	}
	c := callerOf(r)
	s.scopePerson(ctx, c, p)
	page := &personPage{Person: *p}
	if g, err := s.ledger.Group(ctx, p.GroupID); err == nil {
		for i := range g.Persons {
			s.scopePerson(ctx, c, &g.Persons[i])
		}
		if g.Group.Name != "" && !visible(c, &airbridge.Person{Nation: g.Group.Nation}, "") {
			g.Group.Name, g.Group.Redacted = "", withheld(c, g.Group.Nation)
		}
		page.Group = g
	}
	shown := []airbridge.Person{*p}
	if page.Group != nil {
		shown = append(shown, page.Group.Persons...)
	}
	if err := s.auditShown(r, "person/"+p.ID, shown...); err != nil {
		s.error(w, r, err)
		return nil, false
	}
	if history {
		events, err := s.ledger.History(ctx, p.ID)
		if err != nil {
			s.error(w, r, err)
			return nil, false
		}
		if p.Redacted != "" {
			for i := range events {
				if d := &events[i].Data; d.Person != nil {
					d.Person.Redact(p.Redacted)
				}
				if events[i].Data.Reason != "" {
					events[i].Data.Reason = "(" + p.Redacted + ")"
				}
			}
		}
		page.History = events
	}
	return page, true
}

func (s *Server) uiPerson(w http.ResponseWriter, r *http.Request) {
	if p, ok := s.scopedPerson(w, r, true); ok {
		s.render(w, r, http.StatusOK, "person.html", "Person "+p.Person.ID, p)
	}
}

// uiPersonCard is a person and their group alone, for the gate desk.
func (s *Server) uiPersonCard(w http.ResponseWriter, r *http.Request) {
	if p, ok := s.scopedPerson(w, r, false); ok {
		s.writeTemplate(w, http.StatusOK, "person-card", p)
	}
}

// searchPage is a search and what it found.
type searchPage struct {
	Query   string
	Found   []airbridge.Person
	More    bool
	Scoped  string
	Invalid string
}

// maxFound bounds the persons a search lists.
const maxFound = 50

// uiSearch finds persons by document number, or by name among the persons
// whose personal data the caller may see: a name search must not tell who
// else is registered.
func (s *Server) uiSearch(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c := callerOf(r)
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	page := searchPage{Query: q}
	if c.Nation == auth.Coalition || (c.Role != auth.Coordinator && c.Role != auth.GateAgent && c.Role != auth.Screener && c.Role != auth.ManifestOfficer) {
		page.Scoped = "You see no personal data, so a search by name finds nobody; a document number finds the record without names."
	}
	switch {
	case q == "":
	case len(q) > 100:
		page.Invalid = "Give at most 100 characters."
	default:
		if p, err := s.ledger.PersonByDocument(ctx, q); err == nil && (c.Role != auth.Coordinator || !nationBound(c) || p.Nation == c.Nation) {
			s.scopePerson(ctx, c, p)
			page.Found = append(page.Found, *p)
		} else if err != nil && airbridge.ErrorCode(err) != airbridge.ENOTFOUND {
			s.error(w, r, err)
			return
		}
		if len(q) >= 2 && page.Scoped == "" {
			want := strings.Fields(strings.ToUpper(translit.Latin(q)))
			found, more, err := s.findByName(ctx, c, want)
			if err != nil {
				s.error(w, r, err)
				return
			}
			page.Found, page.More = append(page.Found, found...), more
			if len(page.Found) > maxFound { // the document's match came first
				page.Found, page.More = page.Found[:maxFound], true
			}
		}
		slices.SortFunc(page.Found, func(a, b airbridge.Person) int { return strings.Compare(a.ID, b.ID) })
		page.Found = slices.CompactFunc(page.Found, func(a, b airbridge.Person) bool { return a.ID == b.ID })
		if err := s.auditShown(r, "search", page.Found...); err != nil {
			s.error(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "search.html", "Find a person", page)
}

// searchChunk is how many persons one look at the state goes through: the
// writer waits meanwhile, so a name search over a national operation gives
// it back every few milliseconds.
const searchChunk = 5000

// findByName returns up to maxFound persons whose names match want and
// whose personal data c may see, and whether there are more.
func (s *Server) findByName(ctx context.Context, c caller, want []string) ([]airbridge.Person, bool, error) {
	var ids []string
	err := s.ledger.View(ctx, func(st *airbridge.State) error {
		ids = slices.Collect(maps.Keys(st.Persons))
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	slices.Sort(ids)
	var found []airbridge.Person
	for i := 0; i < len(ids); i += searchChunk {
		more := false
		err := s.ledger.View(ctx, func(st *airbridge.State) error {
			for _, id := range ids[i:min(i+searchChunk, len(ids))] {
				p := st.Persons[id]
				if p == nil {
					continue
				}
				operator := ""
				if f := st.Flights[p.FlightID]; f != nil {
					operator = f.Operator
				}
				if p.PersonalData.IsZero() || !visible(c, p, operator) || !nameMatches(p, want) {
					continue
				}
				if len(found) == maxFound {
					more = true
					break
				}
				found = append(found, *p)
			}
			return nil
		})
		if err != nil || more {
			return found, more, err
		}
	}
	return found, false, nil
}

// nameMatches reports whether every word of want begins a word of p's names.
func nameMatches(p *airbridge.Person, want []string) bool {
	have := strings.Fields(strings.ToUpper(translit.Latin(p.Surname + " " + p.GivenNames)))
	for _, w := range want {
		if !slices.ContainsFunc(have, func(h string) bool { return strings.HasPrefix(h, w) }) {
			return false
		}
	}
	return len(want) > 0
}

// humanDuration writes d as hours and minutes.
func humanDuration(d time.Duration) string {
	d = d.Round(time.Minute)
	h, m := int(d.Hours()), int(d.Minutes())%60
	switch {
	case h >= 48:
		return fmt.Sprintf("%d d %d h", h/24, h%24)
	case h > 0:
		return fmt.Sprintf("%d h %02d min", h, m)
	}
	return fmt.Sprintf("%d min", m)
}
