package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"airbridge/sim"
	"airbridge/svgplot"
)

const simSynopsis = "sim --scenario NAME|FILE [--policy historical|coordinated|both] [--seed N] [--days D] [--json] [--report FILE.html] [--sweep PARAM=FROM..TO:STEP] [--ledger]"

// simCmd runs the airport's digital twin.
func (env *environment) simCmd(args []string) error {
	fs := env.flags("sim", simSynopsis+"\n\nBuilt-in scenarios: "+strings.Join(sim.BuiltinNames(), ", ")+
		".\nSweep parameters: lanes (all gates' lanes together), holding (capacity), service (minutes a person), arrivals (percent of the demand).")
	name := fs.String("scenario", "kabul-2021", "a built-in scenario's name, or a scenario file (JSON)")
	policy := fs.String("policy", "both", "historical, coordinated, or both to compare them")
	seed := fs.Uint64("seed", 1, "the seed of the run's randomness")
	days := fs.Int("days", 0, "simulate this many days instead of the scenario's")
	asJSON := fs.Bool("json", false, "print JSON: the result, or a list of results for both policies or a sweep")
	report := fs.String("report", "", "write an HTML report with charts to this file")
	sweep := fs.String("sweep", "", "PARAM=FROM..TO:STEP: run once per value and print a table")
	withLedger := fs.Bool("ledger", false, "decide every step as a domain command on the ledger's state, as the server would (same result, 7 to 35 times slower)")
	if err := env.parse(fs, args); err != nil {
		return err
	}
	sc, err := loadScenario(*name)
	if err != nil {
		return err
	}
	policies := []string{*policy}
	switch *policy {
	case "both":
		policies = []string{sim.Historical, sim.Coordinated}
	case sim.Historical, sim.Coordinated:
	default:
		return fmt.Errorf("--policy %q: give historical, coordinated or both", *policy)
	}
	if *days < 0 || *days > 366 {
		return fmt.Errorf("--days %d: give 1..366 (0: the scenario's)", *days)
	}
	if *sweep != "" {
		return env.simSweep(sc, *sweep, policies, sim.Options{Seed: *seed, Days: *days, Ledger: *withLedger}, *asJSON)
	}
	var results []*sim.Result
	for _, p := range policies {
		length := sc.Days
		if *days > 0 {
			length = *days
		}
		show := env.progress("simulated days ("+p+")", length)
		start := time.Now()
		r, err := sim.Run(sc, sim.Options{Policy: p, Seed: *seed, Days: *days, Progress: show, Ledger: *withLedger})
		show(-1)
		if err != nil {
			return err
		}
		if !*asJSON {
			fmt.Fprintf(env.stderr, "%s: %d simulated days in %.2f s%s\n", p, r.Days, time.Since(start).Seconds(), onLedger(*withLedger))
		}
		results = append(results, r)
	}
	if *report != "" {
		if err := writeSimReport(*report, sc, results); err != nil {
			return err
		}
		fmt.Fprintf(env.stderr, "report written to %s\n", *report)
	}
	if *asJSON {
		enc := json.NewEncoder(env.stdout)
		if len(results) == 1 {
			return enc.Encode(results[0])
		}
		return enc.Encode(results)
	}
	return writeSimTable(env.stdout, results)
}

func loadScenario(name string) (*sim.Scenario, error) {
	return loadNamed(name, sim.Builtin, sim.ReadScenario)
}

