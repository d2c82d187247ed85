package cases

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/calendar"
	"safetypilot/modules/written"
	"safetypilot/web"
)

// ActionInput is one action on a case.
type ActionInput struct {
	Action string `json:"action"`
	Note   string `json:"note"`
	Reason string `json:"reason"`
	// Kind names the pause, one of PauseKinds.
	Kind string `json:"kind"`
	// ExpectedEnd is the day a pause is expected to end (YYYY-MM-DD): the
	// time 行政许可法 第四十五条 asks to tell the applicant in writing, so
	// required of its kinds; for 补正 the last day to correct, optional.
	ExpectedEnd string `json:"expected_end"`
}

// maxPauseDays bounds how far ahead a pause may be expected to end.
const maxPauseDays = 366

func notAllowed(c Case, action string) error {
	return apperr.Conflict("invalid_transition",
		fmt.Sprintf("当前状态（%s）下不能执行“%s”", StatusTitle(c.Status), ActionTitle(action)))
}

// Act applies an action through the status machine: 409 when the status does
// not allow it, 403 when the actor's role does not, 400 for a missing reason.
// The case row is locked for the whole transition.
func (s *Service) Act(ctx context.Context, county string, id int64, by Actor, in ActionInput) (Detail, error) {
	in.Note, in.Reason, in.Kind = strings.TrimSpace(in.Note), strings.TrimSpace(in.Reason), strings.TrimSpace(in.Kind)
	in.ExpectedEnd = strings.TrimSpace(in.ExpectedEnd)
	if utf8.RuneCountInString(in.Note) > 2000 || utf8.RuneCountInString(in.Reason) > 2000 {
		return Detail{}, apperr.Invalid("说明过长", map[string]string{"note": "不能超过2000个字"})
	}
	if err := checkRole(in.Action, by); err != nil {
		return Detail{}, err
	}
	today := s.today()
	todayStr := calendar.FormatDate(today)
	var completed *Case
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		completed = nil
		// notice is the written notice the action gives the applicant; it is
		// issued once the deadlines are recomputed.
		var notice *written.Notice
		c, err := s.store.lock(ctx, tx, county, id)
		if err != nil {
			return err
		}
		web.SetAuditSubject(ctx, "case "+c.TrackingNo)
		pauses, err := s.store.pauses(ctx, tx, county, id)
		if err != nil {
			return err
		}
		steps, err := s.store.steps(ctx, tx, county, id)
		if err != nil {
			return err
		}
		var open *Pause
		for i := range pauses {
			if pauses[i].EndedOn == nil {
				open = &pauses[i]
			}
		}
		if !contains(allowedActions(c, open != nil), in.Action) {
			return notAllowed(c, in.Action)
		}
		from := c.Status
		note := in.Note
		switch in.Action {
		case ActionAccept:
			c.Status, c.HandlerID = StatusAccepted, by.ID
		case ActionNotAccept:
			if in.Reason == "" {
				return apperr.InvalidField("reason", "不予受理须说明理由")
			}
			c.Status, c.Reason = StatusNotAccepted, in.Reason
			c.CompletedOn = &todayStr
			if err := s.finishStep(ctx, tx, &c, steps, today); err != nil {
				return err
			}
		case ActionAdvance:
			next := c.CurrentStep + 1
			if next > len(steps) {
				return apperr.Conflict("invalid_transition", "已是最后一个环节，请作出决定")
			}
			if err := s.moveStep(ctx, tx, &c, steps, next, today, pauses); err != nil {
				return err
			}
			if c.Status == StatusAccepted {
				c.Status = StatusInReview
			}
			note = joinNote(fmt.Sprintf("完成“%s”，进入“%s”", steps[next-2].Name, steps[next-1].Name), in.Note)
		case ActionPause:
			if !validPauseKind(in.Kind) {
				return apperr.InvalidField("kind", "暂停类型应为："+strings.Join(PauseKinds, "、")+"之一（行政许可法第四十五条）")
			}
			if in.Reason == "" {
				msg := "暂停计时须说明理由"
				if in.Kind == "补正" {
					msg = "须一次告知申请人需要补正的全部内容（行政许可法第三十二条）"
				}
				return apperr.InvalidField("reason", msg)
			}
			p := Pause{CaseID: c.ID, Kind: in.Kind, Reason: in.Reason, StartedOn: todayStr, StartedBy: by.ID}
			if notice, err = s.pauseNotice(c, pauses, p, in.ExpectedEnd, today); err != nil {
				return err
			}
			if err := s.store.insertPause(ctx, tx, county, p); err != nil {
				return err
			}
			if in.Kind == "补正" {
				c.Status = StatusReturned
			}
			c.ClockRunning = false
			note = joinNote(in.Kind+"："+in.Reason, in.Note)
		case ActionResume:
			if err := s.store.endPause(ctx, tx, county, open.ID, todayStr, by.ID); err != nil {
				return err
			}
			open.EndedOn = &todayStr
			if c.Status == StatusReturned {
				if c.Status, err = s.statusBeforePause(ctx, tx, c); err != nil {
					return err
				}
			}
			c.ClockRunning = true
			// The running step's clock stopped too: its due date moves.
			if c.CurrentStep >= 1 && c.CurrentStep <= len(steps) {
				if _, err := s.refreshStepDue(ctx, tx, county, steps[c.CurrentStep-1], pauses, today); err != nil {
					return err
				}
			}
			note = joinNote("结束"+open.Kind, in.Note)
		case ActionExtend:
			allowed := c.ExtensionAllowed
			if allowed == 0 {
				return apperr.Conflict("extension_not_allowed", "该事项的法定依据不允许延长办理期限")
			}
			if in.Reason == "" {
				return apperr.InvalidField("reason", "延期须说明理由")
			}
			if by.ID == c.HandlerID {
				return apperr.Forbidden("approver_is_handler", "延期须由经办人以外的人员批准")
			}
			// 第四十二条: the ten days are for a decision that cannot be made
			// within the twenty, so they are granted before those run out.
			if todayStr > c.Deadline {
				return apperr.Conflict("extension_too_late", "法定期限（"+c.Deadline+"）已过，不能再批准延期（行政许可法第四十二条）")
			}
			c.Extended, c.ExtensionDays = true, allowed
			note = joinNote(fmt.Sprintf("延长%d个工作日：%s", allowed, in.Reason), in.Note)
			// 第四十二条: "应当将延长期限的理由告知申请人"; the new deadline is
			// set below, once recomputed.
			notice = &written.Notice{Kind: written.KindCaseExtension, Reason: in.Reason, PeriodWorkdays: allowed}
		case ActionApprove, ActionDeny:
			if in.Action == ActionDeny && in.Reason == "" {
				return apperr.InvalidField("reason", "不予许可须说明理由")
			}
			c.Status, c.Decision, c.Reason, c.DecidedOn = StatusApproved, "approved", in.Reason, &todayStr
			// 第三十八条: the decision is written, and a refusal gives its reasons.
			notice = &written.Notice{Kind: written.KindCaseApproval, Reason: in.Reason}
			if in.Action == ActionDeny {
				c.Status, c.Decision = StatusDenied, "denied"
				notice.Kind = written.KindCaseDenial
			}
			// The decision completes the counted steps; a delivery step that
			// does not count against the limit becomes the active one.
			next := c.CurrentStep + 1
			for next <= len(steps) && !steps[next-1].Excluded {
				// A counted step the decision makes moot (决定 itself) is done today.
				done := todayStr
				skipped := steps[next-1]
				skipped.StartedOn, skipped.CompletedOn = &done, &done
				if err := s.store.updateStep(ctx, tx, skipped); err != nil {
					return err
				}
				next++
			}
			if next <= len(steps) {
				if err := s.moveStep(ctx, tx, &c, steps, next, today, pauses); err != nil {
					return err
				}
			} else if err := s.finishStep(ctx, tx, &c, steps, today); err != nil {
				return err
			}
			c.ClockRunning = false
			onTime := !today.After(mustDate(c.PromisedDeadline))
			c.OnTime = &onTime
		case ActionDeliver:
			if err := s.finishStep(ctx, tx, &c, steps, today); err != nil {
				return err
			}
			c.Status, c.CompletedOn = StatusDelivered, &todayStr
			completed = &c
		case ActionWithdraw:
			c.Status, c.CompletedOn, c.Reason = StatusWithdrawn, &todayStr, in.Reason
			// A pause open at withdrawal ends with the case.
			if open != nil {
				if err := s.store.endPause(ctx, tx, county, open.ID, todayStr, by.ID); err != nil {
					return err
				}
			}
			if err := s.finishStep(ctx, tx, &c, steps, today); err != nil {
				return err
			}
		}
		if !isOpen(c.Status) {
			c.ClockRunning = false
		}
		if isOpen(c.Status) {
			if err := s.recompute(&c, pauses, today); err != nil {
				return err
			}
		}
		if err := s.store.update(ctx, tx, &c); err != nil {
			return err
		}
		if notice != nil {
			if notice.Kind == written.KindCaseExtension {
				notice.Deadline, notice.DeadlineProvisional = c.Deadline, c.Provisional
			}
			notice.CountyCode, notice.Subject, notice.SubjectID = county, written.SubjectCase, c.ID
			notice.IssuedOn, notice.IssuedBy = todayStr, by.ID
			if err := s.written.Issue(ctx, tx, notice); err != nil {
				return err
			}
			if notice.Kind == written.KindCaseApproval && s.OnApproved != nil {
				if err := s.OnApproved(ctx, tx, c, *notice); err != nil {
					return err
				}
			}
		}
		return s.store.insertEvent(ctx, tx, c, in.Action, from, c.Status, by.ID, by.Username, note)
	})
	if err != nil {
		return Detail{}, err
	}
	if completed != nil {
		s.metrics.completed(*completed, s.clock)
	}
	return s.Get(ctx, county, id)
}

