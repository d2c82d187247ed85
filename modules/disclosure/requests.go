package disclosure

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/calendar"
	"safetypilot/modules/db"
	"safetypilot/rbac"
	"safetypilot/tenants"
)

// Request limits of the Regulations (Art. 33): an answer within 20 working
// days of receipt, extendable once by 20 with approval.
const (
	RequestWorkdays   = 20
	ExtensionWorkdays = 20
)

const requestColumns = `id, county_code, tracking_no, requester_name, requester_contact, description, preferred_form,
	received_on, deadline, deadline_provisional, extended, extension_reason, extension_approved_by, status, outcome,
	outcome_reason, answer, answered_on, answered_by, on_time, warning, created_at, updated_at`

// RequestInput is what a requester files on the portal.
type RequestInput struct {
	Name          string `json:"name"`
	Contact       string `json:"contact"`
	Description   string `json:"description"`
	PreferredForm string `json:"preferred_form"`
}

func (in *RequestInput) validate() error {
	f := map[string]string{}
	in.Name, in.Contact, in.Description = strings.TrimSpace(in.Name), strings.TrimSpace(in.Contact), strings.TrimSpace(in.Description)
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 100 {
		f["name"] = "请填写申请人姓名或名称（不超过100个字）"
	}
	if in.Contact == "" || utf8.RuneCountInString(in.Contact) > 200 {
		f["contact"] = "请填写联系方式（不超过200个字）"
	}
	if in.Description == "" || utf8.RuneCountInString(in.Description) > 4000 {
		f["description"] = "请描述所需政府信息（不超过4000字）"
	}
	if in.PreferredForm == "" {
		in.PreferredForm = "other"
	}
	if _, ok := reasonTitle(PreferredForms, in.PreferredForm); !ok {
		f["preferred_form"] = "获取方式有误"
	}
	if len(f) > 0 {
		return apperr.Invalid("申请信息有误", f)
	}
	return nil
}

// requestDeadline counts the answer deadline from the day after receipt.
func (s *Service) requestDeadline(county, receivedOn string, extended bool) (string, bool) {
	days := RequestWorkdays
	if extended {
		days += ExtensionWorkdays
	}
	due, tr := s.cal.AddWorkdays(rbac.ProvinceOf(county), mustDate(receivedOn), days, nil)
	return calendar.FormatDate(due), tr.Provisional()
}

// FileRequest records a request and returns it with its tracking number.
func (s *Service) FileRequest(ctx context.Context, county string, in RequestInput) (InfoRequest, error) {
	if err := in.validate(); err != nil {
		return InfoRequest{}, err
	}
	now := db.Now()
	r := InfoRequest{CountyCode: county, RequesterName: in.Name, RequesterContact: in.Contact, Description: in.Description,
		PreferredForm: in.PreferredForm, ReceivedOn: calendar.FormatDate(s.today()), Status: RequestReceived,
		Warning: "none", CreatedAt: now, UpdatedAt: now}
	r.Deadline, r.DeadlineProvisional = s.requestDeadline(county, r.ReceivedOn, false)
	for attempt := 0; ; attempt++ {
		r.TrackingNo = tenants.NewTrackingNo("GK" + county)
		res, err := s.db.NamedExecContext(ctx, `INSERT INTO info_requests (county_code, tracking_no, requester_name, requester_contact,
			description, preferred_form, received_on, deadline, deadline_provisional, extended, extension_reason,
			extension_approved_by, status, outcome, outcome_reason, answer, answered_by, warning, created_at, updated_at) VALUES
			(:county_code, :tracking_no, :requester_name, :requester_contact, :description, :preferred_form, :received_on,
			:deadline, :deadline_provisional, 0, '', 0, :status, '', '', '', 0, :warning, :created_at, :updated_at)`, r)
		if err == nil {
			r.ID, _ = res.LastInsertId()
			return r, nil
		}
		if !db.IsDuplicate(err) || attempt > 3 {
			return InfoRequest{}, fmt.Errorf("disclosure: insert request: %w", err)
		}
	}
}

func (s *Service) request(ctx context.Context, q sqlx.QueryerContext, county string, id int64) (InfoRequest, error) {
	var r InfoRequest
	err := sqlx.GetContext(ctx, q, &r, `SELECT `+requestColumns+` FROM info_requests WHERE id = ? AND county_code = ?`, id, county)
	if db.IsNoRows(err) {
		return r, apperr.ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("disclosure: request: %w", err)
	}
	return r, nil
}

// GetRequest returns one request of a county.
func (s *Service) GetRequest(ctx context.Context, county string, id int64) (InfoRequest, error) {
	return s.request(ctx, s.db, county, id)
}

// RequestStatus is what a requester sees by tracking number.
type RequestStatus struct {
	TrackingNo  string  `json:"tracking_no"`
	Status      string  `json:"status"`
	StatusTitle string  `json:"status_title"`
	ReceivedOn  string  `json:"received_on"`
	Deadline    string  `json:"deadline"`
	Extended    bool    `json:"extended"`
	Outcome     string  `json:"outcome"`
	AnsweredOn  *string `json:"answered_on"`
}

