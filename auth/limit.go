package auth

import (
	"container/list"
	"math"
	"sync"
	"time"
)

// maxLimiterKeys bounds the memory of a Limiter.
const maxLimiterKeys = 100_000

// Limiter is a token-bucket rate limiter with one bucket per key, such as a
// client address or a user name. It is safe for concurrent use.
//
// Memory is bounded: a bucket untouched long enough to have refilled is
// dropped, since it carries no information. If maxLimiterKeys buckets are
// still live, a new key evicts the least recently touched bucket, which then
// starts afresh with a full burst. The alternative, refusing new keys, would
// let anyone holding enough keys lock every other client out.
type Limiter struct {
	rate     float64       // tokens per second
	burst    float64       // bucket capacity
	fillTime time.Duration // time for an empty bucket to refill

	mu      sync.Mutex
	buckets map[string]*list.Element // values are *bucket
	lru     *list.List               // most recently touched first
}

type bucket struct {
	key    string
	tokens float64
	last   time.Time // last touched
}

// NewLimiter returns a limiter that allows burst requests at once per key and
// refills at perSecond requests per second. It panics unless perSecond > 0 and
// burst >= 1.
func NewLimiter(perSecond float64, burst int) *Limiter {
	if !(perSecond > 0) || burst < 1 {
		panic("auth: NewLimiter needs perSecond > 0 and burst >= 1")
	}
	fill := time.Duration(math.MaxInt64)
	if s := float64(burst) / perSecond; s < fill.Seconds() {
		fill = time.Duration(math.Ceil(s * float64(time.Second)))
	}
	return &Limiter{
		rate:     perSecond,
		burst:    float64(burst),
		fillTime: fill,
		buckets:  make(map[string]*list.Element),
		lru:      list.New(),
	}
}

// Allow takes one token from key's bucket at time now. If the bucket is empty
// it returns false and how long until a token is available. Callers pass the
// time so that tests are deterministic; a now earlier than the bucket's last
// touch refills nothing.
func (l *Limiter) Allow(key string, now time.Time) (ok bool, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.dropRefilled(now)

	var b *bucket
	if e, found := l.buckets[key]; found {
		b = e.Value.(*bucket)
		if d := now.Sub(b.last); d > 0 {
			b.tokens = min(l.burst, b.tokens+d.Seconds()*l.rate)
			b.last = now
		}
		l.lru.MoveToFront(e)
	} else {
		if len(l.buckets) >= maxLimiterKeys {
			l.remove(l.lru.Back())
		}
		b = &bucket{key: key, tokens: l.burst, last: now}
		l.buckets[key] = l.lru.PushFront(b)
	}

	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration(math.Ceil((1 - b.tokens) / l.rate * float64(time.Second)))
}

// dropRefilled removes buckets untouched for fillTime: they are full, exactly
// as a new bucket would be. Such buckets collect at the back of the list, so
// the cost is amortised over the calls that created them.
func (l *Limiter) dropRefilled(now time.Time) {
	for e := l.lru.Back(); e != nil; e = l.lru.Back() {
		if now.Sub(e.Value.(*bucket).last) < l.fillTime {
			return
		}
		l.remove(e)
	}
}

func (l *Limiter) remove(e *list.Element) {
	delete(l.buckets, e.Value.(*bucket).key)
	l.lru.Remove(e)
}