// pauseNotice validates the expected end of pause p, which starts today, and
// writes the notice the applicant is given: for the periods of 行政许可法
// 第四十五条 the time needed (required) and the statutory deadline should
// the pause end that day, counted by the case's clock; for 补正 the content
// to correct and, when given, the last day for it (第三十二条).
func (s *Service) pauseNotice(c Case, pauses []Pause, p Pause, expectedEnd string, today time.Time) (*written.Notice, error) {
	n := &written.Notice{Kind: written.KindCasePause, PauseKind: p.Kind, Reason: p.Reason, PeriodStart: p.StartedOn}
	if p.Kind == "补正" {
		n.Kind, n.PeriodStart = written.KindCaseCorrection, ""
	}
	if expectedEnd == "" {
		// The API contract fixes the pause as {kind, reason}: without the
		// expected end the notice leaves the time needed blank, to be filled
		// in by hand before it is served (the staff form asks for it).
		return n, nil
	}
	end, err := calendar.ParseDate(expectedEnd)
	switch {
	case err != nil:
		return nil, apperr.InvalidField("expected_end", "日期格式应为 YYYY-MM-DD")
	case end.Before(today):
		return nil, apperr.InvalidField("expected_end", "预计结束日期不能早于今天")
	case end.Sub(today) > maxPauseDays*24*time.Hour:
		return nil, apperr.InvalidField("expected_end", "预计结束日期不能晚于一年后")
	}
	n.PeriodEnd = calendar.FormatDate(end)
	if n.Kind == written.KindCaseCorrection {
		return n, nil
	}
	n.PeriodWorkdays = s.clock.WorkdaysBetween(c.CountyCode, today, end)
	ended := p
	ended.EndedOn = &n.PeriodEnd
	dl, err := s.clock.Compute(c, append(pauses[:len(pauses):len(pauses)], ended), today)
	if err != nil {
		return nil, err
	}
	n.Deadline, n.DeadlineProvisional = calendar.FormatDate(dl.Statutory), dl.Provisional
	return n, nil
}

