package disclosure

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"strings"
	"testing"

	"safetypilot/modules/apperr"
)

// Tiny files with the real leading bytes of each format.
var (
	pdfBytes  = []byte("%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
	pngBytes  = tinyPNG()
	jpegBytes = []byte{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xFF, 0xD9}
	zipBytes  = tinyZip("word/document.xml", "<w:document/>")
	oleBytes  = append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 504)...)
	textBytes = []byte("瑶海区应急管理局2026年第一季度执法检查情况\n")
	exeBytes  = append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), make([]byte, 48)...)
	elfBytes  = append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 56)...)
	htmlBytes = []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>")
	svgBytes  = []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)
)

// tinyPNG is a valid 1×1 grey PNG: signature, IHDR, IDAT and IEND chunks.
func tinyPNG() []byte {
	var b bytes.Buffer
	b.Write([]byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'})
	chunk := func(kind string, data []byte) {
		_ = binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(kind)
		b.Write(data)
		_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(kind), data...)))
	}
	chunk("IHDR", []byte{0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0})
	chunk("IDAT", []byte{0x78, 0x9C, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01})
	chunk("IEND", nil)
	return b.Bytes()
}

// tinyZip is a one-file stored zip archive: a local file header (PK\3\4),
// the data, a central directory entry and its end record.
func tinyZip(name, content string) []byte {
	var b bytes.Buffer
	le := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	crc := crc32.ChecksumIEEE([]byte(content))
	b.WriteString("PK\x03\x04")
	le(uint16(20))
	le(uint16(0))
	le(uint16(0)) // stored
	le(uint32(0)) // time, date
	le(crc)
	le(uint32(len(content)))
	le(uint32(len(content)))
	le(uint16(len(name)))
	le(uint16(0))
	b.WriteString(name)
	b.WriteString(content)
	central := b.Len()
	b.WriteString("PK\x01\x02")
	le(uint16(20))
	le(uint16(20))
	le(uint16(0))
	le(uint16(0))
	le(uint32(0))
	le(crc)
	le(uint32(len(content)))
	le(uint32(len(content)))
	le(uint16(len(name)))
	le(uint16(0))
	le(uint16(0))
	le(uint16(0))
	le(uint16(0))
	le(uint32(0))
	le(uint32(0))
	b.WriteString(name)
	end := b.Len()
	b.WriteString("PK\x05\x06")
	le(uint16(0))
	le(uint16(0))
	le(uint16(1))
	le(uint16(1))
	le(uint32(end - central))
	le(uint32(central))
	le(uint16(0))
	return b.Bytes()
}

