-- Certificates signed by the local CA (its own root and intermediate included), by serial number.
-- The certificate itself, with its facts and PEM, is the row of `certificates` with this sha256;
-- both rows are written in one transaction before the issuing command reports success.
CREATE TABLE issued_certificates (
  -- lowercase hex without leading zeros, as certificates.serial; never reused
  serial            VARCHAR(64)   NOT NULL PRIMARY KEY,
  sha256            VARCHAR(64)   NOT NULL UNIQUE REFERENCES certificates (sha256),
  -- the CA certificate that signed it (a root names itself)
  issuer_sha256     VARCHAR(64)   NOT NULL,
  -- root | intermediate | server | client | server-client
  profile           VARCHAR(32)   NOT NULL,
  issued_at         TIMESTAMP WITH TIME ZONE NOT NULL,
  revoked_at        TIMESTAMP WITH TIME ZONE,
  -- RFC 5280 reason name, e.g. keyCompromise; set together with revoked_at
  revocation_reason VARCHAR(32)
);

CREATE INDEX issued_certificates_issuer_revoked ON issued_certificates (issuer_sha256, revoked_at);

-- The last CRL each CA certificate signed: its number only ever grows.
CREATE TABLE crl_state (
  issuer_sha256 VARCHAR(64) NOT NULL PRIMARY KEY,
  crl_number    BIGINT      NOT NULL,
  this_update   TIMESTAMP WITH TIME ZONE NOT NULL,
  next_update   TIMESTAMP WITH TIME ZONE NOT NULL
);
