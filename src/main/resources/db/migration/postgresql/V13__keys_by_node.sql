-- The rows V12 gave a node are keyed by it (PostgreSQL: the keys V6 and V7 created have the default names).
ALTER TABLE managed_certificates DROP CONSTRAINT managed_certificates_pkey;
ALTER TABLE managed_certificates ADD PRIMARY KEY (node, name);
ALTER TABLE managed_generations DROP CONSTRAINT managed_generations_pkey;
ALTER TABLE managed_generations ADD PRIMARY KEY (node, name, generation);
ALTER TABLE listener_state DROP CONSTRAINT listener_state_pkey;
ALTER TABLE listener_state ADD PRIMARY KEY (node, name);
