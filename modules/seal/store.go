package seal

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/db"
)

// Column is one sealed column as the sweep, key rotation and retention see
// it. A module that seals a column lists it once (e.g. cases.SealedColumns);
// the service passes every module's list to the sweep.
type Column struct {
	Table  string
	Column string
	// RowKey is the column whose value binds the sealed value to its row
	// (db.Field.Row): an immutable unique key such as tracking_no, or id.
	RowKey string
	// Index is the column of the value's blind index, with its Kind; "" for none.
	Index, Kind string
	// ID is the table's integer key the sweep walks in order; "" means id.
	ID string
	// OnlySealed leaves values not in the sealed format to their module
	// (e.g. TOTP secrets in a former format the module converts itself).
	OnlySealed bool
}

func (c Column) id() string {
	if c.ID == "" {
		return "id"
	}
	return c.ID
}

// LoadVersions reads every key version, oldest first.
func LoadVersions(ctx context.Context, d *db.DB) ([]KeyVersion, error) {
	out := []KeyVersion{}
	if err := d.SelectContext(ctx, &out, `SELECT version, profile, master_id, index_version FROM crypto_keys ORDER BY version`); err != nil {
		return nil, fmt.Errorf("seal: key versions: %w", err)
	}
	return out, nil
}

// Ensure records the first key version when the database has none: the
// configured profile (guomi by default) with the current master key. It
// returns every version. Two replicas starting together agree: the loser's
// insert fails on the primary key and it reads the winner's row.
func Ensure(ctx context.Context, d *db.DB, provider KeyProvider, p Profile) ([]KeyVersion, error) {
	vs, err := LoadVersions(ctx, d)
	if err != nil || len(vs) > 0 {
		return vs, err
	}
	if _, err := d.ExecContext(ctx, `INSERT INTO crypto_keys (version, profile, master_id, index_version, created_at)
		VALUES (1, ?, ?, 1, ?)`, p, provider.CurrentMaster(), db.Now()); err != nil && !db.IsDuplicate(err) {
		return nil, fmt.Errorf("seal: first key version: %w", err)
	}
	return LoadVersions(ctx, d)
}

