package onspot

import (
	"testing"
	"time"

	"safetypilot/modules/calendar"
)

func day(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := calendar.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// weekdays counts working days as Monday to Friday, enough for the dates
// below (no holidays between them).
func weekdays(_ string, from time.Time, n int) time.Time {
	d := from
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
			n--
		}
	}
	return d
}

func TestMaxFine(t *testing.T) {
	for _, c := range []struct {
		kind string
		want int64
	}{{PartyIndividual, 200}, {PartyOrganization, 3000}} {
		if got := MaxFine(c.kind); got != c.want {
			t.Errorf("MaxFine(%s) = %d, want %d", c.kind, got, c.want)
		}
	}
}

func TestMaskedName(t *testing.T) {
	for in, want := range map[string]string{"王小明": "王某某", "欧阳": "欧某某", "": ""} {
		if got := MaskedName(in); got != want {
			t.Errorf("MaskedName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNumber(t *testing.T) {
	if got := Number("瑶海区", 2026, 1); got != "瑶海区应急罚当〔2026〕第1号" {
		t.Errorf("Number = %q", got)
	}
}

func TestPaymentDue(t *testing.T) {
	// 十五日 from the day the decision is handed over, natural days.
	if got := PaymentDueOf("2026-12-07"); got != "2026-12-22" {
		t.Errorf("PaymentDueOf = %q, want 2026-12-22", got)
	}
}

func TestDepositClock(t *testing.T) {
	// Collected on Thursday 2026-12-03: two working days end on Monday
	// 2026-12-07 (the weekend does not count).
	d := Decision{Payment: PaymentOnSpot, CollectedOn: "2026-12-03", FineYuan: 50}
	dues := DepositDues(d, "34", weekdays)
	if dues.HandOver != "2026-12-07" || dues.Bank != "" {
		t.Fatalf("dues = %+v", dues)
	}
	for _, c := range []struct {
		today, want string
	}{
		{"2026-12-04", WarningNone}, {"2026-12-06", WarningNone}, {"2026-12-07", WarningYellow}, {"2026-12-08", WarningRed},
	} {
		if got := DepositLight(d, dues, day(t, c.today)); got != c.want {
			t.Errorf("hand-over light on %s = %s, want %s", c.today, got, c.want)
		}
	}
	// Handed over on Tuesday 2026-12-08: the bank stage runs two working
	// days from then, to Thursday 2026-12-10.
	d.HandedOn = "2026-12-08"
	dues = DepositDues(d, "34", weekdays)
	if dues.Bank != "2026-12-10" || DepositStage(d) != StageBank {
		t.Fatalf("bank dues = %+v stage %s", dues, DepositStage(d))
	}
	if got := DepositLight(d, dues, day(t, "2026-12-09")); got != WarningNone {
		t.Errorf("bank light before due = %s", got)
	}
	if got := DepositLight(d, dues, day(t, "2026-12-11")); got != WarningRed {
		t.Errorf("bank light after due = %s", got)
	}
	d.BankedOn = "2026-12-10"
	if DepositStage(d) != "" || DepositLight(d, DepositDues(d, "34", weekdays), day(t, "2027-01-01")) != WarningNone {
		t.Errorf("a banked deposit still has a clock")
	}
	// A fine paid at the bank has no deposit clock.
	if dues := DepositDues(Decision{Payment: PaymentBank, DecidedOn: "2026-12-03"}, "34", weekdays); dues != (Dues{}) {
		t.Errorf("bank payment dues = %+v", dues)
	}
}

func TestSurchargeAndPaymentLight(t *testing.T) {
	d := Decision{Payment: PaymentBank, FineYuan: 200, DecidedOn: "2026-12-01", PaymentDue: PaymentDueOf("2026-12-01")}
	if got := SurchargeFen(d, day(t, "2026-12-16")); got != 0 {
		t.Errorf("surcharge on the due day = %d", got)
	}
	if got := PaymentLight(d, day(t, "2026-12-16")); got != WarningNone {
		t.Errorf("light on the due day = %s", got)
	}
	// Two days late: 3% of 200 yuan a day = 6 yuan a day.
	if got := SurchargeFen(d, day(t, "2026-12-18")); got != 1200 {
		t.Errorf("surcharge two days late = %d fen, want 1200", got)
	}
	if got := PaymentLight(d, day(t, "2026-12-17")); got != WarningRed {
		t.Errorf("light after the due day = %s", got)
	}
	// Never more than the fine.
	if got := SurchargeFen(d, day(t, "2027-06-01")); got != 20000 {
		t.Errorf("surcharge capped = %d fen, want 20000", got)
	}
}

func TestFieldTitle(t *testing.T) {
	for key, want := range map[string]string{"fine_yuan": "罚款金额", "officers[1].cert_no": "执法人员2的执法证号",
		"officers[0].user_id": "执法人员1", "nope": "填写内容"} {
		if got := FieldTitle(key); got != want {
			t.Errorf("FieldTitle(%q) = %q, want %q", key, got, want)
		}
	}
}
