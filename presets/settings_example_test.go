package presets_test

import (
	"fmt"

	"github.com/daemonkit/daemonkit/presets"
)

// Settings change what every preset shares, here by name as the CLI's
// --set does, and CurrentSettings reads them back.
func ExampleSettings_Set() {
	var s presets.Settings
	for _, kv := range [][2]string{
		{"nodeSelector", "kubernetes.io/os=linux,pool=infra"},
		{"tolerations", "dedicated=infra:NoSchedule"},
		{"resources.requests.memory", "256Mi"},
		{"resources.limits.memory", "512Mi"},
		{"maxUnavailable", "10%"},
	} {
		if err := s.Set(kv[0], kv[1]); err != nil {
			fmt.Println(err)
			return
		}
	}
	ds, err := s.Apply(presets.FluentBit(presets.FluentBitOptions{})).Build()
	if err != nil {
		fmt.Println(err)
		return
	}
	cur := presets.CurrentSettings(ds)
	for _, k := range []string{"nodeSelector", "tolerations", "resources.requests.cpu", "resources.requests.memory", "resources.limits.memory", "maxUnavailable"} {
		fmt.Printf("%s=%s\n", k, cur[k])
	}
	// Output:
	// nodeSelector=kubernetes.io/os=linux,pool=infra
	// tolerations=dedicated=infra:NoSchedule
	// resources.requests.cpu=100m
	// resources.requests.memory=256Mi
	// resources.limits.memory=512Mi
	// maxUnavailable=10%
}

func ExampleSettings_Apply() {
	b := presets.Settings{PriorityClassName: "system-node-critical", LimitsMemory: "1Gi"}.
		Apply(presets.NodeExporter(presets.NodeExporterOptions{}))
	ds, err := b.Build()
	if err != nil {
		fmt.Println(err)
		return
	}
	spec := ds.Spec.Template.Spec
	fmt.Println(spec.PriorityClassName, spec.Containers[0].Resources.Limits.Memory())
	// Output: system-node-critical 1Gi
}

func ExampleSettingKeys() {
	for _, k := range presets.SettingKeys()[:3] {
		fmt.Println(k.Key)
	}
	// Output:
	// image
	// nodeSelector
	// tolerations
}

func ExampleParseTolerations() {
	tols, err := presets.ParseTolerations("*, nvidia.com/gpu:NoSchedule, dedicated=infra:NoExecute")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range tols {
		fmt.Printf("key=%q operator=%s value=%q effect=%q\n", t.Key, t.Operator, t.Value, t.Effect)
	}
	// Output:
	// key="" operator=Exists value="" effect=""
	// key="nvidia.com/gpu" operator=Exists value="" effect="NoSchedule"
	// key="dedicated" operator=Equal value="infra" effect="NoExecute"
}

func ExampleCurrentSettings() {
	ds, err := presets.Calico(presets.CalicoOptions{}).Build()
	if err != nil {
		fmt.Println(err)
		return
	}
	cur := presets.CurrentSettings(ds)
	fmt.Println(cur["tolerations"])
	fmt.Println(cur["resources.requests.cpu"], cur["priorityClassName"])
	// Output:
	// :NoSchedule,CriticalAddonsOnly,:NoExecute
	// 250m system-node-critical
}

// Presets in a namespace every cluster has emit no Namespace object.
func ExampleIsSystemNamespace() {
	fmt.Println(presets.IsSystemNamespace("kube-system"), presets.CiliumCompanions(presets.CiliumOptions{}).Namespace == nil)
	fmt.Println(presets.IsSystemNamespace("monitoring"), presets.NodeExporterCompanions(presets.NodeExporterOptions{}).Namespace.Name)
	// Output:
	// true true
	// false monitoring
}
