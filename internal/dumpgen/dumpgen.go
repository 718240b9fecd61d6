// Package dumpgen writes realistic `kubectl get nodes -o json|yaml` and
// `kubectl get pods -A -o json|yaml` dumps of any size, for the benchmarks of
// the codec and the CLI. Nodes look as EKS, GKE and AKS report them (their
// label sets and annotations, four conditions, addresses, nodeInfo, about
// 40 cached images each); pods carry the fields the API server returns for a
// running Deployment or DaemonSet pod. The output is deterministic: the same
// arguments write the same bytes.
//
// Dumps are written item by item, so a 1 GB dump costs no more memory than
// one object.
package dumpgen

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/yaml"
)

// Format is the output format of a dump.
type Format int

// The formats kubectl prints.
const (
	JSON Format = iota
	YAML
)

// WriteNodes writes a kubectl List of n nodes.
func WriteNodes(w io.Writer, f Format, n int) error {
	return writeList(w, f, n, func(i int) any { return Node(i) })
}

// WritePods writes a kubectl List of n pods spread over nodes nodes.
func WritePods(w io.Writer, f Format, n, nodes int) error {
	return writeList(w, f, n, func(i int) any { return Pod(i, nodes) })
}

// writeList writes the List as kubectl does: keys sorted, JSON indented by
// four spaces, YAML items at column 0.
func writeList(w io.Writer, f Format, n int, item func(int) any) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	if f == JSON {
		bw.WriteString("{\n    \"apiVersion\": \"v1\",\n    \"items\": [")
		for i := 0; i < n; i++ {
			b, err := json.MarshalIndent(item(i), "        ", "    ")
			if err != nil {
				return err
			}
			if i > 0 {
				bw.WriteString(",")
			}
			bw.WriteString("\n        ")
			bw.Write(b)
		}
		if n > 0 {
			bw.WriteString("\n    ")
		}
		bw.WriteString("],\n    \"kind\": \"List\",\n    \"metadata\": {\n        \"resourceVersion\": \"\"\n    }\n}\n")
		return bw.Flush()
	}
	bw.WriteString("apiVersion: v1\nitems:\n")
	if n == 0 {
		bw.WriteString("[]\n")
	}
	for i := 0; i < n; i++ {
		b, err := yaml.Marshal(item(i))
		if err != nil {
			return err
		}
		lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		for j, l := range lines {
			if j == 0 {
				bw.WriteString("- ")
			} else if l != "" {
				bw.WriteString("  ")
			}
			bw.WriteString(l)
			bw.WriteByte('\n')
		}
	}
	bw.WriteString("kind: List\nmetadata:\n  resourceVersion: \"\"\n")
	return bw.Flush()
}

var epoch = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

// hex returns a deterministic hex string of n digits derived from seed.
func hex(seed uint64, n int) string {
	var b strings.Builder
	x := seed*0x9e3779b97f4a7c15 + 0x632be59bd9b4e019
	for b.Len() < n {
		x ^= x >> 31
		x *= 0xbf58476d1ce4e5b9
		x ^= x >> 27
		fmt.Fprintf(&b, "%016x", x)
	}
	return b.String()[:n]
}

type flavor struct {
	provider, region string
	zones            []string
	instances        []string
	cpu              []string // capacity per instance type
	mem              []string
	allocCPU         []string
	allocMem         []string
	pods             []string
}

