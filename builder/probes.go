package builder

import (
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Probe is a health check, built from HTTPGet, TCPSocket, Exec or GRPC and
// refined by its methods; it is a value, so refining returns a new Probe and
// the original stays usable. Give it to a container with Liveness, Readiness
// or Startup. Unset timings are left to the API server's defaults (timeout
// 1s, period 10s, success 1, failure 3).
type Probe struct {
	p corev1.Probe
}

// PortName refers to a container port by name, for probes.
func PortName(name string) intstr.IntOrString { return intstr.FromString(name) }

// PortNumber refers to a container port by number, for probes.
func PortNumber(port int32) intstr.IntOrString { return intstr.FromInt32(port) }

// HTTPGet probes with an HTTP GET of path on port; status 200-399 passes.
func HTTPGet(path string, port intstr.IntOrString) Probe {
	return Probe{p: corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: path, Port: port}}}}
}

// TCPSocket probes by opening a TCP connection to port.
func TCPSocket(port intstr.IntOrString) Probe {
	return Probe{p: corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: port}}}}
}

// Exec probes by running command in the container; exit status 0 passes.
func Exec(command ...string) Probe {
	return Probe{p: corev1.Probe{ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: slices.Clone(command)}}}}
}

// GRPC probes with the gRPC health checking protocol on port; service may be
// empty (the server's overall health).
func GRPC(port int32, service string) Probe {
	s := service
	return Probe{p: corev1.Probe{ProbeHandler: corev1.ProbeHandler{GRPC: &corev1.GRPCAction{Port: port, Service: &s}}}}
}

// HTTPS makes an HTTPGet probe use HTTPS; other probes are unchanged.
func (p Probe) HTTPS() Probe {
	q := p.copy()
	if q.p.HTTPGet != nil {
		q.p.HTTPGet.Scheme = corev1.URISchemeHTTPS
	}
	return q
}

// Host sets the host an HTTPGet probe connects to (by default the pod IP;
// agents on the host network often listen on 127.0.0.1 only). Other probes
// are unchanged.
func (p Probe) Host(host string) Probe {
	q := p.copy()
	if q.p.HTTPGet != nil {
		q.p.HTTPGet.Host = host
	}
	return q
}

// Header adds an HTTP header to an HTTPGet probe; other probes are unchanged.
func (p Probe) Header(name, value string) Probe {
	q := p.copy()
	if q.p.HTTPGet != nil {
		q.p.HTTPGet.HTTPHeaders = append(q.p.HTTPGet.HTTPHeaders, corev1.HTTPHeader{Name: name, Value: value})
	}
	return q
}

// InitialDelay sets initialDelaySeconds.
func (p Probe) InitialDelay(seconds int32) Probe {
	q := p.copy()
	q.p.InitialDelaySeconds = seconds
	return q
}

// Period sets periodSeconds.
func (p Probe) Period(seconds int32) Probe {
	q := p.copy()
	q.p.PeriodSeconds = seconds
	return q
}

// Timeout sets timeoutSeconds.
func (p Probe) Timeout(seconds int32) Probe {
	q := p.copy()
	q.p.TimeoutSeconds = seconds
	return q
}

// SuccessThreshold sets successThreshold (must be 1 for liveness and startup).
func (p Probe) SuccessThreshold(n int32) Probe {
	q := p.copy()
	q.p.SuccessThreshold = n
	return q
}

// FailureThreshold sets failureThreshold.
func (p Probe) FailureThreshold(n int32) Probe {
	q := p.copy()
	q.p.FailureThreshold = n
	return q
}

// TerminationGracePeriod sets the probe-level terminationGracePeriodSeconds
// (liveness and startup only).
func (p Probe) TerminationGracePeriod(seconds int64) Probe {
	q := p.copy()
	q.p.TerminationGracePeriodSeconds = &seconds
	return q
}

// Probe returns the API object; the caller owns it.
func (p Probe) Probe() *corev1.Probe { return p.p.DeepCopy() }

func (p Probe) copy() Probe { return Probe{p: *p.p.DeepCopy()} }

// Liveness sets the liveness probe: the kubelet restarts the container when
// it fails.
func Liveness(p Probe) ContainerOption {
	return containerOptionFunc(func(x *containerCtx) { x.c.LivenessProbe = p.Probe() })
}

// Readiness sets the readiness probe: the pod counts as ready (and, after
// minReadySeconds, available to the rollout) only while it passes.
func Readiness(p Probe) ContainerOption {
	return containerOptionFunc(func(x *containerCtx) { x.c.ReadinessProbe = p.Probe() })
}

// Startup sets the startup probe, which holds off the other probes until it
// passes once.
func Startup(p Probe) ContainerOption {
	return containerOptionFunc(func(x *containerCtx) { x.c.StartupProbe = p.Probe() })
}

// NoLiveness removes the liveness probe.
func NoLiveness() ContainerOption {
	return containerOptionFunc(func(x *containerCtx) { x.c.LivenessProbe = nil })
}

// NoReadiness removes the readiness probe.
func NoReadiness() ContainerOption {
	return containerOptionFunc(func(x *containerCtx) { x.c.ReadinessProbe = nil })
}

// NoStartup removes the startup probe.
func NoStartup() ContainerOption {
	return containerOptionFunc(func(x *containerCtx) { x.c.StartupProbe = nil })
}
