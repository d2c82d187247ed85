// Package tenants knows the provinces and the pilot counties — the tenants of
// the service — and the pilot lifecycle: a province recommends a county, approves
// it, and approval provisions the county through the provisioners that main wires
// in (its catalog, its first administrator).
package tenants

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
	"safetypilot/rbac"
)

// County statuses in the pilot lifecycle.
const (
	StatusRecommended = "recommended"
	StatusActive      = "active"
	StatusDeclined    = "declined"
)

// StatusTitle is the Chinese label of a county status.
func StatusTitle(s string) string {
	switch s {
	case StatusRecommended:
		return "已推荐，待审批"
	case StatusActive:
		return "试点进行中"
	case StatusDeclined:
		return "未获批准"
	}
	return s
}

// Province is a provincial-level unit (including the XPCC).
type Province struct {
	Code string `db:"code" json:"code"`
	Name string `db:"name" json:"name"`
}

// County is a pilot county: one tenant.
type County struct {
	Code           string    `db:"code" json:"code"`
	ProvinceCode   string    `db:"province_code" json:"province_code"`
	Name           string    `db:"name" json:"name"`
	Status         string    `db:"status" json:"status"`
	EgovReadiness  string    `db:"egov_readiness" json:"egov_readiness"`
	Recommendation string    `db:"recommendation" json:"recommendation"`
	CreatedAt      time.Time `db:"created_at" json:"created_at"`
	UpdatedAt      time.Time `db:"updated_at" json:"updated_at"`
}

// Event records a status change with who and when.
type Event struct {
	Status    string    `db:"status" json:"status"`
	ActorID   int64     `db:"actor_id" json:"actor_id"`
	ActorName string    `db:"actor_name" json:"actor_name"`
	Note      string    `db:"note" json:"note"`
	At        time.Time `db:"at" json:"at"`
}

// Actor is who performs a lifecycle step.
type Actor struct {
	ID       int64
	Username string
}

// Provisioner sets up one part of a newly approved county inside the approval
// transaction; what it returns is merged into the approval's response.
type Provisioner func(ctx context.Context, tx *sqlx.Tx, county County, by Actor) (map[string]any, error)

// Service is the pilot lifecycle over the database.
type Service struct {
	db           *db.DB
	provisioners []Provisioner
}

// NewService returns the lifecycle service; provisioners run, in order, on approval.
func NewService(database *db.DB, provisioners ...Provisioner) *Service {
	return &Service{db: database, provisioners: provisioners}
}

const countyColumns = `code, province_code, name, status, egov_readiness, recommendation, created_at, updated_at`

// Provinces lists all provinces in code order.
func (s *Service) Provinces(ctx context.Context) ([]Province, error) {
	var out []Province
	if err := s.db.SelectContext(ctx, &out, `SELECT code, name FROM provinces ORDER BY code`); err != nil {
		return nil, fmt.Errorf("tenants: provinces: %w", err)
	}
	return out, nil
}

// Province returns one province or apperr.ErrNotFound.
func (s *Service) Province(ctx context.Context, code string) (Province, error) {
	var p Province
	err := s.db.GetContext(ctx, &p, `SELECT code, name FROM provinces WHERE code = ?`, code)
	if db.IsNoRows(err) {
		return p, apperr.ErrNotFound
	}
	if err != nil {
		return p, fmt.Errorf("tenants: province: %w", err)
	}
	return p, nil
}

// Counties lists the pilot counties of a province.
func (s *Service) Counties(ctx context.Context, province string) ([]County, error) {
	out := []County{}
	err := s.db.SelectContext(ctx, &out,
		`SELECT `+countyColumns+` FROM counties WHERE province_code = ? ORDER BY code`, province)
	if err != nil {
		return nil, fmt.Errorf("tenants: counties: %w", err)
	}
	return out, nil
}

