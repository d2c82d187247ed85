package disclosure

import (
	"archive/zip"
	"bytes"
	"errors"
	"strings"
	"testing"

	"safetypilot/modules/apperr"
	dt "safetypilot/modules/disclosure/docxtest"
)

func convertForTest(t *testing.T, d dt.Doc) (DocxConversion, error) {
	t.Helper()
	s := &Service{sanitizer: bodyPolicy()}
	return s.ConvertDocx("通报.docx", dt.Build(d))
}

func TestConvertDocx(t *testing.T) {
	t.Parallel()
	link := dt.Doc{}
	link.Link("rId9", "https://yjj.example.gov.cn/a?b=1&c=2")
	cases := []struct {
		name string
		doc  dt.Doc
		want string
	}{
		{"headings from Word heading styles", dt.Doc{Body: dt.P("1", "一、基本情况") + dt.P("2", "（一）检查范围") + dt.P("", "正文")},
			"<h2>一、基本情况</h2><h3>（一）检查范围</h3><p>正文</p>"},
		{"outline level on the paragraph", dt.Doc{Body: `<w:p><w:pPr><w:outlineLvl w:val="2"/></w:pPr>` + dt.R("", "三级") + `</w:p>`},
			"<h4>三级</h4>"},
		{"bold, italic and a bold character style", dt.Doc{Body: `<w:p>` + dt.R("<w:b/>", "加粗") + dt.R("", "和") +
			dt.R("<w:i/>", "斜体") + dt.R(`<w:b/><w:i/>`, "都有") + dt.R(`<w:rStyle w:val="Strong"/>`, "样式") +
			dt.R(`<w:b w:val="0"/>`, "不加粗") + `</w:p>`},
			"<p><strong>加粗</strong>和<em>斜体</em><strong><em>都有</em>样式</strong>不加粗</p>"},
		{"escaped text and a line break", dt.Doc{Body: `<w:p><w:r><w:t>a &lt;b&gt; &amp; "c"</w:t><w:br/><w:t>第二行</w:t></w:r></w:p>`},
			"<p>a &lt;b&gt; &amp; &#34;c&#34;<br>第二行</p>"},
		{"empty paragraphs are spacing", dt.Doc{Body: `<w:p/>` + dt.P("", "甲") + `<w:p><w:r><w:t> </w:t></w:r></w:p>`}, "<p>甲</p>"},
		{"bulleted and numbered lists, nested", dt.Doc{Body: dt.Item(1, 0, "甲") + dt.Item(1, 1, "甲一") + dt.Item(1, 0, "乙") +
			dt.P("", "间隔") + dt.Item(2, 0, "第一") + dt.Item(2, 0, "第二")},
			"<ul><li>甲<ul><li>甲一</li></ul></li><li>乙</li></ul><p>间隔</p><ol><li>第一</li><li>第二</li></ol>"},
		{"list from a paragraph style", dt.Doc{Body: dt.P("ListBullet", "样式列表")}, "<ul><li>样式列表</li></ul>"},
		{"table with a header row", dt.Doc{Body: dt.Table(true, []string{"单位", "问题"}, []string{"甲公司", "未培训"})},
			"<table><tbody><tr><th>单位</th><th>问题</th></tr><tr><td>甲公司</td><td>未培训</td></tr></tbody></table>"},
		{"merged cells", dt.Doc{Body: `<w:tbl><w:tr><w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr>` + dt.P("", "合并") + `</w:tc></w:tr>` +
			`<w:tr><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr>` + dt.P("", "纵") + `</w:tc><w:tc>` + dt.P("", "1") + `</w:tc></w:tr>` +
			`<w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc><w:tc>` + dt.P("", "2") + `</w:tc></w:tr></w:tbl>`},
			`<table><tbody><tr><td colspan="2">合并</td></tr><tr><td rowspan="2">纵</td><td>1</td></tr><tr><td>2</td></tr></tbody></table>`},
		{"cell paragraphs are lines", dt.Doc{Body: `<w:tbl><w:tr><w:tc>` + dt.P("", "一") + dt.P("", "二") + `</w:tc></w:tr></w:tbl>`},
			"<table><tbody><tr><td>一<br>二</td></tr></tbody></table>"},
		{"web link", dt.Doc{Rels: link.Rels, Body: `<w:p>` + dt.R("", "见") + `<w:hyperlink r:id="rId9">` + dt.R("<w:b/>", "通知") + `</w:hyperlink></w:p>`},
			`<p>见<a href="https://yjj.example.gov.cn/a?b=1&amp;c=2" rel="nofollow"><strong>通知</strong></a></p>`},
		{"content controls and tracked changes", dt.Doc{Body: `<w:sdt><w:sdtPr/><w:sdtContent>` + `<w:p><w:ins>` + dt.R("", "新增") +
			`</w:ins><w:del><w:r><w:delText>删去</w:delText></w:r></w:del></w:p>` + `</w:sdtContent></w:sdt>`}, "<p>新增</p>"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := convertForTest(t, tc.doc)
			if err != nil {
				t.Fatalf("ConvertDocx: %v", err)
			}
			if got.HTML != tc.want {
				t.Errorf("got  %s\nwant %s", got.HTML, tc.want)
			}
			// What the converter writes is already what the sanitiser keeps.
			raw, err := convertDocx(dt.Build(tc.doc))
			if err != nil || raw.HTML != got.HTML {
				t.Errorf("the sanitiser changed the conversion:\nraw  %s\nkept %s", raw.HTML, got.HTML)
			}
		})
	}
}

