-- Schema 23: the indexes (not_after, sha256) and (source, not_after, sha256) go. The certificates
-- issued in one second share a notAfter, so within it they fell at random by fingerprint, and H2
-- rewrote another page of each index for every certificate at every commit. The inventory is read in
-- expiry order through (not_after) and (source, not_after), whose ties follow the order rows were
-- written in: CertificateRepository walks one of them for a page, reads the rows that share the
-- page's last notAfter (the walk may have stopped among them) and sorts by (not_after, sha256).
-- Portable SQL: runs unchanged on H2 2.x and PostgreSQL 12+.
DROP INDEX certificates_page;
DROP INDEX certificates_source_page;
