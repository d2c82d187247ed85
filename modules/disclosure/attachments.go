package disclosure

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
)

// MaxAttachmentBytes bounds one attachment.
const MaxAttachmentBytes = 10 << 20

// allowedTypes maps accepted extensions to the content types their bytes must
// show (as sniffed by net/http), so a renamed executable is refused.
var allowedTypes = map[string][]string{
	".pdf":  {"application/pdf"},
	".png":  {"image/png"},
	".jpg":  {"image/jpeg"},
	".jpeg": {"image/jpeg"},
	".txt":  {"text/plain; charset=utf-8"},
	".docx": {"application/zip"},
	".xlsx": {"application/zip"},
	".ofd":  {"application/zip"},
	".doc":  {"application/octet-stream"},
	".xls":  {"application/octet-stream"},
}

// contentTypes is what downloads are served as.
var contentTypes = map[string]string{
	".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
	".txt": "text/plain; charset=utf-8", ".doc": "application/msword", ".xls": "application/vnd.ms-excel",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".ofd": "application/ofd",
}

// oleMagic starts the old Office formats (.doc, .xls).
var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// checkAttachment validates a file's name, size and type.
func checkAttachment(name string, data []byte) (cleanName, contentType string, err error) {
	name = strings.TrimSpace(filepath.Base(strings.ReplaceAll(name, "\\", "/")))
	ext := strings.ToLower(filepath.Ext(name))
	f := map[string]string{}
	switch {
	case name == "" || name == "." || name == "/":
		f["file"] = "请选择文件"
	case utf8.RuneCountInString(name) > 120 || strings.ContainsAny(name, "<>\"\x00"):
		f["file"] = "文件名过长或含有不允许的字符"
	case len(data) == 0:
		f["file"] = "文件为空"
	case len(data) > MaxAttachmentBytes:
		f["file"] = fmt.Sprintf("文件不能超过%dMB", MaxAttachmentBytes>>20)
	}
	want, ok := allowedTypes[ext]
	if len(f) == 0 && !ok {
		f["file"] = "只接受 PDF、OFD、Word、Excel、PNG、JPEG 和纯文本文件"
	}
	if len(f) == 0 {
		sniffed := http.DetectContentType(data)
		match := false
		for _, w := range want {
			match = match || sniffed == w
		}
		if (ext == ".doc" || ext == ".xls") && !bytes.HasPrefix(data, oleMagic) {
			match = false
		}
		if !match {
			f["file"] = "文件内容与扩展名不符"
		}
	}
	if len(f) > 0 {
		return "", "", apperr.Invalid("附件有误", f)
	}
	return name, contentTypes[ext], nil
}

// AddAttachment stores a file on a record that is still being prepared.
func (s *Service) AddAttachment(ctx context.Context, county string, id int64, by Actor, name string, data []byte) (Attachment, error) {
	clean, ct, err := checkAttachment(name, data)
	if err != nil {
		return Attachment{}, err
	}
	sum := sha256.Sum256(data)
	a := Attachment{RecordID: id, FileName: clean, ContentType: ct, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), CreatedAt: db.Now()}
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		r, err := s.lock(ctx, tx, county, id)
		if err != nil {
			return err
		}
		if r.Status != StatusDraft && r.Status != StatusRejected {
			return apperr.Conflict("invalid_transition", "只有草稿或审查未通过的信息可以添加附件")
		}
		if r.AuthorID != by.ID {
			return apperr.Forbidden("not_author", "只有撰稿人可以添加附件")
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO disclosure_attachments (record_id, county_code, file_name, content_type, size,
			sha256, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, county, a.FileName, a.ContentType, a.Size, a.SHA256, data, a.CreatedAt)
		if err != nil {
			return fmt.Errorf("disclosure: insert attachment: %w", err)
		}
		a.ID, err = res.LastInsertId()
		return err
	})
	return a, err
}

func (s *Service) attachments(ctx context.Context, county string, recordID int64) ([]Attachment, error) {
	out := []Attachment{}
	err := s.db.SelectContext(ctx, &out, `SELECT id, record_id, file_name, content_type, size, sha256, created_at
		FROM disclosure_attachments WHERE county_code = ? AND record_id = ? ORDER BY id`, county, recordID)
	if err != nil {
		return nil, fmt.Errorf("disclosure: attachments: %w", err)
	}
	return out, nil
}

// AttachmentData returns a file for download. publicOnly restricts it to
// published records and gives the masked file name.
func (s *Service) AttachmentData(ctx context.Context, county string, recordID, attID int64, publicOnly bool) (Attachment, []byte, error) {
	var row struct {
		Attachment
		Data []byte `db:"data"`
	}
	err := s.db.GetContext(ctx, &row, `SELECT id, record_id, file_name, content_type, size, sha256, created_at, data
		FROM disclosure_attachments WHERE county_code = ? AND record_id = ? AND id = ?`, county, recordID, attID)
	if db.IsNoRows(err) {
		return Attachment{}, nil, apperr.ErrNotFound
	}
	if err != nil {
		return Attachment{}, nil, fmt.Errorf("disclosure: attachment: %w", err)
	}
	if publicOnly {
		pub, err := s.GetPublished(ctx, county, recordID)
		if err != nil {
			return Attachment{}, nil, err
		}
		for _, pa := range pub.Attachments {
			if pa.ID == attID {
				row.FileName = pa.FileName
			}
		}
	}
	return row.Attachment, row.Data, nil
}
