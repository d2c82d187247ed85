package cases

import (
	"context"
	"strings"
	"testing"

	"safetypilot/modules/db"
	"safetypilot/modules/db/dbtest"
	"safetypilot/modules/seal"
)

// validCode completes base (17 characters) with its GB 32100 check character.
func validCode(t *testing.T, base string) string {
	t.Helper()
	for _, c := range "0123456789ABCDEFGHJKLMNPQRTUWXY" {
		if ValidCreditCode(base + string(c)) {
			return base + string(c)
		}
	}
	t.Fatalf("no check character for %s", base)
	return ""
}

// TestListQ: the case list's q finds a tracking number and a credit code
// exactly, part of an organisation's name, and a phone through its blind
// index, on both engines; the personal columns are stored sealed.
func TestListQ(t *testing.T) {
	dbtest.ForEachDialect(t, func(t *testing.T, dialect db.Dialect) {
		f := newCountsFixture(t, dialect)
		ctx := context.Background()
		codeA, codeB := validCode(t, "91340102MA2QRCH01"), validCode(t, "91340102MA2QRCH02")
		mk := func(name, code, contact, phone string) Detail {
			d, err := f.svc.Create(ctx, county, clerk, ChannelCounter, NewCase{ItemCode: "274",
				Applicant: Applicant{Name: name, CreditCode: code, Contact: contact, Phone: phone}})
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		a := mk("合肥市甲乙丙化工有限公司", codeA, "张三丰", "13911112222")
		b := mk("合肥市丁戊100%_烟花店", codeB, "李四光", "0551-63334444")
		var stored struct {
			Contact string `db:"applicant_contact"`
			Phone   string `db:"applicant_phone"`
			Index   string `db:"applicant_phone_bidx"`
		}
		if err := f.d.GetContext(ctx, &stored, `SELECT applicant_contact, applicant_phone, applicant_phone_bidx FROM cases WHERE id = ?`, a.ID); err != nil {
			t.Fatal(err)
		}
		if !seal.IsSealed(stored.Contact) || !seal.IsSealed(stored.Phone) || strings.Contains(stored.Phone, "13911112222") || len(stored.Index) != 64 {
			t.Errorf("stored %+v", stored)
		}
		for _, tc := range []struct {
			name, q string
			want    []int64
		}{
			{"tracking number", a.TrackingNo, []int64{a.ID}},
			{"tracking number in lower case", strings.ToLower(b.TrackingNo), []int64{b.ID}},
			{"credit code", codeB, []int64{b.ID}},
			{"credit code in lower case", strings.ToLower(codeA), []int64{a.ID}},
			{"part of a name", "甲乙丙", []int64{a.ID}},
			{"name with LIKE characters", "100%_", []int64{b.ID}},
			{"% is literal, not a wildcard", "%化工%", nil},
			{"phone", "13911112222", []int64{a.ID}},
			{"phone typed otherwise", "+86 139-1111-2222", []int64{a.ID}},
			{"landline", "0551 63334444", []int64{b.ID}},
			{"a contact's name is sealed, not searchable", "张三丰", nil},
			{"unknown phone", "13911112223", nil},
		} {
			list, total, err := f.svc.List(ctx, county, Filter{Q: tc.q, Page: 1, PerPage: 50})
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			var got []int64
			for _, d := range list {
				if d.ID == a.ID || d.ID == b.ID {
					got = append(got, d.ID)
				}
				if d.ID == a.ID && d.Applicant.Phone != "" && d.Case.ApplicantPhone != "13911112222" {
					t.Errorf("listed case not opened: %q", d.Case.ApplicantPhone)
				}
			}
			if len(got) != len(tc.want) || (len(got) == 1 && got[0] != tc.want[0]) || total != len(list) {
				t.Errorf("%s: q=%q found %v (total %d), want %v", tc.name, tc.q, got, total, tc.want)
			}
		}
	})
}