// loadNamed returns the built-in document called name, or, for a name with
// a '/' or '.', the file of that name read by read.
func loadNamed[T any](name string, builtin func(string) (*T, error), read func(io.Reader) (*T, error)) (*T, error) {
	if !strings.ContainsAny(name, "/.") {
		return builtin(name)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	v, err := read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return v, nil
}

// simRows are the summary table's rows: label and value of a result.
var simRows = []struct {
	label string
	value func(r *sim.Result) string
}{
	{"evacuated", func(r *sim.Result) string { return thousands(r.Evacuated) }},
	{"flights departed", func(r *sim.Result) string { return thousands(r.Flights) }},
	{"evacuated a day (mean)", func(r *sim.Result) string { return thousands(r.Evacuated / max(r.Days, 1)) }},
	{"peak 24 hours", func(r *sim.Result) string { return thousands(r.Peak24h) }},
	{"seat utilization", func(r *sim.Result) string { return fmt.Sprintf("%.1f%%", 100*r.SeatUtilization) }},
	{"seats departed empty while people waited", func(r *sim.Result) string { return thousands(r.EmptySeatsDeparted) }},
	{"peak crowd at the gates", func(r *sim.Result) string { return thousands(r.PeakGateCrowd) }},
	{"time in the system p50 / p95", func(r *sim.Result) string {
		return fmt.Sprintf("%s / %s", hm(r.TimeInSystemP50Min), hm(r.TimeInSystemP95Min))
	}},
	{"people left behind", func(r *sim.Result) string { return thousands(r.LeftBehind) }},
	{"stranded in holding while the hub was out (peak)", func(r *sim.Result) string { return thousands(r.StrandedPeak) }},
}

func writeSimTable(w interface{ Write([]byte) (int, error) }, results []*sim.Result) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	header := "\t"
	for _, r := range results {
		header += r.Policy + "\t"
	}
	fmt.Fprintln(tw, header)
	for _, row := range simRows {
		line := row.label + "\t"
		for _, r := range results {
			line += row.value(r) + "\t"
		}
		fmt.Fprintln(tw, line)
	}
	return tw.Flush()
}

