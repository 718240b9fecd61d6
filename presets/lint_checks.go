package presets

import (
	"cmp"
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/daemonkit/daemonkit/daemonset"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// lintContext is what every check sees: the DaemonSet, precomputed facts, and
// where findings go.
type lintContext struct {
	ds *appsv1.DaemonSet
	// stored holds ds's update strategy as the API server stores it
	// (daemonset.SetDefaults on a copy of the strategy alone): the strategy
	// checks read it, so a manifest that omits updateStrategy.type is judged
	// as the RollingUpdate it becomes.
	stored *appsv1.DaemonSet
	spec   *corev1.PodSpec
	// initPaths and ctrPaths are the paths of spec's init and regular
	// containers, built once for every check.
	initPaths, ctrPaths []*field.Path
	reasons             reasons
	current             LintCheck
	findings            []Finding
}

// Roots of the paths lint reports: the DaemonSet's own spec, and the pod
// spec of its template.
var (
	dsSpecPath   = field.NewPath("spec")
	podSpecPath  = dsSpecPath.Child("template", "spec")
	rollingPath  = dsSpecPath.Child("updateStrategy", "rollingUpdate")
	initCtrsPath = podSpecPath.Child("initContainers")
	ctrsPath     = podSpecPath.Child("containers")
)

func newLintContext(ds *appsv1.DaemonSet) *lintContext {
	stored := &appsv1.DaemonSet{Spec: appsv1.DaemonSetSpec{UpdateStrategy: *ds.Spec.UpdateStrategy.DeepCopy()}}
	daemonset.SetDefaults(stored)
	c := &lintContext{ds: ds, stored: stored, spec: &ds.Spec.Template.Spec, reasons: recordedReasons(&ds.Spec.Template, podSpecPath)}
	for i := range c.spec.InitContainers {
		c.initPaths = append(c.initPaths, initCtrsPath.Index(i))
	}
	for i := range c.spec.Containers {
		c.ctrPaths = append(c.ctrPaths, ctrsPath.Index(i))
	}
	return c
}

// report adds a finding of the running check about the field at path. hint
// is the YAML change; the check's builder call follows it.
func (c *lintContext) report(path *field.Path, hint, format string, args ...any) {
	if c.current.Builder != "" && !strings.Contains(hint, "(builder: ") {
		hint += " (builder: " + c.current.Builder + ")"
	}
	c.findings = append(c.findings, Finding{
		ID: c.current.ID, Severity: c.current.Severity, Path: path.String(),
		Message: fmt.Sprintf(format, args...), Hint: hint,
	})
}

// checkLintAnnotations reports malformed lint annotations (ParseIgnoreChecks)
// and lint annotations on the pod template.
func checkLintAnnotations(c *lintContext) {
	_, errs := ParseIgnoreChecks(c.ds.Annotations, field.NewPath("metadata", "annotations"))
	for _, e := range errs {
		c.findings = append(c.findings, Finding{ID: c.current.ID, Severity: c.current.Severity, Path: e.Field, Message: e.Detail, Hint: annotationFix})
	}
	tmplAnn := dsSpecPath.Child("template", "metadata", "annotations")
	for _, k := range sortedKeys(c.ds.Spec.Template.Annotations) {
		if strings.HasPrefix(k, IgnoreCheckAnnotationPrefix) || k == LintIgnoreAnnotation {
			c.findings = append(c.findings, Finding{ID: c.current.ID, Severity: c.current.Severity, Path: tmplAnn.Key(k).String(),
				Message: "lint annotation on the pod template, where lint does not read it and every pod would carry it",
				Hint:    "move it to the DaemonSet's metadata.annotations"})
		}
	}
}

// justified reports whether a reason is recorded for the field at path.
func (c *lintContext) justified(path *field.Path) bool {
	return c.reasons.at(path) != ""
}

// regular visits the long-running containers: regular containers and
// restartable (sidecar) init containers.
func (c *lintContext) regular(fn func(path *field.Path, ct *corev1.Container)) {
	for i := range c.spec.InitContainers {
		ct := &c.spec.InitContainers[i]
		if ct.RestartPolicy != nil && *ct.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			fn(c.initPaths[i], ct)
		}
	}
	for i := range c.spec.Containers {
		fn(c.ctrPaths[i], &c.spec.Containers[i])
	}
}

// all visits init and regular containers.
func (c *lintContext) all(fn func(path *field.Path, ct *corev1.Container)) {
	for i := range c.spec.InitContainers {
		fn(c.initPaths[i], &c.spec.InitContainers[i])
	}
	for i := range c.spec.Containers {
		fn(c.ctrPaths[i], &c.spec.Containers[i])
	}
}

