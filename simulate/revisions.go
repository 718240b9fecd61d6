package simulate

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"

	"github.com/daemonkit/daemonkit/daemonset"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// revision is one ControllerRevision of the simulated DaemonSet.
type revision struct {
	name     string
	hash     string
	hashID   int32
	number   int64
	data     []byte // upstream getPatch: {"spec":{"template":{...,"$patch":"replace"}}}
	template *corev1.PodTemplateSpec
	ports    []hostPort
	// pod is the daemon pod of this revision as created (labels with its
	// hash, matchLabelKeys merged), anti its required anti-affinity terms
	// (antiIn: merged over the cluster's namespaces, as the incoming pod's):
	// the InterPodAffinity filter between the DaemonSet's own pods.
	pod     *corev1.Pod
	anti    []daemonset.AffinityTerm
	antiIn  []daemonset.AffinityTerm
	labels  map[string]string
	annots  map[string]string
	deleted bool
	// pending: nodes where the scheduler stage (Place) leaves this
	// revision's pods Pending, with the reason (Kubelet.SchedulerStage).
	pending map[int32]string
	// refused: why the API server's Priority admission refuses this
	// revision's pods (nil when it admits them): the controller's creates
	// fail and no pod of it ever exists.
	refused *field.Error
	// createErr is the API server's error for a create of a refused pod.
	createErr string
	// tols are the tolerations of its pods as created (tainteviction.go).
	tols     []corev1.Toleration
	tolsDone bool
}

// templatePatch is upstream's getPatch: the DaemonSet's spec.template as a
// generic map with "$patch":"replace", marshalled with sorted keys. Two
// templates match a revision when these bytes are equal (update.go Match).
func templatePatch(t *corev1.PodTemplateSpec) []byte {
	raw, err := json.Marshal(t)
	if err != nil {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil
	}
	if m == nil {
		m = map[string]any{}
	}
	m["$patch"] = "replace"
	out, err := json.Marshal(map[string]any{"spec": map[string]any{"template": m}})
	if err != nil {
		return nil
	}
	return out
}

func (e *engine) internHash(h string) int32 {
	if h == "" {
		return -1
	}
	if id, ok := e.hashIDs[h]; ok {
		return id
	}
	id := int32(len(e.hashes))
	e.hashIDs[h] = id
	e.hashes = append(e.hashes, h)
	e.hashLive = append(e.hashLive, 0)
	return id
}

// constructHistory finds the revision matching the current template or
// snapshots a new one, and makes it the newest revision.
// upstream: update.go constructHistory, snapshot, Match
func (e *engine) constructHistory() {
	patch := templatePatch(&e.ds.Spec.Template)
	var next int64 = 1
	cur := int32(-1)
	for i, r := range e.revs {
		if r.deleted {
			continue
		}
		if bytes.Equal(r.data, patch) {
			cur = int32(i)
			continue
		}
		next = max(next, r.number+1)
	}
	if cur >= 0 {
		// rollback or unchanged: reuse the revision and its hash
		if r := e.revs[cur]; r.number < next {
			r.number = next
		}
		e.setCurrent(cur)
		return
	}
	for {
		hash := daemonset.ComputeHash(&e.ds.Spec.Template, e.ds.Status.CollisionCount)
		name := e.ds.Name + "-" + hash
		clash := false
		for _, r := range e.revs {
			if !r.deleted && r.name == name {
				clash = true
			}
		}
		if clash {
			// upstream: snapshot bumps status.collisionCount on AlreadyExists
			// with different data and retries on the next sync; done here at once.
			c := int32(0)
			if e.ds.Status.CollisionCount != nil {
				c = *e.ds.Status.CollisionCount
			}
			c++
			e.ds.Status.CollisionCount = &c
			continue
		}
		tmpl := e.ds.Spec.Template.DeepCopy()
		labels := make(map[string]string, len(tmpl.Labels)+1)
		for k, v := range tmpl.Labels {
			labels[k] = v
		}
		labels[daemonset.ControllerRevisionHashLabel] = hash
		var annots map[string]string
		if len(e.ds.Annotations) > 0 {
			annots = make(map[string]string, len(e.ds.Annotations))
			for k, v := range e.ds.Annotations {
				annots[k] = v
			}
		}
		r := &revision{name: name, hash: hash, hashID: e.internHash(hash), number: next, data: patch,
			template: tmpl, labels: labels, annots: annots}
		r.ports = podHostPorts(&corev1.Pod{Spec: tmpl.Spec})
		r.pod = daemonset.PodAsCreatedForRevision(e.ds, "", hash)
		_, anti := daemonset.RequiredAffinityTerms(&r.pod.Spec)
		r.anti = daemonset.GetAffinityTerms(r.pod.Namespace, anti)
		r.antiIn = e.s.Cluster.namespaceLabels().MergeAffinityTermNamespacesIfNotEmpty(r.anti)
		r.pending = e.schedulerPending()
		_, r.refused, _ = daemonPodAdmission(&tmpl.Spec, e.s.Cluster)
		if r.refused != nil {
			r.createErr = refusedCreateError(e.ds, r.refused)
		}
		e.revs = append(e.revs, r)
		e.setCurrent(int32(len(e.revs) - 1))
		return
	}
}