// County returns one pilot county or apperr.ErrNotFound.
func (s *Service) County(ctx context.Context, code string) (County, error) {
	var c County
	err := s.db.GetContext(ctx, &c, `SELECT `+countyColumns+` FROM counties WHERE code = ?`, code)
	if db.IsNoRows(err) {
		return c, apperr.ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("tenants: county: %w", err)
	}
	return c, nil
}

// Events lists a county's status history, oldest first.
func (s *Service) Events(ctx context.Context, county string) ([]Event, error) {
	out := []Event{}
	err := s.db.SelectContext(ctx, &out,
		`SELECT status, actor_id, actor_name, note, at FROM county_events WHERE county_code = ? ORDER BY id`, county)
	if err != nil {
		return nil, fmt.Errorf("tenants: events: %w", err)
	}
	return out, nil
}

// DivisionName suggests the official name of a county-level code, if known.
func (s *Service) DivisionName(ctx context.Context, code string) (string, bool, error) {
	var name string
	err := s.db.GetContext(ctx, &name, `SELECT name FROM divisions WHERE code = ?`, code)
	if db.IsNoRows(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("tenants: division: %w", err)
	}
	return name, true, nil
}

// Recommendation is what a province submits to recommend a pilot county.
type Recommendation struct {
	Code           string `json:"code"`
	Name           string `json:"name"`
	EgovReadiness  string `json:"egov_readiness"`
	Recommendation string `json:"recommendation"`
}

// ValidateCountyCode checks that code is a six-digit county-level division code
// inside province; the division table decides what is county-level.
func (s *Service) ValidateCountyCode(ctx context.Context, province, code string) (officialName string, err error) {
	if len(code) != 6 || !isDigits(code) {
		return "", apperr.InvalidField("code", "县级区划代码应为6位数字")
	}
	if strings.HasSuffix(code, "00") {
		return "", apperr.InvalidField("code", "该代码是省级或地市级区划代码，不是县级")
	}
	if rbac.ProvinceOf(code) != province {
		return "", apperr.InvalidField("code", "该县不在本省（区、市）范围内")
	}
	name, ok, err := s.DivisionName(ctx, code)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", apperr.InvalidField("code", "区划代码表中没有该县级区划代码")
	}
	return name, nil
}

// Recommend records a county recommended by its province (status recommended).
func (s *Service) Recommend(ctx context.Context, by Actor, province string, in Recommendation) (County, error) {
	if _, err := s.Province(ctx, province); err != nil {
		return County{}, err
	}
	in.Code = strings.TrimSpace(in.Code)
	official, err := s.ValidateCountyCode(ctx, province, in.Code)
	if err != nil {
		return County{}, err
	}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		in.Name = official
	}
	fields := map[string]string{}
	if utf8.RuneCountInString(in.Name) > 64 {
		fields["name"] = "名称不能超过64个字"
	}
	if utf8.RuneCountInString(in.EgovReadiness) > 4000 {
		fields["egov_readiness"] = "电子政务基础说明不能超过4000字"
	}
	if utf8.RuneCountInString(in.Recommendation) > 4000 {
		fields["recommendation"] = "推荐理由不能超过4000字"
	}
	if len(fields) > 0 {
		return County{}, apperr.Invalid("输入有误", fields)
	}
	now := db.Now()
	c := County{Code: in.Code, ProvinceCode: province, Name: in.Name, Status: StatusRecommended,
		EgovReadiness: in.EgovReadiness, Recommendation: in.Recommendation, CreatedAt: now, UpdatedAt: now}
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.NamedExecContext(ctx, `INSERT INTO counties (`+countyColumns+`) VALUES
			(:code, :province_code, :name, :status, :egov_readiness, :recommendation, :created_at, :updated_at)`, c)
		if db.IsDuplicate(err) {
			return apperr.Conflict("duplicate", "该县已被推荐为试点县")
		}
		if err != nil {
			return fmt.Errorf("tenants: insert county: %w", err)
		}
		return addEvent(ctx, tx, c.Code, StatusRecommended, by, "推荐为试点县")
	})
	return c, err
}

