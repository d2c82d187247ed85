package cases

import (
	"fmt"
	"strings"
	"time"

	"safetypilot/modules/calendar"
	"safetypilot/rbac"
)

// Clock computes deadlines and warning lights with the working-day calendar.
type Clock struct {
	cal *calendar.Calendar
}

// NewClock wraps the calendar.
func NewClock(cal *calendar.Calendar) *Clock { return &Clock{cal: cal} }

// Deadlines is the outcome of counting a case's clock.
type Deadlines struct {
	Statutory   time.Time
	Promised    time.Time
	Provisional bool
	Explanation string
	PausedDays  int
}

// pausedFunc says whether a day falls in a pause: from the day after a pause
// began through the day it ended (an open pause runs through today).
func pausedFunc(pauses []Pause, today time.Time) func(time.Time) bool {
	type span struct{ from, to time.Time }
	var spans []span
	for _, p := range pauses {
		from, err := calendar.ParseDate(p.StartedOn)
		if err != nil {
			continue
		}
		to := today
		if p.EndedOn != nil {
			if t, err := calendar.ParseDate(*p.EndedOn); err == nil {
				to = t
			}
		}
		spans = append(spans, span{from, to})
	}
	return func(d time.Time) bool {
		for _, s := range spans {
			if d.After(s.from) && !d.After(s.to) {
				return true
			}
		}
		return false
	}
}

// Compute counts the statutory and promised limits (plus any extension) from
// the day after receipt, skipping days off and paused days, and explains it.
func (k *Clock) Compute(c Case, pauses []Pause, today time.Time) (Deadlines, error) {
	received, err := calendar.ParseDate(c.ReceivedOn)
	if err != nil {
		return Deadlines{}, err
	}
	province := rbac.ProvinceOf(c.CountyCode)
	paused := pausedFunc(pauses, today)
	statutory, st := k.cal.AddWorkdays(province, received, c.StatutoryDays+c.ExtensionDays, paused)
	promised, pt := k.cal.AddWorkdays(province, received, c.PromisedDays+promisedExtension(c), paused)
	d := Deadlines{Statutory: statutory, Promised: promised, Provisional: st.Provisional() || pt.Provisional(), PausedDays: st.Paused}

	var b strings.Builder
	fmt.Fprintf(&b, "%s收件，自次日起按工作日计算：法定时限%d个工作日，承诺时限%d个工作日", c.ReceivedOn, c.StatutoryDays, c.PromisedDays)
	if c.ExtensionDays > 0 {
		fmt.Fprintf(&b, "，经负责人批准法定时限延长%d个工作日、承诺时限相应延长%d个工作日", c.ExtensionDays, promisedExtension(c))
	}
	b.WriteString("。")
	if len(pauses) > 0 {
		var parts []string
		for _, p := range pauses {
			end := "至今"
			if p.EndedOn != nil {
				end = "至" + *p.EndedOn
			}
			parts = append(parts, fmt.Sprintf("%s（%s%s）", p.Kind, p.StartedOn, end))
		}
		fmt.Fprintf(&b, "暂停计时%d个工作日：%s。", st.Paused, strings.Join(parts, "；"))
	}
	if len(st.Holidays) > 0 {
		fmt.Fprintf(&b, "跳过节假日：%s。", strings.Join(st.Holidays, "、"))
	}
	if len(st.Makeup) > 0 {
		fmt.Fprintf(&b, "调休上班日照常计算：%s。", strings.Join(st.Makeup, "、"))
	}
	fmt.Fprintf(&b, "法定期限：%s；承诺期限：%s。", calendar.FormatDate(statutory), calendar.FormatDate(promised))
	if d.Provisional {
		years := append(st.MissingYears, pt.MissingYears...)
		fmt.Fprintf(&b, "注意：尚未录入%d年的节假日安排，期限暂按仅排除周末计算，录入后将自动重算。", years[0])
	}
	d.Explanation = b.String()
	return d, nil
}

// promisedExtension is how far an approved extension moves the promised
// deadline: by the extension cut in the item's own proportion of promised to
// statutory days (rounded down), so the promise stays as much shorter than
// the extended statutory limit as it was than the ordinary one (a 13-of-20
// promise extended by 10 becomes 19 of 30), rather than gaining the whole
// extension and losing the cut. The law knows no promised limit; this is
// the county's own commitment, and this rule is ours.
func promisedExtension(c Case) int {
	if c.ExtensionDays == 0 || c.StatutoryDays == 0 || c.PromisedDays == 0 {
		return c.ExtensionDays
	}
	return c.ExtensionDays * c.PromisedDays / c.StatutoryDays
}

// StepDue is the due date of a step that started on start.
func (k *Clock) StepDue(county string, start time.Time, limit int, pauses []Pause, today time.Time) time.Time {
	due, _ := k.cal.AddWorkdays(rbac.ProvinceOf(county), start, limit, pausedFunc(pauses, today))
	return due
}

// Light is the warning light for a deadline seen on today: red once it has
// passed, yellow from one working day before it.
func (k *Clock) Light(county string, deadline, today time.Time) string {
	if today.After(deadline) {
		return WarningRed
	}
	if !k.cal.NextWorkday(rbac.ProvinceOf(county), today).Before(deadline) {
		return WarningYellow
	}
	return WarningNone
}

// WorkdaysBetween counts the working days from the day after from through to.
func (k *Clock) WorkdaysBetween(county string, from, to time.Time) int {
	n, _ := k.cal.WorkdaysBetween(rbac.ProvinceOf(county), from, to)
	return n
}
