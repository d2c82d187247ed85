package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"

	"safetypilot/modules/db"
)

// bulkLoader streams generated rows into tables in large chunks: LOAD DATA
// LOCAL INFILE from an in-memory reader on MySQL/MariaDB (one statement per
// chunk, tens of thousands of rows), multi-row INSERTs on SQLite. Chunks are
// sent by a few connections at once while the generator builds the next.
type bulkLoader struct {
	db     *db.DB
	chunks chan bulkChunk
	wg     sync.WaitGroup
	mu     sync.Mutex
	err    error
	rows   atomic.Int64
	seq    atomic.Int64
}

type bulkChunk struct {
	table *bulkTable
	data  []byte
	rows  int
}

// bulkTable collects the rows of one table until a chunk is full.
type bulkTable struct {
	l     *bulkLoader
	name  string
	cols  []string
	buf   bytes.Buffer
	n     int
	limit int
}

func newBulkLoader(ctx context.Context, database *db.DB, workers int) *bulkLoader {
	l := &bulkLoader{db: database, chunks: make(chan bulkChunk, workers*2)}
	for i := 0; i < workers; i++ {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for c := range l.chunks {
				if l.failed() != nil {
					continue
				}
				if err := l.send(ctx, c); err != nil {
					l.fail(err)
				}
			}
		}()
	}
	return l
}

func (l *bulkLoader) fail(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err == nil {
		l.err = err
	}
}

func (l *bulkLoader) failed() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// table starts collecting rows for name with the given columns.
func (l *bulkLoader) table(name string, cols ...string) *bulkTable {
	limit := 20_000
	if l.db.Dialect == db.SQLite {
		limit = 500
	}
	return &bulkTable{l: l, name: name, cols: cols, limit: limit}
}

// add appends one row; values are strings, integers, booleans or nil (NULL).
func (t *bulkTable) add(values ...any) {
	if len(values) != len(t.cols) {
		panic(fmt.Sprintf("bulk %s: %d values for %d columns", t.name, len(values), len(t.cols)))
	}
	if t.l.db.Dialect == db.MySQL {
		for i, v := range values {
			if i > 0 {
				t.buf.WriteByte('\t')
			}
			writeTSV(&t.buf, v)
		}
		t.buf.WriteByte('\n')
	} else {
		if t.n > 0 {
			t.buf.WriteByte(',')
		}
		t.buf.WriteByte('(')
		for i, v := range values {
			if i > 0 {
				t.buf.WriteByte(',')
			}
			writeSQLLiteral(&t.buf, v)
		}
		t.buf.WriteByte(')')
	}
	t.n++
	if t.n >= t.limit {
		t.flush()
	}
}

// flush hands the collected rows to the senders.
func (t *bulkTable) flush() {
	if t.n == 0 {
		return
	}
	data := make([]byte, t.buf.Len())
	copy(data, t.buf.Bytes())
	t.l.chunks <- bulkChunk{table: t, data: data, rows: t.n}
	t.buf.Reset()
	t.n = 0
}

// wait flushes nothing itself: callers flush their tables, then wait.
func (l *bulkLoader) wait() error {
	close(l.chunks)
	l.wg.Wait()
	return l.failed()
}

func (l *bulkLoader) send(ctx context.Context, c bulkChunk) error {
	t := c.table
	var err error
	if l.db.Dialect == db.MySQL {
		name := fmt.Sprintf("pilotgen_%d", l.seq.Add(1))
		data := c.data
		mysql.RegisterReaderHandler(name, func() io.Reader { return bytes.NewReader(data) })
		defer mysql.DeregisterReaderHandler(name)
		_, err = l.db.ExecContext(ctx, fmt.Sprintf("LOAD DATA LOCAL INFILE 'Reader::%s' INTO TABLE %s CHARACTER SET utf8mb4 "+
			"FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (%s)", name, t.name, strings.Join(t.cols, ", ")))
	} else {
		_, err = l.db.ExecContext(ctx, "INSERT INTO "+t.name+" ("+strings.Join(t.cols, ", ")+") VALUES "+string(c.data))
	}
	if err != nil {
		return fmt.Errorf("bulk load %s: %w", t.name, err)
	}
	l.rows.Add(int64(c.rows))
	return nil
}

func writeTSV(b *bytes.Buffer, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString(`\N`)
	case string:
		for i := 0; i < len(x); i++ {
			switch c := x[i]; c {
			case '\\':
				b.WriteString(`\\`)
			case '\t':
				b.WriteString(`\t`)
			case '\n':
				b.WriteString(`\n`)
			default:
				b.WriteByte(c)
			}
		}
	default:
		writeScalar(b, v)
	}
}

func writeSQLLiteral(b *bytes.Buffer, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("NULL")
	case string:
		b.WriteByte('\'')
		b.WriteString(strings.ReplaceAll(x, "'", "''"))
		b.WriteByte('\'')
	case time.Time:
		// The form the SQLite driver itself writes.
		b.WriteString(x.UTC().Format("'2006-01-02 15:04:05.000000-07:00'"))
	default:
		writeScalar(b, v)
	}
}

func writeScalar(b *bytes.Buffer, v any) {
	switch x := v.(type) {
	case int:
		b.WriteString(strconv.Itoa(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case bool:
		if x {
			b.WriteByte('1')
		} else {
			b.WriteByte('0')
		}
	case time.Time:
		b.WriteString(x.UTC().Format("2006-01-02 15:04:05.000000"))
	default:
		panic(fmt.Sprintf("bulk: unsupported value %T", v))
	}
}
