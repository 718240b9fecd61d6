package simulate_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/daemonkit/daemonkit/simulate"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Every input error of simulate is an *InputError whose problems are
// *field.Errors, reachable with errors.As.
func TestInputErrorFromEveryEntryPoint(t *testing.T) {
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n"}}
	ds := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "a", Namespace: "ns"}}
	c, err := simulate.NewCluster([]*corev1.Node{node}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		run       func() error
		wantType  field.ErrorType
		wantField string
		wantMsg   string
	}{
		{"NewCluster", func() error { _, err := simulate.NewCluster([]*corev1.Node{node, node}, nil); return err },
			field.ErrorTypeDuplicate, "nodes[1].metadata.name", `invalid cluster: nodes[1].metadata.name: Duplicate value: "n (also nodes[0])"`},
		{"LoadCluster", func() error {
			_, err := simulate.LoadCluster(simulate.ClusterFile{Name: "n.yaml", Data: []byte("apiVersion: v1\nkind: Node\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Node\nmetadata: {name: a}\n")})
			return err
		}, field.ErrorTypeDuplicate, "", `load cluster: n.yaml: document 2 (line 5): duplicate node "a" (first at n.yaml: document 1 (line 1))`},
		{"WithNamespaces", func() error { _, err := c.WithNamespaces(nil); return err },
			field.ErrorTypeRequired, "namespaces[0]", "invalid cluster: namespaces[0]: Required value: nil Namespace"},
		{"Place nil cluster", func() error { _, err := simulate.Place(nil, ds); return err },
			field.ErrorTypeRequired, "cluster", "place: cluster: Required value: nil cluster"},
		{"Place twice the same DaemonSet", func() error { _, err := simulate.Place(c, ds, ds); return err },
			field.ErrorTypeDuplicate, "daemonsets[1]", `place: daemonsets[1]: Duplicate value: "ns/a": daemonsets[0] is ns/a too`},
		{"Rollout", func() error { _, err := simulate.Rollout(context.Background(), simulate.Scenario{}); return err },
			field.ErrorTypeRequired, "scenario.to", "scenario.to: Required value: the DaemonSet to roll out is required"},
		{"BuildCluster", func() error { _, err := simulate.BuildCluster(nil); return err },
			field.ErrorTypeRequired, "pools[0]", "build cluster: pools[0]: Required value: nil node pool"},
		{"ShapeByName", func() error { _, err := simulate.ShapeByName("huge", 1); return err },
			field.ErrorTypeNotSupported, "", `unknown cluster shape "huge" (known: [dev large-5k large-65k mixed])`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			var ierr *simulate.InputError
			if !errors.As(err, &ierr) {
				t.Fatalf("error %v (%T) is not an *InputError", err, err)
			}
			if err.Error() != tc.wantMsg {
				t.Errorf("message\n got %s\nwant %s", err, tc.wantMsg)
			}
			var fe *field.Error
			if !errors.As(err, &fe) || fe.Type != tc.wantType || fe.Field != tc.wantField {
				t.Errorf("first problem %#v, want type %s at %q", fe, tc.wantType, tc.wantField)
			}
		})
	}
}

func ExampleInputError() {
	_, err := simulate.Rollout(context.Background(), simulate.Scenario{
		To:     &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "agent"}},
		Events: []simulate.Event{simulate.NodeNotReady(0, "ghost")},
	})
	var ierr *simulate.InputError
	if errors.As(err, &ierr) {
		for _, fe := range ierr.Errs {
			if fe.Type == field.ErrorTypeNotFound {
				fmt.Println(fe.Field, fe.BadValue)
			}
		}
	}
	// Output: scenario.events[0].node ghost
}
