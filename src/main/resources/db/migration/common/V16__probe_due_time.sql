-- When a scheduled probe was due (NULL for probes nobody scheduled: `certkeeper probe`, and results
-- from before): with probed_at, how late it ran; and what tells one probe per due time from two.
ALTER TABLE probe_results ADD COLUMN due_at TIMESTAMP WITH TIME ZONE;