func lintTable() []LintCheck {
	return []LintCheck{
		{ID: annotationCheckID, Name: "invalid-lint-annotation", Severity: SeverityError,
			Fix:     annotationFix,
			Summary: "An ignore-check annotation naming an unknown check or giving no reason, the retired lint.daemonkit.io/ignore, or a lint annotation on the pod template: silencing a check needs a known ID and a reason where lint reads it. This check cannot be silenced.",
			Source:  "daemonkit issue #17", run: checkLintAnnotations},
		{ID: "DK101", Name: "missing-requests", Severity: SeverityWarning,
			Fix: "set resources.requests.cpu and resources.requests.memory on the container, from observed usage", Builder: "Requests(cpu, memory)",
			Summary: "A container without cpu or memory requests is scheduled as if it used nothing; on a full node the daemon pod is evicted first or starves the node.",
			Source:  "kube-linter unset-cpu-requirements; Polaris cpuRequestsMissing/memoryRequestsMissing", run: checkRequests},
		{ID: "DK102", Name: "missing-memory-limit", Severity: SeverityWarning,
			Fix: "set resources.limits.memory on the container", Builder: "Limits(cpu, memory) or Limit(\"memory\", q)",
			Summary: "A container without a memory limit can exhaust the node it is meant to serve; a daemon runs on every node, so a leak hits every node.",
			Source:  "kube-linter unset-memory-requirements; Polaris memoryLimitsMissing", run: checkMemoryLimit},
		{ID: "DK103", Name: "missing-readiness-probe", Severity: SeverityWarning,
			Fix: "add a readinessProbe (httpGet, tcpSocket, grpc or exec) that passes only when the agent works", Builder: "Readiness(probe)",
			Summary: "Without a readiness probe a pod counts as available as soon as it starts, so a rolling update proceeds past broken pods.",
			Source:  "kube-linter no-readiness-probe; Polaris readinessProbeMissing", run: checkReadiness},
		{ID: "DK104", Name: "mutable-image-tag", Severity: SeverityWarning,
			Fix: "pin the image to a version tag (agent:1.2.3) or a digest (agent@sha256:…)", Builder: "Image(ref)",
			Summary: "An image tagged :latest or untagged changes under the DaemonSet: nodes run different code, and the pull policy defaults to Always.",
			Source:  "kube-linter latest-tag; Polaris tagNotSpecified", run: checkImageTag},
		{ID: "DK105", Name: "writable-host-path", Severity: SeverityWarning,
			Fix: "set readOnly: true on the volumeMount, or record why with ignore-check.lint.daemonkit.io/DK105: \"<why>\" in the DaemonSet's metadata.annotations", Builder: "ReadOnly(), or Writable(reason) on the HostPath/Mount",
			Summary: "A hostPath mounted read-write lets the container change the node; it needs a recorded reason.",
			Source:  "kube-linter writable-host-mount; Polaris hostPathSet", run: checkWritableHostPath},
		{ID: "DK106", Name: "privilege-without-reason", Severity: SeverityWarning,
			Fix: "remove the privilege, or record why with ignore-check.lint.daemonkit.io/DK106: \"<why>\" in the DaemonSet's metadata.annotations", Builder: "HostNetwork(reason), Privileged(reason), AddCapability(cap, reason)",
			Summary: "Privileged containers, host namespaces, privilege escalation and capabilities beyond Pod Security baseline each need a recorded reason.",
			Source:  "kube-linter privileged-container/host-network/host-pid/privilege-escalation-container; Polaris dangerousCapabilities", run: checkPrivilegeReasons},
		{ID: "DK107", Name: "no-os-selector", Severity: SeverityWarning,
			Fix: "add nodeSelector: {kubernetes.io/os: linux} to the pod template", Builder: "NodeSelector(\"kubernetes.io/os\", \"linux\")",
			Summary: "Without a kubernetes.io/os nodeSelector or required affinity the pods also land on Windows nodes and never become available, blocking rollouts.",
			Source:  "flannel#1459, k/k#94366", run: checkOSSelector},
		{ID: "DK108", Name: "node-critical-priority", Severity: SeverityWarning,
			Fix: "set priorityClassName: system-node-critical", Builder: "PriorityClass(\"system-node-critical\")",
			Summary: "A node-critical agent (CNI install, host networking with NET_ADMIN or privileged, or tolerating every taint) should run at system-node-critical so it is never preempted and wins capacity on new nodes.",
			Source:  "kube-linter priority-class-name; helm/charts#24429", run: checkNodeCriticalPriority},
		{ID: "DK109", Name: "surge-with-host-port", Severity: SeverityError,
			Fix: "set updateStrategy.rollingUpdate.maxSurge: 0 and use maxUnavailable, or drop the hostPort", Builder: "RollingUpdate(maxUnavailable) without Surge",
			Summary: "With maxSurge > 0 the new pod is created beside the old one; a hostPort (declared, or defaulted from containerPort under hostNetwork) collides, the surge pod stays Pending and the rollout stalls for ever.",
			Source:  "k/k#106417, haproxytech/helm-charts#189", run: checkSurgeHostPort},
		{ID: "DK110", Name: "tolerate-all-without-reason", Severity: SeverityWarning,
			Fix: "tolerate only the taints the agent needs, or record why with the pod template annotation daemonkit.io/tolerate-all-reason: \"<why>\"", Builder: "Tolerate(...) instead of TolerateAll(), or PodAnnotation(TolerateAllReasonAnnotation, why)",
			Summary: "A toleration with no key, operator Exists and effect NoExecute or empty keeps pods on nodes being drained or evicted for any reason; it needs a recorded reason.",
			Source:  "cilium/calico manifests; k/k#70184", run: checkTolerateAll},
		{ID: "DK111", Name: "probe-port-undeclared", Severity: SeverityError,
			Fix: "declare the port under the container's ports with that name, or probe the port number", Builder: "",
			Summary: "A probe that names a port the container does not declare can never succeed.",
			Source:  "kube-linter liveness-port/readiness-port/startup-port", run: checkProbePorts},
		{ID: "DK112", Name: "host-network-dns-policy", Severity: SeverityWarning,
			Fix: "set dnsPolicy: ClusterFirstWithHostNet, or Default if the agent never resolves cluster names", Builder: "DNSPolicy(p)",
			Summary: "With hostNetwork, dnsPolicy ClusterFirst falls back to the node's resolver; set ClusterFirstWithHostNet to resolve cluster services, or Default to say you do not need them.",
			Source:  "Kubernetes DNS docs (pod-s-dns-policy)", run: checkHostNetworkDNS},
		{ID: "DK113", Name: "overridden-toleration", Severity: SeverityWarning,
			Fix: "remove tolerationSeconds from the not-ready/unreachable NoExecute tolerations", Builder: "RemoveTolerations(key)",
			Summary: "The DaemonSet controller rewrites not-ready and unreachable NoExecute tolerations without tolerationSeconds; a value set here has no effect.",
			Source:  "k/k#92960; daemonset_util.go AddOrUpdateDaemonPodTolerations", run: checkOverriddenTolerations},
		{ID: "DK114", Name: "on-delete-strategy", Severity: SeverityInfo,
			Fix: "set updateStrategy.type: RollingUpdate unless an operator deletes pods deliberately", Builder: "RollingUpdate(maxUnavailable)",
			Summary: "With OnDelete a template change reaches a node only when its pod is deleted by someone.",
			Source:  "kube-linter no-rolling-update-strategy", run: checkOnDelete},
		{ID: "DK115", Name: "no-priority-class", Severity: SeverityInfo,
			Fix: "set priorityClassName to a class above your workloads", Builder: "PriorityClass(name)",
			Summary: "Daemon pods without a priority class lose the race for capacity on new nodes and cannot preempt workload pods.",
			Source:  "helm/charts#24429, Mellanox/network-operator#2960; Polaris priorityClassNotSet", run: checkNoPriorityClass},
		{ID: "DK116", Name: "serial-rollout", Severity: SeverityInfo,
			Fix: "set updateStrategy.rollingUpdate.maxUnavailable to a percentage such as 10%, or allow maxSurge when no host port is used", Builder: "RollingUpdate(Percent(10)) or Surge(n)",
			Summary: "maxUnavailable 1 without surge replaces one node at a time: the rollout takes N times the pod start time, and one NotReady node stops it.",
			Source:  "kubernetes/test-infra#31706, cybozu-go/neco#1910", run: checkSerialRollout},
		{ID: "DK117", Name: "container-runtime-socket", Severity: SeverityWarning,
			Fix: "remove the runtime socket hostPath; use the kubelet APIs (pod-resources, CRI logs) instead", Builder: "RemoveVolume(name)",
			Summary: "A container runtime socket from the host gives full control of every container on the node.",
			Source:  "kube-linter docker-sock", run: checkRuntimeSocket},
		{ID: "DK118", Name: "missing-liveness-probe", Severity: SeverityInfo,
			Fix: "add a livenessProbe that fails when the agent hangs", Builder: "Liveness(probe)",
			Summary: "Without a liveness probe a hung agent is never restarted.",
			Source:  "kube-linter no-liveness-probe; Polaris livenessProbeMissing", run: checkLiveness},
		{ID: "DK119", Name: "duplicate-env", Severity: SeverityWarning,
			Fix: "define each env var once", Builder: "RemoveEnv(name) then Env(name, value)",
			Summary: "An env var defined twice: the last definition silently wins.",
			Source:  "kube-linter duplicate-env-var", run: checkDuplicateEnv},
		{ID: "DK120", Name: "literal-secret-env", Severity: SeverityWarning,
			Fix: "read the value from a Secret: env[].valueFrom.secretKeyRef", Builder: "EnvFromSecret(name, secret, key)",
			Summary: "An env var named like a secret (password, token, secret, key) has a literal value; it is stored in the DaemonSet and its revisions.",
			Source:  "kube-linter env-var-secret; Polaris sensitiveContainerEnvVar", run: checkSecretEnv},
		{ID: "DK121", Name: "tolerate-all-virtual-nodes", Severity: SeverityInfo,
			Fix: "add a required node affinity excluding virtual nodes: type NotIn [virtual-kubelet] and eks.amazonaws.com/compute-type NotIn [fargate]", Builder: "RequireNodeAffinity(NodeLabelNotIn(\"type\", \"virtual-kubelet\"), …)",
			Summary: "Tolerating every NoSchedule taint also schedules onto virtual-kubelet and Fargate nodes (tainted NoSchedule), where a node agent cannot work; exclude them with required node affinity.",
			Source:  "aws-samples/amazon-cloudwatch-container-insights#61; node-exporter chart affinity", run: checkVirtualNodes},
		{ID: "DK122", Name: "surge-with-host-network", Severity: SeverityWarning,
			Fix: "set updateStrategy.rollingUpdate.maxSurge: 0 and use maxUnavailable, or make sure the agent binds no fixed port", Builder: "RollingUpdate(maxUnavailable) without Surge",
			Summary: "With maxSurge > 0 and hostNetwork but no declared ports, the scheduler sees no conflict, yet old and new pod share the node's network: any port both bind (health, metrics) fails in the new pod.",
			Source:  "k/k#106417; cilium health port 127.0.0.1:9879 (undeclared)", run: checkSurgeHostNetwork},
		{ID: "DK123", Name: "surge-with-own-anti-affinity", Severity: SeverityError,
			Fix: "set updateStrategy.rollingUpdate.maxSurge: 0 and use maxUnavailable, or add controller-revision-hash to the term's matchLabelKeys", Builder: "RollingUpdate(maxUnavailable) without Surge",
			Summary: "With maxSurge > 0 the new pod is created beside the old one; a required pod anti-affinity term that matches the DaemonSet's own pods of another revision keeps it off the node, the surge pod stays Pending and the rollout stalls for ever.",
			Source:  "k/k#116891; KEP-1591 daemonset-surge (same-node constraints); ceph/ceph-csi-operator#273", run: checkSurgeOwnAntiAffinity},
	}
}

