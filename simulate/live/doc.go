// Package live reads a running cluster into daemonkit's model and, only when
// asked explicitly, applies objects to it.
//
// Load lists the cluster's Nodes, Pods and DaemonSets through client-go with
// a kubeconfig (the same resolution rules as kubectl: an explicit path, else
// $KUBECONFIG, else ~/.kube/config, else in-cluster configuration) and returns
// a validated simulate.Cluster and the DaemonSets, so that "explain my
// DaemonSet on my real cluster" and "simulate this update on my real nodes"
// need no exported files.
//
// Guarantees: Load and LoadFrom are read-only — they issue list requests
// and nothing else. Lists are paginated (500 items a page) so large clusters
// do not need one huge response; objects are returned sorted (nodes by name,
// pods and DaemonSets by namespace/name) with their kind and apiVersion set,
// so the same cluster state gives the same result. Apply is the only function
// that writes: it uses server-side apply with the field manager
// FieldManager ("daemonkit") and never deletes anything.
//
// Non-goals: watching for changes (Load is a snapshot), reading objects other
// than Nodes, Pods and DaemonSets, and any client-side merge logic (the server
// decides what apply means). This is the only package of the main module that
// imports client-go.
package live
