package penalties

import (
	"context"
	"fmt"
	"mime/multipart"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/calendar"
	"safetypilot/modules/db"
	"safetypilot/web"
	"safetypilot/web/upload"
)

// EvidenceKinds are the kinds of evidence of 行政处罚法 (2021) 第四十六条第一款:
// "证据包括：（一）书证；（二）物证；（三）视听资料；（四）电子数据；（五）证人证言；
// （六）当事人的陈述；（七）鉴定意见；（八）勘验笔录、现场笔录。" (read with the
// search tool in the article's text and commentary at
// http://www.ahdhf.com/law/twsy/14012.html, which gives the 最高人民法院数字图书馆
// as its source; the list is the one of 行政诉讼法 第三十三条; the same text in
// http://m.law-lib.com/law/law_view.asp?id=710811&page=6). Item (八) is one
// kind: a 现场检查记录 of a work-safety inspection is a 现场笔录, a 询问笔录 is
// a 当事人的陈述 or a 证人证言.
var EvidenceKinds = []struct{ Code, Title string }{
	{"documentary", "书证"}, {"physical", "物证"}, {"audiovisual", "视听资料"}, {"electronic", "电子数据"},
	{"witness", "证人证言"}, {"statement", "当事人的陈述"}, {"expert", "鉴定意见"}, {"record", "勘验笔录、现场笔录"},
}

// EvidenceKindTitle is the Chinese name of a kind, or "" for an unknown one.
func EvidenceKindTitle(code string) string {
	for _, k := range EvidenceKinds {
		if k.Code == code {
			return k.Title
		}
	}
	return ""
}

// EvidenceStates are the states in which officers add evidence to the case
// file or void a wrong upload: from the approved 立案 (调查取证, 第五十四条、
// 第五十五条) through the 告知, the 陈述申辩 and the hearing, whose new facts
// and evidence the bureau must 复核 and, where they hold, 采纳 (第四十五条;
// the hearing's 质证, 第六十四条). Not while the
// 立案 awaits approval (no investigation yet), and not once the 法制审核 is
// done (第五十八条): the reviewer has given an opinion on the file as it
// stood, and the decision follows from it; evidence added afterwards would
// reach the decision unreviewed. After the decision the file it rests on is
// closed (409); the evidence stays readable.
var EvidenceStates = []string{StatusInvestigating, StatusNotified, StatusHearingRequested, StatusHearingScheduled, StatusHeard}

// Limits of evidence files. A file is a scan or a photo, which fits in
// 10 MB (as a case's materials); ten files and 30 MB hold a multi-page
// 询问笔录 or a series of photos. The server-wide upload limit
// (PILOT_UPLOAD_LIMIT, default 32 MB) bounds a request too.
const (
	MaxEvidenceFileBytes = 10 << 20
	MaxEvidenceBytes     = 30 << 20
	MaxEvidenceFiles     = 10
)

// evidencePolicy: the scan formats of application materials (PDF, OFD,
// JPEG, PNG), the type read from the bytes.
var evidencePolicy = upload.ScanPolicy(MaxEvidenceFileBytes)

// EvidenceAccept is the accept attribute of the evidence file input.
const EvidenceAccept = upload.ScanAccept

// EvidenceInput is what an evidence item is described with.
type EvidenceInput struct {
	Kind        string `json:"kind"`
	Title       string `json:"title"`
	CollectedBy string `json:"collected_by"`
	CollectedOn string `json:"collected_on"`
	Note        string `json:"note"`
}

// EvidenceUpload is a file sent with an evidence item, before it is checked.
type EvidenceUpload struct {
	FileName string
	Data     []byte
}

