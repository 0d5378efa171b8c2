package manifest

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
)

// maxLPLine is the length past which WriteLP continues an expression on the
// next line; LP readers limit lines (CPLEX to 510 characters).
const maxLPLine = 400

// WriteLP writes in as a 0-1 program in CPLEX LP format, for reference solvers
// (glpsol --lp, cbc). Its optimum is the optimizer's. The variable x<g>_<f>
// is 1 when groups[g] flies on flights[f], for every Compatible pair, and
// comment lines map the indexes to ids. The objective, named obj, lists every
// variable once, groups first, then flights, so a solver that numbers columns
// by first appearance (glpsol) numbers them in that order. The constraints:
//
//	g<g>:   each group flies at most once
//	s<f>:   Σ size ≤ seats of each flight
//	l<f>:   Σ litters ≤ litter positions of each flight
//	h<k>:   Σ size ≤ capacity of each hub-day
//	fix<g>: a fixed group flies on its flight
//
// A model without any pair has the single variable "empty", fixed at 0, since
// glpsol refuses an empty objective. WriteLP returns the instance's
// *InvalidError if in is not valid, or w's error.
func WriteLP(w io.Writer, in *Instance) error {
	if err := in.Validate(); err != nil {
		return err
	}
	// pairs[g] lists the flights group g may board, in flight order.
	pairs := make([][]int, len(in.Groups))
	for gi, g := range in.Groups {
		for fi, f := range in.Flights {
			if Compatible(g, f) {
				pairs[gi] = append(pairs[gi], fi)
			}
		}
	}
	// byFlight[f] lists the groups that may board flight f, in group order.
	byFlight := make([][]int, len(in.Flights))
	for gi, fs := range pairs {
		for _, fi := range fs {
			byFlight[fi] = append(byFlight[fi], gi)
		}
	}
	capacity := make(map[string]int, len(in.Hubs))
	for _, h := range in.Hubs {
		capacity[h.ID] = h.Capacity
	}
	hubDays := map[string][]int{} // hub-day → its flights
	for fi, f := range in.Flights {
		if _, ok := capacity[f.Destination]; ok {
			hubDays[HubDay(f)] = append(hubDays[HubDay(f)], fi)
		}
	}
	days := slices.Sorted(maps.Keys(hubDays))

	lp := &lpWriter{w: bufio.NewWriter(w)}
	lp.line(`\ airbridge manifest: maximize the priority-weighted people carried.`)
	lp.line(`\ x<g>_<f> = 1 when groups[g] flies on flights[f].`)
	for gi, g := range in.Groups {
		lp.line(fmt.Sprintf(`\ groups[%d] = %q`, gi, g.ID))
	}
	for fi, f := range in.Flights {
		lp.line(fmt.Sprintf(`\ flights[%d] = %q`, fi, f.ID))
	}
	for k, hd := range days {
		lp.line(fmt.Sprintf(`\ h%d = hub-day %q`, k, hd))
	}

	lp.line("Maximize")
	lp.expr(" obj:")
	empty := true
	for gi, g := range in.Groups {
		c := in.Weights[strconv.Itoa(g.Priority)] * float64(g.Size)
		for _, fi := range pairs[gi] {
			lp.term(c, x(gi, fi))
			empty = false
		}
	}
	if empty {
		lp.term(0, "empty")
	}

	lp.line("Subject To")
	if empty {
		lp.line(" none: empty = 0")
	}
	for gi := range in.Groups {
		if len(pairs[gi]) == 0 {
			continue
		}
		lp.expr(fmt.Sprintf(" g%d:", gi))
		for _, fi := range pairs[gi] {
			lp.term(1, x(gi, fi))
		}
		lp.rhs("<=", 1)
	}
	for fi, f := range in.Flights {
		if len(byFlight[fi]) == 0 {
			continue
		}
		lp.expr(fmt.Sprintf(" s%d:", fi))
		for _, gi := range byFlight[fi] {
			lp.term(float64(in.Groups[gi].Size), x(gi, fi))
		}
		lp.rhs("<=", f.Seats)
	}
	for fi, f := range in.Flights {
		started := false
		for _, gi := range byFlight[fi] {
			if n := in.Groups[gi].Litters; n > 0 {
				if !started {
					lp.expr(fmt.Sprintf(" l%d:", fi))
					started = true
				}
				lp.term(float64(n), x(gi, fi))
			}
		}
		if started {
			lp.rhs("<=", f.Litters)
		}
	}
	for k, hd := range days {
		started := false
		for _, fi := range hubDays[hd] {
			for _, gi := range byFlight[fi] {
				if !started {
					lp.expr(fmt.Sprintf(" h%d:", k))
					started = true
				}
				lp.term(float64(in.Groups[gi].Size), x(gi, fi))
			}
		}
		if started {
			hub, _ := cutHubDay(hd)
			lp.rhs("<=", capacity[hub])
		}
	}
	if len(in.Fixed) > 0 {
		flights := make(map[string]int, len(in.Flights))
		for fi, f := range in.Flights {
			flights[f.ID] = fi
		}
		for gi, g := range in.Groups {
			if fid, ok := in.Fixed[g.ID]; ok {
				lp.line(fmt.Sprintf(" fix%d: %s = 1", gi, x(gi, flights[fid])))
			}
		}
	}

	lp.line("Binary")
	lp.line("")
	if empty {
		lp.name("empty")
	}
	for gi := range in.Groups {
		for _, fi := range pairs[gi] {
			lp.name(x(gi, fi))
		}
	}
	lp.line("End")
	lp.line("")         // the end of the last line
	return lp.w.Flush() // bufio keeps the first write error
}

// x names the variable of groups[gi] on flights[fi].
func x(gi, fi int) string {
	return "x" + strconv.Itoa(gi) + "_" + strconv.Itoa(fi)
}

// lpWriter writes lines, continuing long expressions on further lines.
type lpWriter struct {
	w       *bufio.Writer
	started bool // a line has been begun
	col     int  // bytes on the current line
	first   bool // the next term is the first of its expression
}

// line ends the current line, if any, and begins one with s.
func (lp *lpWriter) line(s string) {
	if lp.started {
		lp.w.WriteByte('\n')
	}
	lp.w.WriteString(s)
	lp.started, lp.col = true, len(s)
}

// name writes s after a space, on a new line if this one would grow too long.
func (lp *lpWriter) name(s string) {
	if lp.col+1+len(s) > maxLPLine {
		lp.w.WriteByte('\n')
		lp.col = 0
	}
	lp.w.WriteByte(' ')
	lp.w.WriteString(s)
	lp.col += 1 + len(s)
}

// expr starts a line with label for an expression of terms.
func (lp *lpWriter) expr(label string) {
	lp.line(label)
	lp.first = true
}

// term writes "+ c v" as one unit of an expression, with neither the sign
// of the first term nor a coefficient of 1.
func (lp *lpWriter) term(c float64, v string) {
	s := v
	if c != 1 {
		s = strconv.FormatFloat(c, 'g', -1, 64) + " " + v
	}
	if !lp.first {
		s = "+ " + s
	}
	lp.first = false
	lp.name(s)
}

// rhs writes the relation and right-hand side that end a constraint.
func (lp *lpWriter) rhs(op string, n int) {
	lp.name(op + " " + strconv.Itoa(n))
}