func hm(minutes float64) string {
	d := time.Duration(minutes * float64(time.Minute)).Round(time.Minute)
	return fmt.Sprintf("%dh%02d", int(d.Hours()), int(d.Minutes())%60)
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// onLedger says how a run applied the rules, if on the ledger's state.
func onLedger(ledger bool) string {
	if ledger {
		return ", every step a domain command on the ledger's state"
	}
	return ""
}

// simSweep runs the scenario once per value of one parameter.
func (env *environment) simSweep(base *sim.Scenario, spec string, policies []string, opt sim.Options, asJSON bool) error {
	param, from, to, step, err := parseSweep(spec)
	if err != nil {
		return err
	}
	type point struct {
		Value   float64       `json:"value"`
		Results []*sim.Result `json:"results"`
	}
	var points []point
	start, runs := time.Now(), 0
	for v := from; v <= to+1e-9; v += step {
		sc, err := sweepScenario(base, param, v)
		if err != nil {
			return err
		}
		p := point{Value: v}
		for _, pol := range policies {
			opt.Policy = pol
			r, err := sim.Run(sc, opt)
			if err != nil {
				return fmt.Errorf("%s=%g: %w", param, v, err)
			}
			p.Results = append(p.Results, r)
			runs++
		}
		points = append(points, p)
	}
	fmt.Fprintf(env.stderr, "sweep: %d runs in %.2f s%s\n", runs, time.Since(start).Seconds(), onLedger(opt.Ledger))
	if asJSON {
		return json.NewEncoder(env.stdout).Encode(points)
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%s\tpolicy\tevacuated\tpeak 24 h\tempty seats\tpeak crowd\tp50 in system\tleft behind\t\n", param)
	for _, p := range points {
		for _, r := range p.Results {
			fmt.Fprintf(tw, "%g\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", p.Value, r.Policy, thousands(r.Evacuated), thousands(r.Peak24h),
				thousands(r.EmptySeatsDeparted), thousands(r.PeakGateCrowd), hm(r.TimeInSystemP50Min), thousands(r.LeftBehind))
		}
	}
	return tw.Flush()
}

// parseSweep reads PARAM=FROM..TO:STEP.
func parseSweep(spec string) (param string, from, to, step float64, err error) {
	bad := fmt.Errorf("--sweep %q: give PARAM=FROM..TO:STEP, such as lanes=20..80:10", spec)
	param, rng, ok := strings.Cut(spec, "=")
	if !ok {
		return "", 0, 0, 0, bad
	}
	span, st, ok := strings.Cut(rng, ":")
	if !ok {
		return "", 0, 0, 0, bad
	}
	a, b, ok := strings.Cut(span, "..")
	if !ok {
		return "", 0, 0, 0, bad
	}
	if from, err = strconv.ParseFloat(a, 64); err != nil {
		return "", 0, 0, 0, bad
	}
	if to, err = strconv.ParseFloat(b, 64); err != nil {
		return "", 0, 0, 0, bad
	}
	if step, err = strconv.ParseFloat(st, 64); err != nil {
		return "", 0, 0, 0, bad
	}
	if !(step > 0) || !(to >= from) || (to-from)/step > 100 {
		return "", 0, 0, 0, fmt.Errorf("--sweep %q: the step must be > 0, FROM ≤ TO, and at most 100 runs", spec)
	}
	switch param {
	case "lanes", "holding", "service", "arrivals":
	default:
		return "", 0, 0, 0, fmt.Errorf("--sweep %q: the parameter must be lanes, holding, service or arrivals", spec)
	}
	return param, from, to, step, nil
}

// sweepScenario returns a copy of base with param set to v.
func sweepScenario(base *sim.Scenario, param string, v float64) (*sim.Scenario, error) {
	var sc sim.Scenario
	b, err := json.Marshal(base)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &sc); err != nil {
		return nil, err
	}
	switch param {
	case "lanes":
		total := 0
		for _, g := range sc.Gates {
			total += g.Lanes
		}
		left := int(v)
		for i := range sc.Gates {
			n := int(v * float64(sc.Gates[i].Lanes) / float64(total))
			if i == len(sc.Gates)-1 {
				n = left
			}
			sc.Gates[i].Lanes = max(n, 1)
			left -= n
		}
	case "holding":
		sc.Holding.Capacity = int(v)
	case "service":
		for i := range sc.Gates {
			sc.Gates[i].Service.MeanMin = v
		}
	case "arrivals":
		for i := range sc.Arrivals.PerDay {
			sc.Arrivals.PerDay[i] *= v / 100
		}
	}
	if err := sc.Validate(); err != nil {
		return nil, fmt.Errorf("%s=%g: %w", param, v, err)
	}
	return &sc, nil
}

var simReport = template.Must(template.New("report").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>airbridge sim: {{.Scenario.Name}}</title>
<style>body{font:16px/1.45 system-ui,sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem;color:#111}
table{border-collapse:collapse}th,td{border-bottom:1px solid #bbb;padding:.3rem .7rem;text-align:right}th:first-child,td:first-child{text-align:left}
figure{margin:1.5rem 0}</style></head><body>
<h1>{{.Scenario.Name}}: {{range $i, $r := .Results}}{{if $i}} against {{end}}{{$r.Policy}}{{end}}</h1>
<p>{{(index .Results 0).Days}} days from {{.Scenario.Start.Format "2 Jan 2006"}}, seed {{(index .Results 0).Seed}}.</p>
<table><thead><tr><th></th>{{range .Results}}<th scope="col">{{.Policy}}</th>{{end}}</tr></thead><tbody>
{{range .Rows}}<tr><th scope="row">{{.Label}}</th>{{range .Values}}<td>{{.}}</td>{{end}}</tr>{{end}}</tbody></table>
<figure>{{.PerDay}}</figure>
<h2>What the model assumes</h2><ul>{{range .Scenario.Assumptions}}<li>{{.}}</li>{{end}}
<li>People and flights move through airbridge's own rules (registration, gate, screening, staging, manifest, boarding, departure); the coordinated policy fills flights with its manifest optimizer.</li></ul>
</body></html>
`))

func writeSimReport(path string, sc *sim.Scenario, results []*sim.Result) error {
	type row struct {
		Label  string
		Values []string
	}
	data := struct {
		Scenario *sim.Scenario
		Results  []*sim.Result
		Rows     []row
		PerDay   template.HTML
	}{Scenario: sc, Results: results}
	for _, r := range simRows {
		rw := row{Label: r.label}
		for _, res := range results {
			rw.Values = append(rw.Values, r.value(res))
		}
		data.Rows = append(data.Rows, rw)
	}
	var series []svgplot.Series
	for _, r := range results {
		s := svgplot.Series{Name: r.Policy}
		for d, n := range r.PerDay {
			s.Points = append(s.Points, svgplot.Point{X: sc.Start.AddDate(0, 0, d), Y: float64(n)})
		}
		series = append(series, s)
	}
	data.PerDay = template.HTML(svgplot.Line("Evacuated per day", series, svgplot.Options{YLabel: "persons", Width: 900, Height: 300}))
	var buf bytes.Buffer
	if err := simReport.Execute(&buf, data); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
