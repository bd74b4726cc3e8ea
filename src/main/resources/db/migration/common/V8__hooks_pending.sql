-- Set when a generation is put in force, cleared once its deploy hooks have run: a renewal killed
-- (or stopped) before its hooks finished runs them at the next start.
ALTER TABLE managed_certificates ADD COLUMN hooks_pending BOOLEAN DEFAULT FALSE NOT NULL;
