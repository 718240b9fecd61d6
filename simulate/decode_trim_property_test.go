package simulate_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"pgregory.net/rapid"

	"github.com/daemonkit/daemonkit/daemonset"
	"github.com/daemonkit/daemonkit/simulate"
	"github.com/daemonkit/daemonkit/simulate/simtest"
)

// What daemonset.Decode drops of the Pods of a dump (managedFields, image
// and container IDs, and the volumes, commands, environment, mounts and
// probes of pods another kind of controller owns) changes no placement:
// Place on a cluster of the decoded pods answers exactly as on the pods
// themselves, whatever their owners.
func TestProperty_DecodeTrimChangesNoPlacement(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		nodes := simtest.Nodes(1, 6).Draw(t, "nodes")
		names := make([]string, len(nodes))
		for i, n := range nodes {
			names[i] = n.Name
		}
		var dss []*appsv1.DaemonSet
		for i := range rapid.IntRange(1, 2).Draw(t, "dsCount") {
			ds := simtest.DaemonSet(string(rune('a'+i)), names...).Draw(t, "ds")
			ds.UID = types.UID(fmt.Sprintf("uid-%c", 'a'+i))
			dss = append(dss, ds)
		}
		var pods []*corev1.Pod
		for i := range rapid.IntRange(0, 3*len(nodes)).Draw(t, "podCount") {
			p := simtest.Pod(fmt.Sprintf("pod-%d", i), names...).Draw(t, "pod")
			decoratePod(t, p, dss)
			pods = append(pods, p)
		}
		want := placeOn(t, nodes, pods, dss)
		got := placeOn(t, nodes, decodePods(t, pods), dss)
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("placement on decoded pods differs:\nwant %+v\n got %+v", want, got)
		}
	})
}

// decoratePod gives p an owner (none, a ReplicaSet, one of dss), the
// labels of a DaemonSet's pods sometimes, and the fields Decode may drop.
func decoratePod(t *rapid.T, p *corev1.Pod, dss []*appsv1.DaemonSet) {
	yes := true
	switch rapid.IntRange(0, 3).Draw(t, "owner") {
	case 1:
		p.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web", UID: "uid-rs", Controller: &yes}}
	case 2:
		ds := dss[rapid.IntRange(0, len(dss)-1).Draw(t, "ds")]
		p.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "DaemonSet", Name: ds.Name, UID: ds.UID, Controller: &yes}}
	}
	if rapid.Bool().Draw(t, "dsLabels") {
		p.Labels = map[string]string{"app": dss[0].Name}
	}
	p.ManagedFields = []metav1.ManagedFieldsEntry{{Manager: "kubelet", Operation: metav1.ManagedFieldsOperationUpdate}}
	mode := int32(420)
	p.Spec.Volumes = []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
		{Name: "cfg", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "cfg"}, DefaultMode: &mode}}}}
	probe := &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromInt32(8080)}},
		PeriodSeconds: rapid.Int32Range(1, 20).Draw(t, "period")}
	for i := range p.Spec.Containers {
		c := &p.Spec.Containers[i]
		c.Command, c.Args = []string{"/bin/app"}, []string{"--v=2"}
		c.Env = []corev1.EnvVar{{Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}}}
		c.VolumeMounts = []corev1.VolumeMount{{Name: "data", MountPath: "/data"}}
		c.ReadinessProbe, c.LivenessProbe = probe, probe
		p.Status.ContainerStatuses = append(p.Status.ContainerStatuses, corev1.ContainerStatus{Name: c.Name, Image: c.Image,
			ImageID: c.Image + "@sha256:00", ContainerID: "containerd://" + p.Name, Ready: rapid.Bool().Draw(t, "ready")})
	}
}

func decodePods(t *rapid.T, pods []*corev1.Pod) []*corev1.Pod {
	items := make([]any, len(pods))
	for i, p := range pods {
		items[i] = p
	}
	data, err := json.Marshal(map[string]any{"apiVersion": "v1", "kind": "List", "items": items})
	if err != nil {
		t.Fatal(err)
	}
	objs, err := daemonset.Decode("pods.json", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(objs.Pods) != len(pods) {
		t.Fatalf("decoded %d pods of %d", len(objs.Pods), len(pods))
	}
	return objs.Pods
}

func placeOn(t *rapid.T, nodes []*corev1.Node, pods []*corev1.Pod, dss []*appsv1.DaemonSet) *simulate.Placement {
	c, err := simulate.NewCluster(nodes, pods)
	if err != nil {
		t.Fatal(err)
	}
	return mustPlace(t, c, dss...)
}
