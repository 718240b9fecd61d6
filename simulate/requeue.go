package simulate

import "time"

// The DaemonSet controller's work queue after a sync that returned an error:
// processNextWorkItem calls AddRateLimited, which adds the DaemonSet's key
// again after the queue's rate limiter's delay; a sync that returns nil calls
// Forget, which resets the key's failure count (a retry already waiting
// still fires). The limiter is DefaultTypedControllerRateLimiter: the larger
// of a per-key exponential backoff (5 ms · 2^failures, at most 1000 s) and
// a token bucket shared by all keys (10 per second, burst 100). The delaying
// queue keeps one waiting entry per key, moved only to an earlier time.
//
// upstream: pkg/controller/daemon/daemon_controller.go processNextWorkItem;
// client-go util/workqueue default_rate_limiters.go
// DefaultTypedControllerRateLimiter, TypedItemExponentialFailureRateLimiter,
// TypedBucketRateLimiter, TypedMaxOfRateLimiter; delaying_queue.go
// waitingLoop (insert keeps the earlier ready time)
const (
	requeueBaseDelay = 5 * time.Millisecond
	requeueMaxDelay  = 1000 * time.Second
	requeueQPS       = 10
	requeueBurst     = 100
)

// requeue is the rate limiter's and the delaying queue's state for the one
// DaemonSet key the engine reconciles.
type requeue struct {
	// failures is ItemExponentialFailureRateLimiter's count for the key.
	failures int
	// delay is the delay the last AddRateLimited computed.
	delay time.Duration
	// at is when the waiting entry adds the key to the queue (-1: none).
	at time.Duration
	// tokens and tokensAt are the bucket limiter's (rate.Limiter) tokens
	// and the instant they were counted at.
	tokens   float64
	tokensAt time.Duration
}

func newRequeue() requeue { return requeue{at: -1, tokens: requeueBurst} }

// exponentialDelay is ItemExponentialFailureRateLimiter.When's delay for a
// key that failed failures times before: 5 ms · 2^failures, at most 1000 s.
func exponentialDelay(failures int) time.Duration {
	if failures >= 40 { // 5 ms · 2^40 is far beyond the cap (and no overflow)
		return requeueMaxDelay
	}
	return min(requeueBaseDelay<<failures, requeueMaxDelay)
}

// addRateLimited is AddRateLimited at now: the failure is counted, the
// delay is the larger of the two limiters', and the waiting entry moves to
// now+delay when that is earlier than the one it has.
func (q *requeue) addRateLimited(now time.Duration) {
	exp := exponentialDelay(q.failures)
	q.failures++
	// rate.Limiter.Reserve: refill since the last reservation, take a token,
	// wait for a negative balance to come back to zero
	if now > q.tokensAt {
		q.tokens = min(requeueBurst, q.tokens+(now-q.tokensAt).Seconds()*requeueQPS)
		q.tokensAt = now
	}
	q.tokens--
	var bucket time.Duration
	if q.tokens < 0 {
		bucket = time.Duration(-q.tokens / requeueQPS * float64(time.Second))
	}
	q.delay = max(exp, bucket)
	if t := now + q.delay; q.at < 0 || t < q.at {
		q.at = t
	}
}

// forget is Forget: the key's failure count starts again from zero.
func (q *requeue) forget() { q.failures = 0 }

// pending says a waiting entry will add the key to the queue.
func (q *requeue) pending() bool { return q.at >= 0 }

// second is the whole second of the engine's clock within which the waiting
// entry fires.
func (q *requeue) second() int64 { return int64(q.at / time.Second) }

// dueBy takes the waiting entry when it fires at or before now, reporting
// whether it did: the key is then in the queue (a sync is due, or is the one
// starting, which it joins).
func (q *requeue) dueBy(now time.Duration) bool {
	if q.at < 0 || q.at > now {
		return false
	}
	q.at = -1
	return true
}

// atRest says the controller has come to rest though an entry waits, when
// nothing else is queued and the last sync acted on nothing: the syncs the
// entry starts repeat the last one. After a sync that succeeded (the count
// was forgotten) such a sync does nothing; after failing ones, once the
// delay is at its cap, every later retry fails alike every 1000 s for ever;
// and a retry beyond the simulated time is none of the run's.
func (q *requeue) atRest(maxTime int64) bool {
	return q.failures == 0 || q.delay >= requeueMaxDelay || q.second() > maxTime
}
