-- Certificates on disk (files: in the configuration). One row per file a node's globs matched, with
-- what its last read found: its format, or the problem that kept it from being read (a missing
-- permission, a wrong keystore password, no certificate in it). Paths are at most 2000 bytes.
-- file_set: the entry of files: that matched it (a hash of its patterns); a file two entries match
-- belongs to the first. settings: JSON of that entry's labels, owners, thresholds and linked
-- endpoints at the last read. problem_since: when the current problem was first found.
-- alerted_problem: the problem code last alerted about (NULL when none), so it is alerted once.
CREATE TABLE watched_files (
  node                 VARCHAR(255)  NOT NULL,
  path                 VARCHAR(2000) NOT NULL,
  file_set             VARCHAR(64)   NOT NULL,
  format               VARCHAR(16),
  problem_code         VARCHAR(32),
  problem              VARCHAR(4000),
  problem_since        TIMESTAMP WITH TIME ZONE,
  size_bytes           BIGINT,
  modified_at          TIMESTAMP WITH TIME ZONE,
  read_at              TIMESTAMP WITH TIME ZONE NOT NULL,
  settings             VARCHAR       NOT NULL,
  alerted_problem      VARCHAR(32),
  PRIMARY KEY (node, path)
);

-- The certificates each watched file held at its last read: position 0.. in the file, its place as
-- users know it (#1 in a bundle, the keystore alias), and the certificate (in certificates).
CREATE TABLE file_certificates (
  node                 VARCHAR(255)  NOT NULL,
  path                 VARCHAR(2000) NOT NULL,
  position             INTEGER       NOT NULL,
  place                VARCHAR(300)  NOT NULL,
  sha256               VARCHAR(64)   NOT NULL,
  PRIMARY KEY (node, path, position)
);

CREATE INDEX file_certificates_sha256 ON file_certificates (sha256);

-- Event counters that every process adds to in the transaction that records the event (a renewal
-- by the daemon, the CLI or the API; an alert delivery), so /metrics counts them all, across
-- restarts. family: renewals | alerts; labels: the label values joined by '|'.
CREATE TABLE event_counts (
  family               VARCHAR(32)   NOT NULL,
  labels               VARCHAR(200)  NOT NULL,
  n                    BIGINT        NOT NULL,
  PRIMARY KEY (family, labels)
);
