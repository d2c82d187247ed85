package calendar

import (
	"context"
	"database/sql"
	_ "embed"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
)

//go:embed data/cn-workday-calendar.json
var officialCalendars []byte

// officialFile is the shape of the shipped calendar data.
type officialFile struct {
	Source string               `json:"source"`
	Years  map[string]YearInput `json:"years"`
}

// SeedMigration loads the shipped official calendars (2025, 2026) once.
func SeedMigration(version int64) db.Seed {
	return db.Seed{Version: version, Run: func(ctx context.Context, tx *sql.Tx) error {
		var f officialFile
		if err := json.Unmarshal(officialCalendars, &f); err != nil {
			return fmt.Errorf("calendar seed: %w", err)
		}
		for ys, in := range f.Years {
			year, err := strconv.Atoi(ys)
			if err != nil {
				return fmt.Errorf("calendar seed: year %q: %w", ys, err)
			}
			if err := in.Validate(year); err != nil {
				return fmt.Errorf("calendar seed %d: %w", year, err)
			}
			if err := insertYear(ctx, tx, National, year, in, "国务院办公厅节假日安排通知", 0); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO change_versions (name, version) VALUES ('calendar', 1)`)
		return err
	}}
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func insertYear(ctx context.Context, tx execer, region string, year int, in YearInput, source string, by int64) error {
	for _, list := range []struct {
		kind, note string
		days       []string
	}{{KindHoliday, "法定节假日", in.Holidays}, {KindWorkday, "调休上班", in.MakeupWorkdays}} {
		note := list.note
		if region != National && list.kind == KindHoliday {
			note = "地方节假日"
		}
		for _, d := range list.days {
			if _, err := tx.ExecContext(ctx, `INSERT INTO calendar_days (region, day, kind, note) VALUES (?, ?, ?, ?)`,
				region, d, list.kind, note); err != nil {
				return fmt.Errorf("calendar: insert day: %w", err)
			}
		}
	}
	if in.Source != "" {
		source = in.Source
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO calendar_years (region, year, source, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)`,
		region, year, source, by, db.Now())
	if err != nil {
		return fmt.Errorf("calendar: insert year: %w", err)
	}
	return nil
}

// Service keeps the in-memory calendar in step with the database and lets
// administrators change it.
type Service struct {
	db       *db.DB
	cal      *Calendar
	log      *slog.Logger
	version  atomic.Int64
	mu       sync.Mutex
	onChange []func(ctx context.Context) error
}

// NewService loads the calendars from the database.
func NewService(ctx context.Context, database *db.DB, log *slog.Logger) (*Service, error) {
	s := &Service{db: database, cal: New(), log: log}
	if err := s.Reload(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Calendar is the current in-memory calendar.
func (s *Service) Calendar() *Calendar { return s.cal }

// OnChange registers work to do after an administrator changes a calendar on
// this replica (recomputing open deadlines, for instance).
func (s *Service) OnChange(fn func(ctx context.Context) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onChange = append(s.onChange, fn)
}

// Reload reads every calendar again.
func (s *Service) Reload(ctx context.Context) error {
	var v int64
	if err := s.db.GetContext(ctx, &v, `SELECT version FROM change_versions WHERE name = 'calendar'`); err != nil && !db.IsNoRows(err) {
		return fmt.Errorf("calendar: version: %w", err)
	}
	var days []DayRow
	if err := s.db.SelectContext(ctx, &days, `SELECT region, day, kind, note FROM calendar_days`); err != nil {
		return fmt.Errorf("calendar: load days: %w", err)
	}
	var years []YearRow
	if err := s.db.SelectContext(ctx, &years, `SELECT region, year FROM calendar_years`); err != nil {
		return fmt.Errorf("calendar: load years: %w", err)
	}
	s.cal.replace(days, years)
	s.version.Store(v)
	return nil
}

// Watch reloads when another replica changed a calendar, until ctx ends.
func (s *Service) Watch(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			var v int64
			err := s.db.GetContext(ctx, &v, `SELECT version FROM change_versions WHERE name = 'calendar'`)
			if err == nil && v != s.version.Load() {
				err = s.Reload(ctx)
			}
			if err != nil && ctx.Err() == nil {
				s.log.Error("calendar reload failed", "err", err)
			}
		}
	}
}

// YearSummary describes a loaded year of a region.
type YearSummary struct {
	Region         string    `db:"region" json:"region"`
	Year           int       `db:"year" json:"year"`
	Source         string    `db:"source" json:"source"`
	UpdatedAt      time.Time `db:"updated_at" json:"updated_at"`
	Holidays       []string  `db:"-" json:"holidays"`
	MakeupWorkdays []string  `db:"-" json:"makeup_workdays"`
}

// Years lists the loaded years of a region with their days.
func (s *Service) Years(ctx context.Context, region string) ([]YearSummary, error) {
	out := []YearSummary{}
	if err := s.db.SelectContext(ctx, &out, `SELECT region, year, source, updated_at FROM calendar_years
		WHERE region = ? ORDER BY year`, region); err != nil {
		return nil, fmt.Errorf("calendar: years: %w", err)
	}
	var days []DayRow
	if err := s.db.SelectContext(ctx, &days, `SELECT region, day, kind, note FROM calendar_days WHERE region = ? ORDER BY day`, region); err != nil {
		return nil, fmt.Errorf("calendar: days: %w", err)
	}
	for i := range out {
		prefix := strconv.Itoa(out[i].Year) + "-"
		out[i].Holidays, out[i].MakeupWorkdays = []string{}, []string{}
		for _, d := range days {
			if len(d.Day) < 5 || d.Day[:5] != prefix {
				continue
			}
			if d.Kind == KindWorkday {
				out[i].MakeupWorkdays = append(out[i].MakeupWorkdays, d.Day)
			} else {
				out[i].Holidays = append(out[i].Holidays, d.Day)
			}
		}
	}
	return out, nil
}

// SetYear replaces a region's calendar for one year (National for the State
// Council's, a province code for its local overlay), then reloads and runs
// the change hooks so open deadlines are recomputed.
func (s *Service) SetYear(ctx context.Context, region string, year int, in YearInput, by int64) error {
	if err := in.Validate(year); err != nil {
		return err
	}
	if region == National && len(in.Holidays) == 0 {
		// A national year with no day off would count as loaded while
		// knowing only weekends: the silent weekends-only count to avoid.
		return apperr.InvalidField("holidays", "国务院节假日安排应至少包含一个放假日期（如元旦）")
	}
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE change_versions SET version = version + 1 WHERE name = 'calendar'`); err != nil {
			return fmt.Errorf("calendar: bump version: %w", err)
		}
		from, to := fmt.Sprintf("%d-01-01", year), fmt.Sprintf("%d-12-31", year)
		if _, err := tx.ExecContext(ctx, `DELETE FROM calendar_days WHERE region = ? AND day >= ? AND day <= ?`, region, from, to); err != nil {
			return fmt.Errorf("calendar: clear year: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM calendar_years WHERE region = ? AND year = ?`, region, year); err != nil {
			return fmt.Errorf("calendar: clear year: %w", err)
		}
		source := "管理员录入"
		return insertYear(ctx, tx, region, year, in, source, by)
	})
	if err != nil {
		return err
	}
	if err := s.Reload(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	hooks := append([]func(context.Context) error(nil), s.onChange...)
	s.mu.Unlock()
	for _, h := range hooks {
		if err := h(ctx); err != nil {
			return err
		}
	}
	return nil
}

// MissingYears lists the years administrators must be warned about: this
// year when it is not loaded, and next year from October on (the State
// Council announces it each November, and deadlines soon reach into it).
func (s *Service) MissingYears(now time.Time) []int {
	var out []int
	today := Today(now)
	if !s.cal.HasYear(today.Year()) {
		out = append(out, today.Year())
	}
	if today.Month() >= time.October && !s.cal.HasYear(today.Year()+1) {
		out = append(out, today.Year()+1)
	}
	return out
}
