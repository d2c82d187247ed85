package cases

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/calendar"
	"safetypilot/modules/catalog"
	"safetypilot/modules/db"
	"safetypilot/modules/db/dbtest"
	"safetypilot/tenants"
)

// countsToday is the fixture's today: Monday 2026-11-16, 10:00 in Beijing
// (the next working day is 11-17).
var countsToday = time.Date(2026, 11, 16, 2, 0, 0, 0, time.UTC)

var (
	clerk    = Actor{ID: 11, Username: "clerk", CanHandle: true}
	approver = Actor{ID: 12, Username: "reviewer", CanHandle: true, CanApprove: true, CanExtend: true}
)

// countsFixture is the case service on a migrated database with one pilot
// county whose items 274 (a permit, with a delivery step outside the limit)
// and 281 (a filing) are published, approved and provisioned as the
// service does it.
type countsFixture struct {
	t   *testing.T
	d   *db.DB
	svc *Service
}

func newCountsFixture(t *testing.T, dialect db.Dialect) *countsFixture {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t, dialect)
	migrateSeeded(t, d)
	cal := loadCalendar(t, d)
	by := tenants.Actor{ID: 1, Username: "admin"}
	ten := tenants.NewService(d, catalog.Provisioner())
	if _, err := ten.Recommend(ctx, by, "34", tenants.Recommendation{Code: county, EgovReadiness: "已接入省级统一电子政务平台",
		Recommendation: "基础较好"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ten.Approve(ctx, by, "34", county); err != nil {
		t.Fatal(err)
	}
	cat := catalog.NewService(d)
	// Each step is complete, as publishing asks: post, authority, procedure and limit.
	parts := map[string][3]string{
		"受理": {"受理窗口", "对申请材料是否齐全、是否符合法定形式进行审查", "收到申请材料后当场核对，材料齐全的出具受理通知书"},
		"审查": {"业务科室审查岗", "审查申请事项是否符合法定条件", "书面审查申请材料，必要时现场核查，提出审查意见"},
		"决定": {"分管局长", "作出准予或者不予许可、备案的决定", "审核审查意见后签发决定，不予许可的书面说明理由"},
		"送达": {"受理窗口", "向申请人送达决定文书", "通知申请人领取或者邮寄送达，制作送达回证"},
	}
	step := func(name string, days int, excluded bool) catalog.Step {
		p := parts[name]
		return catalog.Step{Name: name, Post: p[0], Authority: p[1], Procedure: p[2], LimitWorkdays: days, ExcludedFromLimit: excluded}
	}
	for _, it := range []struct {
		code, powerType          string
		statutory, promised, ext int
		steps                    []catalog.Step
	}{
		{"274", "XK", 20, 13, 10, []catalog.Step{step("受理", 1, false), step("审查", 9, false), step("决定", 3, false), step("送达", 10, true)}},
		{"281", "QT", 20, 10, 0, []catalog.Step{step("受理", 1, false), step("审查", 6, false), step("决定", 3, false)}},
	} {
		content := catalog.Content{Summary: "事项", PowerType: it.powerType, ItemCode: it.powerType + "-" + it.code,
			ImplementingBody: "县级应急管理部门", LegalBasis: "《安全生产法》", Conditions: "符合法定条件",
			Materials: []catalog.Material{{Name: "申请书", Copies: 1}}, Fees: "不收费", StatutoryLimitWorkdays: it.statutory,
			PromisedLimitWorkdays: it.promised, ExtensionWorkdays: it.ext, Consultation: "12345", Complaint: "12345",
			Steps: it.steps, InventoryStatus: "kept"}
		if _, err := cat.Save(ctx, county, it.code, 1, catalog.SaveInput{Content: content}); err != nil {
			t.Fatalf("save %s: %v", it.code, err)
		}
		if _, err := cat.Publish(ctx, county, it.code, 1); err != nil {
			t.Fatalf("publish %s: %v", it.code, err)
		}
	}
	svc := NewService(d, cal, cat, nil)
	svc.Now = func() time.Time { return countsToday }
	return &countsFixture{t: t, d: d, svc: svc}
}

// create opens a case of item, received on the day given (paper) or today ("").
func (f *countsFixture) create(item, received string) int64 {
	f.t.Helper()
	det, err := f.svc.Create(context.Background(), county, clerk, ChannelCounter, NewCase{ItemCode: item, ReceivedOn: received,
		Applicant: Applicant{Name: "某某化工有限公司", CreditCode: "91350100M000100Y43", Phone: "13800000000"}})
	if err != nil {
		f.t.Fatalf("create %s received %q: %v", item, received, err)
	}
	return det.ID
}

func (f *countsFixture) act(id int64, by Actor, in ActionInput) {
	f.t.Helper()
	if _, err := f.svc.Act(context.Background(), county, id, by, in); err != nil {
		f.t.Fatalf("case %d: %s: %v", id, in.Action, err)
	}
}

// count is a row of case_counts, or of the cases grouped the same way.
type count struct {
	County string `db:"county_code"`
	Item   string `db:"item_code"`
	Status string `db:"status"`
	N      int    `db:"n"`
}

// checkCounts fails the test unless case_counts holds exactly the cases
// (rows a status was emptied of stay, at zero).
func (f *countsFixture) checkCounts() []count {
	f.t.Helper()
	var counted, grouped []count
	if err := f.d.Select(&counted, `SELECT county_code, item_code, status, n FROM case_counts WHERE n <> 0
		ORDER BY county_code, item_code, status`); err != nil {
		f.t.Fatal(err)
	}
	if err := f.d.Select(&grouped, `SELECT county_code, item_code, status, COUNT(*) AS n FROM cases
		GROUP BY county_code, item_code, status ORDER BY county_code, item_code, status`); err != nil {
		f.t.Fatal(err)
	}
	if !reflect.DeepEqual(counted, grouped) {
		f.t.Errorf("case_counts\n%v\nis not the cases grouped\n%v", counted, grouped)
	}
	return counted
}

func (f *countsFixture) countRows(q string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.d.Get(&n, q, args...); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	return n
}

// checkTotals compares the list's total with a direct count for each filter,
// and checks which filters are summed from case_counts.
func (f *countsFixture) checkTotals(min map[string]int) {
	f.t.Helper()
	today, next := "2026-11-16", "2026-11-17"
	for _, tc := range []struct {
		name   string
		county string
		filter Filter
		where  string
		args   []any
	}{
		{"all", county, Filter{}, "", nil},
		{"accepted", county, Filter{Status: StatusAccepted}, "status = ?", []any{StatusAccepted}},
		{"delivered", county, Filter{Status: StatusDelivered}, "status = ?", []any{StatusDelivered}},
		{"item 274", county, Filter{ItemCode: "274"}, "item_code = ?", []any{"274"}},
		{"item 281 returned", county, Filter{ItemCode: "281", Status: StatusReturned}, "item_code = ? AND status = ?", []any{"281", StatusReturned}},
		{"item 274 withdrawn", county, Filter{ItemCode: "274", Status: StatusWithdrawn}, "item_code = ? AND status = ?", []any{"274", StatusWithdrawn}},
		{"open", county, Filter{Open: true}, "status IN (?, ?, ?, ?)", []any{StatusSubmitted, StatusAccepted, StatusInReview, StatusReturned}},
		{"open of 274", county, Filter{Open: true, ItemCode: "274"}, "status IN (?, ?, ?, ?) AND item_code = ?",
			[]any{StatusSubmitted, StatusAccepted, StatusInReview, StatusReturned, "274"}},
		{"red", county, Filter{Warning: WarningRed}, "clock_running = ? AND promised_deadline < ?", []any{true, today}},
		{"yellow", county, Filter{Warning: WarningYellow},
			"clock_running = ? AND promised_deadline >= ? AND promised_deadline <= ?", []any{true, today, next}},
		{"overdue of 281", county, Filter{Overdue: true, ItemCode: "281"}, "item_code = ? AND clock_running = ? AND promised_deadline < ?",
			[]any{"281", true, today}},
		{"another county", "340103", Filter{}, "", nil},
	} {
		tc.filter.Page, tc.filter.PerPage = 1, 5
		_, total, err := f.svc.List(context.Background(), tc.county, tc.filter)
		if err != nil {
			f.t.Fatalf("%s: list: %v", tc.name, err)
		}
		q := `SELECT COUNT(*) FROM cases WHERE county_code = ?`
		if tc.where != "" {
			q += " AND " + tc.where
		}
		want := f.countRows(q, append([]any{tc.county}, tc.args...)...)
		if total != want {
			f.t.Errorf("%s: list total %d, cases counted %d", tc.name, total, want)
		}
		if want < min[tc.name] {
			f.t.Errorf("%s: only %d cases match, the fixture needs at least %d", tc.name, want, min[tc.name])
		}
		summed := strings.Contains(ListSQL(f.d.Dialect, tc.county, tc.filter, today, next).Count, "case_counts")
		if wantSummed := tc.filter.Warning == "" && !tc.filter.Overdue; summed != wantSummed {
			f.t.Errorf("%s: total summed from case_counts %v, want %v", tc.name, summed, wantSummed)
		}
	}
}

// TestCaseCountsFollowActions runs a working office's actions through the
// service and checks after each stage that case_counts holds exactly the
// cases, and that the list's totals are the cases' counts.
func TestCaseCountsFollowActions(t *testing.T) {
	dbtest.ForEachDialect(t, func(t *testing.T, dialect db.Dialect) {
		f := newCountsFixture(t, dialect)
		// Paper cases received on every working day of the last five weeks
		// (some now overdue, a few due today or tomorrow), and today's.
		var ids []int64
		for d := countsToday.AddDate(0, 0, -35); d.Before(countsToday); d = d.AddDate(0, 0, 1) {
			if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
				continue
			}
			item := "281"
			if len(ids)%3 == 0 {
				item = "274"
			}
			ids = append(ids, f.create(item, calendar.FormatDate(d)))
		}
		for i := 0; i < 4; i++ {
			ids = append(ids, f.create([]string{"274", "281"}[i%2], ""))
		}
		f.checkCounts()
		if len(ids) < 25 {
			t.Fatalf("only %d cases", len(ids))
		}

		// Accepted by the clerk, or by the approver (who then may not extend).
		for i, id := range ids[:22] {
			by := clerk
			if i%5 == 0 {
				by = approver
			}
			f.act(id, by, ActionInput{Action: ActionAccept})
		}
		f.act(ids[22], clerk, ActionInput{Action: ActionNotAccept, Reason: "不属于本机关职权范围"})
		f.act(ids[23], clerk, ActionInput{Action: ActionWithdraw, Reason: "申请人撤回"})
		f.checkCounts()

		for _, id := range ids[:8] {
			f.act(id, clerk, ActionInput{Action: ActionAdvance})
		}
		f.act(ids[8], clerk, ActionInput{Action: ActionPause, Kind: "补正", Reason: "材料不齐全"})
		f.act(ids[9], clerk, ActionInput{Action: ActionPause, Kind: "补正", Reason: "材料不齐全"})
		f.act(ids[10], clerk, ActionInput{Action: ActionPause, Kind: "专家评审", Reason: "需专家评审", ExpectedEnd: "2026-11-27"})
		f.act(ids[11], clerk, ActionInput{Action: ActionPause, Kind: "补正", Reason: "材料不齐全"})
		// A recent licence case (274): 第四十二条's extension is granted before
		// the statutory deadline passes, which the older ones' has.
		f.act(ids[21], approver, ActionInput{Action: ActionExtend, Reason: "情况复杂"})
		f.checkCounts()

		f.act(ids[9], clerk, ActionInput{Action: ActionResume})
		f.act(ids[10], clerk, ActionInput{Action: ActionResume})
		f.act(ids[11], clerk, ActionInput{Action: ActionWithdraw, Reason: "申请人撤回"})
		for _, id := range ids[:4] {
			f.act(id, approver, ActionInput{Action: ActionApprove})
		}
		f.act(ids[4], approver, ActionInput{Action: ActionDeny, Reason: "不符合法定条件"})
		f.act(ids[5], approver, ActionInput{Action: ActionApprove})
		f.act(ids[6], approver, ActionInput{Action: ActionDeny, Reason: "不符合法定条件"})
		for _, id := range ids[:3] {
			f.act(id, clerk, ActionInput{Action: ActionDeliver})
		}
		f.act(ids[4], clerk, ActionInput{Action: ActionDeliver})
		// Recounting the deadlines (as after a calendar change) keeps the statuses.
		if _, err := f.svc.RecomputeOpen(context.Background()); err != nil {
			t.Fatal(err)
		}
		counted := f.checkCounts()
		statuses := map[string]bool{}
		for _, c := range counted {
			statuses[c.Status] = true
		}
		for _, s := range Statuses {
			if !statuses[s] {
				t.Errorf("no case ends %s: the sequence should reach every status", s)
			}
		}
		f.checkTotals(map[string]int{"all": len(ids), "accepted": 5, "delivered": 3, "item 274": 5, "item 281 returned": 1,
			"item 274 withdrawn": 0, "red": 3, "yellow": 1, "overdue of 281": 1})
		f.checkPages()
	})
}

