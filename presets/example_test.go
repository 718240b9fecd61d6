package presets_test

import (
	"fmt"

	"github.com/daemonkit/daemonkit/builder"
	"github.com/daemonkit/daemonkit/daemonset"
	"github.com/daemonkit/daemonkit/presets"
	"k8s.io/apimachinery/pkg/util/validation/field"
	psaapi "k8s.io/pod-security-admission/api"
)

// summary prints what a reviewer looks at first: level, baseline failures,
// lint check IDs.
func summary(b *builder.DaemonSet) {
	ds, err := b.Build()
	if err != nil {
		fmt.Println(err)
		return
	}
	rep := presets.EvaluatePodSecurity(ds)
	base, _ := rep.Result(psaapi.LevelBaseline)
	fmt.Println("pod security:", rep.Level, base.FailedChecks())
	var ids []string
	for _, f := range presets.Lint(ds) {
		if len(ids) == 0 || ids[len(ids)-1] != f.ID {
			ids = append(ids, f.ID)
		}
	}
	fmt.Println("lint:", ids)
}

func ExampleFluentBit() {
	b := presets.FluentBit(presets.FluentBitOptions{SkipDockerLogs: true}).
		UpdateContainer("fluent-bit", builder.Limits("", "256Mi"))
	summary(b)
	// Output:
	// pod security: privileged [hostPathVolumes]
	// lint: [DK115 DK116]
}

func ExampleFluentBitCompanions() {
	c := presets.FluentBitCompanions(presets.FluentBitOptions{NodeAccess: true})
	for _, obj := range c.Objects() {
		fmt.Println(obj.GetObjectKind().GroupVersionKind().Kind)
	}
	fmt.Println(c.ClusterRole.Rules[1].Resources)
	// Output:
	// Namespace
	// ServiceAccount
	// ClusterRole
	// ClusterRoleBinding
	// Service
	// [nodes nodes/metrics nodes/proxy]
}

func ExampleNodeExporter() {
	summary(presets.NodeExporter(presets.NodeExporterOptions{}))
	// Output:
	// pod security: privileged [hostNamespaces hostPathVolumes hostPorts]
	// lint: [DK115 DK116]
}

func ExampleNodeExporterCompanions() {
	c := presets.NodeExporterCompanions(presets.NodeExporterOptions{})
	fmt.Println(c.Service.Spec.Ports[0].Port, c.ClusterRole == nil, *c.ServiceAccount.AutomountServiceAccountToken)
	// Output: 9100 true false
}

func ExampleDCGMExporter() {
	summary(presets.DCGMExporter(presets.DCGMExporterOptions{}))
	summary(presets.DCGMExporter(presets.DCGMExporterOptions{NoProfiling: true}))
	// Output:
	// pod security: privileged [capabilities_baseline hostPathVolumes]
	// lint: [DK116]
	// pod security: privileged [hostPathVolumes]
	// lint: [DK116]
}

func ExampleDCGMExporterCompanions() {
	c := presets.DCGMExporterCompanions(presets.DCGMExporterOptions{PodLabels: true})
	fmt.Println(c.ClusterRole.Rules[0].Resources, c.ClusterRole.Rules[0].Verbs)
	// Output: [pods] [get list watch]
}

func ExampleCilium() {
	summary(presets.Cilium(presets.CiliumOptions{}))
	// Output:
	// pod security: privileged [appArmorProfile capabilities_baseline hostNamespaces hostPathVolumes hostProbesAndHostLifecycle privileged seLinuxOptions]
	// lint: [DK121]
}

func ExampleCiliumCompanions() {
	c := presets.CiliumCompanions(presets.CiliumOptions{PrometheusMetrics: true})
	fmt.Println(c.ClusterRole.Name, len(c.ClusterRole.Rules), c.Service.Name, c.Service.Spec.Ports[0].Port)
	// Output: cilium 10 cilium-agent 9962
}

