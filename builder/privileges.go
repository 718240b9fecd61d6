package builder

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// PrivilegesAnnotation is the pod template annotation in which Build records
// why each privilege of the pod is needed, so a reviewer reads the reason
// beside the privilege. Its value is a JSON array of Privilege objects,
// sorted by privilege, container, volume and capability, for example:
//
//	[{"privilege":"hostNetwork","container":"","reason":"serves node metrics on the node's address"},
//	 {"privilege":"writableHostPath","container":"agent","volume":"state","reason":"keeps its position file"}]
//
// Build sets it when the template holds at least one privilege and removes it
// otherwise. ParsePrivileges reads it back.
const PrivilegesAnnotation = "daemonkit.io/privileges"

// PrivilegeKind names a privilege that Build requires a reason for.
type PrivilegeKind string

// The privileges Build asks a reason for. Each gives a pod power over its
// node beyond what the Pod Security baseline level allows.
const (
	// PrivilegeHostNetwork: spec.hostNetwork (set with HostNetwork).
	PrivilegeHostNetwork PrivilegeKind = "hostNetwork"
	// PrivilegeHostPID: spec.hostPID (set with HostPID).
	PrivilegeHostPID PrivilegeKind = "hostPID"
	// PrivilegeHostIPC: spec.hostIPC (set with HostIPC).
	PrivilegeHostIPC PrivilegeKind = "hostIPC"
	// PrivilegePrivileged: a container's securityContext.privileged (Privileged).
	PrivilegePrivileged PrivilegeKind = "privileged"
	// PrivilegeCapability: a capability in securityContext.capabilities.add
	// (AddCapability); Privilege.Capability names it.
	PrivilegeCapability PrivilegeKind = "capability"
	// PrivilegeWritableHostPath: a container mounts a hostPath volume without
	// readOnly (HostPath or Mount with Writable); Privilege.Volume names it.
	PrivilegeWritableHostPath PrivilegeKind = "writableHostPath"
)

// known lists the kinds in the order RequiredPrivileges reports pod-level ones.
var knownKinds = []PrivilegeKind{PrivilegeHostNetwork, PrivilegeHostPID, PrivilegeHostIPC,
	PrivilegePrivileged, PrivilegeCapability, PrivilegeWritableHostPath}

// Privilege is one privilege of a pod template and why it is needed; it is
// the element of the PrivilegesAnnotation JSON array.
type Privilege struct {
	// Kind says which privilege it is; the JSON key is "privilege".
	Kind PrivilegeKind `json:"privilege"`
	// Container names the (init) container holding the privilege; empty for
	// pod-level privileges (host namespaces).
	Container string `json:"container"`
	// Volume names the hostPath volume of a PrivilegeWritableHostPath.
	Volume string `json:"volume,omitempty"`
	// Capability names the capability of a PrivilegeCapability.
	Capability corev1.Capability `json:"capability,omitempty"`
	// Reason says why the agent needs the privilege; empty in what
	// RequiredPrivileges returns.
	Reason string `json:"reason"`
}

// privilegeKey identifies a privilege regardless of its reason.
type privilegeKey struct {
	kind       PrivilegeKind
	container  string
	volume     string
	capability corev1.Capability
}

func (p Privilege) key() privilegeKey {
	return privilegeKey{kind: p.Kind, container: p.Container, volume: p.Volume, capability: p.Capability}
}

// Justify records the reason for a privilege set without a dedicated method
// (with Edit or ContainerFunc, or by a preset); p.Reason is the reason and the
// other fields identify the privilege as RequiredPrivileges reports it. A
// reason for a privilege absent from the built object is ignored.
func (b *DaemonSet) Justify(p Privilege) *DaemonSet {
	if b == nil {
		return nil
	}
	b.justify(p.key(), p.Reason)
	return b
}

func (b *DaemonSet) justify(k privilegeKey, reason string) {
	if reason == "" {
		delete(b.reasons, k)
		return
	}
	if b.reasons == nil {
		b.reasons = map[privilegeKey]string{}
	}
	b.reasons[k] = reason
}

// HostNetwork runs the pod in the node's network namespace (it sees and binds
// the node's interfaces) and sets dnsPolicy ClusterFirstWithHostNet so it
// still resolves cluster names. reason says why; Build records it in
// PrivilegesAnnotation, and an empty reason is a Build error.
func (b *DaemonSet) HostNetwork(reason string) *DaemonSet {
	if b == nil {
		return nil
	}
	spec := &b.obj.Spec.Template.Spec
	spec.HostNetwork = true
	spec.DNSPolicy = corev1.DNSClusterFirstWithHostNet
	b.justify(privilegeKey{kind: PrivilegeHostNetwork}, reason)
	return b
}

