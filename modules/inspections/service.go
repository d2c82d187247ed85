package inspections

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/calendar"
	"safetypilot/modules/db"
	"safetypilot/modules/entities"
	"safetypilot/modules/notices"
	"safetypilot/rbac"
	"safetypilot/web"
)

// Service holds the rules of plans, draws, inspections and publication.
type Service struct {
	db    *db.DB
	store *Store
	cal   *calendar.Calendar
	// Now is the wall clock; tests replace it to travel in time.
	Now func() time.Time
	// NewSeed makes the seed of a draw (crypto/rand); kept replaceable only
	// so a test can show that the same seed gives the same draw.
	NewSeed func() (string, error)
	// OpenPenalty opens a penalty case from a finding; nil until the
	// penalty module is wired (the endpoint answers 503 then).
	OpenPenalty PenaltyOpener
	// PenaltyItems lists the county's published 行政处罚 items a finding may
	// open a case on, for the record page's picker; nil until wired.
	PenaltyItems func(ctx context.Context, county string) ([]PenaltyItem, error)
}

// NewService wires the rules on the shared working-day calendar.
func NewService(database *db.DB, cal *calendar.Calendar) *Service {
	return &Service{db: database, store: NewStore(database), cal: cal, Now: time.Now, NewSeed: NewSeed}
}

func (s *Service) today() time.Time { return calendar.Today(s.Now()) }

// Actor is who acts, with the permissions that change what they may do.
type Actor struct {
	ID int64
	// CanApprove: the bureau's 负责人 (plans, redraws).
	CanApprove bool
	// CanPool: the county administrator (the inspector pool, conflicts on
	// another's behalf).
	CanPool bool
	// CanRecord: an officer (inspections, their own conflicts).
	CanRecord bool
}

const maxText = 2000

// text trims v and checks it is present and not too long, into f.
func text(f map[string]string, field, v, missing string, limit int) string {
	v = strings.TrimSpace(v)
	switch {
	case v == "" && missing != "":
		f[field] = missing
	case utf8.RuneCountInString(v) > limit:
		f[field] = fmt.Sprintf("不超过%d字", limit)
	}
	return v
}

// date checks a YYYY-MM-DD date into f; empty is "请填写日期" when required.
func date(f map[string]string, field, v string, required bool) (string, time.Time) {
	v = strings.TrimSpace(v)
	if v == "" {
		if required {
			f[field] = "请填写日期"
		}
		return "", time.Time{}
	}
	d, err := calendar.ParseDate(v)
	if err != nil {
		f[field] = "日期格式应为 YYYY-MM-DD"
		return v, time.Time{}
	}
	return v, d
}

func invalid(f map[string]string) error {
	if len(f) > 0 {
		return apperr.Invalid("请检查填写的内容", f)
	}
	return nil
}

// --- Inspector pool and conflicts ---

// InspectorInput puts a county user into the pool (or changes their entry).
type InspectorInput struct {
	UserID        int64  `json:"user_id"`
	CertificateNo string `json:"certificate_no"`
	// Active defaults to true.
	Active *bool `json:"active"`
}

// Inspectors lists the county's pool with the users' names.
func (s *Service) Inspectors(ctx context.Context, county string) ([]Inspector, error) {
	return s.store.inspectors(ctx, county)
}