func checkRequests(c *lintContext) {
	c.regular(func(path *field.Path, ct *corev1.Container) {
		var missing []string
		for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			if _, ok := ct.Resources.Requests[r]; ok {
				continue
			}
			// upstream: pkg/apis/core/v1/defaults.go SetDefaults_Pod — a
			// limit without a request becomes the request on the Pod.
			if _, ok := ct.Resources.Limits[r]; ok {
				continue
			}
			missing = append(missing, string(r))
		}
		if len(missing) > 0 {
			c.report(path.Child("resources", "requests"), "set resources.requests.cpu and resources.requests.memory from observed usage",
				"container %q has no %s request", ct.Name, strings.Join(missing, " or "))
		}
	})
}

func checkMemoryLimit(c *lintContext) {
	c.regular(func(path *field.Path, ct *corev1.Container) {
		if _, ok := ct.Resources.Limits[corev1.ResourceMemory]; !ok {
			c.report(path.Child("resources", "limits"), "set resources.limits.memory",
				"container %q has no memory limit", ct.Name)
		}
	})
}

func checkReadiness(c *lintContext) {
	c.regular(func(path *field.Path, ct *corev1.Container) {
		if ct.ReadinessProbe == nil {
			c.report(path.Child("readinessProbe"), "add a readinessProbe so rollouts wait for a working pod",
				"container %q has no readiness probe", ct.Name)
		}
	})
}

