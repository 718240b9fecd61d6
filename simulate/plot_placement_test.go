package simulate_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/daemonkit/daemonkit/internal/goldentest"
	"github.com/daemonkit/daemonkit/simulate"
	"github.com/daemonkit/daemonkit/simulate/simtest"
	appsv1 "k8s.io/api/apps/v1"
	"pgregory.net/rapid"
)

// svgStats parses an SVG and counts its node cells (rect with a title) and
// reads its height.
func svgStats(t interface {
	Helper()
	Fatalf(string, ...any)
}, b []byte) (cells, height int) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	inCell := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return cells, height
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
		if ee, ok := tok.(xml.EndElement); ok && ee.Name.Local == "rect" {
			inCell = false
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if se.Name.Local == "title" && inCell {
			cells++ // a coloured cell with its tooltip (not a legend swatch)
		}
		for _, a := range se.Attr {
			switch {
			case se.Name.Local == "svg" && a.Name.Local == "height":
				height, _ = strconv.Atoi(a.Value)
			case se.Name.Local == "rect" && a.Name.Local == "class" && strings.HasPrefix(a.Value, "c"):
				_, err := strconv.Atoi(a.Value[1:])
				inCell = err == nil
			}
		}
	}
}

func placementSVG(t *testing.T, c *simulate.Cluster, opts simulate.PlacementPlotOptions, dss ...string) []byte {
	t.Helper()
	var in []*appsv1.DaemonSet
	for _, name := range dss {
		in = append(in, exampleDaemonSet(name, "200m"))
	}
	p, err := simulate.Place(c, in...)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := simulate.WritePlacementSVG(&b, c, p, opts); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestPlacementSVGGolden pins the picture of two DaemonSets on the mixed
// production shape (control plane, general, small, GPU and Windows pools).
func TestPlacementSVGGolden(t *testing.T) {
	c, err := simulate.MixedCluster(1)
	if err != nil {
		t.Fatal(err)
	}
	got := placementSVG(t, c, simulate.PlacementPlotOptions{}, "node-exporter", "fluent-bit")
	if cells, _ := svgStats(t, got); cells != 2*c.NumNodes() {
		t.Errorf("%d cells, want %d", cells, 2*c.NumNodes())
	}
	goldentest.Check(t, "placement_mixed.svg", string(got))
}

// TestPlacementSVGLarge: 5,000 nodes stay one readable picture (small
// cells, pools wrapping), every node drawn once with its tooltip, the same
// bytes whatever the run.
func TestPlacementSVGLarge(t *testing.T) {
	c, err := simulate.LargeCluster(5000, 1)
	if err != nil {
		t.Fatal(err)
	}
	got := placementSVG(t, c, simulate.PlacementPlotOptions{}, "node-exporter")
	cells, height := svgStats(t, got)
	if cells != 5000 {
		t.Errorf("%d cells, want 5000", cells)
	}
	if height > 1400 {
		t.Errorf("height %d px for 5,000 nodes at 960 px wide; want a screen or two (<= 1400)", height)
	}
	if again := placementSVG(t, c, simulate.PlacementPlotOptions{}, "node-exporter"); !bytes.Equal(got, again) {
		t.Error("two runs differ")
	}
}

// TestPlacementSVGPoolLabels: a chosen label groups the nodes; nodes
// without it form one pool, drawn last.
func TestPlacementSVGPoolLabels(t *testing.T) {
	c, err := simulate.BuildCluster(
		simulate.NewNodePool("a", 2).Label("team", "blue"),
		simulate.NewNodePool("b", 1).Label("team", "red"),
		simulate.NewNodePool("c", 1),
	)
	if err != nil {
		t.Fatal(err)
	}
	got := string(placementSVG(t, c, simulate.PlacementPlotOptions{PoolLabels: []string{"team"}, Title: "by team"}, "agent"))
	var heads []string
	for _, part := range strings.Split(got, `<g class="pool"><text `)[1:] {
		_, rest, _ := strings.Cut(part, ">")
		head, _, _ := strings.Cut(rest, "<")
		heads = append(heads, head)
	}
	want := []string{"team=blue · 2 nodes: 2 Runs", "team=red · 1 node: 1 Runs", "no team · 1 node: 1 Runs"}
	if strings.Join(heads, "|") != strings.Join(want, "|") {
		t.Errorf("pools %q, want %q", heads, want)
	}
	if !strings.Contains(got, "<title>by team</title>") {
		t.Error("title not used")
	}
}

func TestPlacementSVGErrors(t *testing.T) {
	c, _ := simulate.BuildCluster(simulate.NewNodePool("a", 1))
	p, _ := simulate.Place(c)
	for name, f := range map[string]func() error{
		"nil cluster":   func() error { return simulate.WritePlacementSVG(io.Discard, nil, p, simulate.PlacementPlotOptions{}) },
		"nil placement": func() error { return simulate.WritePlacementSVG(io.Discard, c, nil, simulate.PlacementPlotOptions{}) },
		"narrow": func() error {
			return simulate.WritePlacementSVG(io.Discard, c, p, simulate.PlacementPlotOptions{Width: 100})
		},
	} {
		if err := f(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// The picture of any placement is well-formed SVG with one cell per node
// and DaemonSet, whose classes are the nodes' states (Runs cells for Runs
// nodes, and so on), whatever labels pick the pools; and it is the same
// bytes the second time.
func TestPlacementSVGProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := simtest.Cluster(0, 12).Draw(t, "cluster")
		var dss []*appsv1.DaemonSet
		for i := range rapid.IntRange(0, 3).Draw(t, "daemonSets") {
			dss = append(dss, simtest.DaemonSet(string(rune('a'+i)), nodeNames(c)...).Draw(t, "ds"))
		}
		p, err := simulate.Place(c, dss...)
		if err != nil {
			t.Skip(err) // e.g. the same name twice
		}
		opts := simulate.PlacementPlotOptions{PoolLabels: rapid.SliceOfN(simtest.LabelKey(), 0, 2).Draw(t, "poolLabels")}
		var b bytes.Buffer
		if err := simulate.WritePlacementSVG(&b, c, p, opts); err != nil {
			t.Fatal(err)
		}
		cells, _ := svgStats(t, b.Bytes())
		if want := len(dss) * c.NumNodes(); cells != want {
			t.Fatalf("%d cells, want %d", cells, want)
		}
		runs, pending := 0, 0
		for _, d := range p.DaemonSets {
			n := d.Counts()
			runs, pending = runs+n.Runs, pending+n.Pending
		}
		got := b.String()
		if k := strings.Count(got, `class="c0"><title>`) + strings.Count(got, `class="c1"><title>`); k != runs {
			t.Fatalf("%d Runs cells, want %d", k, runs)
		}
		if k := strings.Count(got, `class="c2"><title>`); k != pending {
			t.Fatalf("%d Pending cells, want %d", k, pending)
		}
		var again bytes.Buffer
		if err := simulate.WritePlacementSVG(&again, c, p, opts); err != nil || !bytes.Equal(b.Bytes(), again.Bytes()) {
			t.Fatal("not deterministic")
		}
	})
}
