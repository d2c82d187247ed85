package rbac

// Cached is how many decisions the cache holds.
func Cached(e *Enforcer) int { return e.cache.len() }
