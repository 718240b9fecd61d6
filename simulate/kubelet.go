package simulate

import (
	"bytes"
	"github.com/daemonkit/daemonkit/daemonset"
	corev1 "k8s.io/api/core/v1"
	"slices"
	"strconv"
)

// The kubelet model: what happens to a daemon pod between the controller's
// create and delete calls. In the parity model a pod is bound at once, turns
// Ready Startup later (never on Broken or CrashLoop nodes, nor for pods of a
// new template on BrokenNew or CrashLoopNew nodes), and a deleted pod
// is gone at once. The richer options (Pending nodes, the scheduler's host
// port check, binding throughput, termination grace) only add delays and
// Pending states; they never change what the controller computes from a
// given state.

// podNameAlphabet is the API server's generateName alphabet.
// upstream: apimachinery/pkg/util/rand alphanums
const podNameAlphabet = "bcdfghjklmnpqrstvwxz2456789"

// nextPodName returns "<ds>-<5 chars>": a bijective scramble of a counter,
// so names are unique, deterministic and not ordered by creation (like the
// API server's random suffixes).
func (e *engine) nextPodName() string {
	const space = 27 * 27 * 27 * 27 * 27 // 14,348,907
	k := e.nameSeq
	e.nameSeq++
	width := 5
	v := (k%space)*4194301%space + k/space*space // 4194301 is coprime with 27
	for lim := uint64(space); v >= lim; lim *= 27 {
		width++
	}
	buf := make([]byte, width)
	for i := width - 1; i >= 0; i-- {
		buf[i] = podNameAlphabet[v%27]
		v /= 27
	}
	return e.ds.Name + "-" + string(buf)
}

// createPod creates a daemon pod of the current revision on node i.
// upstream: daemon_controller.go syncNodes, controller_utils.go CreatePods
func (e *engine) createPod(i int32) {
	id := int32(len(e.pods))
	e.pods = append(e.pods, pod{
		name:       e.nextPodName(),
		node:       i,
		hash:       e.curHash,
		gen:        e.genStr,
		hasGen:     e.hasGen,
		rev:        e.curRev,
		created:    e.now,
		phase:      phasePending,
		readySince: never,
		readyAt:    never,
	})
	e.trace.creates++
	e.addToNode(id)
	e.schedule(id)
}

func (e *engine) addToNode(id int32) {
	p := &e.pods[id]
	n := &e.nodes[p.node]
	n.pods = append(n.pods, id)
	if len(n.pods) > MaxPodsPerNode {
		e.crowded = true
	}
	e.sortPods(n.pods)
	if p.hash >= 0 {
		e.hashLive[p.hash]++
	}
	if !p.deleting && p.phase == phaseFailed {
		e.failed++
	}
	e.refresh(p.node)
}

// schedule hands a new pod to the scheduler stage.
func (e *engine) schedule(id int32) {
	p := &e.pods[id]
	n := &e.nodes[p.node]
	switch {
	case n.obj == nil:
		p.cause = CauseNoPod
		p.waiting = false
		return
	case n.pending:
		p.cause = CausePending
		return
	case e.s.Kubelet.SchedulerStage && p.rev >= 0 && e.revs[p.rev].pending[p.node] != "":
		// the scheduler stage: no room beside the pods already there
		p.cause = CausePending
		return
	case e.s.Kubelet.SchedulerStage && e.ownPodConflict(id) != "":
		p.cause = e.ownPodConflict(id)
		if !p.waiting {
			p.waiting = true
			n.waiting++
		}
		return
	}
	if p.waiting {
		p.waiting = false
		n.waiting--
	}
	p.cause = ""
	if bps := e.s.Kubelet.BindPerSecond; bps > 0 {
		if e.bindSecond < e.now {
			e.bindSecond, e.bindCount = e.now, 0
		}
		if e.bindCount >= bps {
			e.bindSecond++
			e.bindCount = 0
		}
		e.bindCount++
		if e.bindSecond > e.now {
			p.cause = CausePending
			e.push(e.bindSecond, evBind, id)
			return
		}
	}
	e.bind(id)
}

// ownPodConflict is what keeps a daemon pod from binding beside the
// DaemonSet's other pods on its node (those not terminated, terminating ones
// included): kube-scheduler's NodePorts filter (one of them holds a host
// port it needs: CauseHostPortConflict), then InterPodAffinity (a required
// anti-affinity term of either pod matches the other, over a topology key
// the node has: CausePodAntiAffinity). "" when it may bind.
// upstream: plugins/nodeports fitsPorts; interpodaffinity/filtering.go
// satisfyPodAntiAffinity, satisfyExistingPodsAntiAffinity
func (e *engine) ownPodConflict(id int32) Cause {
	if e.portConflict(id) {
		return CauseHostPortConflict
	}
	if e.antiAffinityConflict(id) {
		return CausePodAntiAffinity
	}
	return ""
}

