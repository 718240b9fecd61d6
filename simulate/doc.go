// Package simulate predicts what a Kubernetes v1.37.2 cluster does with
// DaemonSets: where daemon pods are created and whether they can run
// (placement), and how a rolling update unfolds over time (the rollout engine).
package simulate
