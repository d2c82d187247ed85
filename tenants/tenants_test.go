package tenants_test

import (
	"context"
	"encoding/csv"
	"errors"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
	"safetypilot/modules/db/dbtest"
	"safetypilot/modules/seeds"
	"safetypilot/tenants"
)

func newTenantsMigrator(t *testing.T, d *db.DB) *db.Migrator {
	t.Helper()
	m, err := db.NewMigrator(d, seeds.All()...)
	if err != nil {
		t.Fatalf("migrator: %v", err)
	}
	return m
}

// openTenantsDB returns a fresh, fully migrated database of the dialect, owned by t.
func openTenantsDB(t *testing.T, dialect db.Dialect) *db.DB {
	t.Helper()
	d := dbtest.Open(t, dialect)
	if _, err := newTenantsMigrator(t, d).Up(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return d
}

// eachDialect runs f in a parallel subtest per dialect, each on its own database.
func eachDialect(t *testing.T, f func(t *testing.T, d *db.DB)) {
	t.Helper()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			f(t, openTenantsDB(t, dialect))
		})
	}
}

func wantAppErr(t *testing.T, err error, status int, code string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("error = %v, want apperr %d %s", err, status, code)
	}
	if e.Status != status || e.Code != code {
		t.Fatalf("error = %d %s (%s), want %d %s", e.Status, e.Code, e.Message, status, code)
	}
}

func count(t *testing.T, d *db.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.Get(&n, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// csvDataRows counts the rows after the header of a reference file.
func csvDataRows(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	if len(rows) < 2 {
		t.Fatalf("%s has no data rows", path)
	}
	return rows[1:]
}

var (
	provinceAdmin = tenants.Actor{ID: 20, Username: "anhui_admin"}
	nationalAdmin = tenants.Actor{ID: 1, Username: "admin"}
)

func TestMigration(t *testing.T) {
	t.Parallel()
	provinceRows := csvDataRows(t, "data/province-codes.csv")
	divisionRows := csvDataRows(t, "data/county-codes.csv")
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			d := dbtest.Open(t, dialect)
			m := newTenantsMigrator(t, d)
			if cur, err := m.Current(ctx); err != nil || cur {
				t.Fatalf("Current on an empty database = %v, %v; want false", cur, err)
			}
			n, err := m.Up(ctx)
			if err != nil {
				t.Fatalf("up: %v", err)
			}
			if n < 16 { // at least the SQL files up to 14 and the two seeds
				t.Errorf("first Up applied %d migrations, want at least 16", n)
			}
			if cur, err := m.Current(ctx); err != nil || !cur {
				t.Errorf("Current after Up = %v, %v; want true", cur, err)
			}
			if n, err := m.Up(ctx); err != nil || n != 0 {
				t.Errorf("second Up = %d, %v; want 0 applied", n, err)
			}
			// A second migrator (another replica starting later) finds nothing to do.
			if n, err := newTenantsMigrator(t, d).Up(ctx); err != nil || n != 0 {
				t.Errorf("Up of a second migrator = %d, %v; want 0 applied", n, err)
			}

			svc := tenants.NewService(d)
			provinces, err := svc.Provinces(ctx)
			if err != nil {
				t.Fatalf("provinces: %v", err)
			}
			if len(provinces) != 32 || len(provinceRows) != 31 {
				t.Errorf("seeded %d provinces from %d rows, want 32 from 31 (plus the XPCC)", len(provinces), len(provinceRows))
			}
			seeded := map[string]string{}
			for _, p := range provinces {
				seeded[p.Code] = p.Name
			}
			for _, row := range provinceRows {
				if seeded[row[0]] != row[1] {
					t.Errorf("province %s = %q, want %q", row[0], seeded[row[0]], row[1])
				}
			}
			if p, err := svc.Province(ctx, tenants.XPCC); err != nil || p.Name != "新疆生产建设兵团" {
				t.Errorf("province 66 = %+v, %v; want 新疆生产建设兵团", p, err)
			}
			if _, err := svc.Province(ctx, "99"); !errors.Is(err, apperr.ErrNotFound) {
				t.Errorf("province 99 = %v, want not found", err)
			}

			if got := count(t, d, `SELECT COUNT(*) FROM divisions`); got != len(divisionRows) {
				t.Errorf("divisions = %d, want %d (data rows of county-codes.csv)", got, len(divisionRows))
			}
			var div struct {
				Name     string `db:"name"`
				City     string `db:"city_code"`
				Province string `db:"province_code"`
			}
			if err := d.Get(&div, `SELECT name, city_code, province_code FROM divisions WHERE code = ?`, "340102"); err != nil {
				t.Fatalf("division 340102: %v", err)
			}
			if div.Name != "瑶海区" || div.City != "3401" || div.Province != "34" {
				t.Errorf("division 340102 = %+v", div)
			}
			if got := count(t, d, `SELECT COUNT(*) FROM basic_catalog`); got == 0 {
				t.Errorf("the basic catalog seed left basic_catalog empty")
			}
		})
	}
}

