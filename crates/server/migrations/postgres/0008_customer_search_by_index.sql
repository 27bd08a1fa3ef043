-- 0008: the shop's customer search answers from indexes (PostgreSQL dialect). Ids, emails and phones
-- already have theirs (customers' UNIQUE (shop_id, customer_id), customers_by_email on lower(email),
-- customers_by_phone); a part of a first name needs its own: every 1-, 2- and 3-character piece of the
-- lower-cased name, one row each. The server writes them with the name (db/customers.rs), lower-casing
-- in Rust so that both databases fold alike (SQLite's lower() folds ASCII only); for the same reason the
-- names already stored are indexed by the server when it starts (customers::index_names), not here.

-- The name as search compares it (Rust's to_lowercase); NULL while the name is not indexed yet.
ALTER TABLE customers ADD COLUMN first_name_folded TEXT;

-- Pieces of first_name_folded: a query of 1 to 3 characters reads its own piece's rows, newest customer
-- first; a longer one reads its rarest trigram's and checks the whole name.
CREATE TABLE customer_name_grams (
    shop_id TEXT NOT NULL,
    gram TEXT COLLATE "C" NOT NULL,   -- compared for equality only: bytes are enough
    customer_pk BIGINT NOT NULL REFERENCES customers(id),
    PRIMARY KEY (shop_id, gram, customer_pk)
);

-- The names the server has still to index: empty once it has (a start-up step, not a scan).
CREATE INDEX customers_with_unindexed_name ON customers (id)
    WHERE first_name IS NOT NULL AND first_name_folded IS NULL;
