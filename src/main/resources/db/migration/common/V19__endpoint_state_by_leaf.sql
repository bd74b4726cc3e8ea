-- The dashboard asks which endpoints serve a certificate (a page of the inventory at a time).
CREATE INDEX endpoint_state_leaf ON endpoint_state (leaf_sha256);
