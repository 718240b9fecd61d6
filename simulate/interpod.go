package simulate

import (
	"fmt"
	"github.com/daemonkit/daemonkit/daemonset"
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	v1helper "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/klog/v2"
)

// This file is the scheduler stage's InterPodAffinity and PodTopologySpread
// filters for a daemon pod on its node, as kube-scheduler v1.37.2 runs them
// with the default feature gates (InterPodAffinityHostnameFastPath off,
// NodeInclusionPolicyInPodTopologySpread and MatchLabelKeysInPodTopologySpread
// on):
//   - upstream: plugins/interpodaffinity/filtering.go PreFilter, Filter
//     (nodeTopologyMatchesAffinity, satisfyPodAntiAffinity,
//     satisfyExistingPodsAntiAffinity)
//   - upstream: plugins/podtopologyspread/filtering.go calPreFilterState,
//     Filter; common.go filterTopologySpreadConstraints
//
// The pods a daemon pod meets are the cluster's bound pods (Place replaces
// those of the DaemonSets it places) and, on its own node, the daemon pods
// bound there before it, without the pods its node's preemptions evicted.
// Daemon pods Place binds on other nodes are not among them: which of them
// the scheduler binds first is not known (TrapDaemonPodsInteract says where
// that matters).
//
// Namespaces are known by name only: a namespaceSelector is read against the
// label every namespace carries, kubernetes.io/metadata.name (a selector on
// any other namespace label is reported as not modelled).

// matchesAll: terms is not empty and pod matches every one.
// upstream: interpodaffinity/filtering.go podMatchesAllAffinityTerms
func matchesAll(terms []daemonset.AffinityTerm, pod *corev1.Pod) bool {
	if len(terms) == 0 {
		return false
	}
	for i := range terms {
		if !terms[i].Matches(pod) {
			return false
		}
	}
	return true
}

// topoPair is a topology key and value.
type topoPair struct{ key, value string }

// pairCounts counts pods by topology pair, with the first pod counted at
// each pair (an index into the cluster's pods) to name in messages.
type pairCounts struct {
	n     map[topoPair]int
	first map[topoPair]int32
	total int
}

func (m *pairCounts) add(key string, nodeLabels map[string]string, pi int32) {
	v, ok := nodeLabels[key]
	if !ok {
		return
	}
	if m.n == nil {
		m.n, m.first = map[topoPair]int{}, map[topoPair]int32{}
	}
	p := topoPair{key, v}
	if _, seen := m.first[p]; !seen {
		m.first[p] = pi
	}
	m.n[p]++
	m.total++
}

// spreadConstraint is a DoNotSchedule topology spread constraint of the
// daemon pod, processed.
// upstream: podtopologyspread/common.go topologySpreadConstraint
type spreadConstraint struct {
	maxSkew    int32
	key        string
	sel        labels.Selector
	minDomains int32
	// honorAffinity: nodeAffinityPolicy Honor (the default): only nodes
	// matching the pod's required node affinity count — for a daemon pod,
	// pinned to its node, that node alone.
	honorAffinity bool
	// honorTaints: nodeTaintsPolicy Honor: nodes with a NoSchedule or
	// NoExecute taint the pod does not tolerate do not count.
	honorTaints bool
	// selfMatch: the daemon pod's own labels match the selector.
	selfMatch bool
	// domains (nodeAffinityPolicy Ignore): matching pods per value of key
	// over the eligible nodes, and the two smallest counts.
	domains map[string]int
	low     [2]domainCount
}

type domainCount struct {
	value string
	n     int
}