// AddVersion records a new current key version with profile p and the
// provider's current master key; its index key carries over from the
// previous version when neither the profile nor the master key changed.
func AddVersion(ctx context.Context, d *db.DB, provider KeyProvider, p Profile) (KeyVersion, error) {
	var k KeyVersion
	err := d.InTx(ctx, func(tx *sqlx.Tx) error {
		var cur KeyVersion
		if err := tx.GetContext(ctx, &cur, `SELECT version, profile, master_id, index_version FROM crypto_keys
			ORDER BY version DESC LIMIT 1`); err != nil {
			return err
		}
		k = KeyVersion{Version: cur.Version + 1, Profile: p, MasterID: provider.CurrentMaster(), IndexVersion: cur.Version + 1}
		if cur.Profile == p && cur.MasterID == k.MasterID {
			k.IndexVersion = cur.IndexVersion
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO crypto_keys (version, profile, master_id, index_version, created_at)
			VALUES (?, ?, ?, ?, ?)`, k.Version, k.Profile, k.MasterID, k.IndexVersion, db.Now())
		return err
	})
	if err != nil {
		return k, fmt.Errorf("seal: new key version: %w", err)
	}
	return k, nil
}

// SweepBatch is how many rows one step of the sweep reads and re-seals.
const SweepBatch = 200

// SweepStep re-seals one batch of table (rows after the recorded cursor)
// under the vault's current key version and moves the cursor: plaintext
// left from before sealing, values of older versions, and missing or stale
// blind indexes. Each row is written only if it still holds what was read,
// so writers (which seal with the current version themselves) and other
// sweepers lose nothing. It returns the rows re-sealed and whether the
// table is done for this version.
func SweepStep(ctx context.Context, d *db.DB, v *Vault, table string, cols []Column) (int, bool, error) {
	target := v.Current()
	var cursor struct {
		LastID int64 `db:"last_id"`
		Done   bool  `db:"done"`
	}
	err := d.GetContext(ctx, &cursor, `SELECT last_id, done FROM crypto_sweeps WHERE to_version = ? AND table_name = ?`, target.Version, table)
	if db.IsNoRows(err) {
		if _, err := d.ExecContext(ctx, `INSERT INTO crypto_sweeps (to_version, table_name, last_id, resealed, done, updated_at)
			VALUES (?, ?, 0, 0, ?, ?)`, target.Version, table, false, db.Now()); err != nil && !db.IsDuplicate(err) {
			return 0, false, fmt.Errorf("seal: sweep %s: %w", table, err)
		}
	} else if err != nil {
		return 0, false, fmt.Errorf("seal: sweep %s: %w", table, err)
	}
	if cursor.Done {
		return 0, true, nil
	}
	rowKey, idCol := cols[0].RowKey, cols[0].id()
	sel := []string{idCol + " AS id", rowKey + " AS row_key"}
	for i, c := range cols {
		sel = append(sel, c.Column+" AS c"+strconv.Itoa(i))
		if c.Index != "" {
			sel = append(sel, c.Index+" AS i"+strconv.Itoa(i))
		}
	}
	rows, err := d.QueryxContext(ctx, `SELECT `+strings.Join(sel, ", ")+` FROM `+table+` WHERE `+idCol+` > ? ORDER BY `+idCol+` LIMIT ?`,
		cursor.LastID, SweepBatch)
	if err != nil {
		return 0, false, fmt.Errorf("seal: sweep %s: %w", table, err)
	}
	var batch []map[string]any
	for rows.Next() {
		m := map[string]any{}
		if err := rows.MapScan(m); err != nil {
			rows.Close()
			return 0, false, fmt.Errorf("seal: sweep %s: %w", table, err)
		}
		batch = append(batch, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, false, fmt.Errorf("seal: sweep %s: %w", table, err)
	}
	resealed, last := 0, cursor.LastID
	for _, m := range batch {
		id := asInt(m["id"])
		last = id
		key := asString(m["row_key"])
		var sets, conds []string
		var setArgs, condArgs []any
		for i, c := range cols {
			stored := asString(m["c"+strconv.Itoa(i)])
			f := db.Field{Table: table, Column: c.Column, Row: key}
			n, _, sealed := VersionOf(stored)
			if c.OnlySealed && !IsSealed(stored) {
				continue
			}
			plain, err := v.Open(stored, f)
			if err != nil {
				return resealed, false, fmt.Errorf("seal: sweep %s id %d %s: %w", table, id, c.Column, err)
			}
			if stored != "" && (!sealed || n != target.Version) {
				ns, err := v.SealWith(target, plain, f)
				if err != nil {
					return resealed, false, err
				}
				sets, setArgs = append(sets, c.Column+" = ?"), append(setArgs, ns)
				conds, condArgs = append(conds, c.Column+" = ?"), append(condArgs, stored)
			}
			if c.Index != "" {
				if want := v.IndexWith(target, c.Kind, plain); want != asString(m["i"+strconv.Itoa(i)]) {
					sets, setArgs = append(sets, c.Index+" = ?"), append(setArgs, want)
					if len(conds) == 0 || conds[len(conds)-1] != c.Column+" = ?" {
						conds, condArgs = append(conds, c.Column+" = ?"), append(condArgs, stored)
					}
				}
			}
		}
		if len(sets) == 0 {
			continue
		}
		args := append(append(setArgs, id), condArgs...)
		res, err := d.ExecContext(ctx, `UPDATE `+table+` SET `+strings.Join(sets, ", ")+` WHERE `+idCol+` = ? AND `+strings.Join(conds, " AND "), args...)
		if err != nil {
			return resealed, false, fmt.Errorf("seal: sweep %s id %d: %w", table, id, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			resealed++
		}
		// 0 rows: a writer replaced the values meanwhile, sealed with its
		// own (current) key; the final pass re-checks such rows.
	}
	done := len(batch) < SweepBatch
	if _, err := d.ExecContext(ctx, `UPDATE crypto_sweeps SET last_id = ?, resealed = resealed + ?, done = ?, updated_at = ?
		WHERE to_version = ? AND table_name = ?`, last, resealed, done, db.Now(), target.Version, table); err != nil {
		return resealed, false, fmt.Errorf("seal: sweep %s cursor: %w", table, err)
	}
	return resealed, done, nil
}

// Remaining counts a table's values not sealed under version (plaintext or
// an older version), scanning the sealed column's prefix, not decrypting.
func Remaining(ctx context.Context, d *db.DB, k KeyVersion, cols []Column) (int, error) {
	total := 0
	for _, c := range cols {
		var n int
		only := ""
		if c.OnlySealed {
			only = ` AND ` + c.Column + ` LIKE '` + sealedPrefix + `%'`
		}
		if err := d.GetContext(ctx, &n, `SELECT COUNT(*) FROM `+c.Table+` WHERE `+c.Column+` <> '' AND `+c.Column+` NOT LIKE ?`+only,
			sealedPrefix+k.Profile.tag()+":"+strconv.Itoa(k.Version)+":%"); err != nil {
			return 0, fmt.Errorf("seal: remaining %s.%s: %w", c.Table, c.Column, err)
		}
		total += n
	}
	return total, nil
}

// ByTable groups columns by table, in the order first seen.
func ByTable(cols []Column) ([]string, map[string][]Column) {
	var order []string
	m := map[string][]Column{}
	for _, c := range cols {
		if _, ok := m[c.Table]; !ok {
			order = append(order, c.Table)
		}
		m[c.Table] = append(m[c.Table], c)
	}
	return order, m
}

// ResetSweep makes the sweep of version start over for table (the final
// pass after a rotation, for rows a writer changed behind the cursor).
func ResetSweep(ctx context.Context, d *db.DB, version int, table string) error {
	_, err := d.ExecContext(ctx, `UPDATE crypto_sweeps SET last_id = 0, done = ? WHERE to_version = ? AND table_name = ?`,
		false, version, table)
	return err
}

func asString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	}
	return fmt.Sprint(v)
}

func asInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case []byte:
		n, _ := strconv.ParseInt(string(x), 10, 64)
		return n
	case string:
		n, _ := strconv.ParseInt(x, 10, 64)
		return n
	}
	n, _ := strconv.ParseInt(fmt.Sprint(v), 10, 64)
	return n
}
