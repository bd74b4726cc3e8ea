-- The rows V12 gave a node are keyed by it (H2).
ALTER TABLE managed_certificates DROP PRIMARY KEY;
ALTER TABLE managed_certificates ADD PRIMARY KEY (node, name);
ALTER TABLE managed_generations DROP PRIMARY KEY;
ALTER TABLE managed_generations ADD PRIMARY KEY (node, name, generation);
ALTER TABLE listener_state DROP PRIMARY KEY;
ALTER TABLE listener_state ADD PRIMARY KEY (node, name);
