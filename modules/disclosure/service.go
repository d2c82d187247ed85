package disclosure

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/jmoiron/sqlx"
	"github.com/microcosm-cc/bluemonday"

	"safetypilot/modules/apperr"
	"safetypilot/modules/calendar"
	"safetypilot/modules/catalog"
	"safetypilot/modules/db"
	"safetypilot/modules/written"
	"safetypilot/rbac"
)

// PublishWithinWorkdays is the statutory time for proactive disclosure after
// information is formed or changed (Regulations Art. 26).
const PublishWithinWorkdays = 20

// Actor is who acts on a record.
type Actor struct {
	ID       int64
	Username string
}

// Service holds the disclosure rules.
type Service struct {
	db        *db.DB
	cal       *calendar.Calendar
	catalog   *catalog.Service
	sanitizer *bluemonday.Policy
	written   *written.Store
	// texts keeps what was read of attachments, by content and type: the
	// scan runs on every view of a record, reading a file once.
	texts *lru.Cache[string, attachmentText]
	// Now is the wall clock; tests replace it.
	Now func() time.Time
}

// NewService wires the disclosure rules.
func NewService(database *db.DB, cal *calendar.Calendar, cat *catalog.Service) *Service {
	texts, _ := lru.New[string, attachmentText](attachmentTextCacheSize) // errors only on a size <= 0
	return &Service{db: database, cal: cal, catalog: cat, sanitizer: bodyPolicy(), written: written.NewStore(database),
		texts: texts, Now: time.Now}
}

func (s *Service) today() time.Time { return calendar.Today(s.Now()) }

// bodyPolicy is the one sanitiser policy of record bodies: what the editor
// writes and the .docx conversion produces is a subset of it.
func bodyPolicy() *bluemonday.Policy { return bluemonday.UGCPolicy() }

// SanitizeHTML keeps the safe subset of rich text: no script, no event
// handlers, no javascript: links. Everything shown to the public passes here.
func (s *Service) SanitizeHTML(html string) string { return s.sanitizer.Sanitize(html) }

const recordColumns = `id, county_code, title, category, body, formed_on, attribute, withheld_reason, status, author_id,
	author_name, first_reviewer_id, publish_deadline, deadline_provisional, overdue_flagged, redactions, published_title,
	published_body, submitted_at, approved_at, published_at, published_by, published_on_time, created_at, updated_at`

// RecordInput is what an author writes.
type RecordInput struct {
	Title          string `json:"title"`
	Category       string `json:"category"`
	Body           string `json:"body"`
	FormedOn       string `json:"formed_on"`
	Attribute      string `json:"attribute"`
	WithheldReason string `json:"withheld_reason"`
}

func (s *Service) validate(ctx context.Context, county string, in *RecordInput) error {
	f := map[string]string{}
	in.Title = strings.TrimSpace(in.Title)
	in.Category = strings.TrimSpace(in.Category)
	if in.Attribute == "" {
		in.Attribute = AttributeProactive
	}
	switch {
	case in.Title == "":
		f["title"] = "请填写标题"
	case utf8.RuneCountInString(in.Title) > 200:
		f["title"] = "标题不能超过200个字"
	}
	if len(in.Body) > 2<<20 {
		f["body"] = "正文过长"
	}
	if in.Category == "" {
		f["category"] = "请选择所属公开事项"
	} else if it, err := s.catalog.Store().Item(ctx, s.db, county, in.Category); err != nil || it.Category != catalog.CategoryInformation {
		f["category"] = "所属事项应为本县目录中的政府信息公开事项（1至20项或本县自有事项）"
	} else if it.Status == catalog.StatusNotApplicable {
		f["category"] = "该公开事项已标记为不适用本局，请选择其他事项"
	}
	if d, err := calendar.ParseDate(in.FormedOn); err != nil {
		f["formed_on"] = "信息形成或变更日期格式应为 YYYY-MM-DD"
	} else if d.After(s.today()) {
		f["formed_on"] = "信息形成或变更日期不能晚于今天"
	}
	switch in.Attribute {
	case AttributeProactive, AttributeOnRequest:
		in.WithheldReason = ""
	case AttributeWithheld:
		if _, ok := reasonTitle(WithheldReasons, in.WithheldReason); !ok {
			f["withheld_reason"] = "不予公开须选择法定理由"
		}
	default:
		f["attribute"] = "公开属性应为主动公开、依申请公开或不予公开"
	}
	if len(f) > 0 {
		return apperr.Invalid("信息内容有误", f)
	}
	in.Body = s.SanitizeHTML(in.Body)
	return nil
}

