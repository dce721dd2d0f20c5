package push

import (
	"sync"
	"time"

	"github.com/silenceper/wechat/v2/cache"

	"github.com/yingpu/govbot/clock"
)

// TokenCache is an in-memory cache.Cache (silenceper's interface) that is
// safe for concurrent use, with expiry on an injected clock. It replaces
// silenceper's memory cache, which is not safe for concurrent use.
type TokenCache struct {
	clock clock.Clock
	mu    sync.Mutex
	items map[string]cacheItem
}

type cacheItem struct {
	val     any
	expires time.Time // zero: never
}

var _ cache.Cache = (*TokenCache)(nil)

// NewTokenCache returns an empty cache; c nil means the system clock.
func NewTokenCache(c clock.Clock) *TokenCache {
	if c == nil {
		c = clock.System{}
	}
	return &TokenCache{clock: c, items: make(map[string]cacheItem)}
}

// Get returns the value of key, or nil when absent or expired.
func (tc *TokenCache) Get(key string) any {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	it, ok := tc.items[key]
	if !ok {
		return nil
	}
	if !it.expires.IsZero() && !tc.clock.Now().Before(it.expires) {
		delete(tc.items, key)
		return nil
	}
	return it.val
}

// Set stores val under key for timeout; timeout <= 0 keeps it until
// deleted.
func (tc *TokenCache) Set(key string, val any, timeout time.Duration) error {
	it := cacheItem{val: val}
	if timeout > 0 {
		it.expires = tc.clock.Now().Add(timeout)
	}
	tc.mu.Lock()
	tc.items[key] = it
	tc.mu.Unlock()
	return nil
}

// IsExist reports whether key holds an unexpired value.
func (tc *TokenCache) IsExist(key string) bool { return tc.Get(key) != nil }

// Delete removes key.
func (tc *TokenCache) Delete(key string) error {
	tc.mu.Lock()
	delete(tc.items, key)
	tc.mu.Unlock()
	return nil
}
