package cases

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"golang.org/x/sync/errgroup"

	"safetypilot/modules/calendar"
	"safetypilot/modules/db"
	"safetypilot/modules/notices"
	"safetypilot/rbac"
)

// OverdueResult is what one pass of the overdue job did.
type OverdueResult struct {
	CasesRed    int `json:"cases_red"`
	CasesYellow int `json:"cases_yellow"`
	StepsRed    int `json:"steps_red"`
	StepsYellow int `json:"steps_yellow"`
	Notices     int `json:"notices"`
}

func (r OverdueResult) String() string {
	return fmt.Sprintf("newly overdue cases %d, due soon %d; steps overdue %d, due soon %d; notices %d",
		r.CasesRed, r.CasesYellow, r.StepsRed, r.StepsYellow, r.Notices)
}

// flagBatch bounds each query of the pass and each of its transactions.
const flagBatch = 1000

type flagCandidate struct {
	ID       int64  `db:"id"`
	County   string `db:"county_code"`
	Tracking string `db:"tracking_no"`
	ItemName string `db:"item_name"`
	Handler  int64  `db:"handler_id"`
	Deadline string `db:"deadline_on"`
	Seq      int    `db:"seq"`
	StepName string `db:"step_name"`
}

// The candidate queries of the pass: keyset-paged range scans on
// cases(clock_running, warning, promised_deadline) and
// case_steps(active, warning, due_on). %s is the comparison with the bound.
const (
	caseCandidatesSQL = `SELECT id, county_code, tracking_no, item_name, handler_id, promised_deadline AS deadline_on, 0 AS seq, '' AS step_name
		FROM cases WHERE clock_running = ? AND warning = ? AND promised_deadline %s ? AND (promised_deadline > ? OR (promised_deadline = ? AND id > ?))
		ORDER BY promised_deadline, id LIMIT ?`
	stepCandidatesSQL = `SELECT c.id, c.county_code, c.tracking_no, c.item_name, c.handler_id, s.due_on AS deadline_on, s.seq, s.name AS step_name
		FROM case_steps s JOIN cases c ON c.id = s.case_id
		WHERE s.active = ? AND s.warning = ? AND s.due_on %s ? AND c.clock_running = ? AND (s.due_on > ? OR (s.due_on = ? AND s.case_id > ?))
		ORDER BY s.due_on, s.case_id LIMIT ?`
)

// overduePass is one of the six scans: lights at from whose deadline
// compares (op) with bound move to to.
type overduePass struct {
	step      bool
	from, to  string
	op, bound string
	count     *int
}

func (s *Service) overduePasses(today time.Time, res *OverdueResult) []overduePass {
	todayStr := calendar.FormatDate(today)
	// Candidates for yellow are bounded by the latest next working day of any
	// province; each is then judged with its own province's calendar.
	next := calendar.FormatDate(s.clock.cal.LatestNextWorkday(today))
	return []overduePass{
		{false, WarningNone, WarningRed, "<", todayStr, &res.CasesRed},
		{false, WarningYellow, WarningRed, "<", todayStr, &res.CasesRed},
		{false, WarningNone, WarningYellow, "<=", next, &res.CasesYellow},
		{true, WarningNone, WarningRed, "<", todayStr, &res.StepsRed},
		{true, WarningYellow, WarningRed, "<", todayStr, &res.StepsRed},
		{true, WarningNone, WarningYellow, "<=", next, &res.StepsYellow},
	}
}

// eachCandidateBatch runs a pass's candidate query batch by batch.
func (s *Service) eachCandidateBatch(ctx context.Context, p overduePass, fn func([]flagCandidate) error) error {
	lastDate, lastID := "", int64(0)
	for {
		var batch []flagCandidate
		var err error
		if p.step {
			err = s.db.SelectContext(ctx, &batch, fmt.Sprintf(stepCandidatesSQL, p.op), true, p.from, p.bound, true, lastDate, lastDate, lastID, flagBatch)
		} else {
			err = s.db.SelectContext(ctx, &batch, fmt.Sprintf(caseCandidatesSQL, p.op), true, p.from, p.bound, lastDate, lastDate, lastID, flagBatch)
		}
		if err != nil {
			return fmt.Errorf("cases: overdue scan: %w", err)
		}
		if len(batch) > 0 {
			lastDate, lastID = batch[len(batch)-1].Deadline, batch[len(batch)-1].ID
			if err := fn(batch); err != nil {
				return err
			}
		}
		if len(batch) < flagBatch {
			return nil
		}
	}
}

