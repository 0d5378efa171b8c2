// Package svgplot draws the dashboard's small charts on the server, as SVG
// text to put straight into a page: counts over time (Line) and the load of
// flights (Bars).
//
// The output is pure: the same arguments give the same bytes, whatever the
// clock or the machine. Every chart is a root <svg> with width="100%" and a
// viewBox, so it scales to the column it is put in; role="img" and a
// <title> and <desc> that say in words what it shows. The ids those need
// (and the hatch pattern of Bars) are "svgplot-" and a hash of the chart's
// kind, title, data and options, so that several charts on one page do not
// share ids; two charts that are byte for byte the same share them, which
// does no harm since they say the same. Text that comes from outside
// (titles, names, labels) is escaped, and a chart never holds NaN or Inf.
//
// Every element carries a class (bg, title, axis, grid, tick, legend,
// series-0, series-1 …, area, track, bar, warn, threshold, value, nodata)
// and presentation attributes (fill, stroke) for its look, which a page's
// stylesheet overrides. The defaults are dark text on white, the
// Okabe–Ito palette, which colour-blind readers can tell apart, and a dash
// pattern per series so that no line is told from another by colour alone.
package svgplot

import (
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Point is one measurement: the value Y at the time X.
type Point struct {
	X time.Time
	Y float64
}

// Series is a named run of points, such as the people arrived per hour.
// The points may come in any order; they are drawn in the order of X.
type Series struct {
	Name   string
	Points []Point
}

// Bar is one horizontal bar: Value out of Max, such as a flight's 87 of
// 102 seats. Warn draws it in the warning style (hatched, outlined and
// marked with ⚠).
type Bar struct {
	Label string
	Value float64
	Max   float64
	Warn  bool
}

// Options shapes a chart. Zero fields take defaults.
//
// Width and Height are the size in viewBox units (pixels at 100% zoom);
// the chart itself is drawn 100% wide. Line defaults to 640×220; Bars to
// 640 wide and as high as its bars need, Height being a minimum. Sizes are
// kept within 240–4096 wide and 120–4096 high (Bars may grow higher).
//
// YLabel names the unit of Line's values ("people", "in queue"); it is
// written above the y axis. Threshold is Bars' guard line, a fraction of
// Max from 0 to 1 (0.9 draws it at 90%); 0 or any other value draws none.
// Area fills lightly under Line's series when it is the only one.
// Line ignores Threshold, Bars ignores YLabel and Area.
type Options struct {
	Width, Height int
	YLabel        string
	Threshold     float64
	Area          bool
}

// Okabe & Ito's colour-blind safe palette (its yellow left out: too pale
// on white), and dash patterns whose count is prime to the colours' so
// that the first 35 series all differ.
var (
	palette = []string{"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"}
	dashes  = []string{"", "6 3", "2 3", "9 3 2 3", "1 4"}
)

const (
	ink    = "#222"    // text
	muted  = "#555"    // axes and ticks
	rule   = "#ddd"    // grid
	charW  = 7         // estimated width of a character of 12-px text
	noData = "no data" // what an empty chart says
)

// Line draws one or more series over time. The x axis spans the points'
// times, its ticks in UTC ("14:00", and "20 Aug" at midnight or when they
// are days apart); the y axis runs from 0 to a round value above the
// highest point, its ticks 1, 2 or 5 times a power of ten. A legend names
// the series when there is more than one. With o.Area and a single series
// the area under it is lightly filled.
//
// A point whose Y is NaN or infinite is left out and breaks the line
// there; a negative Y is drawn as 0. A point alone between breaks is drawn
// as a dot. With no drawable point, the chart says "no data".
func Line(title string, series []Series, o Options) string {
	w, h := clamp(o.Width, 640, 240, 4096), clamp(o.Height, 220, 120, 4096)
	id := chartID("line", title, o, func(hw func(...any)) {
		for _, s := range series {
			hw(s.Name, int64(len(s.Points)))
			for _, p := range s.Points {
				hw(p.X.Unix(), int64(p.X.Nanosecond()), p.Y)
			}
		}
	})

	// Sort each series by time, and find the extent of the finite points.
	sorted := make([][]Point, len(series))
	n, peak, peakName := 0, -1.0, ""
	xmin, xmax := math.Inf(1), math.Inf(-1)
	var first, last time.Time
	for i, s := range series {
		sorted[i] = slices.Clone(s.Points)
		slices.SortStableFunc(sorted[i], func(a, b Point) int { return a.X.Compare(b.X) })
		for _, p := range sorted[i] {
			if !finite(p.Y) {
				continue
			}
			x := unix(p.X)
			if n == 0 || x < xmin {
				xmin, first = x, p.X
			}
			if n == 0 || x > xmax {
				xmax, last = x, p.X
			}
			if y := max(p.Y, 0); y > peak {
				peak, peakName = y, s.Name
			}
			n++
		}
	}
	if n == 0 {
		return empty(id, w, h, title)
	}
	desc := fmt.Sprintf("%d series, %s, from %s to %s UTC; peak %s", len(series), count(n, "point"), when(first, last), when(last, first), num(peak))
	if peakName != "" {
		desc += " (" + peakName + ")"
	}

	// Lay out the legend first: its rows come off the plot's height.
	const left, right, top = 56, 20, 46
	type item struct{ x, row int }
	var legend []item
	rows := 0
	if len(series) > 1 {
		x := left
		rows = 1
		for _, s := range series {
			iw := 34 + textW(clip(s.Name, 24))
			if x > left && x+iw > w-right {
				x, rows = left, rows+1
			}
			legend = append(legend, item{x, rows - 1})
			x += iw
		}
	}
	bottom := 26 + 18*rows
	h = max(h, top+bottom+60)
	pw, ph := float64(w-left-right), float64(h-top-bottom)
	if xmax == xmin { // one instant: show the hour around it
		xmin, xmax = xmin-1800, xmax+1800
	}
	px := func(x float64) float64 { return left + (x-xmin)/(xmax-xmin)*pw }
	yTop, yStep, yTicks, dec := niceScale(peak, int(ph)/40)
	py := func(y float64) float64 { return top + ph - min(max(y, 0), yTop)/yTop*ph }

	var b strings.Builder
	open(&b, id, w, h, title, desc)
	if o.YLabel != "" {
		put(&b, `<text class="axis label" x="%d" y="%d" fill="%s">%s</text>`, left, top-12, muted, esc(clip(o.YLabel, (w-left)/charW)))
	}
	for i := 0; i <= yTicks; i++ {
		v := min(float64(i)*yStep, yTop) // no overflow near MaxFloat64
		y := c(py(v))
		put(&b, `<line class="grid" x1="%d" y1="%s" x2="%d" y2="%s" stroke="%s" stroke-width="0.5"/>`, left, y, w-right, y, rule)
		put(&b, `<text class="tick y" x="%d" y="%s" dy="4" text-anchor="end" fill="%s">%s</text>`, left-6, y, muted, tickNum(v, dec))
	}
	xStep := timeStep(xmax-xmin, min(max(int(pw)/90, 2), 12))
	x0 := math.Ceil(xmin/xStep) * xStep
	for i := 0; i <= 14; i++ {
		v := x0 + float64(i)*xStep
		if v > xmax {
			break
		}
		x := c(px(v))
		put(&b, `<line class="grid" x1="%s" y1="%d" x2="%s" y2="%d" stroke="%s" stroke-width="0.5"/>`, x, top, x, h-bottom, rule)
		put(&b, `<text class="tick x" x="%s" y="%d" text-anchor="middle" fill="%s">%s</text>`, x, h-bottom+16, muted, timeLabel(v, xStep))
	}
	put(&b, `<line class="axis" x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s"/>`, left, top, left, h-bottom, muted)
	put(&b, `<line class="axis" x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s"/>`, left, h-bottom, w-right, h-bottom, muted)

	for i, pts := range sorted {
		// Runs of finite points, in chart coordinates.
		var runs [][][2]string
		var run [][2]string
		for _, p := range pts {
			if !finite(p.Y) {
				if run != nil {
					runs, run = append(runs, run), nil
				}
				continue
			}
			run = append(run, [2]string{c(px(unix(p.X))), c(py(p.Y))})
		}
		if run != nil {
			runs = append(runs, run)
		}
		col := palette[i%len(palette)]
		put(&b, `<g class="series-%d"%s fill="none" stroke-linejoin="round">`, i, stroke(i))
		if o.Area && len(series) == 1 {
			var d strings.Builder
			base := c(py(0))
			for _, r := range runs {
				fmt.Fprintf(&d, "M%s,%s", r[0][0], base)
				for _, q := range r {
					fmt.Fprintf(&d, "L%s,%s", q[0], q[1])
				}
				fmt.Fprintf(&d, "L%s,%sZ", r[len(r)-1][0], base)
			}
			put(&b, `<path class="area" d="%s" fill="%s" fill-opacity="0.15" stroke="none"/>`, d.String(), col)
		}
		for _, r := range runs {
			if len(r) == 1 {
				put(&b, `<circle cx="%s" cy="%s" r="3" fill="%s" stroke="none"/>`, r[0][0], r[0][1], col)
				continue
			}
			cmd := 'M'
			b.WriteString("<path d=\"")
			for _, q := range r {
				fmt.Fprintf(&b, "%c%s,%s", cmd, q[0], q[1])
				cmd = 'L'
			}
			b.WriteString("\"/>\n")
		}
		b.WriteString("</g>\n")
	}
	for i, it := range legend {
		x, y := it.x, h-bottom+26+18*it.row
		put(&b, `<g class="legend"><line class="series-%d" x1="%d" y1="%d" x2="%d" y2="%d"%s/><text x="%d" y="%d" dy="4" fill="%s">%s</text></g>`,
			i, x, y, x+26, y, stroke(i), x+32, y, ink, esc(clip(series[i].Name, 24)))
	}
	b.WriteString("</svg>\n")
	return b.String()
}

// Bars draws one horizontal bar a row, each filled to Value/Max: the
// label on the left, "Value/Max" on the right, and o.Threshold, when it is
// within (0, 1], as a dashed line across the rows. A bar over its Max is
// drawn full, its text giving the numbers. A Value or Max that is NaN,
// infinite or negative, or a Max of 0, draws an empty bar, and a NaN or
// infinite number is written "–". With no bars, the chart says "no data".
func Bars(title string, bars []Bar, o Options) string {
	const top, rowH, bottom = 44, 26, 26
	w := clamp(o.Width, 640, 240, 4096)
	h := max(clamp(o.Height, 1, 120, 4096), top+rowH*len(bars)+bottom)
	id := chartID("bars", title, o, func(hw func(...any)) {
		for _, r := range bars {
			hw(r.Label, r.Value, r.Max, r.Warn)
		}
	})
	if len(bars) == 0 {
		return empty(id, w, h, title)
	}

	fracs, texts := make([]float64, len(bars)), make([]string, len(bars))
	lw, rw := 0, 0
	warned, best := 0, -1
	for i, r := range bars {
		if r.Max > 0 && finite(r.Max) && r.Value >= 0 && finite(r.Value) {
			fracs[i] = min(r.Value/r.Max, 1)
			if best < 0 || r.Value/r.Max > bars[best].Value/bars[best].Max {
				best = i
			}
		}
		texts[i] = num(r.Value) + "/" + num(r.Max)
		if r.Warn {
			texts[i] = "⚠ " + texts[i]
			warned++
		}
		lw, rw = max(lw, textW(r.Label)), max(rw, textW(texts[i]))
	}
	lw = min(max(lw, 40), w/3) + 16
	rw = min(rw, w/4) + 24
	x0, tw := float64(lw), float64(w-lw-rw)

	desc := count(len(bars), "bar")
	if warned > 0 {
		desc += fmt.Sprintf(", %d with a warning", warned)
	}
	if best >= 0 {
		r := bars[best]
		desc += fmt.Sprintf("; fullest %s at %s/%s (%s)", r.Label, num(r.Value), num(r.Max), pct(r.Value/r.Max))
	}
	thr := o.Threshold
	drawThr := thr > 0 && thr <= 1
	if drawThr {
		desc += "; threshold " + pct(thr)
	}

	var b strings.Builder
	open(&b, id, w, h, title, desc+".")
	put(&b, `<defs><pattern id="%s-warn" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#F6D3BF"/><rect width="3" height="6" fill="#D55E00"/></pattern></defs>`, id)
	for i, r := range bars {
		y := top + i*rowH
		put(&b, `<g class="row"><title>%s: %s</title>`, esc(r.Label), esc(texts[i]))
		put(&b, `<text class="label" x="%d" y="%d" text-anchor="end" fill="%s">%s</text>`, lw-8, y+17, ink, esc(clip(r.Label, (lw-16)/charW)))
		put(&b, `<rect class="track" x="%s" y="%d" width="%s" height="18" fill="#eee"/>`, c(x0), y+4, c(tw))
		class, look, weight := "bar", `fill="`+palette[0]+`"`, ""
		if r.Warn {
			class, look, weight = "bar warn", `fill="url(#`+id+`-warn)" stroke="`+ink+`" stroke-width="2"`, ` font-weight="bold"`
		}
		put(&b, `<rect class="%s" x="%s" y="%d" width="%s" height="18" %s/>`, class, c(x0), y+4, c(fracs[i]*tw), look)
		put(&b, `<text class="value" x="%s" y="%d" fill="%s"%s>%s</text>`, c(x0+tw+8), y+17, ink, weight, esc(clip(texts[i], (rw-24)/charW)))
		put(&b, `</g>`)
	}
	yEnd := top + rowH*len(bars)
	for _, f := range []float64{0, 0.5, 1} {
		put(&b, `<text class="tick x" x="%s" y="%d" text-anchor="middle" fill="%s">%s</text>`, c(x0+f*tw), yEnd+16, muted, pct(f))
	}
	if drawThr {
		x := c(x0 + thr*tw)
		put(&b, `<line class="threshold" x1="%s" y1="%d" x2="%s" y2="%d" stroke="%s" stroke-width="1.5" stroke-dasharray="4 3"/>`, x, top, x, yEnd, ink)
		put(&b, `<text class="threshold" x="%s" y="%d" text-anchor="middle" fill="%s">%s</text>`, x, top-6, ink, pct(thr))
	}
	b.WriteString("</svg>\n")
	return b.String()
}

// open writes the root element, title, description, background and the
// visible title.
func open(b *strings.Builder, id string, w, h int, title, desc string) {
	put(b, `<svg xmlns="http://www.w3.org/2000/svg" width="100%%" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-title %s-desc" class="svgplot" font-family="system-ui, sans-serif" font-size="12">`, w, h, id, id)
	put(b, `<title id="%s-title">%s</title>`, id, esc(title))
	put(b, `<desc id="%s-desc">%s</desc>`, id, esc(desc))
	put(b, `<rect class="bg" width="%d" height="%d" fill="#fff"/>`, w, h)
	put(b, `<text class="title" x="8" y="20" font-size="14" font-weight="bold" fill="%s">%s</text>`, ink, esc(clip(title, (w-16)/8)))
}

// put writes an element and a newline.
func put(b *strings.Builder, format string, a ...any) {
	fmt.Fprintf(b, format, a...)
	b.WriteByte('\n')
}

// stroke is the look of series i: its colour and dashes.
func stroke(i int) string {
	s := fmt.Sprintf(` stroke="%s" stroke-width="2"`, palette[i%len(palette)])
	if d := dashes[i%len(dashes)]; d != "" {
		s += ` stroke-dasharray="` + d + `"`
	}
	return s
}

// empty is a chart with nothing to draw.
func empty(id string, w, h int, title string) string {
	var b strings.Builder
	open(&b, id, w, h, title, "No data.")
	put(&b, `<text class="nodata" x="%d" y="%d" text-anchor="middle" fill="%s">%s</text>`, w/2, h/2+10, muted, noData)
	b.WriteString("</svg>\n")
	return b.String()
}

// chartID hashes a chart's kind, title, options and data (written by
// data through hw) into an id.
func chartID(kind, title string, o Options, data func(hw func(...any))) string {
	f := fnv.New64a()
	hw := func(vs ...any) {
		for _, v := range vs {
			switch v := v.(type) {
			case string: // length first, so that "ab"+"c" differs from "a"+"bc"
				binary.Write(f, binary.LittleEndian, int64(len(v)))
				f.Write([]byte(v))
			default:
				binary.Write(f, binary.LittleEndian, v)
			}
		}
	}
	hw(kind, title, int64(o.Width), int64(o.Height), o.YLabel, o.Threshold, o.Area)
	data(hw)
	return fmt.Sprintf("svgplot-%016x", f.Sum64())
}

// niceScale returns the top of a y axis from 0 that holds peak, its step
// (1, 2 or 5 times a power of ten), the number of steps (at most about
// want), and the decimals the labels need.
func niceScale(peak float64, want int) (top, step float64, n, dec int) {
	want = min(max(want, 2), 10)
	if !(peak > 1e-300) { // all zero, or too little to tell from it
		peak = 1
	}
	raw := peak / float64(want)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step = 10 * mag
	for _, m := range []float64{1, 2, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	n = int(math.Ceil(peak / step))
	if float64(n)*step < peak {
		n++
	}
	if math.IsInf(float64(n)*step, 0) { // near MaxFloat64: no round top
		return peak, peak / float64(want), want, 0
	}
	return float64(n) * step, step, n, int(max(0, min(12, -math.Floor(math.Log10(step)))))
}

// timeStep is the spacing in seconds of at most want ticks over span
// seconds: whole minutes, hours or days.
func timeStep(span float64, want int) float64 {
	for _, s := range []float64{60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400} {
		if span/s <= float64(want) {
			return s
		}
	}
	return math.Ceil(span/float64(want)/(28*86400)) * 28 * 86400
}

// timeLabel writes a tick at Unix second v: "14:00" when ticks are less
// than a day apart (and the date at midnight), else "20 Aug", or "Aug 2021"
// when they are months apart.
func timeLabel(v, step float64) string {
	t := time.Unix(int64(v), 0).UTC()
	switch {
	case step > 28*86400:
		return t.Format("Jan 2006")
	case step >= 86400 || t.Hour() == 0 && t.Minute() == 0:
		return t.Format("2 Jan")
	}
	return t.Format("15:04")
}

// when writes t for the description, with its year if other's differs.
func when(t, other time.Time) string {
	t, other = t.UTC(), other.UTC()
	if t.Year() != other.Year() {
		return t.Format("2 Jan 2006 15:04")
	}
	return t.Format("2 Jan 15:04")
}

func unix(t time.Time) float64 { return float64(t.Unix()) + float64(t.Nanosecond())/1e9 }

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// c writes a coordinate to a tenth; it is always finite by construction,
// but a non-finite one is written 0 rather than NaN.
func c(v float64) string {
	if !finite(v) {
		return "0"
	}
	return strconv.FormatFloat(math.Round(v*10)/10+0, 'f', -1, 64)
}

// num writes a value for people: "1,234", "87.5", "1.2e+20", "–" for NaN.
func num(v float64) string {
	if !finite(v) {
		return "–"
	}
	if math.Abs(v) >= 1e15 || v != 0 && math.Abs(v) < 0.01 {
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	s := strings.TrimRight(strings.TrimRight(strconv.FormatFloat(v, 'f', 2, 64), "0"), ".")
	return group(s)
}

// tickNum writes an axis value with dec decimals.
func tickNum(v float64, dec int) string {
	switch {
	case v == 0:
		return "0"
	case v >= 1e15 || v < 1e-6:
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	return group(strconv.FormatFloat(v, 'f', dec, 64))
}

// group puts thousands separators into a decimal number.
func group(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, d := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	if frac != "" {
		b.WriteString("." + frac)
	}
	return b.String()
}

// count writes "1 point", "2 points".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// pct writes a fraction as a whole percentage: "85%".
func pct(f float64) string {
	if !finite(f * 100) {
		return "–"
	}
	return strconv.FormatFloat(math.Round(f*100), 'f', 0, 64) + "%"
}

// clip shortens s to n characters, the last being "…".
func clip(s string, n int) string {
	if n < 1 || utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func textW(s string) int { return utf8.RuneCountInString(s) * charW }

// esc escapes s for XML text or a quoted attribute; characters that XML
// cannot hold become U+FFFD.
func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

func clamp(v, def, lo, hi int) int {
	if v == 0 {
		v = def
	}
	return min(max(v, lo), hi)
}
