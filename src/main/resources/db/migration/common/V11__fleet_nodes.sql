-- Fleet mode: several daemons (nodes) on one database. Portable SQL: H2 2.x and PostgreSQL 12+.

-- The node that wrote a row, where it matters: who started (and heartbeats), who probed, who
-- swapped a generation in. Rows from before have none (a single host then).
ALTER TABLE daemon_runs ADD COLUMN node VARCHAR(255);
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

-- How far the probe slots have been dispatched (epoch ms), and by whom: a slot firing claims its
-- window with a compare-and-set on covered_until before it dispatches, so two nodes never dispatch
-- the same window.
CREATE TABLE probe_slots (
  name          VARCHAR(64)  NOT NULL PRIMARY KEY,
  covered_until BIGINT       NOT NULL,
  node          VARCHAR(255) NOT NULL,
  claimed_at    TIMESTAMP WITH TIME ZONE NOT NULL
);