var flavors = []flavor{
	{provider: "eks", region: "us-east-1", zones: []string{"us-east-1a", "us-east-1b", "us-east-1c"},
		instances: []string{"m5.4xlarge", "c5.2xlarge", "r5.8xlarge"},
		cpu:       []string{"16", "8", "32"}, mem: []string{"64925180Ki", "15928108Ki", "261072028Ki"},
		allocCPU: []string{"15890m", "7910m", "31850m"}, allocMem: []string{"63908348Ki", "14911276Ki", "255344028Ki"},
		pods: []string{"234", "58", "234"}},
	{provider: "gke", region: "europe-west1", zones: []string{"europe-west1-b", "europe-west1-c", "europe-west1-d"},
		instances: []string{"e2-standard-8", "n2-standard-16", "n2-highmem-32"},
		cpu:       []string{"8", "16", "32"}, mem: []string{"32882692Ki", "65869828Ki", "263207948Ki"},
		allocCPU: []string{"7910m", "15890m", "31850m"}, allocMem: []string{"29095940Ki", "60322820Ki", "245218060Ki"},
		pods: []string{"110", "110", "110"}},
	{provider: "aks", region: "westeurope", zones: []string{"westeurope-1", "westeurope-2", "westeurope-3"},
		instances: []string{"Standard_D8s_v5", "Standard_D16s_v5", "Standard_E32s_v5"},
		cpu:       []string{"8", "16", "32"}, mem: []string{"32864348Ki", "65856604Ki", "264075540Ki"},
		allocCPU: []string{"7820m", "15740m", "31580m"}, allocMem: []string{"27652188Ki", "57820252Ki", "245331732Ki"},
		pods: []string{"110", "110", "250"}},
}

// NodeName is the name of node i.
func NodeName(i int) string {
	switch i % 3 {
	case 0:
		return fmt.Sprintf("ip-10-%d-%d-%d.ec2.internal", i>>16&0xff, i>>8&0xff, i&0xff)
	case 1:
		return fmt.Sprintf("gke-prod-pool-%d-%s-%s", i%7, hex(uint64(i), 8), hex(uint64(i)+1, 4))
	}
	return fmt.Sprintf("aks-nodepool%d-%s-vmss%06x", i%5+1, hex(uint64(i), 8)[:8], i)
}

func q(s string) resource.Quantity { return resource.MustParse(s) }