// Evidence is an item of a case's evidence with its files (without their
// bytes). Nothing is deleted: a voided item is kept, with who voided it,
// when and why (第四十七条: the 调查取证 is recorded in full and 归档保存).
type Evidence struct {
	ID             int64          `db:"id" json:"id"`
	CountyCode     string         `db:"county_code" json:"-"`
	CaseID         int64          `db:"case_id" json:"case_id"`
	Kind           string         `db:"kind" json:"kind"`
	KindTitle      string         `db:"-" json:"kind_title"`
	Title          string         `db:"title" json:"title"`
	CollectedBy    string         `db:"collected_by" json:"collected_by"`
	CollectedOn    string         `db:"collected_on" json:"collected_on"`
	Note           string         `db:"note" json:"note"`
	UploadedBy     int64          `db:"uploaded_by" json:"uploaded_by"`
	UploadedByName string         `db:"uploaded_by_name" json:"uploaded_by_name"`
	CreatedAt      time.Time      `db:"created_at" json:"uploaded_at"`
	VoidedAt       *time.Time     `db:"voided_at" json:"voided_at"`
	VoidedBy       int64          `db:"voided_by" json:"-"`
	VoidedByName   string         `db:"voided_by_name" json:"voided_by_name"`
	VoidReason     string         `db:"void_reason" json:"void_reason"`
	Voided         bool           `db:"-" json:"voided"`
	Files          []EvidenceFile `db:"-" json:"files"`
}

// EvidenceFile is a stored file of an evidence item.
type EvidenceFile struct {
	ID          int64     `db:"id" json:"id"`
	EvidenceID  int64     `db:"evidence_id" json:"evidence_id"`
	FileName    string    `db:"file_name" json:"file_name"`
	ContentType string    `db:"content_type" json:"content_type"`
	Size        int64     `db:"size" json:"size"`
	SHA256      string    `db:"sha256" json:"sha256"`
	CreatedAt   time.Time `db:"created_at" json:"uploaded_at"`
}

// reliedKinds are the kinds of the items not voided, in the order of
// 第四十六条, each once.
func reliedKinds(list []Evidence) []string {
	var out []string
	for _, k := range EvidenceKinds {
		if slices.ContainsFunc(list, func(e Evidence) bool { return e.Kind == k.Code && !e.Voided }) {
			out = append(out, k.Title)
		}
	}
	return out
}

// mayReadEvidence: the officers who build the file, the 法制审核 reviewer
// and the 负责人 who decides read it, at any state. The county
// administrator, who reads cases, does not read the scans (they carry
// statements and personal data the administration of accounts does not
// need).
func mayReadEvidence(a Actor) error {
	if a.CanInvestigate || a.CanReview || a.CanApprove {
		return nil
	}
	return apperr.Forbidden("forbidden", "证据只有执法人员、法制审核人员和负责人可以查看")
}

// evidenceOpen refuses a change of the evidence in a state outside
// EvidenceStates (409).
func evidenceOpen(c Case, what string) error {
	if slices.Contains(EvidenceStates, c.Status) {
		return nil
	}
	why := "证据材料在调查取证至作出决定前收集"
	switch {
	case c.Status == StatusFiling:
		why = "立案尚未批准，不能调查取证"
	case c.Status == StatusReviewed:
		why = "法制审核已完成，审核所依据的证据不再增减"
	case !Open(c.Status):
		why = "处罚决定已作出，证据材料已固定"
	}
	return apperr.Conflict("evidence_closed", fmt.Sprintf("案件当前状态为“%s”，不能%s：%s", StatusTitles[c.Status], what, why))
}

