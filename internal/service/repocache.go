package service

import (
	"container/list"
	"sync"
	"time"
)

// repoCache keeps recently served update-repository files in memory, so a
// fleet polling timestamp.json, and devices fetching the same metadata, do
// not each cost a database query. Immutable files stay until evicted or a
// minute has passed (a product renamed meanwhile stops answering under its
// old name within that minute); the newest timestamp stays for one second,
// and a publication on this server drops it at once. Other servers of a
// deployment pick a new timestamp up within that second, which is harmless:
// devices poll every few minutes at most.
type repoCache struct {
	mu       sync.Mutex
	lru      *list.List // of *cacheEntry, most recent first
	byKey    map[string]*list.Element
	size     int64
	maxBytes int64
	now      func() time.Time
}

type cacheEntry struct {
	key     string
	value   any
	size    int64
	expires time.Time
}

const (
	repoCacheBytes     = 64 << 20
	immutableCacheLife = time.Minute
	latestCacheLife    = time.Second
)

func newRepoCache(maxBytes int64) *repoCache {
	return &repoCache{lru: list.New(), byKey: map[string]*list.Element{}, maxBytes: maxBytes, now: time.Now}
}

func (c *repoCache) get(key string) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[key]
	if !ok {
		return nil, false
	}
	e := el.Value.(*cacheEntry)
	if c.now().After(e.expires) {
		c.remove(el)
		return nil, false
	}
	c.lru.MoveToFront(el)
	return e.value, true
}

func (c *repoCache) put(key string, value any, size int64, life time.Duration) {
	if size > c.maxBytes/16 {
		return // one large file must not flush everything else
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byKey[key]; ok {
		c.remove(el)
	}
	c.byKey[key] = c.lru.PushFront(&cacheEntry{key: key, value: value, size: size, expires: c.now().Add(life)})
	c.size += size
	for c.size > c.maxBytes {
		c.remove(c.lru.Back())
	}
}

func (c *repoCache) drop(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byKey[key]; ok {
		c.remove(el)
	}
}

func (c *repoCache) remove(el *list.Element) {
	e := c.lru.Remove(el).(*cacheEntry)
	delete(c.byKey, e.key)
	c.size -= e.size
}
