package simulate

import (
	"bufio"
	"cmp"
	"fmt"
	"html"
	"io"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// DefaultPoolLabels are the node labels WritePlacementSVG groups nodes by
// when PlacementPlotOptions.PoolLabels is empty: the instance type (one pool
// per machine shape, as cloud node groups are made), then, for nodes
// without one, the zone.
func DefaultPoolLabels() []string {
	return []string{"node.kubernetes.io/instance-type", "topology.kubernetes.io/zone"}
}

// PlacementPlotOptions tunes WritePlacementSVG. The zero value gives a
// 960-pixel-wide picture with nodes grouped by DefaultPoolLabels.
type PlacementPlotOptions struct {
	// Title is printed above the picture; empty gives "placement of
	// <namespace>/<name>" (or of N DaemonSets).
	Title string
	// Width of the SVG in pixels (400 to 10,000); 0 gives 960. The height
	// follows from the number of nodes and pools.
	Width int
	// PoolLabels group the nodes: a node is in the pool of the first of
	// these labels it carries ("key=value"); nodes that carry none form one
	// pool of their own. Empty means DefaultPoolLabels.
	PoolLabels []string
}

// A plotClass is what a node's cell shows: its State, refined where the
// state alone hides something people ask about.
type plotClass struct {
	name, color string
}

var placementClasses = [...]plotClass{
	{"Runs", "#2ca02c"},
	{"Runs, preempting pods", "#bcbd22"},
	{"Pending", "#ff7f0e"},
	{"Excluded, running pod may stay", "#9467bd"},
	{"Excluded", "#c7c7c7"},
}

// classOf picks n's class (an index into placementClasses).
func classOf(n *NodePlacement) int {
	switch n.State {
	case Runs:
		if len(n.Preempts) > 0 {
			return 1
		}
		return 0
	case Pending:
		return 2
	}
	if n.ExistingPod && n.Decision.ShouldContinueRunning {
		return 3
	}
	return 4
}

// WritePlacementSVG draws a placement as a self-contained SVG picture: for
// each DaemonSet of p, every node of c as a small cell, grouped into pools
// by a node label (PlacementPlotOptions.PoolLabels), coloured by what
// happens there — Runs, Runs by preempting lower-priority pods, Pending,
// Excluded, or Excluded while a running pod of the DaemonSet may stay
// (ShouldContinueRunning) — with a legend counting each, and the node's
// name, pool, state and reasons in its tooltip (an SVG <title>). Within a
// pool, cells are sorted by class then node name and wrap at the picture's
// width; cells shrink as the cluster grows, so 5,000 nodes fit in a screen
// or two. c must be the cluster p was placed on (for the node labels).
// Output is deterministic: the same placement gives the same bytes.
func WritePlacementSVG(w io.Writer, c *Cluster, p *Placement, opts PlacementPlotOptions) error {
	switch {
	case c == nil:
		return inputError("plot", field.Required(field.NewPath("cluster"), "nil cluster"))
	case p == nil:
		return inputError("plot", field.Required(field.NewPath("placement"), "nil placement"))
	}
	width := opts.Width
	if width == 0 {
		width = 960
	}
	if width < 400 || width > 10000 {
		return inputError("plot", wholeInput(field.ErrorTypeInvalid, width, fmt.Sprintf("width %d out of range 400..10000", width)))
	}
	keys := opts.PoolLabels
	if len(keys) == 0 {
		keys = DefaultPoolLabels()
	}
	title := opts.Title
	if title == "" {
		switch len(p.DaemonSets) {
		case 1:
			title = "placement of " + p.DaemonSets[0].Key()
		default:
			title = fmt.Sprintf("placement of %d DaemonSets", len(p.DaemonSets))
		}
	}

	// Cell size by cluster size: large enough to point at, small enough
	// that a big cluster stays one picture.
	nodes := c.NumNodes()
	cell, gap := 14, 2
	switch {
	case nodes > 2000:
		cell, gap = 6, 1
	case nodes > 500:
		cell, gap = 8, 1
	case nodes > 100:
		cell, gap = 10, 2
	}
	const margin, lineH = 16, 18
	pitch := cell + gap
	perRow := max((width-2*margin+gap)/pitch, 1)

	var body strings.Builder
	b := func(format string, a ...any) { fmt.Fprintf(&body, format, a...) }
	y := 40 // below the title
	var total [len(placementClasses)]int
	for _, d := range p.DaemonSets {
		pools := placementPools(c, d, keys)
		var counts [len(placementClasses)]int
		for _, pl := range pools {
			for k, n := range pl.counts {
				counts[k] += n
			}
		}
		for k, n := range counts {
			total[k] += n
		}
		y += lineH
		b(`<text class="ds" x="%d" y="%d" font-size="14" font-weight="bold">%s</text>`+"\n", margin, y, html.EscapeString(d.Key()))
		b(`<text x="%d" y="%d" fill="#555555">%s</text>`+"\n", margin+9*len(d.Key())+16, y, html.EscapeString(countsText(counts[:], len(d.Nodes))))
		y += 6
		for _, pl := range pools {
			y += lineH
			b(`<g class="pool"><text x="%d" y="%d">%s</text>`+"\n", margin, y, html.EscapeString(pl.name+" · "+countsText(pl.counts[:], len(pl.nodes))))
			y += 6
			for k, n := range pl.nodes {
				cx, cy := margin+(k%perRow)*pitch, y+(k/perRow)*pitch
				b(`<rect x="%d" y="%d" width="%d" height="%d" class="c%d"><title>%s</title></rect>`+"\n",
					cx, cy, cell, cell, classOf(n), html.EscapeString(cellTooltip(n, pl.name)))
			}
			y += ((len(pl.nodes)+perRow-1)/perRow)*pitch + 2
			b("</g>\n")
		}
		y += 8
	}

	// Legend, then the picture around the body.
	legendY := y + lineH
	height := legendY + 16
	bw := bufio.NewWriter(w)
	out := func(format string, a ...any) { fmt.Fprintf(bw, format, a...) }
	out(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	out(`<title>%s</title>`+"\n", html.EscapeString(title))
	out("<style>")
	for k, cl := range placementClasses {
		out(".c%d{fill:%s}", k, cl.color)
	}
	out("</style>\n")
	out(`<rect x="0" y="0" width="%d" height="%d" fill="#ffffff"/>`+"\n", width, height)
	out(`<text id="title" x="%d" y="24" font-size="16">%s</text>`+"\n", margin, html.EscapeString(title))
	bw.WriteString(body.String())
	out(`<g id="legend">` + "\n")
	lx := margin
	for k, cl := range placementClasses {
		if total[k] == 0 && k != 0 && k != 2 && k != 4 {
			continue // the refinements only when they occur
		}
		label := fmt.Sprintf("%s (%d)", cl.name, total[k])
		out(`<rect x="%d" y="%d" width="12" height="12" class="c%d"/>`+"\n", lx, legendY-10, k)
		out(`<text x="%d" y="%d">%s</text>`+"\n", lx+16, legendY, html.EscapeString(label))
		lx += 32 + 7*len(label)
	}
	out("</g>\n</svg>\n")
	return bw.Flush()
}

// placementPool is the nodes of one pool, sorted for drawing.
type placementPool struct {
	name   string
	nodes  []*NodePlacement
	counts [len(placementClasses)]int
}

// placementPools groups d's nodes into pools by the first of keys each
// node carries, pools sorted by name (the unlabelled pool last), nodes by
// class then name.
func placementPools(c *Cluster, d *DaemonSetPlacement, keys []string) []*placementPool {
	byName := map[string]*placementPool{}
	none := "no " + strings.Join(keys, ", ")
	for i := range d.Nodes {
		n := &d.Nodes[i]
		name := none
		if node := c.Node(n.Node); node != nil {
			name = poolOf(node, keys, none)
		}
		pl, ok := byName[name]
		if !ok {
			pl = &placementPool{name: name}
			byName[name] = pl
		}
		pl.nodes = append(pl.nodes, n)
		pl.counts[classOf(n)]++
	}
	pools := make([]*placementPool, 0, len(byName))
	for _, pl := range byName {
		slices.SortFunc(pl.nodes, func(a, b *NodePlacement) int {
			return cmp.Or(cmp.Compare(classOf(a), classOf(b)), cmp.Compare(a.Node, b.Node))
		})
		pools = append(pools, pl)
	}
	slices.SortFunc(pools, func(a, b *placementPool) int {
		if (a.name == none) != (b.name == none) {
			if a.name == none {
				return 1
			}
			return -1
		}
		return cmp.Compare(a.name, b.name)
	})
	return pools
}

func poolOf(n *corev1.Node, keys []string, none string) string {
	for _, k := range keys {
		if v, ok := n.Labels[k]; ok {
			return k + "=" + v
		}
	}
	return none
}

// countsText is "12 nodes: 11 Runs, 1 Excluded".
func countsText(counts []int, nodes int) string {
	var parts []string
	for k, n := range counts {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, placementClasses[k].name))
		}
	}
	unit := "nodes"
	if nodes == 1 {
		unit = "node"
	}
	return fmt.Sprintf("%d %s: %s", nodes, unit, strings.Join(parts, ", "))
}

// cellTooltip is a node's name, pool, state and reasons.
func cellTooltip(n *NodePlacement, pool string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s)\n%s", n.Node, pool, placementClasses[classOf(n)].name)
	var why []string
	switch n.State {
	case Excluded:
		for _, r := range n.Decision.Reasons {
			why = append(why, r.Message)
		}
	case Pending:
		for _, r := range n.Pending {
			why = append(why, r.Message)
		}
	case Runs:
		if len(n.Preempts) > 0 {
			why = append(why, "evicts "+strings.Join(n.Preempts, ", "))
		}
	}
	for _, s := range why {
		b.WriteString("\n" + s)
	}
	return b.String()
}
