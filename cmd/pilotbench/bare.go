package main

import (
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"strconv"
	"strings"
	"time"

	"safetypilot/modules/calendar"
	"safetypilot/modules/cases"
	"safetypilot/modules/db"
)

// runBare serves GET /api/v1/counties/{county}/cases with nothing but
// net/http, the database pool and the case list's own SQL (cases.ListSQL):
// no framework, sessions, authorization, audit or metrics. It is the floor
// the service's case list is measured against.
func runBare(args []string) error {
	fs := flag.NewFlagSet("bare", flag.ExitOnError)
	dsn := fs.String("dsn", "", "database DSN")
	addr := fs.String("addr", "127.0.0.1:18082", "listen address")
	maxOpen := fs.Int("db-max-open", 20, "pool size, as the service's PILOT_DB_MAX_OPEN")
	_ = fs.Parse(args)
	ctx := context.Background()
	database, err := db.Open(ctx, db.Config{DSN: *dsn, MaxOpenConns: *maxOpen})
	if err != nil {
		return err
	}
	defer database.Close()
	http.HandleFunc("/api/v1/counties/", func(w http.ResponseWriter, r *http.Request) {
		parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/api/v1/counties/"), "/")
		if len(parts) != 2 || parts[1] != "cases" {
			http.NotFound(w, r)
			return
		}
		q := r.URL.Query()
		page, _ := strconv.Atoi(q.Get("page"))
		perPage, _ := strconv.Atoi(q.Get("per_page"))
		if page < 1 {
			page = 1
		}
		if perPage < 1 {
			perPage = 20
		}
		today := calendar.FormatDate(calendar.Today(time.Now()))
		lq := cases.ListSQL(database.Dialect, parts[0], cases.Filter{Status: q.Get("status"), ItemCode: q.Get("item"), Sort: q.Get("sort"),
			Page: page, PerPage: perPage}, today, today)
		var total int
		if err := database.GetContext(r.Context(), &total, lq.Count, lq.CountArgs...); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		list := []cases.Case{}
		if err := database.SelectContext(r.Context(), &list, lq.Page, lq.PageArgs...); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"items": list, "total": total})
	})
	return http.ListenAndServe(*addr, nil)
}
