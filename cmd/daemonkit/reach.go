package main

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"

	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// plainConfigError says in plain words that no kubeconfig was found, instead
// of client-go's "try setting KUBERNETES_MASTER".
func plainConfigError(err error) error {
	// clientcmd.IsEmptyConfig does not look through wrapping.
	for inner := err; inner != nil; inner = errors.Unwrap(inner) {
		if clientcmd.IsEmptyConfig(inner) {
			return errors.New("no kubeconfig: give --kubeconfig FILE, set KUBECONFIG, or create ~/.kube/config")
		}
	}
	return err
}

// reachTimeout bounds the check that the API server answers.
const reachTimeout = 10 * time.Second

// checkReachable asks the API server for its version, so that a cluster that
// does not answer is reported once, plainly, before anything is sent.
func checkReachable(cfg *rest.Config) error {
	c := rest.CopyConfig(cfg)
	c.Timeout = reachTimeout
	dc, err := discovery.NewDiscoveryClientForConfig(c)
	if err != nil {
		return fmt.Errorf("cannot reach the cluster at %s: %w", cfg.Host, err)
	}
	if _, err := dc.ServerVersion(); err != nil {
		return fmt.Errorf("cannot reach the cluster at %s: %s", cfg.Host, reachCause(err))
	}
	return nil
}

// reachCause is the innermost network error ("connection refused", "no
// such host", a timeout) rather than the whole request chain.
func reachCause(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		var oe *net.OpError
		if errors.As(ue.Err, &oe) && oe.Err != nil {
			return oe.Err.Error()
		}
		return ue.Err.Error()
	}
	return err.Error()
}
