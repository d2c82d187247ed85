package rbac

import (
	"sync"

	"github.com/casbin/casbin/v2/persist/cache"
)

// decisionCache is Casbin's decision cache (cache.Cache) with a bound: when
// it holds max decisions it starts over, so a national user base asking
// ever-new questions cannot grow it without end. Casbin's own SyncCache has no
// bound, and stores an expiry time per decision that we never use.
type decisionCache struct {
	mu        sync.RWMutex
	decisions map[string]bool
	max       int
}

var _ cache.Cache = (*decisionCache)(nil)

func newDecisionCache(max int) *decisionCache {
	return &decisionCache{decisions: map[string]bool{}, max: max}
}

// Set stores a decision; the expiry Casbin may pass is ignored (a policy
// change empties the cache instead).
func (c *decisionCache) Set(key string, value bool, _ ...any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.decisions) >= c.max {
		c.decisions = map[string]bool{}
	}
	c.decisions[key] = value
	return nil
}

// Get returns a stored decision or cache.ErrNoSuchKey.
func (c *decisionCache) Get(key string) (bool, error) {
	c.mu.RLock()
	v, ok := c.decisions[key]
	c.mu.RUnlock()
	if !ok {
		return false, cache.ErrNoSuchKey
	}
	return v, nil
}

// Delete removes a decision.
func (c *decisionCache) Delete(key string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.decisions[key]; !ok {
		return cache.ErrNoSuchKey
	}
	delete(c.decisions, key)
	return nil
}

// Clear removes every decision.
func (c *decisionCache) Clear() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.decisions = map[string]bool{}
	return nil
}

// len is the number of stored decisions.
func (c *decisionCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.decisions)
}
