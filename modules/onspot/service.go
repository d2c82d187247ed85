package onspot

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/calendar"
	"safetypilot/modules/cases"
	"safetypilot/modules/catalog"
	"safetypilot/modules/db"
	"safetypilot/modules/disclosure"
	"safetypilot/modules/notices"
	"safetypilot/rbac"
)

// Actor is who acts, with the module permissions they hold in the county.
type Actor struct {
	ID   int64
	Name string
	// CanRecord: an enforcement officer (onspot:record).
	CanRecord bool
	// CanFile: the bureau's 负责人 or 法制 (onspot:file).
	CanFile bool
}

// Checker answers whether a user holds a permission in a region
// (rbac.Enforcer): the officers named on a decision must be officers of
// the county.
type Checker interface {
	Check(ctx context.Context, userID int64, region, perm string) (bool, error)
}

// Items reads a county's published catalog items (catalog.Service).
type Items interface {
	GetPublished(ctx context.Context, county, code string) (catalog.ItemView, error)
	ListPublished(ctx context.Context, county string) ([]catalog.ItemView, error)
}

// Counties names a county for the decision's number.
type Counties interface {
	CountyName(ctx context.Context, code string) (string, error)
}

// Service holds the rules of the 简易程序.
type Service struct {
	db       *db.DB
	store    *Store
	cal      *calendar.Calendar
	items    Items
	checker  Checker
	counties Counties
	// Now is the clock; tests may replace it.
	Now func() time.Time
}

// NewService builds the service.
func NewService(database *db.DB, cal *calendar.Calendar, items Items, checker Checker, counties Counties) *Service {
	return &Service{db: database, store: NewStore(database), cal: cal, items: items, checker: checker, counties: counties, Now: db.Now}
}

func (s *Service) today() time.Time { return calendar.Today(s.Now()) }

// addWorkdays is the shared calendar's working-day count (第八十五条).
func (s *Service) addWorkdays(province string, from time.Time, n int) time.Time {
	d, _ := s.cal.AddWorkdays(province, from, n, nil)
	return d
}

// Dues are a decision's deposit dates.
func (s *Service) Dues(d Decision) Dues {
	return DepositDues(d, rbac.ProvinceOf(d.CountyCode), s.addWorkdays)
}

// Party is the party of a decision (当事人).
type Party struct {
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	CreditCode string `json:"credit_code"`
	IDNumber   string `json:"id_number"`
}

// RecordInput is what recording a decision takes.
type RecordInput struct {
	ItemCode   string    `json:"item_code"`
	Party      Party     `json:"party"`
	Facts      string    `json:"facts"`
	LegalBasis string    `json:"legal_basis"`
	Penalty    string    `json:"penalty"`
	FineYuan   int64     `json:"fine_yuan"`
	Officers   []Officer `json:"officers"`
	Place      string    `json:"place"`
	DecidedOn  string    `json:"decided_on"`
	// Informed: the party was told the facts, reasons and basis of the
	// penalty and of the right to state and defend (第四十四条), and was
	// heard (第四十五条).
	Informed      bool   `json:"informed"`
	Statement     string `json:"statement"`
	RefusedToSign bool   `json:"refused_to_sign"`
	// Payment is "bank" or "on_spot" for a fine ("" for a 警告).
	Payment     string `json:"payment"`
	Ground      string `json:"ground"`
	GroundNote  string `json:"ground_note"`
	ReceiptNo   string `json:"receipt_no"`
	CollectedOn string `json:"collected_on"`
}

func invalid(f map[string]string) error { return apperr.Invalid("当场处罚决定信息有误", f) }

func textField(f map[string]string, field, v string, required bool, max int) {
	if required && strings.TrimSpace(v) == "" {
		f[field] = "不能为空"
	} else if utf8.RuneCountInString(v) > max {
		f[field] = fmt.Sprintf("不超过%d字", max)
	}
}

// checkDate validates a date: present, not after today, not before after.
func checkDate(f map[string]string, field, v string, today time.Time, after, afterWhat string) {
	if v == "" {
		f[field] = "请填写日期（YYYY-MM-DD）"
		return
	}
	d, err := calendar.ParseDate(v)
	if err != nil {
		f[field] = "日期格式应为 YYYY-MM-DD"
		return
	}
	if d.After(today) {
		f[field] = "日期不能晚于今天"
	} else if after != "" && v < after {
		f[field] = fmt.Sprintf("日期不能早于%s（%s）", afterWhat, after)
	}
}

