-- The expiry alerts of issued certificates ask whether a newer certificate with the same subject
-- replaced one: by subject, without reading the inventory. A hash index: a B-tree entry is limited
-- to about 2,700 bytes, and a subject may be up to 4,000 characters.
CREATE INDEX certificates_subject ON certificates USING hash (subject);
