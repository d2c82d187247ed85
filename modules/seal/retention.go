package seal

import (
	"context"
	"fmt"
	"strings"

	"safetypilot/modules/db"
)

// EraseBatch bounds the rows one erasure statement changes.
const EraseBatch = 500

// Erase blanks the sealed columns (and their blind indexes) of the rows of
// table that match where and still hold personal data, and stamps them
// personal_erased_on = today; the row itself, its dates, outcome and audit
// entries stay. It works in batches and returns the rows erased. The table
// must have an id and a personal_erased_on column.
func Erase(ctx context.Context, d *db.DB, cols []Column, where string, args []any, today string) (int, error) {
	if len(cols) == 0 {
		return 0, nil
	}
	table := cols[0].Table
	sets := []string{}
	for _, c := range cols {
		sets = append(sets, c.Column+" = ''")
		if c.Index != "" {
			sets = append(sets, c.Index+" = ''")
		}
	}
	total := 0
	for {
		res, err := d.ExecContext(ctx, `UPDATE `+table+` SET `+strings.Join(sets, ", ")+`, personal_erased_on = ?
			WHERE id IN (SELECT id FROM (SELECT id FROM `+table+` WHERE personal_erased_on IS NULL AND `+where+`
			ORDER BY id LIMIT ?) batch)`, append(append([]any{today}, args...), EraseBatch)...)
		if err != nil {
			return total, fmt.Errorf("seal: erase %s: %w", table, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, fmt.Errorf("seal: erase %s: %w", table, err)
		}
		total += int(n)
		if n < EraseBatch {
			return total, nil
		}
	}
}