// PenaltyItems lists the county's published 行政处罚 items (power type CF).
func (s *Service) PenaltyItems(ctx context.Context, county string) ([]catalog.ItemView, error) {
	all, err := s.items.ListPublished(ctx, county)
	if err != nil {
		return nil, err
	}
	var out []catalog.ItemView
	for _, it := range all {
		if it.PowerType == "CF" {
			out = append(out, it)
		}
	}
	return out, nil
}

// Record records an on-the-spot decision and numbers it in the county's
// series of its year. Refused with 400 naming each field: a fine above the
// limit of 第五十一条 for the party's kind (fine_yuan, with a pointer to the
// general procedure), fewer than two officers or one without a certificate
// number (第四十二条, 第五十二条), dates in the future or out of order, a
// party not told and heard, 当场收缴 where 第六十八条/第六十九条 do not allow
// it or without the 专用票据's number (第七十条).
func (s *Service) Record(ctx context.Context, actor Actor, county string, in RecordInput) (Decision, []Officer, error) {
	if !actor.CanRecord {
		return Decision{}, nil, apperr.Forbidden("forbidden", "只有执法人员可以作出当场处罚决定")
	}
	countyName, err := s.counties.CountyName(ctx, county)
	if err != nil {
		return Decision{}, nil, err
	}
	today := s.today()
	in.Party.Name, in.Facts, in.LegalBasis, in.Place = strings.TrimSpace(in.Party.Name), strings.TrimSpace(in.Facts),
		strings.TrimSpace(in.LegalBasis), strings.TrimSpace(in.Place)
	in.Party.CreditCode = strings.ToUpper(strings.TrimSpace(in.Party.CreditCode))
	in.Party.IDNumber = strings.ToUpper(strings.TrimSpace(in.Party.IDNumber))
	in.ReceiptNo, in.GroundNote, in.Statement = strings.TrimSpace(in.ReceiptNo), strings.TrimSpace(in.GroundNote), strings.TrimSpace(in.Statement)
	f := map[string]string{}
	if strings.TrimSpace(in.ItemCode) == "" {
		f["item_code"] = "请选择行政处罚事项"
	}
	switch in.Party.Kind {
	case PartyOrganization:
		if !cases.ValidCreditCode(in.Party.CreditCode) {
			f["party.credit_code"] = "统一社会信用代码无效（18位，含校验码）"
		}
		in.Party.IDNumber = ""
	case PartyIndividual:
		if !disclosure.ValidIDNumber(in.Party.IDNumber) {
			f["party.id_number"] = "居民身份证号码无效（18位，含校验码）"
		}
		in.Party.CreditCode = ""
	default:
		f["party.kind"] = "当事人类型应为 organization（法人或者其他组织）或 individual（公民）"
	}
	textField(f, "party.name", in.Party.Name, true, 200)
	textField(f, "facts", in.Facts, true, 5000)
	textField(f, "legal_basis", in.LegalBasis, false, 2000)
	textField(f, "place", in.Place, true, 200)
	textField(f, "statement", in.Statement, false, 5000)
	checkDate(f, "decided_on", in.DecidedOn, today, "", "")
	if f["decided_on"] == "" {
		if d, _ := calendar.ParseDate(in.DecidedOn); today.Sub(d) > 366*24*time.Hour {
			f["decided_on"] = "决定日期不能早于一年前"
		}
	}
	if !in.Informed {
		f["informed"] = "作出决定前应当告知当事人违法事实、处罚理由和依据及陈述、申辩的权利，并听取陈述、申辩（《行政处罚法》第四十四条、第四十五条）"
	}
	switch in.Penalty {
	case PenaltyWarning:
		if in.FineYuan != 0 {
			f["fine_yuan"] = "警告不处罚款"
		}
		if in.Payment != "" {
			f["payment"] = "警告无须缴纳罚款"
		}
	case PenaltyFine:
		limit := MaxFine(in.Party.Kind)
		switch {
		case in.FineYuan <= 0:
			f["fine_yuan"] = "请填写罚款金额（元）"
		case in.FineYuan > limit && in.Party.Kind != "":
			who := map[string]string{PartyIndividual: "公民", PartyOrganization: "法人或者其他组织"}[in.Party.Kind]
			f["fine_yuan"] = fmt.Sprintf("对%s当场罚款不得超过%d元（《行政处罚法》第五十一条）；超过的，请按一般程序立案办理", who, limit)
		}
		s.checkPayment(f, &in, today)
	default:
		f["penalty"] = "简易程序只能处以警告或者罚款（《行政处罚法》第五十一条）"
	}
	officers := s.checkOfficers(ctx, f, county, in.Officers)
	if len(f) > 0 {
		return Decision{}, nil, invalid(f)
	}
	item, err := s.items.GetPublished(ctx, county, in.ItemCode)
	if err == apperr.ErrNotFound {
		return Decision{}, nil, apperr.InvalidField("item_code", "该事项不存在或尚未发布")
	}
	if err != nil {
		return Decision{}, nil, err
	}
	if item.PowerType != "CF" {
		return Decision{}, nil, apperr.InvalidField("item_code", "该事项不是行政处罚事项")
	}
	if in.LegalBasis == "" {
		in.LegalBasis = item.LegalBasis
	}
	if strings.TrimSpace(in.LegalBasis) == "" {
		return Decision{}, nil, apperr.InvalidField("legal_basis", "请填写处罚依据")
	}
	now := db.Now()
	d := Decision{CountyCode: county, ItemCode: item.Code, ItemVer: item.PublishedVersion, ItemName: item.Name,
		PartyKind: in.Party.Kind, PartyName: in.Party.Name, PartyCreditCode: in.Party.CreditCode, PartyIDNumber: in.Party.IDNumber,
		Facts: in.Facts, LegalBasis: in.LegalBasis, Penalty: in.Penalty, FineYuan: in.FineYuan, Place: in.Place,
		DecidedOn: in.DecidedOn, Informed: true, Statement: in.Statement, RefusedToSign: in.RefusedToSign, Payment: in.Payment,
		Ground: in.Ground, GroundNote: in.GroundNote, ReceiptNo: in.ReceiptNo, CollectedOn: in.CollectedOn,
		DepositWarning: WarningNone, CreatedBy: actor.ID, CreatedAt: now, UpdatedAt: now}
	if d.Payment == PaymentBank {
		d.PaymentDue = PaymentDueOf(d.DecidedOn)
	}
	d.DocYear = 0
	fmt.Sscanf(d.DecidedOn[:4], "%d", &d.DocYear)
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		d.ID = 0
		seq, err := s.store.nextNumber(ctx, tx, county, d.DocYear)
		if err != nil {
			return err
		}
		d.DocSeq, d.DecisionNo = seq, Number(countyName, d.DocYear, seq)
		return s.store.insert(ctx, tx, &d, officers)
	})
	if err != nil {
		return Decision{}, nil, err
	}
	list, err := s.store.officers(ctx, county, d.ID)
	return d, list, err
}

