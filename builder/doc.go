// Package builder builds Kubernetes DaemonSets for node agents in typed Go:
// a fluent, copy-safe builder over the real k8s.io/api types that returns
// every problem at once, with field paths, and makes every privilege say why
// it is needed.
//
//	ds, err := builder.New("node-agent").
//		Namespace("monitoring").
//		Container("agent", "example.com/agent:1.4.2",
//			builder.Args("--listen=:9100"),
//			builder.Port("metrics", 9100),
//			builder.Requests("50m", "64Mi"),
//			builder.Readiness(builder.HTTPGet("/healthz", builder.PortName("metrics"))),
//			builder.HostPath("proc", "/proc", "/host/proc"),
//			builder.ReadOnlyRootFilesystem(), builder.DropAllCapabilities()).
//		HostPID("reads every process's metrics from /proc").
//		NodeSelector("kubernetes.io/os", "linux").
//		TolerateAll().
//		RollingUpdate(builder.Percent(10)).
//		Build()
//
// # Guarantees
//
//   - Build returns an *appsv1.DaemonSet or an *Error holding a
//     field.ErrorList: the builder's own findings (quantity strings that do not
//     parse, privileges without a reason, options that do not apply, a missing
//     image, template labels contradicting the selector, ...) followed by
//     daemonset.Validate's verdict, which answers as the v1.37 API server would.
//   - No call panics, whatever the arguments (nil options and functions are
//     ignored; a nil *DaemonSet is inert).
//   - The object Build returns never shares memory with the builder; Build
//     does not change the builder, and building twice gives equal objects.
//     Clone gives an independent builder, so a base can spawn variants.
//   - Selector and template labels cannot drift: Build copies the selector's
//     matchLabels (by default app.kubernetes.io/name=<name>) into the template.
//   - Lists are keyed and editable: containers, env vars, ports and volumes are
//     replaced by name, mounts by path, and each has a Remove counterpart.
//   - Privileged containers, added capabilities, writable hostPath mounts and
//     the host network, PID and IPC namespaces each take a reason, which Build
//     records as JSON in the pod template annotation PrivilegesAnnotation; a
//     privilege without a reason is a Build error, however it was set.
//   - Output is deterministic: the same calls give byte-identical objects.
//
// # Non-goals
//
// Build does not apply server defaults (see daemonset.SetDefaults): it returns
// the object as a user would apply it. The builder adds no silent security
// defaults either; posture comes from explicit options or from package
// presets. It has no client and talks to no cluster. Fields without a method
// are reached with Edit and ContainerFunc, which see the real API types.
package builder