func ExampleCalico() {
	summary(presets.Calico(presets.CalicoOptions{}))
	// Output:
	// pod security: privileged [hostNamespaces hostPathVolumes privileged]
	// lint: [DK116 DK121]
}

func ExampleCalicoCompanions() {
	c := presets.CalicoCompanions(presets.CalicoOptions{})
	fmt.Println(c.ServiceAccount.Namespace+"/"+c.ServiceAccount.Name, c.Service == nil)
	// Output: kube-system/calico-node true
}

func ExampleFlannel() {
	summary(presets.Flannel(presets.FlannelOptions{}))
	// Output:
	// pod security: privileged [capabilities_baseline hostNamespaces hostPathVolumes hostPorts]
	// lint: [DK116 DK121]
}

func ExampleFlannelCompanions() {
	c := presets.FlannelCompanions(presets.FlannelOptions{})
	fmt.Println(c.Namespace.Name, c.Namespace.Labels["pod-security.kubernetes.io/enforce"])
	for _, r := range c.ClusterRole.Rules {
		fmt.Println(r.Resources, r.Verbs)
	}
	// Output:
	// kube-flannel privileged
	// [pods] [get]
	// [nodes] [get list watch]
	// [nodes/status] [patch]
}

func ExampleCatalog() {
	for _, p := range presets.Catalog() {
		fmt.Println(p.Name, p.Level)
	}
	// Output:
	// calico-node privileged
	// cilium privileged
	// dcgm-exporter privileged
	// flannel privileged
	// fluent-bit privileged
	// node-exporter privileged
}

func ExampleLookup() {
	p, ok := presets.Lookup("flannel")
	fmt.Println(ok, p.Source)
	// Output: true flannel-io/flannel Documentation/kube-flannel.yml v0.28.9
}

// The Pod Security report names each failing check, the field behind it,
// the builder call that set it and the reason recorded with it.
func ExampleEvaluatePodSecurity() {
	ds, err := builder.New("agent").
		Container("agent", "example.com/agent:1.0",
			builder.Port("metrics", 9100),
			builder.HostPath("proc", "/proc", "/host/proc")).
		HostNetwork("reports the node's interfaces").
		Build()
	if err != nil {
		fmt.Println(err)
		return
	}
	rep := presets.EvaluatePodSecurity(ds)
	fmt.Println("level:", rep.Level)
	base, _ := rep.Result(psaapi.LevelBaseline)
	fmt.Println(base.Aggregate())
	for _, f := range base.Failures {
		for _, c := range f.Causes {
			fmt.Printf("%s: %s\n  call: %s\n  reason: %q\n", f.ID, c.Path, c.Call, c.Reason)
		}
	}
	// Output:
	// level: privileged
	// host namespaces (hostNetwork=true), hostPath volumes (volume "proc"), hostPort (container "agent" uses hostPort 9100)
	// hostNamespaces: spec.template.spec.hostNetwork
	//   call: HostNetwork(reason)
	//   reason: "reports the node's interfaces"
	// hostPathVolumes: spec.template.spec.volumes[0].hostPath
	//   call: HostPath("proc", "/proc", …)
	//   reason: ""
	// hostPorts: spec.template.spec.containers[0].ports[0].containerPort
	//   call: Port("metrics", 9100) in Container("agent", …) with HostNetwork(reason)
	//   reason: "reports the node's interfaces"
}

// Pin a policy version to see what an older API server enforces.
func ExampleNewPodSecurityEvaluator() {
	ds, _ := presets.Cilium(presets.CiliumOptions{}).Build()
	for _, v := range []psaapi.Version{psaapi.MajorMinorVersion(1, 33), psaapi.LatestVersion()} {
		ev, err := presets.NewPodSecurityEvaluator(v)
		if err != nil {
			fmt.Println(err)
			return
		}
		base, _ := ev.EvaluateDaemonSet(ds).Result(psaapi.LevelBaseline)
		fmt.Println(v, base.Failed("hostProbesAndHostLifecycle"))
	}
	// Output:
	// v1.33 false
	// latest true
}

