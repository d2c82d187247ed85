package catalog

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// fill sets every field of v, recursively, to a value derived from its path,
// so a field the workbook forgets shows as a difference. Codes that the
// workbook writes as titles get valid codes.
func fill(v reflect.Value, path string, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		switch {
		case strings.HasSuffix(path, "PowerType"):
			v.SetString("CF")
		case strings.HasSuffix(path, "DisclosureMode"):
			v.SetString(OnRequest)
		case strings.HasSuffix(path, "InventoryStatus"):
			v.SetString("transferred")
		case strings.HasSuffix(path, "PenaltyKinds[]"), strings.HasSuffix(path, "Aggravating[]"), strings.HasSuffix(path, "Mitigating[]"):
			v.SetString(fmt.Sprintf("%s %d", path, *n))
		default:
			v.SetString(fmt.Sprintf("%s 值%d\n第二行 <&>", path, *n))
		}
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(*n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Ptr:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), path, n)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := 0; i < 2; i++ {
			fill(s.Index(i), path+"[]", n)
		}
		v.Set(s)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			fill(v.Field(i), path+"."+v.Type().Field(i).Name, n)
		}
	default:
		panic("fill: unhandled kind " + v.Kind().String() + " at " + path)
	}
}

// TestWorkbookCoversEveryField: content with every field (and every field of
// every list element) set to a distinct value reads back from the workbook
// exactly. A field added to Content without a column fails here.
func TestWorkbookCoversEveryField(t *testing.T) {
	var full Content
	n := 0
	fill(reflect.ValueOf(&full).Elem(), "Content", &n)
	for i := range full.Discretion {
		full.Discretion[i].ID = fmt.Sprintf("S-%d", i) // tiers attach by it; no line breaks in an ID
	}
	items := []WorkbookItem{
		{Code: "X-1", Category: CategoryPower, Name: "甲", Status: StatusDraft, Version: 3, Content: full},
		{Code: "X-2", Category: CategoryInformation, Name: "乙（空内容）"},
		{Code: "X-3", Category: CategoryService, Name: "丙", Content: Content{Summary: " 前后有空格 ", Steps: []Step{{Name: "受理"}},
			Discretion: []Standard{{ID: "D", Tiers: []Tier{{Level: "轻微", Fine: &Range{Min: 0, Max: 5000}}}}}}},
	}
	data, err := WriteWorkbook(items)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseWorkbook(data, ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Err(); err != nil {
		t.Fatalf("%v: %+v", err, err.(*ImportError).Cells)
	}
	if len(p.Items) != len(items) {
		t.Fatalf("%d items read back, want %d", len(p.Items), len(items))
	}
	for i, want := range items {
		got := p.Items[i]
		if got.Code != want.Code || got.Category != want.Category || got.Name != want.Name || got.Version != want.Version || !got.HasVersion {
			t.Errorf("item %d identity = %s %s %s v%d, want %s %s %s v%d", i, got.Code, got.Category, got.Name, got.Version,
				want.Code, want.Category, want.Name, want.Version)
		}
		if a, b := canonical(got.Content), canonical(want.Content); !bytes.Equal(a, b) {
			t.Errorf("item %s content differs after the round trip:\n got %s\nwant %s", want.Code, a, b)
		}
	}
}

// TestWorkbookCellErrors: wrong cells are reported by sheet, row and column
// header, each at its own cell, in reading order.
func TestWorkbookCellErrors(t *testing.T) {
	data, err := WriteWorkbook([]WorkbookItem{{Code: "A", Category: CategoryPower, Name: "甲",
		Content: Content{Steps: []Step{{Name: "受理", LimitWorkdays: 1}}}}})
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetCellStr(SheetItems, "F2", "行政许诺"))     // 职权类型: not a title
	must(f.SetCellStr(SheetItems, "R2", "二十"))       // 法定时限: not a number
	must(f.SetCellStr(SheetSteps, "G2", "一"))        // step limit
	must(f.SetCellStr(SheetSteps, "H2", "也许"))       // 不计入时限
	must(f.SetCellStr(SheetMaterials, "A2", "NOPE")) // no such item
	must(f.SetCellStr(SheetMaterials, "C2", "申请书"))
	must(f.SetCellStr(SheetItems, "B3", "A")) // duplicate code
	must(f.SetCellStr(SheetItems, "D3", "重复"))
	var buf bytes.Buffer
	must(f.Write(&buf))
	p, err := ParseWorkbook(buf.Bytes(), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ie, ok := p.Err().(*ImportError)
	if !ok {
		t.Fatalf("no ImportError: %v", p.Err())
	}
	want := []string{
		"实施清单!F2 职权类型", "实施清单!R2 法定时限（工作日）", "实施清单!B3 事项编码",
		"申请材料!A2 事项编码", "办理环节!G2 时限（工作日）", "办理环节!H2 不计入时限",
	}
	var got []string
	for _, c := range ie.Cells {
		got = append(got, c.Sheet+"!"+c.Cell+" "+c.Column)
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("cells\n got %v\nwant %v", got, want)
	}
}