// checkRole keeps decisions and extensions with approvers and the handling of
// cases with clerks.
func checkRole(action string, by Actor) error {
	switch action {
	case ActionApprove, ActionDeny:
		if !by.CanApprove {
			return apperr.Forbidden("forbidden", "只有审核人员或负责人可以"+ActionTitle(action))
		}
	case ActionExtend:
		if !by.CanExtend {
			return apperr.Forbidden("forbidden", "延长办理期限须经本机关负责人批准（行政许可法第四十二条）")
		}
	case ActionAccept, ActionNotAccept, ActionAdvance, ActionPause, ActionResume, ActionDeliver, ActionWithdraw:
		if !by.CanHandle {
			return apperr.Forbidden("forbidden", "只有经办人员可以"+ActionTitle(action))
		}
	default:
		return apperr.InvalidField("action", "未知操作："+action)
	}
	return nil
}

// recompute refreshes the deadlines after pauses, resumptions or extensions;
// the stored light only ever goes down here (the overdue job raises it).
func (s *Service) recompute(c *Case, pauses []Pause, today time.Time) error {
	dl, err := s.clock.Compute(*c, pauses, today)
	if err != nil {
		return err
	}
	c.applyDeadlines(dl)
	if light := s.clock.Light(c.CountyCode, dl.Promised, today); lightRank(light) < lightRank(c.Warning) {
		c.Warning = light
	}
	return nil
}

