package users

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestAfterBurst: the memory of a burst of sign-ins is given back once, when
// the burst is over, not after every computation nor while it goes on.
func TestAfterBurst(t *testing.T) {
	t.Parallel()
	var released atomic.Int32
	b := &afterBurst{quiet: time.Second, release: func() { released.Add(1) }}
	var wg sync.WaitGroup
	start := time.Now()
	for range 4 {
		wg.Go(func() {
			for time.Since(start) < 1500*time.Millisecond {
				b.touch()
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
	wg.Wait()
	if n := released.Load(); n != 0 {
		t.Fatalf("released %d times during the burst", n)
	}
	deadline := time.Now().Add(5 * time.Second)
	for released.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(1500 * time.Millisecond)
	if n := released.Load(); n != 1 {
		t.Fatalf("released %d times after the burst, want 1", n)
	}
	// A later burst is released again.
	b.touch()
	time.Sleep(2 * time.Second)
	if n := released.Load(); n != 2 {
		t.Fatalf("released %d times after a second burst, want 2", n)
	}
}
