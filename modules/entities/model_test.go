package entities

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"
)

// validCode is a unified social credit code with the right check character.
const validCode = "91350100M000100Y43"

func TestValidate(t *testing.T) {
	t.Parallel()
	good := Input{Name: "甲公司", CreditCode: validCode, Address: "地址", Industry: "machinery", RiskGrade: "yellow"}
	cases := []struct {
		name  string
		edit  func(*Input)
		field string // "" when valid
	}{
		{"valid", func(*Input) {}, ""},
		{"lower-case code is upper-cased", func(in *Input) { in.CreditCode = " 91350100m000100y43 " }, ""},
		{"wrong check character", func(in *Input) { in.CreditCode = "91350100M000100Y44" }, "credit_code"},
		{"unknown industry", func(in *Input) { in.Industry = "mining" }, "industry"},
		{"industry title is not a code", func(in *Input) { in.Industry = "机械" }, "industry"},
		{"unknown risk grade", func(in *Input) { in.RiskGrade = "green" }, "risk_grade"},
		{"name too long", func(in *Input) { in.Name = string(make([]rune, 201)) }, "name"},
		{"bad phone", func(in *Input) { in.Phone = "电话" }, "phone"},
		{"bad status", func(in *Input) { in.Status = "deleted" }, "status"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := good
			tc.edit(&in)
			in.normalize()
			f := in.Validate()
			if tc.field == "" && len(f) != 0 || tc.field != "" && (f[tc.field] == "" || len(f) != 1) {
				t.Errorf("Validate() = %v, want only %q", f, tc.field)
			}
		})
	}
}

func book(t *testing.T, rows ...[]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for r, row := range rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			_ = f.SetCellStr("Sheet1", cell, v)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestParseWorkbook(t *testing.T) {
	t.Parallel()
	// Columns in another order than the template's: headers decide.
	header := []string{"统一社会信用代码", "单位名称", "地址", "风险等级", "行业", "联系人", "联系电话"}
	cases := []struct {
		name  string
		rows  [][]string
		rows0 int      // valid rows when no error
		cells []string // wrong cells, in order
	}{
		{"columns in any order", [][]string{header, {validCode, "甲", "址", "低风险", "机械", "", ""}}, 1, nil},
		{"blank rows skipped", [][]string{header, {}, {validCode, "甲", "址", "低风险", "机械", "", ""}}, 1, nil},
		{"titles, not codes", [][]string{header, {validCode, "甲", "址", "blue", "machinery", "", ""}}, 0, []string{"D2", "E2"}},
		{"repeated code", [][]string{header, {validCode, "甲", "址", "低风险", "机械"}, {validCode, "乙", "址", "低风险", "机械"}},
			0, []string{"A3"}},
		{"several rows wrong", [][]string{header, {"X", "甲", "址", "低风险", "机械"}, {validCode, "", "址", "低风险", "机械"}},
			0, []string{"A2", "B3"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := ParseWorkbook(book(t, tc.rows...))
			if tc.cells == nil {
				if err != nil || len(rows) != tc.rows0 {
					t.Fatalf("ParseWorkbook = %d rows, %v", len(rows), err)
				}
				if rows[0].Input.Industry != "machinery" || rows[0].Input.RiskGrade != "blue" || rows[0].HasStatus {
					t.Errorf("row = %+v", rows[0])
				}
				return
			}
			ie, ok := IsImportError(err)
			if !ok {
				t.Fatalf("err = %v, want an ImportError", err)
			}
			var got []string
			for _, c := range ie.Cells {
				got = append(got, c.Cell)
			}
			if len(got) != len(tc.cells) {
				t.Fatalf("cells %v, want %v", got, tc.cells)
			}
			for i := range got {
				if got[i] != tc.cells[i] {
					t.Errorf("cells %v, want %v", got, tc.cells)
				}
			}
		})
	}
}