// SaveInspector adds a county_officer of the county to the pool with their
// enforcement certificate number, or updates their entry. A user without
// the role in the county, a missing or duplicate number, is a 400.
func (s *Service) SaveInspector(ctx context.Context, county string, by int64, in InspectorInput) (Inspector, error) {
	f := map[string]string{}
	// 32 characters, as a penalty case's investigators keep it: the number
	// is carried into the investigation of a case opened from a finding.
	cert := text(f, "certificate_no", in.CertificateNo, "请填写行政执法证件号", 32)
	if in.UserID <= 0 {
		f["user_id"] = "请选择执法人员"
	}
	active := in.Active == nil || *in.Active
	var out Inspector
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		if in.UserID > 0 {
			// A user with no role in the county is not the county's to name.
			var roles int
			if err := tx.GetContext(ctx, &roles, `SELECT COUNT(*) FROM user_roles WHERE user_id = ? AND region = ?`,
				in.UserID, county); err != nil {
				return err
			}
			if roles == 0 {
				return apperr.ErrNotFound
			}
			officers, err := rbac.UsersWithRole(ctx, tx, rbac.CountyOfficer, county)
			if err != nil {
				return err
			}
			if !containsID(officers, in.UserID) {
				f["user_id"] = "该用户不是本县执法人员（county_officer）"
			}
		}
		if err := invalid(f); err != nil {
			return err
		}
		now := db.Now()
		res, err := tx.ExecContext(ctx, `UPDATE inspectors SET certificate_no = ?, active = ?, updated_at = ?
			WHERE county_code = ? AND user_id = ?`, cert, active, now, county, in.UserID)
		if err != nil {
			return fmt.Errorf("inspections: update inspector: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO inspectors (county_code, user_id, certificate_no, active, created_by,
				created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`, county, in.UserID, cert, active, by, now, now); err != nil {
				return fmt.Errorf("inspections: insert inspector: %w", err)
			}
		}
		web.SetAuditSubject(ctx, "inspector user "+strconv.FormatInt(in.UserID, 10)+" certificate "+cert)
		out = Inspector{CountyCode: county, UserID: in.UserID, CertificateNo: cert, Active: active}
		return nil
	})
	if db.IsDuplicate(err) {
		return out, apperr.InvalidField("certificate_no", "该执法证件号已登记给本县其他执法人员")
	}
	return out, err
}

// ConflictInput declares a conflict of interest (申请回避).
type ConflictInput struct {
	InspectorID int64  `json:"inspector_id"`
	EntityID    int64  `json:"entity_id"`
	Reason      string `json:"reason"`
}

// Officer is a county user holding county_officer, for the pool form.
type Officer struct {
	ID          int64  `db:"id"`
	Username    string `db:"username"`
	DisplayName string `db:"display_name"`
}

// Officers lists the county's users holding county_officer.
func (s *Service) Officers(ctx context.Context, county string) ([]Officer, error) {
	out := []Officer{}
	err := s.db.SelectContext(ctx, &out, `SELECT u.id, u.username, u.display_name FROM users u JOIN user_roles r
		ON r.user_id = u.id WHERE r.region = ? AND r.role = ? ORDER BY u.id`, county, rbac.CountyOfficer)
	if err != nil {
		return nil, fmt.Errorf("inspections: officers: %w", err)
	}
	return out, nil
}

// Conflicts lists the county's declared conflicts.
func (s *Service) Conflicts(ctx context.Context, county string) ([]ConflictRecord, error) {
	return s.store.conflicts(ctx, county)
}

// DeclareConflict records that an inspector must not inspect an entity. An
// officer declares their own; the county administrator may record one for
// any inspector of the pool. The same pair again is a 409.
func (s *Service) DeclareConflict(ctx context.Context, county string, act Actor, in ConflictInput) (ConflictRecord, error) {
	f := map[string]string{}
	reason := text(f, "reason", in.Reason, "请写明回避理由", maxText)
	if in.InspectorID <= 0 {
		f["inspector_id"] = "请选择执法人员"
	} else if !act.CanPool && !(act.CanRecord && in.InspectorID == act.ID) {
		return ConflictRecord{}, apperr.Forbidden("forbidden", "执法人员只能为本人申报回避")
	}
	if in.EntityID <= 0 {
		f["entity_id"] = "请选择检查对象"
	}
	r := ConflictRecord{CountyCode: county, UserID: in.InspectorID, EntityID: in.EntityID, Reason: reason,
		DeclaredBy: act.ID, CreatedAt: db.Now()}
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		if in.EntityID > 0 {
			var n int
			if err := tx.GetContext(ctx, &n, `SELECT COUNT(*) FROM entities WHERE county_code = ? AND id = ?`, county, in.EntityID); err != nil {
				return err
			}
			if n == 0 {
				f["entity_id"] = "本县名录中没有该单位"
			}
		}
		if in.InspectorID > 0 {
			var n int
			if err := tx.GetContext(ctx, &n, `SELECT COUNT(*) FROM inspectors WHERE county_code = ? AND user_id = ?`,
				county, in.InspectorID); err != nil {
				return err
			}
			if n == 0 {
				f["inspector_id"] = "该用户不在本县执法检查人员名录库中"
			}
		}
		if err := invalid(f); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO inspection_conflicts (county_code, user_id, entity_id, reason, declared_by,
			created_at) VALUES (?, ?, ?, ?, ?, ?)`, county, r.UserID, r.EntityID, r.Reason, r.DeclaredBy, r.CreatedAt)
		if err != nil {
			return err
		}
		r.ID, _ = res.LastInsertId()
		web.SetAuditSubject(ctx, fmt.Sprintf("conflict inspector %d entity %d", r.UserID, r.EntityID))
		return nil
	})
	if db.IsDuplicate(err) {
		return r, apperr.Conflict("conflict_declared", "该执法人员已申报与该单位回避")
	}
	return r, err
}

// --- Plans ---

// Plans lists the county's plans, latest period first.
func (s *Service) Plans(ctx context.Context, county string) ([]Plan, error) {
	return s.store.plans(ctx, county)
}

// Plan reads one of the county's plans.
func (s *Service) Plan(ctx context.Context, county string, id int64) (Plan, error) {
	return s.store.plan(ctx, s.db, county, id)
}

// codes checks a list of codes against their titles, into f.
func codes(f map[string]string, field string, list []string, title func(string) string, what string) string {
	seen := map[string]bool{}
	var out []string
	for _, c := range list {
		c = strings.TrimSpace(c)
		if c == "" || seen[c] {
			continue
		}
		if title(c) == "" {
			f[field] = "未知的" + what + "：" + c
			continue
		}
		seen[c] = true
		out = append(out, c)
	}
	return strings.Join(out, ",")
}

// CreatePlan stores a draft plan; bad fields are a 400 naming each.
func (s *Service) CreatePlan(ctx context.Context, county string, by int64, in PlanInput) (Plan, error) {
	f := map[string]string{}
	name := text(f, "name", in.Name, "请填写计划名称", 200)
	start, ds := date(f, "period_start", in.PeriodStart, true)
	end, de := date(f, "period_end", in.PeriodEnd, true)
	if !ds.IsZero() && !de.IsZero() && de.Before(ds) {
		f["period_end"] = "结束日期不能早于开始日期"
	}
	p := Plan{CountyCode: county, Name: name, PeriodStart: start, PeriodEnd: end,
		IndustriesCSV: codes(f, "industries", in.Industries, entities.IndustryTitle, "行业"),
		RiskGradesCSV: codes(f, "risk_grades", in.RiskGrades, entities.RiskGradeTitle, "风险等级"),
		EntityCount:   in.EntityCount, InspectorsPerEntity: in.InspectorsPerEntity, Status: PlanDraft, CreatedBy: by}
	if in.EntityCount < 1 || in.EntityCount > 10000 {
		f["entity_count"] = "抽取对象数量应为1至10000"
	}
	if in.InspectorsPerEntity < 2 || in.InspectorsPerEntity > 20 {
		f["inspectors_per_entity"] = "每个检查对象至少随机选派2名执法人员（至多20名）"
	}
	if err := invalid(f); err != nil {
		return Plan{}, err
	}
	p.CreatedAt, p.UpdatedAt = db.Now(), db.Now()
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.store.insertPlan(ctx, tx, &p); err != nil {
			return err
		}
		web.SetAuditSubject(ctx, "inspection plan "+strconv.FormatInt(p.ID, 10))
		return nil
	})
	return p, err
}

