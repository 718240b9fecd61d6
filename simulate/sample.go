package simulate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// MaxSampleRuns is the most runs Sample accepts.
const MaxSampleRuns = 100000

// SampleResult is the distribution of outcomes of many rollouts of one
// scenario.
type SampleResult struct {
	// Runs is the number of rollouts.
	Runs int
	// Seeds are the seeds of the runs, in order: Rollout with Order.Seed set
	// to Seeds[i] (and Order.Kind OrderRandom unless the scenario's order is
	// explicit) replays run i.
	Seeds []int64
	// Desired is desiredNumberScheduled at the end of the first run.
	Desired int32
	// Updated is when every desired node was updated (Summary.AllUpdated).
	Updated Durations
	// Available is when every desired node was updated and available
	// (Summary.AllAvailable): when the rollout is done.
	Available Durations
	// LowestAvailable holds Summary.MinAvailable of every run, ascending.
	LowestAvailable []int32
	// Stalled counts the runs that got stuck (Summary.Stuck); Truncated those
	// that reached a limit first.
	Stalled, Truncated int
	// NotDone counts the runs at whose end kubectl rollout status would not
	// say done (Summary.Done false); Breached those where more nodes were
	// unavailable than maxUnavailable allows at some point (Summary.Breaches).
	NotDone, Breached int
	// StallCauses counts, for each cause, the stuck runs where a node was
	// blocked by it, most frequent first.
	StallCauses []CauseCount
	// MedianRun is the index of the run at the P50 of Available (runs that
	// never finished count as longest; ties go to the lowest index): the run
	// to replay for one typical trace.
	MedianRun int
	// Band is updatedNumberScheduled over time across the runs: its P10, P50
	// and P90 at evenly spaced instants from 0 to the latest run's end.
	Band []BandPoint
}

// Durations is one duration per run, for the runs where it was reached;
// the others never reached it.
type Durations struct {
	// Runs is the number of runs.
	Runs int
	// Reached holds the durations of the runs that reached it, ascending.
	Reached []time.Duration
}

// Percentile returns the p-th percentile (nearest rank, 0 < p <= 100) over
// all runs, counting runs that never reached it as longer than any that did;
// ok is false when the percentile falls among those.
func (d Durations) Percentile(p float64) (time.Duration, bool) {
	if d.Runs == 0 || !(p > 0) || p > 100 {
		return 0, false
	}
	rank := int(math.Ceil(p / 100 * float64(d.Runs)))
	rank = min(max(rank, 1), d.Runs)
	if rank > len(d.Reached) {
		return 0, false
	}
	return d.Reached[rank-1], true
}

// CauseCount is how many stuck runs a cause blocked.
type CauseCount struct {
	Cause Cause
	Runs  int
	// Example is one blocked node's detail from the first run it blocked.
	Example string
}

// BandPoint is the spread of updatedNumberScheduled at one instant.
type BandPoint struct {
	Time          time.Duration
	P10, P50, P90 int32
}

// bandPoints is how many instants SampleResult.Band holds.
const bandPoints = 120

// StallProbability is the share of runs that got stuck.
func (r *SampleResult) StallProbability() float64 {
	if r.Runs == 0 {
		return 0
	}
	return float64(r.Stalled) / float64(r.Runs)
}

// SampleSeed is the seed of run i of a sample whose scenario has seed base
// (a SplitMix64 step, so neighbouring runs are independent).
func SampleSeed(base int64, i int) int64 {
	z := uint64(base) + uint64(i+1)*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return int64(z ^ (z >> 31))
}

// Sample runs n rollouts of s, each with its own seed (SampleSeed of
// s.Order.Seed): a random node order (unless s.Order is explicit) and every
// random time of the kubelet model (StartupJitter, StartupModel) differ
// between runs. Runs use every core (GOMAXPROCS); the result depends only on
// s and n. It returns an error for an invalid scenario or when ctx is done.
func Sample(ctx context.Context, s Scenario, n int) (*SampleResult, error) {
	return SampleWithProgress(ctx, s, n, nil)
}

