-- The dashboard asks which endpoints serve a certificate (a page of the inventory at a time), and
-- pages the inventory by (not_after, sha256), with or without a source: indexes in that order let a
-- page stop after its rows instead of sorting every certificate first.
CREATE INDEX endpoint_state_leaf ON endpoint_state (leaf_sha256);
CREATE INDEX certificates_page ON certificates (not_after, sha256);
CREATE INDEX certificates_source_page ON certificates (source, not_after, sha256);
