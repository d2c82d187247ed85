-- +goose Up
CREATE TABLE catalog_pushes (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  province_code VARCHAR(2) NOT NULL,
  title VARCHAR(255) NOT NULL,
  note TEXT NOT NULL,
  items MEDIUMTEXT NOT NULL,
  pushed_by BIGINT NOT NULL,
  pushed_at DATETIME(6) NOT NULL,
  KEY catalog_pushes_province (province_code, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci /*T! AUTO_ID_CACHE=1 */;

-- +goose Down
DROP TABLE catalog_pushes;
