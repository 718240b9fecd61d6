package daemonset_test

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/daemonkit/daemonkit/daemonset"
)

// SetDefaults fills in what the API server would store for a minimal
// DaemonSet: the rolling-update budget, history limit and the pod template's
// defaults. hostPort stays 0 under hostNetwork: that default applies to Pods,
// not templates.
func ExampleSetDefaults() {
	ds := &appsv1.DaemonSet{Spec: appsv1.DaemonSetSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
		HostNetwork: true,
		Containers: []corev1.Container{{
			Name:  "node-exporter",
			Image: "quay.io/prometheus/node-exporter:v1.8.2",
			Ports: []corev1.ContainerPort{{ContainerPort: 9100}},
		}},
		Volumes: []corev1.Volume{{Name: "scratch"}},
	}}}}
	daemonset.SetDefaults(ds)

	s := ds.Spec
	c := s.Template.Spec.Containers[0]
	fmt.Println("strategy:", s.UpdateStrategy.Type, "maxUnavailable:", s.UpdateStrategy.RollingUpdate.MaxUnavailable,
		"maxSurge:", s.UpdateStrategy.RollingUpdate.MaxSurge)
	fmt.Println("revisionHistoryLimit:", *s.RevisionHistoryLimit)
	fmt.Println("dnsPolicy:", s.Template.Spec.DNSPolicy, "restartPolicy:", s.Template.Spec.RestartPolicy,
		"schedulerName:", s.Template.Spec.SchedulerName, "grace:", *s.Template.Spec.TerminationGracePeriodSeconds)
	fmt.Println("imagePullPolicy:", c.ImagePullPolicy, "terminationMessage:", c.TerminationMessagePath, c.TerminationMessagePolicy)
	fmt.Println("port:", c.Ports[0].ContainerPort, c.Ports[0].Protocol, "hostPort:", c.Ports[0].HostPort)
	fmt.Println("scratch volume emptyDir:", s.Template.Spec.Volumes[0].EmptyDir != nil)
	// Output:
	// strategy: RollingUpdate maxUnavailable: 1 maxSurge: 0
	// revisionHistoryLimit: 10
	// dnsPolicy: ClusterFirst restartPolicy: Always schedulerName: default-scheduler grace: 30
	// imagePullPolicy: IfNotPresent terminationMessage: /dev/termination-log File
	// port: 9100 TCP hostPort: 0
	// scratch volume emptyDir: true
}

// DefaultPullPolicy: Always for "latest" or no tag and no digest, IfNotPresent
// otherwise, including references that do not parse.
func ExampleDefaultPullPolicy() {
	for _, image := range []string{
		"nginx",
		"nginx:latest",
		"nginx:1.27",
		"registry:5000/nginx",
		"nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"Nginx",
	} {
		fmt.Printf("%-22.22s %s\n", image, daemonset.DefaultPullPolicy(image))
	}
	// Output:
	// nginx                  Always
	// nginx:latest           Always
	// nginx:1.27             IfNotPresent
	// registry:5000/nginx    Always
	// nginx@sha256:012345678 IfNotPresent
	// Nginx                  IfNotPresent
}
