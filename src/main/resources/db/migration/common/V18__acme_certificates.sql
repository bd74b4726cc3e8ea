-- What an ACME-issued managed certificate needs beyond managed_certificates: the retry state of a
-- first issue (there is no managed_certificates row until one succeeds), and the ACME server's
-- renewal information (ARI, RFC 9773) for the certificate in force. One row per node and name.
CREATE TABLE acme_certificates (
  node                 VARCHAR(255)  NOT NULL,
  name                 VARCHAR(100)  NOT NULL,
  -- before the first certificate: failed orders in a row, the last one's error, and no new order
  -- before no_order_before (backoff, or the server's Retry-After)
  first_failures       INTEGER       DEFAULT 0 NOT NULL,
  first_error          VARCHAR(4000),
  no_order_before      TIMESTAMP WITH TIME ZONE,
  -- ARI: the certificate (serial) it is about; the suggested window (NULL when the server offers
  -- no renewalInfo), the time chosen in it, the explanation URL; when to ask again
  ari_serial           VARCHAR(64),
  ari_start            TIMESTAMP WITH TIME ZONE,
  ari_end              TIMESTAMP WITH TIME ZONE,
  ari_renew_at         TIMESTAMP WITH TIME ZONE,
  ari_explanation      VARCHAR(1000),
  ari_next_fetch       TIMESTAMP WITH TIME ZONE,
  PRIMARY KEY (node, name)
);
