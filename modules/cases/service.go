package cases

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/calendar"
	"safetypilot/modules/catalog"
	"safetypilot/modules/db"
	"safetypilot/modules/written"
	"safetypilot/rbac"
	"safetypilot/tenants"
	"safetypilot/web"
)

// Actor is who acts on a case (ID 0 with a name for the public or the system).
type Actor struct {
	ID       int64
	Username string
	// CanApprove: the actor may decide (cases:approve).
	CanApprove bool
	// CanExtend: the actor is the bureau's 负责人 and may approve an
	// extension (cases:extend, 行政许可法 第四十二条).
	CanExtend bool
	// CanHandle: the actor may accept and move cases (cases:handle).
	CanHandle bool
}

// Service holds the case rules.
type Service struct {
	db      *db.DB
	store   *Store
	clock   *Clock
	catalog *catalog.Service
	metrics *Metrics
	written *written.Store
	// Now is the wall clock; tests replace it to travel in time.
	Now func() time.Time
	// OnApproved, when set, runs in the transaction that grants a licence,
	// with the case as decided and its written decision as numbered: the
	// 双公示 publication (modules/publicity) records the decision there, so
	// no licence is granted without its publication falling due.
	OnApproved func(ctx context.Context, tx *sqlx.Tx, c Case, decision written.Notice) error
}

// NewService wires the case rules.
func NewService(database *db.DB, cal *calendar.Calendar, cat *catalog.Service, metrics *Metrics) *Service {
	return &Service{db: database, store: NewStore(database), clock: NewClock(cal), catalog: cat, metrics: metrics,
		written: written.NewStore(database), Now: time.Now}
}

// Store exposes the SQL layer to the overdue job and reports.
func (s *Service) Store() *Store { return s.store }

// Clock exposes the deadline rules to the overdue job.
func (s *Service) Clock() *Clock { return s.clock }

func (s *Service) today() time.Time { return calendar.Today(s.Now()) }

// NewCase is a request to open a case.
type NewCase struct {
	ItemCode   string    `json:"item_code"`
	Applicant  Applicant `json:"applicant"`
	ReceivedOn string    `json:"received_on"`
	// Materials are the files sent with the application (the page's
	// multipart form); stored with the case in its transaction.
	Materials []MaterialFile `json:"-"`
}

var phonePattern = regexp.MustCompile(`^[0-9+\-() ]{5,20}$`)

// validate checks the applicant and the receipt date; a wrong credit code is
// a 400, never a stored row.
func (in *NewCase) validate(today time.Time, online bool) error {
	f := map[string]string{}
	in.Applicant.Name = strings.TrimSpace(in.Applicant.Name)
	in.Applicant.CreditCode = strings.ToUpper(strings.TrimSpace(in.Applicant.CreditCode))
	in.Applicant.Contact = strings.TrimSpace(in.Applicant.Contact)
	in.Applicant.Phone = strings.TrimSpace(in.Applicant.Phone)
	if in.ItemCode == "" {
		f["item_code"] = "请选择办理事项"
	}
	if in.Applicant.Name == "" {
		f["applicant.name"] = "请填写申请人名称"
	} else if utf8.RuneCountInString(in.Applicant.Name) > 100 {
		f["applicant.name"] = "申请人名称不能超过100个字"
	}
	if !ValidCreditCode(in.Applicant.CreditCode) {
		f["applicant.credit_code"] = "统一社会信用代码有误（应为18位，末位校验码须正确）"
	}
	if utf8.RuneCountInString(in.Applicant.Contact) > 100 {
		f["applicant.contact"] = "联系人不能超过100个字"
	}
	if in.Applicant.Phone != "" && !phonePattern.MatchString(in.Applicant.Phone) {
		f["applicant.phone"] = "联系电话格式有误"
	}
	if online && in.Applicant.Phone == "" {
		f["applicant.phone"] = "请填写联系电话"
	}
	if in.ReceivedOn != "" {
		if online {
			f["received_on"] = "网上申请的收件日期为提交当日"
		} else if d, err := calendar.ParseDate(in.ReceivedOn); err != nil {
			f["received_on"] = "日期格式应为 YYYY-MM-DD"
		} else if d.After(today) {
			f["received_on"] = "收件日期不能晚于今天"
		} else if today.Sub(d) > 366*24*time.Hour {
			f["received_on"] = "收件日期不能早于一年前"
		}
	}
	if len(f) > 0 {
		return apperr.Invalid("申请信息有误", f)
	}
	return nil
}

