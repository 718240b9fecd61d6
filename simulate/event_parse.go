package simulate

import (
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// eventSyntax is the text form ParseEvent reads, for error messages.
const eventSyntax = `"t=DURATION ACTION NODE [ARG]", e.g. "t=5m taint node-3 dedicated=x:NoExecute"`

// ParseEvent reads one scripted event in the text form the daemonkit CLI
// takes with --event:
//
//	t=DURATION ACTION NODE [ARG...]
//
// DURATION is a Go duration between 0s and MaxSimulatedTime (90s, 5m, 1h30m).
// ACTION and its arguments:
//
//	taint NODE KEY[=VALUE]:EFFECT    Tainted
//	untaint NODE KEY:EFFECT          Untainted
//	label NODE KEY=VALUE             Labeled
//	unlabel NODE KEY                 Unlabeled
//	notready NODE, ready NODE        NodeNotReady, NodeReady
//	cordon NODE, uncordon NODE       Cordoned, Uncordoned
//	remove NODE                      NodeRemoved
//	add NODE [KEY=VALUE...] [like=EXISTING]  NodeAdded
//
// KEY[=VALUE]:EFFECT is the form of `kubectl taint`, EFFECT one of
// NoSchedule, PreferNoSchedule and NoExecute. add makes a node with only
// the given labels, or with like=EXISTING a copy of that node of c (labels,
// taints, capacity; its kubernetes.io/hostname label follows the new name)
// with the given labels set on it, wherever they stand (Rollout stores it as
// the API server does: daemonset.SetNodeDefaults). Every action but add must name a node of c (a nil
// c has none); add must not. ParseEvents also knows the nodes earlier events
// add and remove: a removed node's name may be added again (a node replaced
// under the same name; the pods still bound to it run there again).
func ParseEvent(c *Cluster, text string) (Event, error) {
	return parseEvent(c, text, nil)
}

// String renders ev in the text form ParseEvent reads (an added node by
// its name only: its labels and capacity are not repeated).
func (ev Event) String() string {
	t := "t=" + ev.At.String() + " "
	switch ev.Kind {
	case EventTaint:
		taint := ev.Taint.Key
		if ev.Taint.Value != "" {
			taint += "=" + ev.Taint.Value
		}
		return t + "taint " + ev.Node + " " + taint + ":" + string(ev.Taint.Effect)
	case EventUntaint:
		return t + "untaint " + ev.Node + " " + ev.Taint.Key + ":" + string(ev.Taint.Effect)
	case EventLabel:
		return t + "label " + ev.Node + " " + ev.Key + "=" + ev.Value
	case EventUnlabel:
		return t + "unlabel " + ev.Node + " " + ev.Key
	case EventNodeRemove:
		return t + "remove " + ev.Node
	case EventNodeAdd:
		if ev.NewNode != nil {
			return t + "add " + ev.NewNode.Name
		}
		return t + "add"
	}
	return t + strings.ToLower(string(ev.Kind)) + " " + ev.Node
}

// ParseEvents reads scripted events in ParseEvent's text form, in order; a
// node that an earlier event adds may be named by the later ones, and one
// that an earlier event removes may be added again. The error quotes the
// text it is about.
func ParseEvents(c *Cluster, texts ...string) ([]Event, error) {
	present := map[string]bool{} // names earlier events add (true) or remove (false)
	out := make([]Event, 0, len(texts))
	for _, s := range texts {
		ev, err := parseEvent(c, s, present)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", s, err)
		}
		switch ev.Kind {
		case EventNodeAdd:
			present[ev.NewNode.Name] = true
		case EventNodeRemove:
			present[ev.Node] = false
		}
		out = append(out, ev)
	}
	return out, nil
}