func TestValidateCountyCode(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, province, code string
		wantName             string // "" means the code is refused
	}{
		{"county of Anhui", "34", "340102", "瑶海区"},
		{"another county of Anhui", "34", "340103", "庐阳区"},
		{"XPCC accepts its city", "66", "659001", "石河子市"},
		{"XPCC accepts 659012", "66", "659012", "白杨市"},
		{"Xinjiang rejects an XPCC city", "65", "659001", ""},
		{"XPCC rejects a county of Xinjiang", "66", "650102", ""},
		{"five digits", "34", "34010", ""},
		{"seven digits", "34", "3401021", ""},
		{"letters", "34", "34010a", ""},
		{"empty", "34", "", ""},
		{"full-width digits", "34", "３４０１０２", ""},
		{"city-level code ending in 00", "34", "340100", ""},
		{"province-level code ending in 00", "34", "340000", ""},
		{"county of another province", "34", "350102", ""},
		{"unknown division inside the province", "34", "349999", ""},
	}
	eachDialect(t, func(t *testing.T, d *db.DB) {
		svc := tenants.NewService(d)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				name, err := svc.ValidateCountyCode(context.Background(), tc.province, tc.code)
				if tc.wantName != "" {
					if err != nil || name != tc.wantName {
						t.Fatalf("ValidateCountyCode(%q, %q) = %q, %v; want %q", tc.province, tc.code, name, err, tc.wantName)
					}
					return
				}
				wantAppErr(t, err, http.StatusBadRequest, "invalid_input")
				if e, _ := apperr.As(err); e.Fields["code"] == "" {
					t.Errorf("error does not name the code field: %+v", e)
				}
			})
		}
	})
}

func recommend(t *testing.T, svc *tenants.Service, province, code string) tenants.County {
	t.Helper()
	c, err := svc.Recommend(context.Background(), provinceAdmin, province, tenants.Recommendation{
		Code: code, EgovReadiness: "电子政务外网已通", Recommendation: "基础较好",
	})
	if err != nil {
		t.Fatalf("recommend %s: %v", code, err)
	}
	return c
}

