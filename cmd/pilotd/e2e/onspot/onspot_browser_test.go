package onspot_test

import (
	"testing"

	"safetypilot/cmd/pilotd/internal/e2e"
)

// TestOnSpotBrowser: in Chromium an officer records an on-the-spot decision
// through the form; a fine above the limit of 第五十一条 is refused naming the
// field and the form keeps what was typed; the decision prints as its
// numbered 当场行政处罚决定书; the 法制 reviewer acknowledges the 备案 on the
// decision's page. Each page passes axe.
func TestOnSpotBrowser(t *testing.T) {
	t.Parallel()
	browser := e2e.Browser(t)
	s, base := e2e.ServeForBrowser(t)
	d := newDesk(s, county)
	s.EnforcementClock("2026-12-07")
	pw := e2e.CasesUserPassword
	axe := e2e.AxeScript(t)

	officer := e2e.NewTab(t, browser, base)
	officer.SignIn("o1_"+county, pw)
	officer.Open("/counties/" + county + "/onspot-decisions")
	officer.Accessible("onspot-list", axe)
	officer.Choose("os-item", "CF-001")
	officer.Choose("os-kind", "individual")
	officer.Fill("os-party", "王小明")
	officer.Fill("os-idno", "11010519491231002X")
	officer.Choose("os-penalty", "fine")
	officer.Fill("os-fine", "250")
	officer.Fill("os-place", "瑶海区和平路12号仓库")
	officer.Choose("os-date", "2026-12-07")
	officer.Choose("os-officer-1", e2e.Itoa(d.o1ID))
	officer.Fill("os-cert-1", "皖应急执34010201")
	officer.Choose("os-officer-2", e2e.Itoa(d.o2ID))
	officer.Fill("os-cert-2", "皖应急执34010202")
	officer.Fill("os-facts", "特种作业人员未持证上岗")
	officer.Tick("os-informed")
	officer.Fill("os-statement", "当事人承认违法事实")
	officer.Choose("os-payment", "bank")
	if status := officer.Click("#os-submit"); status != 400 {
		t.Errorf("fine above 200 yuan for a citizen: HTTP %d", status)
	}
	officer.WantText("[data-testid=field-errors] [data-field=fine_yuan]", "罚款金额：")
	officer.WantText("[data-testid=err-fine]", "一般程序")
	if officer.Value("os-fine") != "250" || officer.Value("os-party") != "王小明" || officer.Value("os-cert-2") != "皖应急执34010202" ||
		officer.Value("os-officer-2") != e2e.Itoa(d.o2ID) || officer.Count("#os-informed:checked") != 1 ||
		officer.Value("os-facts") != "特种作业人员未持证上岗" || officer.Value("os-payment") != "bank" {
		t.Errorf("the refused form lost what was typed: fine %q party %q cert %q officer %q informed %d",
			officer.Value("os-fine"), officer.Value("os-party"), officer.Value("os-cert-2"), officer.Value("os-officer-2"),
			officer.Count("#os-informed:checked"))
	}
	officer.Accessible("onspot-list-refused", axe)
	officer.Retype("os-fine", "150")
	officer.Submit("#os-submit")
	officer.WantText("[data-testid=os-no]", "瑶海区应急罚当〔2026〕第1号")
	officer.WantText("[data-testid=os-penalty]", "罚款 150 元")
	officer.WantText("[data-testid=os-payment-due]", "2026-12-22")
	officer.WantText("[data-testid=os-filing]", "待报所属行政机关备案")
	officer.WantText("[data-testid=os-officers]", "皖应急执34010202")
	if officer.Count("#act-file") != 0 {
		t.Errorf("an officer is offered the 备案")
	}
	decisionPath := officer.Path()
	officer.Accessible("onspot-decision", axe)

	// The document prints what 第五十二条 lists.
	officer.Submit("[data-testid=os-document]")
	officer.WantText("[data-testid=doc-title]", "当场行政处罚决定书")
	officer.WantText("[data-testid=doc-no]", "瑶海区应急罚当〔2026〕第1号")
	officer.WantText("[data-testid=doc-bureau]", "瑶海区应急管理局")
	officer.WantText("[data-testid=doc-party]", "王小明")
	officer.WantText("[data-testid=doc-facts]", "特种作业人员未持证上岗")
	officer.WantText("[data-testid=doc-basis]", "安全生产法")
	officer.WantText("[data-testid=doc-fine]", "人民币150元")
	officer.WantText("[data-testid=doc-date-made]", "2026年12月7日")
	officer.WantText("[data-testid=doc-place]", "瑶海区和平路12号仓库")
	officer.WantText("[data-testid=doc-remedy]", "行政复议")
	officer.WantText("[data-testid=doc-officers]", "皖应急执34010201")
	officer.WantText("[data-testid=doc-payment]", "2026年12月22日")
	officer.Accessible("onspot-document", axe)

	legal := e2e.NewTab(t, browser, base)
	legal.SignIn("legal_"+county, pw)
	legal.Open(decisionPath)
	legal.Submit("#os-do-file")
	legal.WantText("[data-testid=os-filing]", "2026-12-07 由 legal_"+county+" 确认备案")
	if legal.Count("#act-file") != 0 {
		t.Errorf("备案 offered twice")
	}
	legal.Open("/counties/" + county + "/onspot-decisions")
	legal.WantText("[data-testid=onspot-decisions]", "王小明")
	if legal.Count("#record") != 0 {
		t.Errorf("a legal reviewer is offered the form")
	}
}