// checkEvidence validates the description and the files: every problem of
// the description by field; then the files, the first refused one naming
// itself (413 when it is over the size limit).
func (s *Service) checkEvidence(in *EvidenceInput, files []EvidenceUpload) ([]upload.Checked, error) {
	in.Kind, in.Title = strings.TrimSpace(in.Kind), strings.TrimSpace(in.Title)
	in.CollectedBy, in.CollectedOn, in.Note = strings.TrimSpace(in.CollectedBy), strings.TrimSpace(in.CollectedOn), strings.TrimSpace(in.Note)
	f := map[string]string{}
	if in.Kind == "" {
		f["kind"] = "请选择证据种类"
	} else if EvidenceKindTitle(in.Kind) == "" {
		f["kind"] = "证据种类应为《行政处罚法》第四十六条所列八类之一"
	}
	textField(f, "title", in.Title, true, 200)
	textField(f, "collected_by", in.CollectedBy, true, 100)
	textField(f, "note", in.Note, false, 2000)
	// Not after today; it may precede the 立案: the 现场检查记录 of the
	// inspection that found the violation, or what a complaint brought,
	// are evidence of the case collected before it was opened.
	checkDate(f, "collected_on", in.CollectedOn, s.today(), "", "")
	switch {
	case len(files) == 0:
		f["file"] = "请选择要上传的文件"
	case len(files) > MaxEvidenceFiles:
		f["file"] = fmt.Sprintf("每项证据最多上传%d个文件", MaxEvidenceFiles)
	}
	if len(f) > 0 {
		return nil, apperr.Invalid("证据信息有误", f)
	}
	out := make([]upload.Checked, 0, len(files))
	total := 0
	for _, up := range files {
		file, problem := evidencePolicy.Accept(up.FileName, up.Data)
		if problem != nil {
			msg := "文件“" + strings.TrimSpace(up.FileName) + "”未能上传：" + problem.Message
			e := apperr.InvalidField("file", msg)
			if problem.TooBig {
				e.Status, e.Code = fiber.StatusRequestEntityTooLarge, "body_too_large"
			}
			return nil, e
		}
		total += len(up.Data)
		out = append(out, file)
	}
	if total > MaxEvidenceBytes {
		msg := fmt.Sprintf("一项证据的文件合计不能超过%dMB，请分为几项上传", MaxEvidenceBytes>>20)
		return nil, &apperr.Error{Status: fiber.StatusRequestEntityTooLarge, Code: "body_too_large", Message: msg,
			Fields: map[string]string{"file": msg}}
	}
	return out, nil
}

// AddEvidence adds an item of evidence with its files to a county's case:
// all of it or, on any refusal, nothing. Only officers (403), only in
// EvidenceStates (409); the collection date is not after today nor before
// 立案 (400 collected_on).
func (s *Service) AddEvidence(ctx context.Context, actor Actor, county string, caseID int64, in EvidenceInput, files []EvidenceUpload) (Evidence, error) {
	if !actor.CanInvestigate {
		return Evidence{}, apperr.Forbidden("forbidden", "只有执法人员可以添加证据")
	}
	c, err := s.store.get(ctx, s.db, county, caseID)
	if err != nil {
		return Evidence{}, err
	}
	if err := evidenceOpen(c, "添加证据"); err != nil {
		return Evidence{}, err
	}
	checked, err := s.checkEvidence(&in, files)
	if err != nil {
		return Evidence{}, err
	}
	e := Evidence{CountyCode: county, CaseID: caseID, Kind: in.Kind, Title: in.Title, CollectedBy: in.CollectedBy,
		CollectedOn: in.CollectedOn, Note: in.Note, UploadedBy: actor.ID, UploadedByName: actor.Name, CreatedAt: db.Now()}
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		c, err := s.store.lockForUpdate(ctx, tx, county, caseID)
		if err != nil {
			return err
		}
		if err := evidenceOpen(c, "添加证据"); err != nil {
			return err
		}
		if e.UploadedByName == "" {
			if e.UploadedByName, err = s.store.userName(ctx, tx, actor.ID); err != nil {
				return err
			}
		}
		if err := s.store.addEvidence(ctx, tx, &e, checked); err != nil {
			return err
		}
		// The timeline, which every reader of the case sees, names the
		// item by id and kind only: titles and file names may name people.
		return s.event(ctx, tx, &c, actor, "evidence", c.Status, c.Status, e.CollectedOn, "",
			map[string]any{"evidence_id": e.ID, "kind": e.Kind, "files": len(e.Files)})
	})
	if err != nil {
		return Evidence{}, err
	}
	e.KindTitle = EvidenceKindTitle(e.Kind)
	return e, nil
}