func checkImageTag(c *lintContext) {
	c.all(func(path *field.Path, ct *corev1.Container) {
		if ct.Image == "" {
			return
		}
		// A reference the runtime cannot parse has no tag to judge; the
		// kubelet refuses it (InvalidImageName) whatever lint says.
		tag, digest, err := daemonset.ImageTag(ct.Image)
		switch {
		case err != nil, digest != "":
		case tag == "":
			c.report(path.Child("image"), "pin a version tag (image: name:1.2.3) or a digest (name@sha256:…)", "container %q image %q has no tag", ct.Name, ct.Image)
		case tag == "latest":
			c.report(path.Child("image"), "pin a version tag (image: name:1.2.3) or a digest (name@sha256:…)", "container %q image %q uses the latest tag", ct.Name, ct.Image)
		}
	})
}

// cniWritablePaths are the host directories and files a CNI agent must
// write, as the upstream manifests mount them read-write. DK105 accepts a
// writable mount of one of them, or of a path under one, when the
// DaemonSet is a CNI agent (it mounts /etc/cni/net.d or /opt/cni/bin):
//
//   - /etc/cni/net.d and /opt/cni/bin: where the kubelet's container runtime
//     reads CNI network configuration and plugin binaries, which the agent
//     installs (every chart below).
//   - /run/xtables.lock: the iptables lock, shared with kube-proxy and other
//     agents (every chart below).
//   - /run/flannel: flanneld's subnet lease (subnet.env) for the CNI plugin.
//     flannel-io/flannel Documentation/kube-flannel.yml (v0.28.x, and
//     v0.13.0-rc2 in internal/testdata/manifests).
//   - /var/run/calico, /var/lib/calico, /var/log/calico/cni,
//     /var/run/nodeagent (policy sync sockets), /var/lib/cni/networks
//     (host-local IPAM migration) and /sys/fs/bpf: projectcalico/calico
//     charts/calico/templates/calico-node.yaml (v3.32, the manifests/calico.yaml
//     it renders).
//   - /var/run/cilium, /run/cilium/cgroupv2, /sys/fs/bpf, /proc/sys/net and
//     /proc/sys/kernel (sysctls): cilium/cilium
//     install/kubernetes/cilium/templates/cilium-agent/daemonset.yaml (chart
//     v1.19).
//
// Broader mounts those charts also make writable, such as the host's whole
// /proc (Cilium's nsenter init containers) or /sys/fs (Calico's BPF
// filesystem bootstrap), stay findings: they reach far beyond the CNI's own
// state, and a reason belongs beside them. /run and /var/run are the same
// directory on every distribution the charts support; both spellings match.
var cniWritablePaths = []string{
	"/etc/cni/net.d", "/opt/cni/bin", "/run/xtables.lock",
	"/run/flannel",
	"/var/run/calico", "/var/lib/calico", "/var/log/calico/cni", "/var/run/nodeagent", "/var/lib/cni/networks",
	"/var/run/cilium", "/run/cilium/cgroupv2", "/sys/fs/bpf", "/proc/sys/net", "/proc/sys/kernel",
}

