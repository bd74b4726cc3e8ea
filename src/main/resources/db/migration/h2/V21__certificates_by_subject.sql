-- The expiry alerts of issued certificates ask whether a newer certificate with the same subject
-- replaced one: by subject, without reading the inventory.
CREATE INDEX certificates_subject ON certificates (subject);
