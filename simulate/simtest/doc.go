// Package simtest helps platform teams test their own DaemonSets and
// tooling against daemonkit's placement and rollout models, the way
// net/http/httptest helps with HTTP handlers.
//
// It offers rapid (pgregory.net/rapid) generators in three families, and
// assertions that work with *testing.T and *rapid.T alike.
//
//   - Placement inputs the API server accepts: nodes, taints, tolerations,
//     node affinity, pods, clusters and DaemonSets (Node, Cluster,
//     DaemonSet, ...), drawn from a small shared vocabulary so that
//     independently generated selectors, affinity terms and tolerations
//     match generated nodes often.
//   - Corner cases of placement (CornerDaemonSet, CornerNode, CornerAffinity,
//     ...): what the placement rules must answer for whether the API server
//     would accept it or not — malformed keys and values, integer overflow,
//     unknown operators and effects. The conformance module holds
//     daemonset.Evaluate to upstream's controller on them.
//   - Rollouts (Scenario, HealthyScenario, RolloutDaemonSet, UpdateStrategy,
//     RolloutEvent): a cluster, a running DaemonSet, its update, a kubelet
//     model and scripted events, which simulate.Rollout always accepts.
//
// The assertions check one placement (CheckInvariants, AssertRuns,
// AssertExcluded, AssertPending, AssertDesired, AssertTrap, AssertNoTrap) or
// one rollout result (CheckRolloutInvariants: a monotone clock, consistent
// status counts, the summary agreeing with the steps, every budget breach
// reported).
//
// Guarantees: every generated Cluster passes simulate.NewCluster and every
// generated Scenario passes simulate.Rollout's validation; DaemonSets of the
// first family may be invalid in ways the API server would reject (for
// example In with no values) because the controller's behaviour on such
// input is defined too. Non-goals: generating every field of the API types,
// or realistic cluster shapes (see simulate.Shapes).
package simtest
