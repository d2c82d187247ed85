package catalog

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"safetypilot/modules/apperr"
)

func rng(min, max int64, minIncl, maxIncl bool) Range {
	return Range{Min: min, Max: max, MinInclusive: minIncl, MaxInclusive: maxIncl}
}

func TestRangeContains(t *testing.T) {
	cases := []struct {
		r      Range
		amount int64
		want   bool
	}{
		{rng(10000, 30000, true, true), 10000, true},
		{rng(10000, 30000, true, true), 30000, true},
		{rng(10000, 30000, true, true), 20000, true},
		{rng(10000, 30000, true, true), 9999, false},
		{rng(10000, 30000, true, true), 30001, false},
		{rng(10000, 30000, false, true), 10000, false},
		{rng(10000, 30000, false, true), 10001, true},
		{rng(10000, 30000, true, false), 30000, false},
		{rng(10000, 30000, true, false), 29999, true},
		{rng(10000, 30000, false, false), 10000, false},
		{rng(10000, 30000, false, false), 30000, false},
		{rng(10000, 30000, false, false), 15000, true},
		{rng(0, 5000, true, true), 0, true},
		{rng(0, 5000, true, true), -1, false},
		{rng(20000, 20000, true, true), 20000, true},
		{rng(20000, 20000, true, true), 20001, false},
	}
	for _, c := range cases {
		if got := c.r.Contains(c.amount); got != c.want {
			t.Errorf("%+v.Contains(%d) = %v, want %v", c.r, c.amount, got, c.want)
		}
	}
}

func TestRangeOverlaps(t *testing.T) {
	cases := []struct {
		name string
		a, b Range
		want bool
	}{
		{"touching, both bounds inclusive", rng(0, 10000, true, true), rng(10000, 30000, true, true), true},
		{"touching, upper exclusive", rng(0, 10000, true, false), rng(10000, 30000, true, true), false},
		{"touching, lower exclusive", rng(0, 10000, true, true), rng(10000, 30000, false, true), false},
		{"touching, both exclusive", rng(0, 10000, true, false), rng(10000, 30000, false, true), false},
		{"partly overlapping", rng(0, 20000, true, true), rng(10000, 30000, true, true), true},
		{"overlapping with exclusive bounds", rng(0, 20000, false, false), rng(10000, 30000, false, false), true},
		{"nested", rng(0, 50000, true, true), rng(10000, 20000, true, true), true},
		{"disjoint", rng(0, 5000, true, true), rng(10000, 20000, true, true), false},
		{"same start, one exclusive", rng(10000, 20000, false, true), rng(10000, 15000, true, true), true},
		{"identical", rng(10000, 20000, false, true), rng(10000, 20000, false, true), true},
		{"point against exclusive start", rng(10000, 10000, true, true), rng(10000, 20000, false, true), false},
		{"point against inclusive start", rng(10000, 10000, true, true), rng(10000, 20000, true, true), true},
		{"point against exclusive end", rng(10000, 10000, true, true), rng(0, 10000, true, false), false},
		{"point inside", rng(15000, 15000, true, true), rng(10000, 20000, false, false), true},
	}
	for _, c := range cases {
		if got := c.a.overlaps(c.b); got != c.want {
			t.Errorf("%s: %+v overlaps %+v = %v, want %v", c.name, c.a, c.b, got, c.want)
		}
		if got := c.b.overlaps(c.a); got != c.want {
			t.Errorf("%s (reversed): %+v overlaps %+v = %v, want %v", c.name, c.b, c.a, got, c.want)
		}
	}
}

func TestRangeDescribe(t *testing.T) {
	cases := []struct {
		r    Range
		want string
	}{
		{rng(10000, 30000, true, true), "1万元以上3万元以下罚款"},
		{rng(10000, 30000, false, true), "超过1万元3万元以下罚款"},
		{rng(10000, 30000, true, false), "1万元以上不满3万元罚款"},
		{rng(10000, 30000, false, false), "超过1万元不满3万元罚款"},
		{rng(0, 5000, true, true), "5000元以下罚款"},
		{rng(0, 5000, true, false), "不满5000元罚款"},
		{rng(5000, 15000, true, true), "5000元以上15000元以下罚款"},
		{rng(30000, 100000, false, true), "超过3万元10万元以下罚款"},
		{rng(1000000, 2000000, true, true), "100万元以上200万元以下罚款"},
	}
	for _, c := range cases {
		if got := c.r.Describe(); got != c.want {
			t.Errorf("%+v.Describe() = %q, want %q", c.r, got, c.want)
		}
	}
}