// ApprovePlan is the 负责人's approval; only a draft can be approved.
func (s *Service) ApprovePlan(ctx context.Context, county string, id int64, act Actor) (Plan, error) {
	if !act.CanApprove {
		return Plan{}, apperr.ErrForbidden
	}
	var p Plan
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if p, err = s.store.lockPlan(ctx, tx, county, id); err != nil {
			return err
		}
		if p.Status != PlanDraft {
			return apperr.Conflict("plan_approved", "该计划已批准")
		}
		p.Status, p.ApprovedBy, p.ApprovedOn, p.UpdatedAt = PlanApproved, act.ID, calendar.FormatDate(s.today()), db.Now()
		res, err := tx.ExecContext(ctx, `UPDATE inspection_plans SET status = ?, approved_by = ?, approved_on = ?, updated_at = ?
			WHERE county_code = ? AND id = ? AND status = ?`, p.Status, p.ApprovedBy, p.ApprovedOn, p.UpdatedAt, county, id, PlanDraft)
		if err != nil {
			return fmt.Errorf("inspections: approve: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.Conflict("plan_approved", "该计划已批准")
		}
		web.SetAuditSubject(ctx, "inspection plan "+strconv.FormatInt(id, 10)+" approved")
		return nil
	})
	return p, err
}

// Industries and RiskGrades of a plan as lists.
func (p Plan) Industries() []string { return splitCSV(p.IndustriesCSV) }

// RiskGrades of a plan as a list.
func (p Plan) RiskGrades() []string { return splitCSV(p.RiskGradesCSV) }

