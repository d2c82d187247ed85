package ratings

import (
	"testing"

	"safetypilot/modules/apperr"
	"safetypilot/modules/cases"
)

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name    string
		channel string
		in      RateInput
		fields  []string // empty: valid
	}{
		{"five stars, no comment", ChannelOnline, RateInput{Level: 5}, nil},
		{"基本满意 with online indicators", ChannelOnline, RateInput{Level: 3, Indicators: map[string]int{"overall": 3, "operability": 1}}, nil},
		{"差评 with a reason", ChannelOnline, RateInput{Level: 2, Comment: "等候太久"}, nil},
		{"差评 without a reason", ChannelOnline, RateInput{Level: 1, Comment: "  "}, []string{"comment"}},
		{"level 0", ChannelOnline, RateInput{}, []string{"level"}},
		{"level 6", ChannelCounter, RateInput{Level: 6}, []string{"level"}},
		{"counter indicator online", ChannelOnline, RateInput{Level: 4, Indicators: map[string]int{"service_attitude": 4}},
			[]string{"indicators.service_attitude"}},
		{"online indicator at the counter", ChannelCounter, RateInput{Level: 4, Indicators: map[string]int{"guide_accuracy": 4}},
			[]string{"indicators.guide_accuracy"}},
		{"counter indicators at the counter", ChannelCounter, RateInput{Level: 4, Indicators: map[string]int{"service_attitude": 5, "overall": 4}}, nil},
		{"indicator 0", ChannelCounter, RateInput{Level: 4, Indicators: map[string]int{"overall": 0}}, []string{"indicators.overall"}},
		{"comment too long", ChannelOnline, RateInput{Level: 5, Comment: string(make([]rune, maxComment+1))}, []string{"comment"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.in.validate(tc.channel)
			if len(tc.fields) == 0 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			e, ok := apperr.As(err)
			if !ok || e.Status != 400 {
				t.Fatalf("err %v, want 400", err)
			}
			if len(e.Fields) != len(tc.fields) {
				t.Errorf("fields %v, want %v", e.Fields, tc.fields)
			}
			for _, f := range tc.fields {
				if e.Fields[f] == "" {
					t.Errorf("fields %v, want %s", e.Fields, f)
				}
			}
		})
	}
}

func TestRateable(t *testing.T) {
	want := map[string]bool{cases.StatusApproved: true, cases.StatusDenied: true, cases.StatusDelivered: true,
		cases.StatusNotAccepted: true}
	for _, st := range cases.Statuses {
		if Rateable(st) != want[st] {
			t.Errorf("Rateable(%s) = %v", st, Rateable(st))
		}
	}
}

func TestLevels(t *testing.T) {
	for _, tc := range []struct {
		level          int
		title          string
		bad, satisfied bool
	}{
		{5, "非常满意", false, true}, {4, "满意", false, true}, {3, "基本满意", false, true},
		{2, "不满意", true, false}, {1, "非常不满意", true, false}, {0, "", false, false},
	} {
		if LevelTitle(tc.level) != tc.title || IsBad(tc.level) != tc.bad || IsSatisfied(tc.level) != tc.satisfied {
			t.Errorf("level %d: %q bad %v satisfied %v", tc.level, LevelTitle(tc.level), IsBad(tc.level), IsSatisfied(tc.level))
		}
	}
}

func TestPhoneDigits(t *testing.T) {
	for in, want := range map[string]string{"0551-64000001": "055164000001", "(0551) 6400 0001": "055164000001",
		"+86 138 0000 0000": "8613800000000", "１３８": "", "": ""} {
		if got := phoneDigits(in); got != want {
			t.Errorf("phoneDigits(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFiguresRates(t *testing.T) {
	if r := (Figures{}).SatisfactionRate(); r != nil {
		t.Errorf("rate without ratings %v, want nil", *r)
	}
	f := Figures{Ratings: 4, Satisfied: 3, Bad: 1, Rectified: 0}
	if r := f.SatisfactionRate(); r == nil || *r != 0.75 {
		t.Errorf("satisfaction %v", r)
	}
	if r := f.RectificationRate(); r == nil || *r != 0 {
		t.Errorf("rectification %v", r)
	}
}
