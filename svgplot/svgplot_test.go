package svgplot

import (
	"cmp"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2021, 8, 20, 6, 0, 0, 0, time.UTC)

// elem is an element of a parsed chart: its name, attributes and the text
// directly inside it.
type elem struct {
	name string
	attr map[string]string
	text string
}

func (e elem) class(c string) bool { return slices.Contains(strings.Fields(e.attr["class"]), c) }

func (e elem) num(t *testing.T, a string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(e.attr[a], 64)
	if err != nil {
		t.Fatalf("<%s %s=%q>: %v", e.name, a, e.attr[a], err)
	}
	return v
}

// parse reads s to its end as XML, failing t unless it is well formed and
// one <svg> root, and returns its elements in document order.
func parse(t testing.TB, s string) []elem {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	var all []elem
	var open []int
	roots := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, s)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if len(open) == 0 {
				roots++
				if tok.Name.Local != "svg" || tok.Name.Space != "http://www.w3.org/2000/svg" {
					t.Fatalf("root is %v", tok.Name)
				}
			}
			e := elem{name: tok.Name.Local, attr: map[string]string{}}
			for _, a := range tok.Attr {
				e.attr[a.Name.Local] = a.Value
			}
			all = append(all, e)
			open = append(open, len(all)-1)
		case xml.EndElement:
			open = open[:len(open)-1]
		case xml.CharData:
			if len(open) > 0 {
				all[open[len(open)-1]].text += string(tok)
			}
		}
	}
	if roots != 1 {
		t.Fatalf("%d root elements", roots)
	}
	return all
}

// check parses s and checks what every chart must be: well formed, no NaN
// or Inf in an attribute or a number the chart wrote, a root that scales
// with a role and labels that exist, every id once.
func check(t testing.TB, s string) []elem {
	t.Helper()
	all := parse(t, s)
	root := all[0]
	for a, want := range map[string]string{"width": "100%", "role": "img"} {
		if root.attr[a] != want {
			t.Errorf("root %s=%q, want %q", a, root.attr[a], want)
		}
	}
	if !strings.HasPrefix(root.attr["viewBox"], "0 0 ") {
		t.Errorf("root viewBox=%q", root.attr["viewBox"])
	}
	ids := map[string]string{}
	for _, e := range all {
		for a, v := range e.attr {
			if strings.Contains(v, "NaN") || strings.Contains(v, "Inf") {
				t.Errorf("<%s %s=%q>", e.name, a, v)
			}
		}
		if e.class("tick") || e.class("value") || e.class("threshold") {
			if strings.Contains(e.text, "NaN") || strings.Contains(e.text, "Inf") {
				t.Errorf("<%s class=%q>%s", e.name, e.attr["class"], e.text)
			}
		}
		if id, ok := e.attr["id"]; ok {
			if ids[id] != "" {
				t.Errorf("id %q twice", id)
			}
			ids[id] = e.name
		}
	}
	labels := strings.Fields(root.attr["aria-labelledby"])
	if len(labels) != 2 || ids[labels[0]] != "title" || ids[labels[1]] != "desc" {
		t.Errorf("aria-labelledby=%q, ids %v", root.attr["aria-labelledby"], ids)
	}
	return all
}

func find(all []elem, name, class string) []elem {
	var out []elem
	for _, e := range all {
		if e.name == name && (class == "" || e.class(class)) {
			out = append(out, e)
		}
	}
	return out
}

func hourly(n int, f func(i int) float64) []Point {
	var p []Point
	for i := range n {
		p = append(p, Point{t0.Add(time.Duration(i) * time.Hour), f(i)})
	}
	return p
}

var nan, inf = math.NaN(), math.Inf(1)