// schedulerPending runs the scheduler stage (Place) for the current
// DaemonSet over the scenario's cluster and returns the nodes where its pod
// would stay Pending because of the pods already there.
func (e *engine) schedulerPending() map[int32]string {
	if !e.s.Kubelet.SchedulerStage || e.s.Cluster == nil || len(e.s.Cluster.nodes) == 0 {
		return nil
	}
	pl, err := Place(e.s.Cluster, e.ds)
	if err != nil || len(pl.DaemonSets) != 1 {
		return nil
	}
	var out map[int32]string
	for _, np := range pl.DaemonSets[0].Nodes {
		if np.State != Pending {
			continue
		}
		i, ok := e.byName[np.Node]
		if !ok {
			continue
		}
		msgs := make([]string, 0, len(np.Pending))
		for _, r := range np.Pending {
			msgs = append(msgs, r.Message)
		}
		if out == nil {
			out = map[int32]string{}
		}
		out[i] = strings.Join(msgs, "; ")
	}
	return out
}

func (e *engine) setCurrent(i int32) {
	e.curRev = i
	e.curHash = e.revs[i].hashID
}

// cleanupHistory deletes the oldest revisions beyond revisionHistoryLimit
// that no pod still carries.
// upstream: update.go cleanupHistory
func (e *engine) cleanupHistory() {
	limit := 10
	if l := e.ds.Spec.RevisionHistoryLimit; l != nil {
		limit = int(*l)
	}
	live := 0
	for _, r := range e.revs {
		if !r.deleted {
			live++
		}
	}
	if live-1 <= limit {
		return
	}
	old := make([]*revision, 0, len(e.revs))
	for i, r := range e.revs {
		if !r.deleted && int32(i) != e.curRev {
			old = append(old, r)
		}
	}
	toKill := len(old) - limit
	if toKill <= 0 {
		return
	}
	sort.SliceStable(old, func(a, b int) bool { return old[a].number < old[b].number })
	for _, r := range old {
		if toKill <= 0 {
			break
		}
		if r.hashID >= 0 && e.hashLive[r.hashID] > 0 {
			continue
		}
		r.deleted = true
		toKill--
	}
}

// controllerRevisions returns the revisions left, by revision number.
func (e *engine) controllerRevisions() []*appsv1.ControllerRevision {
	var out []*appsv1.ControllerRevision
	for _, r := range e.revs {
		if r.deleted {
			continue
		}
		cr := &appsv1.ControllerRevision{
			TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "ControllerRevision"},
			ObjectMeta: metav1.ObjectMeta{
				Name:        r.name,
				Namespace:   e.ds.Namespace,
				Labels:      r.labels,
				Annotations: r.annots,
				OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(e.ds,
					appsv1.SchemeGroupVersion.WithKind("DaemonSet"))},
			},
			Data:     runtime.RawExtension{Raw: append([]byte(nil), r.data...)},
			Revision: r.number,
		}
		out = append(out, cr)
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Revision < out[b].Revision })
	return out
}
