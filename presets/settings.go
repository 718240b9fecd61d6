package presets

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/daemonkit/daemonkit/builder"
	"github.com/daemonkit/daemonkit/daemonset"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Settings are what every preset shares beyond its own options: where the
// pods run, what the agent container runs and may use, how fast a rollout
// goes. Tools that set them by name (the CLI's --set) use SettingKeys and
// Set. A zero field leaves the preset's value; a non-nil empty NodeSelector
// or Tolerations clears the preset's.
type Settings struct {
	// NodeSelector replaces the pod template's nodeSelector.
	NodeSelector map[string]string
	// Tolerations replace the pod template's tolerations.
	Tolerations []corev1.Toleration
	// Image replaces the image of the agent container (the first regular
	// container).
	Image string
	// RequestsCPU, RequestsMemory, LimitsCPU and LimitsMemory set the agent
	// container's resources, as quantities ("100m", "128Mi").
	RequestsCPU, RequestsMemory, LimitsCPU, LimitsMemory string
	// MaxUnavailable and MaxSurge set the RollingUpdate budget, a count or
	// a percentage ("1", "10%"); the update strategy becomes RollingUpdate.
	MaxUnavailable, MaxSurge string
	// PriorityClassName sets the pods' priority class.
	PriorityClassName string
}

// Apply returns b with the settings made: the agent container is b's first
// regular container. Bad quantities, budgets the API server refuses and a
// preset without a container are b.Build's errors, with their field paths.
func (s Settings) Apply(b *builder.DaemonSet) *builder.DaemonSet {
	if b == nil {
		return nil
	}
	if s.NodeSelector != nil {
		b = b.NodeSelectorLabels(s.NodeSelector)
	}
	if s.Tolerations != nil {
		b = b.Tolerations(s.Tolerations...)
	}
	if s.PriorityClassName != "" {
		b = b.PriorityClass(s.PriorityClassName)
	}
	var agent string
	b = b.Edit(func(ds *appsv1.DaemonSet) {
		if cs := ds.Spec.Template.Spec.Containers; len(cs) > 0 {
			agent = cs[0].Name
		}
	})
	var opts []builder.ContainerOption
	if s.Image != "" {
		opts = append(opts, builder.Image(s.Image))
	}
	for _, r := range []struct {
		q     string
		limit bool
		name  corev1.ResourceName
	}{{s.RequestsCPU, false, corev1.ResourceCPU}, {s.RequestsMemory, false, corev1.ResourceMemory},
		{s.LimitsCPU, true, corev1.ResourceCPU}, {s.LimitsMemory, true, corev1.ResourceMemory}} {
		switch {
		case r.q == "":
		case r.limit:
			opts = append(opts, builder.Limit(r.name, r.q))
		default:
			opts = append(opts, builder.Request(r.name, r.q))
		}
	}
	if len(opts) > 0 {
		b = b.UpdateContainer(agent, opts...)
	}
	if s.MaxUnavailable != "" || s.MaxSurge != "" {
		b = b.Edit(func(ds *appsv1.DaemonSet) {
			us := &ds.Spec.UpdateStrategy
			if us.Type != appsv1.RollingUpdateDaemonSetStrategyType || us.RollingUpdate == nil {
				// What the API server stores for a RollingUpdate strategy
				// left empty (upstream: pkg/apis/apps/v1/defaults.go
				// SetDefaults_DaemonSet): maxUnavailable 1, maxSurge 0.
				one, zero := intstr.FromInt32(1), intstr.FromInt32(0)
				*us = appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType,
					RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxUnavailable: &one, MaxSurge: &zero}}
			}
			if s.MaxUnavailable != "" {
				v := intstr.Parse(s.MaxUnavailable)
				us.RollingUpdate.MaxUnavailable = &v
			}
			if s.MaxSurge != "" {
				v := intstr.Parse(s.MaxSurge)
				us.RollingUpdate.MaxSurge = &v
			}
		})
	}
	return b
}

// SettingKey documents one key of Settings as tools set it by name.
type SettingKey struct {
	// Key is the name, Helm-style: "nodeSelector", "resources.requests.cpu".
	Key string
	// Help says in one line what it sets and in which form.
	Help string
}

