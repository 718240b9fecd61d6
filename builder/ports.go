package builder

import (
	"cmp"
	"slices"

	corev1 "k8s.io/api/core/v1"
)

// PortOption refines a port declared with Port or HostPort.
type PortOption interface {
	applyPort(p *corev1.ContainerPort)
}

type portOptionFunc func(p *corev1.ContainerPort)

func (f portOptionFunc) applyPort(p *corev1.ContainerPort) { f(p) }

// Port declares a named container port (TCP unless Protocol says otherwise).
// Ports are keyed by name (or, unnamed, by number and protocol): declaring an
// existing one replaces it in place.
func Port(name string, containerPort int32, opts ...PortOption) ContainerOption {
	return putPort(corev1.ContainerPort{Name: name, ContainerPort: containerPort}, opts)
}

// HostPort declares a named port that is also opened on the node at the same
// number. A host port limits the rollout: a surge pod cannot start beside the
// old one on the same node.
func HostPort(name string, port int32, opts ...PortOption) ContainerOption {
	return putPort(corev1.ContainerPort{Name: name, ContainerPort: port, HostPort: port}, opts)
}

// Protocol sets the port's protocol (TCP, UDP or SCTP).
func Protocol(p corev1.Protocol) PortOption {
	return portOptionFunc(func(cp *corev1.ContainerPort) { cp.Protocol = p })
}

// OnHostPort opens the port on the node at hostPort (which must equal the
// container port when the pod uses the host network).
func OnHostPort(hostPort int32) PortOption {
	return portOptionFunc(func(cp *corev1.ContainerPort) { cp.HostPort = hostPort })
}

// HostIP binds the host port to one node address.
func HostIP(ip string) PortOption {
	return portOptionFunc(func(cp *corev1.ContainerPort) { cp.HostIP = ip })
}

// RemovePort removes the ports with these names.
func RemovePort(names ...string) ContainerOption {
	names = slices.Clone(names)
	return containerOptionFunc(func(x *containerCtx) {
		x.c.Ports = slices.DeleteFunc(slices.Clone(x.c.Ports), func(p corev1.ContainerPort) bool { return slices.Contains(names, p.Name) })
	})
}

func putPort(p corev1.ContainerPort, opts []PortOption) ContainerOption {
	for _, o := range opts {
		if o != nil {
			o.applyPort(&p)
		}
	}
	return containerOptionFunc(func(x *containerCtx) {
		same := func(q corev1.ContainerPort) bool {
			if p.Name != "" || q.Name != "" {
				return p.Name == q.Name
			}
			return p.ContainerPort == q.ContainerPort && cmp.Or(p.Protocol, corev1.ProtocolTCP) == cmp.Or(q.Protocol, corev1.ProtocolTCP)
		}
		ports := slices.Clone(x.c.Ports)
		if i := slices.IndexFunc(ports, same); i >= 0 {
			ports[i] = p
		} else {
			ports = append(ports, p)
		}
		x.c.Ports = ports
	})
}
