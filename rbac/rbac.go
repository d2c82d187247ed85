// Package rbac holds who may do what: the Casbin model (embedded), the role
// assignments stored per region, and the permission check every handler asks.
//
// Role permissions come from the embedded policy.csv (defined once per role);
// user-role assignments live in the user_roles table. A version row tells every
// replica when assignments changed, and the policy_changes log tells it what
// changed, so each replica applies just the change within a poll interval,
// and at once when one of its checks is refused (Check).
package rbac

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
)

//go:embed model.conf
var modelText string

//go:embed policy.csv
var policyText []byte

// maxDelta is how many logged changes a replica applies one by one before it
// prefers a full reload.
const maxDelta = 1000

// Subject is the Casbin subject of a user.
func Subject(userID int64) string {
	// Built in a stack buffer: one allocation per check, not two.
	var buf [24]byte
	return string(strconv.AppendInt(append(buf[:0], "u:"...), userID, 10))
}

// Enforcer answers permission questions from the current policy.
type Enforcer struct {
	db      *db.DB
	casbin  *casbin.SyncedCachedEnforcer
	rm      *roleManager
	cache   *decisionCache
	cacheOn atomic.Bool
	version atomic.Int64
	mu      sync.Mutex // serialises reloads and applied changes
	// decide is held shared by every check and exclusively to empty the
	// decision cache after a change, so no check that saw the old policy can
	// store its decision after the cache was emptied.
	decide sync.RWMutex
}

// NewEnforcer builds the Casbin enforcer and loads the policy from the database.
func NewEnforcer(ctx context.Context, database *db.DB) (*Enforcer, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("rbac: model: %w", err)
	}
	e := &Enforcer{db: database, rm: newRoleManager(), cache: newDecisionCache(maxCached)}
	ce, err := casbin.NewSyncedCachedEnforcer(m)
	if err != nil {
		return nil, fmt.Errorf("rbac: enforcer: %w", err)
	}
	ce.SetAdapter(&adapter{db: database})
	ce.EnableAutoSave(false)
	ce.SetCache(e.cache)
	e.cacheOn.Store(true)
	// The matcher asks the role manager through holds rather than g(): g()
	// memoises every answer in a map that only a policy change empties,
	// which costs a key and a store per new question and grows without
	// bound, while the decision cache already answers repeated questions and
	// the role manager answers a new one in well under a microsecond. The
	// function runs inside Enforce, under the SyncedEnforcer's read lock.
	ce.AddFunction("holds", func(args ...any) (any, error) {
		if len(args) != 3 {
			return nil, fmt.Errorf("holds: want subject, permission and region, got %v", args)
		}
		sub, ok1 := args[0].(string)
		perm, ok2 := args[1].(string)
		region, ok3 := args[2].(string)
		if !ok1 || !ok2 || !ok3 {
			return nil, fmt.Errorf("holds: want strings, got %v", args)
		}
		return e.rm.reaches(sub, perm, region, maxHierarchy), nil
	})
	// Our compact role manager replaces Casbin's default for g; LoadPolicy,
	// BuildRoleLinks and the grouping-policy calls fill it as they would the
	// default one.
	ce.SetNamedRoleManager("g", e.rm)
	e.casbin = ce
	if err := e.Reload(ctx); err != nil {
		return nil, err
	}
	return e, nil
}

// Allowed asks whether the user holds permission perm in region, from the
// policy this replica holds: it never reads the database, so a grant made on
// another replica counts here only once the poll (Watch) brought it. Use it
// where a stale refusal costs nothing (the menu, a page's buttons); a
// request's gate uses Check.
func (e *Enforcer) Allowed(userID int64, region, perm string) (bool, error) {
	e.decide.RLock()
	ok, err := e.casbin.Enforce(Subject(userID), region, perm)
	e.decide.RUnlock()
	if err != nil {
		return false, fmt.Errorf("rbac: enforce: %w", err)
	}
	return ok, nil
}

// Check is Allowed made to read the writes of every replica: a refusal first
// makes sure this replica holds the current policy (one read of the version
// row, then the logged changes if it moved, as ReloadIfChanged does) and is
// asked again only if the version moved. An allowed check reads nothing. So a
// grant made on any replica is honoured here at once, and a refusal costs one
// cheap read; when that read fails (database down) Check returns the error,
// not a refusal, and the handler answers 5xx.
//
// Revokes are not read-your-writes: an allowed check asks nothing of the
// database, so a replica keeps honouring a revoked role until its poll
// (Watch, PILOT_POLICY_POLL, 2 s by default) applies the revoke, or until a
// refusal elsewhere makes it catch up. That window is the price of allowed
// checks that never wait on the database.
func (e *Enforcer) Check(ctx context.Context, userID int64, region, perm string) (bool, error) {
	held := e.version.Load()
	ok, err := e.Allowed(userID, region, perm)
	if err != nil || ok {
		return ok, err
	}
	if err := e.ReloadIfChanged(ctx); err != nil {
		return false, err
	}
	if e.version.Load() == held {
		// The refusal was decided on the current policy.
		return false, nil
	}
	return e.Allowed(userID, region, perm)
}

// SetDecisionCache switches Casbin's decision cache (on by default) off or
// on again, for benchmarks that measure first-time checks.
func (e *Enforcer) SetDecisionCache(on bool) error {
	e.casbin.EnableCache(on)
	e.cacheOn.Store(on)
	return e.changed()
}

// CacheStats describes the decision cache, so benchmarks (and monitoring)
// can tell how often it answers.
type CacheStats struct {
	On     bool  // checks use the cache
	Size   int   // the most decisions it holds
	Held   int   // decisions it holds now
	Stored int64 // decisions stored since start: one per check it could not answer
}