// NoHostNetwork undoes HostNetwork (and its dnsPolicy).
func (b *DaemonSet) NoHostNetwork() *DaemonSet {
	if b == nil {
		return nil
	}
	spec := &b.obj.Spec.Template.Spec
	spec.HostNetwork = false
	if spec.DNSPolicy == corev1.DNSClusterFirstWithHostNet {
		spec.DNSPolicy = ""
	}
	delete(b.reasons, privilegeKey{kind: PrivilegeHostNetwork})
	return b
}

// HostPID runs the pod in the node's process namespace (it sees and can
// signal every process on the node). reason says why, as for HostNetwork.
func (b *DaemonSet) HostPID(reason string) *DaemonSet {
	if b == nil {
		return nil
	}
	b.obj.Spec.Template.Spec.HostPID = true
	b.justify(privilegeKey{kind: PrivilegeHostPID}, reason)
	return b
}

// NoHostPID undoes HostPID.
func (b *DaemonSet) NoHostPID() *DaemonSet {
	if b == nil {
		return nil
	}
	b.obj.Spec.Template.Spec.HostPID = false
	delete(b.reasons, privilegeKey{kind: PrivilegeHostPID})
	return b
}

// HostIPC runs the pod in the node's IPC namespace (shared memory, semaphores).
// reason says why, as for HostNetwork.
func (b *DaemonSet) HostIPC(reason string) *DaemonSet {
	if b == nil {
		return nil
	}
	b.obj.Spec.Template.Spec.HostIPC = true
	b.justify(privilegeKey{kind: PrivilegeHostIPC}, reason)
	return b
}

// NoHostIPC undoes HostIPC.
func (b *DaemonSet) NoHostIPC() *DaemonSet {
	if b == nil {
		return nil
	}
	b.obj.Spec.Template.Spec.HostIPC = false
	delete(b.reasons, privilegeKey{kind: PrivilegeHostIPC})
	return b
}

// requiredPrivilege is a privilege found in a pod spec with the field path
// that grants it.
type requiredPrivilege struct {
	p    Privilege
	path *field.Path
}

// RequiredPrivileges lists the privileges present in spec, each once, with an
// empty Reason: host namespaces first, then per init container and container
// (in order) privileged, added capabilities, writable hostPath mounts. Lint
// and Pod Security reports can compare it with ParsePrivileges.
func RequiredPrivileges(spec *corev1.PodSpec) []Privilege {
	req := requiredPrivileges(spec)
	if len(req) == 0 {
		return nil
	}
	out := make([]Privilege, len(req))
	for i, r := range req {
		out[i] = r.p
	}
	return out
}

func requiredPrivileges(spec *corev1.PodSpec) []requiredPrivilege {
	if spec == nil {
		return nil
	}
	var out []requiredPrivilege
	if spec.HostNetwork {
		out = append(out, requiredPrivilege{Privilege{Kind: PrivilegeHostNetwork}, podSpecPath.Child("hostNetwork")})
	}
	if spec.HostPID {
		out = append(out, requiredPrivilege{Privilege{Kind: PrivilegeHostPID}, podSpecPath.Child("hostPID")})
	}
	if spec.HostIPC {
		out = append(out, requiredPrivilege{Privilege{Kind: PrivilegeHostIPC}, podSpecPath.Child("hostIPC")})
	}
	hostPaths := map[string]bool{}
	for _, v := range spec.Volumes {
		if v.HostPath != nil {
			hostPaths[v.Name] = true
		}
	}
	seen := map[privilegeKey]bool{}
	add := func(p Privilege, path *field.Path) {
		if !seen[p.key()] {
			seen[p.key()] = true
			out = append(out, requiredPrivilege{p, path})
		}
	}
	scan := func(cs []corev1.Container, base *field.Path) {
		for i := range cs {
			c := &cs[i]
			cp := base.Index(i)
			if sc := c.SecurityContext; sc != nil {
				if sc.Privileged != nil && *sc.Privileged {
					add(Privilege{Kind: PrivilegePrivileged, Container: c.Name}, cp.Child("securityContext", "privileged"))
				}
				if sc.Capabilities != nil {
					for j, capability := range sc.Capabilities.Add {
						add(Privilege{Kind: PrivilegeCapability, Container: c.Name, Capability: capability},
							cp.Child("securityContext", "capabilities", "add").Index(j))
					}
				}
			}
			for j, m := range c.VolumeMounts {
				if hostPaths[m.Name] && !m.ReadOnly {
					add(Privilege{Kind: PrivilegeWritableHostPath, Container: c.Name, Volume: m.Name},
						cp.Child("volumeMounts").Index(j).Child("readOnly"))
				}
			}
		}
	}
	scan(spec.InitContainers, initContainersPath)
	scan(spec.Containers, containersPath)
	return out
}

