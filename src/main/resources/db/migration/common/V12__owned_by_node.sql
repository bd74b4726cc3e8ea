-- Managed certificates and listeners belong to a node: two nodes may each hold a certificate of
-- the same name (their own keys, files and generations) and listeners of the same name. Portable
-- SQL: H2 2.x and PostgreSQL 12+; the keys change in V13 (engine-specific).
--
-- Rows from before go to the node that put their newest generation in force, else to the node of
-- the newest daemon run, else to '' (no daemon ever ran), which the next daemon to start adopts.
-- managed_generations.node (added by V11) is filled where it is still empty.
ALTER TABLE managed_certificates ADD COLUMN node VARCHAR(255);
UPDATE managed_certificates SET node = COALESCE(
    (SELECT g.node FROM managed_generations g WHERE g.name = managed_certificates.name AND g.node IS NOT NULL
       ORDER BY g.generation DESC FETCH FIRST 1 ROW ONLY),
    (SELECT r.node FROM daemon_runs r ORDER BY r.id DESC FETCH FIRST 1 ROW ONLY),
    '');
ALTER TABLE managed_certificates ALTER COLUMN node SET NOT NULL;

UPDATE managed_generations SET node = COALESCE(
    (SELECT m.node FROM managed_certificates m WHERE m.name = managed_generations.name),
    (SELECT r.node FROM daemon_runs r ORDER BY r.id DESC FETCH FIRST 1 ROW ONLY),
    '') WHERE node IS NULL;
ALTER TABLE managed_generations ALTER COLUMN node SET NOT NULL;

ALTER TABLE listener_state ADD COLUMN node VARCHAR(255);
UPDATE listener_state SET node = COALESCE(
    (SELECT r.node FROM daemon_runs r ORDER BY r.id DESC FETCH FIRST 1 ROW ONLY), '');
ALTER TABLE listener_state ALTER COLUMN node SET NOT NULL;