// Create opens a case on a published power or service item; the steps and
// limits are those of the item's published version.
func (s *Service) Create(ctx context.Context, county string, by Actor, channel string, in NewCase) (Detail, error) {
	today := s.today()
	if err := in.validate(today, channel == ChannelOnline); err != nil {
		return Detail{}, err
	}
	item, err := s.catalog.GetPublished(ctx, county, in.ItemCode)
	if err == apperr.ErrNotFound {
		return Detail{}, apperr.InvalidField("item_code", "该事项不存在或尚未发布，不能受理")
	}
	if err != nil {
		return Detail{}, err
	}
	if catalog.ByOwnMotion(item.PowerType) {
		return Detail{}, apperr.InvalidField("item_code", catalog.PowerTypeTitle(item.PowerType)+"事项由执法人员依职权立案办理，不受理申请")
	}
	if !item.Applicable() {
		return Detail{}, apperr.InvalidField("item_code", "该事项不是可办理的行政职权或服务事项")
	}
	materials, err := checkMaterials(in.Materials, item.Materials, channel == ChannelOnline)
	if err != nil {
		return Detail{}, err
	}
	source := SourceCounter
	if channel == ChannelOnline {
		source = SourceOnline
	}
	received := in.ReceivedOn
	if received == "" {
		received = calendar.FormatDate(today)
	} else if channel == ChannelCounter {
		channel = ChannelPaper
	}
	now := db.Now()
	c := Case{CountyCode: county, ItemCode: item.Code, ItemVersion: item.PublishedVersion, ItemName: item.Name,
		Channel: channel, ApplicantName: in.Applicant.Name, ApplicantCreditCode: in.Applicant.CreditCode,
		ApplicantContact: in.Applicant.Contact, ApplicantPhone: in.Applicant.Phone, ReceivedOn: received,
		Status: StatusSubmitted, StatutoryDays: item.StatutoryLimitWorkdays, PromisedDays: item.PromisedLimitWorkdays,
		ClockRunning: true, Warning: WarningNone, CurrentStep: 1, CreatedBy: by.ID, CreatedAt: now, UpdatedAt: now}
	if c.PromisedDays == 0 {
		c.PromisedDays = c.StatutoryDays
	}
	c.ExtensionAllowed = item.ExtensionWorkdays
	if c.ExtensionAllowed == 0 && item.PowerType == "XK" {
		c.ExtensionAllowed = 10 // 行政许可法第四十二条：经批准可以延长十日
	}
	dl, err := s.clock.Compute(c, nil, today)
	if err != nil {
		return Detail{}, err
	}
	c.applyDeadlines(dl)
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		for attempt := 0; ; attempt++ {
			c.TrackingNo = tenants.NewTrackingNo(county)
			err := s.store.insert(ctx, tx, &c)
			if err == nil {
				break
			}
			if !db.IsDuplicate(err) || attempt > 3 {
				return fmt.Errorf("cases: insert: %w", err)
			}
		}
		web.SetAuditSubject(ctx, "case "+c.TrackingNo)
		for i, st := range item.Steps {
			step := Step{CaseID: c.ID, Seq: i + 1, CountyCode: county, Name: st.Name, Post: st.Post,
				Authority: st.Authority, LimitDays: st.LimitWorkdays, Excluded: st.ExcludedFromLimit, Warning: WarningNone}
			if i == 0 {
				step.Active, step.StartedOn = true, &c.ReceivedOn
				due := calendar.FormatDate(s.clock.StepDue(county, mustDate(c.ReceivedOn), st.LimitWorkdays, nil, today))
				step.DueOn = &due
			}
			if err := s.store.insertStep(ctx, tx, step); err != nil {
				return err
			}
		}
		if _, err := s.insertMaterials(ctx, tx, county, c.ID, source, by, materials); err != nil {
			return err
		}
		note := "收件"
		switch channel {
		case ChannelPaper:
			note = "补录纸质申请，收件日期 " + received
		case ChannelOnline:
			note = "网上申请"
		}
		return s.store.insertEvent(ctx, tx, c, "created", "", StatusSubmitted, by.ID, by.Username, note)
	})
	if err != nil {
		return Detail{}, err
	}
	s.metrics.received(county, item.Code)
	return s.Get(ctx, county, c.ID)
}

