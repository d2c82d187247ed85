// Package rbac holds who may do what: the Casbin model (embedded), the role
// assignments stored per region, and the permission check every handler asks.
//
// Role permissions come from the embedded policy.csv (defined once per role);
// user-role assignments live in the user_roles table. A version row tells every
// replica when assignments changed, so each reloads within a poll interval.
package rbac

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
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

// Subject is the Casbin subject of a user.
func Subject(userID int64) string { return "u:" + strconv.FormatInt(userID, 10) }

// Enforcer answers permission questions from the current policy.
type Enforcer struct {
	db      *db.DB
	casbin  *casbin.SyncedEnforcer
	version atomic.Int64
}

// NewEnforcer builds the Casbin enforcer and loads the policy from the database.
func NewEnforcer(ctx context.Context, database *db.DB) (*Enforcer, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("rbac: model: %w", err)
	}
	e := &Enforcer{db: database}
	ce, err := casbin.NewSyncedEnforcer(m, &adapter{db: database})
	if err != nil {
		return nil, fmt.Errorf("rbac: enforcer: %w", err)
	}
	ce.EnableAutoSave(false)
	ce.AddNamedDomainMatchingFunc("g", "regionCovers", func(target, scope string) bool {
		return Covers(scope, target)
	})
	e.casbin = ce
	if err := e.Reload(ctx); err != nil {
		return nil, err
	}
	return e, nil
}

// Allowed asks whether the user holds permission perm in region.
func (e *Enforcer) Allowed(userID int64, region, perm string) (bool, error) {
	ok, err := e.casbin.Enforce(Subject(userID), region, perm)
	if err != nil {
		return false, fmt.Errorf("rbac: enforce: %w", err)
	}
	return ok, nil
}

// Reload reads the assignments again and remembers the version it saw.
func (e *Enforcer) Reload(ctx context.Context) error {
	var v int64
	if err := e.db.GetContext(ctx, &v, `SELECT version FROM policy_version WHERE id = 1`); err != nil {
		return fmt.Errorf("rbac: policy version: %w", err)
	}
	if err := e.casbin.LoadPolicy(); err != nil {
		return fmt.Errorf("rbac: load policy: %w", err)
	}
	e.version.Store(v)
	return nil
}

// ReloadIfChanged reloads when another replica (or this one) changed assignments.
func (e *Enforcer) ReloadIfChanged(ctx context.Context) error {
	var v int64
	if err := e.db.GetContext(ctx, &v, `SELECT version FROM policy_version WHERE id = 1`); err != nil {
		return fmt.Errorf("rbac: policy version: %w", err)
	}
	if v == e.version.Load() {
		return nil
	}
	return e.Reload(ctx)
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

// adapter loads role permissions from policy.csv and assignments from user_roles.
// Writes go through Store, never through Casbin.
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