// SampleWithProgress is Sample calling progress (from any goroutine, one
// call at a time) with the number of finished runs after each.
func SampleWithProgress(ctx context.Context, s Scenario, n int, progress func(done int)) (*SampleResult, error) {
	if n < 1 || n > MaxSampleRuns {
		return nil, fmt.Errorf("sample: runs %d: must be between 1 and %d", n, MaxSampleRuns)
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type outcome struct {
		sum     Summary
		desired int32
		curve   []curvePoint
		err     error
	}
	outs := make([]outcome, n)
	seeds := make([]int64, n)
	for i := range seeds {
		seeds[i] = SampleSeed(s.Order.Seed, i)
	}
	var next, done atomic.Int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.GOMAXPROCS(0), n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				sc := s
				sc.Order.Seed = seeds[i]
				if sc.Order.Kind != OrderExplicit {
					sc.Order.Kind = OrderRandom
				}
				r, err := Rollout(ctx, sc)
				if err != nil {
					outs[i].err = err
					cancel()
					return
				}
				outs[i] = outcome{sum: r.Summary, curve: updatedCurve(r)}
				if k := len(r.Steps); k > 0 {
					outs[i].desired = r.Steps[k-1].Status.DesiredNumberScheduled
				}
				d := int(done.Add(1))
				if progress != nil {
					mu.Lock()
					progress(d)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	// the error of the run that failed, not the cancellation it caused in
	// the others
	var firstErr error
	for i := range outs {
		if err := outs[i].err; err != nil && (firstErr == nil || errors.Is(firstErr, context.Canceled) && !errors.Is(err, context.Canceled)) {
			firstErr = err
		}
	}
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := &SampleResult{Runs: n, Seeds: seeds, Desired: outs[0].desired,
		Updated: Durations{Runs: n}, Available: Durations{Runs: n}}
	causes := map[Cause]*CauseCount{}
	var end time.Duration
	for i := range outs {
		sum := &outs[i].sum
		if sum.AllUpdated != nil {
			res.Updated.Reached = append(res.Updated.Reached, *sum.AllUpdated)
		}
		if sum.AllAvailable != nil {
			res.Available.Reached = append(res.Available.Reached, *sum.AllAvailable)
		}
		res.LowestAvailable = append(res.LowestAvailable, sum.MinAvailable)
		if sum.Truncated {
			res.Truncated++
		}
		if !sum.Done {
			res.NotDone++
		}
		if len(sum.Breaches) > 0 {
			res.Breached++
		}
		if sum.Stuck {
			res.Stalled++
			seen := map[Cause]bool{}
			for _, b := range sum.Blocking {
				if seen[b.Cause] {
					continue
				}
				seen[b.Cause] = true
				c := causes[b.Cause]
				if c == nil {
					c = &CauseCount{Cause: b.Cause, Example: b.Node + ": " + b.Detail}
					causes[b.Cause] = c
				}
				c.Runs++
			}
		}
		end = max(end, sum.End)
	}
	slices.Sort(res.Updated.Reached)
	slices.Sort(res.Available.Reached)
	slices.Sort(res.LowestAvailable)
	for _, c := range causes {
		res.StallCauses = append(res.StallCauses, *c)
	}
	sort.Slice(res.StallCauses, func(a, b int) bool {
		x, y := res.StallCauses[a], res.StallCauses[b]
		if x.Runs != y.Runs {
			return x.Runs > y.Runs
		}
		return x.Cause < y.Cause
	})
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	key := func(i int) time.Duration {
		if a := outs[i].sum.AllAvailable; a != nil {
			return *a
		}
		return time.Duration(math.MaxInt64)
	}
	sort.SliceStable(order, func(a, b int) bool { return key(order[a]) < key(order[b]) })
	res.MedianRun = order[(n+1)/2-1]
	curves := make([][]curvePoint, n)
	for i := range outs {
		curves[i] = outs[i].curve
	}
	res.Band = band(curves, end)
	return res, nil
}

// curvePoint is updatedNumberScheduled from an instant on.
type curvePoint struct {
	t   time.Duration
	upd int32
}

func updatedCurve(r *Result) []curvePoint {
	var out []curvePoint
	for _, st := range r.Steps {
		v := st.Status.UpdatedNumberScheduled
		if k := len(out); k > 0 && out[k-1].t == st.Time {
			out[k-1].upd = v
			continue
		}
		if k := len(out); k > 0 && out[k-1].upd == v {
			continue
		}
		out = append(out, curvePoint{st.Time, v})
	}
	return out
}

func band(curves [][]curvePoint, end time.Duration) []BandPoint {
	if end <= 0 {
		end = time.Second
	}
	out := make([]BandPoint, 0, bandPoints+1)
	vals := make([]int32, len(curves))
	for k := 0; k <= bandPoints; k++ {
		t := time.Duration(int64(end) * int64(k) / bandPoints).Truncate(time.Second)
		for i, c := range curves {
			j := sort.Search(len(c), func(j int) bool { return c[j].t > t })
			vals[i] = 0
			if j > 0 {
				vals[i] = c[j-1].upd
			}
		}
		slices.Sort(vals)
		q := func(p float64) int32 {
			r := int(math.Ceil(p / 100 * float64(len(vals))))
			return vals[min(max(r, 1), len(vals))-1]
		}
		if k > 0 && out[len(out)-1].Time == t {
			continue
		}
		out = append(out, BandPoint{Time: t, P10: q(10), P50: q(50), P90: q(90)})
	}
	return out
}