// checkPayment validates how a fine is paid.
func (s *Service) checkPayment(f map[string]string, in *RecordInput, today time.Time) {
	switch in.Payment {
	case PaymentBank:
		in.Ground, in.GroundNote, in.ReceiptNo, in.CollectedOn = "", "", "", ""
	case PaymentOnSpot:
		switch in.Ground {
		case GroundSmall:
			if in.FineYuan > SmallFineYuan {
				f["ground"] = fmt.Sprintf("罚款%d元超过一百元，不能依第六十八条第（一）项当场收缴；可到指定银行或通过电子支付系统缴纳", in.FineYuan)
			}
		case GroundHardToEnforce, GroundRemote:
			if in.GroundNote == "" {
				f["ground_note"] = map[string]string{GroundHardToEnforce: "请说明不当场收缴事后难以执行的情况",
					GroundRemote: "请说明所在地区和当事人提出缴纳确有困难的情况"}[in.Ground]
			} else {
				textField(f, "ground_note", in.GroundNote, false, 500)
			}
		default:
			f["ground"] = "当场收缴须符合《行政处罚法》第六十八条或第六十九条的情形：small、hard_to_enforce 或 remote"
		}
		if in.ReceiptNo == "" {
			f["receipt_no"] = "当场收缴罚款必须出具财政部门统一制发的专用票据，请填写票据号码（《行政处罚法》第七十条）"
		} else {
			textField(f, "receipt_no", in.ReceiptNo, false, 64)
		}
		if in.CollectedOn == "" {
			in.CollectedOn = in.DecidedOn
		}
		checkDate(f, "collected_on", in.CollectedOn, today, in.DecidedOn, "决定日期")
	default:
		f["payment"] = "请选择缴纳方式：bank（到指定银行或电子支付系统缴纳）或 on_spot（当场收缴）"
	}
}