func (e *engine) antiAffinityConflict(id int32) bool {
	p := &e.pods[id]
	if p.rev < 0 {
		return false
	}
	n := &e.nodes[p.node]
	if n.obj == nil {
		return false
	}
	mine := e.revs[p.rev]
	for _, oid := range n.pods {
		o := &e.pods[oid]
		if oid == id || !o.bound || o.phase == phaseFailed || o.phase == phaseSucceeded || o.rev < 0 {
			continue
		}
		other := e.revs[o.rev]
		if len(mine.anti) == 0 && len(other.anti) == 0 {
			continue
		}
		// the pod's own terms as the incoming pod's (merged), the other's as
		// a bound pod's
		ns := e.s.Cluster.namespaceLabels()
		if antiMatchesOnNode(mine.antiIn, other.pod, n.obj.Labels, ns) || antiMatchesOnNode(other.anti, mine.pod, n.obj.Labels, ns) {
			return true
		}
	}
	return false
}

// antiMatchesOnNode: a term over a topology key the node has matches pod,
// ns the labels of the cluster's namespaces.
func antiMatchesOnNode(terms []daemonset.AffinityTerm, pod *corev1.Pod, nodeLabels map[string]string, ns daemonset.NamespaceLabels) bool {
	for i := range terms {
		if _, ok := nodeLabels[terms[i].TopologyKey]; ok && terms[i].Matches(pod, ns) {
			return true
		}
	}
	return false
}

// portConflict is kube-scheduler's NodePorts filter for a daemon pod: does
// another pod on its node that has not terminated hold one of its host ports?
func (e *engine) portConflict(id int32) bool {
	p := &e.pods[id]
	want := e.revPorts(p.rev)
	if len(want) == 0 {
		return false
	}
	n := &e.nodes[p.node]
	for _, w := range want {
		for _, u := range n.ports {
			if w.conflicts(u) {
				return true
			}
		}
		for _, oid := range n.pods {
			o := &e.pods[oid]
			if oid == id || !o.bound || o.phase == phaseFailed || o.phase == phaseSucceeded {
				continue
			}
			for _, u := range e.revPorts(o.rev) {
				if w.conflicts(u) {
					return true
				}
			}
		}
	}
	return false
}

func (e *engine) revPorts(rev int32) []hostPort {
	if rev < 0 {
		return nil
	}
	return e.revs[rev].ports
}

// bind binds a pod to its node; the kubelet starts it.
func (e *engine) bind(id int32) {
	p := &e.pods[id]
	if p.gone || p.bound {
		return
	}
	n := &e.nodes[p.node]
	if n.obj == nil {
		return
	}
	p.bound = true
	p.phase = phaseRunning
	p.cause = ""
	e.sortPods(n.pods)
	switch {
	case n.failing:
		p.cause = CauseFailed
		e.push(e.now+e.startupFor(n), evFail, id)
	case n.crash || n.crashNew && e.newTemplate(p):
		p.cause = CauseCrashLoopBackOff
	case n.broken || n.brokenNew && e.newTemplate(p):
		p.cause = CausePodNeverReady
	default:
		d, ok := e.podStartup(id)
		if !ok {
			p.cause = CauseCrashLoop
			break
		}
		p.readyAt = e.now + d
		if p.readyAt <= e.now {
			if !n.notReady() {
				// (on a NotReady node, nodeReadyPods turns it Ready later)
				e.setReady(id)
			}
		} else {
			e.push(p.readyAt, evReady, id)
		}
	}
	e.refresh(p.node)
	if n.obj != nil && hasNoExecute(n.obj) {
		e.taintEvict(id)
	}
}

// newTemplate says whether p's template is not From's: the pods that
// Kubelet.BrokenNew and Kubelet.CrashLoopNew break. With From set, its
// revision is the engine's first (newEngine); a later revision of the same
// template (a rollback after history cleanup) is not new either.
func (e *engine) newTemplate(p *pod) bool {
	if e.s.From == nil || p.rev < 0 {
		return true
	}
	return p.rev != 0 && !bytes.Equal(e.revs[p.rev].data, e.revs[0].data)
}

func (e *engine) startupFor(n *nodeState) int64 {
	s := n.startup
	if j := secs(e.s.Kubelet.StartupJitter); j > 0 {
		s += e.rng.Int64N(j + 1)
	}
	return s
}

