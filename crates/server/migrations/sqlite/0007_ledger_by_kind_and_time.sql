-- Reports that count one kind of entry over a window (redemptions and expiries over time, the redeemers
-- behind the insights) read a range of (shop, kind, time); the index on (shop, kind) alone made them walk
-- the shop's whole window. Replaced rather than added: the summary's sums by kind use its prefix.
DROP INDEX ledger_entries_by_shop_kind;
CREATE INDEX ledger_entries_by_shop_kind_time ON ledger_entries (shop_id, kind, created_at);
