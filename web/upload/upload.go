// Package upload checks an uploaded file before a module stores it: its
// name, its size, and that its bytes are of the type its extension claims,
// so a renamed executable is refused. Disclosure attachments, case
// materials and penalty evidence share it, each with its own policy of
// sizes and types.
package upload

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// Type is one accepted file type, keyed by extension in a Policy.
type Type struct {
	// Sniffed are the content types net/http's sniffing may report for it.
	Sniffed []string
	// Magic, when set, is a prefix the bytes must start with (for types the
	// sniffer cannot tell apart, like the old Office formats).
	Magic []byte
	// ContentType is what the file is served as.
	ContentType string
}

// Policy is what a module accepts.
type Policy struct {
	MaxBytes int
	// Types by lower-case extension with its dot (".pdf").
	Types map[string]Type
	// TypesText names the accepted types in the refusal of another one.
	TypesText string
}

// Problem is why a file is refused, in Chinese for the person who sent it.
type Problem struct {
	Message string
	// TooBig: the file is over the size limit (413 rather than 400).
	TooBig bool
}

// Check returns the file's clean base name and the content type to serve it
// as, or the problem that refuses it.
func (p Policy) Check(name string, data []byte) (cleanName, contentType string, problem *Problem) {
	name = strings.TrimSpace(filepath.Base(strings.ReplaceAll(name, "\\", "/")))
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case name == "" || name == "." || name == "/":
		return "", "", &Problem{Message: "请选择文件"}
	case utf8.RuneCountInString(name) > 120 || strings.ContainsAny(name, "<>\"\x00") || !utf8.ValidString(name):
		return "", "", &Problem{Message: "文件名过长或含有不允许的字符"}
	case len(data) == 0:
		return "", "", &Problem{Message: "文件为空"}
	case len(data) > p.MaxBytes:
		return "", "", &Problem{Message: fmt.Sprintf("文件不能超过%dMB", p.MaxBytes>>20), TooBig: true}
	}
	t, ok := p.Types[ext]
	if !ok {
		return "", "", &Problem{Message: p.TypesText}
	}
	sniffed := http.DetectContentType(data)
	match := false
	for _, w := range t.Sniffed {
		match = match || sniffed == w
	}
	if t.Magic != nil && !bytes.HasPrefix(data, t.Magic) {
		match = false
	}
	if !match {
		return "", "", &Problem{Message: "文件内容与扩展名不符"}
	}
	return name, t.ContentType, nil
}

// Read reads an uploaded file, at most limit+1 bytes, so a file over the
// limit is seen as such without being read in full.
func Read(fh *multipart.FileHeader, limit int) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, fmt.Errorf("upload: open %q: %w", fh.Filename, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("upload: read %q: %w", fh.Filename, err)
	}
	return data, nil
}

// ScanAccept is the accept attribute of a file input for ScanPolicy.
const ScanAccept = ".pdf,.ofd,.jpg,.jpeg,.png"

// ScanPolicy accepts the fixed-layout formats a signed or stamped paper is
// scanned or photographed into, up to maxBytes a file: PDF, OFD (GB/T 33190,
// the national format of electronic documents, a zip package), JPEG and PNG.
// Editable formats (Word) are refused: the file must show what was signed
// and stamped, and they can carry active content. A case's application
// materials and a penalty case's evidence share it.
func ScanPolicy(maxBytes int) Policy {
	return Policy{
		MaxBytes: maxBytes,
		Types: map[string]Type{
			".pdf":  {Sniffed: []string{"application/pdf"}, ContentType: "application/pdf"},
			".ofd":  {Sniffed: []string{"application/zip"}, ContentType: "application/ofd"},
			".jpg":  {Sniffed: []string{"image/jpeg"}, ContentType: "image/jpeg"},
			".jpeg": {Sniffed: []string{"image/jpeg"}, ContentType: "image/jpeg"},
			".png":  {Sniffed: []string{"image/png"}, ContentType: "image/png"},
		},
		TypesText: "只接受 PDF、OFD、JPEG、PNG 格式的文件",
	}
}

// Checked is a file that passed a policy: its clean name, the type it is
// served as, its size and SHA-256 (kept with it, so a copy handed out later
// can be shown to be the one received), and its bytes.
type Checked struct {
	FileName    string
	ContentType string
	Size        int64
	SHA256      string
	Data        []byte
}

// Accept checks a file as Check does and returns it with its digest.
func (p Policy) Accept(name string, data []byte) (Checked, *Problem) {
	clean, ct, problem := p.Check(name, data)
	if problem != nil {
		return Checked{}, problem
	}
	sum := sha256.Sum256(data)
	return Checked{FileName: clean, ContentType: ct, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), Data: data}, nil
}
