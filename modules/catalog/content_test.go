package catalog

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"safetypilot/modules/apperr"
)

// TestShippedContentLoads: the embedded data parses, every item cites known
// sources, and every template is valid content of its category.
func TestShippedContentLoads(t *testing.T) {
	s, err := LoadShipped()
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Suggestions) != 11 {
		t.Fatalf("%d clean-up suggestions, want one for each of the eleven basic powers", len(s.Suggestions))
	}
	penalties := 0
	for _, tm := range s.Templates {
		if strings.HasPrefix(tm.Code, "CF-AQ-") {
			penalties++
		}
	}
	if penalties < 10 {
		t.Errorf("%d penalty templates, want at least ten", penalties)
	}
}

// localFields replaces what a county fills in itself: its name, telephone
// and address, complaint channel, and for information items the unit and
// channel.
func localFields(c Content) Content {
	c.ImplementingBody = "瑶海区应急管理局"
	c.Consultation = "0551-62600000，瑶海区政务服务中心二楼应急管理窗口"
	c.Complaint = "驻区应急管理局纪检监察组 0551-62600001"
	c.ResponsibleUnit = "办公室"
	c.Channel = "瑶海区人民政府门户网站政府信息公开专栏"
	return c
}

// TestTemplatesPublishableAfterLocalFields: a template with only its local
// fields filled in is publishable exactly when nothing in it awaits
// verification; untouched, every template is refused and names a field.
func TestTemplatesPublishableAfterLocalFields(t *testing.T) {
	s, err := LoadShipped()
	if err != nil {
		t.Fatal(err)
	}
	publishable := map[string]bool{}
	for _, tm := range s.Templates {
		err := tm.Content.ValidateForPublishing(tm.Category)
		e, ok := apperr.As(err)
		if err == nil || !ok || len(e.Fields) == 0 {
			t.Errorf("%s untouched: %v, want refusal naming fields", tm.Code, err)
		}
		local := localFields(tm.Content)
		err = local.ValidateForPublishing(tm.Category)
		needsCheck := strings.Contains(marshal(t, local), MarkerVerify)
		switch {
		case needsCheck && err == nil:
			t.Errorf("%s still holds 【待核实】 but publishes", tm.Code)
		case !needsCheck && err != nil:
			t.Errorf("%s with local fields filled: %v", tm.Code, err)
		case err == nil:
			publishable[tm.Code] = true
		}
	}
	for _, code := range []string{"274", "281", "278", "279", "280", "282", "284", "GK01", "GK08"} {
		if !publishable[code] {
			t.Errorf("%s is not publishable after changing only local fields", code)
		}
	}
	for _, code := range []string{"275", "277", "283", "GK10", "CF-AQ-099"} {
		if publishable[code] {
			t.Errorf("%s awaits verification but is publishable", code)
		}
	}
}

// TestPenaltyTemplatesStayInStatutoryRanges: every draft tier lies within
// the statutory range it splits, and organisation and person ranges are
// separate standards.
func TestPenaltyTemplatesStayInStatutoryRanges(t *testing.T) {
	s, err := LoadShipped()
	if err != nil {
		t.Fatal(err)
	}
	tm, ok := s.Template("CF-AQ-099")
	if !ok {
		t.Fatal("no template for 第九十九条")
	}
	var org, person int
	for _, st := range tm.Content.Discretion {
		if st.StatutoryFine == nil {
			t.Fatalf("%s has no statutory range", st.ID)
		}
		switch {
		case strings.HasSuffix(st.Violation, "（对单位）"):
			org++
		case strings.HasSuffix(st.Violation, "（对责任人员）"):
			person++
		}
		for _, tier := range st.Tiers {
			if !st.StatutoryFine.covers(*tier.Fine) {
				t.Errorf("%s tier %s %s leaves %s", st.ID, tier.Level, tier.Fine.Describe(), st.StatutoryFine.Describe())
			}
		}
	}
	if org != 2 || person != 1 {
		t.Errorf("第九十九条: %d organisation and %d person standards, want 2 and 1", org, person)
	}
	// 第九十九条: 逾期未改正 the organisation 5万元以上20万元以下.
	st := tm.Content.Discretion[1]
	if st.StatutoryFine.Min != 50000 || st.StatutoryFine.Max != 200000 {
		t.Errorf("99-U2 statutory range %s", st.StatutoryFine.Describe())
	}
	// A tier moved outside the statutory range is refused, naming the tier.
	bad := tm.Content
	bad.Discretion = append([]Standard(nil), tm.Content.Discretion...)
	tiers := append([]Tier(nil), bad.Discretion[1].Tiers...)
	tiers[2].Fine = &Range{Min: 150000, Max: 250000, MaxInclusive: true}
	bad.Discretion[1].Tiers = tiers
	e, _ := apperr.As(bad.Validate(CategoryPower))
	if e == nil || !strings.Contains(e.Fields["discretion[1].tiers[2].fine"], "法定幅度") {
		t.Errorf("a tier beyond the statutory range: %+v", e)
	}
}

// TestRepealedStandardRefused: a standard citing the 2010 standard or the
// 2010 rules is refused naming its legal_basis_version; the 2024 one passes.
func TestRepealedStandardRefused(t *testing.T) {
	base := Standard{ID: "S1", Violation: "未设置安全警示标志", LegalProvision: "《安全生产法》第三十五条",
		PenaltyBasis: "《安全生产法》第九十九条", Tiers: []Tier{{Level: "一般", Conditions: "一处", PenaltyKinds: []string{"罚款"}}}}
	for _, tc := range []struct {
		version string
		refused bool
	}{
		{"《安全生产行政处罚自由裁量标准》（2010）", true},
		{"安监总局令第31号", true},
		{"应急〔2024〕90号", false},
		{"皖应急〔2025〕12号", false},
	} {
		st := base
		st.LegalBasisVersion = tc.version
		c := Content{PowerType: "CF", Discretion: []Standard{st}}
		e, _ := apperr.As(c.Validate(CategoryPower))
		msg := ""
		if e != nil {
			msg = e.Fields["discretion[0].legal_basis_version"]
		}
		if tc.refused != (msg != "") {
			t.Errorf("%q: refused=%v (%q)", tc.version, msg != "", msg)
		}
		if tc.refused && !strings.Contains(msg, "废止") {
			t.Errorf("%q: message %q does not say it was repealed", tc.version, msg)
		}
	}
}

func marshal(t *testing.T, c Content) string {
	t.Helper()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReadmeListsEverySource: the README's "Legal sources of the shipped
// content" names every source the data cites, with its address.
func TestReadmeListsEverySource(t *testing.T) {
	s, err := LoadShipped()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	i := strings.Index(readme, "## Legal sources of the shipped content")
	if i < 0 {
		t.Fatal("README has no section on the legal sources of the shipped content")
	}
	section := readme[i:]
	for _, id := range s.AllSourceIDs() {
		src := s.Sources[id]
		if !strings.Contains(section, "`"+id+"`") || (src.URL != "" && !strings.Contains(section, src.URL)) {
			t.Errorf("README does not list source %s (%s)", id, src.URL)
		}
	}
}