// lineCases and barCases are the inputs every test runs through; the
// degenerate ones must draw without NaN and, where marked, say "no data".
var lineCases = []struct {
	name   string
	series []Series
	o      Options
	noData bool
}{
	{"two series", []Series{{"arrived", hourly(25, func(i int) float64 { return float64(i * 50) })}, {"departed", hourly(25, func(i int) float64 { return float64(1234 - 30*i) })}}, Options{YLabel: "people"}, false},
	{"area", []Series{{"queue", hourly(48, func(i int) float64 { return float64(i % 7) })}}, Options{Area: true, Width: 1920, Height: 400}, false},
	{"eight series", slices.Repeat([]Series{{"s", hourly(3, func(i int) float64 { return float64(i) })}}, 8), Options{Width: 240}, false},
	{"unsorted", []Series{{"x", []Point{{t0.Add(3 * time.Hour), 3}, {t0, 1}, {t0.Add(time.Hour), 2}}}}, Options{}, false},
	{"minutes", []Series{{"x", []Point{{t0, 1}, {t0.Add(25 * time.Minute), 2}}}}, Options{}, false},
	{"weeks", []Series{{"x", []Point{{t0, 1}, {t0.Add(90 * 24 * time.Hour), 2}}}}, Options{}, false},
	{"centuries", []Series{{"x", []Point{{time.Time{}, 1}, {time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), 2}}}}, Options{}, false},
	{"far times", []Series{{"x", []Point{{time.Unix(-1<<62, 0), 1}, {time.Unix(1<<62, 0), 2}}}}, Options{}, false},
	{"no series", nil, Options{}, true},
	{"empty series", []Series{{"a", nil}, {"b", []Point{}}}, Options{}, true},
	{"all NaN", []Series{{"a", []Point{{t0, nan}, {t0.Add(time.Hour), inf}, {t0, -inf}}}}, Options{Area: true}, true},
	{"gaps", []Series{{"a", hourly(9, func(i int) float64 { return []float64{1, nan, 2, 3, inf, 4, -inf, 5, nan}[i] })}}, Options{Area: true}, false},
	{"negative", []Series{{"a", hourly(4, func(i int) float64 { return -float64(i) - 1 })}}, Options{}, false},
	{"single point", []Series{{"a", []Point{{t0, 42}}}}, Options{Area: true}, false},
	{"all zero", []Series{{"a", hourly(5, func(int) float64 { return 0 })}, {"b", hourly(5, func(int) float64 { return 0 })}}, Options{}, false},
	{"same time", []Series{{"a", []Point{{t0, 1}, {t0, 5}, {t0, 3}}}}, Options{}, false},
	{"huge", []Series{{"a", hourly(3, func(i int) float64 { return math.MaxFloat64 / float64(i+1) })}}, Options{}, false},
	{"large", []Series{{"a", hourly(3, func(i int) float64 { return 3e299 * float64(i) })}}, Options{}, false},
	{"tiny", []Series{{"a", hourly(3, func(i int) float64 { return 5e-324 * float64(i) })}}, Options{}, false},
	{"small", []Series{{"a", hourly(3, func(i int) float64 { return 1e-9 * float64(i) })}}, Options{}, false},
	{"fractions", []Series{{"a", hourly(3, func(i int) float64 { return 0.1 * float64(i) })}}, Options{}, false},
	{"odd size", []Series{{"a", hourly(3, func(i int) float64 { return float64(i) })}}, Options{Width: -5, Height: 1 << 30}, false},
}

