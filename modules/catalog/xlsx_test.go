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
		case strings.HasSuffix(path, "AppliesTo"):
			v.SetString(TierIndividual)
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
			Discretion: []Standard{{ID: "D", Tiers: []Tier{{Level: "轻微", Fine: &Range{Min: 0, Max: 5000}, AppliesTo: TierOrganization}}}}}},
		// A statutory range of zeros and exclusive bounds is still a range,
		// not the empty cells of none; a tier for either party stays so.
		{Code: "X-4", Category: CategoryPower, Name: "丁", Content: Content{Discretion: []Standard{
			{ID: "Z", StatutoryFine: &Range{}, Tiers: []Tier{{Level: "一般", PenaltyKinds: []string{"警告"}}}},
			{ID: "N", Tiers: []Tier{{Level: "一般", Fine: &Range{Max: 1}}}}}}},
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

// TestWorkbookShippedTemplates: every shipped starter template (the penalty
// drafts with their statutory fine ranges among them) reads back from the
// workbook exactly.
func TestWorkbookShippedTemplates(t *testing.T) {
	sh, err := LoadShipped()
	if err != nil {
		t.Fatal(err)
	}
	var items []WorkbookItem
	statutory := 0
	for _, tpl := range sh.Templates {
		items = append(items, WorkbookItem{Code: tpl.Code, Category: tpl.Category, Name: tpl.Name, Content: tpl.Content})
		for _, st := range tpl.Content.Discretion {
			if st.StatutoryFine != nil {
				statutory++
			}
		}
	}
	if statutory == 0 {
		t.Fatal("no shipped standard has a statutory fine range; the test would prove nothing about it")
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
		if a, b := canonical(p.Items[i].Content), canonical(want.Content); !bytes.Equal(a, b) {
			t.Errorf("template %s differs after the round trip:\n got %s\nwant %s", want.Code, a, b)
		}
	}
}

// penaltyWorkbook is the shipped 第九十九条 draft as a workbook, opened for
// editing, with the letter of each header on the two discretion sheets.
func penaltyWorkbook(t *testing.T) (*excelize.File, Content, func(sheet, header string) string) {
	t.Helper()
	sh, err := LoadShipped()
	if err != nil {
		t.Fatal(err)
	}
	tpl, ok := sh.Template("CF-AQ-099")
	if !ok || len(tpl.Content.Discretion) < 2 || tpl.Content.Discretion[0].StatutoryFine == nil {
		t.Fatalf("shipped CF-AQ-099 lacks the standards this test edits: %+v", tpl.Content.Discretion)
	}
	data, err := WriteWorkbook([]WorkbookItem{{Code: tpl.Code, Category: tpl.Category, Name: tpl.Name, Content: tpl.Content}})
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	col := func(sheet, header string) string {
		for _, s := range workbookSheets {
			for i, c := range s.Columns {
				if s.Name == sheet && c.Header == header {
					name, _ := excelize.ColumnNumberToName(i + 1)
					return name
				}
			}
		}
		t.Fatalf("no column %s on %s", header, sheet)
		return ""
	}
	return f, tpl.Content, col
}

