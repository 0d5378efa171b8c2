package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"airbridge/svgplot"
	"airbridge/withdraw"
)

const withdrawUsage = `Usage:
  airbridge withdraw plan --scenario NAME|FILE [--json] [--report FILE.html]
  airbridge withdraw lp --scenario NAME|FILE [--out FILE]

plan: the day-by-day withdrawal plan that keeps every site's security floor,
meets the nations' deadlines where the airlift allows (and says what more it
would take where it does not), with the fewest sorties. lp: the same problem
as an integer program in CPLEX LP format, for glpsol or cbc (small scenarios).
`

func (env *environment) withdrawCmd(args []string) error {
	if len(args) == 0 {
		fmt.Fprint(env.stderr, withdrawUsage)
		return exitError(2)
	}
	switch args[0] {
	case "plan":
		return env.withdrawPlan(args[1:])
	case "lp":
		return env.withdrawLP(args[1:])
	case "help", "-h", "-help", "--help":
		fmt.Fprint(env.stdout, withdrawUsage)
		return nil
	}
	fmt.Fprintf(env.stderr, "airbridge withdraw: unknown command %q\n\n%s", args[0], withdrawUsage)
	return exitError(2)
}

func loadWithdrawal(name string) (*withdraw.Scenario, error) {
	return loadNamed(name, withdraw.Builtin, withdraw.ReadScenario)
}

func (env *environment) withdrawPlan(args []string) error {
	fs := env.flags("withdraw plan", "withdraw plan --scenario NAME|FILE [--json] [--report FILE.html]\n\nBuilt-in scenarios: "+strings.Join(withdraw.BuiltinNames(), ", ")+".")
	name := fs.String("scenario", "nato-2021", "a built-in scenario's name, or a scenario file (JSON)")
	asJSON := fs.Bool("json", false, "print the whole plan as JSON")
	report := fs.String("report", "", "write an HTML report with the drawdown charts to this file")
	if err := env.parse(fs, args); err != nil {
		return err
	}
	s, err := loadWithdrawal(*name)
	if err != nil {
		return err
	}
	start := time.Now()
	r, err := withdraw.Plan(s)
	if err != nil {
		return err
	}
	took := time.Since(start)
	// The plan is checked by the independent validator before anyone sees it.
	if problems := withdraw.Validate(s, r); len(problems) > 0 {
		return fmt.Errorf("the plan breaks its own rules (a bug; please report it):\n%s", strings.Join(problems, "\n"))
	}
	if *report != "" {
		if err := writeWithdrawalReport(*report, s, r); err != nil {
			return err
		}
		fmt.Fprintf(env.stderr, "report written to %s\n", *report)
	}
	if *asJSON {
		return json.NewEncoder(env.stdout).Encode(r)
	}
	fmt.Fprintf(env.stderr, "planned in %s\n", took.Round(time.Millisecond))
	return writeWithdrawalTable(env.stdout, s, r)
}

// day writes a day of the plan as its date.
func day(s *withdraw.Scenario, d int) string {
	if d < 0 {
		return "—"
	}
	start, err := time.Parse(time.DateOnly, s.Start)
	if err != nil {
		return fmt.Sprintf("day %d", d)
	}
	return start.AddDate(0, 0, d).Format("02 Jan")
}

// nationSorties counts the sorties of each nation.
func nationSorties(r *withdraw.Result) map[string]int {
	n := map[string]int{}
	for _, s := range r.Sorties {
		n[s.Nation] += s.Count
	}
	return n
}

func writeWithdrawalTable(w io.Writer, s *withdraw.Scenario, r *withdraw.Result) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%s: %d sorties; everything out by %s\n\n", r.Name, r.TotalSorties, day(s, r.CompletionDay))
	sorties := nationSorties(r)
	tw := tabwriter.NewWriter(bw, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "nation\tdeadline\tout by\tslack\tsorties\t")
	for _, d := range r.Deadlines {
		status := fmt.Sprintf("%+d d", d.SlackDays)
		if !d.Met {
			var extra []string
			for _, e := range d.ExtraAirlift {
				extra = append(extra, fmt.Sprintf("+%d %s a day", e.SortiesPerDay, e.Aircraft))
			}
			if len(extra) == 0 {
				extra = append(extra, d.Reason)
			}
			status = "MISSED: needs " + strings.Join(extra, ", ")
		}
		deadline := day(s, d.DeadlineDay)
		if d.Implicit {
			deadline = "(end)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t\n", d.Nation, deadline, day(s, d.CompletedDay), status, sorties[d.Nation])
	}
	tw.Flush()
	fmt.Fprintln(bw)
	tw = tabwriter.NewWriter(bw, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "site\tfloor\tclosed\tleast margin\t")
	closed := map[string]int{}
	for _, c := range r.ClosedDay {
		closed[c.Site] = c.Day
	}
	for _, m := range r.SecurityMargin {
		least := "—"
		var low *int
		for _, v := range m.Margin {
			if v != nil && (low == nil || *v < *low) {
				low = v
			}
		}
		if low != nil {
			least = fmt.Sprint(*low)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t\n", m.Site, m.Floor, day(s, closed[m.Site]), least)
	}
	tw.Flush()
	return bw.Flush()
}

