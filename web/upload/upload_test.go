package upload

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
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

// TestScanPolicyAccept: the scan formats pass with their digest; anything
// else, or bytes that are not what the name says, do not.
func TestScanPolicyAccept(t *testing.T) {
	p := ScanPolicy(1 << 20)
	pdf := []byte("%PDF-1.7\n%scan\n")
	f, problem := p.Accept("笔录.pdf", pdf)
	sum := sha256.Sum256(pdf)
	if problem != nil || f.ContentType != "application/pdf" || f.Size != int64(len(pdf)) || f.FileName != "笔录.pdf" ||
		f.SHA256 != hex.EncodeToString(sum[:]) || !bytes.Equal(f.Data, pdf) {
		t.Fatalf("Accept = %+v, %+v", f, problem)
	}
	for name, data := range map[string][]byte{
		"照片.png": []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "扫描.jpg": []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"),
		"公文.ofd": []byte("PK\x03\x04\x14\x00"),
	} {
		if _, problem := p.Accept(name, data); problem != nil {
			t.Errorf("%s refused: %s", name, problem.Message)
		}
	}
	for name, data := range map[string][]byte{"程序.pdf": []byte("MZ\x90\x00\x03\x00"), "笔录.docx": []byte("PK\x03\x04"), "假.png": pdf} {
		if _, problem := p.Accept(name, data); problem == nil {
			t.Errorf("%s accepted", name)
		}
	}
}
