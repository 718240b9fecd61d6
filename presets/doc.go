// Package presets holds production node agents as typed options over package
// builder, the objects they need beside their DaemonSet, a Pod Security
// Standards report for any pod template, and a linter for DaemonSets.
//
// # Presets
//
// FluentBit, NodeExporter, DCGMExporter, Cilium, Calico and Flannel each take
// an options struct whose zero value reproduces the upstream chart or
// manifest named in its doc comment (images and tags, arguments, ports,
// mounts, probes, tolerations, node selection, priority class, resources and
// update strategy), and return a *builder.DaemonSet so anything can be
// adjusted before Build. Where the upstream chart leaves resources empty and
// suggests values in a comment, the preset sets the suggested values; an
// agent that runs only on Linux selects kubernetes.io/os: linux. Every preset
// passes its own lint without a warning: what the preset keeps as upstream
// ships it on purpose (calico-node's and flannel's missing memory limit) is
// silenced by an ignore-check annotation that says why. Every privilege a
// preset takes carries its reason in builder.PrivilegesAnnotation. The
// matching ...Companions functions return the ServiceAccount, the
// ClusterRole and binding with the rules the agent uses, a metrics Service
// where it serves metrics, and the Namespace labelled for the Pod Security
// level its pods need, unless it is a namespace every cluster has
// (IsSystemNamespace). Catalog lists them all; Settings changes what every
// preset shares (node selector, tolerations, resources, rollout budget,
// priority class, image).
//
//	ds, err := presets.NodeExporter(presets.NodeExporterOptions{}).
//		PriorityClass("system-node-critical").
//		Build()
//
// # Pod Security
//
// EvaluatePodSecurity (or a PodSecurityEvaluator pinned to a policy version)
// runs the checks of k8s.io/pod-security-admission/policy on the pod the
// DaemonSet controller creates, and reports the strictest level met and, for
// each stricter level, every failing check with upstream's reason and detail,
// the fields that cause it, the builder call that set each field and the
// reason recorded for it.
//
// # Lint
//
// Lint runs the checks listed by LintChecks (stable IDs DK101..., each with a
// fixed severity, a rationale and a fix) and returns findings with field
// paths and hints that say the YAML change first and the builder call
// second. LintDaemonSet also returns the findings silenced by ignore-check
// annotations (IgnoreCheckAnnotationPrefix, one per check, with a reason;
// ParseIgnoreChecks reads them), each with its reason; a malformed lint
// annotation is an error finding, DK100. docs/lint.md documents the checks,
// the annotations and the writable host paths a CNI agent is not warned
// about.
//
// # Guarantees
//
//   - The Pod Security verdict equals upstream's policy registry on the same
//     pod, for every level and policy version (tested on random pods here and
//     on every preset against upstream's Pod defaulting in conformance/).
//   - Every preset passes daemonset.Validate and upstream's ValidateDaemonSet;
//     its companions pass upstream's core and RBAC validation.
//   - No function panics or prints; outputs are deterministic (findings and
//     failures in a fixed order, presets rendering byte-identically).
//
// # Non-goals
//
// Presets do not create the agents' configuration (fluent-bit pipelines,
// cilium-config, calico-config, kube-flannel-cfg, dcgm counters), their CRDs
// or their controllers; they mount or reference them by name. Lint judges one
// DaemonSet at a time, without the cluster (it cannot see PriorityClasses,
// other DaemonSets' host ports or node labels). Pod Security evaluation does
// not model namespace exemptions or admission webhooks.
package presets
