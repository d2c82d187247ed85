package audit

import (
	"context"
	"crypto/sha256"
	"fmt"
	"hash"
	"sort"
	"strconv"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/db"
	"safetypilot/modules/seal"
	"safetypilot/web"
)

// HashSwitchAction is the chained entry that marks where a chain changes its
// hash algorithm: the first entry written with the new one.
const HashSwitchAction = "audit-hash-switch"

// profileHash is the hash of the database's current cryptographic profile
// (crypto_keys' highest version), SHA-256 before any is recorded.
func profileHash(ctx context.Context, q sqlx.QueryerContext) (string, error) {
	var p string
	err := sqlx.GetContext(ctx, q, &p, `SELECT profile FROM crypto_keys ORDER BY version DESC LIMIT 1`)
	if db.IsNoRows(err) {
		return seal.HashSHA256, nil
	}
	if err != nil {
		return "", fmt.Errorf("audit: profile: %w", err)
	}
	prof, err := seal.ParseProfile(p)
	if err != nil {
		return "", err
	}
	return prof.HashName(), nil
}

// anchorTx records that chain's entries from fromSeq on are hashed with algo,
// and makes algo the chain's current one; the caller holds the head row.
func anchorTx(ctx context.Context, tx *sqlx.Tx, chain string, fromSeq int64, algo string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_hash_anchors (chain, from_seq, algo, created_at) VALUES (?, ?, ?, ?)`,
		chain, fromSeq, algo, db.Now()); err != nil {
		return fmt.Errorf("audit: hash anchor: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE audit_chains SET algo = ? WHERE chain = ?`, algo, chain); err != nil {
		return fmt.Errorf("audit: hash anchor: %w", err)
	}
	return nil
}

// anchorList is a chain's algorithm changes, by first seq.
type anchorList []struct {
	From int64  `db:"from_seq"`
	Algo string `db:"algo"`
	hash func() hash.Hash
}

// at is the hash that entry seq was written with.
func (a anchorList) at(seq int64) func() hash.Hash {
	h := sha256.New
	for _, x := range a {
		if x.From <= seq {
			h = x.hash
		}
	}
	return h
}

func (s *Store) hashAnchors(ctx context.Context, chain string) (anchorList, error) {
	var out anchorList
	if err := s.db.SelectContext(ctx, &out, `SELECT from_seq, algo FROM audit_hash_anchors WHERE chain = ? ORDER BY from_seq`, chain); err != nil {
		return nil, fmt.Errorf("audit: hash anchors: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].From < out[j].From })
	for i := range out {
		h, err := seal.HashByName(out[i].Algo)
		if err != nil {
			return nil, fmt.Errorf("audit: chain %s anchor at %d: %w", chain, out[i].From, err)
		}
		out[i].hash = h
	}
	return out, nil
}

// SwitchHash moves every chain whose current hash is not algo to algo (the
// profile migration to guomi: SHA-256 to SM3). In each chain the switch is
// anchored at the next seq and that entry is a chained audit-hash-switch
// entry written with the new hash, so the change is itself on the record.
// Writers of a chain queue on its head row, so none writes across the switch.
// It returns how many chains switched; running it again switches none.
func (s *Store) SwitchHash(ctx context.Context, algo string) (int, error) {
	if _, err := seal.HashByName(algo); err != nil {
		return 0, err
	}
	var chains []string
	if err := s.db.SelectContext(ctx, &chains, `SELECT chain FROM audit_chains WHERE algo <> ? ORDER BY chain`, algo); err != nil {
		return 0, fmt.Errorf("audit: chains to switch: %w", err)
	}
	switched := 0
	for _, chain := range chains {
		err := s.db.InTx(db.WithoutCommitHook(ctx), func(tx *sqlx.Tx) error {
			// Take the head row lock, then look again: another process may
			// have switched it meanwhile.
			if _, err := tx.ExecContext(ctx, `UPDATE audit_chains SET seq = seq WHERE chain = ?`, chain); err != nil {
				return err
			}
			var head struct {
				Seq  int64  `db:"seq"`
				Algo string `db:"algo"`
			}
			if err := tx.GetContext(ctx, &head, `SELECT seq, algo FROM audit_chains WHERE chain = ?`, chain); err != nil {
				return err
			}
			if head.Algo == algo {
				return nil
			}
			if err := anchorTx(ctx, tx, chain, head.Seq+1, algo); err != nil {
				return err
			}
			switched++
			if head.Seq == 0 {
				// A chain with no entry yet (the national one of a new
				// database) simply starts with the new hash.
				return nil
			}
			return s.recordTx(ctx, tx, web.AuditEntry{Username: "pilotd", Region: chain, Chain: chain, Action: HashSwitchAction,
				Object: chainObject(chain), Outcome: "success", Detail: head.Algo + " -> " + algo + " from seq " + strconv.FormatInt(head.Seq+1, 10)})
		})
		if err != nil {
			return switched, fmt.Errorf("audit: switch chain %s: %w", chain, err)
		}
	}
	return switched, nil
}
