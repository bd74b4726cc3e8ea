-- Schema 22: issued_certificates loses its unique index and its foreign key on sha256. H2 rewrites,
-- at every commit, each B-tree page the commit touched, and an index keyed by a random fingerprint
-- touches another page for every certificate issued (PostgreSQL pays less, but both engines keep
-- one schema). The table is reached through its serial (the primary key; readers join on
-- certificates.serial), and a certificate has one serial, so sha256 stays unique; both rows are
-- written in one transaction, and rows of certificates are never deleted. H2's version 22 is a Java
-- migration (db.migration.h2), as H2 named these constraints itself.
ALTER TABLE issued_certificates DROP CONSTRAINT issued_certificates_sha256_fkey;
ALTER TABLE issued_certificates DROP CONSTRAINT issued_certificates_sha256_key;
