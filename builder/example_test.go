package builder_test

import (
	"errors"
	"fmt"

	"github.com/daemonkit/daemonkit/builder"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// A node-metrics agent: read-only host mounts, the host PID namespace (with
// its reason), Linux nodes only, 10% of the nodes updated at a time.
func ExampleNew() {
	ds, err := builder.New("node-metrics").
		Namespace("monitoring").
		Container("agent", "example.com/node-metrics:1.4.2",
			builder.Args("--path.procfs=/host/proc"),
			builder.Port("metrics", 9100),
			builder.Requests("50m", "64Mi"),
			builder.Limits("", "128Mi"),
			builder.Readiness(builder.HTTPGet("/healthz", builder.PortName("metrics"))),
			builder.HostPath("proc", "/proc", "/host/proc"),
			builder.ReadOnlyRootFilesystem(),
			builder.DropAllCapabilities()).
		HostPID("reads per-process metrics from the node's /proc").
		NodeSelector("kubernetes.io/os", "linux").
		TolerateAll().
		RollingUpdate(builder.Percent(10)).
		Build()
	if err != nil {
		fmt.Println(err)
		return
	}
	out, _ := yaml.Marshal(ds.Spec)
	fmt.Print(string(out))
	// Output:
	// selector:
	//   matchLabels:
	//     app.kubernetes.io/name: node-metrics
	// template:
	//   metadata:
	//     annotations:
	//       daemonkit.io/privileges: '[{"privilege":"hostPID","container":"","reason":"reads
	//         per-process metrics from the node''s /proc"}]'
	//     labels:
	//       app.kubernetes.io/name: node-metrics
	//   spec:
	//     containers:
	//     - args:
	//       - --path.procfs=/host/proc
	//       image: example.com/node-metrics:1.4.2
	//       name: agent
	//       ports:
	//       - containerPort: 9100
	//         name: metrics
	//       readinessProbe:
	//         httpGet:
	//           path: /healthz
	//           port: metrics
	//       resources:
	//         limits:
	//           memory: 128Mi
	//         requests:
	//           cpu: 50m
	//           memory: 64Mi
	//       securityContext:
	//         capabilities:
	//           drop:
	//           - ALL
	//         readOnlyRootFilesystem: true
	//       volumeMounts:
	//       - mountPath: /host/proc
	//         name: proc
	//         readOnly: true
	//     hostPID: true
	//     nodeSelector:
	//       kubernetes.io/os: linux
	//     tolerations:
	//     - operator: Exists
	//     volumes:
	//     - hostPath:
	//         path: /proc
	//       name: proc
	// updateStrategy:
	//   rollingUpdate:
	//     maxUnavailable: 10%
	//   type: RollingUpdate
}

// Build reports every problem at once, each at its field path.
func ExampleDaemonSet_Build() {
	_, err := builder.New("cni").
		Container("agent", "example.com/cni:2.0",
			builder.Requests("100m", "128MB "),
			builder.AddCapability("NET_ADMIN", ""),
			builder.HostPath("cni-bin", "/opt/cni/bin", "/host/opt/cni/bin", builder.Writable(""))).
		HostNetwork("the CNI agent programs the node's network").
		Surge(builder.Count(0)).
		Build()
	fmt.Println(err)

	var berr *builder.Error
	if errors.As(err, &berr) {
		fmt.Println(len(berr.Errs), "field errors")
	}
	// Output:
	// 4 problems building DaemonSet "cni":
	//   spec.template.spec.containers[0].resources.requests[memory]: Invalid value: "128MB ": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'
	//   spec.template.spec.containers[0].securityContext.capabilities.add[0]: Required value: capability NET_ADMIN of container "agent" is a privilege and needs a reason: AddCapability("NET_ADMIN", reason)
	//   spec.template.spec.containers[0].volumeMounts[0].readOnly: Required value: container "agent" mounts hostPath volume "cni-bin" writable, a privilege that needs a reason: Writable(reason), or mount it read-only
	//   spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0
	// 4 field errors
}

// One base spawns independent variants.
func ExampleDaemonSet_Clone() {
	base := builder.New("log-shipper").
		Container("shipper", "example.com/shipper:3.1",
			builder.HostPath("varlog", "/var/log", "/var/log"),
			builder.Requests("100m", "100Mi"))

	gpu := base.Clone().
		NodeSelector("nvidia.com/gpu.present", "true").
		UpdateContainer("shipper", builder.Env("NODE_KIND", "gpu"))

	a, _ := base.Build()
	b, _ := gpu.Build()
	fmt.Println("base:", a.Spec.Template.Spec.NodeSelector, len(a.Spec.Template.Spec.Containers[0].Env))
	fmt.Println("gpu: ", b.Spec.Template.Spec.NodeSelector, b.Spec.Template.Spec.Containers[0].Env[0].Value)
	// Output:
	// base: map[] 0
	// gpu:  map[nvidia.com/gpu.present:true] gpu
}

// Lists are keyed: options replace by name, and Remove calls take out.
func ExampleDaemonSet_UpdateContainer() {
	b := builder.New("agent").
		Container("agent", "example.com/agent:1.0",
			builder.Env("LOG_LEVEL", "info"),
			builder.Env("NODE_NAME", ""),
			builder.Port("metrics", 9100))
	b.UpdateContainer("agent",
		builder.Image("example.com/agent:1.1"),
		builder.EnvFromField("NODE_NAME", builder.FieldNodeName),
		builder.RemoveEnv("LOG_LEVEL"),
		builder.Port("metrics", 9200))
	ds, _ := b.Build()
	c := ds.Spec.Template.Spec.Containers[0]
	fmt.Println(c.Image, c.Env[0].Name, c.Env[0].ValueFrom.FieldRef.FieldPath, c.Ports[0].ContainerPort, len(c.Env))
	// Output:
	// example.com/agent:1.1 NODE_NAME spec.nodeName 9200 1
}

// A writable hostPath needs a reason; Build records it for reviewers.
func ExampleWritable() {
	ds, _ := builder.New("agent").
		Container("agent", "example.com/agent:1.0",
			builder.HostPath("state", "/var/lib/agent", "/state",
				builder.Writable("keeps its read position across restarts"),
				builder.HostPathType(corev1.HostPathDirectoryOrCreate))).
		Build()
	fmt.Println(ds.Spec.Template.Annotations[builder.PrivilegesAnnotation])
	// Output:
	// [{"privilege":"writableHostPath","container":"agent","volume":"state","reason":"keeps its read position across restarts"}]
}

// Reading the reasons back, for reviews and lint.
func ExampleParsePrivileges() {
	ds, _ := builder.New("cni").
		Container("agent", "example.com/cni:2.0",
			builder.Privileged("loads eBPF programs"),
			builder.AddCapability("NET_ADMIN", "programs routes")).
		HostNetwork("is the node's network").
		Build()
	ps, err := builder.ParsePrivileges(ds.Spec.Template.Annotations)
	if err != nil {
		fmt.Println(err)
	}
	for _, p := range ps {
		fmt.Printf("%s %q %s: %s\n", p.Kind, p.Container, p.Capability, p.Reason)
	}
	// Output:
	// capability "agent" NET_ADMIN: programs routes
	// hostNetwork "" : is the node's network
	// privileged "agent" : loads eBPF programs
}

// RequiredPrivileges lists what a pod spec grants, whoever wrote it.
func ExampleRequiredPrivileges() {
	t := true
	spec := &corev1.PodSpec{
		HostPID:    true,
		Containers: []corev1.Container{{Name: "c", SecurityContext: &corev1.SecurityContext{Privileged: &t}}},
	}
	for _, p := range builder.RequiredPrivileges(spec) {
		fmt.Printf("%s container=%q\n", p.Kind, p.Container)
	}
	// Output:
	// hostPID container=""
	// privileged container="c"
}

// Privileges set through the escape hatches still need a reason: Justify
// gives it.
func ExampleDaemonSet_Justify() {
	ds, err := builder.New("agent").
		Container("agent", "example.com/agent:1.0").
		Edit(func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.HostIPC = true }).
		Justify(builder.Privilege{Kind: builder.PrivilegeHostIPC, Reason: "shares memory with the node's runtime"}).
		Build()
	fmt.Println(err, ds.Spec.Template.Spec.HostIPC)
	// Output:
	// <nil> true
}

