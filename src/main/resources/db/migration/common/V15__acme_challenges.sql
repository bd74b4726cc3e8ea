-- ACME http-01 challenges under way: the token the server will fetch and the key authorization to
-- answer with. In the store, so that an acme-http listener of any process or node answers for an
-- order placed by another (a CLI renewal, another node of a fleet).
CREATE TABLE acme_challenges (
  token             VARCHAR(255)  NOT NULL PRIMARY KEY,
  key_authorization VARCHAR(1000) NOT NULL,
  -- the name being validated, and by whom: for status and logs
  identifier        VARCHAR(255)  NOT NULL,
  node              VARCHAR(255)  NOT NULL,
  created_at        TIMESTAMP WITH TIME ZONE NOT NULL,
  -- never answered after this, and removed by the next publish
  expires_at        TIMESTAMP WITH TIME ZONE NOT NULL
);