func TestCheckAttachment(t *testing.T) {
	big := append(append([]byte{}, pdfBytes...), make([]byte, MaxAttachmentBytes-len(pdfBytes))...)
	tooBig := append(append([]byte{}, big...), 0)
	cases := []struct {
		name     string
		file     string
		data     []byte
		wantName string // "" when refused
		wantType string
	}{
		{"pdf", "通知.pdf", pdfBytes, "通知.pdf", "application/pdf"},
		{"upper-case extension", "SCAN.PDF", pdfBytes, "SCAN.PDF", "application/pdf"},
		{"png", "现场照片.png", pngBytes, "现场照片.png", "image/png"},
		{"jpg", "photo.jpg", jpegBytes, "photo.jpg", "image/jpeg"},
		{"jpeg", "photo.jpeg", jpegBytes, "photo.jpeg", "image/jpeg"},
		{"docx is a zip", "方案.docx", zipBytes, "方案.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"xlsx is a zip", "名单.xlsx", zipBytes, "名单.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{"ofd is a zip", "公文.ofd", zipBytes, "公文.ofd", "application/ofd"},
		{"doc is OLE", "旧文件.doc", oleBytes, "旧文件.doc", "application/msword"},
		{"xls is OLE", "旧表格.xls", oleBytes, "旧表格.xls", "application/vnd.ms-excel"},
		{"txt", "说明.txt", textBytes, "说明.txt", "text/plain; charset=utf-8"},
		{"exactly the limit", "big.pdf", big, "big.pdf", "application/pdf"},

		{"exe renamed pdf", "通知.pdf", exeBytes, "", ""},
		{"elf renamed pdf", "通知.pdf", elfBytes, "", ""},
		{"html renamed pdf", "通知.pdf", htmlBytes, "", ""},
		{"html renamed txt", "readme.txt", htmlBytes, "", ""},
		{"svg renamed png", "logo.png", svgBytes, "", ""},
		{"png renamed pdf", "scan.pdf", pngBytes, "", ""},
		{"zip renamed doc", "旧文件.doc", zipBytes, "", ""},
		{"exe renamed doc", "旧文件.doc", exeBytes, "", ""},
		{"exe renamed docx", "方案.docx", exeBytes, "", ""},
		{"exe", "setup.exe", exeBytes, "", ""},
		{"html", "page.html", htmlBytes, "", ""},
		{"svg", "logo.svg", svgBytes, "", ""},
		{"no extension", "README", textBytes, "", ""},
		{"double extension ending in exe", "通知.pdf.exe", exeBytes, "", ""},
		{"too large", "big.pdf", tooBig, "", ""},
		{"empty", "empty.pdf", nil, "", ""},
		{"empty name", "", pdfBytes, "", ""},
		{"blank name", "   ", pdfBytes, "", ""},
		{"angle brackets", "<script>.pdf", pdfBytes, "", ""},
		{"angle bracket", "a>b.pdf", pdfBytes, "", ""},
		{"quote", "a\"b.pdf", pdfBytes, "", ""},
		{"NUL", "a\x00.pdf", pdfBytes, "", ""},
		{"name too long", strings.Repeat("长", 117) + ".pdf", pdfBytes, "", ""},
		{"dot-dot", "..", pdfBytes, "", ""},
		{"dir only", "../", pdfBytes, "", ""},

		{"path tricks", "../../etc/passwd.pdf", pdfBytes, "passwd.pdf", "application/pdf"},
		{"absolute path", "/etc/passwd.pdf", pdfBytes, "passwd.pdf", "application/pdf"},
		{"Windows path", `C:\Users\clerk\桌面\通知.pdf`, pdfBytes, "通知.pdf", "application/pdf"},
		{"Windows dot-dot", `..\..\boot.ini.pdf`, pdfBytes, "boot.ini.pdf", "application/pdf"},
		{"padded", "  通知.pdf  ", pdfBytes, "通知.pdf", "application/pdf"},
		{"longest name", strings.Repeat("长", 116) + ".pdf", pdfBytes, strings.Repeat("长", 116) + ".pdf", "application/pdf"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			name, ct, err := checkAttachment(c.file, c.data)
			if c.wantName == "" {
				if err == nil {
					t.Fatalf("checkAttachment(%q) accepted as %q %q", c.file, name, ct)
				}
				e, ok := apperr.As(err)
				if !ok || e.Status != 400 || e.Fields["file"] == "" {
					t.Fatalf("checkAttachment(%q): %v, want a 400 on field file", c.file, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("checkAttachment(%q): %v", c.file, err)
			}
			if name != c.wantName || ct != c.wantType {
				t.Errorf("checkAttachment(%q) = %q %q, want %q %q", c.file, name, ct, c.wantName, c.wantType)
			}
		})
	}
}

// TestCheckAttachmentCleanNames: whatever path a browser or a client sends,
// what is kept is the bare file name.
func TestCheckAttachmentCleanNames(t *testing.T) {
	for in, want := range map[string]string{
		"a/b/c.pdf":            "c.pdf",
		`a\b\c.pdf`:            "c.pdf",
		"./c.pdf":              "c.pdf",
		"....//c.pdf":          "c.pdf",
		`\\server\share\c.pdf`: "c.pdf",
		"a/b/../..c.pdf":       "..c.pdf",
		"c.pdf/":               "c.pdf",
		"c.pdf/.":              "",
		"a/..":                 "",
	} {
		name, _, err := checkAttachment(in, pdfBytes)
		if want == "" {
			if err == nil {
				t.Errorf("checkAttachment(%q) accepted as %q", in, name)
			}
			continue
		}
		if err != nil || name != want {
			t.Errorf("checkAttachment(%q) = %q, %v; want %q", in, name, err, want)
		}
	}
}
