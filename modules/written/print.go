package written

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"strings"
)

//go:embed templates/print.html
var templateFiles embed.FS

var printTemplate = template.Must(template.New("letter").ParseFS(templateFiles, "templates/print.html"))

// Addressing is what the clock's owner knows of the notice's subject: who
// it goes to and what it is about. It appears on the staff's print page only.
type Addressing struct {
	CountyName string
	// Addressee is the applicant or requester the notice is sent to.
	Addressee string
	// TrackingLabel and TrackingNo: "受理编号" of a case, "申请编号" of a request.
	TrackingLabel, TrackingNo string
	// What the application is for: the item of a case ("申请事项"), the
	// information asked for by a request ("所需信息").
	SubjectLabel, SubjectText string
	ReceivedOn                string
}

// Letter is a notice laid out for printing.
type Letter struct {
	Title, DocNo, Basis, BodyName string
	Addressing
	Notice     Notice
	Paragraphs []string
	// Quoted is the reason as entered, set apart where the notice lists what
	// the addressee must do (the 补正 notices).
	Quoted   string
	IssuedOn string // as Chinese text, 2026年12月7日
}

// Compose writes the notice's text: the facts, the reason as entered, the
// period, the deadline as computed when it was issued, and the provision.
func Compose(n Notice, a Addressing) Letter {
	info, _ := Info(n.Kind)
	l := Letter{Title: info.Title, DocNo: n.Number(a.CountyName), Basis: info.Basis, BodyName: BodyName(a.CountyName),
		Addressing: a, Notice: n, IssuedOn: chineseDate(n.IssuedOn)}
	deadline := dateText(n.Deadline)
	if n.DeadlineProvisional {
		deadline += "（暂定：该年度节假日安排尚未公布，暂按仅排除周末计算）"
	}
	received := dateText(a.ReceivedOn)
	p := func(format string, args ...any) { l.Paragraphs = append(l.Paragraphs, fmt.Sprintf(format, args...)) }
	switch n.Kind {
	case KindCasePause:
		p("你（单位）于%s提出的%s申请（%s：%s），因%s，需要进行%s。依照%s的规定，%s所需时间不计算在行政许可期限内。",
			received, a.SubjectText, a.TrackingLabel, a.TrackingNo, trimEnd(n.Reason), n.PauseKind, info.Basis, n.PauseKind)
		if n.PeriodEnd == "" {
			// Issued without the expected end: the time needed is written in by hand.
			p("%s自%s开始，预计所需时间为____个工作日（至%s）。办理期限相应顺延，实际顺延时间以%s实际所需时间为准。",
				n.PauseKind, dateText(n.PeriodStart), dateText(""), n.PauseKind)
		} else {
			p("%s自%s开始，预计所需时间为%d个工作日（至%s）。办理期限相应顺延：%s如期结束的，法定办理期限顺延至%s；实际顺延时间以%s实际所需时间为准。",
				n.PauseKind, dateText(n.PeriodStart), n.PeriodWorkdays, dateText(n.PeriodEnd), n.PauseKind, deadline, n.PauseKind)
		}
	case KindCaseCorrection:
		p("你（单位）于%s提交的%s申请（%s：%s），申请材料不齐全或者不符合法定形式。依照%s的规定，现一次告知需要补正的全部内容如下：",
			received, a.SubjectText, a.TrackingLabel, a.TrackingNo, info.Basis)
		l.Quoted = blankIfEmpty(n.Reason)
		if n.PeriodEnd != "" {
			p("请于%s前向本机关提交全部补正材料。", dateText(n.PeriodEnd))
		}
		p("等待补正期间不计入办理期限；本机关收到全部补正材料后，办理期限自次日起继续计算。")
	case KindCaseExtension:
		p("你（单位）于%s提出的%s申请（%s：%s），因%s，本机关不能在法定期限内作出行政许可决定。依照%s的规定，经本机关负责人批准，办理期限延长%d个工作日，法定办理期限延长至%s。",
			received, a.SubjectText, a.TrackingLabel, a.TrackingNo, trimEnd(n.Reason), info.Basis, n.PeriodWorkdays, deadline)
	case KindCaseApproval:
		p("你（单位）于%s提出的%s申请（%s：%s），经审查，符合法定条件、标准。依照%s的规定，本机关决定准予行政许可。",
			received, a.SubjectText, a.TrackingLabel, a.TrackingNo, info.Basis)
		if n.Reason != "" {
			p("说明：%s", n.Reason)
		}
		p("依照《中华人民共和国行政许可法》第四十条的规定，本决定将予以公开。")
	case KindCaseDenial:
		p("你（单位）于%s提出的%s申请（%s：%s），经审查，不符合法定条件、标准，理由如下：",
			received, a.SubjectText, a.TrackingLabel, a.TrackingNo)
		l.Quoted = blankIfEmpty(n.Reason)
		p("依照%s的规定，本机关决定不予行政许可。", info.Basis)
		p("你（单位）如不服本决定，可以依法申请行政复议或者提起行政诉讼。")
	case KindRequestCorrection:
		p("你（单位）于%s提出的政府信息公开申请（%s：%s），申请内容不明确。依照%s的规定，现一次性告知需要补正的事项如下：",
			received, a.TrackingLabel, a.TrackingNo, info.Basis)
		l.Quoted = blankIfEmpty(n.Reason)
		p("请于%s前向本机关提交补正后的申请。答复期限自本机关收到补正后的申请之日起计算；无正当理由逾期不补正的，视为放弃申请，本机关不再处理该政府信息公开申请。",
			dateText(n.PeriodEnd))
	case KindRequestExtension:
		p("你（单位）于%s提出的政府信息公开申请（%s：%s），因%s，本机关不能在20个工作日内答复。依照%s的规定，经本机关政府信息公开工作机构负责人同意，答复期限延长%d个工作日，至%s。",
			received, a.TrackingLabel, a.TrackingNo, trimEnd(n.Reason), info.Basis, n.PeriodWorkdays, deadline)
	case KindRequestConsultation:
		p("你（单位）于%s提出的政府信息公开申请（%s：%s），本机关已于%s书面征求第三方或者其他机关的意见。依照%s的规定，征求意见所需时间不计算在答复期限内，答复期限相应顺延；意见返回或者征求意见期限届满后，本机关将依法答复。",
			received, a.TrackingLabel, a.TrackingNo, dateText(n.PeriodStart), info.Basis)
		if n.Reason != "" {
			p("说明：%s", n.Reason)
		}
	}
	closing := "特此告知。"
	if n.Kind == KindCaseApproval || n.Kind == KindCaseDenial {
		closing = "特此决定。"
	}
	p("%s你（单位）可凭%s在本机关政务公开网站查询办理进度。", closing, a.TrackingLabel)
	return l
}