// newSpreadConstraints processes pod's DoNotSchedule constraints, with
// matchLabelKeys merged as the scheduler merges them (a pod created by the
// API server has them merged already; merging again changes nothing).
// upstream: podtopologyspread/common.go filterTopologySpreadConstraints
func newSpreadConstraints(pod *corev1.Pod) []spreadConstraint {
	var out []spreadConstraint
	for i := range pod.Spec.TopologySpreadConstraints {
		c := &pod.Spec.TopologySpreadConstraints[i]
		if c.WhenUnsatisfiable != corev1.DoNotSchedule {
			continue
		}
		sel, err := metav1.LabelSelectorAsSelector(c.LabelSelector)
		if err != nil {
			sel = labels.Nothing()
		}
		if len(c.MatchLabelKeys) > 0 {
			// upstream: common.go mergeLabelSetWithSelector
			set := labels.Set{}
			for _, k := range c.MatchLabelKeys {
				if v, ok := pod.Labels[k]; ok {
					set[k] = v
				}
			}
			if len(set) > 0 {
				if reqs, ok := sel.Requirements(); ok {
					merged := labels.SelectorFromSet(set)
					for _, r := range reqs {
						merged = merged.Add(r)
					}
					sel = merged
				}
			}
		}
		sc := spreadConstraint{maxSkew: c.MaxSkew, key: c.TopologyKey, sel: sel, minDomains: 1, honorAffinity: true}
		if c.MinDomains != nil {
			sc.minDomains = *c.MinDomains
		}
		if c.NodeAffinityPolicy != nil {
			sc.honorAffinity = *c.NodeAffinityPolicy == corev1.NodeInclusionPolicyHonor
		}
		if c.NodeTaintsPolicy != nil {
			sc.honorTaints = *c.NodeTaintsPolicy == corev1.NodeInclusionPolicyHonor
		}
		sc.selfMatch = sel.Matches(labels.Set(pod.Labels))
		out = append(out, sc)
	}
	return out
}

// spreadCounts: whether pod counts for a constraint of a pod of namespace
// ns: same namespace, not terminating, labels matching.
// upstream: common.go countPodsMatchSelector
func spreadCounts(sel labels.Selector, ns string, pod *corev1.Pod) bool {
	return pod.DeletionTimestamp == nil && pod.Namespace == ns && !sel.Empty() && sel.Matches(labels.Set(pod.Labels))
}

// interPodDS is one placed DaemonSet's daemon pod as these filters see it.
type interPodDS struct {
	pod        *corev1.Pod
	aff, anti  []daemonset.AffinityTerm
	affKeyMult map[string]int // how many affinity terms have each key
	spread     []spreadConstraint
	// counts over the cluster's pods (Place's replaced pods left out):
	// existing pods' anti-affinity terms matching this pod, pods matching
	// all its affinity terms, pods matching its anti-affinity terms.
	existingAnti, affCounts, antiCounts pairCounts
	// existingAntiKeys: the topology keys existingAnti counts at, sorted.
	existingAntiKeys []string
	// active: some filter here can fail; when false the filters pass.
	active bool
}

// interPod is the state of these filters for one Place call.
type interPod struct {
	c   *Cluster
	ix  *clusterIndex
	dss []interPodDS
	// podAnti: the required anti-affinity terms of counted pods that have
	// them.
	podAnti map[int32][]daemonset.AffinityTerm
	// replaced says which counted pods Place replaces.
	replaced func(pi int32) bool
}

// newInterPod builds the filters' state, or returns nil when no filter can
// fail for any daemon pod (no template asks for inter-pod affinity,
// anti-affinity or DoNotSchedule spread, and no pod's anti-affinity term
// matches a daemon pod). replaced says which counted pods Place replaces.
func newInterPod(c *Cluster, ix *clusterIndex, pods []*corev1.Pod, replaced func(pi int32) bool) *interPod {
	ip := &interPod{c: c, ix: ix, dss: make([]interPodDS, len(pods)), replaced: replaced}
	any := false
	for k, p := range pods {
		d := &ip.dss[k]
		d.pod = p
		aff, anti := daemonset.RequiredAffinityTerms(&p.Spec)
		d.aff, d.anti = daemonset.GetAffinityTerms(p.Namespace, aff), daemonset.GetAffinityTerms(p.Namespace, anti)
		d.spread = newSpreadConstraints(p)
		if len(d.aff) > 0 {
			d.affKeyMult = map[string]int{}
			for _, t := range d.aff {
				d.affKeyMult[t.TopologyKey]++
			}
		}
		d.active = len(d.aff) > 0 || len(d.anti) > 0 || len(d.spread) > 0
		any = any || d.active
	}
	for _, pi := range ix.antiPods {
		if replaced(pi) {
			continue
		}
		if ip.podAnti == nil {
			ip.podAnti = map[int32][]daemonset.AffinityTerm{}
		}
		p := c.pods[pi]
		_, anti := daemonset.RequiredAffinityTerms(&p.Spec)
		ip.podAnti[pi] = daemonset.GetAffinityTerms(p.Namespace, anti)
	}
	// the daemon pods' anti-affinity terms against each other (same node)
	for k := range ip.dss {
		for j := range ip.dss {
			if j != k && anyMatches(ip.dss[j].anti, ip.dss[k].pod) {
				ip.dss[k].active = true
			}
		}
	}
	if !any && len(ip.podAnti) == 0 && !slices.ContainsFunc(ip.dss, func(d interPodDS) bool { return d.active }) {
		return nil
	}
	for i := range ix.nodes {
		nl := c.nodes[i].Labels
		for _, pi := range ix.nodes[i].podIdx {
			if replaced(pi) {
				continue
			}
			q := c.pods[pi]
			qAnti := ip.podAnti[pi]
			for k := range ip.dss {
				d := &ip.dss[k]
				for t := range qAnti {
					if qAnti[t].Matches(d.pod) {
						d.existingAnti.add(qAnti[t].TopologyKey, nl, pi)
					}
				}
				if matchesAll(d.aff, q) {
					for t := range d.aff {
						d.affCounts.add(d.aff[t].TopologyKey, nl, pi)
					}
				}
				for t := range d.anti {
					if d.anti[t].Matches(q) {
						d.antiCounts.add(d.anti[t].TopologyKey, nl, pi)
					}
				}
			}
		}
	}
	for k := range ip.dss {
		d := &ip.dss[k]
		if d.existingAnti.total > 0 {
			d.active = true
			for p := range d.existingAnti.n {
				if !slices.Contains(d.existingAntiKeys, p.key) {
					d.existingAntiKeys = append(d.existingAntiKeys, p.key)
				}
			}
			slices.Sort(d.existingAntiKeys)
		}
		ip.spreadDomains(d)
	}
	return ip
}

