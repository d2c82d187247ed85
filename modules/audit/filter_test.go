package audit_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"safetypilot/modules/audit"
	"safetypilot/modules/db/dbtest"
	"safetypilot/web"
)

// TestListFiltered: each filter narrows the list and the export alike, on
// both engines; LIKE wildcards in the action filter are taken literally.
func TestListFiltered(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			d := openAuditDB(t, dialect)
			s := audit.NewStore(d)
			add := func(user, region, action, outcome string) {
				t.Helper()
				if err := s.Record(ctx, web.AuditEntry{Username: user, Region: region, Action: action, Object: "/x",
					Outcome: outcome, IP: "10.0.0.1"}); err != nil {
					t.Fatal(err)
				}
			}
			add("alice", "340102", "POST /api/v1/session", "success")
			add("alice", "340102", "POST /api/v1/counties/:county/users/:id/totp/reset", "denied")
			add("bob", "340103", "POST /api/v1/session", "rejected")
			add("bob", "350102", "POST /login", "success")
			add("carol", "340102", "POST /api/v1/x_y", "success")
			now := time.Now().UTC()
			cases := []struct {
				name string
				f    audit.Filter
				want int
			}{
				// The five, and the national entries that opened the three counties' chains.
				{"everything", audit.Filter{Scope: "*"}, 8},
				{"chain openings", audit.Filter{Scope: "*", Action: audit.ChainOpenAction}, 3},
				{"province scope", audit.Filter{Scope: "34"}, 4},
				{"user", audit.Filter{Scope: "*", Username: "bob"}, 2},
				{"action part", audit.Filter{Scope: "*", Action: "totp/reset"}, 1},
				{"underscore is literal", audit.Filter{Scope: "*", Action: "x_y"}, 1},
				{"percent is literal", audit.Filter{Scope: "*", Action: "%"}, 0},
				{"outcome", audit.Filter{Scope: "*", Outcome: "denied"}, 1},
				{"combined", audit.Filter{Scope: "34", Username: "alice", Outcome: "success"}, 1},
				{"time range around now", audit.Filter{Scope: "*", From: now.Add(-time.Hour), Until: now.Add(time.Hour)}, 8},
				{"time range in the past", audit.Filter{Scope: "*", Until: now.Add(-time.Hour)}, 0},
				{"time range in the future", audit.Filter{Scope: "*", From: now.Add(time.Hour)}, 0},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					list, total, err := s.ListFiltered(ctx, tc.f, 1, 100)
					if err != nil {
						t.Fatal(err)
					}
					if total != tc.want || len(list) != tc.want {
						t.Fatalf("total %d, %d items, want %d", total, len(list), tc.want)
					}
					var buf bytes.Buffer
					if err := s.ExportFiltered(ctx, &buf, tc.f); err != nil {
						t.Fatal(err)
					}
					if lines := strings.Count(buf.String(), "\n") - 1; lines != tc.want {
						t.Fatalf("export has %d rows, want %d", lines, tc.want)
					}
				})
			}
		})
	}
}

// TestScopeFollowsCovers: an audit administrator of Xinjiang (65) does not
// see the entries of the XPCC's cities (6590xx, under 66), the XPCC's does;
// an empty scope sees nothing.
func TestScopeFollowsCovers(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			s := audit.NewStore(openAuditDB(t, dialect))
			for _, region := range []string{"650102", "659001", "66", "65"} {
				if err := s.Record(ctx, web.AuditEntry{Username: "u" + region, Region: region, Action: "POST /x", Object: "/x",
					Outcome: "success", IP: "10.0.0.1"}); err != nil {
					t.Fatal(err)
				}
			}
			for scope, want := range map[string][]string{
				"65": {"u65", "u650102"}, "66": {"u659001", "u66"}, "659001": {"u659001"}, "": nil, "6": nil,
			} {
				list, total, err := s.ListFiltered(ctx, audit.Filter{Scope: scope}, 1, 50)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, e := range list {
					got = append(got, e.Username)
				}
				if total != len(want) || strings.Join(slices.Sorted(slices.Values(got)), ",") != strings.Join(want, ",") {
					t.Errorf("scope %q sees %v (total %d), want %v", scope, got, total, want)
				}
			}
		})
	}
}
