package live

import (
	"context"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// pageSize is the list page size, as kubectl's --chunk-size default.
const pageSize = 500

// Progress reports how far a list that spans more than one page has got,
// so that a command can show a progress line for big clusters. Lists that
// fit in one page report nothing.
type Progress struct {
	// List says what is being listed: "nodes", "pods cluster-wide",
	// "pods of kube-system/cilium".
	List string
	// Read is the number of items received so far.
	Read int
	// Total is the server's estimate of the whole list (what was read plus
	// its metadata.remainingItemCount), 0 when the server gives none.
	Total int
	// Done is set on the last report of a list.
	Done bool
}

// errNoProgress guards against a server that keeps returning the same
// continue token.
var errNoProgress = errors.New("the server returned the same continue token twice")

// listFunc fetches one page.
type listFunc[T any] func(metav1.ListOptions) ([]T, metav1.ListMeta, error)

// listPaged pages through one list with limit/continue and keeps the items
// keep accepts (keep may also trim the item it is given). Each kept item is
// copied out of its page, so the pages themselves (and every item not kept)
// are garbage as soon as the next page arrives.
//
// A continue token can outlive the server's etcd compaction window on a
// very large list (410 Expired); like client-go's pager, the list then
// falls back to one full, unpaginated list of the current state.
// upstream: staging/src/k8s.io/client-go/tools/pager/pager.go ListPager.list
func listPaged[T any](ctx context.Context, what string, opts metav1.ListOptions, progress func(Progress), list listFunc[T], keep func(*T) bool) ([]*T, error) {
	var out []*T
	read, paged := 0, false
	opts.Limit = pageSize
	opts.Continue = ""
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("listing %s: %w", what, err)
		}
		items, lm, err := list(opts)
		if err != nil && opts.Continue != "" && apierrors.IsResourceExpired(err) {
			out, read = out[:0], 0
			opts.Limit, opts.Continue = 0, ""
			items, lm, err = list(opts)
			lm.Continue = ""
		}
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", what, err)
		}
		for i := range items {
			it := items[i]
			if keep == nil || keep(&it) {
				out = append(out, &it)
			}
		}
		read += len(items)
		if lm.Continue != "" {
			paged = true
		}
		if paged && progress != nil {
			p := Progress{List: what, Read: read, Done: lm.Continue == ""}
			if lm.RemainingItemCount != nil {
				p.Total = read + int(*lm.RemainingItemCount)
			} else if p.Done {
				p.Total = read
			}
			progress(p)
		}
		if lm.Continue == "" {
			return out, nil
		}
		if lm.Continue == opts.Continue {
			return nil, fmt.Errorf("listing %s: %w", what, errNoProgress)
		}
		opts.Continue = lm.Continue
	}
}
