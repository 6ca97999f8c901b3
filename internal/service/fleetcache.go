package service

import (
	"context"
	"sync"
	"time"

	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/rollout"
)

// The device API answers each check-in from memory where it safely can:
// device identities for a minute (a key reset on another server takes
// effect here within that minute), active rollouts for two seconds.
const (
	deviceCacheLife  = time.Minute
	rolloutCacheLife = 2 * time.Second
	deviceCacheMax   = 200_000
)

type timed[T any] struct {
	value   T
	expires time.Time
}

// ttlCache is a small map cache with expiry, for the device API.
type ttlCache[T any] struct {
	mu    sync.Mutex
	items map[string]timed[T]
	max   int
}

func newTTLCache[T any](max int) *ttlCache[T] {
	return &ttlCache[T]{items: map[string]timed[T]{}, max: max}
}

func (c *ttlCache[T]) get(key string) (T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	it, ok := c.items[key]
	if !ok || time.Now().After(it.expires) {
		var zero T
		return zero, false
	}
	return it.value, true
}

func (c *ttlCache[T]) put(key string, v T, life time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.items) >= c.max {
		clear(c.items) // crude but bounded; refilling costs one query per device
	}
	c.items[key] = timed[T]{value: v, expires: time.Now().Add(life)}
}

func (c *ttlCache[T]) drop(key string) {
	c.mu.Lock()
	delete(c.items, key)
	c.mu.Unlock()
}

func (c *ttlCache[T]) clear() {
	c.mu.Lock()
	clear(c.items)
	c.mu.Unlock()
}

func (s *Service) deviceIdentity(ctx context.Context, deviceID string) (registry.DeviceIdentity, error) {
	if id, ok := s.devices.get(deviceID); ok {
		return id, nil
	}
	id, err := s.store.Directory().DeviceIdentity(ctx, deviceID)
	if err != nil {
		return id, err
	}
	s.devices.put(deviceID, id, deviceCacheLife)
	return id, nil
}

func (s *Service) activeRollouts(ctx context.Context, orgID, productID string) ([]rollout.Rollout, error) {
	if rs, ok := s.rollouts.get(productID); ok {
		return rs, nil
	}
	all, err := s.store.Org(orgID).Rollouts(ctx, productID)
	if err != nil {
		return nil, err
	}
	var active []rollout.Rollout
	for _, r := range all {
		if r.Offering() {
			active = append(active, r)
		}
	}
	s.rollouts.put(productID, active, rolloutCacheLife)
	return active, nil
}
