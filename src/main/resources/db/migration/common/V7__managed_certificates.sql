-- Managed certificates: the generation in force for each, and how its renewals go.
-- The files under <data-dir>/managed/NAME/ are the truth for what is deployed; at start the
-- daemon reconciles this row with them (see io.certkeeper.renew.Reconciler).
CREATE TABLE managed_certificates (
  name                 VARCHAR(100)  NOT NULL PRIMARY KEY,
  -- the generation in force; lowercase hex serial as in issued_certificates
  serial               VARCHAR(64)   NOT NULL,
  sha256               VARCHAR(64)   NOT NULL,
  -- SHA-256 of the subjectPublicKeyInfo: tells a reused key from a new one
  key_sha256           VARCHAR(64)   NOT NULL,
  not_before           TIMESTAMP WITH TIME ZONE NOT NULL,
  not_after            TIMESTAMP WITH TIME ZONE NOT NULL,
  -- counts swaps: 1 for the first certificate
  generation           BIGINT        NOT NULL,
  last_renewed_at      TIMESTAMP WITH TIME ZONE NOT NULL,
  consecutive_failures INTEGER       NOT NULL DEFAULT 0,
  last_error           VARCHAR(4000),
  last_error_at        TIMESTAMP WITH TIME ZONE,
  -- no attempt before this time (backoff after a failure); NULL when none is pending
  next_attempt_at      TIMESTAMP WITH TIME ZONE,
  -- the last hook failure of the generation in force, NULL when all hooks succeeded
  last_hook_error      VARCHAR(4000),
  -- what the closed loop found: the fingerprint a listener served after the last swap
  served_sha256        VARCHAR(64),
  served_checked_at    TIMESTAMP WITH TIME ZONE
);

-- Every generation ever put in force, newest last: the history behind rollbacks.
CREATE TABLE managed_generations (
  name        VARCHAR(100) NOT NULL,
  generation  BIGINT       NOT NULL,
  serial      VARCHAR(64)  NOT NULL,
  sha256      VARCHAR(64)  NOT NULL,
  not_after   TIMESTAMP WITH TIME ZONE NOT NULL,
  -- renewal | first | forced | reconciled
  reason      VARCHAR(32)  NOT NULL,
  swapped_at  TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (name, generation)
);
