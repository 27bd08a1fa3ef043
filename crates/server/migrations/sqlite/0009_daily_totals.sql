-- Reports over time read one row per shop, UTC day and shard instead of aggregating the ledger: every write
-- that moves a metric adds to its day's row in the same transaction (db/daily_totals.rs), so a 90-day
-- timeseries reads ~90 rows, not ~300,000 entries. `day` counts days since 1970-01-01 (created_at / 86400000,
-- as the reports always bucketed). `shard` spreads one shop's concurrent writers over rows on PostgreSQL;
-- SQLite has one writer and uses shard 0 only. Each column is defined exactly as the query it replaces:
--   members_new      customers by created_at
--   points_issued    Σ points of entries with points > 0 (every kind)
--   points_redeemed  −Σ points of `redeem` entries with points < 0
--   points_expired   −Σ points of `expire` entries with points < 0
--   redemptions      redemptions by created_at
--   orders_*         orders by created_at and channel; revenue_* Σ total_minor (refunds not subtracted)
CREATE TABLE daily_totals (
    shop_id TEXT NOT NULL,
    day BIGINT NOT NULL,
    shard BIGINT NOT NULL,
    members_new BIGINT NOT NULL DEFAULT 0,
    points_issued BIGINT NOT NULL DEFAULT 0,
    points_redeemed BIGINT NOT NULL DEFAULT 0,
    points_expired BIGINT NOT NULL DEFAULT 0,
    redemptions BIGINT NOT NULL DEFAULT 0,
    orders_online BIGINT NOT NULL DEFAULT 0,
    orders_pos BIGINT NOT NULL DEFAULT 0,
    revenue_online BIGINT NOT NULL DEFAULT 0,
    revenue_pos BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (shop_id, day, shard)
) WITHOUT ROWID;

-- The history so far, into shard 0 (`daily_totals::rebuild` does the same for one shop).
INSERT INTO daily_totals (shop_id, day, shard, members_new, points_issued, points_redeemed, points_expired,
                          redemptions, orders_online, orders_pos, revenue_online, revenue_pos)
SELECT shop_id, day, 0, SUM(members_new), SUM(points_issued), SUM(points_redeemed), SUM(points_expired),
       SUM(redemptions), SUM(orders_online), SUM(orders_pos), SUM(revenue_online), SUM(revenue_pos)
FROM (
    SELECT shop_id, created_at / 86400000 AS day, COUNT(*) AS members_new, 0 AS points_issued,
           0 AS points_redeemed, 0 AS points_expired, 0 AS redemptions, 0 AS orders_online, 0 AS orders_pos,
           0 AS revenue_online, 0 AS revenue_pos
    FROM customers GROUP BY shop_id, created_at / 86400000
    UNION ALL
    SELECT shop_id, created_at / 86400000, 0,
           SUM(CASE WHEN points > 0 THEN points ELSE 0 END),
           SUM(CASE WHEN kind = 'redeem' AND points < 0 THEN -points ELSE 0 END),
           SUM(CASE WHEN kind = 'expire' AND points < 0 THEN -points ELSE 0 END), 0, 0, 0, 0, 0
    FROM ledger_entries GROUP BY shop_id, created_at / 86400000
    UNION ALL
    SELECT shop_id, created_at / 86400000, 0, 0, 0, 0, COUNT(*), 0, 0, 0, 0
    FROM redemptions GROUP BY shop_id, created_at / 86400000
    UNION ALL
    SELECT shop_id, created_at / 86400000, 0, 0, 0, 0, 0,
           SUM(CASE WHEN channel = 'online' THEN 1 ELSE 0 END),
           SUM(CASE WHEN channel = 'pos' THEN 1 ELSE 0 END),
           SUM(CASE WHEN channel = 'online' THEN total_minor ELSE 0 END),
           SUM(CASE WHEN channel = 'pos' THEN total_minor ELSE 0 END)
    FROM orders GROUP BY shop_id, created_at / 86400000
) history
GROUP BY shop_id, day;