// checkPages compares every list the filters can make (with MySQL's index
// hints, see listIndex) with the same cases selected and ordered without
// hints: the same ids in the same order, and no hint naming a missing index.
func (f *countsFixture) checkPages() {
	f.t.Helper()
	today, next := "2026-11-16", "2026-11-17"
	hinted := 0
	for _, status := range []string{"", StatusAccepted, "open"} {
		for _, item := range []string{"", "274"} {
			for _, warning := range []string{"", WarningRed, WarningYellow, "overdue"} {
				for _, sort := range []string{"", "received"} {
					filter := Filter{Status: status, ItemCode: item, Sort: sort, Page: 1, PerPage: 100}
					where, args := "county_code = ?", []any{county}
					if status == "open" {
						filter.Status, filter.Open = "", true
						where, args = where+" AND status IN (?, ?, ?, ?)", append(args, StatusSubmitted, StatusAccepted, StatusInReview, StatusReturned)
					} else if status != "" {
						where, args = where+" AND status = ?", append(args, status)
					}
					if item != "" {
						where, args = where+" AND item_code = ?", append(args, item)
					}
					switch warning {
					case WarningRed, "overdue":
						filter.Warning, filter.Overdue = warning, warning == "overdue"
						if filter.Overdue {
							filter.Warning = ""
						}
						where, args = where+" AND clock_running = ? AND promised_deadline < ?", append(args, true, today)
					case WarningYellow:
						filter.Warning = warning
						where, args = where+" AND clock_running = ? AND promised_deadline >= ? AND promised_deadline <= ?",
							append(args, true, today, next)
					}
					order := "promised_deadline, id"
					if sort == "received" {
						order = "received_on DESC, id DESC"
					}
					var want []int64
					if err := f.d.Select(&want, `SELECT id FROM cases WHERE `+where+` ORDER BY `+order, args...); err != nil {
						f.t.Fatal(err)
					}
					if listIndex(filter) != "" {
						hinted++
					}
					page, total, err := f.svc.List(context.Background(), county, filter)
					if err != nil {
						f.t.Fatalf("%+v: list: %v", filter, err)
					}
					var got []int64
					for _, c := range page {
						got = append(got, c.ID)
					}
					if !slices.Equal(got, want) || total != len(want) {
						f.t.Errorf("%+v: list %v (total %d), want %v", filter, got, total, want)
					}
				}
			}
		}
	}
	if hinted < 5 {
		f.t.Errorf("only %d of the filters use an index hint", hinted)
	}
}

