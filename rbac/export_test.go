package rbac

import "github.com/casbin/casbin/v2/persist/cache"

// NewDecisionCache makes the decision cache alone, for its benchmark.
func NewDecisionCache(size int) cache.Cache { return newDecisionCache(size) }