// ScanOverdue issues the pass's candidate queries, batch by batch, and
// writes nothing: the floor a pass cannot beat, for benchmarks.
func (s *Service) ScanOverdue(ctx context.Context) (int, error) {
	var res OverdueResult
	found := 0
	for _, p := range s.overduePasses(s.today(), &res) {
		if err := s.eachCandidateBatch(ctx, p, func(b []flagCandidate) error { found += len(b); return nil }); err != nil {
			return found, err
		}
	}
	return found, nil
}

// flagWorkers is how many batches of a pass are flagged at once on MySQL:
// the database writes one batch on each core while the next is read. SQLite
// has one writer, so there the batches go one by one.
const flagWorkers = 2

// FlagOverdue raises the warning light of cases and steps that became due
// soon or overdue, once each: the stored light is the guard, so running the
// pass again (or on two replicas) changes nothing more. It reads only the
// rows that need flagging, and flags each batch in one transaction. The
// passes run in order (a case turns red before the yellow pass could see
// it), the batches of one pass side by side. The county administrators get
// the run's yellow lights as one digest per county, sent after the passes,
// also when a pass failed.
func (s *Service) FlagOverdue(ctx context.Context) (OverdueResult, error) {
	var res OverdueResult
	today := s.today()
	admins := &countyAdmins{}
	digest := &yellowDigest{}
	var err error
	for _, p := range s.overduePasses(today, &res) {
		if err = s.flagPass(ctx, p, today, admins, digest, &res); err != nil {
			break
		}
	}
	sent, digestErr := s.sendYellowDigests(ctx, digest, admins, today)
	res.Notices += sent
	return res, errors.Join(err, digestErr)
}