func TestYuan(t *testing.T) {
	for v, want := range map[int64]string{0: "0元", 500: "500元", 10000: "1万元", 15000: "15000元", 200000: "20万元"} {
		if got := Yuan(v); got != want {
			t.Errorf("Yuan(%d) = %q, want %q", v, got, want)
		}
	}
}

// penaltyStandard is a standard with three tiers whose fine ranges touch
// without overlapping.
func penaltyStandard() Standard {
	return Standard{
		ID:                "CF-001-1",
		Violation:         "未按规定对从业人员进行安全生产教育和培训",
		LegalProvision:    "《安全生产法》第二十八条",
		PenaltyBasis:      "《安全生产法》第九十七条",
		LegalBasisVersion: "应急〔2024〕90号",
		Aggravating:       []string{"拒不改正", "一年内再次违法"},
		Mitigating:        []string{"主动消除危害后果", "初次违法"},
		Tiers: []Tier{
			{Level: "轻微", Conditions: "未培训人数1至2人", PenaltyKinds: []string{"责令限期改正"}, Fine: &Range{Min: 0, Max: 10000, MinInclusive: true, MaxInclusive: true}},
			{Level: "一般", Conditions: "未培训人数3至5人", PenaltyKinds: []string{"罚款"}, Fine: &Range{Min: 10000, Max: 30000, MinInclusive: false, MaxInclusive: true}},
			{Level: "严重", Conditions: "未培训人数6人以上", PenaltyKinds: []string{"罚款", "责令停产停业整顿"},
				Fine: &Range{Min: 30000, Max: 50000, MinInclusive: false, MaxInclusive: true}, RequiresHearing: true, RequiresCollectiveDiscussion: true},
			{Level: "警告", Conditions: "情节轻微并及时改正", PenaltyKinds: []string{"警告"}},
		},
	}
}

func TestCalculate(t *testing.T) {
	cases := []struct {
		name        string
		in          CalculationInput
		want        *Range
		wantText    string
		hearing     bool
		explanation string
	}{
		{"no circumstances: whole range", CalculationInput{TierLevel: "一般"},
			&Range{10000, 30000, false, true}, "超过1万元3万元以下罚款", false, "无从重、从轻情节"},
		{"mitigating: lower half", CalculationInput{TierLevel: "一般", Mitigating: []string{"初次违法"}},
			&Range{10000, 20000, false, true}, "超过1万元2万元以下罚款", false, "下半段"},
		{"aggravating: upper half", CalculationInput{TierLevel: "一般", Aggravating: []string{"拒不改正"}},
			&Range{20000, 30000, true, true}, "2万元以上3万元以下罚款", false, "上半段"},
		{"both: whole range", CalculationInput{TierLevel: "一般", Aggravating: []string{"拒不改正"}, Mitigating: []string{"初次违法"}},
			&Range{10000, 30000, false, true}, "超过1万元3万元以下罚款", false, "并存"},
		{"inclusive lower bound kept for mitigation", CalculationInput{TierLevel: "轻微", Mitigating: []string{"主动消除危害后果", "初次违法"}},
			&Range{0, 5000, true, true}, "5000元以下罚款", false, "下半段"},
		{"serious tier: upper half, hearing", CalculationInput{TierLevel: "严重", Aggravating: []string{"拒不改正", "一年内再次违法"}},
			&Range{40000, 50000, true, true}, "4万元以上5万元以下罚款", true, "听证"},
		{"tier without a fine", CalculationInput{TierLevel: "警告", Mitigating: []string{"初次违法"}}, nil, "", false, "处罚种类：警告"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := penaltyStandard()
			in := c.in
			in.StandardID = s.ID
			got, err := Calculate(s, in)
			if err != nil {
				t.Fatalf("Calculate: %v", err)
			}
			if got.StandardID != s.ID || got.Tier.Level != c.in.TierLevel {
				t.Errorf("standard %q tier %q", got.StandardID, got.Tier.Level)
			}
			if !reflect.DeepEqual(got.Range, c.want) {
				t.Errorf("range = %+v, want %+v", got.Range, c.want)
			}
			if got.RangeText != c.wantText {
				t.Errorf("range text = %q, want %q", got.RangeText, c.wantText)
			}
			if got.RequiresHearing != c.hearing || got.RequiresCollectiveDiscussion != c.hearing {
				t.Errorf("hearing %v collective %v, want %v", got.RequiresHearing, got.RequiresCollectiveDiscussion, c.hearing)
			}
			if joined := strings.Join(got.Explanation, "；"); !strings.Contains(joined, c.explanation) {
				t.Errorf("explanation %q lacks %q", joined, c.explanation)
			}
		})
	}
	// The standard itself is not changed by narrowing.
	s := penaltyStandard()
	if _, err := Calculate(s, CalculationInput{TierLevel: "一般", Mitigating: []string{"初次违法"}}); err != nil {
		t.Fatal(err)
	}
	if *s.Tiers[1].Fine != (Range{10000, 30000, false, true}) {
		t.Errorf("Calculate changed the tier's range: %+v", *s.Tiers[1].Fine)
	}
}