// VoidEvidence marks a wrong upload 作废 with a reason: the item and its
// files stay, shown struck through. Officers only, in EvidenceStates; an
// item voided already is a 409.
func (s *Service) VoidEvidence(ctx context.Context, actor Actor, county string, caseID, evidenceID int64, reason string) (Evidence, error) {
	if !actor.CanInvestigate {
		return Evidence{}, apperr.Forbidden("forbidden", "只有执法人员可以将证据作废")
	}
	c, err := s.store.get(ctx, s.db, county, caseID)
	if err != nil {
		return Evidence{}, err
	}
	if _, err := s.store.evidence(ctx, s.db, county, caseID, evidenceID); err != nil {
		return Evidence{}, err
	}
	if err := evidenceOpen(c, "将证据作废"); err != nil {
		return Evidence{}, err
	}
	reason = strings.TrimSpace(reason)
	f := map[string]string{}
	textField(f, "reason", reason, true, 500)
	if len(f) > 0 {
		return Evidence{}, apperr.Invalid("请填写作废理由", f)
	}
	var e Evidence
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		c, err := s.store.lockForUpdate(ctx, tx, county, caseID)
		if err != nil {
			return err
		}
		if err := evidenceOpen(c, "将证据作废"); err != nil {
			return err
		}
		if e, err = s.store.evidence(ctx, tx, county, caseID, evidenceID); err != nil {
			return err
		}
		if e.VoidedAt != nil {
			return apperr.Conflict("evidence_voided", "该证据已于"+e.VoidedAt.Format("2006-01-02")+"作废")
		}
		name := actor.Name
		if name == "" {
			if name, err = s.store.userName(ctx, tx, actor.ID); err != nil {
				return err
			}
		}
		now := db.Now()
		e.VoidedAt, e.VoidedBy, e.VoidedByName, e.VoidReason, e.Voided = &now, actor.ID, name, reason, true
		if err := s.store.voidEvidence(ctx, tx, e); err != nil {
			return err
		}
		return s.event(ctx, tx, &c, actor, "evidence_void", c.Status, c.Status, calendar.FormatDate(s.today()), reason,
			map[string]any{"evidence_id": e.ID, "kind": e.Kind})
	})
	return e, err
}

// EvidenceList is a county's case's evidence with its files, oldest first,
// voided items included.
func (s *Service) EvidenceList(ctx context.Context, county string, caseID int64) ([]Evidence, error) {
	return s.store.evidenceList(ctx, county, caseID)
}

// EvidenceFileData returns a file of an evidence item of a county's case,
// with its bytes; a voided item's files stay readable.
func (s *Service) EvidenceFileData(ctx context.Context, county string, caseID, evidenceID, fileID int64) (EvidenceFile, []byte, error) {
	return s.store.evidenceFile(ctx, county, caseID, evidenceID, fileID)
}

const evidenceColumns = `id, county_code, case_id, kind, title, collected_by, collected_on, note, uploaded_by, uploaded_by_name,
	created_at, voided_at, voided_by, voided_by_name, void_reason`

const evidenceFileColumns = `id, evidence_id, file_name, content_type, size, sha256, created_at`

