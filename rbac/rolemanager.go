package rbac

import (
	"errors"
	"fmt"
	"sort"

	"github.com/casbin/casbin/v2/log"
	casbinrbac "github.com/casbin/casbin/v2/rbac"
)

// maxHierarchy is how many links HasLink follows: user@region → role →
// permission is two; the rest is headroom, as in Casbin's default (10).
const maxHierarchy = 10

// errNoDomains answers the domain calls: the model's role graph g = _, _ has
// no domain (the region is part of the subject).
var errNoDomains = errors.New("rbac: role manager: the role graph has no domains")

// roleManager is the Casbin role manager of the role graph g: a plain map
// from a name to the names it links to (user@region → roles, role →
// permissions). Casbin's default keeps a node with six sync.Maps per name and
// makes temporary nodes for names it does not hold; at national scale that is
// most of the heap and of the garbage collector's work.
//
// It takes no lock of its own: every call that changes it (LoadPolicy's
// rebuild, AddGroupingPolicy, RemoveGroupingPolicy, BuildRoleLinks) runs
// under the SyncedEnforcer's write lock, and Enforce under its read lock, so
// readers only ever share an unchanging map.
type roleManager struct {
	links map[string][]string
}

var _ casbinrbac.RoleManager = (*roleManager)(nil)

func newRoleManager() *roleManager {
	return &roleManager{links: map[string][]string{}}
}

func noDomain(domain []string) error {
	if len(domain) != 0 {
		return errNoDomains
	}
	return nil
}

// Clear removes every link.
func (rm *roleManager) Clear() error {
	rm.links = map[string][]string{}
	return nil
}

// AddLink links name1 to name2 (once).
func (rm *roleManager) AddLink(name1, name2 string, domain ...string) error {
	if err := noDomain(domain); err != nil {
		return err
	}
	to := rm.links[name1]
	for _, n := range to {
		if n == name2 {
			return nil
		}
	}
	if to == nil {
		// Most names link to one role: an exact one-element slice.
		rm.links[name1] = []string{name2}
		return nil
	}
	rm.links[name1] = append(to, name2)
	return nil
}

// BuildRelationship is deprecated in Casbin and does nothing.
func (rm *roleManager) BuildRelationship(string, string, ...string) error { return nil }

// DeleteLink removes the link from name1 to name2.
func (rm *roleManager) DeleteLink(name1, name2 string, domain ...string) error {
	if err := noDomain(domain); err != nil {
		return err
	}
	to := rm.links[name1]
	for i, n := range to {
		if n != name2 {
			continue
		}
		if len(to) == 1 {
			delete(rm.links, name1)
			return nil
		}
		// A new slice, not an in-place shift: nothing else holds the old one,
		// but a fresh one keeps the capacity tight.
		rest := make([]string, 0, len(to)-1)
		rm.links[name1] = append(append(rest, to[:i]...), to[i+1:]...)
		return nil
	}
	return nil
}

// HasLink reports whether name1 reaches name2 (every name reaches itself),
// following at most maxHierarchy links.
func (rm *roleManager) HasLink(name1, name2 string, domain ...string) (bool, error) {
	if err := noDomain(domain); err != nil {
		return false, err
	}
	return rm.reaches(name1, name2, maxHierarchy), nil
}

func (rm *roleManager) reaches(from, to string, depth int) bool {
	if from == to {
		return true
	}
	if depth == 0 {
		return false
	}
	next := rm.links[from]
	for _, n := range next {
		if n == to {
			return true
		}
	}
	for _, n := range next {
		if rm.reaches(n, to, depth-1) {
			return true
		}
	}
	return false
}

// GetRoles lists the names name links to directly.
func (rm *roleManager) GetRoles(name string, domain ...string) ([]string, error) {
	if err := noDomain(domain); err != nil {
		return nil, err
	}
	return append([]string{}, rm.links[name]...), nil
}

// GetUsers lists the names that link to name directly (a scan: for tools,
// not for requests).
func (rm *roleManager) GetUsers(name string, domain ...string) ([]string, error) {
	if err := noDomain(domain); err != nil {
		return nil, err
	}
	out := []string{}
	for from, to := range rm.links {
		for _, n := range to {
			if n == name {
				out = append(out, from)
				break
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// GetImplicitRoles lists every name name reaches, nearest first.
func (rm *roleManager) GetImplicitRoles(name string, domain ...string) ([]string, error) {
	if err := noDomain(domain); err != nil {
		return nil, err
	}
	return walk(name, maxHierarchy, func(n string) []string { return rm.links[n] }), nil
}

// GetImplicitUsers lists every name that reaches name, nearest first.
func (rm *roleManager) GetImplicitUsers(name string, domain ...string) ([]string, error) {
	if err := noDomain(domain); err != nil {
		return nil, err
	}
	return walk(name, maxHierarchy, func(n string) []string {
		users, _ := rm.GetUsers(n)
		return users
	}), nil
}

// walk is a breadth-first walk from start over next, at most depth levels,
// without start itself.
func walk(start string, depth int, next func(string) []string) []string {
	out := []string{}
	seen := map[string]bool{start: true}
	level := []string{start}
	for ; depth > 0 && len(level) > 0; depth-- {
		var below []string
		for _, n := range level {
			for _, m := range next(n) {
				if !seen[m] {
					seen[m] = true
					out = append(out, m)
					below = append(below, m)
				}
			}
		}
		level = below
	}
	return out
}

// GetDomains is not supported: the graph has no domains.
func (rm *roleManager) GetDomains(string) ([]string, error) { return nil, errNoDomains }

// GetAllDomains is not supported: the graph has no domains.
func (rm *roleManager) GetAllDomains() ([]string, error) { return nil, errNoDomains }

// DeleteDomain is not supported: the graph has no domains.
func (rm *roleManager) DeleteDomain(string) error { return errNoDomains }

// PrintRoles does nothing: Casbin's logging is off.
func (rm *roleManager) PrintRoles() error { return nil }

// SetLogger ignores the logger: the role manager logs nothing.
func (rm *roleManager) SetLogger(log.Logger) {}

// Match compares names exactly: the graph has no pattern names.
func (rm *roleManager) Match(str, pattern string) bool { return str == pattern }

// AddMatchingFunc is not supported: names are matched exactly. It panics
// rather than silently ignoring a pattern someone expects to work.
func (rm *roleManager) AddMatchingFunc(name string, _ casbinrbac.MatchingFunc) {
	panic(fmt.Sprintf("rbac: role manager: matching function %q not supported", name))
}

// AddDomainMatchingFunc is not supported: the graph has no domains.
func (rm *roleManager) AddDomainMatchingFunc(name string, _ casbinrbac.MatchingFunc) {
	panic(fmt.Sprintf("rbac: role manager: domain matching function %q not supported", name))
}
