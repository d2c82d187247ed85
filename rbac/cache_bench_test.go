package rbac_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2/persist/cache"
	lru "github.com/hashicorp/golang-lru/v2"

	"safetypilot/rbac"
	"safetypilot/rbac/rbacbench"
)

// twoQueue is golang-lru's 2Q as a Casbin cache, to compare with.
type twoQueue struct {
	*lru.TwoQueueCache[string, bool]
}

func (c twoQueue) Set(k string, v bool, _ ...any) error { c.Add(k, v); return nil }
func (c twoQueue) Get(k string) (bool, error) {
	if v, ok := c.TwoQueueCache.Get(k); ok {
		return v, nil
	}
	return false, cache.ErrNoSuchKey
}
func (c twoQueue) Delete(k string) error { c.Remove(k); return nil }
func (c twoQueue) Clear() error          { c.Purge(); return nil }

// startOver is the cache this one replaced: a map that empties itself
// completely when full.
type startOver struct {
	m   map[string]bool
	max int
}

func (c *startOver) Set(k string, v bool, _ ...any) error {
	if len(c.m) >= c.max {
		c.m = map[string]bool{}
	}
	c.m[k] = v
	return nil
}
func (c *startOver) Get(k string) (bool, error) {
	if v, ok := c.m[k]; ok {
		return v, nil
	}
	return false, cache.ErrNoSuchKey
}
func (c *startOver) Delete(k string) error { delete(c.m, k); return nil }
func (c *startOver) Clear() error          { c.m = map[string]bool{}; return nil }

// BenchmarkDecisionCache sizes the decision cache and picks its policy: the
// cache alone (ours, golang-lru's LRU; its 2Q; and the map that started over
// when full, which it replaced) at several sizes, over streams of the
// national mix's questions keyed as Casbin keys them: uniform, skewed (Zipf),
// and sweep, the skewed stream with one question in five new (one-off
// questions, as of an administrator going through counties). Each stream is
// asked once untimed first. hit-% is the share answered; B/decision (on the
// uniform runs) the heap a held decision takes, its key included. Run it
// alone: -bench DecisionCache.
func BenchmarkDecisionCache(b *testing.B) {
	ds := rbacbench.National(nationalUsers, 1)
	mix := ds.Checks(1<<18, 2)
	keys := make([]string, len(mix))
	for i, c := range mix {
		keys[i] = casbinKey(c.UserID, c.Region, c.Perm)
	}
	b.Logf("%d distinct questions in the mix", distinct(mix))
	streams := []struct {
		name  string
		s     *rbacbench.Stream
		sweep bool
	}{
		{"uniform", rbacbench.Uniform(mix, streamLen, 7), false},
		{"skewed", rbacbench.Skewed(mix, streamLen, 7), false},
		{"sweep", rbacbench.Skewed(mix, streamLen, 7), true},
	}
	policies := []struct {
		name string
		make func(size int) cache.Cache
	}{
		{"lru", rbac.NewDecisionCache},
		{"2q", func(size int) cache.Cache {
			c, err := lru.New2Q[string, bool](size)
			if err != nil {
				b.Fatal(err)
			}
			return twoQueue{c}
		}},
		{"start-over", func(size int) cache.Cache { return &startOver{m: map[string]bool{}, max: size} }},
	}
	for _, p := range policies {
		for _, size := range []int{1 << 15, 1 << 16, 1 << 17, 3 << 16} {
			for _, st := range streams {
				c := p.make(size)
				oneOff := 0
				next := 0
				ask := func() (hit bool) {
					k := keys[st.s.Order[next]]
					if st.sweep && next%5 == 0 {
						oneOff++
						k = casbinKey(int64(1_000_000+oneOff), "110101", "users:manage")
					}
					if next++; next == len(st.s.Order) {
						next = 0
					}
					if _, err := c.Get(k); err == nil {
						return true
					}
					_ = c.Set(k, false)
					return false
				}
				var perDecision float64
				if st.name == "uniform" {
					// The keys of the warm-up are new strings, as Casbin's
					// are, so the heap counts them.
					before := heapAlloc()
					for range st.s.Order {
						k := strings.Clone(keys[st.s.Order[next]])
						if next++; next == len(st.s.Order) {
							next = 0
						}
						if _, err := c.Get(k); err != nil {
							_ = c.Set(k, false)
						}
					}
					perDecision = float64(heapAlloc()-before) / float64(size)
				} else {
					for range st.s.Order {
						ask()
					}
				}
				b.Run(fmt.Sprintf("%s/%d/%s", p.name, size, st.name), func(b *testing.B) {
					hits := 0
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						if ask() {
							hits++
						}
					}
					b.ReportMetric(100*float64(hits)/float64(b.N), "hit-%")
					if perDecision > 0 {
						b.ReportMetric(perDecision, "B/decision")
					}
				})
			}
		}
	}
}

// casbinKey is the key Casbin's cached enforcer stores a decision under.
func casbinKey(userID int64, region, perm string) string {
	return "u:" + strconv.FormatInt(userID, 10) + "$$" + region + "$$" + perm + "$$"
}