func anyMatches(terms []daemonset.AffinityTerm, pod *corev1.Pod) bool {
	for i := range terms {
		if terms[i].Matches(pod) {
			return true
		}
	}
	return false
}

// spreadEligible says whether node i counts for constraint sc of d's pod
// (other than being the pod's own node, under nodeAffinityPolicy Honor).
// upstream: common.go nodeLabelsMatchSpreadConstraints,
// matchNodeInclusionPolicies
func (ip *interPod) spreadEligible(d *interPodDS, sc *spreadConstraint, node *corev1.Node) bool {
	for _, o := range d.spread {
		if _, ok := node.Labels[o.key]; !ok {
			return false
		}
	}
	if sc.honorTaints {
		_, untolerated := v1helper.FindMatchingUntoleratedTaint(klog.Background(), node.Spec.Taints, d.pod.Spec.Tolerations,
			func(t *corev1.Taint) bool {
				return t.Effect == corev1.TaintEffectNoSchedule || t.Effect == corev1.TaintEffectNoExecute
			}, false)
		if untolerated {
			return false
		}
	}
	return true
}

// spreadDomains counts, for d's constraints under nodeAffinityPolicy Ignore,
// the matching pods per domain over the eligible nodes.
// upstream: filtering.go calPreFilterState
func (ip *interPod) spreadDomains(d *interPodDS) {
	for s := range d.spread {
		sc := &d.spread[s]
		if sc.honorAffinity {
			continue
		}
		sc.domains = map[string]int{}
		for i, node := range ip.c.nodes {
			if !ip.spreadEligible(d, sc, node) {
				continue
			}
			sc.domains[node.Labels[sc.key]] += ip.countOn(i, sc, d.pod.Namespace, nil, nil)
		}
		sc.low = [2]domainCount{{n: -1}, {n: -1}}
		for v, n := range sc.domains {
			sc.low = lowest(sc.low, v, n)
		}
	}
}

// countOn counts the pods on node i that sc of a pod of namespace ns
// counts: the cluster's pods there (those Place replaces, and gone, left
// out) and the daemon pods of the DaemonSets bound.
func (ip *interPod) countOn(i int, sc *spreadConstraint, ns string, gone []int32, bound []int) int {
	n := 0
	for _, pi := range ip.ix.nodes[i].podIdx {
		if !ip.replaced(pi) && !slices.Contains(gone, pi) && spreadCounts(sc.sel, ns, ip.c.pods[pi]) {
			n++
		}
	}
	for _, j := range bound {
		if spreadCounts(sc.sel, ns, ip.dss[j].pod) {
			n++
		}
	}
	return n
}

// lowest keeps the two smallest counts (n -1: none yet), ties by value.
func lowest(low [2]domainCount, v string, n int) [2]domainCount {
	less := func(a domainCount) bool { return a.n < 0 || n < a.n || n == a.n && v < a.value }
	switch {
	case less(low[0]):
		low[1], low[0] = low[0], domainCount{v, n}
	case less(low[1]):
		low[1] = domainCount{v, n}
	}
	return low
}

