package auth

import (
	"sync"
	"time"

	"github.com/yingpu/govbot/clock"
)

// Limiter counts failures per key (a user name, an address) and refuses a
// key that failed Max times within Window until the oldest of those
// failures is Window old. It is kept in memory: a restart forgives. It is
// safe for concurrent use.
type Limiter struct {
	max    int
	window time.Duration
	clock  clock.Clock

	mu   sync.Mutex
	fail map[string][]time.Time // per key, oldest first, at most max
}

// maxLimiterKeys bounds the memory of a Limiter under a flood of distinct
// keys: past it, keys with no failure within the window are forgotten.
const maxLimiterKeys = 100_000

// NewLimiter returns a Limiter allowing max failures per window.
func NewLimiter(max int, window time.Duration, c clock.Clock) *Limiter {
	if max < 1 {
		max = 1
	}
	if c == nil {
		c = clock.System{}
	}
	return &Limiter{max: max, window: window, clock: c, fail: map[string][]time.Time{}}
}

// recent drops the failures of key older than the window; l.mu is held.
func (l *Limiter) recent(key string, now time.Time) []time.Time {
	ts := l.fail[key]
	i := 0
	for i < len(ts) && !now.Before(ts[i].Add(l.window)) {
		i++
	}
	ts = ts[i:]
	if len(ts) == 0 {
		delete(l.fail, key)
		return nil
	}
	l.fail[key] = ts
	return ts
}

// Wait returns how long key must wait before it may try again; 0 when it
// may now.
func (l *Limiter) Wait(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	ts := l.recent(key, now)
	if len(ts) < l.max {
		return 0
	}
	return ts[len(ts)-l.max].Add(l.window).Sub(now)
}

// Fail records a failure of key.
func (l *Limiter) Fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	if len(l.fail) >= maxLimiterKeys {
		for k := range l.fail {
			l.recent(k, now)
		}
	}
	ts := append(l.recent(key, now), now)
	if len(ts) > l.max {
		ts = ts[len(ts)-l.max:]
	}
	l.fail[key] = ts
}

// Reset forgets the failures of key (after a success).
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fail, key)
}