// checkOfficers validates the officers present: at least MinOfficers
// distinct officers of the county, each with a certificate number.
func (s *Service) checkOfficers(ctx context.Context, f map[string]string, county string, list []Officer) []Officer {
	if len(list) < MinOfficers {
		f["officers"] = "当场处罚的执法人员不得少于两人（《行政处罚法》第四十二条），请填写两名执法人员及其执法证号"
	}
	if len(list) > MaxOfficers {
		f["officers"] = fmt.Sprintf("最多填写%d名执法人员", MaxOfficers)
		return nil
	}
	seen := map[int64]bool{}
	out := make([]Officer, 0, len(list))
	for i, o := range list {
		o.CertNo = strings.TrimSpace(o.CertNo)
		key := fmt.Sprintf("officers[%d]", i)
		switch {
		case o.UserID <= 0:
			f[key+".user_id"] = "请选择执法人员"
		case seen[o.UserID]:
			f[key+".user_id"] = "执法人员不能重复"
		default:
			ok, err := s.checker.Check(ctx, o.UserID, county, RecordPermission)
			if err != nil || !ok {
				f[key+".user_id"] = "不是本县的执法人员"
			}
		}
		seen[o.UserID] = true
		if o.CertNo == "" {
			f[key+".cert_no"] = "请填写执法证号（当场处罚应当向当事人出示执法证件，《行政处罚法》第五十二条）"
		} else if utf8.RuneCountInString(o.CertNo) > 32 {
			f[key+".cert_no"] = "不超过32字"
		}
		out = append(out, o)
	}
	return out
}

// Get reads one of a county's decisions.
func (s *Service) Get(ctx context.Context, county string, id int64) (Decision, error) {
	return s.store.get(ctx, s.db, county, id, false)
}

// Officers reads a decision's officers.
func (s *Service) Officers(ctx context.Context, county string, id int64) ([]Officer, error) {
	return s.store.officers(ctx, county, id)
}

// List reads a page of a county's decisions.
func (s *Service) List(ctx context.Context, county string, f Filter) ([]Decision, int, error) {
	return s.store.list(ctx, county, f)
}

// ActionInput is a step after the decision.
type ActionInput struct {
	// Action: file (备案), hand_over, bank, pay.
	Action   string   `json:"action"`
	On       string   `json:"on"`
	PaidYuan *float64 `json:"paid_yuan"`
}

// Actions lists the steps after a decision.
var Actions = []string{"file", "hand_over", "bank", "pay"}

// ActionTitles names the steps.
var ActionTitles = map[string]string{"file": "备案", "hand_over": "交至行政机关", "bank": "缴付指定银行", "pay": "银行缴款"}

