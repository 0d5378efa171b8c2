package server

import (
	"bytes"
	"cmp"
	"encoding/json"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"airbridge"
	"airbridge/svgplot"
	"airbridge/withdraw"
)

// adoptRequest is the body of POST /api/withdrawals: a scenario, by the name
// of a built-in one or whole, and optionally the id the plan is to have.
type adoptRequest struct {
	ID       string          `json:"id,omitempty"`
	Scenario json.RawMessage `json:"scenario"`
}

// adoptWithdrawal plans the scenario in the body and adopts the plan, which
// the independent validator must pass first. A plan that misses deadlines
// is adopted as it is: tracking shows them late.
func (s *Server) adoptWithdrawal(w http.ResponseWriter, r *http.Request) {
	key, ok := s.idempotencyKey(w, r)
	if !ok {
		return
	}
	body, err := readBody(w, r, small)
	if err != nil {
		s.error(w, r, err)
		return
	}
	var req adoptRequest
	if err := decodeStrict(body, &req); err != nil {
		s.error(w, r, err)
		return
	}
	sc, err := readWithdrawalScenario(req.Scenario)
	if err != nil {
		s.error(w, r, err)
		return
	}
	// Who may adopt it, before the work of planning it.
	if s.ownScope(r) && !s.allowNation(w, r, sc.Nations()...) {
		return
	}
	// One plan at a time: planning a large theatre takes a core and memory.
	select {
	case s.planning <- struct{}{}:
	case <-r.Context().Done():
		return
	}
	plan, err := withdraw.PlanToTrack(sc)
	<-s.planning
	if err != nil {
		s.error(w, r, airbridge.Errorf(airbridge.EINVALID, "%v", err).With("field", "scenario"))
		return
	}
	if legs := len(plan.Moves) + len(plan.Sorties); legs > airbridge.MaxLegs {
		s.error(w, r, airbridge.Errorf(airbridge.EINVALID, "scenario: its plan has %d legs (moves and sorties by day and nation), more than the %d the ledger tracks",
			legs, airbridge.MaxLegs).With("field", "scenario"))
		return
	}
	if problems := withdraw.Validate(sc, plan); len(problems) > 0 {
		s.error(w, r, airbridge.Errorf(airbridge.EINTERNAL, "the planner's plan of %s breaks its rules: %s", sc.Name, problems[0]))
		return
	}
	s.execute(w, r, http.StatusCreated, key, body, &airbridge.AdoptWithdrawalPlan{Plan: plan.Adoptable(sc, req.ID)})
}

// readWithdrawalScenario reads a scenario given by name ("nato-2021") or as
// an object.
func readWithdrawalScenario(raw json.RawMessage) (*withdraw.Scenario, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, airbridge.Errorf(airbridge.EINVALID, "scenario: give the name of a built-in scenario (%s) or a scenario object",
			strings.Join(withdraw.BuiltinNames(), ", ")).With("field", "scenario")
	}
	if raw[0] == '"' {
		var name string
		if err := json.Unmarshal(raw, &name); err != nil {
			return nil, airbridge.Errorf(airbridge.EMALFORMED, "scenario: %v", err).With("field", "scenario")
		}
		sc, err := withdraw.Builtin(name)
		if err != nil {
			return nil, airbridge.Errorf(airbridge.EINVALID, "scenario: %v", err).With("field", "scenario")
		}
		return sc, nil
	}
	sc, err := withdraw.ReadScenario(bytes.NewReader(raw))
	if err != nil {
		return nil, airbridge.Errorf(airbridge.EINVALID, "%v", err).With("field", "scenario")
	}
	// What the server plans on request is bounded tighter than what the
	// planner takes from a file: a coalition, not a synthetic world.
	nations := len(sc.Nations())
	if nations > maxServedNations || nations*len(sc.Sites)*sc.Days > maxServedCells {
		return nil, airbridge.Errorf(airbridge.EINVALID, "scenario: %d nations × %d sites × %d days is more than the server plans (at most %d nations, %d cells); plan it with airbridge withdraw plan",
			nations, len(sc.Sites), sc.Days, maxServedNations, maxServedCells).With("field", "scenario")
	}
	return sc, nil
}

// Bounds on a scenario the server plans on request.
const (
	maxServedNations = 200
	maxServedCells   = 4_000_000 // nations × sites × days
)

func (s *Server) getWithdrawals(w http.ResponseWriter, r *http.Request) {
	all, err := s.ledger.Withdrawals(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"withdrawals": all})
}