// podReady turns a pod Ready at t if nothing has changed since it was
// scheduled to.
func (e *engine) podReady(id int32, t int64) bool {
	p := &e.pods[id]
	n := &e.nodes[p.node]
	if p.gone || !p.bound || p.ready || p.readyAt != t || n.obj == nil || n.notReady() {
		return false
	}
	e.setReady(id)
	e.refresh(p.node)
	return true
}

func (e *engine) setReady(id int32) {
	p := &e.pods[id]
	p.ready = true
	p.readySince = e.now
	p.readyZero = false
	if e.minReady > 0 {
		// ARCHITECTURE.md: the controller wakes when the pod becomes
		// available (inclusive boundary).
		e.push(e.now+e.minReady, evAvail, p.node)
	}
}

// podFailed: the kubelet rejected the pod (Kubelet.Failing).
func (e *engine) podFailed(id int32) bool {
	p := &e.pods[id]
	if p.gone || p.phase == phaseFailed || p.phase == phaseSucceeded {
		return false
	}
	if e.nodes[p.node].obj == nil {
		e.freeze(id, frozenFail) // the node's kubelet is gone
		return false
	}
	p.phase = phaseFailed
	p.ready = false
	if !p.deleting {
		e.failed++
	}
	e.refresh(p.node)
	return true
}

// deletePod is the controller's delete call.
// upstream: controller_utils.go DeletePod; unbound and terminal pods have no
// kubelet to wait for, so they go at once.
func (e *engine) deletePod(id int32) {
	p := &e.pods[id]
	if p.gone || p.deleting {
		return
	}
	e.trace.deletes++
	if p.bound && e.nodes[p.node].obj == nil {
		e.trace.orphanDeleted(p.node)
	}
	e.terminate(id)
}

// terminate deletes pod id with its grace period: gone at once when it has
// none, no kubelet to wait for (unbound) or is terminal; else Terminating
// until the kubelet is done.
func (e *engine) terminate(id int32) {
	p := &e.pods[id]
	if len(e.evictions) > 0 {
		delete(e.evictions, id)
	}
	grace := e.grace
	if e.s.Kubelet.TerminationFromTemplate {
		grace = e.templateGrace(p.rev)
	}
	grace = e.stopFor(id, grace)
	if grace <= 0 || !p.bound || p.phase == phaseFailed || p.phase == phaseSucceeded {
		e.removePod(id)
		return
	}
	p.deleting = true
	e.push(e.now+grace, evGone, id)
	e.refresh(p.node)
}

func (e *engine) templateGrace(rev int32) int64 {
	if rev < 0 {
		return e.grace
	}
	if g := e.revs[rev].template.Spec.TerminationGracePeriodSeconds; g != nil {
		return *g
	}
	return 30 // upstream: corev1 DefaultTerminationGracePeriodSeconds
}

// removePod takes a pod out of the cluster (deletion completed).
func (e *engine) removePod(id int32) {
	p := &e.pods[id]
	if p.gone {
		return
	}
	if !p.deleting && p.phase == phaseFailed {
		e.failed--
	}
	if p.waiting {
		p.waiting = false
		e.nodes[p.node].waiting--
	}
	p.gone = true
	if p.hash >= 0 {
		e.hashLive[p.hash]--
	}
	if len(e.evictions) > 0 {
		delete(e.evictions, id)
	}
	n := &e.nodes[p.node]
	if k := slices.Index(n.pods, id); k >= 0 {
		n.pods = slices.Delete(n.pods, k, k+1)
	}
	e.refresh(p.node)
	// a freed host port or a pod gone may let a waiting pod bind
	if n.waiting > 0 {
		for _, oid := range slices.Clone(n.pods) {
			if e.pods[oid].waiting {
				e.schedule(oid)
			}
		}
	}
}

func (n *nodeState) notReady() bool { return n.nodeNotReady }

// nodeNotReadyPods marks the pods of node i not Ready (the node lifecycle
// controller's MarkPodsNotReady).
func (e *engine) nodeNotReadyPods(i int32) {
	for _, id := range e.nodes[i].pods {
		p := &e.pods[id]
		if p.ready {
			p.ready = false
			p.readySince = e.now
		}
	}
	e.refresh(i)
}

// nodeReadyPods turns Ready again the pods of node i that the kubelet had
// started.
func (e *engine) nodeReadyPods(i int32) {
	n := &e.nodes[i]
	for _, id := range n.pods {
		p := &e.pods[id]
		if p.bound && !p.ready && p.readyAt != never && p.readyAt <= e.now && !p.gone {
			e.setReady(id)
		}
	}
	e.refresh(i)
}

func genString(g *int64) (string, bool) {
	if g == nil {
		return "", false
	}
	return strconv.FormatInt(*g, 10), true
}
