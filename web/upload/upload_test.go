package upload

import (
	"bytes"
	"testing"
)

func TestPolicyCheck(t *testing.T) {
	p := Policy{MaxBytes: 1 << 20, TypesText: "只接受 PDF 和 PNG 文件", Types: map[string]Type{
		".pdf": {Sniffed: []string{"application/pdf"}, ContentType: "application/pdf"},
		".png": {Sniffed: []string{"image/png"}, ContentType: "image/png"},
		".doc": {Sniffed: []string{"application/octet-stream"}, Magic: []byte{0xD0, 0xCF}, ContentType: "application/msword"},
	}}
	pdf := []byte("%PDF-1.4\n1 0 obj\n")
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00"), bytes.Repeat([]byte{0}, 64)...)
	for _, tc := range []struct {
		name, file  string
		data        []byte
		wantName    string
		wantProblem string
		tooBig      bool
	}{
		{"pdf", `C:\scans\营业执照.PDF`, pdf, "营业执照.PDF", "", false},
		{"renamed executable", "licence.pdf", exe, "", "文件内容与扩展名不符", false},
		{"refused extension", "run.exe", exe, "", "只接受 PDF 和 PNG 文件", false},
		{"magic required", "old.doc", exe, "", "文件内容与扩展名不符", false},
		{"empty", "a.pdf", nil, "", "文件为空", false},
		{"too big", "a.pdf", append(pdf, make([]byte, 1<<20)...), "", "文件不能超过1MB", true},
		{"no name", "  ", pdf, "", "请选择文件", false},
		{"markup in name", `a"<b>.pdf`, pdf, "", "文件名过长或含有不允许的字符", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name, ct, problem := p.Check(tc.file, tc.data)
			if tc.wantProblem == "" {
				if problem != nil || name != tc.wantName || ct != "application/pdf" {
					t.Fatalf("Check = %q, %q, %+v; want %q accepted", name, ct, problem, tc.wantName)
				}
				return
			}
			if problem == nil || problem.Message != tc.wantProblem || problem.TooBig != tc.tooBig {
				t.Fatalf("Check = %+v; want %q (too big %v)", problem, tc.wantProblem, tc.tooBig)
			}
		})
	}
}
