package harness

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"embed"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

//go:embed stages/*.yaml
var stageFiles embed.FS

// Options configure Start.
type Options struct {
	// BinDir holds the binaries (from EnsureBinaries).
	BinDir string
	// WorkDir is where data, keys and logs go; "" makes a temporary one that
	// Stop removes (a given one is left for inspection).
	WorkDir string
	// Controllers are kube-controller-manager's --controllers; nil means
	// DefaultControllers.
	Controllers []string
	// ExtraAPIServerArgs are appended to kube-apiserver's flags.
	ExtraAPIServerArgs []string
	// KeepLogs keeps a temporary WorkDir after Stop (to read the logs of a
	// failed run); Start's caller prints its path.
	KeepLogs bool
}

// DefaultControllers are the kube-controller-manager controllers the tests
// need: the DaemonSet controller; the service-account controllers (pods are
// refused until a namespace's default ServiceAccount exists); the node
// lifecycle controller (it lifts node.kubernetes.io/not-ready from Ready
// nodes and taints NotReady ones); taint eviction; and the garbage
// collectors (ControllerRevisions and pods of deleted DaemonSets).
var DefaultControllers = []string{
	"daemonset-controller",
	"serviceaccount-controller",
	"serviceaccount-token-controller",
	"node-lifecycle-controller",
	"taint-eviction-controller",
	"garbage-collector-controller",
	"pod-garbage-collector-controller",
}

// Cluster is a running control plane.
type Cluster struct {
	// Dir is the work directory (logs are Dir/NAME.log).
	Dir string
	// Kubeconfig is the path of an admin kubeconfig for the cluster.
	Kubeconfig string
	// Host is the API server URL.
	Host string

	// Startup is how long each component took from its start until it
	// answered healthy, in start order; StartedIn is how long Start took in
	// all (keys, files and the components one after another).
	Startup   []ComponentStartup
	StartedIn time.Duration

	token   string
	procs   []*process
	started time.Time
	tempDir bool
	keep    bool
}