// addEvidence stores an item and its files in the caller's transaction and
// sets their ids.
func (s *Store) addEvidence(ctx context.Context, tx *sqlx.Tx, e *Evidence, files []upload.Checked) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO penalty_evidence (county_code, case_id, kind, title, collected_by, collected_on,
		note, uploaded_by, uploaded_by_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.CountyCode, e.CaseID, e.Kind, e.Title, e.CollectedBy, e.CollectedOn, e.Note, e.UploadedBy, e.UploadedByName, e.CreatedAt)
	if err != nil {
		return fmt.Errorf("penalties: insert evidence: %w", err)
	}
	if e.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("penalties: evidence id: %w", err)
	}
	e.Files = make([]EvidenceFile, 0, len(files))
	for _, f := range files {
		ef := EvidenceFile{EvidenceID: e.ID, FileName: f.FileName, ContentType: f.ContentType, Size: f.Size, SHA256: f.SHA256, CreatedAt: e.CreatedAt}
		res, err := tx.ExecContext(ctx, `INSERT INTO penalty_evidence_files (county_code, case_id, evidence_id, file_name,
			content_type, size, sha256, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.CountyCode, e.CaseID, e.ID, ef.FileName, ef.ContentType, ef.Size, ef.SHA256, f.Data, ef.CreatedAt)
		if err != nil {
			return fmt.Errorf("penalties: insert evidence file: %w", err)
		}
		if ef.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("penalties: evidence file id: %w", err)
		}
		e.Files = append(e.Files, ef)
	}
	return nil
}

// evidence reads one item of a county's case, without its files.
func (s *Store) evidence(ctx context.Context, q sqlx.QueryerContext, county string, caseID, id int64) (Evidence, error) {
	var e Evidence
	err := sqlx.GetContext(ctx, q, &e, `SELECT `+evidenceColumns+` FROM penalty_evidence
		WHERE county_code = ? AND case_id = ? AND id = ?`, county, caseID, id)
	if db.IsNoRows(err) {
		return e, apperr.ErrNotFound
	}
	if err != nil {
		return e, fmt.Errorf("penalties: evidence: %w", err)
	}
	e.KindTitle, e.Voided = EvidenceKindTitle(e.Kind), e.VoidedAt != nil
	return e, nil
}

// voidEvidence records the voiding of an item; only an item not voided yet
// changes.
func (s *Store) voidEvidence(ctx context.Context, tx *sqlx.Tx, e Evidence) error {
	_, err := tx.ExecContext(ctx, `UPDATE penalty_evidence SET voided_at = ?, voided_by = ?, voided_by_name = ?, void_reason = ?
		WHERE county_code = ? AND case_id = ? AND id = ? AND voided_at IS NULL`,
		e.VoidedAt, e.VoidedBy, e.VoidedByName, e.VoidReason, e.CountyCode, e.CaseID, e.ID)
	if err != nil {
		return fmt.Errorf("penalties: void evidence: %w", err)
	}
	return nil
}

// evidenceList reads a case's items with their files.
func (s *Store) evidenceList(ctx context.Context, county string, caseID int64) ([]Evidence, error) {
	out := []Evidence{}
	if err := s.db.SelectContext(ctx, &out, `SELECT `+evidenceColumns+` FROM penalty_evidence
		WHERE county_code = ? AND case_id = ? ORDER BY id`, county, caseID); err != nil {
		return nil, fmt.Errorf("penalties: evidence list: %w", err)
	}
	var files []EvidenceFile
	if err := s.db.SelectContext(ctx, &files, `SELECT `+evidenceFileColumns+` FROM penalty_evidence_files
		WHERE county_code = ? AND case_id = ? ORDER BY id`, county, caseID); err != nil {
		return nil, fmt.Errorf("penalties: evidence files: %w", err)
	}
	at := map[int64]int{}
	for i := range out {
		out[i].KindTitle, out[i].Voided, out[i].Files = EvidenceKindTitle(out[i].Kind), out[i].VoidedAt != nil, []EvidenceFile{}
		at[out[i].ID] = i
	}
	for _, f := range files {
		if i, ok := at[f.EvidenceID]; ok {
			out[i].Files = append(out[i].Files, f)
		}
	}
	return out, nil
}

// evidenceFile reads a file of an item of a county's case with its bytes.
func (s *Store) evidenceFile(ctx context.Context, county string, caseID, evidenceID, id int64) (EvidenceFile, []byte, error) {
	var row struct {
		EvidenceFile
		Data []byte `db:"data"`
	}
	err := s.db.GetContext(ctx, &row, `SELECT `+evidenceFileColumns+`, data FROM penalty_evidence_files
		WHERE county_code = ? AND case_id = ? AND evidence_id = ? AND id = ?`, county, caseID, evidenceID, id)
	if db.IsNoRows(err) {
		return EvidenceFile{}, nil, apperr.ErrNotFound
	}
	if err != nil {
		return EvidenceFile{}, nil, fmt.Errorf("penalties: evidence file: %w", err)
	}
	return row.EvidenceFile, row.Data, nil
}

// readEvidenceForm reads a multipart evidence upload: the description's
// fields and the files of "file" (at most MaxEvidenceFiles+1 read, each at
// most one byte over its limit, so a refusal does not read them all).
func readEvidenceForm(c *fiber.Ctx) (EvidenceInput, []EvidenceUpload, map[string][]string, error) {
	form, err := c.MultipartForm()
	if err != nil {
		return EvidenceInput{}, nil, nil, apperr.InvalidField("file", "请以 multipart/form-data 上传证据的说明和字段名为 file 的文件")
	}
	value := func(k string) string {
		if v := form.Value[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	in := EvidenceInput{Kind: value("kind"), Title: value("title"), CollectedBy: value("collected_by"),
		CollectedOn: value("collected_on"), Note: value("note")}
	files, err := readEvidenceFiles(form.File["file"])
	return in, files, form.Value, err
}

func readEvidenceFiles(headers []*multipart.FileHeader) ([]EvidenceUpload, error) {
	var out []EvidenceUpload
	for _, fh := range headers {
		if fh.Filename == "" && fh.Size == 0 {
			continue // an input left empty
		}
		if len(out) > MaxEvidenceFiles {
			break
		}
		data, err := upload.Read(fh, MaxEvidenceFileBytes)
		if err != nil {
			return nil, err
		}
		out = append(out, EvidenceUpload{FileName: fh.Filename, Data: data})
	}
	return out, nil
}

// auditEvidence names the item and its files in the audit entry.
func auditEvidence(c *fiber.Ctx, caseID int64, e Evidence, what string) {
	names := make([]string, 0, len(e.Files))
	for _, f := range e.Files {
		names = append(names, fmt.Sprintf("%d %s (%d bytes, sha256 %s)", f.ID, f.FileName, f.Size, f.SHA256))
	}
	web.SetAuditDetail(c, fmt.Sprintf("penalty case %d evidence %d %s %s: %s", caseID, e.ID, what, e.Kind, strings.Join(names, "; ")))
}

// evidenceActor is the signed-in user with the module's permissions; a user
// who may not read evidence is refused before the case is looked up.
func (a *API) evidenceActor(c *fiber.Ctx) (Actor, int64, error) {
	act, err := a.ActorOf(c, c.Params("county"))
	if err != nil {
		return act, 0, err
	}
	if err := mayReadEvidence(act); err != nil {
		return act, 0, err
	}
	id, err := web.PathID(c, "id")
	return act, id, err
}

func (a *API) listEvidence(c *fiber.Ctx) error {
	_, id, err := a.evidenceActor(c)
	if err != nil {
		return err
	}
	county := c.Params("county")
	if _, err := a.svc.Get(c.UserContext(), county, id); err != nil {
		return err
	}
	list, err := a.svc.EvidenceList(c.UserContext(), county, id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": list, "total": len(list), "kinds": EvidenceKinds})
}

func (a *API) addEvidence(c *fiber.Ctx) error {
	act, id, err := a.evidenceActor(c)
	if err != nil {
		return err
	}
	county := c.Params("county")
	// A case of another county is not found, whatever was sent.
	if _, err := a.svc.Get(c.UserContext(), county, id); err != nil {
		return err
	}
	if !act.CanInvestigate {
		return apperr.Forbidden("forbidden", "只有执法人员可以添加证据")
	}
	in, files, _, err := readEvidenceForm(c)
	if err != nil {
		return err
	}
	e, err := a.svc.AddEvidence(c.UserContext(), act, county, id, in, files)
	if err != nil {
		return err
	}
	auditEvidence(c, id, e, "added")
	return c.Status(fiber.StatusCreated).JSON(e)
}

func (a *API) voidEvidence(c *fiber.Ctx) error {
	act, id, err := a.evidenceActor(c)
	if err != nil {
		return err
	}
	eid, err := web.PathID(c, "evidence")
	if err != nil {
		return err
	}
	var body struct {
		Reason string `json:"reason"`
	}
	if err := web.DecodeJSON(c, &body); err != nil {
		return err
	}
	e, err := a.svc.VoidEvidence(c.UserContext(), act, c.Params("county"), id, eid, body.Reason)
	if err != nil {
		return err
	}
	auditEvidence(c, id, e, "voided")
	return c.JSON(e)
}

// downloadEvidence sends a file of a case's evidence (API and pages).
func (a *API) downloadEvidence(c *fiber.Ctx) error {
	_, id, err := a.evidenceActor(c)
	if err != nil {
		return err
	}
	eid, err := web.PathID(c, "evidence")
	if err != nil {
		return err
	}
	fid, err := web.PathID(c, "file")
	if err != nil {
		return err
	}
	f, data, err := a.svc.EvidenceFileData(c.UserContext(), c.Params("county"), id, eid, fid)
	if err != nil {
		return err
	}
	web.SetAuditDetail(c, fmt.Sprintf("penalty case %d evidence %d file %d %s", id, eid, f.ID, f.FileName))
	return web.SendFile(c, f.FileName, f.ContentType, data)
}

// submitEvidence adds evidence from the case page's form; a refusal shows
// the page again with what was typed and the errors by the fields.
func (p *Pages) submitEvidence(c *fiber.Ctx) error {
	county := c.Params("county")
	act, id, err := p.api.evidenceActor(c)
	if err != nil {
		return err
	}
	if _, err := p.api.svc.Get(c.UserContext(), county, id); err != nil {
		return err
	}
	in, files, values, err := readEvidenceForm(c)
	var e Evidence
	if err == nil {
		if e, err = p.api.svc.AddEvidence(c.UserContext(), act, county, id, in, files); err == nil {
			auditEvidence(c, id, e, "added")
			return c.Redirect("/counties/"+county+"/penalty-cases/"+strconv.FormatInt(id, 10)+"#evidence", fiber.StatusSeeOther)
		}
	}
	return p.evidenceRefused(c, county, id, err, "evidence", values)
}

// submitVoidEvidence voids an item from the case page.
func (p *Pages) submitVoidEvidence(c *fiber.Ctx) error {
	county := c.Params("county")
	act, id, err := p.api.evidenceActor(c)
	if err != nil {
		return err
	}
	eid, err := web.PathID(c, "evidence")
	if err != nil {
		return err
	}
	if _, err := p.api.svc.Get(c.UserContext(), county, id); err != nil {
		return err
	}
	e, err := p.api.svc.VoidEvidence(c.UserContext(), act, county, id, eid, c.FormValue("reason"))
	if err == nil {
		auditEvidence(c, id, e, "voided")
		return c.Redirect("/counties/"+county+"/penalty-cases/"+strconv.FormatInt(id, 10)+"#evidence", fiber.StatusSeeOther)
	}
	return p.evidenceRefused(c, county, id, err, "evidence_void", map[string][]string{
		"evidence_id": {strconv.FormatInt(eid, 10)}, "reason": {c.FormValue("reason")}})
}

// evidenceRefused shows the case page with a refused evidence form; a 404
// or an unexpected error goes to the error handler.
func (p *Pages) evidenceRefused(c *fiber.Ctx, county string, id int64, err error, action string, form map[string][]string) error {
	e, ok := apperr.As(err)
	if !ok || e.Status == fiber.StatusNotFound || e.Status >= 500 {
		return err
	}
	c.Status(e.Status)
	fields := e.Fields
	if fields == nil {
		fields = map[string]string{}
	}
	return p.renderCase(c, county, id, refusal{message: e.Message, errors: fields, action: action, form: form})
}