func splitCSV(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// --- Draws ---

// DrawRequest asks for the draw of a plan; a second one must be a redraw
// with its reason, by the 负责人.
type DrawRequest struct {
	Redraw bool   `json:"redraw"`
	Reason string `json:"reason"`
}

// DrawView is a draw with its pools and result decoded.
type DrawView struct {
	Draw
	EntityPool    []int64      `json:"entity_pool"`
	InspectorPool []int64      `json:"inspector_pool"`
	Conflicts     []Conflict   `json:"conflicts"`
	Result        []Assignment `json:"result"`
}

func viewOf(d Draw) (DrawView, error) {
	v := DrawView{Draw: d}
	var err error
	if v.EntityPool, err = splitIDs(d.EntityPoolCSV); err != nil {
		return v, err
	}
	if v.InspectorPool, err = splitIDs(d.InspectorPoolCSV); err != nil {
		return v, err
	}
	if v.Conflicts, err = splitConflicts(d.ConflictsCSV); err != nil {
		return v, err
	}
	if v.EntityPool == nil {
		v.EntityPool = []int64{}
	}
	if v.Conflicts == nil {
		v.Conflicts = []Conflict{}
	}
	err = json.Unmarshal([]byte(d.ResultJSON), &v.Result)
	return v, err
}

// Input is the draw's input as stored.
func (v DrawView) Input() DrawInput {
	return DrawInput{Seed: v.Seed, EntityPool: v.EntityPool, InspectorPool: v.InspectorPool, Conflicts: v.Conflicts,
		EntityCount: v.EntityCount, PerEntity: v.InspectorsPerEntity}
}

// DrawPlan makes the 双随机 draw of an approved plan: it reads the eligible
// pools, draws from a new seed, and stores the draw and one inspection per
// drawn entity in one transaction (the request's audit entry commits with
// it). A plan already drawn answers 409 unless this is a redraw, which only
// the 负责人 may ask for with a reason, and only while no inspection of the
// current draw is recorded; the earlier draw stays, marked superseded.
func (s *Service) DrawPlan(ctx context.Context, county string, planID int64, act Actor, req DrawRequest) (DrawView, error) {
	reason := strings.TrimSpace(req.Reason)
	if req.Redraw {
		if !act.CanApprove {
			return DrawView{}, apperr.Forbidden("forbidden", "重新抽取须经负责人批准")
		}
		f := map[string]string{}
		reason = text(f, "reason", reason, "请写明重新抽取的理由", maxText)
		if err := invalid(f); err != nil {
			return DrawView{}, err
		}
	} else if reason != "" {
		return DrawView{}, apperr.InvalidField("reason", "首次抽取无需理由；重新抽取请设置 redraw")
	}
	seed, err := s.NewSeed()
	if err != nil {
		return DrawView{}, err
	}
	var out DrawView
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		p, err := s.store.lockPlan(ctx, tx, county, planID)
		if err != nil {
			return err
		}
		if p.Status != PlanApproved {
			return apperr.Conflict("plan_not_approved", "计划经负责人批准后才能抽取")
		}
		previous, err := s.store.draws(ctx, tx, county, planID)
		if err != nil {
			return err
		}
		if len(previous) > 0 && !req.Redraw {
			return apperr.Conflict("already_drawn", "该计划已抽取，不能重复抽取；确需重新抽取的，须由负责人说明理由")
		}
		if len(previous) == 0 && req.Redraw {
			return apperr.Conflict("not_drawn", "该计划尚未抽取，无需重新抽取")
		}
		if len(previous) > 0 {
			var recorded int
			if err := tx.GetContext(ctx, &recorded, `SELECT COUNT(*) FROM inspections WHERE county_code = ? AND plan_id = ?
				AND status = ?`, county, planID, StatusCompleted); err != nil {
				return err
			}
			var findings int
			if err := tx.GetContext(ctx, &findings, `SELECT COUNT(*) FROM inspection_findings f JOIN inspections i
				ON i.county_code = f.county_code AND i.id = f.inspection_id WHERE i.county_code = ? AND i.plan_id = ?
				AND i.status = ?`, county, planID, StatusAssigned); err != nil {
				return err
			}
			if recorded+findings > 0 {
				return apperr.Conflict("inspections_recorded", "本次抽取的检查已有记录，不能重新抽取")
			}
		}
		entityPool, err := s.store.entityPool(ctx, tx, county, p.Industries(), p.RiskGrades())
		if err != nil {
			return err
		}
		inspectorPool, err := s.store.inspectorPool(ctx, tx, county)
		if err != nil {
			return err
		}
		conflicts, err := s.store.conflictPairs(ctx, tx, county)
		if err != nil {
			return err
		}
		// Only the conflicts that concern the pools are kept with the draw.
		inPool := map[int64]bool{}
		for _, id := range entityPool {
			inPool[-id] = true
		}
		for _, id := range inspectorPool {
			inPool[id] = true
		}
		relevant := []Conflict{}
		for _, c := range conflicts {
			if inPool[-c.EntityID] && inPool[c.InspectorID] {
				relevant = append(relevant, c)
			}
		}
		in := DrawInput{Seed: seed, EntityPool: entityPool, InspectorPool: inspectorPool, Conflicts: relevant,
			EntityCount: p.EntityCount, PerEntity: p.InspectorsPerEntity}
		result, err := RunDraw(in)
		if err != nil {
			if de, ok := err.(*DrawError); ok {
				return &apperr.Error{Status: 409, Code: "pool_too_small", Message: de.Message,
					Fields: map[string]string{de.Field: de.Message}}
			}
			return err
		}
		// The algorithm excludes conflicts by construction; this check keeps
		// a future change from storing a draw that breaks the rule.
		conflicted := map[Conflict]bool{}
		for _, c := range relevant {
			conflicted[c] = true
		}
		for _, a := range result {
			for _, id := range a.Inspectors {
				if conflicted[Conflict{InspectorID: id, EntityID: a.EntityID}] {
					return fmt.Errorf("inspections: draw assigned inspector %d to entity %d despite a declared conflict", id, a.EntityID)
				}
			}
		}
		resultJSON, err := json.Marshal(result)
		if err != nil {
			return err
		}
		// The draw is dated by the service's clock, which the inspection
		// date is checked against.
		now := s.Now().UTC().Truncate(time.Microsecond)
		if len(previous) > 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE inspection_draws SET superseded = ? WHERE county_code = ? AND plan_id = ?`,
				true, county, planID); err != nil {
				return fmt.Errorf("inspections: supersede: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE inspections SET status = ?, updated_at = ? WHERE county_code = ? AND plan_id = ?
				AND status = ?`, StatusSuperseded, now, county, planID, StatusAssigned); err != nil {
				return fmt.Errorf("inspections: supersede inspections: %w", err)
			}
		}
		d := Draw{CountyCode: county, PlanID: planID, Seq: len(previous) + 1, Algorithm: Algorithm, Seed: seed,
			EntityPoolCSV: joinIDs(entityPool), InspectorPoolCSV: joinIDs(inspectorPool), ConflictsCSV: joinConflicts(relevant),
			EntityCount: p.EntityCount, InspectorsPerEntity: p.InspectorsPerEntity, ResultJSON: string(resultJSON),
			Reason: reason, DrawnBy: act.ID, CreatedAt: now}
		if err := s.store.insertDraw(ctx, tx, &d); err != nil {
			if db.IsDuplicate(err) {
				return apperr.Conflict("already_drawn", "该计划刚被他人抽取，请刷新后查看")
			}
			return err
		}
		for _, a := range result {
			if _, err := tx.ExecContext(ctx, `INSERT INTO inspections (county_code, plan_id, draw_id, entity_id, inspectors, status,
				inspected_on, summary, completed_by, rectify_deadline, rectify_warning, recheck_on, recheck_result, recheck_note,
				rechecked_by, publish_due, publish_due_provisional, published_on, publish_warning, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, '', '', 0, '', ?, '', '', '', 0, '', ?, '', ?, ?, ?)`,
				county, planID, d.ID, a.EntityID, joinIDs(a.Inspectors), StatusAssigned, WarningNone, false, WarningNone,
				now, now); err != nil {
				return fmt.Errorf("inspections: insert inspection: %w", err)
			}
		}
		subject := fmt.Sprintf("inspection draw %d plan %d seq %d algorithm %s seed %s entities %d of %d inspectors %d conflicts %d",
			d.ID, planID, d.Seq, Algorithm, seed, len(result), len(entityPool), len(inspectorPool), len(relevant))
		if req.Redraw {
			subject += " redraw reason: " + reason
		}
		web.SetAuditSubject(ctx, subject)
		out, err = viewOf(d)
		return err
	})
	return out, err
}

