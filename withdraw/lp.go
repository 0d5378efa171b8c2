package withdraw

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// WriteLP writes the withdrawal of s as a mixed-integer program in CPLEX LP
// format (read by glpsol --lp and cbc) whose optimum is the fewest sorties
// of any plan that keeps the floors, meets every deadline and has
// everything out by the end of the horizon. It is the same model as Plan and
// Validate, stated as linear constraints, for checking Plan on small
// scenarios (a few sites, nations and days): the program grows with
// days × sites × nations × links.
//
// Variables, all non-negative integers, per nation n, day d and commodity c
// (security, other personnel, pallets, vehicles): x_n_s_c_d, the stock at
// site s at the end of day d; m_n_l_c_d, moved over link l (the index in
// s.Moves); f_n_a_c_d, flown out of airport a; y_n_t_d, the sorties of
// aircraft type t (the nation's aircraft and airport pairs, by aircraft then
// airport) — and z_s_d, a binary that is 1 when anything other than security
// is at site s at the end of day d. Constraints: stock balance; what leaves
// on day d was there at the end of day d-1; link capacity; sortie capacity
// (passengers, pallet positions, vehicles ⌊pallets/pallets_per_vehicle⌋ a
// sortie); the floor while z = 1 (and at an airport to the end of the
// evacuation); deadlines and the end of the horizon as zero stocks.
// Objective: minimize the sorties.
func WriteLP(w io.Writer, s *Scenario) error {
	if err := s.Validate(); err != nil {
		return err
	}
	m := newModel(s)
	lp := &lpWriter{w: bufio.NewWriter(w)}
	m.writeLP(lp)
	return lp.w.Flush()
}

type lpWriter struct {
	w    *bufio.Writer
	rows int
}

// term is coefficient × variable.
type term struct {
	c int
	v string
}

// row writes one constraint: Σ terms op rhs, wrapping long lines.
func (lp *lpWriter) row(terms []term, op string, rhs int) {
	if len(terms) == 0 {
		return
	}
	lp.rows++
	fmt.Fprintf(lp.w, " r%d:", lp.rows)
	lp.terms(terms)
	fmt.Fprintf(lp.w, " %s %d\n", op, rhs)
}

func (lp *lpWriter) terms(terms []term) {
	for i, t := range terms {
		if i > 0 && i%8 == 0 {
			lp.w.WriteString("\n   ")
		}
		switch {
		case t.c == 1:
			fmt.Fprintf(lp.w, " + %s", t.v)
		case t.c == -1:
			fmt.Fprintf(lp.w, " - %s", t.v)
		case t.c < 0:
			fmt.Fprintf(lp.w, " - %d %s", -t.c, t.v)
		default:
			fmt.Fprintf(lp.w, " + %d %s", t.c, t.v)
		}
	}
}

