package memwatch

import (
	"runtime"
	"testing"
)

func TestWatchSeesAnAllocation(t *testing.T) {
	stop := Watch()
	b := make([]byte, 64<<20)
	for i := range b {
		b[i] = 1
	}
	runtime.KeepAlive(b)
	if peak := stop(); peak < 64<<20 {
		t.Errorf("peak %d bytes, below the 64 MiB held", peak)
	}
}