// Draws lists the draws of a plan, the first first.
func (s *Service) Draws(ctx context.Context, county string, planID int64) ([]DrawView, error) {
	if _, err := s.store.plan(ctx, s.db, county, planID); err != nil {
		return nil, err
	}
	list, err := s.store.draws(ctx, s.db, county, planID)
	if err != nil {
		return nil, err
	}
	out := make([]DrawView, 0, len(list))
	for _, d := range list {
		v, err := viewOf(d)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// GetDraw reads one of the county's draws.
func (s *Service) GetDraw(ctx context.Context, county string, id int64) (DrawView, error) {
	d, err := s.store.draw(ctx, county, id)
	if err != nil {
		return DrawView{}, err
	}
	return viewOf(d)
}

// Verification is a draw run again from what was stored.
type Verification struct {
	DrawID     int64        `json:"draw_id"`
	Algorithm  string       `json:"algorithm"`
	Match      bool         `json:"match"`
	Stored     []Assignment `json:"stored"`
	Recomputed []Assignment `json:"recomputed"`
	// ConflictsRespected: no stored assignment puts an inspector on an
	// entity they declared a conflict with.
	ConflictsRespected bool   `json:"conflicts_respected"`
	Error              string `json:"error,omitempty"`
}

// VerifyDraw runs a stored draw again from its seed, pools and conflicts and
// compares the result with the stored one.
func (s *Service) VerifyDraw(ctx context.Context, county string, id int64) (Verification, error) {
	v, err := s.GetDraw(ctx, county, id)
	if err != nil {
		return Verification{}, err
	}
	out := Verification{DrawID: id, Algorithm: v.Algorithm, Stored: v.Result, Recomputed: []Assignment{}, ConflictsRespected: true}
	conflicted := map[Conflict]bool{}
	for _, c := range v.Conflicts {
		conflicted[c] = true
	}
	for _, a := range v.Result {
		for _, i := range a.Inspectors {
			if conflicted[Conflict{InspectorID: i, EntityID: a.EntityID}] {
				out.ConflictsRespected = false
			}
		}
	}
	if v.Algorithm != Algorithm {
		out.Error = "未知的抽取算法：" + v.Algorithm
		return out, nil
	}
	again, err := RunDraw(v.Input())
	if err != nil {
		out.Error = err.Error()
		return out, nil
	}
	out.Recomputed = again
	a, _ := json.Marshal(again)
	b, _ := json.Marshal(v.Result)
	out.Match = string(a) == string(b) && out.ConflictsRespected
	return out, nil
}

// --- Inspections ---

// View is an inspection with its inspectors, findings and lights.
type View struct {
	Inspection
	Inspectors     []int64   `json:"inspectors"`
	Findings       []Finding `json:"findings"`
	RectifyLight   string    `json:"rectify_warning"`
	RectifyOverdue bool      `json:"rectify_overdue"`
	PublishLight   string    `json:"publish_warning"`
	PublishOverdue bool      `json:"publish_overdue"`
}

// lights judges an inspection's two clocks today: the 整改 deadline until the
// re-check is recorded, the publication due date until it is published.
// Yellow from the working day before, red once past, as on cases.
func (s *Service) lights(v *View, today time.Time) {
	todayStr := calendar.FormatDate(today)
	next := calendar.FormatDate(s.cal.NextWorkday(rbac.ProvinceOf(v.CountyCode), today))
	judge := func(due string) (string, bool) {
		switch {
		case due < todayStr:
			return WarningRed, true
		case due <= next:
			return WarningYellow, false
		}
		return WarningNone, false
	}
	v.RectifyLight, v.PublishLight = WarningNone, WarningNone
	if v.Status == StatusCompleted && v.RectifyDeadline != "" && v.RecheckOn == "" {
		v.RectifyLight, v.RectifyOverdue = judge(v.RectifyDeadline)
	}
	if v.Status == StatusCompleted && v.PublishedOn == "" && v.PublishDue != "" {
		v.PublishLight, v.PublishOverdue = judge(v.PublishDue)
	}
}

func (s *Service) view(ctx context.Context, q sqlx.QueryerContext, i Inspection) (View, error) {
	v := View{Inspection: i}
	var err error
	if v.Inspectors, err = splitIDs(i.InspectorsCSV); err != nil {
		return v, err
	}
	if v.Findings, err = s.store.findings(ctx, q, i.CountyCode, i.ID); err != nil {
		return v, err
	}
	s.lights(&v, s.today())
	return v, nil
}

// Inspections lists the county's inspections (of a plan when planID ≠ 0,
// of a status when status ≠ "").
func (s *Service) Inspections(ctx context.Context, county string, planID int64, status string) ([]View, error) {
	switch status {
	case "", StatusAssigned, StatusCompleted, StatusSuperseded:
	default:
		return nil, apperr.InvalidField("status", "状态应为 assigned、completed 或 superseded")
	}
	list, err := s.store.inspections(ctx, county, planID, status)
	if err != nil {
		return nil, err
	}
	out := make([]View, 0, len(list))
	today := s.today()
	for _, i := range list {
		v := View{Inspection: i}
		if v.Inspectors, err = splitIDs(i.InspectorsCSV); err != nil {
			return nil, err
		}
		v.Findings = []Finding{}
		s.lights(&v, today)
		out = append(out, v)
	}
	return out, nil
}

// Get reads one of the county's inspections with its findings.
func (s *Service) Get(ctx context.Context, county string, id int64) (View, error) {
	i, err := s.store.inspection(ctx, s.db, county, id)
	if err != nil {
		return View{}, err
	}
	return s.view(ctx, s.db, i)
}

// assigned loads an inspection inside tx and checks the actor was drawn for it.
func (s *Service) assigned(ctx context.Context, tx *sqlx.Tx, county string, id int64, act Actor) (View, error) {
	i, err := s.store.inspection(ctx, tx, county, id)
	if err != nil {
		return View{}, err
	}
	v, err := s.view(ctx, tx, i)
	if err != nil {
		return v, err
	}
	if !containsID(v.Inspectors, act.ID) {
		return v, apperr.Forbidden("forbidden", "只有随机选派的执法人员才能记录本次检查")
	}
	if v.Status == StatusSuperseded {
		return v, apperr.Conflict("inspection_superseded", "该检查已因重新抽取而作废")
	}
	return v, nil
}

// FindingInput is one finding as the inspector records it.
type FindingInput struct {
	Description    string `json:"description"`
	LegalProvision string `json:"legal_provision"`
	Violation      *bool  `json:"violation"`
}

// AddFinding records a finding on an inspection not yet completed.
func (s *Service) AddFinding(ctx context.Context, county string, id int64, act Actor, in FindingInput) (Finding, error) {
	f := map[string]string{}
	desc := text(f, "description", in.Description, "请填写检查发现的问题或情况", maxText)
	prov := text(f, "legal_provision", in.LegalProvision, "", 500)
	if in.Violation == nil {
		f["violation"] = "请说明是否属于违法行为"
	} else if *in.Violation && prov == "" {
		f["legal_provision"] = "违法行为须写明违反的法律条款"
	}
	var out Finding
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		v, err := s.assigned(ctx, tx, county, id, act)
		if err != nil {
			return err
		}
		if v.Status != StatusAssigned {
			return apperr.Conflict("inspection_completed", "检查已完成，不能再添加检查发现")
		}
		if err := invalid(f); err != nil {
			return err
		}
		out = Finding{CountyCode: county, InspectionID: id, Description: desc, LegalProvision: prov, Violation: *in.Violation,
			CreatedBy: act.ID, CreatedAt: db.Now()}
		res, err := tx.ExecContext(ctx, `INSERT INTO inspection_findings (county_code, inspection_id, description,
			legal_provision, violation, penalty_case_id, penalty_case_no, created_by, created_at) VALUES (?, ?, ?, ?, ?, 0, '', ?, ?)`,
			county, id, desc, prov, out.Violation, act.ID, out.CreatedAt)
		if err != nil {
			return fmt.Errorf("inspections: insert finding: %w", err)
		}
		out.ID, _ = res.LastInsertId()
		web.SetAuditSubject(ctx, fmt.Sprintf("inspection %d finding %d violation=%t", id, out.ID, out.Violation))
		return nil
	})
	return out, err
}

