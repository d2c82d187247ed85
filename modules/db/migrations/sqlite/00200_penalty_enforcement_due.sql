-- enforcement_due of fines served before 00198 (see the MySQL migration).
-- SQLite's date(d, '+N months') runs past a month's end (08-31 + 6 months
-- is 03-03), so a result whose day differs from the start's is taken back
-- to the last day of the month before, as 民法典 第二百零二条 counts.
-- +goose Up
UPDATE penalty_cases SET enforcement_due = CASE
  WHEN strftime('%d', date(served_on, '+6 months')) = strftime('%d', served_on) THEN date(served_on, '+6 months')
  ELSE date(date(served_on, '+6 months'), 'start of month', '-1 day') END
  WHERE served_on <> '' AND fine_yuan > 0 AND enforcement_due = '';
UPDATE penalty_cases SET enforcement_due = CASE
  WHEN strftime('%d', date(enforcement_due, '+3 months')) = strftime('%d', enforcement_due) THEN date(enforcement_due, '+3 months')
  ELSE date(date(enforcement_due, '+3 months'), 'start of month', '-1 day') END
  WHERE served_on <> '' AND fine_yuan > 0 AND enforcement_due <> '' AND enforcement_due < date(served_on, '+8 months');

-- +goose Down
-- Nothing to undo: 00198 drops the column.
