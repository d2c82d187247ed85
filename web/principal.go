package web

import (
	"context"
	"sort"

	"github.com/gofiber/fiber/v2"

	"safetypilot/rbac"
)

// Principal is the signed-in user of a request.
type Principal struct {
	UserID             int64
	Username           string
	DisplayName        string
	HomeRegion         string
	MustChangePassword bool
	// MustEnrollTOTP: the user must use two factors and has not enrolled yet.
	MustEnrollTOTP bool
	Roles          []rbac.Assignment
	CSRFToken      string
	// ViaCookie is true for browser sessions, which must prove CSRF tokens.
	ViaCookie bool
}

// Regions lists the distinct regions the user holds roles in, for the region switcher.
func (p *Principal) Regions() []string {
	seen := map[string]bool{}
	var out []string
	for _, a := range p.Roles {
		if !seen[a.Region] {
			seen[a.Region] = true
			out = append(out, a.Region)
		}
	}
	sort.Strings(out)
	return out
}

// HasRole reports whether the user holds role in exactly region.
func (p *Principal) HasRole(role, region string) bool {
	for _, a := range p.Roles {
		if a.Role == role && a.Region == region {
			return true
		}
	}
	return false
}

// RolesCovering lists the roles the user holds in region or a region above it.
func (p *Principal) RolesCovering(region string) []string {
	var out []string
	for _, a := range p.Roles {
		if rbac.Covers(a.Region, region) {
			out = append(out, a.Role)
		}
	}
	return out
}

// Sessions resolves a session token (bearer or cookie) to its user; it returns
// nil, nil when the token is unknown or expired.
type Sessions interface {
	Resolve(ctx context.Context, token string) (*Principal, error)
}

const principalKey = "principal"

// CurrentUser returns the signed-in user, or nil on a public request.
func CurrentUser(c *fiber.Ctx) *Principal {
	p, _ := c.Locals(principalKey).(*Principal)
	return p
}
