package cases

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
	"safetypilot/modules/catalog"
	"safetypilot/modules/db"
	"safetypilot/web"
	"safetypilot/web/upload"
)

// Limits of the files of a case's materials. A file is a scan or a photo of
// a stamped document, which fits in 10 MB; 30 MB and 20 files hold an
// application of several multi-page materials. The server-wide upload limit
// (PILOT_UPLOAD_LIMIT) bounds a request too and must be raised with them.
const (
	MaxMaterialBytes    = 10 << 20
	MaxApplicationBytes = 30 << 20
	MaxMaterialFiles    = 20
)

// Where a material's file came from.
const (
	SourceOnline  = "online"
	SourceCounter = "counter"
)

// materialPolicy accepts the formats a stamped document is scanned or
// photographed into (upload.ScanPolicy: PDF, OFD, JPEG, PNG).
var materialPolicy = upload.ScanPolicy(MaxMaterialBytes)

// MaterialAccept is the accept attribute of the file inputs.
const MaterialAccept = upload.ScanAccept

// MaterialFile is a file sent for a material, before it is checked.
type MaterialFile struct {
	// Material is the name of the item's listed material; empty for another
	// material (counter only).
	Material string
	FileName string
	Data     []byte
	// Field is the form field it came in, for the error.
	Field string
}

// Material is a stored file of a case's materials, without its bytes.
type Material struct {
	ID          int64     `db:"id" json:"id"`
	CaseID      int64     `db:"case_id" json:"case_id"`
	Material    string    `db:"material" json:"material"`
	FileName    string    `db:"file_name" json:"file_name"`
	ContentType string    `db:"content_type" json:"content_type"`
	Size        int64     `db:"size" json:"size"`
	SHA256      string    `db:"sha256" json:"sha256"`
	Source      string    `db:"source" json:"source"`
	UploadedBy  int64     `db:"uploaded_by" json:"uploaded_by"`
	CreatedAt   time.Time `db:"created_at" json:"uploaded_at"`
}

// checkedMaterial is a file that passed the checks.
type checkedMaterial struct {
	Material
	data []byte
}

// materialTitle names a material in a message.
func materialTitle(name string) string {
	if name == "" {
		return "其他材料"
	}
	return name
}

// checkMaterials checks every file; the first refusal refuses them all, so
// nothing is stored half. listed are the item's materials.
func checkMaterials(files []MaterialFile, listed []catalog.Material, online bool) ([]checkedMaterial, error) {
	if len(files) > MaxMaterialFiles {
		return nil, apperr.InvalidField("materials", fmt.Sprintf("一次最多上传%d个文件", MaxMaterialFiles))
	}
	total := 0
	out := make([]checkedMaterial, 0, len(files))
	for _, f := range files {
		known := slices.ContainsFunc(listed, func(m catalog.Material) bool { return m.Name == f.Material })
		if !known && (online || f.Material != "") {
			return nil, apperr.InvalidField(f.Field, "“"+f.Material+"”不是该事项所列的申请材料")
		}
		file, problem := materialPolicy.Accept(f.FileName, f.Data)
		if problem != nil {
			msg := "材料“" + materialTitle(f.Material) + "”的文件“" + strings.TrimSpace(f.FileName) + "”未能上传：" + problem.Message
			e := apperr.InvalidField(f.Field, msg)
			e.Message = msg
			if problem.TooBig {
				e.Status, e.Code = fiber.StatusRequestEntityTooLarge, "body_too_large"
			}
			return nil, e
		}
		total += len(f.Data)
		out = append(out, checkedMaterial{Material: Material{Material: f.Material, FileName: file.FileName, ContentType: file.ContentType,
			Size: file.Size, SHA256: file.SHA256}, data: file.Data})
	}
	if total > MaxApplicationBytes {
		return nil, &apperr.Error{Status: fiber.StatusRequestEntityTooLarge, Code: "body_too_large",
			Message: fmt.Sprintf("申请材料合计不能超过%dMB，请压缩或分次到窗口提交", MaxApplicationBytes>>20),
			Fields:  map[string]string{"materials": fmt.Sprintf("合计不能超过%dMB", MaxApplicationBytes>>20)}}
	}
	return out, nil
}