var barCases = []struct {
	name   string
	bars   []Bar
	o      Options
	noData bool
}{
	{"loads", []Bar{{"RCH 871", 87, 102, false}, {"GAF 12", 51, 102, true}, {"C-17 long label that goes on and on and on", 1234.5, 2000, false}}, Options{Threshold: 0.9}, false},
	{"no bars", nil, Options{Threshold: 0.9}, true},
	{"max zero", []Bar{{"a", 5, 0, true}, {"b", 0, 0, false}}, Options{}, false},
	{"non-finite", []Bar{{"a", nan, 10, false}, {"b", 5, nan, true}, {"c", inf, 10, false}, {"d", 5, inf, false}, {"e", -inf, -inf, true}}, Options{Threshold: nan}, false},
	{"negative", []Bar{{"a", -5, 10, false}, {"b", 5, -10, false}}, Options{Threshold: -1}, false},
	{"over", []Bar{{"a", 150, 102, true}}, Options{Threshold: 1}, false},
	{"huge", []Bar{{"a", math.MaxFloat64, math.MaxFloat64, false}, {"b", 1, math.MaxFloat64, false}, {"c", 5e-324, 1e-300, false}, {"d", 1e300, 1e-300, true}}, Options{Threshold: 2}, false},
	{"many", slices.Repeat([]Bar{{"x", 1, 2, false}}, 200), Options{Width: 100000, Height: 50}, false},
}