// newToken returns a random static bearer token for the admin user.
func newToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// Start starts etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler and KWOK, each healthy before the next starts. On error
// everything started is stopped again.
func Start(ctx context.Context, opts Options) (c *Cluster, err error) {
	if m := Missing(opts.BinDir); len(m) > 0 {
		return nil, fmt.Errorf("binaries missing in %q: %s", opts.BinDir, strings.Join(m, ", "))
	}
	c = &Cluster{Dir: opts.WorkDir, keep: opts.KeepLogs, started: time.Now()}
	if c.Dir == "" {
		if c.Dir, err = os.MkdirTemp("", "daemonkit-e2e-"); err != nil {
			return nil, err
		}
		c.tempDir = true
	}
	defer func() {
		if err != nil {
			c.keep = true // the logs explain the failure
			c.Stop()
			err = fmt.Errorf("%w (logs in %s)", err, c.Dir)
		}
	}()
	if c.token, err = newToken(); err != nil {
		return c, err
	}
	ports, err := freePorts(6)
	if err != nil {
		return c, err
	}
	etcdClient, etcdPeer, apiPort, kcmPort, schedPort, kwokPort := ports[0], ports[1], ports[2], ports[3], ports[4], ports[5]
	bin := func(n string) string { return filepath.Join(opts.BinDir, n) }
	path := func(n string) string { return filepath.Join(c.Dir, n) }

	if err := writeKeys(path("sa.key"), path("sa.pub")); err != nil {
		return c, err
	}
	if err := os.WriteFile(path("tokens.csv"), []byte(c.token+",admin,admin,system:masters\n"), 0o600); err != nil {
		return c, err
	}
	c.Host = fmt.Sprintf("https://127.0.0.1:%d", apiPort)
	c.Kubeconfig = path("kubeconfig")
	if err := os.WriteFile(c.Kubeconfig, []byte(kubeconfig(c.Host, c.token)), 0o600); err != nil {
		return c, err
	}

	// etcd: one member, no fsync (data is thrown away).
	etcdURL := fmt.Sprintf("http://127.0.0.1:%d", etcdClient)
	peerURL := fmt.Sprintf("http://127.0.0.1:%d", etcdPeer)
	p, err := startProcess(Etcd, bin(Etcd), c.Dir, []string{
		"--name=e2e", "--data-dir=" + path("etcd"),
		"--listen-client-urls=" + etcdURL, "--advertise-client-urls=" + etcdURL,
		"--listen-peer-urls=" + peerURL, "--initial-advertise-peer-urls=" + peerURL,
		"--initial-cluster=e2e=" + peerURL, "--unsafe-no-fsync=true",
		"--log-level=warn",
	})
	if err != nil {
		return c, err
	}
	c.procs = append(c.procs, p)
	if err := waitHealthy(ctx, p, etcdURL+"/health", "", time.Minute); err != nil {
		return c, err
	}
	c.ready(p.name)

	apiArgs := []string{
		"--etcd-servers=" + etcdURL,
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
		// the endpoint reconciler refuses a loopback advertise address
		"--endpoint-reconciler-type=none",
		fmt.Sprintf("--secure-port=%d", apiPort),
		"--cert-dir=" + path("apiserver-certs"),
		"--token-auth-file=" + path("tokens.csv"),
		"--authorization-mode=Node,RBAC",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + path("sa.pub"),
		"--service-account-signing-key-file=" + path("sa.key"),
		"--service-cluster-ip-range=10.96.0.0/16",
		// privileged presets (CNI agents, node exporters) need it
		"--allow-privileged=true",
		"--v=1",
	}
	apiArgs = append(apiArgs, opts.ExtraAPIServerArgs...)
	if p, err = startProcess(KubeAPIServer, bin(KubeAPIServer), c.Dir, apiArgs); err != nil {
		return c, err
	}
	c.procs = append(c.procs, p)
	if err := waitHealthy(ctx, p, c.Host+"/readyz", c.token, 2*time.Minute); err != nil {
		return c, err
	}
	c.ready(p.name)

	controllers := opts.Controllers
	if controllers == nil {
		controllers = DefaultControllers
	}
	if p, err = startProcess(KubeControllerManager, bin(KubeControllerManager), c.Dir, []string{
		"--kubeconfig=" + c.Kubeconfig,
		"--authentication-kubeconfig=" + c.Kubeconfig, "--authorization-kubeconfig=" + c.Kubeconfig,
		"--bind-address=127.0.0.1", fmt.Sprintf("--secure-port=%d", kcmPort),
		"--cert-dir=" + path("kcm-certs"),
		"--controllers=" + strings.Join(controllers, ","),
		"--service-account-private-key-file=" + path("sa.key"),
		"--use-service-account-credentials=false",
		"--leader-elect=false",
		"--v=1",
	}); err != nil {
		return c, err
	}
	c.procs = append(c.procs, p)
	if err := waitHealthy(ctx, p, fmt.Sprintf("https://127.0.0.1:%d/healthz", kcmPort), "", 2*time.Minute); err != nil {
		return c, err
	}
	c.ready(p.name)

	if p, err = startProcess(KubeScheduler, bin(KubeScheduler), c.Dir, []string{
		"--kubeconfig=" + c.Kubeconfig,
		"--authentication-kubeconfig=" + c.Kubeconfig, "--authorization-kubeconfig=" + c.Kubeconfig,
		"--bind-address=127.0.0.1", fmt.Sprintf("--secure-port=%d", schedPort),
		"--cert-dir=" + path("scheduler-certs"),
		"--leader-elect=false",
		"--v=1",
	}); err != nil {
		return c, err
	}
	c.procs = append(c.procs, p)
	if err := waitHealthy(ctx, p, fmt.Sprintf("https://127.0.0.1:%d/healthz", schedPort), "", 2*time.Minute); err != nil {
		return c, err
	}
	c.ready(p.name)

	stages, err := writeStages(path("kwok-stages.yaml"))
	if err != nil {
		return c, err
	}
	if p, err = startProcess(KWOK, bin(KWOK), c.Dir, []string{
		"--kubeconfig=" + c.Kubeconfig,
		"--config=" + stages,
		"--manage-all-nodes=false",
		"--manage-nodes-with-annotation-selector=" + KWOKNodeAnnotation + "=fake",
		fmt.Sprintf("--server-address=127.0.0.1:%d", kwokPort),
		"--cidr=10.244.0.0/16",
		"--node-ip=10.1.0.1",
		// Node leases are the heartbeat the node lifecycle controller
		// watches (the node-heartbeat-with-lease stage refreshes the
		// status only every 10-20 minutes). KWOK's default of 40 s is not
		// applied when --config holds no KwokConfiguration: without this
		// flag no lease is ever written, the controller marks every node
		// Unknown after its grace period and sets every pod on it
		// Ready=False, and KWOK's pod stages never set it back.
		"--node-lease-duration-seconds=40",
	}); err != nil {
		return c, err
	}
	c.procs = append(c.procs, p)
	if err := waitHealthy(ctx, p, fmt.Sprintf("http://127.0.0.1:%d/healthz", kwokPort), "", time.Minute); err != nil {
		return c, err
	}
	c.ready(p.name)
	c.StartedIn = time.Since(c.started)
	return c, nil
}

