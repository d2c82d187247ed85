// Package notices is each user's in-app inbox: the overdue job and other
// rules leave notices here (a case turning red, a record past its
// publication deadline), and the header shows how many are unread.
package notices

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
	"safetypilot/web"
)

// Notice is one message to one user.
type Notice struct {
	ID         int64      `db:"id" json:"id"`
	CountyCode string     `db:"county_code" json:"county_code"`
	CaseID     int64      `db:"case_id" json:"case_id"`
	Kind       string     `db:"kind" json:"kind"`
	Message    string     `db:"message" json:"message"`
	CreatedAt  time.Time  `db:"created_at" json:"created_at"`
	ReadAt     *time.Time `db:"read_at" json:"read_at"`
}

// KindYellowDigest is the overdue job's summary, per county and run, of the
// cases and steps that became due soon: county administrators get it instead
// of one notice per light, and it links to the county's case list.
const KindYellowDigest = "yellow_digest"

// KindAnnualReport reminds a county's administrators to publish last year's
// annual disclosure report; it links to the county's annual reports.
const KindAnnualReport = "annual_report"

// Kinds of the notices of 差评 rectifications (modules/ratings): one was
// opened, its due date is a working day away, it is overdue. They link to
// the county's rectifications.
const (
	KindRectification       = "rectification"
	KindRectificationYellow = "rectification_yellow"
	KindRectificationRed    = "rectification_red"
)

// Kinds of the notices of inspections (modules/inspections): a 整改 deadline
// or a publication due date is a working day away, or has passed. They link
// to the county's inspections.
const (
	KindInspectionRectifyYellow = "inspection_rectify_yellow"
	KindInspectionRectifyRed    = "inspection_rectify_red"
	KindInspectionPublishYellow = "inspection_publish_yellow"
	KindInspectionPublishRed    = "inspection_publish_red"
)

// Kinds of the notices of 双公示 entries (modules/publicity): a decision's
// publication is due on the next working day, or late. They link to the
// county's publicity list.
const (
	KindPublicityYellow = "publicity_yellow"
	KindPublicityRed    = "publicity_red"
)

// Kinds of the notices of penalty cases (modules/penalties): the decision
// deadline of 第六十条 is near or has passed, payment is overdue, the last
// day to apply to the court to enforce an unpaid fine (行政强制法 第五十三条)
// is near or has passed. They link to the county's penalty cases.
const (
	KindPenaltyYellow     = "penalty_yellow"
	KindPenaltyRed        = "penalty_red"
	KindPaymentRed        = "penalty_payment_red"
	KindEnforcementYellow = "penalty_enforcement_yellow"
	KindEnforcementRed    = "penalty_enforcement_red"
)

// Kinds of the notices of on-the-spot decisions (modules/onspot): a fine
// collected on the spot is due at the bureau or the bank today, or late
// (行政处罚法 第七十一条). They link to the county's on-the-spot decisions.
const (
	KindDepositYellow = "onspot_deposit_yellow"
	KindDepositRed    = "onspot_deposit_red"
	// KindOnSpotPaymentRed: an on-the-spot fine to be paid at the bank is
	// unpaid past its fifteen days (第六十七条); the surcharge runs.
	KindOnSpotPaymentRed = "onspot_payment_red"
)

// Link is the page a notice points to: its case; for a digest the county's
// case list, which puts the nearest deadlines first (a digest may count only
// steps, which the list's yellow filter, judged by the case's deadline, would
// not show); or none.
func (n Notice) Link() string {
	switch {
	case n.CaseID != 0:
		return "/counties/" + n.CountyCode + "/cases/" + strconv.FormatInt(n.CaseID, 10)
	case n.Kind == KindYellowDigest:
		return "/counties/" + n.CountyCode + "/cases"
	case n.Kind == KindAnnualReport:
		return "/counties/" + n.CountyCode + "/annual-reports"
	case n.Kind == KindRectification || n.Kind == KindRectificationYellow || n.Kind == KindRectificationRed:
		return "/counties/" + n.CountyCode + "/rectifications"
	case n.Kind == KindInspectionRectifyYellow || n.Kind == KindInspectionRectifyRed ||
		n.Kind == KindInspectionPublishYellow || n.Kind == KindInspectionPublishRed:
		return "/counties/" + n.CountyCode + "/inspections"
	case n.Kind == KindPublicityYellow || n.Kind == KindPublicityRed:
		return "/counties/" + n.CountyCode + "/publicity"
	case n.Kind == KindPenaltyYellow || n.Kind == KindPenaltyRed || n.Kind == KindPaymentRed ||
		n.Kind == KindEnforcementYellow || n.Kind == KindEnforcementRed:
		return "/counties/" + n.CountyCode + "/penalty-cases"
	case n.Kind == KindDepositYellow || n.Kind == KindDepositRed || n.Kind == KindOnSpotPaymentRed:
		return "/counties/" + n.CountyCode + "/onspot-decisions"
	}
	return ""
}