// TrackRequest returns the status of a request by its tracking number.
func (s *Service) TrackRequest(ctx context.Context, county, trackingNo string) (RequestStatus, error) {
	var r InfoRequest
	err := s.db.GetContext(ctx, &r, `SELECT `+requestColumns+` FROM info_requests WHERE tracking_no = ? AND county_code = ?`, trackingNo, county)
	if db.IsNoRows(err) {
		return RequestStatus{}, apperr.ErrNotFound
	}
	if err != nil {
		return RequestStatus{}, fmt.Errorf("disclosure: track: %w", err)
	}
	title := "已收到，办理中"
	if r.Status == RequestAnswered {
		o, _ := outcome(r.Outcome)
		title = "已答复：" + o.Title
	}
	return RequestStatus{TrackingNo: r.TrackingNo, Status: r.Status, StatusTitle: title, ReceivedOn: r.ReceivedOn,
		Deadline: r.Deadline, Extended: r.Extended, Outcome: r.Outcome, AnsweredOn: r.AnsweredOn}, nil
}

// ListRequests returns a page of a county's requests, open ones first by deadline.
func (s *Service) ListRequests(ctx context.Context, county, status string, page, perPage int) ([]InfoRequest, int, error) {
	where, args := "county_code = ?", []any{county}
	if status != "" {
		where, args = where+" AND status = ?", append(args, status)
	}
	var total int
	if err := s.db.GetContext(ctx, &total, `SELECT COUNT(*) FROM info_requests WHERE `+where, args...); err != nil {
		return nil, 0, fmt.Errorf("disclosure: count requests: %w", err)
	}
	out := []InfoRequest{}
	err := s.db.SelectContext(ctx, &out, `SELECT `+requestColumns+` FROM info_requests WHERE `+where+
		` ORDER BY status DESC, deadline, id LIMIT ? OFFSET ?`, append(args, perPage, (page-1)*perPage)...)
	if err != nil {
		return nil, 0, fmt.Errorf("disclosure: requests: %w", err)
	}
	return out, total, nil
}

// AnswerInput is staff's answer to a request.
type AnswerInput struct {
	Outcome string `json:"outcome"`
	Reason  string `json:"reason"`
	Answer  string `json:"answer"`
}

// Answer closes a request with one of the annual-report outcomes.
func (s *Service) Answer(ctx context.Context, county string, id int64, by Actor, in AnswerInput) (InfoRequest, error) {
	o, ok := outcome(in.Outcome)
	f := map[string]string{}
	if !ok {
		f["outcome"] = "答复结果应为年度报告所列类别之一"
	} else if len(o.Reasons) > 0 {
		if _, ok := reasonTitle(o.Reasons, in.Reason); !ok {
			f["reason"] = "请选择“" + o.Title + "”的具体情形"
		}
	} else {
		in.Reason = ""
	}
	in.Answer = strings.TrimSpace(in.Answer)
	if in.Answer == "" || utf8.RuneCountInString(in.Answer) > 8000 {
		f["answer"] = "请填写答复内容（不超过8000字）"
	}
	if len(f) > 0 {
		return InfoRequest{}, apperr.Invalid("答复内容有误", f)
	}
	today := s.today()
	todayStr := calendar.FormatDate(today)
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE info_requests SET updated_at = updated_at WHERE id = ? AND county_code = ?`, id, county); err != nil {
			return err
		}
		r, err := s.request(ctx, tx, county, id)
		if err != nil {
			return err
		}
		if r.Status != RequestReceived {
			return apperr.Conflict("invalid_transition", "该申请已经答复")
		}
		onTime := !today.After(mustDate(r.Deadline))
		_, err = tx.ExecContext(ctx, `UPDATE info_requests SET status = ?, outcome = ?, outcome_reason = ?, answer = ?, answered_on = ?,
			answered_by = ?, on_time = ?, updated_at = ? WHERE id = ? AND county_code = ?`, RequestAnswered, in.Outcome, in.Reason,
			in.Answer, todayStr, by.ID, onTime, db.Now(), id, county)
		return err
	})
	if err != nil {
		return InfoRequest{}, err
	}
	return s.GetRequest(ctx, county, id)
}

// ExtendRequest extends the answer deadline once by 20 working days; the
// caller must hold the approving permission.
func (s *Service) ExtendRequest(ctx context.Context, county string, id int64, by Actor, reason string) (InfoRequest, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 2000 {
		return InfoRequest{}, apperr.InvalidField("reason", "延期须说明理由（不超过2000字）")
	}
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE info_requests SET updated_at = updated_at WHERE id = ? AND county_code = ?`, id, county); err != nil {
			return err
		}
		r, err := s.request(ctx, tx, county, id)
		if err != nil {
			return err
		}
		if r.Status != RequestReceived {
			return apperr.Conflict("invalid_transition", "该申请已经答复，不能延期")
		}
		if r.Extended {
			return apperr.Conflict("already_extended", "答复期限只能延长一次")
		}
		if s.today().After(mustDate(r.Deadline)) {
			return apperr.Conflict("deadline_passed", "答复期限已过，不能再延长")
		}
		deadline, provisional := s.requestDeadline(county, r.ReceivedOn, true)
		_, err = tx.ExecContext(ctx, `UPDATE info_requests SET extended = ?, extension_reason = ?, extension_approved_by = ?, deadline = ?,
			deadline_provisional = ?, warning = 'none', updated_at = ? WHERE id = ? AND county_code = ?`, true, reason, by.ID, deadline,
			provisional, db.Now(), id, county)
		return err
	})
	if err != nil {
		return InfoRequest{}, err
	}
	return s.GetRequest(ctx, county, id)
}