// TestCaseCountsUnchangedByRefusals checks that actions the service refuses
// (and a transaction that fails after writing a case) change no count.
func TestCaseCountsUnchangedByRefusals(t *testing.T) {
	dbtest.ForEachDialect(t, func(t *testing.T, dialect db.Dialect) {
		ctx := context.Background()
		f := newCountsFixture(t, dialect)
		submitted := f.create("274", "")
		accepted := f.create("274", "")
		f.act(accepted, approver, ActionInput{Action: ActionAccept})
		returned := f.create("281", "")
		f.act(returned, clerk, ActionInput{Action: ActionAccept})
		f.act(returned, clerk, ActionInput{Action: ActionPause, Kind: "补正", Reason: "材料不齐全"})
		before := f.checkCounts()
		if len(before) != 3 {
			t.Fatalf("counts %v, want three statuses", before)
		}

		for _, tc := range []struct {
			name   string
			id     int64
			by     Actor
			in     ActionInput
			status int
		}{
			{"deliver before a decision", submitted, clerk, ActionInput{Action: ActionDeliver}, http.StatusConflict},
			{"not accepted without a reason", submitted, clerk, ActionInput{Action: ActionNotAccept}, http.StatusBadRequest},
			{"accepted by someone who may not handle", submitted, Actor{ID: 13, CanApprove: true}, ActionInput{Action: ActionAccept}, http.StatusForbidden},
			{"denied without a reason", accepted, approver, ActionInput{Action: ActionDeny}, http.StatusBadRequest},
			{"extended by its handler", accepted, approver, ActionInput{Action: ActionExtend, Reason: "复杂"}, http.StatusForbidden},
			{"approved while returned", returned, approver, ActionInput{Action: ActionApprove}, http.StatusConflict},
			{"paused without a kind", accepted, clerk, ActionInput{Action: ActionPause, Reason: "x"}, http.StatusBadRequest},
		} {
			_, err := f.svc.Act(ctx, county, tc.id, tc.by, tc.in)
			if e, ok := apperr.As(err); !ok || e.Status != tc.status {
				t.Errorf("%s: %v, want %d", tc.name, err, tc.status)
			}
			if got := f.checkCounts(); !reflect.DeepEqual(got, before) {
				t.Errorf("%s: counts %v, were %v", tc.name, got, before)
			}
		}
		if _, err := f.svc.Create(ctx, county, clerk, ChannelCounter, NewCase{ItemCode: "1",
			Applicant: Applicant{Name: "某公司", CreditCode: "91350100M000100Y43"}}); err == nil {
			t.Error("a case of an information item was opened")
		}
		if got := f.checkCounts(); !reflect.DeepEqual(got, before) {
			t.Errorf("refused create: counts %v, were %v", got, before)
		}

		// The counts are written in the case's transaction: when it fails
		// after the write, they roll back with the case.
		failed := errors.New("later step failed")
		err := f.d.InTx(ctx, func(tx *sqlx.Tx) error {
			c, err := f.svc.store.lock(ctx, tx, county, accepted)
			if err != nil {
				return err
			}
			c.Status = StatusWithdrawn
			if err := f.svc.store.update(ctx, tx, &c); err != nil {
				return err
			}
			c2 := c
			c2.TrackingNo, c2.Status = c.TrackingNo+"X", StatusSubmitted
			if err := f.svc.store.insert(ctx, tx, &c2); err != nil {
				return err
			}
			return failed
		})
		if !errors.Is(err, failed) {
			t.Fatalf("transaction: %v", err)
		}
		if got := f.checkCounts(); !reflect.DeepEqual(got, before) {
			t.Errorf("rolled-back write: counts %v, were %v", got, before)
		}
	})
}

