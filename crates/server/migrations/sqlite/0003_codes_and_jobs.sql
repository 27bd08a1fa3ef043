-- 0003: discount codes at checkout, and the jobs that run on time (SQLite dialect).
-- (0002 is the webhooks' migration; the versions are applied independently of each other.)

-- A redemption's code: its state, when it stops being usable, and the reward as the program showed it.
ALTER TABLE redemptions ADD COLUMN status TEXT NOT NULL DEFAULT 'issued';  -- issued|used|cancelled|expired
ALTER TABLE redemptions ADD COLUMN expires_at BIGINT;                      -- NULL: never
ALTER TABLE redemptions ADD COLUMN reward_json TEXT;                       -- NULL for codes redeemed before 0003
ALTER TABLE redemptions ADD COLUMN used_at BIGINT;
ALTER TABLE redemptions ADD COLUMN order_id TEXT;                          -- the order a used code went with
ALTER TABLE redemptions ADD COLUMN closed_at BIGINT;                       -- when it was cancelled or expired
-- The checkout looks codes up by shop; a code names one redemption.
CREATE UNIQUE INDEX redemptions_by_code ON redemptions (shop_id, code);
-- The code-expiry job's scan.
CREATE INDEX redemptions_issued_by_expiry ON redemptions (expires_at)
    WHERE status = 'issued' AND expires_at IS NOT NULL;

-- `points.expiring` is noticed once per lot.
ALTER TABLE point_lots ADD COLUMN expiring_notified_at BIGINT;
-- The expiry jobs' scan over every shop.
CREATE INDEX point_lots_by_expiry ON point_lots (expires_at) WHERE remaining > 0;

-- One row per periodic job, added by the server when it first runs it: whoever holds an unexpired lease
-- runs it (see src/jobs/mod.rs).
CREATE TABLE jobs (
    name TEXT PRIMARY KEY,
    lease_owner TEXT,            -- the server running it now, or NULL
    lease_until BIGINT,          -- no other server starts it before this
    last_run_at BIGINT,          -- when its last run ended
    last_error TEXT              -- NULL when the last run went through
);
