// Package simtest helps platform teams test their own DaemonSets and
// tooling against daemonkit's placement model, the way net/http/httptest
// helps with HTTP handlers.
//
// It offers rapid generators (pgregory.net/rapid) for the inputs of
// placement — nodes, taints, tolerations, node affinity, pods, clusters and
// DaemonSets — drawn from a small shared vocabulary so that independently
// generated selectors, affinity terms and tolerations match generated nodes
// often, and assertions (CheckInvariants, AssertRuns, AssertExcluded,
// AssertPending, AssertDesired, AssertTrap) that work with *testing.T and
// *rapid.T alike.
//
// Guarantees: every generated Cluster passes simulate.NewCluster; generated
// DaemonSets may be invalid in ways the API server would reject (for example
// In with no values) because the controller's behaviour on such input is
// defined too. Non-goals: generating every field of the API types, or
// realistic cluster shapes (see simulate.Shapes).
package simtest
