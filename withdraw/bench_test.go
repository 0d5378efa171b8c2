package withdraw

import (
	"testing"
	"time"

	"airbridge"
)

// BenchmarkPlan plans a theatre the size of NATO's 2021 withdrawal (36
// nations, about 10,000 personnel, 10 bases, 140 days), which must take less
// than a second, and one ten times larger (100,000 personnel, 100 bases),
// which must take less than ten.
func BenchmarkPlan(b *testing.B) {
	for _, c := range []struct {
		name                      string
		nations, bases, personnel int
		limit                     time.Duration
	}{
		{"nato-2021", 36, 10, 10_000, time.Second},
		{"theatre-10x", 36, 100, 100_000, 10 * time.Second},
	} {
		b.Run(c.name, func(b *testing.B) {
			s := Synthetic(c.nations, c.bases, c.personnel, 1)
			var r *Result
			for b.Loop() {
				var err error
				if r, err = Plan(s); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(r.TotalSorties), "sorties")
			if per := b.Elapsed() / time.Duration(b.N); per > c.limit {
				b.Errorf("%s: %v a plan, more than %v", c.name, per, c.limit)
			}
		})
	}
}

// BenchmarkProgress tracks the ten-times-larger theatre's plan, followed to
// its middle day, as the server does for every look at its page.
func BenchmarkProgress(b *testing.B) {
	s := Synthetic(36, 100, 100_000, 1)
	r, err := Plan(s)
	if err != nil {
		b.Fatal(err)
	}
	st := airbridge.NewState()
	env := airbridge.Envelope{Actor: "bench", Time: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)}
	if _, _, err := st.Execute(airbridge.AdoptWithdrawalPlan{Plan: r.Adoptable(s, "W1")}, env); err != nil {
		b.Fatal(err)
	}
	w := st.Withdrawals["W1"]
	for _, m := range Followed(w.Plan, s.Days/2) {
		if _, _, err := st.Execute(m, env); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(w.Movements)), "movements")
	for b.Loop() {
		w.Progress(s.Days / 2)
	}
}