// Approve activates a recommended county and provisions it. The result holds
// what provisioners returned (for example the first administrator's sign-in).
func (s *Service) Approve(ctx context.Context, by Actor, province, code string) (County, map[string]any, error) {
	result := map[string]any{}
	var c County
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &c, `SELECT `+countyColumns+` FROM counties WHERE code = ? AND province_code = ?`, code, province)
		if db.IsNoRows(err) {
			return apperr.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("tenants: county: %w", err)
		}
		if c.Status != StatusRecommended {
			return apperr.Conflict("invalid_transition", "只有“已推荐”状态的县可以批准，当前状态："+StatusTitle(c.Status))
		}
		c.Status, c.UpdatedAt = StatusActive, db.Now()
		// The status guard in WHERE makes a concurrent second approval a no-op.
		res, err := tx.ExecContext(ctx, `UPDATE counties SET status = ?, updated_at = ? WHERE code = ? AND status = ?`,
			c.Status, c.UpdatedAt, code, StatusRecommended)
		if err != nil {
			return fmt.Errorf("tenants: approve: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.Conflict("invalid_transition", "该县的状态已被他人更改")
		}
		if err := addEvent(ctx, tx, code, StatusActive, by, "批准为试点县并开通"); err != nil {
			return err
		}
		for _, p := range s.provisioners {
			out, err := p(ctx, tx, c, by)
			if err != nil {
				return err
			}
			for k, v := range out {
				result[k] = v
			}
		}
		return nil
	})
	return c, result, err
}

// Decline closes a recommendation that the province does not approve.
func (s *Service) Decline(ctx context.Context, by Actor, province, code, note string) (County, error) {
	var c County
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &c, `SELECT `+countyColumns+` FROM counties WHERE code = ? AND province_code = ?`, code, province)
		if db.IsNoRows(err) {
			return apperr.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("tenants: county: %w", err)
		}
		if c.Status != StatusRecommended {
			return apperr.Conflict("invalid_transition", "只有“已推荐”状态的县可以不予批准")
		}
		c.Status, c.UpdatedAt = StatusDeclined, db.Now()
		// As in Approve, the status guard keeps a concurrent approval's result.
		res, err := tx.ExecContext(ctx, `UPDATE counties SET status = ?, updated_at = ? WHERE code = ? AND status = ?`,
			c.Status, c.UpdatedAt, code, StatusRecommended)
		if err != nil {
			return fmt.Errorf("tenants: decline: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.Conflict("invalid_transition", "该县的状态已被他人更改")
		}
		return addEvent(ctx, tx, code, StatusDeclined, by, note)
	})
	return c, err
}

func addEvent(ctx context.Context, tx *sqlx.Tx, county, status string, by Actor, note string) error {
	_, err := tx.ExecContext(ctx,
		`INSERT INTO county_events (county_code, status, actor_id, actor_name, note, at) VALUES (?, ?, ?, ?, ?, ?)`,
		county, status, by.ID, by.Username, note, db.Now())
	if err != nil {
		return fmt.Errorf("tenants: event: %w", err)
	}
	return nil
}

// RequireActive returns apperr.ErrNotFound unless code is an active pilot
// county: the public never sees counties that are only recommended.
func (s *Service) RequireActive(ctx context.Context, code string) error {
	c, err := s.County(ctx, code)
	if err != nil {
		return err
	}
	if c.Status != StatusActive {
		return apperr.ErrNotFound
	}
	return nil
}

// trackingAlphabet avoids characters that are easy to misread.
const trackingAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// NewTrackingNo is prefix, "-" and ten random characters: about 50 bits that
// cannot be guessed from a neighbouring number. Cases and requests for
// information both use it.
func NewTrackingNo(prefix string) string {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	out := make([]byte, 10)
	for i, v := range b {
		out[i] = trackingAlphabet[int(v)%len(trackingAlphabet)]
	}
	return prefix + "-" + string(out)
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
