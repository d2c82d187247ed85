package rbac

import (
	"sync/atomic"

	"github.com/casbin/casbin/v2/persist/cache"
	lru "github.com/hashicorp/golang-lru/v2"
)

// maxCached bounds Casbin's decision cache, sized by measurement
// (BenchmarkDecisionCache, BenchmarkAllowedNational; README, Performance):
// at 2^17 decisions a uniform stream over the national mix, twice that many
// questions, is still half answered from the cache, which keeps that worst
// case below Casbin's own benchmark; a skewed stream is answered ~93% from
// it; full, it takes ~22 MB. 2^16 would halve that but answer a quarter of
// the uniform stream, and a miss costs ~4 µs.
const maxCached = 1 << 17

// decisionCache is Casbin's decision cache (cache.Cache) over the LRU cache
// of hashicorp/golang-lru: full, it evicts the decision asked least recently
// instead of starting over, so the questions a service keeps asking (its hot
// set) stay answered while ever-new ones pass through.
//
// Measured against golang-lru's 2Q (BenchmarkDecisionCache), which also
// keeps one-off questions from pushing out repeated ones: 2Q answers as
// many of a uniform stream, 1–4 points more of a skewed one and 5–7 more
// when one question in five is new, but takes 1.6–1.8 times the memory per
// decision (three maps and a ghost list) and holds its lock longer on every
// check: a warm uniform national mix checked from two goroutines took
// 3.9–4.2 µs a check with 2Q, 2.6 µs with the LRU. Both take an exclusive
// lock on every Get (to move the entry to the front); the LRU's is short.
//
// Memory, measured: ~172 bytes a decision (golang-lru's list element, 80;
// its map slot; the key Casbin builds, "u:<id>$$<region>$$<perm>$$", 32), so
// ~22 MB when full.
type decisionCache struct {
	size int
	// lru is replaced by an empty cache to clear it: Purge deletes the
	// entries one by one (16 ms for a full cache, measured), during which
	// every check would wait on the exclusive lock changed() holds.
	lru    atomic.Pointer[lru.Cache[string, bool]]
	stored atomic.Int64
}

var _ cache.Cache = (*decisionCache)(nil)

func newDecisionCache(size int) *decisionCache {
	c := &decisionCache{size: size}
	c.lru.Store(newLRU(size))
	return c
}

func newLRU(size int) *lru.Cache[string, bool] {
	l, err := lru.New[string, bool](size)
	if err != nil {
		// Only a size below 1 fails, and the sizes are constants.
		panic("rbac: decision cache: " + err.Error())
	}
	return l
}

// Set stores a decision; the expiry Casbin may pass is ignored (a policy
// change empties the cache instead). Casbin calls it once per question the
// cache could not answer, so stored counts the misses.
func (c *decisionCache) Set(key string, value bool, _ ...any) error {
	c.lru.Load().Add(key, value)
	c.stored.Add(1)
	return nil
}

// Get returns a stored decision or cache.ErrNoSuchKey.
func (c *decisionCache) Get(key string) (bool, error) {
	v, ok := c.lru.Load().Get(key)
	if !ok {
		return false, cache.ErrNoSuchKey
	}
	return v, nil
}

// Delete removes a decision.
func (c *decisionCache) Delete(key string) error {
	if !c.lru.Load().Remove(key) {
		return cache.ErrNoSuchKey
	}
	return nil
}

// Clear removes every decision.
func (c *decisionCache) Clear() error {
	c.lru.Store(newLRU(c.size))
	return nil
}

// len is the number of stored decisions.
func (c *decisionCache) len() int { return c.lru.Load().Len() }
