package withdraw

import (
	"cmp"
	"slices"
	"time"

	"airbridge"
)

// Adoptable returns r, a plan of s, as the ledger adopts it to track the
// withdrawal: the theatre at day 0 and one leg per move and per sortie entry.
// Within a day the legs that carry no security come first, so that recording
// the legs in order never has security leave a site before the rest does.
func (r *Result) Adoptable(s *Scenario, id string) airbridge.WithdrawalPlan {
	p := airbridge.WithdrawalPlan{ID: id, Name: s.Name, Start: s.Start, Days: s.Days, EvacuationLastDay: s.EvacuationLastDay}
	for _, st := range s.Sites {
		p.Sites = append(p.Sites, airbridge.WithdrawalSite{ID: st.ID, Name: st.Name, Airport: st.Airport, SecurityFloor: st.SecurityFloor})
	}
	for _, c := range s.Contingents {
		p.Contingents = append(p.Contingents, airbridge.Contingent{Nation: c.Nation, Site: c.Site,
			Amount: airbridge.Amount{Personnel: c.Personnel, Security: c.Security, Pallets: c.Pallets, Vehicles: c.Vehicles}})
	}
	for _, d := range s.Deadlines {
		p.Deadlines = append(p.Deadlines, airbridge.WithdrawalDeadline{Nation: d.Nation, Day: d.Day})
	}
	for _, m := range r.Moves {
		p.Legs = append(p.Legs, airbridge.Leg{Day: m.Day, Nation: m.Nation, From: m.From, To: m.To, Mode: m.Mode,
			Amount: airbridge.Amount{Personnel: m.Personnel, Security: m.Security, Pallets: m.Pallets, Vehicles: m.Vehicles}})
	}
	for _, f := range r.Sorties {
		p.Legs = append(p.Legs, airbridge.Leg{Day: f.Day, Nation: f.Nation, From: f.Airport, Mode: airbridge.ModeSortie, Aircraft: f.Aircraft, Sorties: f.Count,
			Amount: airbridge.Amount{Personnel: f.Passengers, Security: f.Security, Pallets: f.Pallets, Vehicles: f.Vehicles}})
	}
	slices.SortStableFunc(p.Legs, func(a, b airbridge.Leg) int {
		return cmp.Or(cmp.Compare(a.Day, b.Day), cmp.Compare(min(a.Security, 1), min(b.Security, 1)))
	})
	return p
}

// Followed returns the movements that carry out plan p (adopted as id) to
// the end of day last, as those who record them are told to: on each day
// first what is not security, then security; security flying with others
// on the same sorties is recorded with 0 sorties.
func Followed(p airbridge.WithdrawalPlan, last int) []airbridge.RecordMovement {
	start, _ := time.Parse(time.DateOnly, p.Start)
	var out []airbridge.RecordMovement
	for i := 0; i < len(p.Legs) && p.Legs[i].Day <= last; {
		j := i
		for j < len(p.Legs) && p.Legs[j].Day == p.Legs[i].Day {
			j++
		}
		for pass := range 2 {
			for _, l := range p.Legs[i:j] {
				rest := l.Amount
				rest.Personnel -= rest.Security
				rest.Security = 0
				a, sorties := rest, l.Sorties
				if pass == 1 {
					a = airbridge.Amount{Personnel: l.Security, Security: l.Security}
					if !rest.IsZero() {
						sorties = 0
					}
				}
				if a.IsZero() {
					continue
				}
				out = append(out, airbridge.RecordMovement{WithdrawalID: p.ID, Date: start.AddDate(0, 0, l.Day).Format(time.DateOnly),
					Nation: l.Nation, From: l.From, To: l.To, Mode: l.Mode, Aircraft: l.Aircraft, Sorties: sorties, Amount: a})
			}
		}
		i = j
	}
	return out
}