func (c *Case) applyDeadlines(d Deadlines) {
	c.Deadline, c.PromisedDeadline = calendar.FormatDate(d.Statutory), calendar.FormatDate(d.Promised)
	c.Provisional = d.Provisional
}

func mustDate(s string) time.Time {
	d, _ := calendar.ParseDate(s)
	return d
}

// Get returns the full case as staff see it.
func (s *Service) Get(ctx context.Context, county string, id int64) (Detail, error) {
	c, err := s.store.get(ctx, s.db, county, id)
	if err != nil {
		return Detail{}, err
	}
	return s.detail(ctx, c)
}

func (s *Service) detail(ctx context.Context, c Case) (Detail, error) {
	today := s.today()
	steps, err := s.store.steps(ctx, s.db, c.CountyCode, c.ID)
	if err != nil {
		return Detail{}, err
	}
	pauses, err := s.store.pauses(ctx, s.db, c.CountyCode, c.ID)
	if err != nil {
		return Detail{}, err
	}
	events, err := s.store.events(ctx, s.db, c.CountyCode, c.ID)
	if err != nil {
		return Detail{}, err
	}
	materials, err := s.Materials(ctx, c.CountyCode, c.ID)
	if err != nil {
		return Detail{}, err
	}
	d := Detail{Case: c, Steps: steps, Pauses: pauses, Events: events, Materials: materials, WarningLight: WarningNone,
		Applicant: Applicant{Name: c.ApplicantName, CreditCode: c.ApplicantCreditCode, Contact: c.ApplicantContact, Phone: c.ApplicantPhone}}
	for i, p := range d.Pauses {
		end := today
		if p.EndedOn != nil {
			end = mustDate(*p.EndedOn)
		} else {
			d.Paused = true
		}
		d.Pauses[i].Workdays = s.clock.WorkdaysBetween(c.CountyCode, mustDate(p.StartedOn), end)
	}
	// While the clock stands the stored deadlines are not yet moved by the
	// open pause: no light and not overdue (as in the list and the metrics).
	if isOpen(c.Status) && !d.Paused {
		d.WarningLight = s.clock.Light(c.CountyCode, mustDate(c.PromisedDeadline), today)
		d.Overdue = today.After(mustDate(c.PromisedDeadline))
		d.StatutoryOverdue = today.After(mustDate(c.Deadline))
	}
	for i, st := range d.Steps {
		if st.Active && st.DueOn != nil && !d.Paused {
			d.Steps[i].Warning = s.clock.Light(c.CountyCode, mustDate(*st.DueOn), today)
			d.Steps[i].Overdue = today.After(mustDate(*st.DueOn))
		}
	}
	dl, err := s.clock.Compute(c, pauses, today)
	if err != nil {
		return Detail{}, err
	}
	d.DeadlineExplanation = dl.Explanation
	d.AllowedActions = allowedActions(c, d.Paused)
	if d.Notices, err = s.written.List(ctx, s.db, c.CountyCode, written.SubjectCase, c.ID); err != nil {
		return Detail{}, err
	}
	return d, nil
}

