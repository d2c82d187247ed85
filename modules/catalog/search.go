package catalog

import (
	"context"
	"net/url"
	"strings"
)

// ListFilter narrows the staff catalog list: a search over codes and names
// and filters a clerk combines; the page keeps them in its URL, so a
// filtered list can be bookmarked, shared and reloaded.
type ListFilter struct {
	Q         string // part of the code, the implementing code (实施编码) or the name
	Category  string // information | power | service
	PowerType string // XK, CF …
	Status    string // draft | published | not_applicable
	// Unpublished keeps items with a saved version newer than the published one.
	Unpublished bool
}

// ParseListFilter reads a filter from query values; unknown values of the
// choice filters are dropped rather than matching nothing unexplained.
func ParseListFilter(get func(string) string) ListFilter {
	f := ListFilter{Q: strings.TrimSpace(get("q")), Category: get("category"), PowerType: get("power_type"),
		Status: get("status"), Unpublished: get("changes") == "1"}
	if CategoryTitle(f.Category) == f.Category {
		f.Category = ""
	}
	if PowerTypeTitle(f.PowerType) == f.PowerType {
		f.PowerType = ""
	}
	if statusTitle(f.Status) == f.Status {
		f.Status = ""
	}
	if len([]rune(f.Q)) > 100 {
		f.Q = string([]rune(f.Q)[:100])
	}
	return f
}

// Active tells whether the filter narrows anything.
func (f ListFilter) Active() bool {
	return f.Q != "" || f.Category != "" || f.PowerType != "" || f.Status != "" || f.Unpublished
}

// Query is the filter as URL query values (for links that keep it).
func (f ListFilter) Query() string {
	v := url.Values{}
	for k, s := range map[string]string{"q": f.Q, "category": f.Category, "power_type": f.PowerType, "status": f.Status} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if f.Unpublished {
		v.Set("changes", "1")
	}
	return v.Encode()
}

// Match tells whether an item (with its latest content) passes the filter.
// The search ignores case and the width of Latin letters a clerk may type.
func (f ListFilter) Match(it ItemView) bool {
	if f.Category != "" && it.Category != f.Category {
		return false
	}
	if f.PowerType != "" && it.PowerType != f.PowerType {
		return false
	}
	if f.Status != "" && it.Status != f.Status {
		return false
	}
	if f.Unpublished && !it.HasUnpublishedChanges {
		return false
	}
	if f.Q == "" {
		return true
	}
	q := fold(f.Q)
	for _, s := range []string{it.Code, it.ItemCode, it.Name} {
		if s != "" && strings.Contains(fold(s), q) {
			return true
		}
	}
	return false
}

// fold lowercases and turns full-width ASCII (ＸＫ－２７４) into half-width.
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 0xFF01 && r <= 0xFF5E {
			r -= 0xFEE0
		}
		if r == 0x3000 {
			r = ' '
		}
		return r
	}, strings.ToLower(s))
}

// ListLatest returns a county's items with their latest content, filtered.
func (s *Service) ListLatest(ctx context.Context, county string, f ListFilter) ([]ItemView, int, error) {
	items, err := s.store.Items(ctx, county)
	if err != nil {
		return nil, 0, err
	}
	out := []ItemView{}
	for _, it := range items {
		// What the item page shows: an item never saved shows (and is
		// found by) its province's template.
		v, err := s.shown(ctx, it)
		if err != nil {
			return nil, 0, err
		}
		if f.Match(v) {
			out = append(out, v)
		}
	}
	return out, len(items), nil
}
