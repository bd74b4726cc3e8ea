-- What each of the daemon's own TLS listeners serves, and the outcome of its last reload.
CREATE TABLE listener_state (
  name            VARCHAR(100)  NOT NULL PRIMARY KEY,
  bind            VARCHAR(300)  NOT NULL,
  role            VARCHAR(16)   NOT NULL,
  sha256          VARCHAR(64)   NOT NULL,
  serial          VARCHAR(128)  NOT NULL,
  not_after       TIMESTAMP WITH TIME ZONE NOT NULL,
  loaded_at       TIMESTAMP WITH TIME ZONE NOT NULL,
  -- the certificate a real connection to the listener saw after the last swap
  verified_sha256 VARCHAR(64),
  verified_at     TIMESTAMP WITH TIME ZONE,
  last_error      VARCHAR(4000),
  last_error_at   TIMESTAMP WITH TIME ZONE
);
