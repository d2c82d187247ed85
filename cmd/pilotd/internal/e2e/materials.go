package e2e

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
)

// MaterialFile is a file sent for a case's material.
type MaterialFile struct {
	Name string
	Data []byte
}

// PNG is a small image whose bytes sniff as image/png.
func PNG() []byte {
	return append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{1}, 64)...)
}

// PDF is a document of about size bytes whose bytes sniff as application/pdf.
func PDF(size int) []byte {
	head := []byte("%PDF-1.4\n% scan\n")
	return append(head, bytes.Repeat([]byte{'x'}, max(size-len(head), 1))...)
}

// EXE is the start of a Windows executable: refused whatever it is named.
func EXE() []byte {
	return append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), bytes.Repeat([]byte{0}, 128)...)
}

// Multipart builds a multipart/form-data POST of the fields and the files
// by field name.
func Multipart(path string, fields url.Values, files map[string][]MaterialFile) *http.Request {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	for field, fs := range files {
		for _, f := range fs {
			fw, _ := w.CreateFormFile(field, f.Name)
			_, _ = fw.Write(f.Data)
		}
	}
	_ = w.Close()
	req := httptest.NewRequest("POST", path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return req
}

// MaterialUpload is the API request attaching files for material (empty:
// another material) to a case, by a bearer token.
func MaterialUpload(path, token, material string, files ...MaterialFile) *http.Request {
	req := Multipart(path, url.Values{"material": {material}}, map[string][]MaterialFile{"file": files})
	req.Header.Set("Authorization", "Bearer "+token)
	return req
}

// PostMultipart submits a multipart page form with the session's cookie and
// CSRF token.
func (b *FormSession) PostMultipart(path string, fields url.Values, files map[string][]MaterialFile) Response {
	b.s.T.Helper()
	v := url.Values{"_csrf": {b.CSRF}}
	for k, vals := range fields {
		v[k] = vals
	}
	req := Multipart(path, v, files)
	req.AddCookie(b.Cookie)
	return b.s.Send(req)
}

// File is a named file to upload.
func File(name string, data []byte) MaterialFile { return MaterialFile{Name: name, Data: data} }

// EvidenceFields describes an item of a penalty case's evidence: its kind
// (行政处罚法 第四十六条), title, collection date and collector.
func EvidenceFields(kind, title, collectedOn string) url.Values {
	return url.Values{"kind": {kind}, "title": {title}, "collected_on": {collectedOn}, "collected_by": {"执法人员甲、乙"}}
}

// EvidenceUpload is the API request adding an item of evidence with its
// files to a penalty case, by a bearer token.
func EvidenceUpload(path, token string, fields url.Values, files ...MaterialFile) *http.Request {
	req := Multipart(path, fields, map[string][]MaterialFile{"file": files})
	req.Header.Set("Authorization", "Bearer "+token)
	return req
}
