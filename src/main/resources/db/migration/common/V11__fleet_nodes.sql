-- Fleet mode: several daemons (nodes) on one database. Portable SQL: H2 2.x and PostgreSQL 12+.

-- The node that wrote a row, where it matters: who started (and heartbeats), who probed, who
-- swapped a generation in. Probe results and generations from before have none (a single host
-- then). Every run names its node: earlier runs go by their host, and a daemon of an earlier
-- version (which writes no node) fails to record its start against this schema instead of
-- running beside newer nodes with other rules.
ALTER TABLE daemon_runs ADD COLUMN node VARCHAR(255);
UPDATE daemon_runs SET node = host;
ALTER TABLE daemon_runs ALTER COLUMN node SET NOT NULL;
ALTER TABLE probe_results ADD COLUMN node VARCHAR(255);
ALTER TABLE managed_generations ADD COLUMN node VARCHAR(255);

-- Which nodes' configurations declare each configured endpoint. Probes are shared by the fleet,
-- so an endpoint stays in the inventory while any node declares it and leaves it when the last
-- one stops; a node's sync never removes what another node declares.
CREATE TABLE endpoint_declarations (
  endpoint_id VARCHAR(1000) NOT NULL,
  node        VARCHAR(255)  NOT NULL,
  PRIMARY KEY (endpoint_id, node)
);

-- Rows that serialize fleet-wide work by row lock (SELECT ... FOR UPDATE): 'endpoint-sync', so
-- that nodes reloading at once apply their declarations one after the other.
CREATE TABLE fleet_locks (
  name VARCHAR(64) NOT NULL PRIMARY KEY
);
INSERT INTO fleet_locks (name) VALUES ('endpoint-sync');

-- How far the probe slots have been dispatched (epoch ms), and by whom: a slot firing claims its
-- window with a compare-and-set on covered_until before it dispatches, so two nodes never dispatch
-- the same window.
CREATE TABLE probe_slots (
  name          VARCHAR(64)  NOT NULL PRIMARY KEY,
  covered_until BIGINT       NOT NULL,
  node          VARCHAR(255) NOT NULL,
  claimed_at    TIMESTAMP WITH TIME ZONE NOT NULL
);