// The reasons these filters give.
// upstream: interpodaffinity/filtering.go ErrReason*,
// podtopologyspread/plugin.go ErrReason*
const (
	msgAffinity      = "node(s) didn't match pod affinity rules"
	msgAntiAffinity  = "node(s) didn't match pod anti-affinity rules"
	msgExistingAnti  = "node(s) didn't satisfy existing pods anti-affinity rules"
	msgSpread        = "node(s) didn't match pod topology spread constraints"
	msgSpreadNoLabel = "node(s) didn't match pod topology spread constraints (missing required label)"
)

// filter runs PodTopologySpread and InterPodAffinity for the daemon pod of
// DaemonSet k on node i, whose pods are the cluster's (less those Place
// replaces and those in gone) and the daemon pods of the DaemonSets in
// bound. It returns nil when both pass. describe names a DaemonSet.
// upstream: podtopologyspread/filtering.go Filter,
// interpodaffinity/filtering.go Filter
func (ip *interPod) filter(k, i int, gone []int32, bound []int, describe func(j int) string) []PendingReason {
	d := &ip.dss[k]
	if !d.active {
		return nil
	}
	var out []PendingReason
	if r, ok := ip.spreadFilter(d, i, gone, bound); !ok {
		out = append(out, r)
	}
	out = append(out, ip.affinityFilter(d, i, gone, bound, describe)...)
	return out
}

// unresolvable: no preemption can make the pod pass (upstream:
// UnschedulableAndUnresolvable).
func (r PendingReason) unresolvable() bool {
	return r.Kind == PendingNodeUnschedulable || r.Kind == PendingPodAffinity || r.Kind == PendingTopologySpreadLabel
}

func (ip *interPod) spreadFilter(d *interPodDS, i int, gone []int32, bound []int) (PendingReason, bool) {
	node := ip.c.nodes[i]
	for s := range d.spread {
		sc := &d.spread[s]
		v, ok := node.Labels[sc.key]
		if !ok {
			return PendingReason{Kind: PendingTopologySpreadLabel, TopologyKey: sc.key,
				Message: fmt.Sprintf("node lacks the label %s of the pod's topology spread constraint", sc.key)}, false
		}
		eligible := ip.spreadEligible(d, sc, node)
		var matchNum, minNum, domains int
		switch {
		case sc.honorAffinity && eligible:
			// the pod's own node is the only one counted
			matchNum = ip.countOn(i, sc, d.pod.Namespace, gone, bound)
			minNum, domains = matchNum, 1
		case sc.honorAffinity:
		default:
			matchNum, domains = sc.domains[v], len(sc.domains)
			minNum = -1
			for _, l := range sc.low {
				if l.n >= 0 && (l.value != v || !eligible) {
					minNum = l.n
					break
				}
			}
			if eligible {
				matchNum += ip.countOn(i, sc, d.pod.Namespace, gone, bound) - ip.countOn(i, sc, d.pod.Namespace, nil, nil)
				if minNum < 0 || matchNum < minNum {
					minNum = matchNum
				}
			}
		}
		if domains < int(sc.minDomains) || minNum < 0 {
			minNum = 0
		}
		self := 0
		if sc.selfMatch {
			self = 1
		}
		if skew := matchNum + self - minNum; skew > int(sc.maxSkew) {
			return PendingReason{Kind: PendingTopologySpread, TopologyKey: sc.key, TopologyValue: v,
				Message: fmt.Sprintf("topology spread on %s: %d matching pod(s) in %s=%s, %d in the emptiest of %d domain(s) (minDomains %d): skew %d > maxSkew %d",
					sc.key, matchNum, sc.key, v, minNum, domains, sc.minDomains, skew, sc.maxSkew)}, false
		}
	}
	return PendingReason{}, true
}

// nodePod is one pod on the node at hand: a cluster pod (pi >= 0) or the
// daemon pod of placed DaemonSet ds.
type nodePod struct {
	pod  *corev1.Pod
	anti []daemonset.AffinityTerm
	pi   int32
	ds   int
}