// insertMaterials stores checked files with the case, in the caller's
// transaction.
func (s *Service) insertMaterials(ctx context.Context, tx *sqlx.Tx, county string, caseID int64, source string, by Actor, files []checkedMaterial) ([]Material, error) {
	out := make([]Material, 0, len(files))
	now := db.Now()
	for _, f := range files {
		m := f.Material
		m.CaseID, m.Source, m.UploadedBy, m.CreatedAt = caseID, source, by.ID, now
		res, err := tx.ExecContext(ctx, `INSERT INTO case_materials (county_code, case_id, material, file_name, content_type, size,
			sha256, data, source, uploaded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			county, caseID, m.Material, m.FileName, m.ContentType, m.Size, m.SHA256, f.data, m.Source, m.UploadedBy, m.CreatedAt)
		if err != nil {
			return nil, fmt.Errorf("cases: insert material: %w", err)
		}
		if m.ID, err = res.LastInsertId(); err != nil {
			return nil, fmt.Errorf("cases: material id: %w", err)
		}
		out = append(out, m)
	}
	return out, nil
}

// AddMaterials attaches files (scans made at the counter) to a case of the
// county: all of them or, on a refused one, none.
func (s *Service) AddMaterials(ctx context.Context, county string, id int64, by Actor, files []MaterialFile) ([]Material, error) {
	if !by.CanHandle {
		return nil, apperr.Forbidden("forbidden", "只有窗口受理人员可以添加材料")
	}
	c, err := s.store.get(ctx, s.db, county, id)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, apperr.InvalidField("file", "请选择要上传的文件")
	}
	var listed []catalog.Material
	item, err := s.catalog.GetPublished(ctx, county, c.ItemCode)
	switch {
	case err == nil:
		listed = item.Materials
	case err != apperr.ErrNotFound:
		return nil, err
	}
	checked, err := checkMaterials(files, listed, false)
	if err != nil {
		return nil, err
	}
	var out []Material
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := s.store.lock(ctx, tx, county, id); err != nil {
			return err
		}
		out, err = s.insertMaterials(ctx, tx, county, id, SourceCounter, by, checked)
		return err
	})
	return out, err
}

// Materials lists the files of a case's materials, oldest first.
func (s *Service) Materials(ctx context.Context, county string, caseID int64) ([]Material, error) {
	out := []Material{}
	err := s.db.SelectContext(ctx, &out, `SELECT id, case_id, material, file_name, content_type, size, sha256, source,
		uploaded_by, created_at FROM case_materials WHERE county_code = ? AND case_id = ? ORDER BY id`, county, caseID)
	if err != nil {
		return nil, fmt.Errorf("cases: materials: %w", err)
	}
	return out, nil
}

// countMaterials is how many files a case received (the tracking page tells
// the applicant the number, never the files).
func (s *Service) countMaterials(ctx context.Context, county string, caseID int64) (int, error) {
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM case_materials WHERE county_code = ? AND case_id = ?`, county, caseID); err != nil {
		return 0, fmt.Errorf("cases: count materials: %w", err)
	}
	return n, nil
}

// MaterialData returns a file of a case of the county with its bytes.
func (s *Service) MaterialData(ctx context.Context, county string, caseID, id int64) (Material, []byte, error) {
	var row struct {
		Material
		Data []byte `db:"data"`
	}
	err := s.db.GetContext(ctx, &row, `SELECT id, case_id, material, file_name, content_type, size, sha256, source,
		uploaded_by, created_at, data FROM case_materials WHERE county_code = ? AND case_id = ? AND id = ?`, county, caseID, id)
	if db.IsNoRows(err) {
		return Material{}, nil, apperr.ErrNotFound
	}
	if err != nil {
		return Material{}, nil, fmt.Errorf("cases: material: %w", err)
	}
	return row.Material, row.Data, nil
}

// readMaterialFiles reads the files of the form fields given, each for the
// material named; at most MaxMaterialFiles+1 are read, so checkMaterials
// refuses more without reading them all.
func readMaterialFiles(form *multipart.Form, fields []string, material func(field string) string) ([]MaterialFile, error) {
	var out []MaterialFile
	for _, field := range fields {
		for _, fh := range form.File[field] {
			if fh.Filename == "" && fh.Size == 0 {
				continue // an input left empty
			}
			if len(out) > MaxMaterialFiles {
				return out, nil
			}
			data, err := upload.Read(fh, MaxMaterialBytes)
			if err != nil {
				return nil, err
			}
			out = append(out, MaterialFile{Material: material(field), FileName: fh.Filename, Data: data, Field: field})
		}
	}
	return out, nil
}

// counterMaterialFiles reads a counter upload: the files of "file" for the
// material named in "material" (empty for another material).
func counterMaterialFiles(c *fiber.Ctx) ([]MaterialFile, error) {
	form, err := c.MultipartForm()
	if err != nil {
		return nil, apperr.InvalidField("file", "请以 multipart/form-data 上传字段名为 file 的文件")
	}
	name := ""
	if v := form.Value["material"]; len(v) > 0 {
		name = strings.TrimSpace(v[0])
	}
	return readMaterialFiles(form, []string{"file"}, func(string) string { return name })
}

func materialID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("mid"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.ErrNotFound
	}
	return id, nil
}

// auditMaterials names the files in the audit entry.
func auditMaterials(c *fiber.Ctx, ms []Material) {
	names := make([]string, 0, len(ms))
	for _, m := range ms {
		names = append(names, fmt.Sprintf("%d %s (%s, %d bytes, sha256 %s)", m.ID, m.FileName, materialTitle(m.Material), m.Size, m.SHA256))
	}
	web.SetAuditDetail(c, "materials: "+strings.Join(names, "; "))
}

// uploadMaterials attaches scans to a case (API).
func (a *API) uploadMaterials(c *fiber.Ctx) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	county := c.Params("county")
	// A case of another county is not found, whatever was sent.
	if _, err := a.svc.store.get(c.UserContext(), a.svc.db, county, id); err != nil {
		return err
	}
	act, err := a.ActorOf(c, county)
	if err != nil {
		return err
	}
	files, err := counterMaterialFiles(c)
	if err != nil {
		return err
	}
	ms, err := a.svc.AddMaterials(c.UserContext(), county, id, act, files)
	if err != nil {
		return err
	}
	auditMaterials(c, ms)
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"items": ms, "total": len(ms)})
}

// downloadMaterial sends a file of a case's materials to staff of the
// county, as a download never kept in a cache.
func (a *API) downloadMaterial(c *fiber.Ctx) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	mid, err := materialID(c)
	if err != nil {
		return err
	}
	m, data, err := a.svc.MaterialData(c.UserContext(), c.Params("county"), id, mid)
	if err != nil {
		return err
	}
	web.SetAuditDetail(c, fmt.Sprintf("material %d %s", m.ID, m.FileName))
	return web.SendFile(c, m.FileName, m.ContentType, data)
}