// parseEvent reads one event; present holds the names of nodes that earlier
// events add (true) or remove (false).
func parseEvent(c *Cluster, s string, present map[string]bool) (Event, error) {
	f := strings.Fields(s)
	if len(f) < 3 || !strings.HasPrefix(f[0], "t=") {
		return Event{}, fmt.Errorf("expected %s", eventSyntax)
	}
	at, err := time.ParseDuration(strings.TrimPrefix(f[0], "t="))
	if err != nil || at < 0 || at > MaxSimulatedTime {
		return Event{}, fmt.Errorf("time %q: expected a duration between 0s and %v, e.g. 90s or 5m", strings.TrimPrefix(f[0], "t="), MaxSimulatedTime)
	}
	action, node, rest := strings.ToLower(f[1]), f[2], f[3:]
	state, named := present[node]
	known := named || clusterNode(c, node) != nil
	if action != "add" && !known {
		return Event{}, fmt.Errorf("unknown node %q", node)
	}
	need := func(n int, what string) error {
		if len(rest) != n {
			return fmt.Errorf("%s expects %s", action, what)
		}
		return nil
	}
	switch action {
	case "taint":
		if err := need(1, "KEY[=VALUE]:EFFECT"); err != nil {
			return Event{}, err
		}
		t, err := parseTaint(rest[0])
		if err != nil {
			return Event{}, err
		}
		return Tainted(at, node, t), nil
	case "untaint":
		if err := need(1, "KEY:EFFECT"); err != nil {
			return Event{}, err
		}
		key, effect, ok := strings.Cut(rest[0], ":")
		if !ok || !validEffect(effect) {
			return Event{}, fmt.Errorf("expected KEY:EFFECT with effect NoSchedule, PreferNoSchedule or NoExecute")
		}
		return Untainted(at, node, key, corev1.TaintEffect(effect)), nil
	case "label":
		if err := need(1, "KEY=VALUE"); err != nil {
			return Event{}, err
		}
		k, v, ok := strings.Cut(rest[0], "=")
		if !ok || k == "" {
			return Event{}, fmt.Errorf("expected KEY=VALUE")
		}
		return Labeled(at, node, k, v), nil
	case "unlabel":
		if err := need(1, "KEY"); err != nil {
			return Event{}, err
		}
		return Unlabeled(at, node, rest[0]), nil
	case "notready", "ready", "cordon", "uncordon", "remove":
		if err := need(0, "no argument"); err != nil {
			return Event{}, err
		}
		switch action {
		case "notready":
			return NodeNotReady(at, node), nil
		case "ready":
			return NodeReady(at, node), nil
		case "cordon":
			return Cordoned(at, node), nil
		case "uncordon":
			return Uncordoned(at, node), nil
		}
		return NodeRemoved(at, node), nil
	case "add":
		if known && (!named || state) {
			return Event{}, fmt.Errorf("node %q already exists (remove it first to replace it under the same name)", node)
		}
		return parseNodeAdd(c, at, node, rest)
	}
	return Event{}, fmt.Errorf("unknown action %q (taint, untaint, label, unlabel, notready, ready, cordon, uncordon, remove, add)", action)
}

// parseNodeAdd reads the arguments of "add NODE [KEY=VALUE...] [like=EXISTING]";
// the labels are set on the copy whatever their place among the arguments.
func parseNodeAdd(c *Cluster, at time.Duration, node string, args []string) (Event, error) {
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: node, Labels: map[string]string{}}}
	labels := make([][2]string, 0, len(args))
	for _, kv := range args {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return Event{}, fmt.Errorf("add expects labels KEY=VALUE or like=EXISTING-NODE, got %q", kv)
		}
		if k != "like" {
			labels = append(labels, [2]string{k, v})
			continue
		}
		tmpl := clusterNode(c, v)
		if tmpl == nil {
			return Event{}, fmt.Errorf("like=%s: unknown node", v)
		}
		n = tmpl.DeepCopy()
		n.Name = node
		n.ResourceVersion, n.UID = "", ""
		if n.Labels == nil {
			n.Labels = map[string]string{}
		}
		if _, ok := n.Labels[corev1.LabelHostname]; ok {
			n.Labels[corev1.LabelHostname] = node
		}
	}
	for _, kv := range labels {
		n.Labels[kv[0]] = kv[1]
	}
	return NodeAdded(at, n), nil
}

// clusterNode is c.Node(name); a nil c has no nodes.
func clusterNode(c *Cluster, name string) *corev1.Node {
	if c == nil {
		return nil
	}
	return c.Node(name)
}

// parseTaint reads KEY[=VALUE]:EFFECT, the form of `kubectl taint`.
func parseTaint(s string) (corev1.Taint, error) {
	kv, effect, ok := strings.Cut(s, ":")
	if !ok || !validEffect(effect) {
		return corev1.Taint{}, fmt.Errorf("taint %q: expected KEY[=VALUE]:EFFECT with effect NoSchedule, PreferNoSchedule or NoExecute", s)
	}
	k, v, _ := strings.Cut(kv, "=")
	if k == "" {
		return corev1.Taint{}, fmt.Errorf("taint %q: empty key", s)
	}
	return corev1.Taint{Key: k, Value: v, Effect: corev1.TaintEffect(effect)}, nil
}

func validEffect(e string) bool {
	switch corev1.TaintEffect(e) {
	case corev1.TaintEffectNoSchedule, corev1.TaintEffectPreferNoSchedule, corev1.TaintEffectNoExecute:
		return true
	}
	return false
}