// Surge starts the new pod beside the old one and sets maxUnavailable to 0,
// as the API server requires.
func ExampleDaemonSet_Surge() {
	ds, _ := builder.New("agent").Container("agent", "example.com/agent:1.0").Surge(builder.Percent(20)).Build()
	ru := ds.Spec.UpdateStrategy.RollingUpdate
	fmt.Println(ds.Spec.UpdateStrategy.Type, "maxSurge", ru.MaxSurge, "maxUnavailable", ru.MaxUnavailable)
	// Output:
	// RollingUpdate maxSurge 20% maxUnavailable 0
}

// Scheduling helpers: nodeSelector, node affinity and tolerations.
func ExampleDaemonSet_RequireNodeAffinity() {
	ds, _ := builder.New("gpu-agent").
		Container("agent", "example.com/gpu-agent:1.0").
		NodeSelector("kubernetes.io/os", "linux").
		RequireNodeAffinity(builder.NodeLabelIn("nvidia.com/gpu.present", "true")).
		RequireNodeAffinity(builder.NodeLabelExists("amd.com/gpu")).
		TolerateControlPlane().
		PriorityClass("system-node-critical").
		Build()
	terms := ds.Spec.Template.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
	fmt.Println(len(terms), "alternative terms;", terms[0].MatchExpressions[0].Key, terms[1].MatchExpressions[0].Operator)
	fmt.Println(ds.Spec.Template.Spec.Tolerations[0].Key, ds.Spec.Template.Spec.Tolerations[0].Effect)
	// Output:
	// 2 alternative terms; nvidia.com/gpu.present Exists
	// node-role.kubernetes.io/control-plane NoSchedule
}

// Probes are values: refine one without changing the original.
func ExampleHTTPGet() {
	base := builder.HTTPGet("/healthz", builder.PortNumber(8080))
	fast := base.Period(2).FailureThreshold(2)
	fmt.Println(base.Probe().PeriodSeconds, fast.Probe().PeriodSeconds, fast.Probe().HTTPGet.Path)
	// Output:
	// 0 2 /healthz
}
