package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"airbridge"
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
	plan, err := withdraw.Plan(sc)
	if err != nil {
		s.error(w, r, airbridge.Errorf(airbridge.EINVALID, "%v", err).With("field", "scenario"))
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
	return sc, nil
}

// withdrawalListing is one plan in GET /api/withdrawals.
type withdrawalListing struct {
	airbridge.WithdrawalSummary
	Nations   int    `json:"nations"`
	Movements int    `json:"movements"`
	AdoptedBy string `json:"adopted_by,omitempty"`
	AdoptedAt string `json:"adopted_at"`
}

func listing(w *airbridge.Withdrawal) withdrawalListing {
	p := &w.Plan
	return withdrawalListing{
		WithdrawalSummary: airbridge.WithdrawalSummary{ID: p.ID, Name: p.Name, Start: p.Start, Days: p.Days, Legs: len(p.Legs)},
		Nations:           len(p.Nations()), Movements: len(w.Movements), AdoptedBy: w.AdoptedBy, AdoptedAt: w.AdoptedAt.UTC().Format("2006-01-02T15:04:05Z"),
	}
}

func (s *Server) getWithdrawals(w http.ResponseWriter, r *http.Request) {
	all, err := s.ledger.Withdrawals(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	out := []withdrawalListing{}
	for i := range all {
		out = append(out, listing(&all[i]))
	}
	writeJSON(w, http.StatusOK, map[string]any{"withdrawals": out})
}

// withdrawalView is GET /api/withdrawals/{id}: the plan, the movements and
// the progress as of a day.
type withdrawalView struct {
	withdrawalListing
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
	writeJSON(w, http.StatusOK, withdrawalView{withdrawalListing: listing(wd), Plan: wd.Plan, Movements: wd.Movements, Progress: wd.Progress(day)})
}