// deadlineFor is the proactive publication deadline of information formed on a date.
func (s *Service) deadlineFor(county, attribute, formedOn string) (string, bool) {
	if attribute != AttributeProactive {
		return "", false
	}
	d, _ := calendar.ParseDate(formedOn)
	due, tr := s.cal.AddWorkdays(rbac.ProvinceOf(county), d, PublishWithinWorkdays, nil)
	return calendar.FormatDate(due), tr.Provisional()
}

// Create stores a draft record and returns it with its scan findings.
func (s *Service) Create(ctx context.Context, county string, by Actor, in RecordInput) (RecordView, error) {
	if err := s.validate(ctx, county, &in); err != nil {
		return RecordView{}, err
	}
	now := db.Now()
	r := Record{CountyCode: county, Title: in.Title, Category: in.Category, Body: in.Body, FormedOn: in.FormedOn,
		Attribute: in.Attribute, WithheldReason: in.WithheldReason, Status: StatusDraft, AuthorID: by.ID,
		AuthorName: by.Username, RedactionsJSON: "[]", CreatedAt: now, UpdatedAt: now}
	r.PublishDeadline, r.DeadlineProvisional = s.deadlineFor(county, r.Attribute, r.FormedOn)
	res, err := s.db.NamedExecContext(ctx, `INSERT INTO disclosure_records (county_code, title, category, body, formed_on,
		attribute, withheld_reason, status, author_id, author_name, first_reviewer_id, publish_deadline, deadline_provisional,
		overdue_flagged, redactions, published_title, published_body, published_by, created_at, updated_at) VALUES
		(:county_code, :title, :category, :body, :formed_on, :attribute, :withheld_reason, :status, :author_id, :author_name,
		0, :publish_deadline, :deadline_provisional, 0, :redactions, '', '', 0, :created_at, :updated_at)`, r)
	if err != nil {
		return RecordView{}, fmt.Errorf("disclosure: insert: %w", err)
	}
	id, _ := res.LastInsertId()
	return s.Get(ctx, county, id)
}

func (s *Service) record(ctx context.Context, q sqlx.QueryerContext, county string, id int64) (Record, error) {
	var r Record
	err := sqlx.GetContext(ctx, q, &r, `SELECT `+recordColumns+` FROM disclosure_records WHERE id = ? AND county_code = ?`, id, county)
	if db.IsNoRows(err) {
		return r, apperr.ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("disclosure: get: %w", err)
	}
	return r, nil
}

// lock takes the record's row lock for a transition and reads it.
func (s *Service) lock(ctx context.Context, tx *sqlx.Tx, county string, id int64) (Record, error) {
	if _, err := tx.ExecContext(ctx, `UPDATE disclosure_records SET updated_at = updated_at WHERE id = ? AND county_code = ?`, id, county); err != nil {
		return Record{}, fmt.Errorf("disclosure: lock: %w", err)
	}
	return s.record(ctx, tx, county, id)
}

// Get returns a record with its fresh scan, reviews and attachments.
func (s *Service) Get(ctx context.Context, county string, id int64) (RecordView, error) {
	r, err := s.record(ctx, s.db, county, id)
	if err != nil {
		return RecordView{}, err
	}
	return s.view(ctx, r)
}