// flagPass runs one pass: the candidates are read batch by batch and each
// batch is flagged by one of the workers.
func (s *Service) flagPass(ctx context.Context, p overduePass, today time.Time, admins *countyAdmins, digest *yellowDigest, res *OverdueResult) error {
	workers := flagWorkers
	if s.db.Dialect == db.SQLite {
		workers = 1
	}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	batches := make(chan []flagCandidate)
	for range workers {
		g.Go(func() error {
			for due := range batches {
				flagged, notices, err := s.flag(gctx, due, p.step, p.from, p.to, admins)
				mu.Lock()
				*p.count += len(flagged)
				res.Notices += notices
				mu.Unlock()
				if p.to == WarningYellow {
					digest.add(flagged, p.step)
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
	}
	g.Go(func() error {
		defer close(batches)
		return s.eachCandidateBatch(gctx, p, func(batch []flagCandidate) error {
			due := batch[:0:0]
			for _, cand := range batch {
				// Yellow is judged with the province's own calendar.
				if p.to == WarningYellow && s.clock.Light(cand.County, mustDate(cand.Deadline), today) == WarningNone {
					continue
				}
				due = append(due, cand)
			}
			if len(due) == 0 {
				return nil
			}
			select {
			case batches <- due:
				return nil
			case <-gctx.Done():
				return gctx.Err()
			}
		})
	})
	return g.Wait()
}

// countyAdmins are the county administrators who receive the notices of a
// run of FlagOverdue, read once when the run first flags something rather
// than once per batch.
type countyAdmins struct {
	once     sync.Once
	byCounty map[string][]int64
	err      error
}

func (a *countyAdmins) get(ctx context.Context, q sqlx.QueryerContext) (map[string][]int64, error) {
	a.once.Do(func() {
		var rows []struct {
			UserID int64  `db:"user_id"`
			Region string `db:"region"`
		}
		if err := sqlx.SelectContext(ctx, q, &rows, `SELECT user_id, region FROM user_roles WHERE role = ? ORDER BY region, user_id`,
			rbac.CountyAdmin); err != nil {
			a.err = fmt.Errorf("cases: county administrators: %w", err)
			return
		}
		a.byCounty = map[string][]int64{}
		for _, r := range rows {
			a.byCounty[r.Region] = append(a.byCounty[r.Region], r.UserID)
		}
	})
	return a.byCounty, a.err
}

// flag raises the lights of a batch that are still at from, in one
// transaction, with an event per flagged case or step and a notice to the
// handler; a red light also goes to each of the county's administrators. It
// locks the batch's rows first, so rows another pass flagged meanwhile are
// skipped, not flagged twice. It returns the candidates it flagged and the
// notices written.
func (s *Service) flag(ctx context.Context, batch []flagCandidate, step bool, from, to string, countyAdmins *countyAdmins) ([]flagCandidate, int, error) {
	admins, err := countyAdmins.get(ctx, s.db)
	if err != nil {
		return nil, 0, err
	}
	var flagged []flagCandidate
	notices := 0
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		flagged, notices = nil, 0
		still, err := lockStillAt(ctx, tx, batch, step, from)
		if err != nil {
			return err
		}
		var keys []any
		for _, cand := range batch {
			if _, ok := still[candidateKey(cand, step)]; !ok {
				continue
			}
			keys = append(keys, cand.ID)
			if step {
				keys = append(keys, cand.Seq)
			}
		}
		if len(keys) == 0 {
			return nil
		}
		if step {
			_, err = tx.ExecContext(ctx, `UPDATE case_steps SET warning = ? WHERE (case_id, seq) IN (`+tuples(len(keys)/2, 2)+`)`, append([]any{to}, keys...)...)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE cases SET warning = ? WHERE id IN (`+tuples(len(keys), 1)+`)`, append([]any{to}, keys...)...)
		}
		if err != nil {
			return fmt.Errorf("cases: flag: %w", err)
		}

		now := db.Now()
		kind := "flag_" + to
		if step {
			kind = "step_flag_" + to
		}
		var events, notes multiInsert
		events.init(`INSERT INTO case_events (case_id, county_code, kind, from_status, to_status, actor_id, actor_name, note, at) VALUES `, 9)
		notes.init(insertNotices, 6)
		for _, cand := range batch {
			status, ok := still[candidateKey(cand, step)]
			if !ok {
				continue
			}
			flagged = append(flagged, cand)
			msg := flagMessage(cand, step, to)
			events.add(cand.ID, cand.County, kind, status, status, 0, "超期预警任务", msg, now)
			var recipients []int64
			if to == WarningRed {
				recipients = admins[cand.County]
			}
			if cand.Handler != 0 && !containsID(recipients, cand.Handler) {
				recipients = append(recipients[:len(recipients):len(recipients)], cand.Handler)
			}
			for _, uid := range recipients {
				notes.add(cand.County, uid, cand.ID, kind, msg, now)
				notices++
			}
		}
		if err := events.exec(ctx, tx); err != nil {
			return fmt.Errorf("cases: flag events: %w", err)
		}
		if err := notes.exec(ctx, tx); err != nil {
			return fmt.Errorf("cases: notices: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return flagged, notices, nil
}

// yellowDigest counts, per county, the yellow lights a run of FlagOverdue
// raised. The handler is told of each; the county's administrators get one
// notice per run that sums them up, rather than one per light.
type yellowDigest struct {
	mu       sync.Mutex
	byCounty map[string]yellowCount
}

type yellowCount struct{ cases, steps int }

func (d *yellowDigest) add(flagged []flagCandidate, step bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.byCounty == nil {
		d.byCounty = map[string]yellowCount{}
	}
	for _, cand := range flagged {
		n := d.byCounty[cand.County]
		if step {
			n.steps++
		} else {
			n.cases++
		}
		d.byCounty[cand.County] = n
	}
}

// sendYellowDigests writes the run's digest to each administrator of every
// county where it raised a yellow light, in one transaction, and returns the
// notices written.
func (s *Service) sendYellowDigests(ctx context.Context, digest *yellowDigest, countyAdmins *countyAdmins, today time.Time) (int, error) {
	if len(digest.byCounty) == 0 {
		return 0, nil
	}
	admins, err := countyAdmins.get(ctx, s.db)
	if err != nil {
		return 0, err
	}
	counties := make([]string, 0, len(digest.byCounty))
	for county := range digest.byCounty {
		counties = append(counties, county)
	}
	slices.Sort(counties)
	now := db.Now()
	var notes multiInsert
	notes.init(insertNotices, 6)
	sent := 0
	for _, county := range counties {
		msg := digestMessage(digest.byCounty[county], today)
		for _, uid := range admins[county] {
			notes.add(county, uid, 0, notices.KindYellowDigest, msg, now)
			sent++
		}
	}
	if err := s.db.InTx(ctx, func(tx *sqlx.Tx) error { return notes.exec(ctx, tx) }); err != nil {
		return 0, fmt.Errorf("cases: yellow digest: %w", err)
	}
	return sent, nil
}

// digestMessage is the administrators' summary of a county's new yellow lights.
func digestMessage(n yellowCount, today time.Time) string {
	var parts []string
	if n.cases > 0 {
		parts = append(parts, fmt.Sprintf("办件 %d 件", n.cases))
	}
	if n.steps > 0 {
		parts = append(parts, fmt.Sprintf("办理环节 %d 个", n.steps))
	}
	return fmt.Sprintf("超期预警汇总（%s）：新增即将到期的%s，已逐一提醒经办人。", calendar.FormatDate(today), strings.Join(parts, "、"))
}

// lockStillAt takes the write locks of a batch's rows (a no-op update: the
// row locks on InnoDB, the write lock on SQLite) and returns, for the keys
// whose light is still at from and whose case's clock still runs, the
// case's status now.
func lockStillAt(ctx context.Context, tx *sqlx.Tx, batch []flagCandidate, step bool, from string) (map[string]string, error) {
	var keys []any
	for _, cand := range batch {
		keys = append(keys, cand.ID)
		if step {
			keys = append(keys, cand.Seq)
		}
	}
	still := map[string]string{}
	if step {
		in := `(case_id, seq) IN (` + tuples(len(batch), 2) + `)`
		qualifiedIn := `(s.case_id, s.seq) IN (` + tuples(len(batch), 2) + `)`
		if _, err := tx.ExecContext(ctx, `UPDATE case_steps SET warning = warning WHERE `+in, keys...); err != nil {
			return nil, fmt.Errorf("cases: lock steps: %w", err)
		}
		var rows []struct {
			ID     int64  `db:"case_id"`
			Seq    int    `db:"seq"`
			Status string `db:"status"`
		}
		if err := tx.SelectContext(ctx, &rows, `SELECT s.case_id, s.seq, c.status FROM case_steps s JOIN cases c ON c.id = s.case_id
			WHERE s.warning = ? AND c.clock_running = ? AND `+qualifiedIn, append([]any{from, true}, keys...)...); err != nil {
			return nil, fmt.Errorf("cases: flag steps: %w", err)
		}
		for _, r := range rows {
			still[fmt.Sprintf("%d/%d", r.ID, r.Seq)] = r.Status
		}
		return still, nil
	}
	in := `id IN (` + tuples(len(batch), 1) + `)`
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET updated_at = updated_at WHERE `+in, keys...); err != nil {
		return nil, fmt.Errorf("cases: lock cases: %w", err)
	}
	var rows []struct {
		ID     int64  `db:"id"`
		Status string `db:"status"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT id, status FROM cases WHERE warning = ? AND clock_running = ? AND `+in,
		append([]any{from, true}, keys...)...); err != nil {
		return nil, fmt.Errorf("cases: flag cases: %w", err)
	}
	for _, r := range rows {
		still[fmt.Sprintf("%d/0", r.ID)] = r.Status
	}
	return still, nil
}

func candidateKey(c flagCandidate, step bool) string {
	if step {
		return fmt.Sprintf("%d/%d", c.ID, c.Seq)
	}
	return fmt.Sprintf("%d/0", c.ID)
}

// tuples is the placeholder list of n tuples of width k: "?, ?" or "(?, ?), (?, ?)".
func tuples(n, k int) string {
	one := "?"
	if k > 1 {
		one = "(" + strings.Repeat("?, ", k-1) + "?)"
	}
	return strings.Repeat(one+", ", n-1) + one
}

func flagMessage(cand flagCandidate, step bool, to string) string {
	what := "办件"
	if step {
		what = "环节“" + cand.StepName + "”"
	}
	state := "即将到期（承诺期限 " + cand.Deadline + "）"
	if to == WarningRed {
		state = "已超期（期限 " + cand.Deadline + "）"
	}
	if step && to == WarningYellow {
		state = "即将到期（环节期限 " + cand.Deadline + "）"
	}
	return fmt.Sprintf("%s %s：%s%s", cand.Tracking, cand.ItemName, what, state)
}

// insertNotices heads the multi-row inserts of the job's notices.
const insertNotices = `INSERT INTO notices (county_code, user_id, case_id, kind, message, created_at) VALUES `

// multiInsert collects rows for multi-row INSERTs of at most 200 rows each.
type multiInsert struct {
	head  string
	cols  int
	rows  int
	args  []any
	stmts []func(ctx context.Context, tx *sqlx.Tx) error
}

func (m *multiInsert) init(head string, cols int) { m.head, m.cols = head, cols }

func (m *multiInsert) add(values ...any) {
	m.args = append(m.args, values...)
	m.rows++
	if m.rows == 200 {
		m.cut()
	}
}

func (m *multiInsert) cut() {
	if m.rows == 0 {
		return
	}
	tuple := "(" + strings.Repeat("?, ", m.cols-1) + "?)"
	q := m.head + strings.Repeat(tuple+", ", m.rows-1) + tuple
	args := m.args
	m.stmts = append(m.stmts, func(ctx context.Context, tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, q, args...)
		return err
	})
	m.rows, m.args = 0, nil
}

func (m *multiInsert) exec(ctx context.Context, tx *sqlx.Tx) error {
	m.cut()
	for _, st := range m.stmts {
		if err := st(ctx, tx); err != nil {
			return err
		}
	}
	return nil
}

func containsID(list []int64, id int64) bool {
	for _, v := range list {
		if v == id {
			return true
		}
	}
	return false
}

// RecomputeOpen recounts the deadlines of every open case, as after a change
// of the working-day calendar. It returns how many deadlines moved.
func (s *Service) RecomputeOpen(ctx context.Context) (int, error) {
	today := s.today()
	moved := 0
	for after := int64(0); ; {
		batch, err := s.store.openCaseIDs(ctx, after, 500)
		if err != nil {
			return moved, err
		}
		for _, c := range batch {
			after = c.ID
			changed, err := s.recomputeOne(ctx, c.CountyCode, c.ID, today)
			if err != nil {
				return moved, err
			}
			if changed {
				moved++
			}
		}
		if len(batch) < 500 {
			return moved, nil
		}
	}
}

func (s *Service) recomputeOne(ctx context.Context, county string, id int64, today time.Time) (bool, error) {
	changed := false
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		changed = false
		c, err := s.store.lock(ctx, tx, county, id)
		if err != nil || !isOpen(c.Status) {
			return err
		}
		pauses, err := s.store.pauses(ctx, tx, county, id)
		if err != nil {
			return err
		}
		before := c.Deadline + c.PromisedDeadline + fmt.Sprint(c.Provisional)
		if err := s.recompute(&c, pauses, today); err != nil {
			return err
		}
		steps, err := s.store.steps(ctx, tx, county, id)
		if err != nil {
			return err
		}
		for _, st := range steps {
			moved, err := s.refreshStepDue(ctx, tx, county, st, pauses, today)
			if err != nil {
				return err
			}
			changed = changed || moved
		}
		if before != c.Deadline+c.PromisedDeadline+fmt.Sprint(c.Provisional) {
			changed = true
			if err := s.store.update(ctx, tx, &c); err != nil {
				return err
			}
			return s.store.insertEvent(ctx, tx, c, "recomputed", c.Status, c.Status, 0, "系统",
				"工作日历变更，期限重新计算为：法定 "+c.Deadline+"，承诺 "+c.PromisedDeadline)
		}
		return nil
	})
	return changed, err
}