// Node is node i of a dump.
func Node(i int) *corev1.Node {
	f := flavors[i%3]
	t := (i / 3) % 3
	zone := f.zones[(i/9)%3]
	name := NodeName(i)
	created := epoch.Add(-time.Duration(i%5000) * time.Minute)
	ip := fmt.Sprintf("10.%d.%d.%d", i>>16&0xff, i>>8&0xff, i&0xff)
	labels := map[string]string{
		"beta.kubernetes.io/arch":                  "amd64",
		"beta.kubernetes.io/instance-type":         f.instances[t],
		"beta.kubernetes.io/os":                    "linux",
		"failure-domain.beta.kubernetes.io/region": f.region,
		"failure-domain.beta.kubernetes.io/zone":   zone,
		"kubernetes.io/arch":                       "amd64",
		"kubernetes.io/hostname":                   name,
		"kubernetes.io/os":                         "linux",
		"node.kubernetes.io/instance-type":         f.instances[t],
		"topology.kubernetes.io/region":            f.region,
		"topology.kubernetes.io/zone":              zone,
	}
	annotations := map[string]string{
		"node.alpha.kubernetes.io/ttl":                           "0",
		"volumes.kubernetes.io/controller-managed-attach-detach": "true",
	}
	var providerID string
	var taints []corev1.Taint
	switch f.provider {
	case "eks":
		ng := fmt.Sprintf("ng-%s-%d", f.instances[t], i%4)
		labels["eks.amazonaws.com/capacityType"] = []string{"ON_DEMAND", "SPOT"}[i%2]
		labels["eks.amazonaws.com/nodegroup"] = ng
		labels["eks.amazonaws.com/nodegroup-image"] = "ami-0" + hex(uint64(t), 16)
		labels["eks.amazonaws.com/sourceLaunchTemplateId"] = "lt-0" + hex(uint64(t)+7, 16)
		labels["eks.amazonaws.com/sourceLaunchTemplateVersion"] = "3"
		labels["k8s.io/cloud-provider-aws"] = hex(42, 32)
		labels["topology.ebs.csi.aws.com/zone"] = zone
		labels["topology.k8s.aws/zone-id"] = "use1-az" + fmt.Sprint(i/9%3+1)
		annotations["alpha.kubernetes.io/provided-node-ip"] = ip
		annotations["csi.volume.kubernetes.io/nodeid"] = fmt.Sprintf(`{"ebs.csi.aws.com":"i-0%s","efs.csi.aws.com":"i-0%s"}`, hex(uint64(i), 16), hex(uint64(i), 16))
		providerID = fmt.Sprintf("aws:///%s/i-0%s", zone, hex(uint64(i), 16))
		if i%10 == 0 {
			taints = append(taints, corev1.Taint{Key: "dedicated", Value: "gpu", Effect: corev1.TaintEffectNoSchedule})
		}
	case "gke":
		pool := fmt.Sprintf("pool-%d", i%7)
		labels["cloud.google.com/gke-boot-disk"] = "pd-balanced"
		labels["cloud.google.com/gke-container-runtime"] = "containerd"
		labels["cloud.google.com/gke-cpu-scaling-level"] = labels["beta.kubernetes.io/instance-type"][len(f.instances[t])-1:]
		labels["cloud.google.com/gke-logging-variant"] = "DEFAULT"
		labels["cloud.google.com/gke-max-pods-per-node"] = "110"
		labels["cloud.google.com/gke-nodepool"] = pool
		labels["cloud.google.com/gke-os-distribution"] = "cos"
		labels["cloud.google.com/gke-provisioning"] = "standard"
		labels["cloud.google.com/gke-stack-type"] = "IPV4"
		labels["cloud.google.com/machine-family"] = strings.Split(f.instances[t], "-")[0]
		labels["cloud.google.com/private-node"] = "false"
		labels["node.kubernetes.io/masq-agent-ds-ready"] = "true"
		labels["topology.gke.io/zone"] = zone
		annotations["container.googleapis.com/instance_id"] = fmt.Sprint(4000000000000000000 + uint64(i)*7919)
		annotations["csi.volume.kubernetes.io/nodeid"] = fmt.Sprintf(`{"pd.csi.storage.gke.io":"projects/prod-123/zones/%s/instances/%s"}`, zone, name)
		annotations["node.gke.io/last-applied-node-labels"] = "cloud.google.com/gke-boot-disk=pd-balanced,cloud.google.com/gke-container-runtime=containerd,cloud.google.com/gke-nodepool=" + pool
		annotations["node.gke.io/last-applied-node-taints"] = ""
		providerID = fmt.Sprintf("gce://prod-123/%s/%s", zone, name)
	case "aks":
		pool := fmt.Sprintf("nodepool%d", i%5+1)
		labels["agentpool"] = pool
		labels["kubernetes.azure.com/agentpool"] = pool
		labels["kubernetes.azure.com/cluster"] = "MC_prod_prod-aks_westeurope"
		labels["kubernetes.azure.com/consolidated-additional-properties"] = hex(9, 36)
		labels["kubernetes.azure.com/kubelet-identity-client-id"] = hex(10, 36)
		labels["kubernetes.azure.com/mode"] = []string{"system", "user", "user"}[t]
		labels["kubernetes.azure.com/node-image-version"] = "AKSUbuntu-2204gen2containerd-202602.10.0"
		labels["kubernetes.azure.com/nodepool-type"] = "VirtualMachineScaleSets"
		labels["kubernetes.azure.com/os-sku"] = "Ubuntu"
		labels["kubernetes.azure.com/role"] = "agent"
		labels["kubernetes.azure.com/storageprofile"] = "managed"
		labels["kubernetes.azure.com/storagetier"] = "Premium_LRS"
		labels["storageprofile"] = "managed"
		labels["storagetier"] = "Premium_LRS"
		annotations["csi.volume.kubernetes.io/nodeid"] = fmt.Sprintf(`{"disk.csi.azure.com":"%s","file.csi.azure.com":"%s"}`, name, name)
		providerID = fmt.Sprintf("azure:///subscriptions/%s/resourceGroups/mc_prod/providers/Microsoft.Compute/virtualMachineScaleSets/%s/virtualMachines/%d", hex(11, 36), pool, i)
		if t == 0 {
			taints = append(taints, corev1.Taint{Key: "CriticalAddonsOnly", Value: "true", Effect: corev1.TaintEffectNoSchedule})
		}
	}
	capacity := corev1.ResourceList{
		corev1.ResourceCPU: q(f.cpu[t]), corev1.ResourceMemory: q(f.mem[t]), corev1.ResourcePods: q(f.pods[t]),
		corev1.ResourceEphemeralStorage: q("104845292Ki"), "hugepages-1Gi": q("0"), "hugepages-2Mi": q("0"),
	}
	alloc := corev1.ResourceList{
		corev1.ResourceCPU: q(f.allocCPU[t]), corev1.ResourceMemory: q(f.allocMem[t]), corev1.ResourcePods: q(f.pods[t]),
		corev1.ResourceEphemeralStorage: q("95551679124"), "hugepages-1Gi": q("0"), "hugepages-2Mi": q("0"),
	}
	heartbeat := metav1.NewTime(epoch.Add(time.Duration(i%300) * time.Second))
	since := metav1.NewTime(created.Add(40 * time.Second))
	cond := func(typ corev1.NodeConditionType, status corev1.ConditionStatus, reason, msg string) corev1.NodeCondition {
		return corev1.NodeCondition{Type: typ, Status: status, LastHeartbeatTime: heartbeat, LastTransitionTime: since, Reason: reason, Message: msg}
	}
	images := make([]corev1.ContainerImage, 40)
	for k := range images {
		repo := imageRepos[(k+i)%len(imageRepos)]
		digest := hex(uint64(k*131+i%17), 64)
		images[k] = corev1.ContainerImage{
			Names:     []string{repo + "@sha256:" + digest, fmt.Sprintf("%s:v1.%d.%d", repo, k%30, i%7)},
			SizeBytes: int64(10_000_000 + k*3_141_592 + i%1000),
		}
	}
	return &corev1.Node{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Node"},
		ObjectMeta: metav1.ObjectMeta{
			Name: name, UID: types.UID(uuid(uint64(i))), ResourceVersion: fmt.Sprint(100000000 + i),
			CreationTimestamp: metav1.NewTime(created), Labels: labels, Annotations: annotations,
		},
		Spec: corev1.NodeSpec{ProviderID: providerID, Taints: taints, PodCIDR: podCIDR(f.provider, i), PodCIDRs: podCIDRs(f.provider, i)},
		Status: corev1.NodeStatus{
			Capacity: capacity, Allocatable: alloc,
			Conditions: []corev1.NodeCondition{
				cond(corev1.NodeMemoryPressure, corev1.ConditionFalse, "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
				cond(corev1.NodeDiskPressure, corev1.ConditionFalse, "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
				cond(corev1.NodePIDPressure, corev1.ConditionFalse, "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
				cond(corev1.NodeReady, corev1.ConditionTrue, "KubeletReady", "kubelet is posting ready status"),
			},
			Addresses: []corev1.NodeAddress{
				{Type: corev1.NodeInternalIP, Address: ip},
				{Type: corev1.NodeInternalDNS, Address: name},
				{Type: corev1.NodeHostName, Address: name},
			},
			DaemonEndpoints: corev1.NodeDaemonEndpoints{KubeletEndpoint: corev1.DaemonEndpoint{Port: 10250}},
			NodeInfo: corev1.NodeSystemInfo{
				MachineID: hex(uint64(i)+3, 32), SystemUUID: uuid(uint64(i) + 5), BootID: uuid(uint64(i) + 9),
				KernelVersion: "6.1.128-136.201.amzn2023.x86_64", OSImage: "Amazon Linux 2023.6.20250203",
				ContainerRuntimeVersion: "containerd://1.7.25", KubeletVersion: "v1.37.2-eks-aeac579",
				OperatingSystem: "linux", Architecture: "amd64",
			},
			Images: images,
		},
	}
}

func podCIDR(provider string, i int) string {
	if provider == "eks" {
		return ""
	}
	return fmt.Sprintf("10.%d.%d.0/24", 64+i>>8&0x3f, i&0xff)
}

func podCIDRs(provider string, i int) []string {
	if c := podCIDR(provider, i); c != "" {
		return []string{c}
	}
	return nil
}

func uuid(seed uint64) string {
	h := hex(seed, 32)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

var imageRepos = []string{
	"602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni",
	"602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/kube-proxy",
	"602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/pause",
	"602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/aws-ebs-csi-driver",
	"602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/csi-node-driver-registrar",
	"602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/livenessprobe",
	"registry.k8s.io/ingress-nginx/controller", "registry.k8s.io/metrics-server/metrics-server",
	"quay.io/prometheus/node-exporter", "quay.io/prometheus/prometheus", "quay.io/jetstack/cert-manager-controller",
	"docker.io/grafana/grafana", "docker.io/grafana/loki", "docker.io/grafana/promtail",
	"docker.io/fluent/fluent-bit", "docker.io/datadog/agent", "docker.io/bitnami/redis", "docker.io/library/nginx",
	"gcr.io/prod-123/checkout-service", "gcr.io/prod-123/payment-service", "gcr.io/prod-123/cart-service",
	"gcr.io/prod-123/frontend", "gcr.io/prod-123/recommendation", "gcr.io/prod-123/ad-service",
	"ghcr.io/open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-contrib",
	"public.ecr.aws/karpenter/controller", "public.ecr.aws/aws-observability/aws-for-fluent-bit",
	"mcr.microsoft.com/oss/kubernetes/pause", "mcr.microsoft.com/oss/kubernetes-csi/azuredisk-csi",
	"mcr.microsoft.com/azuremonitor/containerinsights/ciprod", "gke.gcr.io/gke-metrics-agent",
	"gke.gcr.io/fluent-bit", "gke.gcr.io/pdcsi-node", "gke.gcr.io/netd", "gke.gcr.io/kube-proxy-amd64",
	"docker.io/istio/proxyv2", "docker.io/istio/pilot", "docker.io/cilium/cilium", "quay.io/cilium/operator-generic",
	"docker.io/elastic/filebeat", "docker.io/hashicorp/vault", "docker.io/library/busybox",
}

var apps = []string{"checkout", "payment", "cart", "frontend", "recommendation", "ad", "search", "inventory", "shipping", "email"}

// Pod is pod i of a dump over nodes nodes: mostly Deployment pods, one in
// five a DaemonSet pod, as `kubectl get pods -A -o json` returns them.
func Pod(i, nodes int) *corev1.Pod {
	node := NodeName(i % max(nodes, 1))
	app := apps[i%len(apps)]
	ns := "team-" + app
	hash := hex(uint64(i%97), 10)
	suffix := fmt.Sprintf("%05x", i) // unique, as the API server's random suffixes are
	name := fmt.Sprintf("%s-%s-%s", app, hash, suffix)
	ownerKind, ownerName := "ReplicaSet", app+"-"+hash
	labels := map[string]string{"app.kubernetes.io/name": app, "app.kubernetes.io/part-of": "shop", "pod-template-hash": hash}
	if i%5 == 0 {
		ns, app = "kube-system", "fluent-bit"
		name = "fluent-bit-" + suffix
		ownerKind, ownerName = "DaemonSet", "fluent-bit"
		labels = map[string]string{"app.kubernetes.io/name": "fluent-bit", "controller-revision-hash": "7d9f8c6b5", "pod-template-generation": "3"}
	}
	created := metav1.NewTime(epoch.Add(-time.Duration(i%10000) * time.Second))
	started := metav1.NewTime(created.Add(3 * time.Second))
	ip := fmt.Sprintf("10.%d.%d.%d", 128+i>>16&0x3f, i>>8&0xff, i&0xff)
	hostIP := fmt.Sprintf("10.%d.%d.%d", i%max(nodes, 1)>>16&0xff, i%max(nodes, 1)>>8&0xff, i%max(nodes, 1)&0xff)
	grace := int64(30)
	prio := int32(0)
	prec := corev1.PreemptLowerPriority
	expire := int64(3607)
	mode := int32(420)
	tolSecs := int64(300)
	yes := true
	image := fmt.Sprintf("gcr.io/prod-123/%s-service:v2.%d.0", app, i%13)
	cond := func(t corev1.PodConditionType) corev1.PodCondition {
		return corev1.PodCondition{Type: t, Status: corev1.ConditionTrue, LastTransitionTime: started}
	}
	return &corev1.Pod{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{
			Name: name, Namespace: ns, GenerateName: strings.TrimSuffix(name, suffix),
			UID: types.UID(uuid(uint64(i) + 1<<40)), ResourceVersion: fmt.Sprint(200000000 + i), CreationTimestamp: created,
			Labels: labels,
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: ownerKind, Name: ownerName,
				UID: types.UID(uuid(uint64(i%97) + 1<<41)), Controller: &yes, BlockOwnerDeletion: &yes}},
		},
		Spec: corev1.PodSpec{
			NodeName: node,
			Containers: []corev1.Container{{
				Name: app, Image: image, ImagePullPolicy: corev1.PullIfNotPresent,
				Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080, Protocol: corev1.ProtocolTCP}},
				Env:   []corev1.EnvVar{{Name: "LOG_LEVEL", Value: "info"}, {Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.name"}}}},
				Resources: corev1.ResourceRequirements{
					Requests: corev1.ResourceList{corev1.ResourceCPU: q("250m"), corev1.ResourceMemory: q("256Mi")},
					Limits:   corev1.ResourceList{corev1.ResourceMemory: q("512Mi")},
				},
				VolumeMounts:             []corev1.VolumeMount{{Name: "kube-api-access", MountPath: "/var/run/secrets/kubernetes.io/serviceaccount", ReadOnly: true}},
				TerminationMessagePath:   "/dev/termination-log",
				TerminationMessagePolicy: corev1.TerminationMessageReadFile,
			}},
			RestartPolicy: corev1.RestartPolicyAlways, TerminationGracePeriodSeconds: &grace, DNSPolicy: corev1.DNSClusterFirst,
			ServiceAccountName: "default", DeprecatedServiceAccount: "default", SecurityContext: &corev1.PodSecurityContext{},
			SchedulerName: corev1.DefaultSchedulerName, Priority: &prio, PreemptionPolicy: &prec, EnableServiceLinks: &yes,
			Tolerations: []corev1.Toleration{
				{Key: corev1.TaintNodeNotReady, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: &tolSecs},
				{Key: corev1.TaintNodeUnreachable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: &tolSecs},
			},
			Volumes: []corev1.Volume{{Name: "kube-api-access", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{
				DefaultMode: &mode,
				Sources: []corev1.VolumeProjection{
					{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token", ExpirationSeconds: &expire}},
					{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "kube-root-ca.crt"}, Items: []corev1.KeyToPath{{Key: "ca.crt", Path: "ca.crt"}}}},
				},
			}}}},
		},
		Status: corev1.PodStatus{
			Phase:      corev1.PodRunning,
			Conditions: []corev1.PodCondition{cond("PodReadyToStartContainers"), cond(corev1.PodInitialized), cond(corev1.PodReady), cond(corev1.ContainersReady), cond(corev1.PodScheduled)},
			HostIP:     hostIP, HostIPs: []corev1.HostIP{{IP: hostIP}}, PodIP: ip, PodIPs: []corev1.PodIP{{IP: ip}},
			StartTime: &started, QOSClass: corev1.PodQOSBurstable,
			ContainerStatuses: []corev1.ContainerStatus{{
				Name: app, Image: image, ImageID: "gcr.io/prod-123/" + app + "@sha256:" + hex(uint64(i%13), 64),
				ContainerID: "containerd://" + hex(uint64(i)+1<<42, 64), Ready: true, Started: &yes,
				State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: started}},
			}},
		},
	}
}