// CompleteInput closes the record of an inspection.
type CompleteInput struct {
	InspectedOn string `json:"inspected_on"`
	Summary     string `json:"summary"`
	// RectifyDeadline is the date of 责令限期整改, "" when none was ordered;
	// only a violation can be ordered rectified.
	RectifyDeadline string `json:"rectify_deadline"`
}

// Complete records that the inspection took place, with its summary and
// the 整改 order, and starts the publication clock: PublishWorkdays working
// days counted from the day after the inspection.
func (s *Service) Complete(ctx context.Context, county string, id int64, act Actor, in CompleteInput) (View, error) {
	f := map[string]string{}
	on, onDate := date(f, "inspected_on", in.InspectedOn, true)
	summary := text(f, "summary", in.Summary, "请填写检查结论", maxText)
	deadline, dl := date(f, "rectify_deadline", in.RectifyDeadline, false)
	today := s.today()
	var out View
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		v, err := s.assigned(ctx, tx, county, id, act)
		if err != nil {
			return err
		}
		if v.Status != StatusAssigned {
			return apperr.Conflict("inspection_completed", "检查已完成")
		}
		p, err := s.store.plan(ctx, tx, county, v.PlanID)
		if err != nil {
			return err
		}
		if !onDate.IsZero() {
			switch {
			case onDate.After(today):
				f["inspected_on"] = "检查日期不能晚于今天"
			case on < p.PeriodStart:
				f["inspected_on"] = "检查日期不能早于计划开始日期（" + p.PeriodStart + "）"
			case on < calendar.FormatDate(calendar.Today(v.CreatedAt)):
				// An inspection follows the draw that assigned it.
				f["inspected_on"] = "检查日期不能早于随机抽取日期（" + calendar.FormatDate(calendar.Today(v.CreatedAt)) + "）"
			}
		}
		violations := 0
		for _, fd := range v.Findings {
			if fd.Violation {
				violations++
			}
		}
		if deadline != "" && !dl.IsZero() {
			switch {
			case violations == 0:
				f["rectify_deadline"] = "没有违法行为的检查不能责令限期整改"
			case !onDate.IsZero() && !dl.After(onDate):
				f["rectify_deadline"] = "整改期限应晚于检查日期"
			}
		}
		if err := invalid(f); err != nil {
			return err
		}
		due, trace := s.cal.AddWorkdays(rbac.ProvinceOf(county), onDate, PublishWorkdays, nil)
		res, err := tx.ExecContext(ctx, `UPDATE inspections SET status = ?, inspected_on = ?, summary = ?, completed_by = ?,
			rectify_deadline = ?, publish_due = ?, publish_due_provisional = ?, updated_at = ?
			WHERE county_code = ? AND id = ? AND status = ?`, StatusCompleted, on, summary, act.ID, deadline,
			calendar.FormatDate(due), trace.Provisional(), db.Now(), county, id, StatusAssigned)
		if err != nil {
			return fmt.Errorf("inspections: complete: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.Conflict("inspection_completed", "检查刚被他人完成，请刷新")
		}
		web.SetAuditSubject(ctx, fmt.Sprintf("inspection %d completed on %s rectify_deadline=%s", id, on, deadline))
		i, err := s.store.inspection(ctx, tx, county, id)
		if err != nil {
			return err
		}
		out, err = s.view(ctx, tx, i)
		return err
	})
	return out, err
}

// RecheckInput is the 复查 of a 整改 order.
type RecheckInput struct {
	RecheckOn string `json:"recheck_on"`
	Result    string `json:"result"`
	Note      string `json:"note"`
}