// Available tells whether a step is open on a decision and the actor may
// take it (nil), else why not.
func Available(d Decision, actor Actor, action string) error {
	switch action {
	case "file":
		if !actor.CanFile {
			return apperr.Forbidden("forbidden", "只有负责人或法制审核人员可以确认备案")
		}
		if d.FiledOn != "" {
			return apperr.Conflict("already_filed", "该决定已备案")
		}
	case "hand_over":
		if !actor.CanRecord && !actor.CanFile {
			return apperr.Forbidden("forbidden", "只有执法人员或负责人可以登记罚款交至行政机关")
		}
		if DepositStage(d) != StageHandOver {
			return apperr.Conflict("wrong_state", "该决定没有待交至行政机关的当场收缴罚款")
		}
	case "bank":
		if !actor.CanFile {
			return apperr.Forbidden("forbidden", "只有负责人或法制审核人员可以登记缴付银行")
		}
		if DepositStage(d) != StageBank {
			return apperr.Conflict("wrong_state", "该决定没有待缴付银行的罚款")
		}
	case "pay":
		if !actor.CanRecord && !actor.CanFile {
			return apperr.Forbidden("forbidden", "只有执法人员或负责人可以登记缴款")
		}
		if d.Payment != PaymentBank || d.PaidOn != "" {
			return apperr.Conflict("wrong_state", "该决定没有待到银行缴纳的罚款")
		}
	default:
		return apperr.InvalidField("action", "未知的办理环节")
	}
	return nil
}

// Act takes a step after the decision: the bureau acknowledges the 备案
// (第五十二条第三款), the officer hands the cash to the bureau and the bureau
// pays it into the bank (第七十一条), or the party's bank payment is
// recorded with its surcharge (第六十七条, 第七十二条).
func (s *Service) Act(ctx context.Context, actor Actor, county string, id int64, in ActionInput) (Decision, error) {
	today := s.today()
	if in.On == "" {
		in.On = calendar.FormatDate(today)
	}
	var out Decision
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		d, err := s.store.get(ctx, tx, county, id, true)
		if err != nil {
			return err
		}
		if err := Available(d, actor, in.Action); err != nil {
			return err
		}
		f := map[string]string{}
		switch in.Action {
		case "file":
			checkDate(f, "on", in.On, today, d.DecidedOn, "决定日期")
			d.FiledOn, d.FiledBy, d.FiledByName = in.On, actor.ID, actor.Name
		case "hand_over":
			checkDate(f, "on", in.On, today, d.CollectedOn, "收缴日期")
			d.HandedOn, d.HandedBy, d.DepositWarning = in.On, actor.ID, WarningNone
		case "bank":
			checkDate(f, "on", in.On, today, d.HandedOn, "交至行政机关日期")
			d.BankedOn, d.BankedBy, d.DepositWarning = in.On, actor.ID, WarningNone
		case "pay":
			checkDate(f, "on", in.On, today, d.DecidedOn, "决定日期")
			if len(f) == 0 {
				paid, _ := calendar.ParseDate(in.On)
				sur := SurchargeFen(d, paid)
				want := d.FineYuan*100 + sur
				if in.PaidYuan == nil || int64(*in.PaidYuan*100+0.5) != want {
					f["paid_yuan"] = fmt.Sprintf("应缴金额为%.2f元（罚款%d元、加处罚款%.2f元）", float64(want)/100, d.FineYuan, float64(sur)/100)
				}
				d.PaidOn, d.PaidFen = in.On, want
			}
		}
		if len(f) > 0 {
			return invalid(f)
		}
		d.UpdatedAt = db.Now()
		if err := s.store.update(ctx, tx, &d); err != nil {
			return err
		}
		out = d
		return nil
	})
	return out, err
}

// Flags counts what one run of the overdue job raised on deposits.
type Flags struct {
	Yellow, Red int
	// PaymentRed counts fines to be paid at the bank found unpaid past
	// their fifteen days.
	PaymentRed int
}

// String is the run's summary in the job record.
func (f Flags) String() string {
	return fmt.Sprintf("当场收缴罚款缴付期限今日届满%d件、已逾期%d件，当场处罚罚款逾期未缴纳%d件", f.Yellow, f.Red, f.PaymentRed)
}

