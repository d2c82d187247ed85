-- The last day to apply to the court (行政强制法 第五十三条) of fines served
-- before 00198: three months after the six months to sue, each counted as
-- 民法典 第二百零二条 counts months (MySQL's DATE_ADD keeps to the month's
-- last day, as the article does). No case had a 复议 or 诉讼 recorded then.
-- +goose Up
UPDATE penalty_cases SET enforcement_due = DATE_FORMAT(DATE_ADD(DATE_ADD(STR_TO_DATE(served_on, '%Y-%m-%d'),
  INTERVAL 6 MONTH), INTERVAL 3 MONTH), '%Y-%m-%d')
  WHERE served_on <> '' AND fine_yuan > 0 AND enforcement_due = '';

-- +goose Down
-- Nothing to undo: 00198 drops the column.
