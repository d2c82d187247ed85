package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"safetypilot/modules/reports"
	"safetypilot/tenants"
)

// benchReport compiles the yearly report of the province whose number of
// pilot counties is nearest 150 over the last full year of cases, as the
// report job and the province's 汇总 button do.
func (s *suite) benchReport(ctx context.Context, log *slog.Logger) error {
	var largest struct {
		Province string `db:"province_code"`
		Counties int    `db:"n"`
	}
	if err := s.db.GetContext(ctx, &largest, `SELECT province_code, COUNT(*) AS n FROM counties GROUP BY province_code ORDER BY ABS(COUNT(*) - 150), province_code LIMIT 1`); err != nil {
		return err
	}
	asOf, cal, err := s.asOf(ctx, log)
	if err != nil {
		return err
	}
	svc := reports.NewService(s.db, tenants.NewService(s.db), cal)
	svc.Now = func() time.Time { return asOf.Add(2 * time.Hour) }
	period := reports.YearPeriod(asOf.AddDate(-1, 0, 0))
	var yearCases int
	if err := s.db.GetContext(ctx, &yearCases, `SELECT COUNT(*) FROM cases c JOIN counties t ON t.code = c.county_code
		WHERE t.province_code = ? AND c.received_on BETWEEN ? AND ?`, largest.Province, period.Start, period.End); err != nil {
		return err
	}
	// The first compile creates the report row; the timed ones recompile it.
	if _, err := svc.CompileProvince(ctx, largest.Province, period); err != nil {
		return err
	}
	took, err := median(3, func() error {
		_, err := svc.CompileProvince(ctx, largest.Province, period)
		return err
	})
	if err != nil {
		return err
	}
	s.add(row{name: fmt.Sprintf("province report, %d counties, %s (%d cases received)", largest.Counties, period.Label, yearCases),
		value: secs(took), floor: "–", ratio: "–", target: "<3 s", met: verdict(took < 3*time.Second)})
	return nil
}
