package daemonset

import (
	"slices"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// trim drops from a decoded Node or Pod what no daemonkit computation reads
// and what makes up most of a cluster dump, and shares, through in, the
// strings Nodes and Pods repeat. DaemonSets are kept whole: they are what
// users write and encode back.
//
// Of every Node and Pod: managedFields and the kubectl last-applied
// annotation. Of a Node: its cached image list (status.images). Of a Pod:
// its containers' status.containerStatuses[].imageID and containerID. Of a
// Pod that another kind of controller than a DaemonSet controls (an
// ownerReference with controller: true and a kind other than DaemonSet),
// which no DaemonSet can own or adopt (upstream:
// pkg/controller/controller_ref_manager.go ClaimObject), what the scheduler
// stage and the image-locality of start-up never read of another workload's
// pods: spec.volumes, spec.ephemeralContainers and its containers' and init
// containers' command, args, env, envFrom, volumeMounts, volumeDevices,
// probes and lifecycle. The same fields simulate/live does not keep of
// such pods; requests, host ports, images, tolerations, affinity, priority
// and status stay.
func trim(obj any, in *interner) {
	switch o := obj.(type) {
	case *corev1.Node:
		o.Status.Images = nil
		o.ManagedFields = nil
		delete(o.Annotations, LastAppliedAnnotation)
		in.node(o)
		o.Status.Conditions = clip(o.Status.Conditions)
		o.Status.Addresses = clip(o.Status.Addresses)
		o.Spec.Taints = clip(o.Spec.Taints)
	case *corev1.Pod:
		o.ManagedFields = nil
		delete(o.Annotations, LastAppliedAnnotation)
		for i := range o.Status.InitContainerStatuses {
			o.Status.InitContainerStatuses[i].ImageID, o.Status.InitContainerStatuses[i].ContainerID = "", ""
		}
		for i := range o.Status.ContainerStatuses {
			o.Status.ContainerStatuses[i].ImageID, o.Status.ContainerStatuses[i].ContainerID = "", ""
		}
		for i := range o.Status.EphemeralContainerStatuses {
			o.Status.EphemeralContainerStatuses[i].ImageID, o.Status.EphemeralContainerStatuses[i].ContainerID = "", ""
		}
		if ref := metav1.GetControllerOfNoCopy(o); ref != nil && ref.Kind != "DaemonSet" {
			trimOtherWorkloadPod(o)
		}
		in.pod(o)
		o.OwnerReferences = clip(o.OwnerReferences)
		o.Spec.Tolerations = clip(o.Spec.Tolerations)
		o.Status.Conditions = clip(o.Status.Conditions)
		o.Status.ContainerStatuses = clip(o.Status.ContainerStatuses)
		o.Status.InitContainerStatuses = clip(o.Status.InitContainerStatuses)
	}
}

// clip returns s in an array of its own length: the JSON decoder grows a
// list's array by doubling, so five pod conditions take the room of eight.
// Values are unchanged.
func clip[T any](s []T) []T {
	if cap(s) == len(s) {
		return s
	}
	return slices.Clone(s)
}

// trimOtherWorkloadPod drops what is only read of a DaemonSet's own pods.
func trimOtherWorkloadPod(p *corev1.Pod) {
	p.Spec.Volumes = nil
	p.Spec.EphemeralContainers = nil
	for _, cs := range [][]corev1.Container{p.Spec.InitContainers, p.Spec.Containers} {
		for i := range cs {
			c := &cs[i]
			c.Command, c.Args, c.Env, c.EnvFrom = nil, nil, nil, nil
			c.VolumeMounts, c.VolumeDevices = nil, nil
			c.LivenessProbe, c.ReadinessProbe, c.StartupProbe, c.Lifecycle = nil, nil, nil, nil
		}
	}
}

// interner shares equal strings between the Nodes and Pods of one Decode
// call: the namespaces, labels, owners, images and condition types a
// cluster's objects repeat by the thousand. Values are unchanged; only
// their storage is shared. It is safe for the decoding workers to share.
type interner struct {
	mu sync.Mutex
	m  map[string]string
}

// maxInterned bounds the table: past it, strings already in it are still
// shared, new ones kept as they are.
const maxInterned = 1 << 18

func newInterner() *interner { return &interner{m: map[string]string{}} }

func (in *interner) s(p *string) { intern(in, p) }

// intern shares *p, a string of any string type.
func intern[S ~string](in *interner, p *S) {
	if *p == "" {
		return
	}
	if v, ok := in.m[string(*p)]; ok {
		*p = S(v)
	} else if len(in.m) < maxInterned {
		in.m[string(*p)] = string(*p)
	}
}

func (in *interner) strMap(m map[string]string) {
	for k, v := range m {
		in.s(&v)
		m[k] = v
	}
}

func (in *interner) meta(m *metav1.ObjectMeta) {
	in.s(&m.Namespace)
	in.s(&m.GenerateName)
	in.strMap(m.Labels)
	for i := range m.OwnerReferences {
		r := &m.OwnerReferences[i]
		in.s(&r.APIVersion)
		in.s(&r.Kind)
		in.s(&r.Name)
		intern(in, &r.UID)
	}
}

func (in *interner) node(n *corev1.Node) {
	if in == nil {
		return
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.meta(&n.ObjectMeta)
	for i := range n.Spec.Taints {
		t := &n.Spec.Taints[i]
		in.s(&t.Key)
		in.s(&t.Value)
		intern(in, &t.Effect)
	}
	ni := &n.Status.NodeInfo
	for _, p := range []*string{&ni.KernelVersion, &ni.OSImage, &ni.ContainerRuntimeVersion, &ni.KubeletVersion, &ni.KubeProxyVersion, &ni.OperatingSystem, &ni.Architecture} {
		in.s(p)
	}
	for i := range n.Status.Conditions {
		c := &n.Status.Conditions[i]
		intern(in, &c.Type)
		intern(in, &c.Status)
		in.s(&c.Reason)
		in.s(&c.Message)
	}
}

func (in *interner) pod(p *corev1.Pod) {
	if in == nil {
		return
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.meta(&p.ObjectMeta)
	s := &p.Spec
	in.s(&s.NodeName)
	in.s(&s.ServiceAccountName)
	in.s(&s.DeprecatedServiceAccount)
	in.s(&s.SchedulerName)
	in.s(&s.PriorityClassName)
	intern(in, &s.RestartPolicy)
	intern(in, &s.DNSPolicy)
	if s.PreemptionPolicy != nil {
		intern(in, s.PreemptionPolicy)
	}
	for _, cs := range [][]corev1.Container{s.InitContainers, s.Containers} {
		for i := range cs {
			c := &cs[i]
			in.s(&c.Name)
			in.s(&c.Image)
			in.s(&c.TerminationMessagePath)
			intern(in, &c.TerminationMessagePolicy)
			intern(in, &c.ImagePullPolicy)
			for j := range c.Ports {
				in.s(&c.Ports[j].Name)
				intern(in, &c.Ports[j].Protocol)
			}
			for j := range c.Env {
				in.s(&c.Env[j].Name)
				in.s(&c.Env[j].Value)
			}
			for j := range c.VolumeMounts {
				in.s(&c.VolumeMounts[j].Name)
				in.s(&c.VolumeMounts[j].MountPath)
			}
		}
	}
	for i := range s.Volumes {
		in.s(&s.Volumes[i].Name)
	}
	for i := range s.Tolerations {
		t := &s.Tolerations[i]
		in.s(&t.Key)
		in.s(&t.Value)
		intern(in, &t.Operator)
		intern(in, &t.Effect)
	}
	st := &p.Status
	intern(in, &st.Phase)
	intern(in, &st.QOSClass)
	in.s(&st.HostIP)
	for i := range st.HostIPs {
		in.s(&st.HostIPs[i].IP)
	}
	for i := range st.Conditions {
		c := &st.Conditions[i]
		intern(in, &c.Type)
		intern(in, &c.Status)
		in.s(&c.Reason)
		in.s(&c.Message)
	}
	for _, cs := range [][]corev1.ContainerStatus{st.InitContainerStatuses, st.ContainerStatuses} {
		for i := range cs {
			in.s(&cs[i].Name)
			in.s(&cs[i].Image)
		}
	}
}