// CacheStats reports the decision cache's state.
func (e *Enforcer) CacheStats() CacheStats {
	return CacheStats{On: e.cacheOn.Load(), Size: e.cache.size, Held: e.cache.len(), Stored: e.cache.stored.Load()}
}

// changed empties the decision cache after the policy changed; the exclusive
// lock waits out the checks that may still store a decision of the old policy.
// Emptying it is O(1) (decisionCache.Clear), so checks wait for no more than
// the checks in flight.
func (e *Enforcer) changed() error {
	e.decide.Lock()
	defer e.decide.Unlock()
	if err := e.casbin.InvalidateCache(); err != nil {
		return fmt.Errorf("rbac: invalidate cache: %w", err)
	}
	return nil
}

// Reload reads all assignments again and remembers the version it saw.
func (e *Enforcer) Reload(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.reload(ctx)
}

func (e *Enforcer) reload(ctx context.Context) error {
	v, err := currentVersion(ctx, e.db)
	if err != nil {
		return err
	}
	if err := e.casbin.LoadPolicy(); err != nil {
		return fmt.Errorf("rbac: load policy: %w", err)
	}
	if err := e.changed(); err != nil {
		return err
	}
	e.version.Store(v)
	return nil
}

// ReloadIfChanged catches up when another replica (or this one) changed
// assignments: it applies the logged changes since the version it holds, or
// reloads everything when it is too far behind or the log no longer covers
// the gap.
func (e *Enforcer) ReloadIfChanged(ctx context.Context) error {
	v, err := currentVersion(ctx, e.db)
	if err != nil {
		return err
	}
	if v == e.version.Load() {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	have := e.version.Load()
	if v <= have {
		return nil
	}
	if v-have > maxDelta {
		return e.reload(ctx)
	}
	changes, err := changesSince(ctx, e.db, have, v)
	if err != nil {
		return err
	}
	if !contiguous(changes, have, v) {
		return e.reload(ctx)
	}
	for _, c := range changes {
		if err := e.apply(c); err != nil {
			// Some changes may be in: the next call applies them again from
			// have, and adding a held link or removing an absent one is a no-op.
			return errors.Join(err, e.changed())
		}
	}
	if err := e.changed(); err != nil {
		return err
	}
	e.version.Store(v)
	return nil
}

// apply makes one logged change in the role graph.
func (e *Enforcer) apply(c change) error {
	var err error
	switch c.Op {
	case opGrant:
		_, err = e.casbin.AddGroupingPolicy(Subject(c.UserID), c.Role, c.Region)
	case opRevoke:
		_, err = e.casbin.RemoveGroupingPolicy(Subject(c.UserID), c.Role, c.Region)
	default:
		err = fmt.Errorf("unknown operation %q", c.Op)
	}
	if err != nil {
		return fmt.Errorf("rbac: apply change %d: %w", c.Version, err)
	}
	return nil
}

// Watch polls the version row until ctx ends, so grants made on other replicas
// take effect here within one interval.
func (e *Enforcer) Watch(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := e.ReloadIfChanged(ctx); err != nil && ctx.Err() == nil {
				log.Error("policy reload failed", "err", err)
			}
		}
	}
}

func currentVersion(ctx context.Context, d *db.DB) (int64, error) {
	var v int64
	if err := d.GetContext(ctx, &v, `SELECT version FROM policy_version WHERE id = 1`); err != nil {
		return 0, fmt.Errorf("rbac: policy version: %w", err)
	}
	return v, nil
}

// adapter loads the role graph: role → permission edges in the whole
// country (and the p rows) from policy.csv, user → role edges in the
// assignment's region from user_roles. Writes go through
// Grant and Revoke, never through Casbin.
type adapter struct{ db *db.DB }

func (a *adapter) LoadPolicy(m model.Model) error {
	sc := bufio.NewScanner(bytes.NewReader(policyText))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := persist.LoadPolicyLine(line, m); err != nil {
			return err
		}
		rule := strings.Split(line, ",")
		if len(rule) != 3 || strings.TrimSpace(rule[0]) != "p" {
			return fmt.Errorf("rbac: policy.csv: want \"p, role, permission\", got %q", line)
		}
		// A role's permissions hold in every region.
		if err := persist.LoadPolicyArray([]string{"g", strings.TrimSpace(rule[1]), strings.TrimSpace(rule[2]), NationalRegion}, m); err != nil {
			return err
		}
	}
	rows, err := a.db.Query(`SELECT user_id, role, region FROM user_roles`)
	if err != nil {
		return fmt.Errorf("rbac: load assignments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var uid int64
		var role, region string
		if err := rows.Scan(&uid, &role, &region); err != nil {
			return err
		}
		// One string per role name for all 100k rows, not one per row.
		if info, ok := Role(role); ok {
			role = info.Name
		}
		if err := persist.LoadPolicyArray([]string{"g", Subject(uid), role, region}, m); err != nil {
			return err
		}
	}
	return rows.Err()
}

var errReadOnly = apperr.Conflict("policy_read_only", "策略只能通过角色授权接口修改")

func (a *adapter) SavePolicy(model.Model) error                { return errReadOnly }
func (a *adapter) AddPolicy(string, string, []string) error    { return errReadOnly }
func (a *adapter) RemovePolicy(string, string, []string) error { return errReadOnly }
func (a *adapter) RemoveFilteredPolicy(string, string, int, ...string) error {
	return errReadOnly
}