func ExampleNamespaceLabels() {
	l := presets.NamespaceLabels(psaapi.LevelBaseline)
	fmt.Println(l["pod-security.kubernetes.io/enforce"], l["pod-security.kubernetes.io/enforce-version"])
	// Output: baseline latest
}

func ExampleLint() {
	ds, err := builder.New("agent").
		Container("agent", "example.com/agent:latest", builder.Port("http", 8080)).
		HostNetwork("serves on the node address").
		Surge(builder.Count(1)).
		Build()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range presets.Lint(ds) {
		fmt.Println(f)
	}
	// Output:
	// DK101 warning spec.template.spec.containers[0].resources.requests: container "agent" has no cpu or memory request
	// DK102 warning spec.template.spec.containers[0].resources.limits: container "agent" has no memory limit
	// DK103 warning spec.template.spec.containers[0].readinessProbe: container "agent" has no readiness probe
	// DK104 warning spec.template.spec.containers[0].image: container "agent" image "example.com/agent:latest" uses the latest tag
	// DK107 warning spec.template.spec.nodeSelector: no kubernetes.io/os node selector or required affinity: pods are also created on Windows nodes
	// DK109 error spec.template.spec.containers[0].ports[0].containerPort: container "agent" port 8080 becomes a hostPort under hostNetwork and maxSurge is 1: the surge pod can never start beside the old one
	// DK115 info spec.template.spec.priorityClassName: no priorityClassName: daemon pods compete with workloads for capacity
	// DK118 info spec.template.spec.containers[0].livenessProbe: container "agent" has no liveness probe
}

func ExampleLintChecks() {
	for _, c := range presets.LintChecks()[:3] {
		fmt.Println(c.ID, c.Severity, c.Name)
	}
	// Output:
	// DK100 error invalid-lint-annotation
	// DK101 warning missing-requests
	// DK102 warning missing-memory-limit
}

// A YAML user silences a check on one DaemonSet with an ignore-check
// annotation and a reason; the silenced findings are counted, not lost.
func ExampleLintDaemonSet() {
	objs, err := daemonset.Decode("cni.yaml", []byte(`apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
  namespace: kube-system
  annotations:
    ignore-check.lint.daemonkit.io/DK118: "the agent exits on its own when it hangs"
    ignore-check.lint.daemonkit.io/DK999: "typo"
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      nodeSelector: {kubernetes.io/os: linux}
      priorityClassName: system-node-critical
      containers:
      - name: agent
        image: registry.example/agent:1.0
        resources:
          requests: {cpu: 10m, memory: 32Mi}
          limits: {memory: 64Mi}
        readinessProbe: {tcpSocket: {port: 9090}}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	res := presets.LintDaemonSet(objs.DaemonSets[0])
	for _, f := range res.Findings {
		fmt.Println(f)
	}
	for _, f := range res.Suppressed {
		fmt.Printf("suppressed %s: %s\n", f.ID, f.Justification)
	}
	// Output:
	// DK100 error metadata.annotations[ignore-check.lint.daemonkit.io/DK999]: unknown lint check "DK999" (known: DK101..DK123; daemonkit lint --list-checks lists them)
	// DK116 info spec.updateStrategy.rollingUpdate.maxUnavailable: maxUnavailable 1 without surge: one node at a time
	// suppressed DK118: the agent exits on its own when it hangs
}

func ExampleParseIgnoreChecks() {
	reasons, errs := presets.ParseIgnoreChecks(map[string]string{
		"ignore-check.lint.daemonkit.io/DK105": "CNI writes /opt/cni/bin",
		"ignore-check.lint.daemonkit.io/DK115": "",
	}, field.NewPath("metadata", "annotations"))
	fmt.Println(reasons)
	for _, e := range errs {
		fmt.Println(e.Field+":", e.Detail)
	}
	// Output:
	// map[DK105:CNI writes /opt/cni/bin]
	// metadata.annotations[ignore-check.lint.daemonkit.io/DK115]: no reason given for silencing DK115: the value must say why the check does not apply
}