func (env *environment) withdrawLP(args []string) error {
	fs := env.flags("withdraw lp", "withdraw lp --scenario NAME|FILE [--out FILE]")
	name := fs.String("scenario", "", "a built-in scenario's name, or a scenario file (JSON)")
	out := fs.String("out", "", "write the LP model here (default: standard output)")
	if err := env.parse(fs, args); err != nil {
		return err
	}
	if *name == "" {
		return fmt.Errorf("--scenario: give a scenario (the LP is meant for small ones)")
	}
	s, err := loadWithdrawal(*name)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := withdraw.WriteLP(&buf, s); err != nil {
		return err
	}
	if *out == "" {
		_, err := env.stdout.Write(buf.Bytes())
		return err
	}
	return os.WriteFile(*out, buf.Bytes(), 0o644)
}

var withdrawalReport = template.Must(template.New("report").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>airbridge withdraw: {{.Result.Name}}</title>
<style>body{font:16px/1.45 system-ui,sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem;color:#111}
table{border-collapse:collapse}th,td{border-bottom:1px solid #bbb;padding:.3rem .7rem;text-align:right}th:first-child,td:first-child{text-align:left}
figure{margin:1.5rem 0}.missed{color:#a4141b;font-weight:700}</style></head><body>
<h1>{{.Result.Name}}: the withdrawal plan</h1>
<p>{{.Result.TotalSorties}} sorties; everything out by {{.Completion}}. Every site keeps its security floor while anyone else is there; the airport's last security element leaves after the last evacuation flight.</p>
<table><thead><tr><th>nation</th><th>deadline</th><th>out by</th><th>slack (days)</th><th>sorties</th></tr></thead><tbody>
{{range .Nations}}<tr><th scope="row">{{.Nation}}</th><td>{{.Deadline}}</td><td>{{.Out}}</td><td{{if not .Met}} class="missed"{{end}}>{{.Status}}</td><td>{{.Sorties}}</td></tr>{{end}}
</tbody></table>
<figure>{{.ByNation}}</figure>
<figure>{{.BySite}}</figure>
<figure>{{.Margins}}</figure>
</body></html>
`))

func writeWithdrawalReport(path string, s *withdraw.Scenario, r *withdraw.Result) error {
	start, err := time.Parse(time.DateOnly, s.Start)
	if err != nil {
		start = time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	series := func(name string, values []int) svgplot.Series {
		out := svgplot.Series{Name: name}
		for d, v := range values {
			out.Points = append(out.Points, svgplot.Point{X: start.AddDate(0, 0, d), Y: float64(v)})
		}
		return out
	}
	// The largest nations by name, the rest together.
	nations := slices.Clone(r.Drawdown.Nations)
	slices.SortStableFunc(nations, func(a, b withdraw.NationDrawdown) int { return first(b.Personnel) - first(a.Personnel) })
	var byNation []svgplot.Series
	rest := make([]int, r.Days)
	for i, n := range nations {
		if i < 5 {
			byNation = append(byNation, series(n.Nation, n.Personnel))
			continue
		}
		for d, v := range n.Personnel {
			rest[d] += v
		}
	}
	if len(nations) > 5 {
		byNation = append(byNation, series(fmt.Sprintf("%d others", len(nations)-5), rest))
	}
	var bySite, margins []svgplot.Series
	for _, st := range r.Drawdown.Sites {
		bySite = append(bySite, series(st.Site, st.Personnel))
	}
	for _, m := range r.SecurityMargin {
		sr := svgplot.Series{Name: m.Site}
		for d, v := range m.Margin {
			if v != nil {
				sr.Points = append(sr.Points, svgplot.Point{X: start.AddDate(0, 0, d), Y: float64(*v)})
			}
		}
		margins = append(margins, sr)
	}
	sorties := nationSorties(r)
	type nationRow struct {
		Nation, Deadline, Out, Status string
		Met                           bool
		Sorties                       int
	}
	data := struct {
		Result                    *withdraw.Result
		Completion                string
		Nations                   []nationRow
		ByNation, BySite, Margins template.HTML
	}{Result: r, Completion: day(s, r.CompletionDay)}
	for _, d := range r.Deadlines {
		row := nationRow{Nation: d.Nation, Deadline: day(s, d.DeadlineDay), Out: day(s, d.CompletedDay), Met: d.Met,
			Status: fmt.Sprintf("%+d", d.SlackDays), Sorties: sorties[d.Nation]}
		if !d.Met {
			row.Status = "missed"
			for _, e := range d.ExtraAirlift {
				row.Status += fmt.Sprintf("; needs +%d %s a day", e.SortiesPerDay, e.Aircraft)
			}
		}
		data.Nations = append(data.Nations, row)
	}
	o := svgplot.Options{YLabel: "personnel", Width: 900, Height: 300}
	data.ByNation = template.HTML(svgplot.Line("Personnel in theatre by nation", byNation, o))
	data.BySite = template.HTML(svgplot.Line("Personnel at each site", bySite, o))
	data.Margins = template.HTML(svgplot.Line("Security margin over the floor at each site (while it applies)", margins, svgplot.Options{YLabel: "personnel", Width: 900, Height: 300}))
	var buf bytes.Buffer
	if err := withdrawalReport.Execute(&buf, data); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

func first(xs []int) int {
	if len(xs) == 0 {
		return 0
	}
	return xs[0]
}