// cniAgentNeeds reports whether hostPath p is one of cniWritablePaths or
// under one.
func cniAgentNeeds(p string) bool {
	p = path.Clean("/" + p)
	if rest, ok := strings.CutPrefix(p, "/var/run/"); ok {
		p = "/run/" + rest
	}
	for _, w := range cniWritablePaths {
		if rest, ok := strings.CutPrefix(w, "/var/run/"); ok {
			w = "/run/" + rest
		}
		if p == w || strings.HasPrefix(p, w+"/") {
			return true
		}
	}
	return false
}

// isCNIAgent reports whether the pod installs CNI configuration or plugins.
func isCNIAgent(spec *corev1.PodSpec) bool {
	for _, v := range spec.Volumes {
		if v.HostPath == nil {
			continue
		}
		if p := path.Clean("/" + v.HostPath.Path); p == "/etc/cni/net.d" || p == "/opt/cni/bin" {
			return true
		}
	}
	return false
}

func checkWritableHostPath(c *lintContext) {
	cni := isCNIAgent(c.spec)
	hostVols := map[string]int{}
	for i, v := range c.spec.Volumes {
		if v.HostPath != nil {
			hostVols[v.Name] = i
		}
	}
	reported := map[string]bool{}
	c.all(func(path *field.Path, ct *corev1.Container) {
		for k, m := range ct.VolumeMounts {
			i, ok := hostVols[m.Name]
			if !ok || m.ReadOnly {
				continue
			}
			volPath := podSpecPath.Child("volumes").Index(i).Child("hostPath")
			mountPath := path.Child("volumeMounts").Index(k)
			if c.justified(volPath) || c.justified(mountPath) || reported[mountPath.String()] ||
				cni && cniAgentNeeds(c.spec.Volumes[i].HostPath.Path) {
				continue
			}
			reported[mountPath.String()] = true
			c.report(mountPath.Child("readOnly"), "set readOnly: true on this volumeMount, or record why the agent writes there: ignore-check.lint.daemonkit.io/DK105: \"<why>\" in the DaemonSet's metadata.annotations",
				"container %q mounts hostPath %q (volume %q) read-write without a reason", ct.Name, c.spec.Volumes[i].HostPath.Path, m.Name)
		}
	})
}

func checkPrivilegeReasons(c *lintContext) {
	for _, h := range []struct {
		on   bool
		name string
	}{{c.spec.HostNetwork, "hostNetwork"}, {c.spec.HostPID, "hostPID"}, {c.spec.HostIPC, "hostIPC"}} {
		if h.on && !c.justified(podSpecPath.Child(h.name)) {
			c.report(podSpecPath.Child(h.name), "set it to false, or record why the agent needs it: ignore-check.lint.daemonkit.io/DK106: \"<why>\" in the DaemonSet's metadata.annotations (builder: "+capitalize(h.name)+"(reason))", "%s=true without a reason", h.name)
		}
	}
	c.all(func(path *field.Path, ct *corev1.Container) {
		sc := ct.SecurityContext
		if sc == nil {
			return
		}
		scPath := path.Child("securityContext")
		if sc.Privileged != nil && *sc.Privileged && !c.justified(scPath.Child("privileged")) {
			c.report(scPath.Child("privileged"), "replace privileged: true by the capabilities the agent needs, or record why: ignore-check.lint.daemonkit.io/DK106: \"<why>\" in the DaemonSet's metadata.annotations (builder: Privileged(reason))",
				"container %q is privileged without a reason", ct.Name)
		}
		if sc.AllowPrivilegeEscalation != nil && *sc.AllowPrivilegeEscalation && !c.justified(scPath.Child("allowPrivilegeEscalation")) {
			c.report(scPath.Child("allowPrivilegeEscalation"), "set allowPrivilegeEscalation: false, or record why: ignore-check.lint.daemonkit.io/DK106: \"<why>\" in the DaemonSet's metadata.annotations (builder: NoPrivilegeEscalation())",
				"container %q allows privilege escalation without a reason", ct.Name)
		}
		if sc.Capabilities != nil {
			for k, cp := range sc.Capabilities.Add {
				p := scPath.Child("capabilities", "add").Index(k)
				if !baselineCapabilities[cp] && !c.justified(p) {
					c.report(p, "remove the capability from capabilities.add, or record why the agent needs it: ignore-check.lint.daemonkit.io/DK106: \"<why>\" in the DaemonSet's metadata.annotations (builder: "+fmt.Sprintf("AddCapability(%q, reason)", cp)+")",
						"container %q adds capability %s without a reason", ct.Name, cp)
				}
			}
		}
	})
}