// withdrawalView is GET /api/withdrawals/{id}: the plan, the movements and
// the progress as of a day.
type withdrawalView struct {
	airbridge.WithdrawalSummary
	Plan      airbridge.WithdrawalPlan     `json:"plan"`
	Movements []airbridge.Movement         `json:"movements"`
	Progress  airbridge.WithdrawalProgress `json:"progress"`
}

// withdrawalAsOf reads a withdrawal and the day its progress is asked for:
// the as_of date, or by default the day of the latest movement recorded.
func (s *Server) withdrawalAsOf(r *http.Request) (*airbridge.Withdrawal, int, error) {
	wd, err := s.ledger.Withdrawal(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, 0, err
	}
	day := wd.LastDay()
	if asOf := r.URL.Query().Get("as_of"); asOf != "" {
		d, ok := wd.DayOf(asOf)
		if !ok {
			return nil, 0, airbridge.Errorf(airbridge.EINVALID, "as_of: %q is not a date YYYY-MM-DD from the plan's start %s to a year after its end", asOf, wd.Plan.Start).
				With("field", "as_of")
		}
		day = d
	}
	return wd, day, nil
}

func (s *Server) getWithdrawal(w http.ResponseWriter, r *http.Request) {
	wd, day, err := s.withdrawalAsOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, withdrawalView{WithdrawalSummary: wd.Summary(), Plan: wd.Plan, Movements: wd.Movements, Progress: wd.Progress(day)})
}

// withdrawalsPage is the list of plans and, for who may adopt one, the
// built-in scenarios to adopt.
type withdrawalsPage struct {
	Plans    []airbridge.WithdrawalSummary
	Adopt    bool
	Builtins []string
}

func (s *Server) uiWithdrawals(w http.ResponseWriter, r *http.Request) {
	all, err := s.ledger.Withdrawals(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	p := withdrawalsPage{Plans: all, Adopt: s.may(callerOf(r), "POST /api/withdrawals"), Builtins: withdraw.BuiltinNames()}
	s.render(w, r, http.StatusOK, "withdrawals.html", "Withdrawal", p)
}

// withdrawalPage is one plan tracked as of a day.
type withdrawalPage struct {
	W        *airbridge.Withdrawal
	Progress airbridge.WithdrawalProgress
	Chart    template.HTML
	// Counts of nations by status, the late and behind first in the table.
	Late, Behind, Out int
	// Record is set when the caller may record movements, of Nations.
	Record  bool
	Nations []string
	MaxDate string
	// Movements newest first.
	Movements []airbridge.Movement
}

func (s *Server) uiWithdrawal(w http.ResponseWriter, r *http.Request) {
	wd, day, err := s.withdrawalAsOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	pr := wd.Progress(day)
	p := withdrawalPage{W: wd, Progress: pr, MaxDate: wd.LastDate()}
	c := callerOf(r)
	for _, n := range wd.Plan.Nations() {
		if s.mayFor(c, "POST /api/withdrawals/{id}/movements", n) {
			p.Nations = append(p.Nations, n)
		}
	}
	p.Record = len(p.Nations) > 0
	rank := map[string]int{airbridge.StatusLate: 0, airbridge.StatusBehind: 1, airbridge.StatusOnPlan: 2, airbridge.StatusAhead: 3, airbridge.StatusOut: 4}
	slices.SortStableFunc(p.Progress.Nations, func(a, b airbridge.NationProgress) int {
		return cmp.Or(cmp.Compare(rank[a.Status], rank[b.Status]), cmp.Compare(b.SlipDays, a.SlipDays))
	})
	for _, n := range pr.Nations {
		switch n.Status {
		case airbridge.StatusLate:
			p.Late++
		case airbridge.StatusBehind:
			p.Behind++
		case airbridge.StatusOut:
			p.Out++
		}
	}
	p.Movements = slices.Clone(wd.Movements)
	slices.Reverse(p.Movements)
	start, _ := time.Parse(time.DateOnly, wd.Plan.Start)
	series := []svgplot.Series{{Name: "planned"}, {Name: "recorded"}}
	for d, n := range pr.PlannedPersonnel {
		series[0].Points = append(series[0].Points, svgplot.Point{X: start.AddDate(0, 0, d), Y: float64(n)})
	}
	for d, n := range pr.ActualPersonnel {
		series[1].Points = append(series[1].Points, svgplot.Point{X: start.AddDate(0, 0, d), Y: float64(n)})
	}
	p.Chart = template.HTML(svgplot.Line("Personnel in theatre, planned and recorded", series, svgplot.Options{YLabel: "personnel"}))
	s.render(w, r, http.StatusOK, "withdrawal.html", wd.Plan.Name+" · withdrawal", p)
}
