package rbac

import (
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/casbin/casbin/v2/log"
	casbinrbac "github.com/casbin/casbin/v2/rbac"
)

// maxHierarchy is how many links HasLink follows: user → role → permission
// is two; the rest is headroom, as in Casbin's default (10).
const maxHierarchy = 10

// errOneDomain answers calls without exactly one domain: every link of the
// role graph is held in a region, and every question is asked in one.
var errOneDomain = errors.New("rbac: role manager: want exactly one region")

// link is one edge of the role graph: to is reached in region and in every
// region it covers (Covers).
type link struct {
	to, region string
}

// roleManager is the Casbin role manager of the role graph g: a plain map
// from a name to its links (user → role in the region of the assignment,
// role → permission in the whole country). HasLink follows only links held
// in a region that covers the region asked about, so the graph needs no copy
// per region and the matcher asks one question. Casbin's default keeps a
// node with six sync.Maps per name and domain and makes temporary nodes for
// names it does not hold; at national scale that is most of the heap and of
// the garbage collector's work.
//
// It takes no lock of its own: every call that changes it (LoadPolicy's
// rebuild, AddGroupingPolicy, RemoveGroupingPolicy, BuildRoleLinks) runs
// under the SyncedEnforcer's write lock, and Enforce under its read lock, so
// readers only ever share an unchanging map.
type roleManager struct {
	links map[string][]link
}

var _ casbinrbac.RoleManager = (*roleManager)(nil)

func newRoleManager() *roleManager {
	return &roleManager{links: map[string][]link{}}
}

func oneDomain(domain []string) (string, error) {
	if len(domain) != 1 {
		return "", errOneDomain
	}
	return domain[0], nil
}

// Clear removes every link.
func (rm *roleManager) Clear() error {
	rm.links = map[string][]link{}
	return nil
}

// AddLink links name1 to name2 in a region (once).
func (rm *roleManager) AddLink(name1, name2 string, domain ...string) error {
	region, err := oneDomain(domain)
	if err != nil {
		return err
	}
	l := link{name2, region}
	to := rm.links[name1]
	for _, n := range to {
		if n == l {
			return nil
		}
	}
	if to == nil {
		// Most names link to one role: an exact one-element slice.
		rm.links[name1] = []link{l}
		return nil
	}
	rm.links[name1] = append(to, l)
	return nil
}

// BuildRelationship is deprecated in Casbin and does nothing.
func (rm *roleManager) BuildRelationship(string, string, ...string) error { return nil }

// DeleteLink removes the link from name1 to name2 in a region.
func (rm *roleManager) DeleteLink(name1, name2 string, domain ...string) error {
	region, err := oneDomain(domain)
	if err != nil {
		return err
	}
	l := link{name2, region}
	to := rm.links[name1]
	for i, n := range to {
		if n != l {
			continue
		}
		if len(to) == 1 {
			delete(rm.links, name1)
			return nil
		}
		// A new slice, not an in-place shift: nothing else holds the old one,
		// but a fresh one keeps the capacity tight.
		rest := make([]link, 0, len(to)-1)
		rm.links[name1] = append(append(rest, to[:i]...), to[i+1:]...)
		return nil
	}
	return nil
}

// HasLink reports whether name1 reaches name2 in a region (every name reaches
// itself) over links held in regions that cover it, following at most
// maxHierarchy links.
func (rm *roleManager) HasLink(name1, name2 string, domain ...string) (bool, error) {
	region, err := oneDomain(domain)
	if err != nil {
		return false, err
	}
	return rm.reaches(name1, name2, region, maxHierarchy), nil
}

func (rm *roleManager) reaches(from, to, region string, depth int) bool {
	if from == to {
		return true
	}
	if depth == 0 {
		return false
	}
	next := rm.links[from]
	for _, n := range next {
		if n.to == to && Covers(n.region, region) {
			return true
		}
	}
	for _, n := range next {
		if Covers(n.region, region) && rm.reaches(n.to, to, region, depth-1) {
			return true
		}
	}
	return false
}

// usable lists the names name links to over links that hold in region.
func (rm *roleManager) usable(name, region string) []string {
	var out []string
	for _, n := range rm.links[name] {
		if Covers(n.region, region) {
			out = append(out, n.to)
		}
	}
	return out
}

// GetRoles lists the names name links to directly in a region.
func (rm *roleManager) GetRoles(name string, domain ...string) ([]string, error) {
	region, err := oneDomain(domain)
	if err != nil {
		return nil, err
	}
	return append([]string{}, rm.usable(name, region)...), nil
}

// GetUsers lists the names that link to name directly in a region (a scan:
// for tools, not for requests).
func (rm *roleManager) GetUsers(name string, domain ...string) ([]string, error) {
	region, err := oneDomain(domain)
	if err != nil {
		return nil, err
	}
	out := []string{}
	for from, to := range rm.links {
		for _, n := range to {
			if n.to == name && Covers(n.region, region) {
				out = append(out, from)
				break
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// GetImplicitRoles lists every name name reaches in a region, nearest first.
func (rm *roleManager) GetImplicitRoles(name string, domain ...string) ([]string, error) {
	region, err := oneDomain(domain)
	if err != nil {
		return nil, err
	}
	return walk(name, maxHierarchy, func(n string) []string { return rm.usable(n, region) }), nil
}

// GetImplicitUsers lists every name that reaches name in a region, nearest
// first.
func (rm *roleManager) GetImplicitUsers(name string, domain ...string) ([]string, error) {
	if _, err := oneDomain(domain); err != nil {
		return nil, err
	}
	return walk(name, maxHierarchy, func(n string) []string {
		users, _ := rm.GetUsers(n, domain...)
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

// GetDomains lists the regions name holds links in.
func (rm *roleManager) GetDomains(name string) ([]string, error) {
	var out []string
	for _, n := range rm.links[name] {
		if !slices.Contains(out, n.region) {
			out = append(out, n.region)
		}
	}
	sort.Strings(out)
	return out, nil
}

// GetAllDomains lists every region a link is held in.
func (rm *roleManager) GetAllDomains() ([]string, error) {
	seen := map[string]bool{}
	out := []string{}
	for _, to := range rm.links {
		for _, n := range to {
			if !seen[n.region] {
				seen[n.region] = true
				out = append(out, n.region)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// DeleteDomain removes every link held in a region.
func (rm *roleManager) DeleteDomain(region string) error {
	for name, to := range rm.links {
		kept := make([]link, 0, len(to))
		for _, n := range to {
			if n.region != region {
				kept = append(kept, n)
			}
		}
		if len(kept) == 0 {
			delete(rm.links, name)
		} else if len(kept) != len(to) {
			rm.links[name] = kept
		}
	}
	return nil
}

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

// AddDomainMatchingFunc is not supported: regions are matched by Covers.
func (rm *roleManager) AddDomainMatchingFunc(name string, _ casbinrbac.MatchingFunc) {
	panic(fmt.Sprintf("rbac: role manager: domain matching function %q not supported", name))
}
