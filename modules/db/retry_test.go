package db_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/db"
	"safetypilot/modules/db/dbtest"
)

// TestInTxRetriesDeadlocks: two transactions lock two rows in opposite
// order on MariaDB, so InnoDB kills one of them as a deadlock victim; InTx
// runs the victim again and both commit, each change exactly once. An error
// the database did not ask to retry is returned at once, after one run.
func TestInTxRetriesDeadlocks(t *testing.T) {
	d := dbtest.Open(t, db.MySQL)
	ctx := context.Background()
	for _, q := range []string{
		`CREATE TABLE pairs (id INT PRIMARY KEY, n INT NOT NULL) ENGINE=InnoDB`,
		`INSERT INTO pairs (id, n) VALUES (1, 0), (2, 0)`,
	} {
		if _, err := d.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	var runs atomic.Int32
	firstLocked := make(chan struct{}, 2)
	both := make(chan struct{})
	var once sync.Once
	transfer := func(first, second int) error {
		return d.InTx(ctx, func(tx *sqlx.Tx) error {
			run := runs.Add(1)
			if _, err := tx.ExecContext(ctx, `UPDATE pairs SET n = n + 1 WHERE id = ?`, first); err != nil {
				return err
			}
			if run <= 2 {
				// The first two runs wait for each other, so each holds one
				// row and asks for the other: a deadlock.
				firstLocked <- struct{}{}
				if len(firstLocked) == 2 {
					once.Do(func() { close(both) })
				}
				<-both
			}
			_, err := tx.ExecContext(ctx, `UPDATE pairs SET n = n + 1 WHERE id = ?`, second)
			return err
		})
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, order := range [][2]int{{1, 2}, {2, 1}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = transfer(order[0], order[1])
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("transaction %d: %v", i, err)
		}
	}
	if r := runs.Load(); r != 3 {
		t.Errorf("%d runs, want 3 (two, then the deadlock victim again)", r)
	}
	var total int
	if err := d.GetContext(ctx, &total, `SELECT SUM(n) FROM pairs`); err != nil || total != 4 {
		t.Errorf("sum %d (%v), want 4: each transaction's two updates exactly once", total, err)
	}

	runs.Store(0)
	plain := errors.New("not the database's")
	if err := d.InTx(ctx, func(tx *sqlx.Tx) error { runs.Add(1); return plain }); !errors.Is(err, plain) || runs.Load() != 1 {
		t.Errorf("a plain error: %v after %d runs, want it after 1", err, runs.Load())
	}
}