func TestRecommend(t *testing.T) {
	t.Parallel()
	long := make([]rune, 65)
	for i := range long {
		long[i] = '县'
	}
	cases := []struct {
		name     string
		province string
		in       tenants.Recommendation
		wantName string
		status   int
		code     string
	}{
		{name: "official name by default", province: "34",
			in: tenants.Recommendation{Code: "340102"}, wantName: "瑶海区"},
		{name: "own name and trimmed code", province: "34",
			in: tenants.Recommendation{Code: " 340103 ", Name: " 庐阳区（试点） "}, wantName: "庐阳区（试点）"},
		{name: "XPCC city", province: "66",
			in: tenants.Recommendation{Code: "659001"}, wantName: "石河子市"},
		{name: "unknown province", province: "99",
			in: tenants.Recommendation{Code: "990102"}, status: http.StatusNotFound, code: "not_found"},
		{name: "code outside the province", province: "34",
			in: tenants.Recommendation{Code: "350102"}, status: http.StatusBadRequest, code: "invalid_input"},
		{name: "name too long", province: "34",
			in: tenants.Recommendation{Code: "340104", Name: string(long)}, status: http.StatusBadRequest, code: "invalid_input"},
	}
	eachDialect(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc := tenants.NewService(d)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				c, err := svc.Recommend(ctx, provinceAdmin, tc.province, tc.in)
				if tc.status != 0 {
					wantAppErr(t, err, tc.status, tc.code)
					if n := count(t, d, `SELECT COUNT(*) FROM counties WHERE code = ?`, tc.in.Code); n != 0 {
						t.Errorf("a refused recommendation stored %d counties", n)
					}
					return
				}
				if err != nil {
					t.Fatalf("recommend: %v", err)
				}
				if c.Status != tenants.StatusRecommended || c.Name != tc.wantName || c.ProvinceCode != tc.province {
					t.Errorf("recommended county = %+v", c)
				}
				stored, err := svc.County(ctx, c.Code)
				if err != nil {
					t.Fatalf("county: %v", err)
				}
				if stored.Status != tenants.StatusRecommended || stored.Name != tc.wantName ||
					stored.EgovReadiness != tc.in.EgovReadiness || !stored.CreatedAt.Equal(c.CreatedAt) {
					t.Errorf("stored county = %+v, returned %+v", stored, c)
				}
				events, err := svc.Events(ctx, c.Code)
				if err != nil {
					t.Fatalf("events: %v", err)
				}
				if len(events) != 1 || events[0].Status != tenants.StatusRecommended ||
					events[0].ActorID != provinceAdmin.ID || events[0].ActorName != provinceAdmin.Username {
					t.Errorf("events = %+v, want one recommended event by %+v", events, provinceAdmin)
				}
			})
		}

		t.Run("duplicate", func(t *testing.T) {
			_, err := svc.Recommend(ctx, nationalAdmin, "34", tenants.Recommendation{Code: "340102", Name: "另一个名字"})
			wantAppErr(t, err, http.StatusConflict, "duplicate")
			if c, _ := svc.County(ctx, "340102"); c.Name != "瑶海区" {
				t.Errorf("the duplicate overwrote the county: %+v", c)
			}
			if events, _ := svc.Events(ctx, "340102"); len(events) != 1 {
				t.Errorf("the duplicate added an event: %+v", events)
			}
		})

		t.Run("counties of a province", func(t *testing.T) {
			list, err := svc.Counties(ctx, "34")
			if err != nil {
				t.Fatalf("counties: %v", err)
			}
			if len(list) != 2 || list[0].Code != "340102" || list[1].Code != "340103" {
				t.Errorf("counties of 34 = %+v", list)
			}
		})
	})
}

var errProvision = errors.New("provisioning failed")