// capitalize turns a field name into its builder method: hostPID -> HostPID.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// osKey is the well-known node label for the operating system.
const osKey = corev1.LabelOSStable

func checkOSSelector(c *lintContext) {
	if _, ok := c.spec.NodeSelector[osKey]; ok {
		return
	}
	if a := c.spec.Affinity; a != nil && a.NodeAffinity != nil && a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution != nil {
		terms := a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
		all := len(terms) > 0
		for _, t := range terms {
			has := false
			for _, e := range t.MatchExpressions {
				if e.Key == osKey {
					has = true
				}
			}
			all = all && has
		}
		if all {
			return
		}
	}
	c.report(podSpecPath.Child("nodeSelector"), "add nodeSelector: {kubernetes.io/os: linux} to the pod template",
		"no kubernetes.io/os node selector or required affinity: pods are also created on Windows nodes")
}

// nodeCritical reports whether the pod looks like an agent the node cannot
// work without, and why.
func nodeCritical(spec *corev1.PodSpec) (bool, string) {
	for _, v := range spec.Volumes {
		if v.HostPath == nil {
			continue
		}
		p := strings.TrimSuffix(v.HostPath.Path, "/")
		if p == "/etc/cni/net.d" || p == "/opt/cni/bin" {
			return true, "it installs CNI configuration (" + p + ")"
		}
	}
	if spec.HostNetwork {
		for _, l := range [][]corev1.Container{spec.InitContainers, spec.Containers} {
			for _, ct := range l {
				if ct.SecurityContext == nil {
					continue
				}
				if ct.SecurityContext.Privileged != nil && *ct.SecurityContext.Privileged {
					return true, "it runs privileged on the host network"
				}
				if ct.SecurityContext.Capabilities != nil {
					for _, cp := range ct.SecurityContext.Capabilities.Add {
						if cp == "NET_ADMIN" {
							return true, "it manages host networking (NET_ADMIN on the host network)"
						}
					}
				}
			}
		}
	}
	for _, t := range spec.Tolerations {
		if t.Key == "" && t.Operator == corev1.TolerationOpExists && t.Effect == "" {
			return true, "it tolerates every taint"
		}
	}
	return false, ""
}

func checkNodeCriticalPriority(c *lintContext) {
	crit, why := nodeCritical(c.spec)
	if !crit || c.spec.PriorityClassName == "system-node-critical" {
		return
	}
	c.report(podSpecPath.Child("priorityClassName"), "set priorityClassName: system-node-critical",
		"node-critical agent (%s) runs at priority class %q", why, c.spec.PriorityClassName)
}

// upstream: pkg/controller/daemon/util/daemonset_util.go AllowsSurge, on the
// stored (defaulted) DaemonSet.
func checkSurgeHostPort(c *lintContext) {
	if !daemonset.AllowsSurge(c.stored) {
		return
	}
	us := c.stored.Spec.UpdateStrategy
	c.all(func(path *field.Path, ct *corev1.Container) {
		for j, p := range ct.Ports {
			switch {
			case p.HostPort != 0:
				c.report(path.Child("ports").Index(j).Child("hostPort"),
					"set updateStrategy.rollingUpdate.maxSurge: 0 and use maxUnavailable, or drop the hostPort",
					"container %q uses hostPort %d and maxSurge is %s: the surge pod can never start beside the old one", ct.Name, p.HostPort, us.RollingUpdate.MaxSurge.String())
			case c.spec.HostNetwork && p.ContainerPort != 0:
				c.report(path.Child("ports").Index(j).Child("containerPort"),
					"set updateStrategy.rollingUpdate.maxSurge: 0 and use maxUnavailable: on the host network every port is a host port",
					"container %q port %d becomes a hostPort under hostNetwork and maxSurge is %s: the surge pod can never start beside the old one", ct.Name, p.ContainerPort, us.RollingUpdate.MaxSurge.String())
			}
		}
	})
}