// Recheck records the re-check, on or after the 整改 deadline and not after
// today; it ends the 整改 clock whatever the result.
func (s *Service) Recheck(ctx context.Context, county string, id int64, act Actor, in RecheckInput) (View, error) {
	f := map[string]string{}
	on, onDate := date(f, "recheck_on", in.RecheckOn, true)
	note := text(f, "note", in.Note, "", maxText)
	if in.Result != RecheckRectified && in.Result != RecheckNotRectified {
		f["result"] = "复查结果应为 rectified（已整改）或 not_rectified（未整改）"
	}
	var out View
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		v, err := s.assigned(ctx, tx, county, id, act)
		if err != nil {
			return err
		}
		if v.Status != StatusCompleted || v.RectifyDeadline == "" {
			return apperr.Conflict("no_rectification", "该检查没有责令限期整改，无需复查")
		}
		if v.RecheckOn != "" {
			return apperr.Conflict("already_rechecked", "该检查已复查")
		}
		if !onDate.IsZero() {
			switch {
			case on < v.RectifyDeadline:
				f["recheck_on"] = "复查日期不能早于整改期限（" + v.RectifyDeadline + "）"
			case onDate.After(s.today()):
				f["recheck_on"] = "复查日期不能晚于今天"
			}
		}
		if err := invalid(f); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE inspections SET recheck_on = ?, recheck_result = ?, recheck_note = ?,
			rechecked_by = ?, updated_at = ? WHERE county_code = ? AND id = ? AND recheck_on = ''`,
			on, in.Result, note, act.ID, db.Now(), county, id)
		if err != nil {
			return fmt.Errorf("inspections: recheck: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.Conflict("already_rechecked", "该检查已复查")
		}
		web.SetAuditSubject(ctx, fmt.Sprintf("inspection %d recheck %s %s", id, on, in.Result))
		i, err := s.store.inspection(ctx, tx, county, id)
		if err != nil {
			return err
		}
		out, err = s.view(ctx, tx, i)
		return err
	})
	return out, err
}

// Publish puts a completed inspection's result on the county portal today.
func (s *Service) Publish(ctx context.Context, county string, id int64) (View, error) {
	var out View
	today := calendar.FormatDate(s.today())
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		i, err := s.store.inspection(ctx, tx, county, id)
		if err != nil {
			return err
		}
		if i.Status != StatusCompleted {
			return apperr.Conflict("not_completed", "检查完成后才能公开结果")
		}
		if i.PublishedOn != "" {
			return apperr.Conflict("already_published", "该检查结果已公开")
		}
		res, err := tx.ExecContext(ctx, `UPDATE inspections SET published_on = ?, updated_at = ? WHERE county_code = ? AND id = ?
			AND published_on = ''`, today, db.Now(), county, id)
		if err != nil {
			return fmt.Errorf("inspections: publish: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.Conflict("already_published", "该检查结果已公开")
		}
		web.SetAuditSubject(ctx, fmt.Sprintf("inspection %d published on %s (due %s)", id, today, i.PublishDue))
		if i, err = s.store.inspection(ctx, tx, county, id); err != nil {
			return err
		}
		out, err = s.view(ctx, tx, i)
		return err
	})
	return out, err
}

// PenaltyRequest is what staff add when a finding opens a penalty case.
type PenaltyRequest struct {
	ItemCode string `json:"item_code"`
	FiledOn  string `json:"filed_on"`
}

// ErrPenaltyUnavailable answers while no penalty module is wired.
var ErrPenaltyUnavailable = &apperr.Error{Status: 503, Code: "penalties_unavailable",
	Message: "行政处罚办案功能尚未启用，暂不能由检查发现立案"}

// OpenPenaltyCase opens a penalty case from a violation found in an
// inspection, with the entity as party and the finding as facts, and keeps
// the case's id and number on the finding. A finding opens one case only.
func (s *Service) OpenPenaltyCase(ctx context.Context, county string, id, findingID int64, act Actor, req PenaltyRequest) (Finding, error) {
	if s.OpenPenalty == nil {
		return Finding{}, ErrPenaltyUnavailable
	}
	f := map[string]string{}
	item := text(f, "item_code", req.ItemCode, "请选择行政处罚事项", 32)
	filed, _ := date(f, "filed_on", req.FiledOn, false)
	var fd Finding
	var in PenaltyInput
	// Claim the finding first (penalty_case_id -1), so two requests never
	// open two cases; the claim is released when opening fails.
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		i, err := s.store.inspection(ctx, tx, county, id)
		if err != nil {
			return err
		}
		if fd, err = s.store.finding(ctx, tx, county, id, findingID); err != nil {
			return err
		}
		if !fd.Violation {
			return apperr.Conflict("not_violation", "只有违法行为才能立案处罚")
		}
		if fd.PenaltyCaseID != 0 {
			return apperr.Conflict("penalty_opened", "该检查发现已立案")
		}
		// The case rests on the inspection's record, so it is opened once the
		// inspection is recorded, and not dated before it.
		if i.Status != StatusCompleted {
			return apperr.Conflict("inspection_not_completed", "检查完成后才能由检查发现立案")
		}
		if filed != "" && f["filed_on"] == "" && filed < i.InspectedOn {
			f["filed_on"] = "立案日期不能早于检查日期（" + i.InspectedOn + "）"
		}
		if err := invalid(f); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE inspection_findings SET penalty_case_id = -1 WHERE county_code = ? AND id = ?
			AND penalty_case_id = 0`, county, findingID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.Conflict("penalty_opened", "该检查发现已立案")
		}
		facts := fmt.Sprintf("%s，执法人员对%s（统一社会信用代码%s）进行“双随机”抽查时发现：%s", i.InspectedOn, i.EntityName,
			i.EntityCreditCode, fd.Description)
		if fd.LegalProvision != "" {
			facts += "。涉嫌违反" + fd.LegalProvision + "。"
		}
		if filed == "" {
			filed = calendar.FormatDate(s.today())
		}
		in = PenaltyInput{ItemCode: item, Party: PenaltyParty{Kind: "organization", Name: i.EntityName, CreditCode: i.EntityCreditCode,
			EntityID: i.EntityID},
			Facts: facts, FiledOn: filed, SourceKind: "inspection", SourceID: id}
		return nil
	})
	if err != nil {
		return Finding{}, err
	}
	pc, err := s.OpenPenalty(ctx, county, act.ID, in)
	if err != nil {
		if _, rerr := s.db.ExecContext(context.WithoutCancel(ctx), `UPDATE inspection_findings SET penalty_case_id = 0
			WHERE county_code = ? AND id = ? AND penalty_case_id = -1`, county, findingID); rerr != nil {
			return Finding{}, fmt.Errorf("inspections: release claim: %w (after %v)", rerr, err)
		}
		return Finding{}, err
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE inspection_findings SET penalty_case_id = ?, penalty_case_no = ?
		WHERE county_code = ? AND id = ?`, pc.ID, pc.CaseNo, county, findingID); err != nil {
		return Finding{}, fmt.Errorf("inspections: keep penalty case: %w", err)
	}
	web.AddAuditDetail(ctx, fmt.Sprintf("inspection %d finding %d opened penalty case %d %s", id, findingID, pc.ID, pc.CaseNo))
	fd.PenaltyCaseID, fd.PenaltyCaseNo = pc.ID, pc.CaseNo
	return fd, nil
}

func containsID(ids []int64, id int64) bool {
	for _, v := range ids {
		if v == id {
			return true
		}
	}
	return false
}

// --- The overdue job ---

// Flags counts what one run of the overdue job raised.
type Flags struct {
	RectifyDueSoon, RectifyOverdue int
	PublishDueSoon, PublishOverdue int
}

// String is the run's summary in the job record.
func (f Flags) String() string {
	return fmt.Sprintf("检查整改即将到期%d件、超期%d件，检查结果即将到期未公开%d件、超期未公开%d件",
		f.RectifyDueSoon, f.RectifyOverdue, f.PublishDueSoon, f.PublishOverdue)
}

// FlagOverdue raises the lights of the 整改 deadlines and publication due
// dates exactly once each: yellow from the working day before, red once
// past (straight to red when the job did not run in between), with a notice
// to the inspection's inspectors and the county administrators. The update
// is guarded on the light it replaces, so however many replicas run the job
// each light is raised once.
func (s *Service) FlagOverdue(ctx context.Context) (Flags, error) {
	var res Flags
	today := s.today()
	horizon := calendar.FormatDate(today.AddDate(0, 0, 30))
	for _, clock := range []struct {
		column, dueColumn, open string
		soon, over              *int
		kindYellow, kindRed     string
		what                    string
	}{
		{"rectify_warning", "rectify_deadline", `rectify_deadline <> '' AND recheck_on = ''`, &res.RectifyDueSoon,
			&res.RectifyOverdue, notices.KindInspectionRectifyYellow, notices.KindInspectionRectifyRed, "责令限期整改"},
		{"publish_warning", "publish_due", `publish_due <> '' AND published_on = ''`, &res.PublishDueSoon,
			&res.PublishOverdue, notices.KindInspectionPublishYellow, notices.KindInspectionPublishRed, "检查结果公开"},
	} {
		for _, pass := range []struct{ from, to string }{
			{WarningNone, WarningRed}, {WarningYellow, WarningRed}, {WarningNone, WarningYellow},
		} {
			var list []Inspection
			if err := s.db.SelectContext(ctx, &list, `SELECT `+inspectionColumns+inspectionFrom+`WHERE i.status = ? AND i.`+
				clock.column+` = ? AND i.`+clock.dueColumn+` <= ? AND `+prefixed(clock.open)+` ORDER BY i.id LIMIT 5000`,
				StatusCompleted, pass.from, horizon); err != nil {
				return res, fmt.Errorf("inspections: overdue scan: %w", err)
			}
			for _, i := range list {
				v := View{Inspection: i}
				s.lights(&v, today)
				light := v.RectifyLight
				due := i.RectifyDeadline
				if clock.column == "publish_warning" {
					light, due = v.PublishLight, i.PublishDue
				}
				if light != pass.to {
					continue
				}
				state, kind, count := "即将到期", clock.kindYellow, clock.soon
				if pass.to == WarningRed {
					state, kind, count = "已超期", clock.kindRed, clock.over
				}
				msg := fmt.Sprintf("对%s的检查（编号%d）%s%s（期限 %s，今天 %s）", i.EntityName, i.ID, clock.what, state, due,
					calendar.FormatDate(today))
				ok, err := s.flagOnce(ctx, i, clock.column, pass.from, pass.to, kind, msg)
				if err != nil {
					return res, err
				}
				if ok {
					*count++
				}
			}
		}
	}
	return res, nil
}

// prefixed qualifies the columns of an open-clock condition with i.
func prefixed(cond string) string {
	for _, c := range []string{"rectify_deadline", "recheck_on", "publish_due", "published_on"} {
		cond = strings.ReplaceAll(cond, c+" ", "i."+c+" ")
	}
	return cond
}

func (s *Service) flagOnce(ctx context.Context, i Inspection, column, from, to, kind, msg string) (bool, error) {
	changed := false
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		changed = false
		res, err := tx.ExecContext(ctx, `UPDATE inspections SET `+column+` = ? WHERE county_code = ? AND id = ? AND `+column+` = ?`,
			to, i.CountyCode, i.ID, from)
		if err != nil {
			return fmt.Errorf("inspections: flag: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		changed = true
		recipients, err := rbac.UsersWithRole(ctx, tx, rbac.CountyAdmin, i.CountyCode)
		if err != nil {
			return err
		}
		inspectors, err := splitIDs(i.InspectorsCSV)
		if err != nil {
			return err
		}
		for _, id := range inspectors {
			if !containsID(recipients, id) {
				recipients = append(recipients, id)
			}
		}
		for _, uid := range recipients {
			if _, err := tx.ExecContext(ctx, `INSERT INTO notices (county_code, user_id, case_id, kind, message, created_at)
				VALUES (?, ?, 0, ?, ?, ?)`, i.CountyCode, uid, kind, msg, db.Now()); err != nil {
				return fmt.Errorf("inspections: notice: %w", err)
			}
		}
		return nil
	})
	return changed, err
}
