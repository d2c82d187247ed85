package tenants

import (
	"bytes"
	"context"
	"database/sql"
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"

	"safetypilot/modules/db"
)

// Reference data of the National Bureau of Statistics (2023 division codes). It
// seeds the tables at first start; the national administrator may update them.
var (
	//go:embed data/province-codes.csv
	provinceCSV []byte
	//go:embed data/county-codes.csv
	countyCSV []byte
)

// XPCC is the Xinjiang Production and Construction Corps, which received the
// notice like a province and is seeded with code 66.
const XPCC = "66"

// SeedMigration loads the provinces (plus the XPCC) and the county-level
// division codes once, as migration number version.
func SeedMigration(version int64) db.Seed {
	return db.Seed{Version: version, Run: seedReferenceData}
}

func seedReferenceData(ctx context.Context, tx *sql.Tx) error {
	provinces, err := readCSV(provinceCSV)
	if err != nil {
		return err
	}
	provinces = append(provinces, []string{XPCC, "新疆生产建设兵团"})
	for _, p := range provinces {
		if _, err := tx.ExecContext(ctx, `INSERT INTO provinces (code, name) VALUES (?, ?)`, p[0], p[1]); err != nil {
			return fmt.Errorf("seed province %s: %w", p[0], err)
		}
	}
	counties, err := readCSV(countyCSV)
	if err != nil {
		return err
	}
	now := db.Now()
	const batch = 200
	for start := 0; start < len(counties); start += batch {
		end := min(start+batch, len(counties))
		query := `INSERT INTO divisions (code, name, city_code, province_code, updated_at) VALUES `
		args := make([]any, 0, (end-start)*5)
		for i, c := range counties[start:end] {
			if len(c) < 4 {
				return fmt.Errorf("seed divisions: short row %v", c)
			}
			if i > 0 {
				query += ", "
			}
			query += "(?, ?, ?, ?, ?)"
			args = append(args, c[0], c[1], c[2], c[3], now)
		}
		if _, err := tx.ExecContext(ctx, query, args...); err != nil {
			return fmt.Errorf("seed divisions: %w", err)
		}
	}
	return nil
}

// readCSV returns the rows after the header.
func readCSV(data []byte) ([][]string, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	var rows [][]string
	for first := true; ; first = false {
		rec, err := r.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reference csv: %w", err)
		}
		if !first {
			rows = append(rows, rec)
		}
	}
}
