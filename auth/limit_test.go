package auth

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestLimiterBurstThenRefuse(t *testing.T) {
	l := NewLimiter(2, 3) // 2 per second, burst 3
	for i := range 3 {
		if ok, ra := l.Allow("k", t0); !ok || ra != 0 {
			t.Fatalf("request %d = %v, %v; want allowed", i, ok, ra)
		}
	}
	ok, ra := l.Allow("k", t0)
	if ok || ra != 500*time.Millisecond {
		t.Fatalf("request over burst = %v, %v; want refused, retry after 500ms", ok, ra)
	}
	// Half-way, half a token has come back.
	ok, ra = l.Allow("k", t0.Add(250*time.Millisecond))
	if ok || ra != 250*time.Millisecond {
		t.Fatalf("at +250ms = %v, %v; want refused, retry after 250ms", ok, ra)
	}
	if ok, _ := l.Allow("k", t0.Add(500*time.Millisecond-time.Nanosecond)); ok {
		t.Fatal("allowed 1ns before retryAfter")
	}
	if ok, ra := l.Allow("k", t0.Add(500*time.Millisecond)); !ok {
		t.Fatalf("at retryAfter = refused, retry after %v", ra)
	}
}

func TestLimiterRefill(t *testing.T) {
	l := NewLimiter(1, 2)
	l.Allow("k", t0)
	l.Allow("k", t0)
	if ok, _ := l.Allow("k", t0); ok {
		t.Fatal("allowed over burst")
	}
	// A long pause refills to burst, not beyond.
	now := t0.Add(time.Hour)
	for i := range 2 {
		if ok, _ := l.Allow("k", now); !ok {
			t.Fatalf("request %d after refill refused", i)
		}
	}
	if ok, _ := l.Allow("k", now); ok {
		t.Fatal("refill exceeded burst")
	}
	// Steady rate: one request per second is allowed indefinitely.
	for i := 1; i <= 10; i++ {
		if ok, ra := l.Allow("k", now.Add(time.Duration(i)*time.Second)); !ok {
			t.Fatalf("steady request %d refused, retry after %v", i, ra)
		}
	}
}

func TestLimiterClockBackwards(t *testing.T) {
	l := NewLimiter(1, 1)
	l.Allow("k", t0)
	if ok, _ := l.Allow("k", t0.Add(-time.Hour)); ok {
		t.Fatal("an earlier time refilled the bucket")
	}
	if ok, _ := l.Allow("k", t0.Add(time.Second)); !ok {
		t.Fatal("refused one interval after the last touch")
	}
}

func TestLimiterIndependentKeys(t *testing.T) {
	l := NewLimiter(1, 1)
	if ok, _ := l.Allow("a", t0); !ok {
		t.Fatal("a refused")
	}
	if ok, _ := l.Allow("a", t0); ok {
		t.Fatal("a allowed twice")
	}
	if ok, _ := l.Allow("b", t0); !ok {
		t.Fatal("b refused because of a")
	}
}

func TestLimiterDropsRefilled(t *testing.T) {
	l := NewLimiter(1, 2) // refills from empty in 2s
	l.Allow("a", t0)
	l.Allow("b", t0.Add(time.Second))
	l.Allow("c", t0.Add(2*time.Second)) // a is full again
	if _, ok := l.buckets["a"]; ok || len(l.buckets) != 2 {
		t.Errorf("buckets %v; want a dropped, b and c kept", keys(l))
	}
}

func TestLimiterRetryAfterRoundsUp(t *testing.T) {
	l := NewLimiter(3, 1) // a token every 333333333.3ns
	l.Allow("k", t0)
	ok, ra := l.Allow("k", t0)
	if ok || ra != 333333334*time.Nanosecond {
		t.Fatalf("= %v, %v; want refused, retry after 333.333334ms", ok, ra)
	}
	if ok, ra := l.Allow("k", t0.Add(ra)); !ok {
		t.Fatalf("refused at retryAfter, retry after %v", ra)
	}
}

func TestLimiterKeyBound(t *testing.T) {
	l := NewLimiter(1, 1)
	for i := range maxLimiterKeys {
		l.Allow(fmt.Sprint(i), t0)
	}
	l.Allow("0", t0) // now "1" is the least recently touched
	l.Allow("new", t0)
	if n := len(l.buckets); n > maxLimiterKeys || n != l.lru.Len() {
		t.Fatalf("%d buckets, %d list entries; want at most %d", n, l.lru.Len(), maxLimiterKeys)
	}
	if ok, _ := l.Allow("0", t0); ok {
		t.Error("recently touched key was evicted")
	}
	if ok, _ := l.Allow("1", t0); !ok {
		t.Error("least recently touched key was not evicted")
	}
	if ok, _ := l.Allow("new", t0); ok {
		t.Error("newest key was forgotten")
	}
	if n := len(l.buckets); n > maxLimiterKeys {
		t.Fatalf("%d buckets, want at most %d", n, maxLimiterKeys)
	}
}

func TestLimiterConcurrent(t *testing.T) {
	const burst = 50
	l := NewLimiter(1, burst)
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 100 {
				if ok, _ := l.Allow("shared", t0); ok {
					allowed.Add(1)
				}
				l.Allow(fmt.Sprint(g, "/", i), t0)
			}
		})
	}
	wg.Wait()
	if n := allowed.Load(); n != burst {
		t.Errorf("%d requests allowed on one key, want %d", n, burst)
	}
}

func TestNewLimiterPanics(t *testing.T) {
	for _, c := range []struct {
		rate  float64
		burst int
	}{{0, 1}, {-1, 1}, {math.NaN(), 1}, {1, 0}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewLimiter(%v, %d) did not panic", c.rate, c.burst)
				}
			}()
			NewLimiter(c.rate, c.burst)
		}()
	}
}

func keys(l *Limiter) []string {
	var ks []string
	for k := range l.buckets {
		ks = append(ks, k)
	}
	return ks
}
