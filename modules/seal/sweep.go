package seal

import (
	"context"
	"fmt"
	"strconv"

	"safetypilot/modules/db"
)

// Sweeper brings every sealed column to the vault's current key version:
// plaintext from before sealing, values of older versions (after `pilotd
// rotate-key`) and values of another profile (after a profile change). It
// runs in batches with its cursor in crypto_sweeps, so it can stop at any
// point and resume, on any replica; the service keeps serving meanwhile.
type Sweeper struct {
	DB      *db.DB
	Vault   *Vault
	Columns []Column
	// Record writes an audit entry (action, detail); nil records nothing.
	Record func(ctx context.Context, action, detail string) error
}

// Actions of the sweep's audit entries.
const (
	ActionSweep     = "crypto-sweep"
	ActionSweepDone = "crypto-sweep-done"
	ActionRotateKey = "crypto-rotate-key"
)

// Run sweeps at most maxBatches batches (0: no limit) and reports how many
// rows it re-sealed and whether every table is done for the current version.
// When a pass ends with values still not under the current version (written
// meanwhile by a replica that had not yet seen the new version), the tables
// are swept again, a bounded number of times.
func (s *Sweeper) Run(ctx context.Context, maxBatches int) (int, bool, error) {
	order, byTable := ByTable(s.Columns)
	target := s.Vault.Current()
	total, batches := 0, 0
	for pass := 0; pass < 3; pass++ {
		for _, table := range order {
			for {
				if maxBatches > 0 && batches >= maxBatches {
					return total, false, s.record(ctx, ActionSweep, target, total)
				}
				n, done, err := SweepStep(ctx, s.DB, s.Vault, table, byTable[table])
				total += n
				batches++
				if err != nil {
					_ = s.record(ctx, ActionSweep, target, total)
					return total, false, err
				}
				if done {
					break
				}
			}
		}
		left, err := Remaining(ctx, s.DB, target, s.Columns)
		if err != nil {
			return total, false, err
		}
		if left == 0 {
			if s.DB.Dialect == db.SQLite && total > 0 {
				// Old pages (with the values as they were) leave the WAL.
				if _, err := s.DB.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
					return total, true, fmt.Errorf("seal: checkpoint: %w", err)
				}
			}
			if total > 0 || pass > 0 {
				return total, true, s.record(ctx, ActionSweepDone, target, total)
			}
			return total, true, nil
		}
		for _, table := range order {
			if err := ResetSweep(ctx, s.DB, target.Version, table); err != nil {
				return total, false, fmt.Errorf("seal: sweep again: %w", err)
			}
		}
	}
	left, err := Remaining(ctx, s.DB, target, s.Columns)
	if err != nil {
		return total, false, err
	}
	return total, left == 0, s.record(ctx, ActionSweep, target, total)
}

func (s *Sweeper) record(ctx context.Context, action string, k KeyVersion, n int) error {
	if s.Record == nil || (n == 0 && action == ActionSweep) {
		return nil
	}
	return s.Record(ctx, action, "key version "+strconv.Itoa(k.Version)+" profile "+string(k.Profile)+
		" ("+k.Profile.CipherName()+") resealed="+strconv.Itoa(n))
}
