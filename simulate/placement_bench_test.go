//go:build unix

package simulate_test

import (
	"fmt"
	"runtime"
	"sync"
	"syscall"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/daemonkit/daemonkit/simulate"
)

var (
	largeOnce     sync.Once
	large5k       *simulate.Cluster
	large65k      *simulate.Cluster
	largeBuildErr error
)

func largeClusters(b *testing.B) (*simulate.Cluster, *simulate.Cluster) {
	b.Helper()
	largeOnce.Do(func() {
		large5k, largeBuildErr = simulate.LargeCluster(simulate.Large5K, 1)
		if largeBuildErr == nil {
			large65k, largeBuildErr = simulate.LargeCluster(simulate.Large65K, 1)
		}
	})
	if largeBuildErr != nil {
		b.Fatal(largeBuildErr)
	}
	return large5k, large65k
}

// benchDaemonSet is a typical node agent: linux-only selector, hostNetwork
// port, a NoSchedule toleration for the GPU pool.
func benchDaemonSet() *appsv1.DaemonSet {
	return ds("node-exporter", requests("100m", "128Mi"), tolerate("nvidia.com/gpu", corev1.TaintEffectNoSchedule), func(s *corev1.PodSpec) {
		s.NodeSelector = map[string]string{corev1.LabelOSStable: "linux"}
		s.HostNetwork = true
		s.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 9100}}
	})
}

// BenchmarkPlace is one DaemonSet over 5,000 and 65,000 nodes, both stages.
// Reports ns/node and B/node (bytes allocated per node by Place).
func BenchmarkPlace(b *testing.B) {
	c5, c65 := largeClusters(b)
	for _, c := range []*simulate.Cluster{c5, c65} {
		b.Run(fmt.Sprintf("nodes=%d", len(c.Nodes())), func(b *testing.B) {
			d := benchDaemonSet()
			b.ReportAllocs()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			before := ms.TotalAlloc
			cpuBefore := processCPU()
			for b.Loop() {
				if _, err := simulate.Place(c, d); err != nil {
					b.Fatal(err)
				}
			}
			cpu := processCPU() - cpuBefore
			runtime.ReadMemStats(&ms)
			n := float64(len(c.Nodes()))
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/node")
			b.ReportMetric(float64(ms.TotalAlloc-before)/float64(b.N)/n, "B/node")
			// CPU time of the whole process (GC included) per Place: the
			// figure that holds on a shared, oversubscribed machine.
			b.ReportMetric(float64(cpu)/float64(b.N)/1e6, "cpu-ms/op")
		})
	}
}

// BenchmarkPlacePreempting is one system-node-critical DaemonSet asking 2
// cpu over the 65,000-node LargeCluster: on the nodes whose workload pod
// leaves less, the scheduler stage preempts it (SelectVictimsOnNode).
func BenchmarkPlacePreempting(b *testing.B) {
	_, c65 := largeClusters(b)
	d := ds("critical-agent", requests("2", "128Mi"), func(s *corev1.PodSpec) { s.PriorityClassName = "system-node-critical" })
	b.ReportAllocs()
	preempting := 0
	for b.Loop() {
		p, err := simulate.Place(c65, d)
		if err != nil {
			b.Fatal(err)
		}
		preempting = 0
		for _, n := range p.DaemonSets[0].Nodes {
			if len(n.Preempts) > 0 {
				preempting++
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(c65.NumNodes()), "ns/node")
	b.ReportMetric(float64(preempting), "preempting-nodes")
}

// BenchmarkPlaceSet is three DaemonSets competing for room on 5,000 nodes.
func BenchmarkPlaceSet(b *testing.B) {
	c5, _ := largeClusters(b)
	dss := []*appsv1.DaemonSet{benchDaemonSet(), ds("fluent-bit", requests("200m", "256Mi")), ds("cilium", hostPort(4240))}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := simulate.Place(c5, dss...); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewCluster indexes a 5,000-node cluster (done once per Cluster).
func BenchmarkNewCluster(b *testing.B) {
	c5, _ := largeClusters(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := simulate.NewCluster(c5.Nodes(), c5.Pods()); err != nil {
			b.Fatal(err)
		}
	}
}

// processCPU is the user+system CPU time of the process so far, in ns.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkPlaceNamespaceSelector is a DaemonSet whose required
// anti-affinity selects pods by a namespace label (team=infra) over 5,000
// nodes, with the namespaces known by name only and with 1,000 Namespaces
// given (every other one labelled team=infra): the cost of reading their
// labels.
func BenchmarkPlaceNamespaceSelector(b *testing.B) {
	c5, _ := largeClusters(b)
	seen := map[string]bool{}
	var nss []*corev1.Namespace
	add := func(name string) {
		if !seen[name] {
			seen[name] = true
			team := "web"
			if len(nss)%2 == 0 {
				team = "infra"
			}
			nss = append(nss, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"team": team}}})
		}
	}
	for _, p := range c5.Pods() {
		add(p.Namespace)
	}
	for i := 0; len(nss) < 1000; i++ {
		add(fmt.Sprintf("tenant-%d", i))
	}
	given, err := c5.WithNamespaces(nss...)
	if err != nil {
		b.Fatal(err)
	}
	d := benchDaemonSet()
	d.Spec.Template.Spec.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{
		TopologyKey: corev1.LabelHostname, LabelSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "app", Operator: metav1.LabelSelectorOpExists}}},
		NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": "infra"}}}}}}
	for _, c := range []struct {
		name string
		c    *simulate.Cluster
	}{{"by-name", c5}, {"namespaces=1000", given}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := simulate.Place(c.c, d); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(c.c.NumNodes()), "ns/node")
		})
	}
}