func (s *Service) view(ctx context.Context, r Record) (RecordView, error) {
	v := RecordView{Record: r, StatusTitle: StatusTitle(r.Status), Reviews: []Review{}, Attachments: []Attachment{}}
	settings, err := s.Settings(ctx, r.CountyCode)
	if err != nil {
		return v, err
	}
	atts, err := s.attachments(ctx, r.CountyCode, r.ID)
	if err != nil {
		return v, err
	}
	v.Attachments = atts
	texts, err := s.attachmentTexts(ctx, s.db, r.CountyCode, atts)
	if err != nil {
		return v, err
	}
	v.ScanFindings = scanRecord(r, atts, texts, settings.Terms)
	if err := json.Unmarshal([]byte(r.RedactionsJSON), &v.Redactions); err != nil {
		return v, fmt.Errorf("disclosure: redactions: %w", err)
	}
	if err := s.db.SelectContext(ctx, &v.Reviews, `SELECT id, record_id, stage, reviewer_id, reviewer_name, decision, opinion,
		findings, redactions, submitted_at, decided_at FROM disclosure_reviews WHERE county_code = ? AND record_id = ? ORDER BY id`,
		r.CountyCode, r.ID); err != nil {
		return v, fmt.Errorf("disclosure: reviews: %w", err)
	}
	for i := range v.Reviews {
		_ = json.Unmarshal([]byte(v.Reviews[i].FindingsJSON), &v.Reviews[i].Findings)
		_ = json.Unmarshal([]byte(v.Reviews[i].RedactionsJSON), &v.Reviews[i].Redactions)
	}
	v.Overdue = r.PublishDeadline != "" && r.Status != StatusPublished && r.Status != StatusWithdrawn &&
		s.today().After(mustDate(r.PublishDeadline))
	return v, nil
}

func mustDate(s string) time.Time {
	d, _ := calendar.ParseDate(s)
	return d
}

// scanRecord scans the title, the body, and each attachment's name and
// contents (texts, by attachment ID).
func scanRecord(r Record, atts []Attachment, texts map[int64]attachmentText, terms []string) []Finding {
	out := append(Scan("title", r.Title, terms), Scan("body", r.Body, terms)...)
	for _, a := range atts {
		out = append(out, Scan(fmt.Sprintf("attachment:%d", a.ID), a.FileName, terms)...)
		out = append(out, scanAttachment(a, texts[a.ID], terms)...)
	}
	if out == nil {
		out = []Finding{}
	}
	return out
}

// Update replaces a draft or a rejected record's content (its author only).
func (s *Service) Update(ctx context.Context, county string, id int64, by Actor, in RecordInput) (RecordView, error) {
	if err := s.validate(ctx, county, &in); err != nil {
		return RecordView{}, err
	}
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		r, err := s.lock(ctx, tx, county, id)
		if err != nil {
			return err
		}
		if r.Status != StatusDraft && r.Status != StatusRejected {
			return apperr.Conflict("invalid_transition", "只有草稿或审查未通过的信息可以修改，当前状态："+StatusTitle(r.Status))
		}
		if r.AuthorID != by.ID {
			return apperr.Forbidden("not_author", "只有撰稿人可以修改该信息")
		}
		deadline, provisional := s.deadlineFor(county, in.Attribute, in.FormedOn)
		_, err = tx.ExecContext(ctx, `UPDATE disclosure_records SET title = ?, category = ?, body = ?, formed_on = ?, attribute = ?,
			withheld_reason = ?, status = ?, publish_deadline = ?, deadline_provisional = ?, overdue_flagged = 0, redactions = '[]', updated_at = ?
			WHERE id = ? AND county_code = ?`, in.Title, in.Category, in.Body, in.FormedOn, in.Attribute, in.WithheldReason,
			StatusDraft, deadline, provisional, db.Now(), id, county)
		return err
	})
	if err != nil {
		return RecordView{}, err
	}
	return s.Get(ctx, county, id)
}