func (m *model) writeLP(lp *lpWriter) {
	s := m.s
	nn, ns, D := len(m.nations), len(s.Sites), m.days
	const C = 4 // security, other personnel, pallets, vehicles

	// reach[n][s]: nation n can have things at s.
	reach := make([][]bool, nn)
	for n := range nn {
		reach[n] = make([]bool, ns)
		var queue []int
		for st := range ns {
			if !m.init[n][st].zero() {
				reach[n][st] = true
				queue = append(queue, st)
			}
		}
		for len(queue) > 0 {
			u := queue[0]
			queue = queue[1:]
			for _, li := range m.out[u] {
				v := m.siteIndex[s.Moves[li].To]
				if !reach[n][v] {
					reach[n][v] = true
					queue = append(queue, v)
				}
			}
		}
	}
	initC := func(n, st, c int) int {
		l := m.init[n][st]
		return [C]int{l.sec, l.per, l.pal, l.veh}[c]
	}
	x := func(n, st, c, d int) string { return fmt.Sprintf("x_%d_%d_%d_%d", n, st, c, d) }
	mv := func(n, l, c, d int) string { return fmt.Sprintf("m_%d_%d_%d_%d", n, l, c, d) }
	fl := func(n, a, c, d int) string { return fmt.Sprintf("f_%d_%d_%d_%d", n, a, c, d) }
	y := func(n, t, d int) string { return fmt.Sprintf("y_%d_%d_%d", n, t, d) }
	// flies[n][a][d]: nation n has sorties at airport a on day d.
	flies := func(n, a, d int) bool {
		if !reach[n][a] {
			return false
		}
		for _, ty := range m.types[n] {
			if ty.airport == a && ty.avail[d] > 0 {
				return true
			}
		}
		return false
	}
	linkUsed := func(n, l int) bool { return reach[n][m.siteIndex[s.Moves[l].From]] }

	var general, binary []string
	fmt.Fprintf(lp.w, "\\ withdraw: %s\n", strings.ReplaceAll(s.Name, "\n", " "))
	// The objective counts Y_n_t, the sorties of each nation and type over
	// the horizon: the same optimum, but solvers branch on the totals, which
	// settles the integer covering far sooner than the days' counts do.
	Y := func(n, t int) string { return fmt.Sprintf("Y_%d_%d", n, t) }
	lp.w.WriteString("Minimize\n obj:")
	var obj []term
	for n := range nn {
		for t, ty := range m.types[n] {
			if reach[n][ty.airport] {
				obj = append(obj, term{1, Y(n, t)})
				general = append(general, Y(n, t))
			}
		}
	}
	if len(obj) == 0 {
		lp.w.WriteString(" 0 x_0_0_0_0")
	}
	lp.terms(obj)
	lp.w.WriteString("\nSubject To\n")

	for n := range nn {
		// Y_n_t = Σ_d y_n_t_d, and the totals carry everything: implied by
		// the rest, stated for the solvers' cuts.
		var p, q, v []term
		for t, ty := range m.types[n] {
			if !reach[n][ty.airport] {
				continue
			}
			sum := []term{{-1, Y(n, t)}}
			for d := range D {
				if ty.avail[d] > 0 {
					sum = append(sum, term{1, y(n, t, d)})
					general = append(general, y(n, t, d))
				}
			}
			lp.row(sum, "=", 0)
			p = append(p, term{ty.pax, Y(n, t)})
			q = append(q, term{ty.pos, Y(n, t)})
			v = append(v, term{ty.slots, Y(n, t)})
		}
		var tot load
		for st := range ns {
			tot = tot.add(m.init[n][st])
		}
		lp.row(p, ">=", tot.persons())
		lp.row(q, ">=", tot.positions(m.k))
		lp.row(v, ">=", tot.veh)
	}
	for n := range nn {
		for st := range ns {
			if !reach[n][st] {
				continue
			}
			for c := range C {
				for d := range D {
					general = append(general, x(n, st, c, d))
					// balance
					bal := []term{{1, x(n, st, c, d)}}
					var out []term
					if d > 0 {
						bal = append(bal, term{-1, x(n, st, c, d-1)})
					}
					for li, l := range s.Moves {
						if !linkUsed(n, li) {
							continue
						}
						switch {
						case m.siteIndex[l.To] == st:
							bal = append(bal, term{-1, mv(n, li, c, d)})
						case m.siteIndex[l.From] == st:
							bal = append(bal, term{1, mv(n, li, c, d)})
							out = append(out, term{1, mv(n, li, c, d)})
						}
					}
					if flies(n, st, d) {
						bal = append(bal, term{1, fl(n, st, c, d)})
						out = append(out, term{1, fl(n, st, c, d)})
					}
					rhs := 0
					if d == 0 {
						rhs = initC(n, st, c)
					}
					lp.row(bal, "=", rhs)
					// what leaves was there at the start of the day
					if len(out) > 0 {
						if d > 0 {
							lp.row(append(out, term{-1, x(n, st, c, d-1)}), "<=", 0)
						} else {
							lp.row(out, "<=", initC(n, st, c))
						}
					}
				}
			}
		}
	}
	for li, l := range s.Moves {
		for d := range D {
			var p, q []term
			for n := range nn {
				if !linkUsed(n, li) {
					continue
				}
				for c := range C {
					general = append(general, mv(n, li, c, d))
				}
				p = append(p, term{1, mv(n, li, 0, d)}, term{1, mv(n, li, 1, d)})
				q = append(q, term{1, mv(n, li, 2, d)}, term{m.k, mv(n, li, 3, d)})
			}
			lp.row(p, "<=", l.PersonnelPerDay)
			lp.row(q, "<=", l.PalletsPerDay)
		}
	}
	for n := range nn {
		for a := range ns {
			for d := range D {
				if !flies(n, a, d) {
					continue
				}
				for c := range C {
					general = append(general, fl(n, a, c, d))
				}
				p := []term{{1, fl(n, a, 0, d)}, {1, fl(n, a, 1, d)}}
				q := []term{{1, fl(n, a, 2, d)}, {m.k, fl(n, a, 3, d)}}
				v := []term{{1, fl(n, a, 3, d)}}
				for t, ty := range m.types[n] {
					if ty.airport == a && ty.avail[d] > 0 {
						p = append(p, term{-ty.pax, y(n, t, d)})
						q = append(q, term{-ty.pos, y(n, t, d)})
						v = append(v, term{-ty.slots, y(n, t, d)})
					}
				}
				lp.row(p, "<=", 0)
				lp.row(q, "<=", 0)
				lp.row(v, "<=", 0)
			}
		}
	}
	for st, site := range s.Sites {
		if site.SecurityFloor == 0 {
			continue
		}
		bigM := 0 // all that can ever be at the site other than security
		for n := range nn {
			if reach[n][st] {
				for o := range ns {
					bigM += m.init[n][o].nonSecurity()
				}
			}
		}
		for d := range D {
			var sec, other []term
			for n := range nn {
				if reach[n][st] {
					sec = append(sec, term{1, x(n, st, 0, d)})
					other = append(other, term{1, x(n, st, 1, d)}, term{1, x(n, st, 2, d)}, term{1, x(n, st, 3, d)})
				}
			}
			if len(sec) == 0 {
				continue
			}
			if site.Airport && d <= m.eld {
				lp.row(sec, ">=", site.SecurityFloor)
				continue
			}
			z := fmt.Sprintf("z_%d_%d", st, d)
			binary = append(binary, z)
			lp.row(append(other, term{-bigM, z}), "<=", 0)
			lp.row(append(sec, term{-site.SecurityFloor, z}), ">=", 0)
		}
	}
	out := func(n, d int) {
		var zero []term
		for st := range ns {
			if reach[n][st] {
				for c := range C {
					zero = append(zero, term{1, x(n, st, c, d)})
				}
			}
		}
		lp.row(zero, "=", 0)
	}
	for n := range nn {
		if m.hasDeadline[n] {
			out(n, m.deadline[n])
		}
		out(n, D-1)
	}

	lp.w.WriteString("Bounds\n")
	for n := range nn {
		for t, ty := range m.types[n] {
			for d := range D {
				if ty.avail[d] > 0 && reach[n][ty.airport] {
					fmt.Fprintf(lp.w, " 0 <= %s <= %d\n", y(n, t, d), ty.avail[d])
				}
			}
		}
	}
	writeNames(lp.w, "General", general)
	writeNames(lp.w, "Binary", binary)
	lp.w.WriteString("End\n")
}

func writeNames(w *bufio.Writer, section string, names []string) {
	if len(names) == 0 {
		return
	}
	w.WriteString(section + "\n")
	for i, v := range names {
		if i%8 == 0 {
			if i > 0 {
				w.WriteString("\n")
			}
			w.WriteString(" ")
		}
		w.WriteString(" " + v)
	}
	w.WriteString("\n")
}
