// Package memwatch samples the Go heap while a benchmark runs, so that
// benchmarks can report the peak memory a computation needs, not only what
// it allocated.
package memwatch

import (
	"runtime/metrics"
	"sync"
	"time"
)

// Watch samples the bytes of live and not yet collected heap objects every
// millisecond until the returned function is called, which returns the
// largest sample.
func Watch() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var (
		mu   sync.Mutex
		peak uint64
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	read := func() {
		metrics.Read(sample)
		if v := sample[0].Value.Uint64(); v > peak {
			peak = v
		}
	}
	wg.Go(func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				mu.Lock()
				read()
				mu.Unlock()
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		read()
		return peak
	}
}
