// Package cache holds a bounded, concurrency-safe map with least-recently
// used eviction and an optional time to live: the one cache byoos keeps of
// parsed packs, encoded answers and API keys.
package cache

import (
	"container/list"
	"sync"
	"time"
)

// Cache maps keys to values, holding a bounded number of entries; the least
// recently used goes first. With a TTL, an entry older than it is not
// returned. The zero value is not usable: call New.
type Cache[K comparable, V any] struct {
	mu    sync.Mutex
	size  int
	ttl   time.Duration
	now   func() time.Time
	order *list.List // of *item[K, V], most recently used first
	items map[K]*list.Element
}

type item[K comparable, V any] struct {
	key   K
	value V
	added time.Time
}

// New returns a cache of at most size entries (at least 1), whose entries
// expire after ttl (never when ttl <= 0).
func New[K comparable, V any](size int, ttl time.Duration) *Cache[K, V] {
	return NewWithClock[K, V](size, ttl, time.Now)
}

// NewWithClock is New with the clock that ages entries.
func NewWithClock[K comparable, V any](size int, ttl time.Duration, now func() time.Time) *Cache[K, V] {
	return &Cache[K, V]{size: max(size, 1), ttl: ttl, now: now, order: list.New(), items: map[K]*list.Element{}}
}

// Get returns the value of key, if present and not expired.
func (c *Cache[K, V]) Get(key K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		var zero V
		return zero, false
	}
	it := el.Value.(*item[K, V])
	if c.ttl > 0 && c.now().Sub(it.added) >= c.ttl {
		c.order.Remove(el)
		delete(c.items, key)
		var zero V
		return zero, false
	}
	c.order.MoveToFront(el)
	return it.value, true
}

// Put sets the value of key, evicting the least recently used entry when
// the cache is full.
func (c *Cache[K, V]) Put(key K, value V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		it := el.Value.(*item[K, V])
		it.value, it.added = value, c.now()
		c.order.MoveToFront(el)
		return
	}
	if c.order.Len() >= c.size {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*item[K, V]).key)
	}
	c.items[key] = c.order.PushFront(&item[K, V]{key: key, value: value, added: c.now()})
}

// Delete removes key.
func (c *Cache[K, V]) Delete(key K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.order.Remove(el)
		delete(c.items, key)
	}
}

// DeleteFunc removes every entry for which del returns true.
func (c *Cache[K, V]) DeleteFunc(del func(K, V) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, el := range c.items {
		if del(k, el.Value.(*item[K, V]).value) {
			c.order.Remove(el)
			delete(c.items, k)
		}
	}
}

// Len returns the number of entries, expired ones included.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
