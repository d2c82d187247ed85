package reports

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"testing"
	"time"

	"safetypilot/modules/calendar"
	"safetypilot/modules/catalog"
	"safetypilot/modules/db"
	"safetypilot/modules/db/dbtest"
	"safetypilot/modules/seeds"
	"safetypilot/tenants"
)

// openReportsDB returns a fresh, fully migrated database of the dialect with
// the shipped calendars, owned by t.
func openReportsDB(t *testing.T, dialect db.Dialect) *db.DB {
	t.Helper()
	d := dbtest.Open(t, dialect)
	m, err := db.NewMigrator(d, seeds.All()...)
	if err != nil {
		t.Fatalf("migrator: %v", err)
	}
	if _, err := m.Up(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return d
}

// seed writes rows for a test, failing it on the first error.
type seed struct {
	t    *testing.T
	d    *db.DB
	next int64
}

func (s *seed) exec(query string, args ...any) {
	s.t.Helper()
	if _, err := s.d.ExecContext(context.Background(), query, args...); err != nil {
		s.t.Fatalf("%s: %v", query, err)
	}
}

// at is an instant on a Beijing day, in UTC as stored.
func at(date string, hour int) time.Time {
	d, err := calendar.ParseDate(date)
	if err != nil {
		panic(err)
	}
	return d.Add(time.Duration(hour-8) * time.Hour)
}

func (s *seed) county(code, name, status string) {
	now := at("2025-01-02", 9)
	s.exec(`INSERT INTO counties (code, province_code, name, status, egov_readiness, recommendation, created_at, updated_at)
		VALUES (?, ?, ?, ?, '', '', ?, ?)`, code, code[:2], name, status, now, now)
}

func (s *seed) item(county, code, category string, created time.Time) {
	s.exec(`INSERT INTO catalog_items (county_code, code, category, name, status, sort_order, created_at, updated_at)
		VALUES (?, ?, ?, ?, 'active', 0, ?, ?)`, county, code, category, "事项"+code, created, created)
}

func (s *seed) version(county, code string, version int, content string, published *time.Time) {
	s.exec(`INSERT INTO catalog_versions (county_code, code, version, name, content, updated_by, updated_at, published_by, published_at)
		VALUES (?, ?, ?, ?, ?, 1, ?, 1, ?)`, county, code, version, "事项"+code, content, at("2025-01-02", 9), published)
}

func (s *seed) record(county string, published time.Time, onTime *bool) {
	s.exec(`INSERT INTO disclosure_records (county_code, title, category, body, formed_on, attribute, withheld_reason, status,
		author_id, author_name, first_reviewer_id, publish_deadline, deadline_provisional, overdue_flagged, redactions,
		published_title, published_body, submitted_at, approved_at, published_at, published_by, published_on_time, created_at, updated_at)
		VALUES (?, '通知', 'notice', '正文', '2025-03-01', 'public', '', 'published', 1, '张三', 2, '2025-03-20', ?, ?, '',
		'通知', '正文', ?, ?, ?, 3, ?, ?, ?)`,
		county, false, false, published, published, published, onTime, published, published)
}

func (s *seed) review(county string, stage int, decision string, submitted, decided time.Time) {
	s.exec(`INSERT INTO disclosure_reviews (record_id, county_code, stage, reviewer_id, reviewer_name, decision, opinion, findings,
		redactions, submitted_at, decided_at) VALUES (1, ?, ?, 2, '李四', ?, '', '', '', ?, ?)`, county, stage, decision, submitted, decided)
}

func (s *seed) request(county, received string, answered *string, outcome string, onTime *bool) {
	s.next++
	s.exec(`INSERT INTO info_requests (county_code, tracking_no, requester_name, requester_contact, description, preferred_form,
		received_on, deadline, deadline_provisional, extended, extension_reason, extension_approved_by, status, outcome,
		outcome_reason, answer, answered_on, answered_by, on_time, warning, created_at, updated_at)
		VALUES (?, ?, '王五', '13800000000', '申请', 'paper', ?, '2025-12-31', ?, ?, '', 0, 'open', ?, '', '', ?, 0, ?, '', ?, ?)`,
		county, fmt.Sprintf("YS%06d", s.next), received, false, false, outcome, answered, onTime, at(received, 9), at(received, 9))
}

// kase is one case row; nil dates are not reached yet.
type kase struct {
	county, item, itemName, received, status, promised string
	decided, completed                                 *string
	onTime                                             *bool
}

func (s *seed) kase(c kase) int64 {
	s.next++
	res, err := s.d.ExecContext(context.Background(), `INSERT INTO cases (county_code, tracking_no, item_code, item_version,
		item_name, channel, applicant_name, applicant_credit_code, applicant_contact, applicant_phone, received_on, status,
		statutory_days, promised_days, extension_days, extension_allowed, extended, deadline, promised_deadline, provisional,
		clock_running, warning, current_step, handler_id, decision, reason, decided_on, completed_on, on_time, created_by,
		created_at, updated_at) VALUES (?, ?, ?, 1, ?, 'window', '某公司', '91340100MA2N000000', '赵六', '13900000000', ?, ?,
		20, 10, 0, 0, ?, ?, ?, ?, ?, '', 0, 1, '', '', ?, ?, ?, 1, ?, ?)`,
		c.county, fmt.Sprintf("SL%06d", s.next), c.item, c.itemName, c.received, c.status, false, c.promised, c.promised,
		false, c.decided == nil, c.decided, c.completed, c.onTime, at(c.received, 9), at(c.received, 9))
	if err != nil {
		s.t.Fatalf("insert case: %v", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		s.t.Fatal(err)
	}
	return id
}

func (s *seed) event(caseID int64, county, kind string, when time.Time) {
	s.exec(`INSERT INTO case_events (case_id, county_code, kind, from_status, to_status, actor_id, actor_name, note, at)
		VALUES (?, ?, ?, '', '', 0, '系统', '', ?)`, caseID, county, kind, when)
}

func ptr[T any](v T) *T { return &v }

// seedProvince fills each county with its own amounts of everything a report
// counts (county i has about i of each), plus rows just outside March 2025.
func seedProvince(s *seed, counties []string) {
	for i, code := range counties {
		n := i + 1
		// Catalog: n+1 items as of the period's end, one created after it.
		for k := 0; k <= n; k++ {
			category := catalog.CategoryPower
			if k == 0 {
				category = catalog.CategoryInformation
			}
			s.item(code, fmt.Sprintf("I%02d", k), category, at("2025-02-01", 9))
		}
		s.item(code, "LATE", catalog.CategoryPower, at("2025-04-01", 9))
		// Published versions: item k has k steps' worth of content; item 1's
		// second version is published after the period, so version 1 counts.
		for k := 1; k <= n; k++ {
			content := fmt.Sprintf(`{"power_type":%q,"inventory_status":"kept","steps":[{"name":"受理","post":"受理窗口","authority":"对申请材料是否齐全、是否符合法定形式进行审查","procedure":"收到申请材料后当场核对，材料齐全的出具受理通知书","limit_workdays":1}],"discretion":%s}`,
				catalog.PowerTypes[(i+k)%3].Code, []string{`[]`, `[{}]`, `[{},{}]`}[k%3])
			s.version(code, fmt.Sprintf("I%02d", k), 1, content, ptr(at("2025-02-10", 9)))
		}
		s.version(code, "I01", 2, `{"power_type":"QT","inventory_status":"cancelled","discretion":[{},{},{},{}]}`, ptr(at("2025-04-02", 9)))
		s.version(code, "LATE", 1, `{"power_type":"QT","inventory_status":"kept"}`, ptr(at("2025-04-02", 9)))

		// Disclosure: n published in March (on time, late, unknown in turn),
		// one the day before; n reviews of n·7 minutes, the second rejected.
		for k := 0; k < n; k++ {
			s.record(code, at("2025-03-10", 10+k), []*bool{ptr(true), ptr(false), nil}[k%3])
			decision := "approve"
			if k == 1 {
				decision = "reject"
			}
			submitted := at("2025-03-05", 9)
			s.review(code, 1+k%2, decision, submitted, submitted.Add(time.Duration(n*7+k)*time.Minute))
		}
		s.record(code, at("2025-02-28", 23), ptr(true)) // the evening before the period
		s.review(code, 0, "submit", at("2025-03-05", 9), at("2025-03-05", 10))

		// Requests: n+1 received in March, n answered with rotating outcomes.
		for k := 0; k <= n; k++ {
			var answered *string
			if k < n {
				answered = ptr(fmt.Sprintf("2025-03-%02d", 20+k))
			}
			s.request(code, fmt.Sprintf("2025-03-%02d", 3+k), answered, []string{"disclosed", "not_disclosed", "unable"}[(i+k)%3],
				[]*bool{ptr(true), ptr(false)}[k%2])
		}

		// Cases: 2n received in March and decided in it, over two items
		// named after the county; one delivered in February; one open and
		// past its promise; one decided after the period but overdue at its end.
		for k := 0; k < 2*n; k++ {
			received := fmt.Sprintf("2025-03-%02d", 3+k)
			decided := fmt.Sprintf("2025-03-%02d", 3+k+2+(k*n)%7)
			item := []string{"274", "281"}[k%2]
			id := s.kase(kase{county: code, item: item, itemName: fmt.Sprintf("%s事项%s", code, item), received: received,
				status: "delivered", promised: "2025-03-20", decided: &decided, completed: &decided, onTime: ptr(k%3 != 0)})
			if k < n {
				s.event(id, code, []string{"flag_yellow", "flag_red"}[k%2], at(received, 12))
				// Step lights are not the case's warnings.
				s.event(id, code, []string{"step_flag_yellow", "step_flag_red"}[k%2], at(received, 11))
			}
			s.event(id, code, "deliver", at(decided, 15))
		}
		s.kase(kase{county: code, item: "274", itemName: "二月事项", received: "2025-02-03", status: "delivered",
			promised: "2025-02-20", decided: ptr("2025-02-10"), completed: ptr("2025-02-12"), onTime: ptr(true)})
		for k := 0; k < n%3; k++ {
			id := s.kase(kase{county: code, item: "281", itemName: "未办结", received: "2025-03-02", status: "accepted",
				promised: "2025-03-14"})
			s.event(id, code, "flag_red", at("2025-03-17", 9))
			s.event(id, code, "flag_red", at("2025-04-01", 9)) // April
		}
		s.kase(kase{county: code, item: "274", itemName: "四月办结", received: "2025-03-25", status: "delivered",
			promised: "2025-03-28", decided: ptr("2025-04-03"), completed: ptr("2025-04-03"), onTime: ptr(false)})
	}
}

// TestProvinceMatchesCounties: a province compiled in one pass gives each
// county exactly the figures that county gets compiled alone, on both
// engines, so batching the queries cannot mix counties up or drop one.
func TestProvinceMatchesCounties(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			d := openReportsDB(t, dialect)
			active := []string{"340102", "340103", "340104", "340111"}
			s := &seed{t: t, d: d}
			for _, code := range active {
				s.county(code, "县"+code, tenants.StatusActive)
			}
			s.county("340121", "县340121", tenants.StatusRecommended)
			seedProvince(s, append(active, "340121"))
			cal, err := calendar.NewService(ctx, d, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				t.Fatal(err)
			}
			svc := NewService(d, tenants.NewService(d), cal.Calendar())
			p := MonthPeriod(day("2025-03-15"))

			// In memory, with the raw working days and review hours.
			var refs []countyRef
			for _, code := range active {
				refs = append(refs, countyRef{Code: code, Name: "县" + code})
			}
			together, err := svc.compiler.counties(ctx, refs, p)
			if err != nil {
				t.Fatal(err)
			}
			if len(together) != len(active) {
				t.Fatalf("%d counties compiled, want %d", len(together), len(active))
			}
			for i, code := range active {
				alone, err := svc.compiler.county(ctx, code, "县"+code, p)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(together[i], alone) {
					t.Errorf("%s in the province:\n%+v\nalone:\n%+v", code, together[i], alone)
				}
				n := i + 1
				c := alone.Cases
				if alone.County != code || alone.Catalog.ItemsByCategory[catalog.CategoryPower] != n ||
					alone.Disclosure.Published != n || alone.Disclosure.Reviews != n || alone.Requests.Received != n+1 ||
					alone.Requests.Answered != n || c.Received != 2*n+n%3+1 || c.Decided != 2*n || c.Completed != 2*n ||
					c.Warnings != n+n%3 || c.OverdueAtEnd != n%3+1 {
					t.Errorf("%s: figures not the seeded ones: %+v", code, alone)
				}
				if len(c.ByItem) != min(2, 2*n) || c.ByItem[0].Name != code+"事项274" {
					t.Errorf("%s: by item %+v", code, c.ByItem)
				}
			}

			// As stored: the province's counties equal the county reports.
			pv, err := svc.CompileProvince(ctx, "34", p)
			if err != nil {
				t.Fatal(err)
			}
			if len(pv.Province.Counties) != len(active) {
				t.Fatalf("province has %d counties, want the %d active ones", len(pv.Province.Counties), len(active))
			}
			for i, code := range active {
				cv, err := svc.CompileCounty(ctx, code, p)
				if err != nil {
					t.Fatal(err)
				}
				if got := pv.Province.Counties[i]; !reflect.DeepEqual(got, *cv.County) {
					t.Errorf("%s stored in the province:\n%+v\nin its own report:\n%+v", code, got, *cv.County)
				}
			}
		})
	}
}