func TestConvertDocxHostile(t *testing.T) {
	t.Parallel()
	hostileLinks := dt.Doc{}
	hostileLinks.Link("rId1", "javascript:alert(1)")
	hostileLinks.Link("rId2", "file:///etc/passwd")
	hostileLinks.Rels = append(hostileLinks.Rels,
		`<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="http://attacker.example/track.png" TargetMode="External"/>`,
		`<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" Target="http://attacker.example/t.dotm" TargetMode="External"/>`)
	hostileLinks.Body = `<w:p><w:hyperlink r:id="rId1">` + dt.R("", "点我") + `</w:hyperlink><w:hyperlink r:id="rId2">` + dt.R("", "文件") +
		`</w:hyperlink><w:hyperlink w:anchor="_Toc1">` + dt.R("", "目录") + `</w:hyperlink></w:p>` +
		`<w:p><w:r><w:drawing><a:blip xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" r:link="rId3"/></w:drawing></w:r></w:p>` +
		`<w:altChunk r:id="rId5"/>`

	t.Run("scripts stay text", func(t *testing.T) {
		t.Parallel()
		got, err := convertForTest(t, dt.Doc{Body: dt.P("", `&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;`)})
		if err != nil {
			t.Fatal(err)
		}
		want := "<p>&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;</p>"
		if got.HTML != want {
			t.Errorf("got %s, want %s", got.HTML, want)
		}
	})
	t.Run("links other than web addresses and external parts", func(t *testing.T) {
		t.Parallel()
		got, err := convertForTest(t, hostileLinks)
		if err != nil {
			t.Fatal(err)
		}
		if got.HTML != "<p>点我文件目录</p>" {
			t.Errorf("got %s", got.HTML)
		}
		for _, bad := range []string{"javascript", "file:", "attacker", "<a", "<img"} {
			if strings.Contains(got.HTML, bad) {
				t.Errorf("conversion keeps %q: %s", bad, got.HTML)
			}
		}
		joined := strings.Join(got.Dropped, "；")
		for _, want := range []string{"1处图片", "2处链接", "1处嵌入"} {
			if !strings.Contains(joined, want) {
				t.Errorf("dropped %q does not say %q", joined, want)
			}
		}
	})
	// A document whose main part inflates past the budget: 40 MB of
	// spaces compress to some 40 KB, well within the upload limit.
	bomb := dt.Doc{Document: append(append([]byte(`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`),
		bytes.Repeat([]byte(" "), 40<<20)...), `</w:body></w:document>`...)}
	// A document that inflates within the budget to more text than a body
	// may hold.
	long := dt.Doc{Body: strings.Repeat(dt.P("", strings.Repeat("长", 1000)), 1000)}
	deep := dt.Doc{Body: strings.Repeat(`<w:tbl><w:tr><w:tc>`, 10) + dt.P("", "深") + strings.Repeat(`</w:tc></w:tr></w:tbl>`, 10)}
	for _, tc := range []struct {
		name  string
		data  []byte
		field string
		want  string
	}{
		{"zip bomb within the upload limit", dt.Build(bomb), "docx", "解压后过大"},
		{"more text than a body may hold", dt.Build(long), "docx", "超过2MB"},
		{"tables nested too deep", dt.Build(deep), "docx", "嵌套过深"},
		{"links nested too deep", dt.Build(dt.Doc{Body: `<w:p>` + strings.Repeat(`<w:hyperlink>`, 100000) + dt.R("", "深") +
			strings.Repeat(`</w:hyperlink>`, 100000) + `</w:p>`}), "docx", "嵌套过深"},
		{"not a zip", []byte("PK\x03\x04 but not really a zip file at all"), "docx", ""},
		{"a zip without a document", tinyZip("word/other.xml", "<x/>"), "docx", "缺少正文"},
		{"broken XML", dt.Build(dt.Doc{Document: []byte(`<w:document xmlns:w="x"><w:body><w:p>`)}), "docx", "损坏"},
		{"entity expansion", dt.Build(dt.Doc{Document: []byte(`<!DOCTYPE d [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><w:document xmlns:w="x"><w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>`)}), "docx", "损坏"},
		{"a renamed executable", append([]byte("MZ\x90\x00"), make([]byte, 60)...), "docx", "不符"},
		{"an old .doc", oleBytes, "docx", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := &Service{sanitizer: bodyPolicy()}
			name := "通报.docx"
			if tc.name == "an old .doc" {
				name = "通报.doc"
			}
			_, err := s.ConvertDocx(name, tc.data)
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Status != 400 || ae.Fields[tc.field] == "" {
				t.Fatalf("err = %v, want a 400 naming %s", err, tc.field)
			}
			if !strings.Contains(ae.Fields[tc.field], tc.want) {
				t.Errorf("message %q does not say %q", ae.Fields[tc.field], tc.want)
			}
		})
	}
	t.Run("over the size limit", func(t *testing.T) {
		t.Parallel()
		s := &Service{sanitizer: bodyPolicy()}
		data := dt.Build(dt.Doc{Extra: map[string][]byte{"word/media/big.bin": incompressible(MaxDocxBytes + 1)}, Body: dt.P("", "甲")})
		_, err := s.ConvertDocx("a.docx", data)
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Status != 413 {
			t.Fatalf("err = %v, want 413", err)
		}
	})
	t.Run("insecure names in the zip are never opened as files", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create("../../word/document.xml")
		_, _ = w.Write([]byte("<w:document/>"))
		_ = zw.Close()
		s := &Service{sanitizer: bodyPolicy()}
		if _, err := s.ConvertDocx("a.docx", buf.Bytes()); err == nil {
			t.Fatal("a zip with only ../ names converted")
		}
	})
}

// incompressible is n bytes a zip cannot shrink.
func incompressible(n int) []byte {
	out := make([]byte, n)
	x := uint32(2463534242)
	for i := range out {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		out[i] = byte(x)
	}
	return out
}
