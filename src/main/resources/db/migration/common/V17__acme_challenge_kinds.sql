-- tls-alpn-01 answers (RFC 8737) next to the http-01 ones: a TLS listener that sees a ClientHello
-- for acme-tls/1 looks the name's key authorization up and presents a validation certificate made
-- from it. http-01 answers are looked up by token, tls-alpn-01 answers by name.
ALTER TABLE acme_challenges ADD COLUMN challenge VARCHAR(16) DEFAULT 'http-01' NOT NULL;
CREATE INDEX acme_challenges_by_name ON acme_challenges (challenge, identifier);