// Submit sends a draft to confidentiality review.
func (s *Service) Submit(ctx context.Context, county string, id int64, by Actor) (RecordView, error) {
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		r, err := s.lock(ctx, tx, county, id)
		if err != nil {
			return err
		}
		if r.Status != StatusDraft && r.Status != StatusRejected {
			return apperr.Conflict("invalid_transition", "只有草稿或审查未通过的信息可以提交审查，当前状态："+StatusTitle(r.Status))
		}
		_, err = tx.ExecContext(ctx, `UPDATE disclosure_records SET status = ?, first_reviewer_id = 0, submitted_at = ?, updated_at = ?
			WHERE id = ? AND county_code = ?`, StatusPendingReview, db.Now(), db.Now(), id, county)
		return err
	})
	if err != nil {
		return RecordView{}, err
	}
	return s.Get(ctx, county, id)
}

// ReviewInput is a reviewer's decision.
type ReviewInput struct {
	Decision   string      `json:"decision"`
	Opinion    string      `json:"opinion"`
	Redactions []Redaction `json:"redactions"`
	// CheckedAttachments are the attachments whose contents the reviewer
	// checked by hand. Contents cannot be masked, so an approval needs this
	// for every attachment with a finding in its contents or contents the
	// scan could not read.
	CheckedAttachments []int64 `json:"checked_attachments"`
}

// Review records a confidentiality-review decision. The author can never
// review their own record, nor can one person make both reviews; with the
// county's second review switched on, an approval goes to a second reviewer.
func (s *Service) Review(ctx context.Context, county string, id int64, by Actor, in ReviewInput) (RecordView, error) {
	in.Opinion = strings.TrimSpace(in.Opinion)
	if in.Decision != "approve" && in.Decision != "reject" {
		return RecordView{}, apperr.InvalidField("decision", "审查结论应为 approve（通过）或 reject（不通过）")
	}
	if in.Decision == "reject" && in.Opinion == "" {
		return RecordView{}, apperr.InvalidField("opinion", "审查不通过须填写审查意见")
	}
	if utf8.RuneCountInString(in.Opinion) > 4000 {
		return RecordView{}, apperr.InvalidField("opinion", "审查意见不能超过4000字")
	}
	settings, err := s.Settings(ctx, county)
	if err != nil {
		return RecordView{}, err
	}
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		r, err := s.lock(ctx, tx, county, id)
		if err != nil {
			return err
		}
		if r.Status != StatusPendingReview && r.Status != StatusPendingSecond {
			return apperr.Conflict("invalid_transition", "该信息不在待审查状态，当前状态："+StatusTitle(r.Status))
		}
		if r.AuthorID == by.ID {
			return apperr.Forbidden("reviewer_is_author", "撰稿人不能审查自己撰写的信息")
		}
		stage := 1
		if r.Status == StatusPendingSecond {
			stage = 2
			if r.FirstReviewerID == by.ID {
				return apperr.Forbidden("same_reviewer", "复审须由初审以外的人员进行")
			}
		}
		atts, err := s.attachments(ctx, county, id)
		if err != nil {
			return err
		}
		if err := validateRedactions(r, atts, in.Redactions); err != nil {
			return err
		}
		texts, err := s.attachmentTexts(ctx, tx, county, atts)
		if err != nil {
			return err
		}
		findings := scanRecord(r, atts, texts, settings.Terms)
		if err := checkAttachmentsConfirmed(in, atts, findings); err != nil {
			return err
		}
		fj, _ := json.Marshal(findings)
		if in.Redactions == nil {
			in.Redactions = []Redaction{}
		}
		// The review record keeps the masks this reviewer chose; the record
		// keeps every mask so far: a second review may add masks, never lift
		// the first reviewer's.
		rj, _ := json.Marshal(in.Redactions)
		effective := rj
		if stage == 2 {
			var first []Redaction
			_ = json.Unmarshal([]byte(r.RedactionsJSON), &first)
			effective, _ = json.Marshal(mergeRedactions(first, in.Redactions))
		}
		now := db.Now()
		submitted := now
		if r.SubmittedAt != nil {
			submitted = *r.SubmittedAt
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO disclosure_reviews (record_id, county_code, stage, reviewer_id, reviewer_name,
			decision, opinion, findings, redactions, submitted_at, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, county, stage, by.ID, by.Username, in.Decision, in.Opinion, string(fj), string(rj), submitted, now); err != nil {
			return fmt.Errorf("disclosure: insert review: %w", err)
		}
		next, firstReviewer := StatusApproved, r.FirstReviewerID
		var approvedAt *time.Time = &now
		switch {
		case in.Decision == "reject":
			next, approvedAt = StatusRejected, nil
		case stage == 1 && settings.SecondReview:
			next, firstReviewer, approvedAt = StatusPendingSecond, by.ID, nil
		}
		_, err = tx.ExecContext(ctx, `UPDATE disclosure_records SET status = ?, first_reviewer_id = ?, redactions = ?, approved_at = ?,
			updated_at = ? WHERE id = ? AND county_code = ?`, next, firstReviewer, string(effective), approvedAt, now, id, county)
		return err
	})
	if err != nil {
		return RecordView{}, err
	}
	return s.Get(ctx, county, id)
}

