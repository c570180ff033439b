package json

import (
	"container/list"
	"sync"
)

// lru is a small mutex-guarded least-recently-used cache, the counterpart of
// Kafka's SynchronizedCache(LRUCache) used by JsonConverter. Size 0 disables it.
type lru[K comparable, V any] struct {
	mu    sync.Mutex
	size  int
	items map[K]*list.Element
	order list.List
}

type lruEntry[K comparable, V any] struct {
	key K
	val V
}

func newLRU[K comparable, V any](size int) *lru[K, V] {
	return &lru[K, V]{size: size, items: make(map[K]*list.Element)}
}

func (c *lru[K, V]) get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		c.order.MoveToFront(el)
		return el.Value.(*lruEntry[K, V]).val, true
	}
	var zero V
	return zero, false
}

func (c *lru[K, V]) put(k K, v V) {
	if c.size <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		el.Value.(*lruEntry[K, V]).val = v
		c.order.MoveToFront(el)
		return
	}
	c.items[k] = c.order.PushFront(&lruEntry[K, V]{key: k, val: v})
	for c.order.Len() > c.size {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*lruEntry[K, V]).key)
	}
}

// getBytes looks a raw schema up without converting the key to a string first
// (the compiler elides the copy in a map index expression).
func getBytes[V any](c *lru[string, V], k []byte) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[string(k)]; ok {
		c.order.MoveToFront(el)
		return el.Value.(*lruEntry[string, V]).val, true
	}
	var zero V
	return zero, false
}