// SettingKeys lists the keys Set accepts, in a fixed order.
func SettingKeys() []SettingKey {
	return []SettingKey{
		{"image", "image of the agent container (registry/name:tag or @sha256 digest)"},
		{"nodeSelector", "pod nodeSelector, replacing the preset's: key=value pairs joined by commas (empty clears it)"},
		{"tolerations", "pod tolerations, replacing the preset's: key[=value][:Effect] joined by commas, :Effect for every taint of that effect, * for every taint (empty clears them)"},
		{"resources.requests.cpu", "cpu request of the agent container (100m, 1)"},
		{"resources.requests.memory", "memory request of the agent container (128Mi)"},
		{"resources.limits.cpu", "cpu limit of the agent container"},
		{"resources.limits.memory", "memory limit of the agent container"},
		{"maxUnavailable", "RollingUpdate budget: nodes without a ready pod at a time, a count or a percentage (1, 10%)"},
		{"maxSurge", "RollingUpdate surge: nodes that start the new pod beside the old one, a count or a percentage; a host port keeps the surge pod from starting"},
		{"priorityClassName", "priority class of the pods (system-node-critical for agents the node needs)"},
	}
}

// Set sets the setting named key (one of SettingKeys, case-insensitive)
// from its command-line form. It reports an unknown key or a value that
// does not parse; what the API server would refuse is left to Build.
func (s *Settings) Set(key, value string) error {
	switch strings.ToLower(key) {
	case "image":
		s.Image = value
	case "nodeselector":
		m, err := parsePairs(value)
		if err != nil {
			return err
		}
		s.NodeSelector = m
	case "tolerations":
		t, err := ParseTolerations(value)
		if err != nil {
			return err
		}
		s.Tolerations = t
	case "resources.requests.cpu", "resources.requests.memory", "resources.limits.cpu", "resources.limits.memory":
		if _, err := resource.ParseQuantity(value); err != nil {
			return fmt.Errorf("%q is not a quantity (expected, say, 100m or 128Mi)", value)
		}
		switch strings.ToLower(key) {
		case "resources.requests.cpu":
			s.RequestsCPU = value
		case "resources.requests.memory":
			s.RequestsMemory = value
		case "resources.limits.cpu":
			s.LimitsCPU = value
		default:
			s.LimitsMemory = value
		}
	case "maxunavailable", "maxsurge":
		if err := countOrPercent(value); err != nil {
			return err
		}
		if strings.EqualFold(key, "maxSurge") {
			s.MaxSurge = value
		} else {
			s.MaxUnavailable = value
		}
	case "priorityclassname":
		s.PriorityClassName = value
	default:
		return fmt.Errorf("unknown setting %q", key)
	}
	return nil
}

// countOrPercent accepts what intstr.Parse reads as intended: a
// non-negative integer, or one followed by %.
func countOrPercent(v string) error {
	n := strings.TrimSuffix(v, "%")
	if i, err := strconv.ParseInt(n, 10, 32); err != nil || i < 0 {
		return fmt.Errorf("%q: expected a count or a percentage (1, 10%%)", v)
	}
	return nil
}

// parsePairs reads "k=v,k2=v2"; "" is an empty, non-nil map.
func parsePairs(s string) (map[string]string, error) {
	m := map[string]string{}
	for _, kv := range strings.Split(s, ",") {
		if kv = strings.TrimSpace(kv); kv == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%q: expected key=value pairs joined by commas", s)
		}
		m[k] = v
	}
	return m, nil
}

