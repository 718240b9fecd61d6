package simulate

import (
	"fmt"
	"slices"

	"github.com/daemonkit/daemonkit/daemonset"
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
//     satisfyExistingPodsAntiAffinity), AddPod/RemovePod (preemption)
//   - upstream: plugins/podtopologyspread/filtering.go calPreFilterState,
//     Filter, updateWithPod; common.go filterTopologySpreadConstraints
//
// Place binds the daemon pods one after another, nodes in name order and on
// each node highest priority first: each daemon pod meets the cluster's
// bound pods (less those Place replaces and those preemption evicted) and
// the daemon pods bound before it, on every node. That is one order the
// scheduler can take them in; where daemon pods meet across nodes the
// outcome depends on the order (TrapDaemonPodsInteract says so). Pending
// pods are tried again once every node has been seen, until a round binds
// none (Place).
//
// A namespaceSelector is read against the labels of the cluster's Namespace
// objects (Cluster.WithNamespaces), as the scheduler's Namespace lister
// holds them: the daemon pod's own terms merged over them
// (daemonset.NamespaceLabels.MergeAffinityTermNamespacesIfNotEmpty), the
// terms of pods already bound read against the labels of the daemon pod's
// namespace. Without them namespaces are known by name only: a selector is
// read against the label every namespace carries,
// kubernetes.io/metadata.name (a selector on any other namespace label is
// reported as not modelled).

// matchesAll: terms is not empty and pod matches every one, ns the labels
// of the cluster's namespaces.
// upstream: interpodaffinity/filtering.go podMatchesAllAffinityTerms
func matchesAll(terms []daemonset.AffinityTerm, pod *corev1.Pod, ns daemonset.NamespaceLabels) bool {
	if len(terms) == 0 {
		return false
	}
	for i := range terms {
		if !terms[i].Matches(pod, ns) {
			return false
		}
	}
	return true
}

// topoPair is a topology key and value.
type topoPair struct{ key, value string }

// podRef names a pod the filters count: a cluster pod (pi >= 0) or the
// daemon pod of placed DaemonSet ds bound on node.
type podRef struct {
	pi       int32
	ds, node int32
}

var noRef = podRef{pi: -1, ds: -1}

// pairCounts counts pods by topology pair (upstream:
// topologyToMatchedTermCount), with a pod counted at each pair to name in
// messages (noRef once it is gone and others remain).
type pairCounts struct {
	m     map[topoPair]pairCount
	total int
}

type pairCount struct {
	n     int32
	first podRef
}

// at returns the count at p and a pod counted there.
func (pc *pairCounts) at(p topoPair) (int, podRef) {
	c, ok := pc.m[p]
	if !ok {
		return 0, noRef
	}
	return int(c.n), c.first
}

func (pc *pairCounts) add(key string, nodeLabels map[string]string, sign int, ref podRef) {
	v, ok := nodeLabels[key]
	if !ok {
		return
	}
	if pc.m == nil {
		pc.m = map[topoPair]pairCount{}
	}
	p := topoPair{key, v}
	c, seen := pc.m[p]
	c.n += int32(sign)
	pc.total += sign
	switch {
	case c.n == 0:
		delete(pc.m, p)
		return
	case !seen:
		c.first = ref
	case sign < 0 && c.first == ref:
		c.first = noRef
	}
	pc.m[p] = c
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
	// domains (nodeAffinityPolicy Ignore): matching pods per domain over
	// the eligible nodes.
	domains *domainCounts
}

// domainCounts counts matching pods per domain (a value of the topology
// key), with how many domains hold each count, so the smallest count —
// with or without one domain — is found without a pass over the domains.
// upstream: filtering.go preFilterState TpValueToMatchNum, criticalPaths
type domainCounts struct {
	n       map[string]int
	byCount map[int]int
	min     int
}

func newDomainCounts() *domainCounts {
	return &domainCounts{n: map[string]int{}, byCount: map[int]int{}}
}

// add adds d (±1, or 0 to make the domain known) to domain v.
func (dc *domainCounts) add(v string, d int) {
	old, known := dc.n[v]
	if known {
		dc.byCount[old]--
		if dc.byCount[old] == 0 {
			delete(dc.byCount, old)
		}
	}
	now := old + d
	dc.n[v] = now
	dc.byCount[now]++
	if len(dc.n) == 1 || now < dc.min {
		dc.min = now
	}
	for len(dc.byCount) > 0 && dc.byCount[dc.min] == 0 {
		delete(dc.byCount, dc.min)
		dc.min++
	}
}

// minWithout is the smallest count of the domains but v (-1 when v is the
// only domain).
func (dc *domainCounts) minWithout(v string) int {
	n, ok := dc.n[v]
	if !ok || n != dc.min || dc.byCount[dc.min] > 1 {
		if len(dc.n) == 0 || (ok && len(dc.n) == 1) {
			return -1
		}
		return dc.min
	}
	if len(dc.n) == 1 {
		return -1
	}
	for c := dc.min + 1; ; c++ {
		if dc.byCount[c] > 0 {
			return c
		}
	}
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
	pod *corev1.Pod
	// aff, anti: the pod's required terms as the incoming pod's, merged
	// over the cluster's namespaces; antiBound: its anti-affinity terms as
	// those of a pod already bound, which another daemon pod meets.
	aff, anti  []daemonset.AffinityTerm
	antiBound  []daemonset.AffinityTerm
	affKeyMult map[string]int // how many affinity terms have each key
	spread     []spreadConstraint
	// counts over the pods bound so far: the anti-affinity terms of those
	// pods matching this pod, the pods matching all its affinity terms, the
	// pods matching its anti-affinity terms
	// (upstream: existingClusterWideAntiAffinityCounts,
	// clusterWideAffinityCounts, clusterWideAntiAffinityCounts).
	existingAnti, affCounts, antiCounts pairCounts
	// existingAntiKeys: the topology keys of the anti-affinity terms of the
	// cluster's pods and of the daemon pods that match this pod, sorted.
	existingAntiKeys []string
	// active: some filter here can fail; when false the filters pass.
	active bool
}

// interPod is the state of these filters for one Place call.
type interPod struct {
	c *Cluster
	// ns: the labels of the cluster's namespaces (nil: by name only).
	ns  daemonset.NamespaceLabels
	ix  *clusterIndex
	dss []interPodDS
	// podAnti: the required anti-affinity terms of counted pods that have
	// them.
	podAnti map[int32][]daemonset.AffinityTerm
	// replaced says which counted pods Place replaces; evicted holds those
	// preemption evicted.
	replaced func(pi int32) bool
	evicted  map[int32]bool
	// bound: the placed DaemonSets bound on each node (for the counts per
	// node of spread under nodeAffinityPolicy Honor), by node index.
	bound [][]int
}

// newInterPod builds the filters' state, or returns nil when no filter can
// fail for any daemon pod (no template asks for inter-pod affinity,
// anti-affinity or DoNotSchedule spread, and no pod's anti-affinity term
// matches a daemon pod). replaced says which counted pods Place replaces.
func newInterPod(c *Cluster, ix *clusterIndex, pods []*corev1.Pod, replaced func(pi int32) bool) *interPod {
	ip := &interPod{c: c, ix: ix, dss: make([]interPodDS, len(pods)), replaced: replaced, ns: c.namespaceLabels()}
	for k, p := range pods {
		d := &ip.dss[k]
		d.pod = p
		aff, anti := daemonset.RequiredAffinityTerms(&p.Spec)
		d.antiBound = daemonset.GetAffinityTerms(p.Namespace, anti)
		d.aff = ip.ns.MergeAffinityTermNamespacesIfNotEmpty(daemonset.GetAffinityTerms(p.Namespace, aff))
		d.anti = ip.ns.MergeAffinityTermNamespacesIfNotEmpty(d.antiBound)
		d.spread = newSpreadConstraints(p)
		if len(d.aff) > 0 {
			d.affKeyMult = map[string]int{}
			for _, t := range d.aff {
				d.affKeyMult[t.TopologyKey]++
			}
		}
		d.active = len(d.aff) > 0 || len(d.anti) > 0 || len(d.spread) > 0
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
	// the daemon pods' anti-affinity terms against each other
	for k := range ip.dss {
		d := &ip.dss[k]
		for j := range ip.dss {
			for _, t := range ip.dss[j].antiBound {
				if t.Matches(d.pod, ip.ns) {
					d.active = true
					if !slices.Contains(d.existingAntiKeys, t.TopologyKey) {
						d.existingAntiKeys = append(d.existingAntiKeys, t.TopologyKey)
					}
				}
			}
		}
	}
	if len(ip.podAnti) == 0 && !slices.ContainsFunc(ip.dss, func(d interPodDS) bool { return d.active }) {
		return nil
	}
	for k := range ip.dss {
		for s := range ip.dss[k].spread {
			if sc := &ip.dss[k].spread[s]; !sc.honorAffinity {
				sc.domains = newDomainCounts()
				for _, node := range c.nodes {
					if ip.spreadEligible(&ip.dss[k], sc, node) {
						sc.domains.add(node.Labels[sc.key], 0)
					}
				}
			}
		}
	}
	for i := range ix.nodes {
		for _, pi := range ix.nodes[i].podIdx {
			if !replaced(pi) {
				ip.count(c.pods[pi], ip.podAnti[pi], int32(i), 1, podRef{pi: pi, ds: -1, node: int32(i)})
			}
		}
	}
	for k := range ip.dss {
		d := &ip.dss[k]
		if d.existingAnti.total > 0 {
			d.active = true
		}
		for p := range d.existingAnti.m {
			if !slices.Contains(d.existingAntiKeys, p.key) {
				d.existingAntiKeys = append(d.existingAntiKeys, p.key)
			}
		}
		slices.Sort(d.existingAntiKeys)
	}
	return ip
}

// count adds (sign 1) or removes (-1) pod q, bound on node i, with its
// required anti-affinity terms qAnti, to every DaemonSet's counts.
// upstream: interpodaffinity/filtering.go updateWithPod (AddPod,
// RemovePod), podtopologyspread/filtering.go updateWithPod
func (ip *interPod) count(q *corev1.Pod, qAnti []daemonset.AffinityTerm, i int32, sign int, ref podRef) {
	node := ip.c.nodes[i]
	nl := node.Labels
	for k := range ip.dss {
		d := &ip.dss[k]
		for t := range qAnti {
			if qAnti[t].Matches(d.pod, ip.ns) {
				d.existingAnti.add(qAnti[t].TopologyKey, nl, sign, ref)
			}
		}
		if matchesAll(d.aff, q, ip.ns) {
			for t := range d.aff {
				d.affCounts.add(d.aff[t].TopologyKey, nl, sign, ref)
			}
		}
		for t := range d.anti {
			if d.anti[t].Matches(q, ip.ns) {
				d.antiCounts.add(d.anti[t].TopologyKey, nl, sign, ref)
			}
		}
		for s := range d.spread {
			sc := &d.spread[s]
			if sc.domains != nil && spreadCounts(sc.sel, d.pod.Namespace, q) && ip.spreadEligible(d, sc, node) {
				sc.domains.add(nl[sc.key], sign)
			}
		}
	}
}

// bind records the daemon pod of DaemonSet j bound on node i.
func (ip *interPod) bind(j int, i int) {
	if ip.bound == nil {
		ip.bound = make([][]int, len(ip.c.nodes))
	}
	ip.bound[i] = append(ip.bound[i], j)
	ip.count(ip.dss[j].pod, ip.dss[j].antiBound, int32(i), 1, podRef{pi: -1, ds: int32(j), node: int32(i)})
}

// evict records the cluster pod pi, bound on node i, evicted by preemption.
func (ip *interPod) evict(pi int32, i int) {
	if ip.evicted == nil {
		ip.evicted = map[int32]bool{}
	}
	ip.evicted[pi] = true
	ip.count(ip.c.pods[pi], ip.podAnti[pi], int32(i), -1, podRef{pi: pi, ds: -1, node: int32(i)})
}

// spreadEligible says whether node counts for constraint sc of d's pod
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

// countOn counts the pods on node i that sc of a pod of namespace ns
// counts: the cluster's pods there (those Place replaces, those evicted and
// those in gone left out) and the daemon pods bound there.
func (ip *interPod) countOn(i int, sc *spreadConstraint, ns string, gone []int32) int {
	n := 0
	for _, pi := range ip.ix.nodes[i].podIdx {
		if !ip.replaced(pi) && !ip.evicted[pi] && !slices.Contains(gone, pi) && spreadCounts(sc.sel, ns, ip.c.pods[pi]) {
			n++
		}
	}
	var bound []int
	if ip.bound != nil {
		bound = ip.bound[i]
	}
	for _, j := range bound {
		if spreadCounts(sc.sel, ns, ip.dss[j].pod) {
			n++
		}
	}
	return n
}

// The reasons these filters give.
// upstream: interpodaffinity/filtering.go ErrReason*,
// podtopologyspread/plugin.go ErrReason*

// filter runs PodTopologySpread and InterPodAffinity for the daemon pod of
// DaemonSet k on node i as the pods bound so far leave it, with the
// cluster pods in gone (on node i) removed as well (preemption's dry run).
// It returns nil when both pass. describe names a placed DaemonSet.
// upstream: podtopologyspread/filtering.go Filter,
// interpodaffinity/filtering.go Filter
func (ip *interPod) filter(k, i int, gone []int32, describe func(j int) string) []PendingReason {
	d := &ip.dss[k]
	if !d.active {
		return nil
	}
	var out []PendingReason
	if r, ok := ip.spreadFilter(d, i, gone); !ok {
		out = append(out, r)
	}
	out = append(out, ip.affinityFilter(d, i, gone, describe)...)
	return out
}

// unresolvable: no preemption can make the pod pass (upstream:
// UnschedulableAndUnresolvable).
func (r PendingReason) unresolvable() bool {
	return r.Kind == PendingNodeUnschedulable || r.Kind == PendingPodAffinity || r.Kind == PendingTopologySpreadLabel
}

func (ip *interPod) spreadFilter(d *interPodDS, i int, gone []int32) (PendingReason, bool) {
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
			matchNum = ip.countOn(i, sc, d.pod.Namespace, gone)
			minNum, domains = matchNum, 1
		case sc.honorAffinity:
			minNum = -1
		default:
			matchNum, domains = sc.domains.n[v], len(sc.domains.n)
			minNum = sc.domains.min
			if eligible && len(gone) > 0 {
				matchNum -= ip.countOn(i, sc, d.pod.Namespace, nil) - ip.countOn(i, sc, d.pod.Namespace, gone)
				if m := sc.domains.minWithout(v); m >= 0 {
					minNum = min(m, matchNum)
				} else {
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

func (ip *interPod) affinityFilter(d *interPodDS, i int, gone []int32, describe func(j int) string) []PendingReason {
	L := ip.c.nodes[i].Labels
	name := func(ref podRef) string {
		switch {
		case ref.pi >= 0:
			q := ip.c.pods[ref.pi]
			return q.Namespace + "/" + q.Name
		case ref.ds >= 0:
			return describe(int(ref.ds)) + " on " + ip.c.nodes[ref.node].Name
		}
		return ""
	}
	holder := func(ref podRef) string {
		if ref.pi >= 0 && slices.Contains(gone, ref.pi) {
			return ""
		}
		return name(ref)
	}
	// the first failing check decides, as upstream's Filter returns there
	// the pod's affinity: upstream nodeTopologyMatchesAffinity
	if len(d.aff) > 0 {
		delta, total := 0, d.affCounts.total
		for _, pi := range gone {
			if matchesAll(d.aff, ip.c.pods[pi], ip.ns) {
				delta--
				total -= len(d.aff)
			}
		}
		missing, exist := "", true
		for t := range d.aff {
			key := d.aff[t].TopologyKey
			v, ok := L[key]
			if !ok {
				missing = key
				break
			}
			if n, _ := d.affCounts.at(topoPair{key, v}); n+delta*d.affKeyMult[key] <= 0 {
				exist = false
			}
		}
		switch {
		case missing != "":
			return []PendingReason{{Kind: PendingPodAffinity, TopologyKey: missing,
				Message: fmt.Sprintf("node lacks the label %s of the pod's required pod affinity", missing)}}
		case !exist && !(total == 0 && matchesAll(d.aff, d.pod, ip.ns)):
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
		p := topoPair{term.TopologyKey, v}
		n, first := d.antiCounts.at(p)
		for _, pi := range gone {
			for u := range d.anti {
				if d.anti[u].TopologyKey == term.TopologyKey && d.anti[u].Matches(ip.c.pods[pi], ip.ns) {
					n--
				}
			}
		}
		if n > 0 {
			by := holder(first)
			return []PendingReason{{Kind: PendingPodAntiAffinity, TopologyKey: term.TopologyKey, TopologyValue: v, HeldBy: by,
				Message: fmt.Sprintf("the pod's required anti-affinity (topologyKey %s) matches %s in %s=%s", term.TopologyKey, orPods(by), term.TopologyKey, v)}}
		}
	}
	// the anti-affinity of the pods already there: upstream
	// satisfyExistingPodsAntiAffinity (only keys some term counts at can
	// fail)
	for _, key := range d.existingAntiKeys {
		v, ok := L[key]
		if !ok {
			continue
		}
		n, first := d.existingAnti.at(topoPair{key, v})
		for _, pi := range gone {
			for _, t := range ip.podAnti[pi] {
				if t.TopologyKey == key && t.Matches(d.pod, ip.ns) {
					n--
				}
			}
		}
		if n > 0 {
			by := holder(first)
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