// FlagOverdue lights the deposit clock of 第七十一条 exactly once per stage
// and light: yellow on the stage's last day, red after it. Each change is a
// guarded update from the light the scan saw, with a notice to the
// decision's officer and the county administrators, in one transaction:
// however many replicas run the job, a light goes on once. Handing over
// resets the light, so the bank stage lights on its own.
func (s *Service) FlagOverdue(ctx context.Context) (Flags, error) {
	var res Flags
	today := s.today()
	for _, p := range []struct {
		from, to string
		count    *int
	}{
		{WarningNone, WarningRed, &res.Red},
		{WarningYellow, WarningRed, &res.Red},
		{WarningNone, WarningYellow, &res.Yellow},
	} {
		var list []Decision
		if err := s.db.SelectContext(ctx, &list, `SELECT `+decisionColumns+` FROM onspot_decisions
			WHERE deposit_warning = ? AND payment = ? AND collected_on <> '' AND banked_on = '' AND collected_on <= ?
			ORDER BY id LIMIT 5000`, p.from, PaymentOnSpot, calendar.FormatDate(today)); err != nil {
			return res, fmt.Errorf("onspot: overdue scan: %w", err)
		}
		if err := s.store.openAll(list); err != nil {
			return res, err
		}
		for _, d := range list {
			dues := s.Dues(d)
			if DepositLight(d, dues, today) != p.to {
				continue
			}
			ok, err := s.flagOnce(ctx, d, dues, p.from, p.to)
			if err != nil {
				return res, err
			}
			if ok {
				*p.count++
			}
		}
	}
	// Fines to be paid at the bank, unpaid past payment_due: red once.
	var unpaid []Decision
	if err := s.db.SelectContext(ctx, &unpaid, `SELECT `+decisionColumns+` FROM onspot_decisions
		WHERE payment_warning = ? AND payment = ? AND paid_on = '' AND payment_due <> '' AND payment_due < ?
		ORDER BY id LIMIT 5000`, WarningNone, PaymentBank, calendar.FormatDate(today)); err != nil {
		return res, fmt.Errorf("onspot: payment scan: %w", err)
	}
	if err := s.store.openAll(unpaid); err != nil {
		return res, err
	}
	for _, d := range unpaid {
		msg := fmt.Sprintf("当场处罚决定 %s（%s）罚款缴纳期限 %s 已届满，尚未缴纳，开始加处罚款", d.DecisionNo, partyLabel(d), d.PaymentDue)
		changed := false
		err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
			changed = false
			res, err := tx.ExecContext(ctx, `UPDATE onspot_decisions SET payment_warning = ? WHERE county_code = ? AND id = ?
				AND payment_warning = ? AND paid_on = ''`, WarningRed, d.CountyCode, d.ID, WarningNone)
			if err != nil {
				return fmt.Errorf("onspot: flag payment: %w", err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return nil
			}
			changed = true
			return notifyStaff(ctx, tx, d, notices.KindOnSpotPaymentRed, msg)
		})
		if err != nil {
			return res, err
		}
		if changed {
			res.PaymentRed++
		}
	}
	return res, nil
}

func (s *Service) flagOnce(ctx context.Context, d Decision, dues Dues, from, to string) (bool, error) {
	stage := DepositStage(d)
	due := map[string]string{StageHandOver: dues.HandOver, StageBank: dues.Bank}[stage]
	msg := depositMessage(d, stage, due, to)
	kind := notices.KindDepositYellow
	if to == WarningRed {
		kind = notices.KindDepositRed
	}
	changed := false
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		changed = false
		res, err := tx.ExecContext(ctx, `UPDATE onspot_decisions SET deposit_warning = ? WHERE county_code = ? AND id = ?
			AND deposit_warning = ? AND handed_on = ? AND banked_on = ''`, to, d.CountyCode, d.ID, from, d.HandedOn)
		if err != nil {
			return fmt.Errorf("onspot: flag: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		changed = true
		return notifyStaff(ctx, tx, d, kind, msg)
	})
	return changed, err
}

// notifyStaff leaves a notice to the county administrators and the
// decision's officer.
func notifyStaff(ctx context.Context, tx *sqlx.Tx, d Decision, kind, msg string) error {
	recipients, err := rbac.UsersWithRole(ctx, tx, rbac.CountyAdmin, d.CountyCode)
	if err != nil {
		return err
	}
	recipients = append(recipients, d.CreatedBy)
	seen := map[int64]bool{}
	for _, uid := range recipients {
		if seen[uid] || uid == 0 {
			continue
		}
		seen[uid] = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO notices (county_code, user_id, case_id, kind, message, created_at)
			VALUES (?, ?, 0, ?, ?, ?)`, d.CountyCode, uid, kind, msg, db.Now()); err != nil {
			return fmt.Errorf("onspot: notice: %w", err)
		}
	}
	return nil
}
