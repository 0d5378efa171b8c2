package withdraw

import (
	"testing"
	"time"

	"airbridge"
)

// TestAdoptableFollowed: the nato-2021 plan, and random ones, adopted in a
// ledger state and recorded leg by leg as what happened: the ledger's rules
// refuse none of the legs (the planner and the domain agree on what a site's
// floor allows), and the progress at the end has every nation out when the
// plan has it out, on the plan's day.
func TestAdoptableFollowed(t *testing.T) {
	nato, err := Builtin("nato-2021")
	if err != nil {
		t.Fatal(err)
	}
	scenarios := []*Scenario{nato}
	for seed := range 200 {
		scenarios = append(scenarios, randomScenario(uint64(seed), propertyGen))
	}
	for _, s := range scenarios {
		r, err := Plan(s)
		if err != nil {
			t.Fatal(err)
		}
		st := airbridge.NewState()
		env := airbridge.Envelope{Actor: "planner", Time: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)}
		if _, _, err := st.Execute(airbridge.AdoptWithdrawalPlan{Plan: r.Adoptable(s, "W1")}, env); err != nil {
			t.Fatalf("%s: adopt: %v", s.Name, err)
		}
		w := st.Withdrawals["W1"]
		for _, m := range Followed(w.Plan, s.Days-1) {
			if _, _, err := st.Execute(m, env); err != nil {
				t.Fatalf("%s: movement %+v: %v", s.Name, m, err)
			}
		}
		pr := w.Progress(s.Days - 1)
		for i, n := range pr.Nations {
			done := r.Deadlines[i]
			if done.Nation != n.Nation {
				t.Fatalf("%s: nations %s and %s", s.Name, done.Nation, n.Nation)
			}
			if done.CompletedDay >= 0 && (n.Status != airbridge.StatusOut || n.PlannedOutDay != done.CompletedDay || n.SlipDays != 0) {
				t.Errorf("%s: %s out on day %d in the plan, progress %+v", s.Name, n.Nation, done.CompletedDay, n)
			}
		}
		if pr.SortiesFlown != r.TotalSorties || pr.SortiesPlanned != r.TotalSorties {
			t.Errorf("%s: %d sorties flown, %d planned, the plan flies %d", s.Name, pr.SortiesFlown, pr.SortiesPlanned, r.TotalSorties)
		}
	}
}