func reparse(t *testing.T, f *excelize.File) *Parsed {
	t.Helper()
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	p, err := ParseWorkbook(buf.Bytes(), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestWorkbookStatutoryFineAndAppliesTo: the exported cells of a statutory
// range and of 适用对象 are what the notes describe; 适用对象 reads the
// titles, the API codes, 个人 and 单位或个人; emptying the four statutory
// cells removes the range.
func TestWorkbookStatutoryFineAndAppliesTo(t *testing.T) {
	f, content, col := penaltyWorkbook(t)
	sf := content.Discretion[0].StatutoryFine
	for header, want := range map[string]string{"法定罚款下限（元）": fmt.Sprint(sf.Min), "法定罚款上限（元）": fmt.Sprint(sf.Max),
		"下限含本数": boolText(sf.MinInclusive), "上限含本数": boolText(sf.MaxInclusive)} {
		if got, _ := f.GetCellValue(SheetStandards, col(SheetStandards, header)+"2"); got != want {
			t.Errorf("%s = %q, want %q", header, got, want)
		}
	}
	applies := col(SheetTiers, "适用对象")
	if got, _ := f.GetCellValue(SheetTiers, applies+"2"); got != "" {
		t.Errorf("适用对象 of a tier for either party = %q, want empty", got)
	}
	dvs, err := f.GetDataValidations(SheetTiers)
	if err != nil {
		t.Fatal(err)
	}
	offered := false
	for _, dv := range dvs {
		offered = offered || strings.HasPrefix(dv.Sqref, applies+"2:") && strings.Contains(dv.Formula1, "个人（责任人员）") && strings.Contains(dv.Formula1, "单位")
	}
	if !offered {
		t.Errorf("适用对象 has no drop-down list of its titles")
	}

	for cell, v := range map[string]string{"2": "organization", "3": "个人", "4": "个人（责任人员）", "5": "单位或个人", "6": "单位"} {
		if err := f.SetCellStr(SheetTiers, applies+cell, v); err != nil {
			t.Fatal(err)
		}
	}
	for _, h := range []string{"法定罚款下限（元）", "法定罚款上限（元）", "下限含本数", "上限含本数"} {
		if err := f.SetCellStr(SheetStandards, col(SheetStandards, h)+"3", ""); err != nil {
			t.Fatal(err)
		}
	}
	p := reparse(t, f)
	if err := p.Err(); err != nil {
		t.Fatalf("%v: %+v", err, err.(*ImportError).Cells)
	}
	d := p.Items[0].Content.Discretion
	var got []string
	for _, st := range d {
		for _, tr := range st.Tiers {
			got = append(got, tr.AppliesTo)
		}
	}
	want := []string{TierOrganization, TierIndividual, TierIndividual, "", TierOrganization}
	if len(got) < len(want) || strings.Join(got[:len(want)], ",") != strings.Join(want, ",") {
		t.Errorf("适用对象 read as %q, want %q first", got, want)
	}
	if d[1].StatutoryFine != nil || d[0].StatutoryFine == nil || *d[0].StatutoryFine != *sf {
		t.Errorf("statutory ranges read as %+v and %+v, want %+v and none", d[0].StatutoryFine, d[1].StatutoryFine, sf)
	}
}

// TestWorkbookStatutoryFineErrors: a wrong amount, a wrong 含本数, an
// unknown 适用对象 are reported at their cells; a statutory range whose
// bounds are reversed and a tier outside its statutory range, which the
// content's own validation finds, are put on the cells they are about.
func TestWorkbookStatutoryFineErrors(t *testing.T) {
	f, _, col := penaltyWorkbook(t)
	set := func(sheet, cell, v string) {
		t.Helper()
		if err := f.SetCellStr(sheet, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	low, lowIn := col(SheetStandards, "法定罚款下限（元）"), col(SheetStandards, "下限含本数")
	applies := col(SheetTiers, "适用对象")
	set(SheetStandards, low+"2", "二万")
	set(SheetStandards, lowIn+"3", "也许")
	set(SheetTiers, applies+"3", "法人")
	p := reparse(t, f)
	ie, ok := p.Err().(*ImportError)
	if !ok {
		t.Fatalf("no ImportError: %v", p.Err())
	}
	var got []string
	for _, c := range ie.Cells {
		got = append(got, c.Sheet+"!"+c.Cell+" "+c.Column)
	}
	want := []string{SheetStandards + "!" + low + "2 法定罚款下限（元）", SheetStandards + "!" + lowIn + "3 下限含本数",
		SheetTiers + "!" + applies + "3 适用对象"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("cells\n got %v\nwant %v", got, want)
	}
	if msg := ie.Cells[2].Message; !strings.Contains(msg, "个人（责任人员）") {
		t.Errorf("适用对象 message %q does not name the titles", msg)
	}

	// Cells that read well but break the content's rules.
	f, _, col = penaltyWorkbook(t)
	high := col(SheetStandards, "法定罚款上限（元）")
	tierMax := col(SheetTiers, "罚款上限（元）")
	set(SheetStandards, high+"3", "1") // below its minimum
	set(SheetTiers, tierMax+"4", "99999999")
	p = reparse(t, f)
	if err := p.Err(); err != nil {
		t.Fatalf("%v: %+v", err, err.(*ImportError).Cells)
	}
	pi := p.Items[0]
	err := pi.Content.Validate(pi.Category)
	if err == nil {
		t.Fatal("content with a reversed statutory range validates")
	}
	p.placeAppError(pi, err)
	ie = p.Err().(*ImportError)
	cells := map[string]bool{}
	for _, c := range ie.Cells {
		cells[c.Sheet+"!"+c.Cell] = true
	}
	if !cells[SheetStandards+"!"+low+"3"] || !cells[SheetTiers+"!"+col(SheetTiers, "罚款下限（元）")+"4"] {
		t.Errorf("validation errors not on the statutory cell %s3 and the tier's fine: %+v", low, ie.Cells)
	}
}
