package withdraw

import (
	"cmp"
	"slices"

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