func lightRank(l string) int {
	switch l {
	case WarningRed:
		return 2
	case WarningYellow:
		return 1
	}
	return 0
}

// moveStep completes the current step and starts step next.
func (s *Service) moveStep(ctx context.Context, tx *sqlx.Tx, c *Case, steps []Step, next int, today time.Time, pauses []Pause) error {
	if err := s.finishStep(ctx, tx, c, steps, today); err != nil {
		return err
	}
	st := steps[next-1]
	started := calendar.FormatDate(today)
	due := calendar.FormatDate(s.clock.StepDue(c.CountyCode, today, st.LimitDays, pauses, today))
	st.Active, st.StartedOn, st.DueOn, st.Warning = true, &started, &due, WarningNone
	c.CurrentStep = next
	return s.store.updateStep(ctx, tx, st)
}

// refreshStepDue recounts an active step's due date with the pauses and, when
// it moved, stores it (the stored light only ever goes down here, as in
// recompute). It reports whether the date moved.
func (s *Service) refreshStepDue(ctx context.Context, tx *sqlx.Tx, county string, st Step, pauses []Pause, today time.Time) (bool, error) {
	if !st.Active || st.StartedOn == nil {
		return false, nil
	}
	due := calendar.FormatDate(s.clock.StepDue(county, mustDate(*st.StartedOn), st.LimitDays, pauses, today))
	if st.DueOn != nil && *st.DueOn == due {
		return false, nil
	}
	st.DueOn = &due
	if light := s.clock.Light(county, mustDate(due), today); lightRank(light) < lightRank(st.Warning) {
		st.Warning = light
	}
	return true, s.store.updateStep(ctx, tx, st)
}

// finishStep marks the active step completed today.
func (s *Service) finishStep(ctx context.Context, tx *sqlx.Tx, c *Case, steps []Step, today time.Time) error {
	if c.CurrentStep < 1 || c.CurrentStep > len(steps) {
		return nil
	}
	st := steps[c.CurrentStep-1]
	if !st.Active {
		return nil
	}
	done := calendar.FormatDate(today)
	st.Active, st.CompletedOn = false, &done
	return s.store.updateStep(ctx, tx, st)
}

// statusBeforePause finds the status a case had when it was returned for correction.
func (s *Service) statusBeforePause(ctx context.Context, tx *sqlx.Tx, c Case) (string, error) {
	events, err := s.store.events(ctx, tx, c.CountyCode, c.ID)
	if err != nil {
		return "", err
	}
	for i := len(events) - 1; i >= 0; i-- {
		if events[i].Kind == ActionPause {
			return events[i].FromStatus, nil
		}
	}
	return StatusAccepted, nil
}

func validPauseKind(k string) bool { return contains(PauseKinds, k) }

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func joinNote(main, extra string) string {
	if extra == "" {
		return main
	}
	return main + "。" + extra
}
