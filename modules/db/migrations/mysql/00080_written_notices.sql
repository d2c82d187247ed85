-- Written notices (书面告知) issued to an applicant or a requester: a licence
-- case's pause (行政许可法 第四十五条) or 补正 (第三十二条) and its extension
-- (第四十二条); an information request's 补正 (政府信息公开条例 第三十条),
-- extension (第三十三条) and consultation of third parties (第三十二条).
-- Each row is the notice as issued: the reason, the period and the deadline
-- the product computed at that moment, and its number in its series.
-- +goose Up
CREATE TABLE written_notices (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  county_code VARCHAR(6) NOT NULL,
  subject VARCHAR(16) NOT NULL,
  subject_id BIGINT NOT NULL,
  kind VARCHAR(32) NOT NULL,
  series VARCHAR(16) NOT NULL,
  doc_year INT NOT NULL,
  doc_seq INT NOT NULL,
  issued_on CHAR(10) NOT NULL,
  pause_kind VARCHAR(32) NOT NULL,
  reason TEXT NOT NULL,
  period_start CHAR(10) NOT NULL,
  period_end CHAR(10) NOT NULL,
  period_workdays INT NOT NULL,
  deadline CHAR(10) NOT NULL,
  deadline_provisional BOOLEAN NOT NULL,
  issued_by BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY written_notices_number (county_code, series, doc_year, doc_seq),
  KEY written_notices_subject (county_code, subject, subject_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE written_notices;