func TestCalculateRejectsUnknownInput(t *testing.T) {
	cases := []struct {
		name   string
		in     CalculationInput
		fields []string
	}{
		{"unknown tier", CalculationInput{TierLevel: "特别严重"}, []string{"tier_level"}},
		{"empty tier", CalculationInput{}, []string{"tier_level"}},
		{"unknown aggravating", CalculationInput{TierLevel: "一般", Aggravating: []string{"拒不改正", "态度恶劣"}}, []string{"aggravating[1]"}},
		{"unknown mitigating", CalculationInput{TierLevel: "一般", Mitigating: []string{"认错态度好"}}, []string{"mitigating[0]"}},
		{"mitigating used as aggravating", CalculationInput{TierLevel: "一般", Aggravating: []string{"初次违法"}}, []string{"aggravating[0]"}},
		{"everything unknown", CalculationInput{TierLevel: "x", Aggravating: []string{"a"}, Mitigating: []string{"b"}},
			[]string{"tier_level", "aggravating[0]", "mitigating[0]"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Calculate(penaltyStandard(), c.in)
			assertFields(t, err, c.fields...)
		})
	}
}

// assertFields checks err is a 400 invalid_input whose fields are exactly want.
func assertFields(t *testing.T, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want fields %v", want)
	}
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("error %v is not an apperr.Error", err)
	}
	if e.Status != 400 || e.Code != "invalid_input" {
		t.Fatalf("status %d code %q, want 400 invalid_input", e.Status, e.Code)
	}
	got := make([]string, 0, len(e.Fields))
	for f, msg := range e.Fields {
		got = append(got, f)
		if strings.TrimSpace(msg) == "" {
			t.Errorf("field %s has no message", f)
		}
	}
	sort.Strings(got)
	w := append([]string(nil), want...)
	sort.Strings(w)
	if fmt.Sprint(got) != fmt.Sprint(w) {
		t.Fatalf("fields %v, want %v (%v)", got, w, e.Fields)
	}
}

// TestTierAppliesToBackwardsCompatible: a tier stored before applies_to
// existed reads as applying to either party, and the field round-trips.
func TestTierAppliesToBackwardsCompatible(t *testing.T) {
	var old Tier
	if err := json.Unmarshal([]byte(`{"level":"一般","conditions":"x","penalty_kinds":["罚款"]}`), &old); err != nil {
		t.Fatal(err)
	}
	if old.AppliesTo != "" || !old.AppliesToParty(TierOrganization) || !old.AppliesToParty(TierIndividual) {
		t.Errorf("old tier: %+v", old)
	}
	raw, _ := json.Marshal(Tier{Level: "x", AppliesTo: TierIndividual})
	var back Tier
	if err := json.Unmarshal(raw, &back); err != nil || back.AppliesTo != TierIndividual || back.AppliesToParty(TierOrganization) {
		t.Errorf("round trip: %s → %+v", raw, back)
	}
}