// upstream: the InterPodAffinity filter between the old and the new daemon
// pod of one node (daemonset.AntiAffinityAgainstOtherRevisions), on the
// stored DaemonSet with AllowsSurge.
func checkSurgeOwnAntiAffinity(c *lintContext) {
	if !daemonset.AllowsSurge(c.stored) {
		return
	}
	// namespaces known by name only: lint sees no cluster
	i := daemonset.AntiAffinityAgainstOtherRevisions(c.ds, nil)
	if i < 0 {
		return
	}
	c.report(podSpecPath.Child("affinity", "podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution").Index(i),
		"set updateStrategy.rollingUpdate.maxSurge: 0 and use maxUnavailable, or add controller-revision-hash to the term's matchLabelKeys",
		"this required anti-affinity term matches the DaemonSet's own pods of another revision and maxSurge is %s: the surge pod can never bind beside the old one",
		c.stored.Spec.UpdateStrategy.RollingUpdate.MaxSurge.String())
}

func checkSurgeHostNetwork(c *lintContext) {
	if !c.spec.HostNetwork || !daemonset.AllowsSurge(c.stored) {
		return
	}
	us := c.stored.Spec.UpdateStrategy
	declared := false
	c.all(func(_ *field.Path, ct *corev1.Container) {
		for _, p := range ct.Ports {
			declared = declared || p.HostPort != 0 || p.ContainerPort != 0
		}
	})
	if declared {
		return // DK109 reports the declared ports.
	}
	c.report(rollingPath.Child("maxSurge"), "set maxSurge: 0 and use maxUnavailable, or make sure the agent binds no fixed port",
		"maxSurge is %s on the host network: old and new pod share the node's ports", us.RollingUpdate.MaxSurge.String())
}

func checkTolerateAll(c *lintContext) {
	for i, t := range c.spec.Tolerations {
		if t.Key != "" || t.Operator != corev1.TolerationOpExists || (t.Effect != "" && t.Effect != corev1.TaintEffectNoExecute) {
			continue
		}
		// The tolerate-all reason covers every toleration (TolerateAllReasonAnnotation).
		path := podSpecPath.Child("tolerations").Index(i)
		if c.justified(path) || c.justified(podSpecPath.Child("tolerations")) {
			continue
		}
		what := "every taint"
		if t.Effect == corev1.TaintEffectNoExecute {
			what = "every NoExecute taint"
		}
		c.report(path, "tolerate only the taints the agent needs, or record why it must survive every eviction: the pod template annotation daemonkit.io/tolerate-all-reason: \"<why>\"",
			"toleration %d tolerates %s without a reason", i, what)
	}
}

func checkProbePorts(c *lintContext) {
	c.all(func(path *field.Path, ct *corev1.Container) {
		names := map[string]bool{}
		for _, p := range ct.Ports {
			if p.Name != "" {
				names[p.Name] = true
			}
		}
		for _, pr := range []struct {
			name  string
			probe *corev1.Probe
		}{{"livenessProbe", ct.LivenessProbe}, {"readinessProbe", ct.ReadinessProbe}, {"startupProbe", ct.StartupProbe}} {
			if pr.probe == nil {
				continue
			}
			var port *intstr.IntOrString
			sub := ""
			switch {
			case pr.probe.HTTPGet != nil:
				port, sub = &pr.probe.HTTPGet.Port, "httpGet"
			case pr.probe.TCPSocket != nil:
				port, sub = &pr.probe.TCPSocket.Port, "tcpSocket"
			}
			if port == nil || port.Type != intstr.String || names[port.StrVal] {
				continue
			}
			c.report(path.Child(pr.name, sub, "port"), "declare the port by that name under the container's ports, or probe the port number",
				"container %q %s uses port %q, which the container does not declare", ct.Name, pr.name, port.StrVal)
		}
	})
}

func checkHostNetworkDNS(c *lintContext) {
	if c.spec.HostNetwork && (c.spec.DNSPolicy == "" || c.spec.DNSPolicy == corev1.DNSClusterFirst) {
		c.report(podSpecPath.Child("dnsPolicy"), "set dnsPolicy: ClusterFirstWithHostNet (or Default if the agent never resolves cluster names)",
			"hostNetwork with dnsPolicy %q resolves through the node, not cluster DNS", string(cmp.Or(c.spec.DNSPolicy, corev1.DNSClusterFirst)))
	}
}

func checkOverriddenTolerations(c *lintContext) {
	for i, t := range c.spec.Tolerations {
		if (t.Key == corev1.TaintNodeNotReady || t.Key == corev1.TaintNodeUnreachable) && t.Effect == corev1.TaintEffectNoExecute && t.TolerationSeconds != nil {
			c.report(podSpecPath.Child("tolerations").Index(i).Child("tolerationSeconds"),
				"remove tolerationSeconds: daemon pods always tolerate not-ready and unreachable for ever",
				"tolerationSeconds %d on %s is replaced by the DaemonSet controller", *t.TolerationSeconds, t.Key)
		}
	}
}

