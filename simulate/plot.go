package simulate

import (
	"bufio"
	"cmp"
	"fmt"
	"html"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/daemonkit/daemonkit/daemonset"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// PlotOptions tunes WriteSVG. The zero value gives a 960x480 chart.
type PlotOptions struct {
	// Title is printed above the chart; empty gives "<namespace>/<name> rollout".
	Title string
	// Width and Height of the SVG in pixels; 0 gives 960 and 480.
	Width, Height int
	// Band, when set (SampleResult.Band), is drawn as a shaded band between
	// the P10 and P90 of "updated" over many runs, with its P50 dotted; the
	// time axis covers it.
	Band []BandPoint
	// Events, the scenario's scripted events, are drawn as markers at their
	// time (a dashed line, a label, the whole event in its tooltip); those
	// after the end of the run are left out.
	Events []Event
}

// plotSeries is one line of the chart.
type plotSeries struct {
	id, label, color string
	dash             string
	value            func(p plotPoint) int32
}

// plotPoint is the state at the end of one instant of the trace.
type plotPoint struct {
	t                                        time.Duration
	desired, updated, available, unavailable int32
	budget                                   int32
}

// WriteSVG draws a rollout as a self-contained SVG chart: desired, updated,
// available and unavailable pods over time as step lines (values at the end
// of each instant, as `kubectl get ds` would have shown them), the
// maxUnavailable budget resolved against the desired count of the moment,
// and the stall, if the rollout got stuck, as a shaded band with its cause.
// Output is deterministic: the same result gives the same bytes.
func WriteSVG(w io.Writer, r *Result, opts PlotOptions) error {
	if r == nil {
		return inputError("plot", field.Required(field.NewPath("result"), "nil result"))
	}
	width, height := opts.Width, opts.Height
	if width <= 0 {
		width = 960
	}
	if height <= 0 {
		height = 480
	}
	if width < 200 || height < 150 || width > 10000 || height > 10000 {
		return inputError("plot", wholeInput(field.ErrorTypeInvalid, fmt.Sprintf("%dx%d", width, height),
			fmt.Sprintf("size %dx%d out of range 200x150..10000x10000", width, height)))
	}
	title := opts.Title
	if title == "" && r.DaemonSet != nil {
		title = r.DaemonSet.Namespace + "/" + r.DaemonSet.Name + " rollout"
	}
	pts := plotPoints(r)
	series := []plotSeries{
		{id: "desired", label: "desired", color: "#777777", dash: "6 4", value: func(p plotPoint) int32 { return p.desired }},
		{id: "updated", label: "updated", color: "#1f77b4", value: func(p plotPoint) int32 { return p.updated }},
		{id: "available", label: "available", color: "#2ca02c", value: func(p plotPoint) int32 { return p.available }},
		{id: "unavailable", label: "unavailable", color: "#d62728", value: func(p plotPoint) int32 { return p.unavailable }},
		{id: "budget", label: "maxUnavailable budget", color: "#ff7f0e", dash: "2 3", value: func(p plotPoint) int32 { return p.budget }},
	}

	// Plot area and scales.
	const left, right, top, bottom = 64, 24, 48, 84
	pw, ph := float64(width-left-right), float64(height-top-bottom)
	end := r.Summary.End
	if n := len(pts); n > 0 && pts[n-1].t > end {
		end = pts[n-1].t
	}
	if n := len(opts.Band); n > 0 && opts.Band[n-1].Time > end {
		end = opts.Band[n-1].Time
	}
	if end <= 0 {
		end = time.Second
	}
	var ymax int32 = 1
	for _, b := range opts.Band {
		ymax = max(ymax, b.P90)
	}
	for _, p := range pts {
		for _, s := range series {
			ymax = max(ymax, s.value(p))
		}
	}
	yTicks := niceStep(float64(ymax), 5)
	ytop := yTicks * float64(int((float64(ymax)+yTicks-1)/yTicks))
	if ytop < float64(ymax) {
		ytop += yTicks
	}
	x := func(t time.Duration) float64 { return float64(left) + pw*float64(t)/float64(end) }
	y := func(v int32) float64 { return float64(top) + ph*(1-float64(v)/ytop) }

	bw := bufio.NewWriter(w)
	p := func(format string, a ...any) { fmt.Fprintf(bw, format, a...) }
	p(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	p(`<title>%s</title>`+"\n", html.EscapeString(title))
	p(`<rect x="0" y="0" width="%d" height="%d" fill="#ffffff"/>`+"\n", width, height)
	p(`<text id="title" x="%d" y="24" font-size="16">%s</text>`+"\n", left, html.EscapeString(title))

	// Stall band.
	if r.Summary.Stuck {
		x0 := x(r.Summary.StuckSince)
		cause := "stuck"
		if len(r.Summary.Blocking) > 0 {
			cause = fmt.Sprintf("stuck: %s on %d node(s)", r.Summary.Blocking[0].Cause, len(r.Summary.Blocking))
		}
		p(`<rect id="stall" x="%.1f" y="%d" width="%.1f" height="%.1f" fill="#d62728" fill-opacity="0.08"><title>%s</title></rect>`+"\n",
			x0, top, max(float64(left)+pw-x0, 1), ph, html.EscapeString(cause))
		// Keep the label inside the chart: right-align it when the band is narrow.
		lx, anchor := x0+4, "start"
		if x0 > float64(left)+pw*0.55 {
			lx, anchor = float64(left)+pw-4, "end"
		}
		p(`<text id="stall-label" x="%.1f" y="%d" fill="#d62728" text-anchor="%s">%s</text>`+"\n", lx, top+14, anchor, html.EscapeString(cause))
	}

	// Axes and grid.
	p(`<g id="axes" stroke="#333333" stroke-width="1">` + "\n")
	p(`<line x1="%d" y1="%d" x2="%d" y2="%d"/>`+"\n", left, top, left, top+int(ph))
	p(`<line x1="%d" y1="%d" x2="%d" y2="%d"/>`+"\n", left, top+int(ph), left+int(pw), top+int(ph))
	p("</g>\n")
	p(`<g id="y-ticks" fill="#333333" text-anchor="end">` + "\n")
	for v := 0.0; v <= ytop+0.5; v += yTicks {
		yy := y(int32(v))
		p(`<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#dddddd"/>`+"\n", left, yy, left+int(pw), yy)
		p(`<text x="%d" y="%.1f">%d</text>`+"\n", left-6, yy+4, int64(v))
	}
	p("</g>\n")
	p(`<g id="x-ticks" fill="#333333" text-anchor="middle">` + "\n")
	xStep := niceDuration(end, 6)
	for t := time.Duration(0); t <= end; t += xStep {
		xx := x(t)
		p(`<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#333333"/>`+"\n", xx, top+int(ph), xx, top+int(ph)+4)
		p(`<text x="%.1f" y="%d">%s</text>`+"\n", xx, top+int(ph)+18, shortDuration(t))
	}
	p("</g>\n")
	p(`<text x="%d" y="%d" text-anchor="middle" fill="#333333">time since the update</text>`+"\n", left+int(pw)/2, top+int(ph)+36)
	p(`<text x="16" y="%d" text-anchor="middle" fill="#333333" transform="rotate(-90 16 %d)">pods</text>`+"\n", top+int(ph)/2, top+int(ph)/2)

	// The P10-P90 band of "updated" over many runs.
	if len(opts.Band) > 0 {
		var poly, mid strings.Builder
		for _, b := range opts.Band {
			fmt.Fprintf(&poly, " %.1f,%.1f", x(b.Time), y(b.P90))
			fmt.Fprintf(&mid, " %.1f,%.1f", x(b.Time), y(b.P50))
		}
		for k := len(opts.Band) - 1; k >= 0; k-- {
			fmt.Fprintf(&poly, " %.1f,%.1f", x(opts.Band[k].Time), y(opts.Band[k].P10))
		}
		p(`<polygon id="updated-band" fill="#1f77b4" fill-opacity="0.18" stroke="none" points="%s"><title>updated: P10-P90 of %s</title></polygon>`+"\n",
			strings.TrimSpace(poly.String()), "the sampled runs")
		p(`<polyline id="updated-p50" fill="none" stroke="#1f77b4" stroke-width="1" stroke-dasharray="1 3" points="%s"/>`+"\n", strings.TrimSpace(mid.String()))
	}

	// Series as step lines.
	for _, s := range series {
		var pts2 strings.Builder
		var prev int32
		for i, pt := range pts {
			v := s.value(pt)
			if i > 0 {
				fmt.Fprintf(&pts2, " %.1f,%.1f", x(pt.t), y(prev))
			}
			fmt.Fprintf(&pts2, " %.1f,%.1f", x(pt.t), y(v))
			prev = v
		}
		if len(pts) > 0 {
			fmt.Fprintf(&pts2, " %.1f,%.1f", x(end), y(prev))
		}
		dash := ""
		if s.dash != "" {
			dash = fmt.Sprintf(` stroke-dasharray="%s"`, s.dash)
		}
		p(`<polyline id="%s" fill="none" stroke="%s" stroke-width="2"%s points="%s"/>`+"\n", s.id, s.color, dash, strings.TrimSpace(pts2.String()))
	}

	// Scripted events: one marker per instant, the events of that instant
	// in its tooltip.
	if marks := eventMarks(opts.Events, end); len(marks) > 0 {
		p(`<g id="events" fill="#6a3d9a" font-size="10">` + "\n")
		for i, m := range marks {
			xx := x(m.at)
			label := m.texts[0]
			if len(m.texts) > 1 {
				label = fmt.Sprintf("%s (+%d)", label, len(m.texts)-1)
			}
			p(`<g class="event"><title>%s</title>`, html.EscapeString(strings.Join(m.texts, "\n")))
			p(`<line x1="%.1f" y1="%d" x2="%.1f" y2="%.1f" stroke="#6a3d9a" stroke-dasharray="3 3"/>`, xx, top, xx, float64(top)+ph)
			// Labels alternate between two rows so neighbours do not overlap.
			p(`<text x="%.1f" y="%d">%s</text></g>`+"\n", xx+3, top+26+12*(i%2), html.EscapeString(label))
		}
		p("</g>\n")
	}

	// Legend.
	p(`<g id="legend">` + "\n")
	lx := left
	for _, s := range series {
		p(`<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"/>`+"\n", lx, height-18, lx+18, height-18, s.color)
		p(`<text x="%d" y="%d">%s</text>`+"\n", lx+22, height-14, html.EscapeString(s.label))
		lx += 30 + 7*len(s.label)
	}
	if len(opts.Band) > 0 {
		p(`<rect x="%d" y="%d" width="18" height="10" fill="#1f77b4" fill-opacity="0.18"/>`+"\n", lx, height-23)
		p(`<text x="%d" y="%d">updated, P10-P90 of the runs</text>`+"\n", lx+22, height-14)
	}
	p("</g>\n</svg>\n")
	return bw.Flush()
}

// plotPoints keeps the last status of every instant, and the budget
// resolved against that instant's desired count (0 on the surge path and
// for OnDelete, where maxUnavailable does not apply).
func plotPoints(r *Result) []plotPoint {
	var pts []plotPoint
	for _, st := range r.Steps {
		pt := plotPoint{t: st.Time, desired: st.Status.DesiredNumberScheduled, updated: st.Status.UpdatedNumberScheduled,
			available: st.Status.NumberAvailable, unavailable: st.Status.NumberUnavailable}
		if r.DaemonSet != nil {
			if b, err := daemonset.UpdateBudget(r.DaemonSet, int(pt.desired)); err == nil && b.MaxSurge == 0 {
				pt.budget = int32(b.MaxUnavailable)
			}
		}
		if n := len(pts); n > 0 && pts[n-1].t == pt.t {
			pts[n-1] = pt
		} else {
			pts = append(pts, pt)
		}
	}
	return pts
}

// niceStep picks a tick step of 1, 2 or 5 times a power of ten so that
// span is covered by about n ticks.
func niceStep(span float64, n int) float64 {
	raw := span / float64(n)
	step := 1.0
	for step*10 <= raw {
		step *= 10
	}
	for _, m := range []float64{1, 2, 5, 10} {
		if step*m >= raw {
			return step * m
		}
	}
	return step * 10
}

// niceDuration picks a round time step covering end in about n ticks.
func niceDuration(end time.Duration, n int) time.Duration {
	steps := []time.Duration{time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
		time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
		time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour}
	for _, s := range steps {
		if end/s <= time.Duration(n) {
			return s
		}
	}
	return end / time.Duration(n)
}

// shortDuration renders 90s as "1m30s", 2h as "2h".
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// eventMark is the scripted events of one instant, as text.
type eventMark struct {
	at    time.Duration
	texts []string
}

// eventMarks groups evs by instant, in time order, up to end.
func eventMarks(evs []Event, end time.Duration) []eventMark {
	sorted := slices.Clone(evs)
	slices.SortStableFunc(sorted, func(a, b Event) int { return cmp.Compare(a.At, b.At) })
	var marks []eventMark
	for _, ev := range sorted {
		if ev.At > end {
			break
		}
		text := ev.String()
		if n := len(marks); n > 0 && marks[n-1].at == ev.At {
			marks[n-1].texts = append(marks[n-1].texts, text)
			continue
		}
		marks = append(marks, eventMark{at: ev.At, texts: []string{text}})
	}
	return marks
}