// PrintHTML renders the print-ready page of a letter: a standalone HTML
// document laid out for A4, in the report print pages' style.
func PrintHTML(l Letter) ([]byte, error) {
	var buf bytes.Buffer
	if err := printTemplate.ExecuteTemplate(&buf, "letter", l); err != nil {
		return nil, fmt.Errorf("written: render: %w", err)
	}
	return buf.Bytes(), nil
}

// blankIfEmpty is text to quote, or lines to write on by hand when none was entered.
func blankIfEmpty(s string) string {
	if strings.TrimSpace(s) == "" {
		return "________________________________________\n________________________________________"
	}
	return s
}

// dateText is a YYYY-MM-DD date as Chinese text, or "____年__月__日" for none.
func dateText(d string) string {
	if d == "" {
		return "____年__月__日"
	}
	return chineseDate(d)
}

// chineseDate writes 2026-03-05 as 2026年3月5日.
func chineseDate(d string) string {
	var y, m, day int
	if _, err := fmt.Sscanf(d, "%d-%d-%d", &y, &m, &day); err != nil {
		return d
	}
	return fmt.Sprintf("%d年%d月%d日", y, m, day)
}

// trimEnd drops the full stop a clerk ends a reason with, so it reads within
// the sentence.
func trimEnd(s string) string { return strings.TrimRight(strings.TrimSpace(s), "。.；;，,") }