// applyPrivileges checks that every privilege of the built template has a
// reason and records the reasons in PrivilegesAnnotation.
func (b *DaemonSet) applyPrivileges(out *appsv1.DaemonSet) field.ErrorList {
	var errs field.ErrorList
	var recorded []Privilege
	for _, r := range requiredPrivileges(&out.Spec.Template.Spec) {
		if r.p.Kind == PrivilegeCapability && r.p.Capability == "" {
			// the API server accepts it, but it grants nothing and cannot
			// be named in the annotation.
			errs = append(errs, field.Invalid(r.path, "", "empty capability name"))
			continue
		}
		reason := b.reasons[r.p.key()]
		if reason == "" {
			errs = append(errs, field.Required(r.path, missingReason(r.p)))
			continue
		}
		p := r.p
		p.Reason = reason
		recorded = append(recorded, p)
	}
	tmpl := &out.Spec.Template
	if len(recorded) == 0 {
		delete(tmpl.Annotations, PrivilegesAnnotation)
		if len(tmpl.Annotations) == 0 {
			tmpl.Annotations = nil
		}
		return errs
	}
	sortPrivileges(recorded)
	data, err := json.Marshal(recorded)
	if err != nil {
		// unreachable: Privilege holds only strings.
		return append(errs, field.InternalError(field.NewPath("spec", "template", "metadata", "annotations").Key(PrivilegesAnnotation), err))
	}
	if tmpl.Annotations == nil {
		tmpl.Annotations = map[string]string{}
	}
	tmpl.Annotations[PrivilegesAnnotation] = string(data)
	return errs
}

func missingReason(p Privilege) string {
	switch p.Kind {
	case PrivilegeHostNetwork:
		return "hostNetwork is a privilege and needs a reason: HostNetwork(reason)"
	case PrivilegeHostPID:
		return "hostPID is a privilege and needs a reason: HostPID(reason)"
	case PrivilegeHostIPC:
		return "hostIPC is a privilege and needs a reason: HostIPC(reason)"
	case PrivilegePrivileged:
		return fmt.Sprintf("container %q is privileged and needs a reason: Privileged(reason)", p.Container)
	case PrivilegeCapability:
		return fmt.Sprintf("capability %s of container %q is a privilege and needs a reason: AddCapability(%q, reason)", p.Capability, p.Container, p.Capability)
	default:
		return fmt.Sprintf("container %q mounts hostPath volume %q writable, a privilege that needs a reason: Writable(reason), or mount it read-only", p.Container, p.Volume)
	}
}

func sortPrivileges(ps []Privilege) {
	slices.SortFunc(ps, func(a, b Privilege) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Container, b.Container),
			cmp.Compare(a.Volume, b.Volume), cmp.Compare(a.Capability, b.Capability), cmp.Compare(a.Reason, b.Reason))
	})
}

// ParsePrivileges reads PrivilegesAnnotation from a pod template's
// annotations: nil when absent, an error (with the annotation's field path)
// when it is not a JSON array of Privilege objects with known kinds, the
// fields each kind needs, and a reason.
func ParsePrivileges(annotations map[string]string) ([]Privilege, error) {
	raw, ok := annotations[PrivilegesAnnotation]
	if !ok {
		return nil, nil
	}
	path := field.NewPath("metadata", "annotations").Key(PrivilegesAnnotation)
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	dec.DisallowUnknownFields()
	var ps []Privilege
	if err := dec.Decode(&ps); err != nil {
		return nil, field.Invalid(path, raw, "not a JSON array of privileges: "+err.Error())
	}
	if dec.More() {
		return nil, field.Invalid(path, raw, "trailing data after the JSON array")
	}
	if ps == nil {
		return nil, field.Invalid(path, raw, "not a JSON array of privileges")
	}
	for i, p := range ps {
		ip := path.Index(i)
		switch {
		case !slices.Contains(knownKinds, p.Kind):
			return nil, field.NotSupported(ip.Child("privilege"), p.Kind, knownKinds)
		case p.Reason == "":
			return nil, field.Required(ip.Child("reason"), "every privilege needs a reason")
		case p.Kind == PrivilegeCapability && p.Capability == "":
			return nil, field.Required(ip.Child("capability"), "a capability privilege names the capability")
		case p.Kind == PrivilegeWritableHostPath && p.Volume == "":
			return nil, field.Required(ip.Child("volume"), "a writableHostPath privilege names the volume")
		case (p.Kind == PrivilegePrivileged || p.Kind == PrivilegeCapability || p.Kind == PrivilegeWritableHostPath) && p.Container == "":
			return nil, field.Required(ip.Child("container"), "a container privilege names the container")
		}
	}
	return ps, nil
}
