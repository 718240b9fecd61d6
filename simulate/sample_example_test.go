package simulate_test

import (
	"context"
	"fmt"
	"time"

	"github.com/daemonkit/daemonkit/simulate"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// probed is the agent with a readiness probe (first counted probe 10 s
// after start, every 10 s).
func probed(image string, maxUnavailable intstr.IntOrString) *appsv1.DaemonSet {
	ds := exampleDS(image, maxUnavailable)
	ds.Spec.Template.Spec.Containers[0].ReadinessProbe = &corev1.Probe{
		ProbeHandler:        corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/ready", Port: intstr.FromInt32(8080)}},
		InitialDelaySeconds: 10, PeriodSeconds: 10,
	}
	return ds
}

// The startup of a pod from its template: the 1.1 image is pulled (20 s),
// the container starts (2 s) and the application is up 5 s later, but the
// readiness probe first counts 10 s after the start: Ready after 32 s.
func ExampleStartupModel() {
	m := &simulate.StartupModel{Pull: simulate.Fixed(20 * time.Second), ContainerStart: simulate.Fixed(2 * time.Second),
		AppReady: simulate.Fixed(5 * time.Second)}
	res, err := simulate.Rollout(context.Background(), simulate.Scenario{
		Cluster: exampleNodes(4),
		From:    probed("agent:1.0", intstr.FromInt32(2)),
		To:      probed("agent:1.1", intstr.FromInt32(2)),
		Kubelet: simulate.KubeletModel{StartupModel: m},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("every node available after", *res.Summary.AllAvailable)
	// Output:
	// every node available after 1m4s
}

// 200 rollouts of 100 nodes with random pulls, starts and application
// startup, each in its own random node order.
func ExampleSample() {
	m := simulate.DefaultStartupModel()
	res, err := simulate.Sample(context.Background(), simulate.Scenario{
		Cluster: exampleNodes(100),
		From:    probed("agent:1.0", intstr.FromString("10%")),
		To:      probed("agent:1.1", intstr.FromString("10%")),
		Kubelet: simulate.KubeletModel{StartupModel: &m},
		Order:   simulate.Order{Seed: 42},
	}, 200)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range []float64{50, 90, 99} {
		d, _ := res.Available.Percentile(p)
		fmt.Printf("P%v: %v\n", p, d)
	}
	fmt.Printf("stall probability %.0f%%, lowest availability %d of %d\n", 100*res.StallProbability(), res.LowestAvailable[0], res.Desired)
	// Output:
	// P50: 7m46s
	// P90: 8m5s
	// P99: 8m15s
	// stall probability 0%, lowest availability 90 of 100
}

// The smallest maxUnavailable that rolls 100 nodes out within 10 minutes at
// P90 while 90% of them stay available.
func ExampleRecommend() {
	m := simulate.DefaultStartupModel()
	rec, err := simulate.Recommend(context.Background(), simulate.Scenario{
		Cluster: exampleNodes(100),
		From:    probed("agent:1.0", intstr.FromInt32(1)),
		To:      probed("agent:1.1", intstr.FromInt32(1)),
		Kubelet: simulate.KubeletModel{StartupModel: &m},
	}, simulate.Goal{Target: 10 * time.Minute, MinAvailable: 0.9, Runs: 50})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("met:", rec.Met, "maxUnavailable:", rec.Strategy.RollingUpdate.MaxUnavailable.String(), "P50:", rec.P50, "P90:", rec.P90)
	// Output:
	// met: true maxUnavailable: 8 P50: 9m33s P90: 9m54s
}