// markerProvisioner writes a row inside the approval transaction and checks it
// sees the county already active there.
func markerProvisioner(order *[]string) tenants.Provisioner {
	return func(ctx context.Context, tx *sqlx.Tx, c tenants.County, by tenants.Actor) (map[string]any, error) {
		*order = append(*order, "marker")
		var status string
		if err := tx.GetContext(ctx, &status, `SELECT status FROM counties WHERE code = ?`, c.Code); err != nil {
			return nil, err
		}
		if status != tenants.StatusActive || c.Status != tenants.StatusActive {
			return nil, errors.New("provisioner ran outside the approval: status " + status)
		}
		now := db.Now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO catalog_items (county_code, code, category, name, status, sort_order, created_at, updated_at)
			VALUES (?, 'TEST-1', 'information', ?, 'draft', 1, ?, ?)`, c.Code, "由"+by.Username+"开通", now, now); err != nil {
			return nil, err
		}
		return map[string]any{"marker": c.Code}, nil
	}
}

func secondProvisioner(order *[]string) tenants.Provisioner {
	return func(context.Context, *sqlx.Tx, tenants.County, tenants.Actor) (map[string]any, error) {
		*order = append(*order, "second")
		return map[string]any{"second": true}, nil
	}
}

func failingProvisioner(order *[]string) tenants.Provisioner {
	return func(context.Context, *sqlx.Tx, tenants.County, tenants.Actor) (map[string]any, error) {
		*order = append(*order, "failing")
		return nil, errProvision
	}
}

func TestApprove(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var order []string
		failing := tenants.NewService(d, markerProvisioner(&order), failingProvisioner(&order))
		working := tenants.NewService(d, markerProvisioner(&order), secondProvisioner(&order))
		recommend(t, working, "34", "340102")
		recommend(t, working, "34", "340103")
		markers := func(code string) int {
			return count(t, d, `SELECT COUNT(*) FROM catalog_items WHERE county_code = ?`, code)
		}

		t.Run("a failing provisioner rolls everything back", func(t *testing.T) {
			order = nil
			_, _, err := failing.Approve(ctx, provinceAdmin, "34", "340102")
			if !errors.Is(err, errProvision) {
				t.Fatalf("approve = %v, want the provisioner's error", err)
			}
			if want := []string{"marker", "failing"}; len(order) != 2 || order[0] != want[0] || order[1] != want[1] {
				t.Errorf("provisioners ran %v, want %v", order, want)
			}
			c, err := working.County(ctx, "340102")
			if err != nil || c.Status != tenants.StatusRecommended {
				t.Errorf("county after failed approval = %+v, %v; want still recommended", c, err)
			}
			events, _ := working.Events(ctx, "340102")
			if len(events) != 1 || events[0].Status != tenants.StatusRecommended {
				t.Errorf("events after failed approval = %+v, want only the recommendation", events)
			}
			if n := markers("340102"); n != 0 {
				t.Errorf("the first provisioner's row survived the rollback (%d rows)", n)
			}
		})

		t.Run("approval runs the provisioners in the transaction", func(t *testing.T) {
			order = nil
			c, result, err := working.Approve(ctx, provinceAdmin, "34", "340102")
			if err != nil {
				t.Fatalf("approve: %v", err)
			}
			if c.Status != tenants.StatusActive {
				t.Errorf("approved county = %+v", c)
			}
			if len(order) != 2 || order[0] != "marker" || order[1] != "second" {
				t.Errorf("provisioners ran %v, want [marker second]", order)
			}
			if result["marker"] != "340102" || result["second"] != true || len(result) != 2 {
				t.Errorf("result = %v, want both provisioners' output", result)
			}
			stored, _ := working.County(ctx, "340102")
			if stored.Status != tenants.StatusActive {
				t.Errorf("stored county = %+v, want active", stored)
			}
			events, _ := working.Events(ctx, "340102")
			if len(events) != 2 || events[1].Status != tenants.StatusActive || events[1].ActorID != provinceAdmin.ID {
				t.Errorf("events = %+v, want recommended then active", events)
			}
			if n := markers("340102"); n != 1 {
				t.Errorf("provisioner rows = %d, want 1", n)
			}
		})

		refusals := []struct {
			name, province, code string
			status               int
			errCode              string
		}{
			{"approving an active county", "34", "340102", http.StatusConflict, "invalid_transition"},
			{"approving an unknown county", "34", "340104", http.StatusNotFound, "not_found"},
			{"approving from the wrong province", "35", "340103", http.StatusNotFound, "not_found"},
		}
		for _, tc := range refusals {
			t.Run(tc.name, func(t *testing.T) {
				order = nil
				before, _ := working.Events(ctx, tc.code)
				_, _, err := working.Approve(ctx, provinceAdmin, tc.province, tc.code)
				wantAppErr(t, err, tc.status, tc.errCode)
				if len(order) != 0 {
					t.Errorf("provisioners ran on a refused approval: %v", order)
				}
				if after, _ := working.Events(ctx, tc.code); len(after) != len(before) {
					t.Errorf("a refused approval added events: %+v", after)
				}
			})
		}
		if c, _ := working.County(ctx, "340103"); c.Status != tenants.StatusRecommended {
			t.Errorf("county 340103 changed by refused approvals: %+v", c)
		}
	})
}

func TestDecline(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var order []string
		svc := tenants.NewService(d, markerProvisioner(&order))
		recommend(t, svc, "34", "340102")
		recommend(t, svc, "34", "340103")
		if _, _, err := svc.Approve(ctx, provinceAdmin, "34", "340103"); err != nil {
			t.Fatalf("approve 340103: %v", err)
		}

		t.Run("declining a recommendation", func(t *testing.T) {
			c, err := svc.Decline(ctx, provinceAdmin, "34", "340102", "电子政务基础不足")
			if err != nil {
				t.Fatalf("decline: %v", err)
			}
			if c.Status != tenants.StatusDeclined {
				t.Errorf("declined county = %+v", c)
			}
			stored, _ := svc.County(ctx, "340102")
			if stored.Status != tenants.StatusDeclined {
				t.Errorf("stored county = %+v, want declined", stored)
			}
			events, _ := svc.Events(ctx, "340102")
			if len(events) != 2 || events[1].Status != tenants.StatusDeclined || events[1].Note != "电子政务基础不足" {
				t.Errorf("events = %+v, want recommended then declined with the note", events)
			}
		})

		refusals := []struct {
			name, province, code string
			status               int
			errCode              string
			approve              bool
		}{
			{"declining twice", "34", "340102", http.StatusConflict, "invalid_transition", false},
			{"approving a declined county", "34", "340102", http.StatusConflict, "invalid_transition", true},
			{"declining an active county", "34", "340103", http.StatusConflict, "invalid_transition", false},
			{"declining an unknown county", "34", "340104", http.StatusNotFound, "not_found", false},
			{"declining from the wrong province", "35", "340102", http.StatusNotFound, "not_found", false},
		}
		for _, tc := range refusals {
			t.Run(tc.name, func(t *testing.T) {
				before, _ := svc.County(ctx, tc.code)
				beforeEvents, _ := svc.Events(ctx, tc.code)
				var err error
				if tc.approve {
					_, _, err = svc.Approve(ctx, provinceAdmin, tc.province, tc.code)
				} else {
					_, err = svc.Decline(ctx, provinceAdmin, tc.province, tc.code, "")
				}
				wantAppErr(t, err, tc.status, tc.errCode)
				after, _ := svc.County(ctx, tc.code)
				afterEvents, _ := svc.Events(ctx, tc.code)
				if after.Status != before.Status || len(afterEvents) != len(beforeEvents) {
					t.Errorf("a refused step changed the county: %+v → %+v, %d → %d events",
						before, after, len(beforeEvents), len(afterEvents))
				}
			})
		}
	})
}

// TestDeclineDuringApproval races a decline against an approval that is still
// provisioning: the approval holds the county's row, and the decline, which
// read the county as recommended before the approval committed, must not turn
// the now active county into a declined one.
func TestDeclineDuringApproval(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		declined := make(chan error, 1)
		var svc *tenants.Service
		racer := func(ctx context.Context, tx *sqlx.Tx, c tenants.County, by tenants.Actor) (map[string]any, error) {
			go func() {
				_, err := svc.Decline(ctx, nationalAdmin, "34", c.Code, "同时不予批准")
				declined <- err
			}()
			// Give the decline time to read the county and wait for its row.
			time.Sleep(300 * time.Millisecond)
			return nil, nil
		}
		svc = tenants.NewService(d, racer)
		recommend(t, svc, "34", "340102")
		if _, _, err := svc.Approve(ctx, provinceAdmin, "34", "340102"); err != nil {
			t.Fatalf("approve: %v", err)
		}
		wantAppErr(t, <-declined, http.StatusConflict, "invalid_transition")
		c, err := svc.County(ctx, "340102")
		if err != nil || c.Status != tenants.StatusActive {
			t.Errorf("county = %+v, %v; want active", c, err)
		}
		events, _ := svc.Events(ctx, "340102")
		if len(events) != 2 || events[1].Status != tenants.StatusActive {
			t.Errorf("events = %+v, want recommended then active", events)
		}
	})
}