// DisclosureFlags is what one pass of the overdue job found in disclosure.
type DisclosureFlags struct {
	RecordsOverdue  int `json:"records_overdue"`
	RequestsDueSoon int `json:"requests_due_soon"`
	RequestsOverdue int `json:"requests_overdue"`
}

func (f DisclosureFlags) String() string {
	return fmt.Sprintf("records past the 20-day rule %d; requests due soon %d, overdue %d", f.RecordsOverdue, f.RequestsDueSoon, f.RequestsOverdue)
}

// FlagOverdue marks, once each, proactive records not published within 20
// working days and requests that are due soon or overdue, with a notice to
// the county administrators (and the record's author).
func (s *Service) FlagOverdue(ctx context.Context) (DisclosureFlags, error) {
	var res DisclosureFlags
	today := s.today()
	todayStr := calendar.FormatDate(today)
	next := calendar.FormatDate(s.cal.NextWorkday(rbac.NationalRegion, today))
	var records []Record
	if err := s.db.SelectContext(ctx, &records, `SELECT `+recordColumns+` FROM disclosure_records WHERE overdue_flagged = ?
		AND status IN (?, ?, ?, ?, ?) AND publish_deadline <> '' AND publish_deadline < ? LIMIT 5000`, false,
		StatusDraft, StatusPendingReview, StatusPendingSecond, StatusApproved, StatusRejected, todayStr); err != nil {
		return res, fmt.Errorf("disclosure: overdue scan: %w", err)
	}
	for _, r := range records {
		msg := fmt.Sprintf("信息“%s”已超过主动公开期限（%s）尚未发布", r.Title, r.PublishDeadline)
		ok, err := s.flagOnce(ctx, `UPDATE disclosure_records SET overdue_flagged = ? WHERE id = ? AND overdue_flagged = ?`,
			[]any{true, r.ID, false}, r.CountyCode, r.AuthorID, "disclosure_overdue", msg)
		if err != nil {
			return res, err
		}
		if ok {
			res.RecordsOverdue++
		}
	}
	for _, pass := range []struct {
		from, to, op, bound string
		count               *int
	}{
		{"none", "red", "<", todayStr, &res.RequestsOverdue},
		{"yellow", "red", "<", todayStr, &res.RequestsOverdue},
		{"none", "yellow", "<=", next, &res.RequestsDueSoon},
	} {
		var reqs []InfoRequest
		if err := s.db.SelectContext(ctx, &reqs, `SELECT `+requestColumns+` FROM info_requests WHERE status = ? AND warning = ?
			AND deadline `+pass.op+` ? LIMIT 5000`, RequestReceived, pass.from, pass.bound); err != nil {
			return res, fmt.Errorf("disclosure: request scan: %w", err)
		}
		for _, r := range reqs {
			state := "即将到期"
			if pass.to == "red" {
				state = "已超期"
			}
			msg := fmt.Sprintf("政府信息公开申请 %s %s（答复期限 %s）", r.TrackingNo, state, r.Deadline)
			ok, err := s.flagOnce(ctx, `UPDATE info_requests SET warning = ? WHERE id = ? AND warning = ?`,
				[]any{pass.to, r.ID, pass.from}, r.CountyCode, 0, "request_"+pass.to, msg)
			if err != nil {
				return res, err
			}
			if ok {
				*pass.count++
			}
		}
	}
	return res, nil
}

// flagOnce runs a guarded update and, when it changed the row, writes notices.
func (s *Service) flagOnce(ctx context.Context, update string, args []any, county string, also int64, kind, msg string) (bool, error) {
	changed := false
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		changed = false
		res, err := tx.ExecContext(ctx, update, args...)
		if err != nil {
			return fmt.Errorf("disclosure: flag: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		changed = true
		recipients, err := rbac.UsersWithRole(ctx, tx, rbac.CountyAdmin, county)
		if err != nil {
			return err
		}
		if also != 0 {
			recipients = append(recipients, also)
		}
		for _, uid := range recipients {
			if _, err := tx.ExecContext(ctx, `INSERT INTO notices (county_code, user_id, case_id, kind, message, created_at)
				VALUES (?, ?, 0, ?, ?, ?)`, county, uid, kind, msg, db.Now()); err != nil {
				return fmt.Errorf("disclosure: notice: %w", err)
			}
		}
		return nil
	})
	return changed, err
}