// mergeRedactions is the union of two sets of masks.
func mergeRedactions(a, b []Redaction) []Redaction {
	out := append([]Redaction{}, a...)
	for _, r := range b {
		seen := false
		for _, x := range a {
			seen = seen || x == r
		}
		if !seen {
			out = append(out, r)
		}
	}
	return out
}

// validateRedactions checks that each span lies inside its field's text and
// never cuts through markup.
func validateRedactions(r Record, atts []Attachment, list []Redaction) error {
	f := map[string]string{}
	for i, red := range list {
		text, ok := fieldText(r, atts, red.Field)
		key := fmt.Sprintf("redactions[%d]", i)
		runes := []rune(text)
		switch {
		case !ok:
			f[key] = "遮盖位置所在字段有误：" + red.Field
		case red.Start < 0 || red.End > len(runes) || red.Start >= red.End:
			f[key] = "遮盖范围超出文字范围"
		case strings.ContainsAny(string(runes[red.Start:red.End]), "<>"):
			f[key] = "遮盖范围不能包含排版标记"
		}
	}
	if len(list) > 500 {
		f["redactions"] = "遮盖处过多"
	}
	if len(f) > 0 {
		return apperr.Invalid("遮盖范围有误", f)
	}
	return nil
}

func fieldText(r Record, atts []Attachment, field string) (string, bool) {
	switch field {
	case "title":
		return r.Title, true
	case "body":
		return r.Body, true
	}
	for _, a := range atts {
		if field == fmt.Sprintf("attachment:%d", a.ID) {
			return a.FileName, true
		}
	}
	return "", false
}

// maskChar replaces redacted characters in what the public sees.
const maskChar = '＊'

// applyRedactions masks the spans of one field.
func applyRedactions(field, text string, list []Redaction) string {
	runes := []rune(text)
	for _, red := range list {
		if red.Field != field || red.Start < 0 || red.End > len(runes) {
			continue
		}
		for i := red.Start; i < red.End; i++ {
			if runes[i] != '<' && runes[i] != '>' {
				runes[i] = maskChar
			}
		}
	}
	return string(runes)
}

