package bot

import (
	"container/list"
	"sync"
	"time"
)

// ttlCache is a bounded map whose entries expire ttl after they were put.
// When full, the oldest entry goes. It is safe for concurrent use.
type ttlCache[V any] struct {
	mu    sync.Mutex
	ttl   time.Duration
	max   int
	items map[string]*list.Element
	order *list.List // of *ttlEntry[V], oldest first
}

type ttlEntry[V any] struct {
	key string
	val V
	at  time.Time
}

func newTTLCache[V any](ttl time.Duration, max int) *ttlCache[V] {
	if max < 1 {
		max = 1
	}
	return &ttlCache[V]{ttl: ttl, max: max, items: map[string]*list.Element{}, order: list.New()}
}

func (c *ttlCache[V]) expired(e *ttlEntry[V], now time.Time) bool {
	return now.Sub(e.at) >= c.ttl || now.Before(e.at.Add(-c.ttl))
}

// get returns the live value under key.
func (c *ttlCache[V]) get(key string, now time.Time) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.getLocked(key, now)
}

func (c *ttlCache[V]) getLocked(key string, now time.Time) (V, bool) {
	var zero V
	el, ok := c.items[key]
	if !ok {
		return zero, false
	}
	e := el.Value.(*ttlEntry[V])
	if c.expired(e, now) {
		c.order.Remove(el)
		delete(c.items, key)
		return zero, false
	}
	return e.val, true
}

// put stores v under key, replacing what was there.
func (c *ttlCache[V]) put(key string, v V, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.putLocked(key, v, now)
}

func (c *ttlCache[V]) putLocked(key string, v V, now time.Time) {
	if el, ok := c.items[key]; ok {
		c.order.Remove(el)
		delete(c.items, key)
	}
	// Drop expired entries from the old end, then the oldest if full.
	for el := c.order.Front(); el != nil; el = c.order.Front() {
		e := el.Value.(*ttlEntry[V])
		if !c.expired(e, now) && c.order.Len() < c.max {
			break
		}
		c.order.Remove(el)
		delete(c.items, e.key)
	}
	c.items[key] = c.order.PushBack(&ttlEntry[V]{key: key, val: v, at: now})
}

// getOrPut returns the live value under key, or stores and returns the one
// made by create. loaded tells which.
func (c *ttlCache[V]) getOrPut(key string, now time.Time, create func() V) (v V, loaded bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.getLocked(key, now); ok {
		return v, true
	}
	v = create()
	c.putLocked(key, v, now)
	return v, false
}

// take returns and removes the live value under key.
func (c *ttlCache[V]) take(key string, now time.Time) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.getLocked(key, now)
	if ok {
		c.deleteLocked(key)
	}
	return v, ok
}

func (c *ttlCache[V]) delete(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.deleteLocked(key)
}

func (c *ttlCache[V]) deleteLocked(key string) {
	if el, ok := c.items[key]; ok {
		c.order.Remove(el)
		delete(c.items, key)
	}
}

func (c *ttlCache[V]) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// each calls fn for every live entry, oldest first, with the time it was
// put.
func (c *ttlCache[V]) each(now time.Time, fn func(key string, v V, at time.Time)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for el := c.order.Front(); el != nil; el = el.Next() {
		if e := el.Value.(*ttlEntry[V]); !c.expired(e, now) {
			fn(e.key, e.val, e.at)
		}
	}
}