// TestCaseCountsConcurrent moves cases of one county and item between
// accepted and returned in both directions at once (each transaction moves
// one case between the same two count rows), while new cases of another
// item are opened (whose first count row is inserted concurrently). No action
// may fail, a deadlock included, and the counts must be exact.
func TestCaseCountsConcurrent(t *testing.T) {
	dbtest.RequireMySQL(t)
	f := newCountsFixture(t, db.MySQL)
	ctx := context.Background()
	const cases, rounds, creators = 24, 6, 6
	ids := make([]int64, cases)
	for i := range ids {
		ids[i] = f.create("281", "")
		f.act(ids[i], clerk, ActionInput{Action: ActionAccept})
		if i%2 == 1 {
			f.act(ids[i], clerk, ActionInput{Action: ActionPause, Kind: "补正", Reason: "材料不齐全"})
		}
	}
	f.checkCounts()

	start := make(chan struct{})
	errs := make(chan error, cases*rounds+creators*rounds)
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func(returned bool, id int64) {
			defer wg.Done()
			<-start
			for r := 0; r < rounds; r++ {
				in := ActionInput{Action: ActionPause, Kind: "补正", Reason: "材料不齐全"}
				if returned {
					in = ActionInput{Action: ActionResume}
				}
				if _, err := f.svc.Act(ctx, county, id, clerk, in); err != nil {
					errs <- fmt.Errorf("case %d round %d %s: %w", id, r, in.Action, err)
					return
				}
				returned = !returned
			}
		}(i%2 == 1, id)
	}
	for i := 0; i < creators; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for r := 0; r < rounds; r++ {
				if _, err := f.svc.Create(ctx, county, clerk, ChannelCounter, NewCase{ItemCode: "274",
					Applicant: Applicant{Name: "某某烟花爆竹经营部", CreditCode: "91350100M000100Y43"}}); err != nil {
					errs <- fmt.Errorf("create: %w", err)
					return
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		var me *mysql.MySQLError
		if errors.As(err, &me) && me.Number == 1213 {
			t.Errorf("deadlock: %v", err)
		} else {
			t.Error(err)
		}
	}
	f.checkCounts()
	// Each case made an even number of moves: back where it started.
	if got := f.countRows(`SELECT n FROM case_counts WHERE county_code = ? AND item_code = '281' AND status = ?`, county, StatusReturned); got != cases/2 {
		t.Errorf("%d cases returned, want %d", got, cases/2)
	}
	if got := f.countRows(`SELECT n FROM case_counts WHERE county_code = ? AND item_code = '274' AND status = ?`, county, StatusSubmitted); got != creators*rounds {
		t.Errorf("%d cases of 274 submitted, want %d", got, creators*rounds)
	}
	f.checkTotals(nil)
}

