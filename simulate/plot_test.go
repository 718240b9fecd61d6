package simulate

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/intstr"
)

// svgDoc is the part of an SVG the plot tests read back.
type svgDoc struct {
	XMLName   xml.Name  `xml:"svg"`
	Title     string    `xml:"title"`
	Rects     []svgRect `xml:"rect"`
	Polylines []struct {
		ID     string `xml:"id,attr"`
		Points string `xml:"points,attr"`
	} `xml:"polyline"`
	Texts []struct {
		ID   string `xml:"id,attr"`
		Text string `xml:",chardata"`
	} `xml:"text"`
}

type svgRect struct {
	XMLName xml.Name `xml:"rect"`
	ID      string   `xml:"id,attr"`
	Title   string   `xml:"title"`
}

func plotRollout(t *testing.T, s Scenario) (*Result, svgDoc, []byte) {
	t.Helper()
	r, err := Rollout(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteSVG(&b, r, PlotOptions{}); err != nil {
		t.Fatal(err)
	}
	var doc svgDoc
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("SVG is not well-formed XML: %v\n%s", err, b.String())
	}
	return r, doc, b.Bytes()
}

func TestWriteSVGShowsSeriesBudgetAndTitle(t *testing.T) {
	s := Scenario{Cluster: testCluster(10), From: rolloutDS("agent:1", maxUnavailable(intstr.FromString("25%"))),
		To: rolloutDS("agent:2", maxUnavailable(intstr.FromString("25%"))), Kubelet: KubeletModel{Startup: 10 * time.Second}}
	r, doc, _ := plotRollout(t, s)
	if doc.Title != "default/ds rollout" {
		t.Errorf("title = %q", doc.Title)
	}
	lines := map[string][]string{}
	for _, pl := range doc.Polylines {
		lines[pl.ID] = strings.Fields(pl.Points)
	}
	for _, id := range []string{"desired", "updated", "available", "unavailable", "budget"} {
		if len(lines[id]) < 2 {
			t.Errorf("series %q missing or empty: %v", id, lines[id])
		}
	}
	// The budget line sits at maxUnavailable = ceil(25% of 10) = 3 and the
	// unavailable line never rises above it in this healthy rollout: same y
	// or lower on screen means >= in SVG coordinates.
	budgetY := yOf(t, lines["budget"][0])
	for _, p := range lines["unavailable"] {
		if yOf(t, p) < budgetY {
			t.Errorf("unavailable point %s above the budget line y=%v", p, budgetY)
		}
	}
	for _, rect := range doc.Rects {
		if rect.ID == "stall" {
			t.Errorf("healthy rollout drawn as stuck")
		}
	}
	if r.Summary.Stuck {
		t.Fatal("scenario unexpectedly stuck")
	}
}

func TestWriteSVGMarksStall(t *testing.T) {
	s := Scenario{Cluster: testCluster(5), From: rolloutDS("agent:1", nil), To: rolloutDS("agent:2", nil),
		Kubelet: KubeletModel{Startup: 5 * time.Second, Broken: []string{"n00"}}, Limits: Limits{MaxTime: 10 * time.Minute}}
	r, doc, _ := plotRollout(t, s)
	if !r.Summary.Stuck {
		t.Fatal("rollout with a broken node should be stuck")
	}
	found := false
	for _, rect := range doc.Rects {
		if rect.ID == "stall" {
			found = true
			if !strings.Contains(rect.Title, "stuck") {
				t.Errorf("stall band title %q does not say why", rect.Title)
			}
		}
	}
	if !found {
		t.Errorf("no stall band in the SVG")
	}
}

func TestWriteSVGIsDeterministic(t *testing.T) {
	s := Scenario{Cluster: testCluster(6), From: rolloutDS("agent:1", nil), To: rolloutDS("agent:2", nil),
		Kubelet: KubeletModel{Startup: 3 * time.Second}}
	_, _, a := plotRollout(t, s)
	_, _, b := plotRollout(t, s)
	if !bytes.Equal(a, b) {
		t.Error("same rollout gave different SVG bytes")
	}
}

func TestWriteSVGRejectsBadInput(t *testing.T) {
	if err := WriteSVG(&bytes.Buffer{}, nil, PlotOptions{}); err == nil {
		t.Error("nil result accepted")
	}
	if err := WriteSVG(&bytes.Buffer{}, &Result{}, PlotOptions{Width: 50, Height: 50}); err == nil {
		t.Error("tiny size accepted")
	}
	// An empty result still draws axes.
	var b bytes.Buffer
	if err := WriteSVG(&b, &Result{}, PlotOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(b.Bytes(), &svgDoc{}); err != nil {
		t.Errorf("empty result SVG not well-formed: %v", err)
	}
}

func yOf(t *testing.T, point string) float64 {
	t.Helper()
	_, ys, ok := strings.Cut(point, ",")
	if !ok {
		t.Fatalf("bad point %q", point)
	}
	var y float64
	if _, err := fmt.Sscan(ys, &y); err != nil {
		t.Fatalf("bad point %q: %v", point, err)
	}
	return y
}

// TestWriteSVGDrawsTheSampleBand: with PlotOptions.Band the chart holds the
// P10-P90 polygon of "updated" (P90 along the top, P10 back along the
// bottom), its dotted P50 and a legend entry; the time axis covers the band.
func TestWriteSVGDrawsTheSampleBand(t *testing.T) {
	s := sampleScenario(20, intstr.FromInt32(4), false)
	res, err := Sample(context.Background(), s, 30)
	if err != nil {
		t.Fatal(err)
	}
	one := s
	one.Order = Order{Kind: OrderRandom, Seed: res.Seeds[res.MedianRun]}
	r := mustRollout(t, one)
	var b bytes.Buffer
	if err := WriteSVG(&b, r, PlotOptions{Band: res.Band}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Polygons []struct {
			ID     string `xml:"id,attr"`
			Points string `xml:"points,attr"`
		} `xml:"polygon"`
		Polylines []struct {
			ID string `xml:"id,attr"`
		} `xml:"polyline"`
	}
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Polygons) != 1 || doc.Polygons[0].ID != "updated-band" || len(strings.Fields(doc.Polygons[0].Points)) != 2*len(res.Band) {
		t.Fatalf("band polygon: %+v (band of %d points)", doc.Polygons, len(res.Band))
	}
	found := false
	for _, p := range doc.Polylines {
		found = found || p.ID == "updated-p50"
	}
	if !found || !strings.Contains(b.String(), "updated, P10-P90 of the runs") {
		t.Error("no P50 line or legend entry")
	}
	var plain bytes.Buffer
	if err := WriteSVG(&plain, r, PlotOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "<polygon") {
		t.Error("a band without PlotOptions.Band")
	}
}
