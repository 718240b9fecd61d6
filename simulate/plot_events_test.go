package simulate

import (
	"bytes"
	"context"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Scripted events are markers on the chart, the events of one instant in
// one tooltip, in ParseEvent's text form; events after the run are left out.
func TestWriteSVGMarksEvents(t *testing.T) {
	s := update(testCluster(6), maxUnavailable(intstr.FromInt32(1)), 10*time.Second)
	s.Events = []Event{
		Tainted(20*time.Second, "n03", corev1.Taint{Key: "dedicated", Value: "x", Effect: corev1.TaintEffectNoExecute}),
		NodeNotReady(5*time.Second, "n01"),
		NodeRemoved(20*time.Second, "n05"),
		Labeled(1000*time.Hour, "n02", "zone", "b"), // after the end
	}
	r, err := Rollout(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteSVG(&b, r, PlotOptions{Events: s.Events}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Groups []struct {
			ID     string `xml:"id,attr"`
			Events []struct {
				Title string `xml:"title"`
				Text  string `xml:"text"`
			} `xml:"g"`
		} `xml:"g"`
	}
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("not XML: %v", err)
	}
	var got []string
	for _, g := range doc.Groups {
		if g.ID == "events" {
			for _, ev := range g.Events {
				got = append(got, ev.Title+" | "+ev.Text)
			}
		}
	}
	want := []string{
		"t=5s notready n01 | t=5s notready n01",
		"t=20s taint n03 dedicated=x:NoExecute\nt=20s remove n05 | t=20s taint n03 dedicated=x:NoExecute (+1)",
	}
	if strings.Join(got, "\n\n") != strings.Join(want, "\n\n") {
		t.Errorf("event markers\n%q\nwant\n%q", got, want)
	}
	// every text is one ParseEvent reads back
	for _, ev := range s.Events {
		back, err := ParseEvent(testCluster(6), ev.String())
		if err != nil || back.At != ev.At || back.Kind != ev.Kind || back.Node != ev.Node {
			t.Errorf("%q reads back as %+v, %v", ev.String(), back, err)
		}
	}
}
