-- Schema 23: the indexes (not_after, sha256) and (source, not_after, sha256) go. The certificates
-- issued in one second share a notAfter, so within it they fell at random by fingerprint, and H2
-- rewrote another page of each index for every certificate at every commit. The inventory is still
-- read in (not_after, sha256) order: through (not_after) or (source, not_after), the database sorts
-- only the rows that share a notAfter (H2's partial sort; PostgreSQL 13+'s incremental sort).
-- Portable SQL: runs unchanged on H2 2.x and PostgreSQL 12+.
DROP INDEX certificates_page;
DROP INDEX certificates_source_page;