func TestWellFormedAndDegenerate(t *testing.T) {
	for _, tc := range lineCases {
		t.Run("Line/"+tc.name, func(t *testing.T) {
			s := Line("Throughput", tc.series, tc.o)
			check(t, s)
			if strings.Contains(s, "NaN") || strings.Contains(s, "Inf") {
				t.Errorf("NaN or Inf in\n%s", s)
			}
			if got := strings.Contains(s, ">no data<"); got != tc.noData {
				t.Errorf("says no data: %v, want %v\n%s", got, tc.noData, s)
			}
		})
	}
	for _, tc := range barCases {
		t.Run("Bars/"+tc.name, func(t *testing.T) {
			s := Bars("Loads", tc.bars, tc.o)
			all := check(t, s)
			if strings.Contains(s, "NaN") || strings.Contains(s, "Inf") {
				t.Errorf("NaN or Inf in\n%s", s)
			}
			if got := strings.Contains(s, ">no data<"); got != tc.noData {
				t.Errorf("says no data: %v, want %v\n%s", got, tc.noData, s)
			}
			if n := len(find(all, "rect", "bar")); n != len(tc.bars) {
				t.Errorf("%d bars drawn, want %d", n, len(tc.bars))
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	for _, tc := range lineCases {
		if a, b := Line(tc.name, tc.series, tc.o), Line(tc.name, tc.series, tc.o); a != b {
			t.Errorf("Line %s: two calls differ", tc.name)
		}
	}
	for _, tc := range barCases {
		if a, b := Bars(tc.name, tc.bars, tc.o), Bars(tc.name, tc.bars, tc.o); a != b {
			t.Errorf("Bars %s: two calls differ", tc.name)
		}
	}
}

// Charts of other titles or data have other ids, so that a page of them
// has each id once.
func TestIDs(t *testing.T) {
	var page []string
	for _, tc := range lineCases {
		page = append(page, Line("Throughput", tc.series, tc.o))
	}
	for _, tc := range barCases {
		page = append(page, Bars("Throughput", tc.bars, tc.o))
	}
	s := lineCases[0].series
	page = append(page, Line("Other title", s, Options{}), Line("Throughput", s[:1], Options{}), Line("Throughput", s, Options{Area: true}))
	all := parse(t, "<svg xmlns=\"http://www.w3.org/2000/svg\">"+strings.Join(page, "")+"</svg>")
	seen := map[string]bool{}
	for _, e := range all {
		if id := e.attr["id"]; id != "" {
			if seen[id] {
				t.Errorf("id %q twice on the page", id)
			}
			seen[id] = true
		}
	}
	if len(seen) < 2*len(page) {
		t.Errorf("%d ids on a page of %d charts", len(seen), len(page))
	}
}

func TestEscaping(t *testing.T) {
	const evil = `<script>alert(1)</script> & "x"`
	outs := []string{
		Line(evil, []Series{{evil, hourly(3, func(i int) float64 { return 1 })}, {evil, nil}}, Options{YLabel: evil}),
		Line(evil, nil, Options{}),
		Bars(evil, []Bar{{evil, 1, 2, true}}, Options{}),
		Bars(evil, nil, Options{}),
	}
	for _, s := range outs {
		if strings.Contains(s, "<script") || strings.Contains(s, `"x"`) || strings.Contains(s, "& ") {
			t.Errorf("unescaped:\n%s", s)
		}
		all := check(t, s)
		if got := find(all, "title", "")[0].text; got != evil {
			t.Errorf("title reads %q, want %q", got, evil)
		}
	}
	// Text that XML cannot hold is replaced, not passed on.
	check(t, Line("nul\x00 \xff\xfe \x1b[31m", []Series{{"\ufffe", hourly(2, func(int) float64 { return 1 })}}, Options{}))
	check(t, Bars("\x01", []Bar{{"\x00\xc3", 1, 1, false}}, Options{}))
}

func TestBarsGeometry(t *testing.T) {
	s := Bars("Loads", []Bar{{"full", 102, 102, false}, {"half", 51, 102, true}, {"empty", 0, 102, false}, {"over", 150, 102, false}, {"broken", 5, 0, false}}, Options{Threshold: 0.9})
	all := check(t, s)
	tracks, bars := find(all, "rect", "track"), find(all, "rect", "bar")
	if len(tracks) != 5 || len(bars) != 5 {
		t.Fatalf("%d tracks, %d bars", len(tracks), len(bars))
	}
	var w []float64
	for i, b := range bars {
		w = append(w, b.num(t, "width"))
		if b.num(t, "x") != tracks[i].num(t, "x") {
			t.Errorf("bar %d does not start at its track", i)
		}
	}
	track := tracks[0].num(t, "width")
	if w[0] != track || math.Abs(w[1]-w[0]/2) > 0.1 || w[2] != 0 || w[3] != track || w[4] != 0 {
		t.Errorf("bar widths %v, track %v: want full, half, 0, full, 0", w, track)
	}
	if !bars[1].class("warn") || bars[0].class("warn") {
		t.Errorf("warn classes: %q, %q", bars[0].attr["class"], bars[1].attr["class"])
	}
	if fill := bars[1].attr["fill"]; fill != "url(#"+find(all, "pattern", "")[0].attr["id"]+")" || bars[1].attr["stroke"] == "" {
		t.Errorf("warn bar fill=%q stroke=%q: want the hatch pattern and an outline", fill, bars[1].attr["stroke"])
	}
	var values []string
	for _, v := range find(all, "text", "value") {
		values = append(values, v.text)
	}
	if want := []string{"102/102", "⚠ 51/102", "0/102", "150/102", "5/0"}; !slices.Equal(values, want) {
		t.Errorf("values %q, want %q", values, want)
	}
	thr := find(all, "line", "threshold")
	if len(thr) != 1 || math.Abs(thr[0].num(t, "x1")-(tracks[0].num(t, "x")+0.9*track)) > 0.1 {
		t.Errorf("threshold line %v, want at 90%% of %v", thr, track)
	}
	if n := len(find(all, "line", "threshold")); n != 1 {
		t.Errorf("%d threshold lines", n)
	}
	for _, thr := range []float64{0, -0.5, 1.5, nan, inf, -inf} {
		if n := len(find(parse(t, Bars("", []Bar{{"a", 1, 2, false}}, Options{Threshold: thr})), "line", "threshold")); n != 0 {
			t.Errorf("%d threshold lines for Threshold %v", n, thr)
		}
	}
}

// pathPoints reads the coordinates of an M/L/Z path.
func pathPoints(t *testing.T, d string) [][2]float64 {
	var out [][2]float64
	for _, f := range strings.FieldsFunc(d, func(r rune) bool { return r == 'M' || r == 'L' || r == 'Z' }) {
		x, y, _ := strings.Cut(f, ",")
		fx, err1 := strconv.ParseFloat(x, 64)
		fy, err2 := strconv.ParseFloat(y, 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("path %q", d)
		}
		out = append(out, [2]float64{fx, fy})
	}
	return out
}

func TestLineGeometry(t *testing.T) {
	for _, tc := range lineCases {
		if tc.noData {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			all := check(t, Line("", tc.series, tc.o))
			axes := find(all, "line", "axis")
			if len(axes) != 2 {
				t.Fatalf("%d axes", len(axes))
			}
			left, top, bottom, right := axes[0].num(t, "x1"), axes[0].num(t, "y1"), axes[1].num(t, "y1"), axes[1].num(t, "x2")
			var pts [][2]float64
			for _, p := range find(all, "path", "") {
				pp := pathPoints(t, p.attr["d"])
				if !slices.IsSortedFunc(pp, func(a, b [2]float64) int { return cmp.Compare(a[0], b[0]) }) {
					t.Errorf("path goes back in time: %s", p.attr["d"])
				}
				pts = append(pts, pp...)
			}
			for _, c := range find(all, "circle", "") {
				pts = append(pts, [2]float64{c.num(t, "cx"), c.num(t, "cy")})
			}
			if len(pts) == 0 {
				t.Fatal("nothing drawn")
			}
			for _, p := range pts {
				if p[0] < left || p[0] > right || p[1] < top || p[1] > bottom {
					t.Errorf("point %v outside the plot %v–%v × %v–%v", p, left, right, top, bottom)
				}
			}
			// The top tick holds the highest value, and sits at the top.
			peak, topTick := 0.0, 0.0
			for _, s := range tc.series {
				for _, p := range s.Points {
					if finite(p.Y) {
						peak = max(peak, p.Y)
					}
				}
			}
			ticks := find(all, "text", "y")
			for _, e := range ticks {
				// "1.8e+308", above MaxFloat64, parses as +Inf with ErrRange.
				v, err := strconv.ParseFloat(strings.ReplaceAll(e.text, ",", ""), 64)
				if err != nil && !errors.Is(err, strconv.ErrRange) {
					t.Fatalf("y tick %q", e.text)
				}
				topTick = max(topTick, v)
			}
			if topTick < peak || len(ticks) < 2 {
				t.Errorf("top y tick %v below the peak %v (%d ticks)", topTick, peak, len(ticks))
			}
			if y := ticks[len(ticks)-1].num(t, "y"); y != top {
				t.Errorf("top tick at y=%v, axis top %v", y, top)
			}
			if n := len(find(all, "text", "x")); n < 1 || n > 15 {
				t.Errorf("%d x ticks", n)
			}
			legend := len(find(all, "g", "legend"))
			if tc.series != nil && len(tc.series) > 1 != (legend > 0) {
				t.Errorf("%d legend entries for %d series", legend, len(tc.series))
			}
		})
	}
}

func TestLineStyle(t *testing.T) {
	s := lineCases[0].series
	all := check(t, Line("", s, Options{Area: true}))
	g0, g1 := find(all, "g", "series-0"), find(all, "g", "series-1")
	if len(g0) != 1 || len(g1) != 1 || g0[0].attr["stroke"] == g1[0].attr["stroke"] || g0[0].attr["stroke-dasharray"] == g1[0].attr["stroke-dasharray"] {
		t.Errorf("series look alike: %v, %v", g0, g1)
	}
	if n := len(find(all, "path", "area")); n != 0 {
		t.Errorf("%d areas for two series", n)
	}
	all = check(t, Line("", s[:1], Options{Area: true}))
	if n := len(find(all, "path", "area")); n != 1 {
		t.Errorf("%d areas for one series", n)
	}
	if n := len(find(all, "g", "legend")); n != 0 {
		t.Errorf("legend for one series")
	}
}

func TestTimeTicks(t *testing.T) {
	for _, tc := range []struct {
		span time.Duration
		want []string
	}{
		{25 * time.Minute, []string{"06:00", "06:05", "06:10", "06:15", "06:20", "06:25"}},
		{24 * time.Hour, []string{"06:00", "12:00", "18:00", "21 Aug", "06:00"}},
		{10 * 24 * time.Hour, []string{"21 Aug", "23 Aug", "25 Aug", "27 Aug", "29 Aug"}},
	} {
		all := check(t, Line("", []Series{{"x", []Point{{t0, 1}, {t0.Add(tc.span), 2}}}}, Options{}))
		var got []string
		for _, e := range find(all, "text", "x") {
			got = append(got, e.text)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("span %v: ticks %q, want %q", tc.span, got, tc.want)
		}
	}
}

func TestDesc(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{Line("", lineCases[0].series, Options{}), "2 series, 50 points, from 20 Aug 06:00 to 21 Aug 06:00 UTC; peak 1,234 (departed)"},
		{Line("", []Series{{"", []Point{{t0, 0.5}}}}, Options{}), "1 series, 1 point, from 20 Aug 06:00 to 20 Aug 06:00 UTC; peak 0.5"},
		{Line("", nil, Options{}), "No data."},
		{Bars("", barCases[0].bars, Options{Threshold: 0.9}), "3 bars, 1 with a warning; fullest RCH 871 at 87/102 (85%); threshold 90%."},
		{Bars("", []Bar{{"a", 1, 0, false}}, Options{}), "1 bar."},
		{Bars("", []Bar{{"a", 1e300, 1e-300, true}}, Options{Threshold: 0.5}), "1 bar, 1 with a warning; fullest a at 1e+300/1e-300 (–); threshold 50%."},
	} {
		if got := find(parse(t, tc.got), "desc", "")[0].text; got != tc.want {
			t.Errorf("desc %q, want %q", got, tc.want)
		}
	}
}

func FuzzLine(f *testing.F) {
	f.Add("Throughput", "arrived", int64(0), int64(3600), 1.0, 2.0, nan, 3, false, 640, 220)
	f.Add("<&>\"", "\x00", int64(-1<<62), int64(1<<62), inf, -1.0, 1e308, 1, true, 0, 0)
	f.Fuzz(func(t *testing.T, title, name string, a, b int64, y1, y2, y3 float64, n int, area bool, w, h int) {
		ys := []float64{y1, y2, y3}
		var series []Series
		for i := range min(max(n, 0), 20) {
			var pts []Point
			for j := range i%4 + 1 {
				pts = append(pts, Point{time.Unix(a+int64(j)*(b-a), int64(j)), ys[(i+j)%3]})
			}
			series = append(series, Series{name + strconv.Itoa(i), pts})
		}
		s := Line(title, series, Options{Width: w, Height: h, YLabel: name, Area: area})
		check(t, s)
	})
}

func FuzzBars(f *testing.F) {
	f.Add("Loads", "RCH 871", 87.0, 102.0, 0.9, true, 3)
	f.Add("<&>\"", "\xff", nan, 0.0, inf, false, 0)
	f.Fuzz(func(t *testing.T, title, label string, v, m, thr float64, warn bool, n int) {
		var bars []Bar
		for i := range min(max(n, 0), 50) {
			bars = append(bars, Bar{label, v * float64(i), m, warn != (i%2 == 0)})
		}
		check(t, Bars(title, bars, Options{Threshold: thr}))
	})
}

func ExampleLine() {
	start := time.Date(2021, 8, 20, 6, 0, 0, 0, time.UTC)
	var arrived []Point
	for h := range 25 {
		arrived = append(arrived, Point{start.Add(time.Duration(h) * time.Hour), float64(h * 40)})
	}
	svg := Line("Arrivals per hour", []Series{{"arrived", arrived}}, Options{YLabel: "people", Area: true})
	_, desc, _ := strings.Cut(svg, "<desc")
	desc, _, _ = strings.Cut(desc[strings.Index(desc, ">")+1:], "</desc>")
	fmt.Println(desc)
	// Output: 1 series, 25 points, from 20 Aug 06:00 to 21 Aug 06:00 UTC; peak 960 (arrived)
}