func checkOnDelete(c *lintContext) {
	if c.ds.Spec.UpdateStrategy.Type == appsv1.OnDeleteDaemonSetStrategyType {
		c.report(dsSpecPath.Child("updateStrategy", "type"), "set updateStrategy.type: RollingUpdate unless an operator deletes pods deliberately",
			"updateStrategy OnDelete: template changes roll out only as pods are deleted")
	}
}

func checkNoPriorityClass(c *lintContext) {
	if crit, _ := nodeCritical(c.spec); crit || c.spec.PriorityClassName != "" {
		return
	}
	c.report(podSpecPath.Child("priorityClassName"), "set priorityClassName to a class above your workloads",
		"no priorityClassName: daemon pods compete with workloads for capacity")
}

func checkSerialRollout(c *lintContext) {
	// On the stored DaemonSet a RollingUpdate strategy has both budgets set
	// (upstream: pkg/apis/apps/v1/defaults.go SetDefaults_DaemonSet).
	us := c.stored.Spec.UpdateStrategy
	if us.Type != appsv1.RollingUpdateDaemonSetStrategyType || us.RollingUpdate == nil {
		return
	}
	mu := us.RollingUpdate.MaxUnavailable
	if mu != nil && mu.Type == intstr.Int && mu.IntVal == 1 && !daemonset.AllowsSurge(c.stored) {
		c.report(rollingPath.Child("maxUnavailable"), "set updateStrategy.rollingUpdate.maxUnavailable to a percentage such as 10% on large clusters",
			"maxUnavailable 1 without surge: one node at a time")
	}
}

// runtimeSockets are host paths that control the container runtime.
var runtimeSockets = []string{
	"/var/run/docker.sock", "/run/docker.sock",
	"/var/run/containerd/containerd.sock", "/run/containerd/containerd.sock",
	"/var/run/crio/crio.sock", "/run/crio/crio.sock",
}

func checkRuntimeSocket(c *lintContext) {
	for i, v := range c.spec.Volumes {
		if v.HostPath == nil {
			continue
		}
		for _, s := range runtimeSockets {
			if strings.TrimSuffix(v.HostPath.Path, "/") == s {
				c.report(podSpecPath.Child("volumes").Index(i).Child("hostPath", "path"), "remove the hostPath volume and use the kubelet APIs (pod-resources, CRI logs) instead",
					"volume %q mounts the container runtime socket %s", v.Name, v.HostPath.Path)
				break
			}
		}
	}
}

func checkLiveness(c *lintContext) {
	c.regular(func(path *field.Path, ct *corev1.Container) {
		if ct.LivenessProbe == nil {
			c.report(path.Child("livenessProbe"), "add a livenessProbe that fails when the agent hangs", "container %q has no liveness probe", ct.Name)
		}
	})
}

func checkDuplicateEnv(c *lintContext) {
	c.all(func(path *field.Path, ct *corev1.Container) {
		seen := map[string]bool{}
		for k, e := range ct.Env {
			if seen[e.Name] {
				c.report(path.Child("env").Index(k), "define each env var once", "container %q defines %s more than once", ct.Name, e.Name)
			}
			seen[e.Name] = true
		}
	})
}

// secretEnvName matches env names that usually hold credentials.
// upstream-like: kube-linter env-var-secret uses (?i).*secret.*|.*password.*|.*token.*
var secretEnvName = regexp.MustCompile(`(?i)(secret|password|passwd|token|api_?key|private_?key)`)

func checkSecretEnv(c *lintContext) {
	c.all(func(path *field.Path, ct *corev1.Container) {
		for k, e := range ct.Env {
			if e.Value != "" && e.ValueFrom == nil && secretEnvName.MatchString(e.Name) {
				c.report(path.Child("env").Index(k).Child("value"), "read it from a Secret: valueFrom.secretKeyRef instead of value",
					"container %q sets %s to a literal value", ct.Name, e.Name)
			}
		}
	})
}

func checkVirtualNodes(c *lintContext) {
	// Virtual-kubelet and Fargate nodes carry NoSchedule taints; tolerating
	// every NoSchedule taint is enough to land there.
	tolerAll := false
	for _, t := range c.spec.Tolerations {
		if t.Key == "" && t.Operator == corev1.TolerationOpExists && (t.Effect == "" || t.Effect == corev1.TaintEffectNoSchedule) {
			tolerAll = true
		}
	}
	if !tolerAll {
		return
	}
	if a := c.spec.Affinity; a != nil && a.NodeAffinity != nil && a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution != nil {
		for _, t := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
			for _, e := range t.MatchExpressions {
				if (e.Key == "type" || e.Key == "eks.amazonaws.com/compute-type") && e.Operator == corev1.NodeSelectorOpNotIn {
					return
				}
			}
		}
	}
	c.report(podSpecPath.Child("affinity", "nodeAffinity"), "add a required nodeAffinity term excluding virtual nodes: type NotIn [virtual-kubelet], eks.amazonaws.com/compute-type NotIn [fargate]",
		"tolerates every NoSchedule taint and does not exclude virtual-kubelet or Fargate nodes")
}