func (ip *interPod) affinityFilter(d *interPodDS, i int, gone []int32, bound []int, describe func(j int) string) []PendingReason {
	node := ip.c.nodes[i]
	L := node.Labels
	// the changes on node i to the cluster-wide counts: pods gone (-1) and
	// daemon pods bound (+1)
	var changes []struct {
		p    nodePod
		sign int
	}
	for _, pi := range gone {
		changes = append(changes, struct {
			p    nodePod
			sign int
		}{nodePod{pod: ip.c.pods[pi], anti: ip.podAnti[pi], pi: pi, ds: -1}, -1})
	}
	for _, j := range bound {
		changes = append(changes, struct {
			p    nodePod
			sign int
		}{nodePod{pod: ip.dss[j].pod, anti: ip.dss[j].anti, pi: -1, ds: j}, 1})
	}
	holder := func(first map[topoPair]int32, p topoPair, match func(nodePod) bool) string {
		for _, ch := range changes {
			if ch.sign > 0 && match(ch.p) {
				return describe(ch.p.ds)
			}
		}
		if pi, ok := first[p]; ok && !slices.Contains(gone, pi) {
			q := ip.c.pods[pi]
			return q.Namespace + "/" + q.Name
		}
		return ""
	}
	// the first failing check decides, as upstream's Filter returns there
	// the pod's affinity: upstream nodeTopologyMatchesAffinity
	if len(d.aff) > 0 {
		delta, total := 0, d.affCounts.total
		for _, ch := range changes {
			if matchesAll(d.aff, ch.p.pod) {
				delta += ch.sign
				total += ch.sign * len(d.aff)
			}
		}
		missing, exist := "", true
		for t := range d.aff {
			v, ok := L[d.aff[t].TopologyKey]
			if !ok {
				missing = d.aff[t].TopologyKey
				break
			}
			if d.affCounts.n[topoPair{d.aff[t].TopologyKey, v}]+delta*d.affKeyMult[d.aff[t].TopologyKey] <= 0 {
				exist = false
			}
		}
		switch {
		case missing != "":
			return []PendingReason{{Kind: PendingPodAffinity, TopologyKey: missing,
				Message: fmt.Sprintf("node lacks the label %s of the pod's required pod affinity", missing)}}
		case !exist && !(total == 0 && matchesAll(d.aff, d.pod)):
			return []PendingReason{{Kind: PendingPodAffinity,
				Message: "no pod in the node's topology domain matches the pod's required pod affinity terms"}}
		}
	}
	// the pod's anti-affinity: upstream satisfyPodAntiAffinity
	for t := range d.anti {
		term := &d.anti[t]
		v, ok := L[term.TopologyKey]
		if !ok {
			continue
		}
		n := d.antiCounts.n[topoPair{term.TopologyKey, v}]
		for _, ch := range changes {
			for u := range d.anti {
				if d.anti[u].TopologyKey == term.TopologyKey && d.anti[u].Matches(ch.p.pod) {
					n += ch.sign
				}
			}
		}
		if n > 0 {
			by := holder(d.antiCounts.first, topoPair{term.TopologyKey, v}, func(p nodePod) bool { return term.Matches(p.pod) })
			return []PendingReason{{Kind: PendingPodAntiAffinity, TopologyKey: term.TopologyKey, TopologyValue: v, HeldBy: by,
				Message: fmt.Sprintf("the pod's required anti-affinity (topologyKey %s) matches %s in %s=%s", term.TopologyKey, orPods(by), term.TopologyKey, v)}}
		}
	}
	// the anti-affinity of the pods already there: upstream
	// satisfyExistingPodsAntiAffinity
	// (only keys some pod's term counts at can fail: those of the
	// cluster-wide counts and of the pods bound here)
	keys := d.existingAntiKeys
	for _, ch := range changes {
		for _, t := range ch.p.anti {
			if !slices.Contains(keys, t.TopologyKey) {
				keys = append(slices.Clip(keys), t.TopologyKey)
			}
		}
	}
	if len(keys) > len(d.existingAntiKeys) {
		slices.Sort(keys)
	}
	for _, key := range keys {
		v, ok := L[key]
		if !ok {
			continue
		}
		n := d.existingAnti.n[topoPair{key, v}]
		for _, ch := range changes {
			for _, t := range ch.p.anti {
				if t.TopologyKey == key && t.Matches(d.pod) {
					n += ch.sign
				}
			}
		}
		if n > 0 {
			by := holder(d.existingAnti.first, topoPair{key, v}, func(p nodePod) bool {
				return slices.ContainsFunc(p.anti, func(t daemonset.AffinityTerm) bool { return t.TopologyKey == key && t.Matches(d.pod) })
			})
			return []PendingReason{{Kind: PendingExistingPodsAntiAffinity, TopologyKey: key, TopologyValue: v, HeldBy: by,
				Message: fmt.Sprintf("the required anti-affinity (topologyKey %s) of %s in %s=%s matches the pod", key, orPods(by), key, v)}}
		}
	}
	return nil
}

func orPods(by string) string {
	if by == "" {
		return "pods"
	}
	return by
}