// Store reads and marks a user's notices; every query is scoped by the user.
type Store struct{ db *db.DB }

// NewStore wraps the database handle.
func NewStore(database *db.DB) *Store { return &Store{db: database} }

// Unread counts a user's unread notices.
func (s *Store) Unread(ctx context.Context, userID int64) (int, error) {
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM notices WHERE user_id = ? AND read_at IS NULL`, userID); err != nil {
		return 0, fmt.Errorf("notices: unread: %w", err)
	}
	return n, nil
}

// List returns a page of a user's notices, newest first.
func (s *Store) List(ctx context.Context, userID int64, unreadOnly bool, page, perPage int) ([]Notice, int, error) {
	where := "user_id = ?"
	if unreadOnly {
		where += " AND read_at IS NULL"
	}
	var total int
	if err := s.db.GetContext(ctx, &total, `SELECT COUNT(*) FROM notices WHERE `+where, userID); err != nil {
		return nil, 0, fmt.Errorf("notices: count: %w", err)
	}
	out := []Notice{}
	err := s.db.SelectContext(ctx, &out, `SELECT id, county_code, case_id, kind, message, created_at, read_at FROM notices
		WHERE `+where+` ORDER BY id DESC LIMIT ? OFFSET ?`, userID, perPage, (page-1)*perPage)
	if err != nil {
		return nil, 0, fmt.Errorf("notices: list: %w", err)
	}
	return out, total, nil
}

// MarkRead marks one notice (id > 0) or all of a user's notices as read.
func (s *Store) MarkRead(ctx context.Context, userID, id int64) error {
	q, args := `UPDATE notices SET read_at = ? WHERE user_id = ? AND read_at IS NULL`, []any{db.Now(), userID}
	if id > 0 {
		var n int
		if err := s.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM notices WHERE id = ? AND user_id = ?`, id, userID); err != nil {
			return fmt.Errorf("notices: find: %w", err)
		}
		if n == 0 {
			return apperr.ErrNotFound
		}
		q, args = q+` AND id = ?`, append(args, id)
	}
	if _, err := s.db.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("notices: mark read: %w", err)
	}
	return nil
}

//go:embed templates/*.html
var templateFiles embed.FS

// Handlers serve the inbox as JSON and as a page.
type Handlers struct {
	store *Store
	pages *web.Pages
	page  *template.Template
}

// NewHandlers parses the inbox page.
func NewHandlers(store *Store, pages *web.Pages) (*Handlers, error) {
	t, err := pages.Parse(templateFiles, "templates/notices.html")
	if err != nil {
		return nil, err
	}
	return &Handlers{store: store, pages: pages, page: t}, nil
}

// Mount registers the routes; every signed-in user has an inbox.
func (h *Handlers) Mount(app *fiber.App) {
	app.Get("/api/v1/notices", web.RequireUser, h.listNotices)
	app.Post("/api/v1/notices/read", web.RequireUser, h.markAllRead)
	app.Post("/api/v1/notices/:id/read", web.RequireUser, h.markRead)
	app.Get("/notices", web.RequireUser, h.showNoticesPage)
	app.Post("/notices/read", web.RequireUser, h.submitMarkRead)
}

func (h *Handlers) listNotices(c *fiber.Ctx) error {
	page, perPage, err := web.Paging(c)
	if err != nil {
		return err
	}
	list, total, err := h.store.List(c.UserContext(), web.CurrentUser(c).UserID, c.Query("unread") == "true", page, perPage)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": list, "total": total})
}

func (h *Handlers) markRead(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return apperr.ErrNotFound
	}
	if err := h.store.MarkRead(c.UserContext(), web.CurrentUser(c).UserID, id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (h *Handlers) markAllRead(c *fiber.Ctx) error {
	if err := h.store.MarkRead(c.UserContext(), web.CurrentUser(c).UserID, 0); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type pageView struct {
	Notices []Notice
	Total   int
}

func (h *Handlers) showNoticesPage(c *fiber.Ctx) error {
	list, total, err := h.store.List(c.UserContext(), web.CurrentUser(c).UserID, false, 1, 100)
	if err != nil {
		return err
	}
	return h.pages.Render(c, h.page, web.View{Title: "通知", Data: pageView{Notices: list, Total: total}})
}

func (h *Handlers) submitMarkRead(c *fiber.Ctx) error {
	id, _ := strconv.ParseInt(c.FormValue("id"), 10, 64)
	if err := h.store.MarkRead(c.UserContext(), web.CurrentUser(c).UserID, id); err != nil {
		return err
	}
	return c.Redirect("/notices", fiber.StatusSeeOther)
}
