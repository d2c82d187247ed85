package disclosure

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
	"safetypilot/web/upload"
)

// MaxAttachmentBytes bounds one attachment.
const MaxAttachmentBytes = 10 << 20

// zipped are the sniffed types of the zip-based formats (DOCX, XLSX, OFD).
var zipped = []string{"application/zip"}

// attachmentPolicy is what an attachment may be; the bytes must show the
// type the extension claims, so a renamed executable is refused.
var attachmentPolicy = upload.Policy{
	MaxBytes: MaxAttachmentBytes,
	Types: map[string]upload.Type{
		".pdf":  {Sniffed: []string{"application/pdf"}, ContentType: "application/pdf"},
		".png":  {Sniffed: []string{"image/png"}, ContentType: "image/png"},
		".jpg":  {Sniffed: []string{"image/jpeg"}, ContentType: "image/jpeg"},
		".jpeg": {Sniffed: []string{"image/jpeg"}, ContentType: "image/jpeg"},
		".txt":  {Sniffed: []string{"text/plain; charset=utf-8"}, ContentType: "text/plain; charset=utf-8"},
		".docx": {Sniffed: zipped, ContentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		".xlsx": {Sniffed: zipped, ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		".ofd":  {Sniffed: zipped, ContentType: "application/ofd"},
		".doc":  {Sniffed: []string{"application/octet-stream"}, Magic: oleMagic, ContentType: "application/msword"},
		".xls":  {Sniffed: []string{"application/octet-stream"}, Magic: oleMagic, ContentType: "application/vnd.ms-excel"},
	},
	TypesText: "只接受 PDF、OFD、Word、Excel、PNG、JPEG 和纯文本文件",
}

// oleMagic starts the old Office formats (.doc, .xls).
var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// checkAttachment validates a file's name, size and type.
func checkAttachment(name string, data []byte) (cleanName, contentType string, err error) {
	clean, ct, problem := attachmentPolicy.Check(name, data)
	if problem != nil {
		return "", "", apperr.Invalid("附件有误", map[string]string{"file": problem.Message})
	}
	return clean, ct, nil
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

// attachmentTextCacheSize bounds the attachments whose text is kept in
// memory (each at most maxExtractedBytes).
const attachmentTextCacheSize = 32

// maxFindingsPerAttachment bounds what the scan lists of one attachment's
// contents: past a few, the reviewer has to read the file anyway.
const maxFindingsPerAttachment = 200

// attachmentTexts reads the contents of the attachments, from the cache or
// from the database (q, so a transaction reads its own rows).
func (s *Service) attachmentTexts(ctx context.Context, q sqlx.QueryerContext, county string, atts []Attachment) (map[int64]attachmentText, error) {
	out := make(map[int64]attachmentText, len(atts))
	for _, a := range atts {
		key := a.SHA256 + strings.ToLower(filepath.Ext(a.FileName))
		if t, ok := s.texts.Get(key); ok {
			out[a.ID] = t
			continue
		}
		var data []byte
		if err := sqlx.GetContext(ctx, q, &data, `SELECT data FROM disclosure_attachments WHERE county_code = ? AND record_id = ? AND id = ?`,
			county, a.RecordID, a.ID); err != nil {
			return nil, fmt.Errorf("disclosure: attachment data: %w", err)
		}
		name := a.FileName
		t := withinTime(extractTimeout, func() attachmentText { return extractText(name, data) })
		s.texts.Add(key, t)
		out[a.ID] = t
	}
	return out, nil
}

// contentField is the field of the findings in an attachment's contents. It
// is not "attachment:<id>" (the name), so no mask can be set on it: Publish
// cannot change what a file holds.
func contentField(id int64) string { return fmt.Sprintf("attachment_content:%d", id) }

// scanAttachment scans what was read of an attachment, part by part, and
// adds a finding when its contents could not be read in full.
func scanAttachment(a Attachment, t attachmentText, terms []string) []Finding {
	field := contentField(a.ID)
	var out []Finding
	for _, p := range t.Parts {
		for _, f := range scanPlain(field, p.Text, terms) {
			if len(out) == maxFindingsPerAttachment {
				break
			}
			f.AttachmentID, f.Location, f.Excerpt = a.ID, p.Where, excerpt(p.Text, f.Start, f.End)
			out = append(out, f)
		}
	}
	if t.Problem != "" {
		out = append(out, Finding{Field: field, Kind: FindingUnreadable, AttachmentID: a.ID,
			Text: "附件“" + a.FileName + "”" + t.Problem + "，请人工核查"})
	}
	return out
}

// excerptRunes is how much text an excerpt shows on either side of a finding.
const excerptRunes = 20

// excerpt is the text around runes [start, end) of a part, on one line.
func excerpt(text string, start, end int) string {
	runes := []rune(text)
	from, to := max(start-excerptRunes, 0), min(end+excerptRunes, len(runes))
	s := strings.Join(strings.Fields(string(runes[from:to])), " ")
	if from > 0 {
		s = "…" + s
	}
	if to < len(runes) {
		s += "…"
	}
	return s
}

// attachmentsToCheck lists, in order, the attachments with findings in
// their contents or contents that could not be read.
func attachmentsToCheck(findings []Finding) []int64 {
	var out []int64
	for _, f := range findings {
		if f.AttachmentID != 0 && !slices.Contains(out, f.AttachmentID) {
			out = append(out, f.AttachmentID)
		}
	}
	return out
}

// checkAttachmentsConfirmed refuses an approval while an attachment whose
// contents need a hand check is not confirmed as checked, and marks the
// confirmed attachments' findings for the kept review record.
func checkAttachmentsConfirmed(in ReviewInput, atts []Attachment, findings []Finding) error {
	names := map[int64]string{}
	for _, a := range atts {
		names[a.ID] = a.FileName
	}
	for i, id := range in.CheckedAttachments {
		if _, ok := names[id]; !ok {
			return apperr.InvalidField(fmt.Sprintf("checked_attachments[%d]", i), "确认核查的附件不是该信息的附件")
		}
	}
	if in.Decision != "approve" {
		return nil
	}
	var missing []string
	for _, id := range attachmentsToCheck(findings) {
		if !slices.Contains(in.CheckedAttachments, id) {
			missing = append(missing, "“"+names[id]+"”")
		}
	}
	if len(missing) > 0 {
		return apperr.InvalidField("checked_attachments", "附件"+strings.Join(missing, "、")+
			"的内容中有自动检查发现的内容，或无法自动读取。附件内容无法遮盖：请打开附件人工核查，确认可以公开后逐个勾选确认；否则请审查不通过，退回撰稿人更换附件。")
	}
	for i := range findings {
		if findings[i].AttachmentID != 0 && slices.Contains(in.CheckedAttachments, findings[i].AttachmentID) {
			findings[i].Checked = true
		}
	}
	return nil
}