// Publish makes an approved proactive record public with its masks applied.
// Only reviewers and administrators publish (谁公开谁审查), never the author.
func (s *Service) Publish(ctx context.Context, county string, id int64, by Actor) (RecordView, error) {
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		r, err := s.lock(ctx, tx, county, id)
		if err != nil {
			return err
		}
		if r.Status != StatusApproved {
			return apperr.Conflict("invalid_transition", "只有保密审查通过的信息可以发布，当前状态："+StatusTitle(r.Status))
		}
		if r.Attribute != AttributeProactive {
			return apperr.Conflict("not_proactive", "“"+AttributeTitle(r.Attribute)+"”的信息不主动公开")
		}
		if r.AuthorID == by.ID {
			return apperr.Forbidden("publisher_is_author", "撰稿人不能发布自己撰写的信息")
		}
		var reds []Redaction
		_ = json.Unmarshal([]byte(r.RedactionsJSON), &reds)
		now := db.Now()
		onTime := r.PublishDeadline == "" || !s.today().After(mustDate(r.PublishDeadline))
		_, err = tx.ExecContext(ctx, `UPDATE disclosure_records SET status = ?, published_title = ?, published_body = ?,
			published_at = ?, published_by = ?, published_on_time = ?, updated_at = ? WHERE id = ? AND county_code = ?`,
			StatusPublished, applyRedactions("title", r.Title, reds), s.SanitizeHTML(applyRedactions("body", r.Body, reds)),
			now, by.ID, onTime, now, id, county)
		return err
	})
	if err != nil {
		return RecordView{}, err
	}
	return s.Get(ctx, county, id)
}

// Withdraw takes a published record off the portal, with a reason.
func (s *Service) Withdraw(ctx context.Context, county string, id int64, by Actor, reason string) (RecordView, error) {
	if strings.TrimSpace(reason) == "" {
		return RecordView{}, apperr.InvalidField("reason", "撤回须说明理由")
	}
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		r, err := s.lock(ctx, tx, county, id)
		if err != nil {
			return err
		}
		if r.Status != StatusPublished {
			return apperr.Conflict("invalid_transition", "只有已公开的信息可以撤回")
		}
		now := db.Now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO disclosure_reviews (record_id, county_code, stage, reviewer_id, reviewer_name,
			decision, opinion, findings, redactions, submitted_at, decided_at) VALUES (?, ?, 0, ?, ?, 'withdraw', ?, '[]', '[]', ?, ?)`,
			id, county, by.ID, by.Username, reason, now, now); err != nil {
			return fmt.Errorf("disclosure: withdraw record: %w", err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE disclosure_records SET status = ?, updated_at = ? WHERE id = ? AND county_code = ?`,
			StatusWithdrawn, now, id, county)
		return err
	})
	if err != nil {
		return RecordView{}, err
	}
	return s.Get(ctx, county, id)
}

// List returns a page of a county's records, optionally of one status.
func (s *Service) List(ctx context.Context, county, status string, page, perPage int) ([]Record, int, error) {
	where, args := "county_code = ?", []any{county}
	if status != "" {
		where, args = where+" AND status = ?", append(args, status)
	}
	var total int
	if err := s.db.GetContext(ctx, &total, `SELECT COUNT(*) FROM disclosure_records WHERE `+where, args...); err != nil {
		return nil, 0, fmt.Errorf("disclosure: count: %w", err)
	}
	out := []Record{}
	err := s.db.SelectContext(ctx, &out, `SELECT `+recordColumns+` FROM disclosure_records WHERE `+where+` ORDER BY id DESC LIMIT ? OFFSET ?`,
		append(args, perPage, (page-1)*perPage)...)
	if err != nil {
		return nil, 0, fmt.Errorf("disclosure: list: %w", err)
	}
	return out, total, nil
}

// ListPublished returns a page of the county's published records as the public sees them.
func (s *Service) ListPublished(ctx context.Context, county, category string, page, perPage int) ([]PublicRecord, int, error) {
	where, args := "county_code = ? AND status = ?", []any{county, StatusPublished}
	if category != "" {
		where, args = where+" AND category = ?", append(args, category)
	}
	var total int
	if err := s.db.GetContext(ctx, &total, `SELECT COUNT(*) FROM disclosure_records WHERE `+where, args...); err != nil {
		return nil, 0, fmt.Errorf("disclosure: count: %w", err)
	}
	var rows []Record
	err := s.db.SelectContext(ctx, &rows, `SELECT `+recordColumns+` FROM disclosure_records WHERE `+where+
		` ORDER BY published_at DESC, id DESC LIMIT ? OFFSET ?`, append(args, perPage, (page-1)*perPage)...)
	if err != nil {
		return nil, 0, fmt.Errorf("disclosure: published: %w", err)
	}
	out := make([]PublicRecord, 0, len(rows))
	for _, r := range rows {
		p, err := s.public(ctx, r)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, p)
	}
	return out, total, nil
}