// ParseTolerations reads a comma-separated list of tolerations in the form
// kubectl taint writes taints: "key=value:Effect" (operator Equal),
// "key:Effect" and "key" (operator Exists, the latter for every effect),
// ":Effect" (every taint of that effect) and "*" (every taint). Effects are
// NoSchedule, PreferNoSchedule and NoExecute. "" is an empty, non-nil list.
func ParseTolerations(s string) ([]corev1.Toleration, error) {
	out := []corev1.Toleration{}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if item == "*" {
			out = append(out, corev1.Toleration{Operator: corev1.TolerationOpExists})
			continue
		}
		kv, effect, hasEffect := strings.Cut(item, ":")
		t := corev1.Toleration{Operator: corev1.TolerationOpExists}
		if hasEffect {
			switch e := corev1.TaintEffect(effect); e {
			case corev1.TaintEffectNoSchedule, corev1.TaintEffectPreferNoSchedule, corev1.TaintEffectNoExecute:
				t.Effect = e
			default:
				return nil, fmt.Errorf("toleration %q: effect %q is not NoSchedule, PreferNoSchedule or NoExecute", item, effect)
			}
		}
		k, v, hasValue := strings.Cut(kv, "=")
		switch {
		case k == "" && hasValue:
			return nil, fmt.Errorf("toleration %q: a value needs a key", item)
		case k == "" && !hasEffect:
			return nil, fmt.Errorf("toleration %q: give a key, an effect, or * for every taint", item)
		case hasValue:
			t.Operator, t.Value = corev1.TolerationOpEqual, v
		}
		t.Key = k
		out = append(out, t)
	}
	return out, nil
}

// CurrentSettings renders what ds has for each of SettingKeys, in their
// command-line form, as the defaults a preset's help shows.
func CurrentSettings(ds *appsv1.DaemonSet) map[string]string {
	out := map[string]string{}
	if ds == nil {
		return out
	}
	spec := &ds.Spec.Template.Spec
	var pairs []string
	for k, v := range spec.NodeSelector {
		pairs = append(pairs, k+"="+v)
	}
	sort.Strings(pairs)
	out["nodeSelector"] = strings.Join(pairs, ",")
	var tols []string
	for _, t := range spec.Tolerations {
		tols = append(tols, formatToleration(t))
	}
	out["tolerations"] = strings.Join(tols, ",")
	if len(spec.Containers) > 0 {
		c := &spec.Containers[0]
		out["image"] = c.Image
		for key, q := range map[string]corev1.ResourceList{"resources.requests.": c.Resources.Requests, "resources.limits.": c.Resources.Limits} {
			for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
				if v, ok := q[r]; ok {
					out[key+string(r)] = v.String()
				} else {
					out[key+string(r)] = ""
				}
			}
		}
	}
	stored := &appsv1.DaemonSet{Spec: appsv1.DaemonSetSpec{UpdateStrategy: *ds.Spec.UpdateStrategy.DeepCopy()}}
	daemonset.SetDefaults(stored)
	if ru := stored.Spec.UpdateStrategy.RollingUpdate; ru != nil {
		if ru.MaxUnavailable != nil {
			out["maxUnavailable"] = ru.MaxUnavailable.String()
		}
		if ru.MaxSurge != nil {
			out["maxSurge"] = ru.MaxSurge.String()
		}
	}
	out["priorityClassName"] = spec.PriorityClassName
	return out
}

// formatToleration writes t as ParseTolerations reads it. What that form
// cannot express follows in parentheses: tolerationSeconds, a value with
// operator Exists.
func formatToleration(t corev1.Toleration) string {
	var extra []string
	if t.Operator == corev1.TolerationOpExists && t.Value != "" {
		extra = append(extra, "value "+t.Value)
	}
	if t.TolerationSeconds != nil {
		extra = append(extra, fmt.Sprintf("for %ds", *t.TolerationSeconds))
	}
	s := tolerationForm(t)
	if len(extra) > 0 {
		s += " (" + strings.Join(extra, ", ") + ")"
	}
	return s
}

func tolerationForm(t corev1.Toleration) string {
	switch {
	case t.Key == "" && t.Effect == "" && t.Operator == corev1.TolerationOpExists:
		return "*"
	case t.Operator == corev1.TolerationOpExists:
		s := t.Key
		if t.Effect != "" {
			s += ":" + string(t.Effect)
		}
		return s
	default:
		s := t.Key + "=" + t.Value
		if t.Effect != "" {
			s += ":" + string(t.Effect)
		}
		return s
	}
}