// ComponentStartup is one component's start-up time.
type ComponentStartup struct {
	Name string
	// Took is from the component's start to its first healthy answer.
	Took time.Duration
}

// ready records that the component started last is healthy.
func (c *Cluster) ready(name string) {
	var since time.Time
	for _, p := range c.procs {
		if p.name == name {
			since = p.started
		}
	}
	c.Startup = append(c.Startup, ComponentStartup{Name: name, Took: time.Since(since)})
}

// KWOKNodeAnnotation marks the nodes KWOK manages (value "fake").
const KWOKNodeAnnotation = "kwok.x-k8s.io/node"

// RESTConfig returns an admin client configuration.
func (c *Cluster) RESTConfig() *rest.Config {
	return &rest.Config{
		Host:            c.Host,
		BearerToken:     c.token,
		TLSClientConfig: rest.TLSClientConfig{Insecure: true},
		QPS:             200,
		Burst:           400,
		UserAgent:       "daemonkit-e2e",
	}
}

// Client returns an admin clientset.
func (c *Cluster) Client() (kubernetes.Interface, error) {
	return kubernetes.NewForConfig(c.RESTConfig())
}

// Healthy returns an error naming any process that has exited.
func (c *Cluster) Healthy() error {
	for _, p := range c.procs {
		if ended, err := p.exited(); ended {
			return fmt.Errorf("%s exited (%v); log tail:\n%s", p.name, err, p.tail(3000))
		}
	}
	return nil
}

// Stop ends the processes in reverse order and removes a temporary work
// directory (unless KeepLogs or Start failed). It is safe to call twice.
func (c *Cluster) Stop() {
	if c == nil {
		return
	}
	for i := len(c.procs) - 1; i >= 0; i-- {
		c.procs[i].stop(10 * time.Second)
	}
	c.procs = nil
	if c.tempDir && !c.keep {
		_ = os.RemoveAll(c.Dir)
	}
}

// writeKeys writes an RSA service-account signing key and its public key.
func writeKeys(keyPath, pubPath string) error {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return err
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return err
	}
	return os.WriteFile(pubPath, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), 0o600)
}

func kubeconfig(host, token string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: e2e
  cluster:
    server: %s
    insecure-skip-tls-verify: true
users:
- name: admin
  user:
    token: %s
contexts:
- name: e2e
  context:
    cluster: e2e
    user: admin
current-context: e2e
`, host, token)
}

// writeStages writes KWOK's stage configuration: upstream's node-initialize
// and node-heartbeat-with-lease stages and its general pod stages, as one
// multi-document file.
func writeStages(path string) (string, error) {
	entries, err := stageFiles.ReadDir("stages")
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, e := range entries {
		data, err := stageFiles.ReadFile("stages/" + e.Name())
		if err != nil {
			return "", err
		}
		b.WriteString("---\n")
		b.Write(data)
		if !strings.HasSuffix(string(data), "\n") {
			b.WriteString("\n")
		}
	}
	return path, os.WriteFile(path, []byte(b.String()), 0o600)
}

// KeepLogs makes Stop leave the work directory in place.
func (c *Cluster) KeepLogs() { c.keep = true }