// GetPublished returns one published record as the public sees it.
func (s *Service) GetPublished(ctx context.Context, county string, id int64) (PublicRecord, error) {
	r, err := s.record(ctx, s.db, county, id)
	if err != nil {
		return PublicRecord{}, err
	}
	if r.Status != StatusPublished {
		return PublicRecord{}, apperr.ErrNotFound
	}
	return s.public(ctx, r)
}

func (s *Service) public(ctx context.Context, r Record) (PublicRecord, error) {
	atts, err := s.attachments(ctx, r.CountyCode, r.ID)
	if err != nil {
		return PublicRecord{}, err
	}
	var reds []Redaction
	_ = json.Unmarshal([]byte(r.RedactionsJSON), &reds)
	p := PublicRecord{ID: r.ID, Title: r.PublishedTitle, Category: r.Category, Body: r.PublishedBody, FormedOn: r.FormedOn,
		PublishedAt: r.PublishedAt, Attachments: []PublicAttachment{}}
	for _, a := range atts {
		field := fmt.Sprintf("attachment:%d", a.ID)
		p.Attachments = append(p.Attachments, PublicAttachment{ID: a.ID, FileName: applyRedactions(field, a.FileName, reds), Size: a.Size})
	}
	return p, nil
}

// Settings are a county's review rules.
type Settings struct {
	SecondReview bool     `json:"second_review"`
	Terms        []string `json:"terms"`
}

// Settings returns the county's review settings (defaults when never set).
func (s *Service) Settings(ctx context.Context, county string) (Settings, error) {
	var row struct {
		SecondReview bool   `db:"second_review"`
		Terms        string `db:"terms"`
	}
	err := s.db.GetContext(ctx, &row, `SELECT second_review, terms FROM disclosure_settings WHERE county_code = ?`, county)
	if db.IsNoRows(err) {
		return Settings{Terms: []string{}}, nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("disclosure: settings: %w", err)
	}
	st := Settings{SecondReview: row.SecondReview, Terms: []string{}}
	for _, t := range strings.Split(row.Terms, "\n") {
		if t = strings.TrimSpace(t); t != "" {
			st.Terms = append(st.Terms, t)
		}
	}
	return st, nil
}

// SaveSettings replaces a county's review settings.
func (s *Service) SaveSettings(ctx context.Context, county string, by Actor, st Settings) (Settings, error) {
	var terms []string
	for i, t := range st.Terms {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		if utf8.RuneCountInString(t) > 50 || strings.ContainsAny(t, "<>") {
			return Settings{}, apperr.InvalidField(fmt.Sprintf("terms[%d]", i), "敏感词不能超过50个字，且不能包含尖括号")
		}
		terms = append(terms, t)
	}
	if len(terms) > 1000 {
		return Settings{}, apperr.InvalidField("terms", "敏感词不能超过1000个")
	}
	joined := strings.Join(terms, "\n")
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		var exists int
		if err := tx.GetContext(ctx, &exists, `SELECT COUNT(*) FROM disclosure_settings WHERE county_code = ?`, county); err != nil {
			return err
		}
		if exists > 0 {
			_, err := tx.ExecContext(ctx, `UPDATE disclosure_settings SET second_review = ?, terms = ?, updated_by = ?, updated_at = ?
				WHERE county_code = ?`, st.SecondReview, joined, by.ID, db.Now(), county)
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO disclosure_settings (county_code, second_review, terms, updated_by, updated_at)
			VALUES (?, ?, ?, ?, ?)`, county, st.SecondReview, joined, by.ID, db.Now())
		return err
	})
	if err != nil {
		return Settings{}, fmt.Errorf("disclosure: save settings: %w", err)
	}
	return s.Settings(ctx, county)
}