// Notice returns a written notice of a case of the county with what its
// print page needs of the case.
func (s *Service) Notice(ctx context.Context, county string, caseID, id int64) (Case, written.Notice, error) {
	c, err := s.store.get(ctx, s.db, county, caseID)
	if err != nil {
		return Case{}, written.Notice{}, err
	}
	n, err := s.written.Get(ctx, county, written.SubjectCase, caseID, id)
	return c, n, err
}

// allowedActions lists what the status machine allows now (permissions aside).
func allowedActions(c Case, paused bool) []string {
	var out []string
	switch c.Status {
	case StatusSubmitted:
		out = []string{ActionAccept, ActionNotAccept, ActionPause, ActionWithdraw}
	case StatusAccepted, StatusInReview:
		out = []string{ActionAdvance, ActionPause, ActionApprove, ActionDeny, ActionWithdraw}
		if paused {
			out = []string{ActionResume, ActionWithdraw}
		}
	case StatusReturned:
		out = []string{ActionResume, ActionWithdraw}
	case StatusApproved, StatusDenied:
		out = []string{ActionDeliver}
	}
	if c.Status == StatusSubmitted && paused {
		out = []string{ActionResume, ActionWithdraw}
	}
	if isOpen(c.Status) && !c.Extended && c.Status != StatusSubmitted {
		out = append(out, ActionExtend)
	}
	return out
}

// Public returns what the tracking page may show; countyName numbers the
// written notices.
func (s *Service) Public(ctx context.Context, county, countyName, trackingNo string) (PublicView, error) {
	c, err := s.store.byTracking(ctx, county, trackingNo)
	if err != nil {
		return PublicView{}, err
	}
	pauses, err := s.store.pauses(ctx, s.db, county, c.ID)
	if err != nil {
		return PublicView{}, err
	}
	paused := false
	shown := make([]PublicPause, 0, len(pauses))
	for _, p := range pauses {
		paused = paused || p.EndedOn == nil
		shown = append(shown, PublicPause{Kind: p.Kind, StartedOn: p.StartedOn, EndedOn: p.EndedOn})
	}
	notices, err := s.written.List(ctx, s.db, county, written.SubjectCase, c.ID)
	if err != nil {
		return PublicView{}, err
	}
	received, err := s.countMaterials(ctx, county, c.ID)
	if err != nil {
		return PublicView{}, err
	}
	return PublicView{MaterialsReceived: received, TrackingNo: c.TrackingNo, ItemName: c.ItemName, Status: c.Status, StatusTitle: StatusTitle(c.Status),
		ReceivedOn: c.ReceivedOn, Deadline: c.Deadline, PromisedDeadline: c.PromisedDeadline, Provisional: c.Provisional,
		Paused: paused, CompletedOn: c.CompletedOn, Pauses: shown, ExtensionDays: c.ExtensionDays,
		Notices: written.PublicOf(notices, countyName, c.ApplicantName, c.ApplicantCreditCode, c.ApplicantContact, c.ApplicantPhone)}, nil
}

// List returns a page of a county's cases.
func (s *Service) List(ctx context.Context, county string, f Filter) ([]Detail, int, error) {
	today := s.today()
	next := s.clock.cal.NextWorkday(rbac.ProvinceOf(county), today)
	list, total, err := s.store.list(ctx, county, f, calendar.FormatDate(today), calendar.FormatDate(next))
	if err != nil {
		return nil, 0, err
	}
	out := make([]Detail, 0, len(list))
	for _, c := range list {
		d := Detail{Case: c, WarningLight: WarningNone}
		if isOpen(c.Status) && c.ClockRunning {
			d.WarningLight = s.clock.Light(c.CountyCode, mustDate(c.PromisedDeadline), today)
			d.Overdue = today.After(mustDate(c.PromisedDeadline))
			d.StatutoryOverdue = today.After(mustDate(c.Deadline))
		}
		d.Paused = isOpen(c.Status) && !c.ClockRunning
		out = append(out, d)
	}
	return out, total, nil
}
