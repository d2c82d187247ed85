package web

import (
	"context"
	"log/slog"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"
	"github.com/jmoiron/sqlx"

	"safetypilot/modules/db"
	"safetypilot/rbac"
)

// AuditEntry is one state-changing request as the audit log keeps it.
type AuditEntry struct {
	// Chain is the hash chain the entry joins (AuditChain); empty means the
	// chain of Region.
	Chain    string
	UserID   int64
	Username string
	Region   string
	Action   string
	Object   string
	Outcome  string
	IP       string
	Detail   string
}

// Auditor appends entries to the audit log.
type Auditor interface {
	// RecordTx appends e inside tx, the transaction of the change it records.
	RecordTx(ctx context.Context, tx *sqlx.Tx, e AuditEntry) error
	// Record appends e in a transaction of its own: for a request that
	// committed no change (refused, failed, or a success that wrote nothing).
	Record(ctx context.Context, e AuditEntry) error
}

// AuditChain is the chain an entry of region joins: one per region code
// (county, city, province), and the national chain "*" for the rest, so
// writers of different counties never wait on one another's chain head.
func AuditChain(region string) string {
	if _, ok := rbac.RegionLevel(region); ok {
		return region
	}
	return rbac.NationalRegion
}

// requestAudit is the audit entry of one state-changing request. It rides in
// the request's context as a db.CommitHook: the first transaction the
// request commits writes the entry inside itself, so the change and its
// entry commit together or not at all. A request that commits nothing gets
// its entry from the middleware once it has answered.
type requestAudit struct {
	auditor Auditor
	c       *fiber.Ctx // for the route and region, known once routing ran

	mu        sync.Mutex
	entry     AuditEntry // fields known when the request starts
	details   []string
	subject   string // what the change made or acted on, set inside its transaction
	chain     string // set by code that knows better than the path (a sign-in's account)
	home      string // the signed-in user's home region, the chain of a request of no region
	committed bool   // the entry committed with a change
}

type requestAuditKey struct{}

func requestAuditOf(ctx context.Context) *requestAudit {
	r, _ := ctx.Value(requestAuditKey{}).(*requestAudit)
	return r
}

// snapshot is the entry as it stands, with outcome.
func (r *requestAudit) snapshot(outcome string) AuditEntry {
	e := r.entry
	// Routing runs after this middleware, so the route and its region are
	// read when the entry is written, not when the request arrived.
	e.Action, e.Region = r.c.Method()+" "+r.c.Route().Path, regionOf(r.c)
	e.Outcome = outcome
	details := r.details
	if r.subject != "" {
		details = append(details[:len(details):len(details)], r.subject)
	}
	e.Detail = strings.Join(details, "; ")
	e.Chain = r.chain
	if e.Chain == "" && e.Region == rbac.NationalRegion && r.home != "" {
		e.Chain = AuditChain(r.home)
	}
	if e.Chain == "" {
		e.Chain = AuditChain(e.Region)
	}
	return e
}

// BeforeCommit implements db.CommitHook.
func (r *requestAudit) BeforeCommit(ctx context.Context, tx *sqlx.Tx) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.committed {
		return nil
	}
	return r.auditor.RecordTx(ctx, tx, r.snapshot("success"))
}

// AfterCommit implements db.CommitHook.
func (r *requestAudit) AfterCommit(committed bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.committed = r.committed || committed
}

// SetAuditUser names the account a public request acted on (e.g. a sign-in
// attempt), since no principal exists yet.
func SetAuditUser(c *fiber.Ctx, username string) {
	if r := requestAuditOf(c.UserContext()); r != nil {
		r.mu.Lock()
		r.entry.Username = username
		r.mu.Unlock()
	}
}

// SetAuditDetail adds a short detail to the request's audit entry. Details
// go into the entry when the request's change commits, so a handler adds
// them before it calls the code that commits; code that learns a detail
// inside its transaction (a new case's number) uses AddAuditDetail.
func SetAuditDetail(c *fiber.Ctx, detail string) { AddAuditDetail(c.UserContext(), detail) }

// AddAuditDetail adds a detail to the audit entry of the request ctx
// belongs to; outside a request it does nothing.
func AddAuditDetail(ctx context.Context, detail string) {
	if r := requestAuditOf(ctx); r != nil {
		r.mu.Lock()
		r.details = append(r.details, detail)
		r.mu.Unlock()
	}
}

// SetAuditSubject names what the request's change made or acted on, for
// code that learns it inside its transaction (a new case's tracking number).
// A later call replaces an earlier one, so a retried transaction that sets
// it again leaves one subject.
func SetAuditSubject(ctx context.Context, subject string) {
	if r := requestAuditOf(ctx); r != nil {
		r.mu.Lock()
		r.subject = subject
		r.mu.Unlock()
	}
}

// SetAuditChain puts the request's entry in the chain of region, for a
// request whose path names no region but whose subject has one (a sign-in
// joins the chain of the account's home region).
func SetAuditChain(ctx context.Context, region string) {
	if r := requestAuditOf(ctx); r != nil {
		r.mu.Lock()
		r.chain = AuditChain(region)
		r.mu.Unlock()
	}
}

// audit gives every state-changing request its audit entry: inside the
// transaction of its change when it commits one, otherwise once it has
// answered, whatever the outcome.
func audit(a Auditor, log *slog.Logger) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if isSafeMethod(c.Method()) || strings.HasPrefix(c.Path(), "/static/") {
			return c.Next()
		}
		r := &requestAudit{auditor: a, c: c, entry: AuditEntry{Object: c.Path(), IP: c.IP()}}
		if p := CurrentUser(c); p != nil {
			r.entry.UserID, r.entry.Username, r.home = p.UserID, p.Username, p.HomeRegion
		}
		ctx := c.UserContext()
		c.SetUserContext(db.WithCommitHook(context.WithValue(ctx, requestAuditKey{}, r), r))
		err := c.Next()
		status := c.Response().StatusCode()
		if err != nil {
			status = fiber.StatusInternalServerError
			if e, ok := asClientError(err); ok {
				status = e
			}
		}
		result := outcome(status)
		r.mu.Lock()
		committed := r.committed
		e := r.snapshot(result)
		r.mu.Unlock()
		if committed && result == "success" {
			return err
		}
		if committed {
			e.Detail = strings.TrimPrefix(e.Detail+"; failed after its change committed", "; ")
		}
		// The entry is written even when the request ran out of time.
		if rerr := a.Record(context.WithoutCancel(ctx), e); rerr != nil {
			log.Error("audit record failed", "err", rerr, "action", e.Action)
			if err == nil {
				// A change that cannot be audited must not pass silently.
				return rerr
			}
		}
		return err
	}
}

func outcome(status int) string {
	switch {
	case status < 400:
		return "success"
	case status == 401 || status == 403:
		return "denied"
	case status < 500:
		return "rejected"
	}
	return "error"
}
