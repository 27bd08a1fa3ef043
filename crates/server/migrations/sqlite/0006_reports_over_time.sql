-- Reports over time and exports read a shop's rows by creation time: one index per table they count.
CREATE INDEX ledger_entries_by_shop_time ON ledger_entries (shop_id, created_at);
CREATE INDEX orders_by_shop_time ON orders (shop_id, created_at);
CREATE INDEX customers_by_shop_time ON customers (shop_id, created_at);
CREATE INDEX redemptions_by_shop_time ON redemptions (shop_id, created_at);
