-- 0007: exact event times in history (timestamptz keeps microseconds, the
-- log nanoseconds), the device order of license lines, the versions each
-- device may download, and no secondary indexes on history (each is paid by
-- every event on catch-up; history_contexts serves the history tab).
ALTER TABLE history ADD COLUMN time_ns bigint NOT NULL DEFAULT 0;
ALTER TABLE history ALTER COLUMN time_ns DROP DEFAULT;
COMMENT ON COLUMN history.time_ns IS 'the exact event time, Unix nanoseconds';
DROP INDEX IF EXISTS history_tags;
DROP INDEX IF EXISTS history_time;
ALTER TABLE devices ADD COLUMN downloads jsonb NOT NULL DEFAULT '[]';
COMMENT ON COLUMN devices.downloads IS 'versions its license file may be downloaded in';
ALTER TABLE license_lines ADD COLUMN n integer NOT NULL DEFAULT 0;
COMMENT ON COLUMN license_lines.n IS 'position on the device, from 1';

-- Rows written before this migration lack the new columns' values, so the
-- read models start over: emptied, with the checkpoint at 0, the projector
-- rebuilds them from the log at the next start.
TRUNCATE persons, tokens, auth_tokens, person_emails, companies, members, projects, project_grants, contracts,
    balances, keys, key_lines, history, history_contexts, devices, device_placements, license_lines,
    device_invalidations, order_devices, credit_purchases, free_pool, ssc_invoices, ssa_reminders;
UPDATE checkpoint SET position = 0, hash = '', time = NULL;
