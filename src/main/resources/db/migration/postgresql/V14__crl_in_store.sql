-- The newest CRL of each issuer, as signed: every node of a fleet that holds the CA writes it to its
-- own data directory (PostgreSQL).
ALTER TABLE crl_state ADD COLUMN crl_der BYTEA;