// TestRecount checks that Recount repairs counts that drifted (rows lost,
// wrong, or of cases that do not exist) and keeps counting afterwards.
func TestRecount(t *testing.T) {
	dbtest.ForEachDialect(t, func(t *testing.T, dialect db.Dialect) {
		f := newCountsFixture(t, dialect)
		var ids []int64
		for i := 0; i < 6; i++ {
			ids = append(ids, f.create([]string{"274", "281"}[i%2], ""))
		}
		f.act(ids[0], clerk, ActionInput{Action: ActionAccept})
		f.act(ids[1], clerk, ActionInput{Action: ActionAccept})
		grouped := f.checkCounts()
		for _, q := range []string{
			`DELETE FROM case_counts WHERE item_code = '274' AND status = 'accepted'`,
			`UPDATE case_counts SET n = n + 5 WHERE item_code = '281'`,
			`INSERT INTO case_counts (county_code, item_code, status, n) VALUES ('340199', '274', 'accepted', 3)`,
		} {
			if _, err := f.d.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		n, err := Recount(context.Background(), f.d)
		if err != nil {
			t.Fatal(err)
		}
		if n != len(grouped) {
			t.Errorf("Recount wrote %d rows, want %d", n, len(grouped))
		}
		f.checkCounts()
		if got := f.countRows(`SELECT COUNT(*) FROM case_counts WHERE county_code = '340199'`); got != 0 {
			t.Errorf("a count of no cases survived the recount")
		}
		f.act(ids[2], clerk, ActionInput{Action: ActionAccept})
		f.create("281", "")
		f.checkCounts()
	})
}
