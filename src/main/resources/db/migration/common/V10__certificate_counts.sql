-- How many certificates of each source expire on each day (UTC, days since 1970-01-01), kept by
-- CertificateRepository in the same transaction as the certificates themselves: status counts
-- from it instead of scanning the table. Portable SQL: runs unchanged on H2 2.x and PostgreSQL 12+.
CREATE TABLE certificate_counts (
  source        VARCHAR(16) NOT NULL,
  not_after_day BIGINT      NOT NULL,
  n             BIGINT      NOT NULL,
  PRIMARY KEY (source, not_after_day)
);

INSERT INTO certificate_counts (source, not_after_day, n)
  SELECT source, CAST(FLOOR(EXTRACT(EPOCH FROM not_after) / 86400) AS BIGINT), COUNT(*)
  FROM certificates
  GROUP BY source, CAST(FLOOR(EXTRACT(EPOCH FROM not_after) / 86400) AS BIGINT);
