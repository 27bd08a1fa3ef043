-- 0001: shops, customers and the append-only points ledger (PostgreSQL dialect).
-- Times are integer Unix milliseconds; points and money are integers.

-- A shop and its program. The secret key itself is never stored: see src/shops.rs.
CREATE TABLE shops (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    currency TEXT NOT NULL,
    locale TEXT NOT NULL,
    secret_key_sha256 TEXT NOT NULL,     -- hex; bearer authentication compares against this
    signing_key TEXT NOT NULL,           -- hex of the effective HMAC-SHA256 key (RFC 2104), see src/shops.rs
    program_json TEXT NOT NULL,          -- tally_core::ProgramRules as JSON
    allowed_origins_json TEXT NOT NULL,  -- JSON array of exact origins
    created_at BIGINT NOT NULL
);

-- One row per enrolled customer; every write transaction starts by writing this row (its lock).
CREATE TABLE customers (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    shop_id TEXT NOT NULL REFERENCES shops(id),
    customer_id TEXT NOT NULL,
    first_name TEXT,
    email TEXT,
    birthday TEXT,
    balance BIGINT NOT NULL DEFAULT 0,         -- always the balance_after of the newest entry
    debt BIGINT NOT NULL DEFAULT 0,            -- points owed (refunds beyond the open lots)
    lifetime_points BIGINT NOT NULL DEFAULT 0,
    referral_code TEXT NOT NULL,
    signup_awarded BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (shop_id, customer_id),
    UNIQUE (shop_id, referral_code)
);

-- The ledger: immutable entries; corrections are new entries.
CREATE TABLE ledger_entries (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    shop_id TEXT NOT NULL,
    customer_pk BIGINT NOT NULL REFERENCES customers(id),
    kind TEXT NOT NULL,             -- signup|earn|redeem|refund|adjust|expire|referral
    points BIGINT NOT NULL,         -- signed
    balance_after BIGINT NOT NULL,
    description TEXT NOT NULL,
    reference TEXT NOT NULL,        -- order:ID, refund:ID, redemption:ID, adjustment:KEY, ...
    created_at BIGINT NOT NULL
);
CREATE INDEX ledger_entries_by_customer ON ledger_entries (customer_pk, id);
CREATE INDEX ledger_entries_by_shop_kind ON ledger_entries (shop_id, kind);

-- Earned points as lots, spent oldest first; what is left at expires_at becomes an expire entry.
CREATE TABLE point_lots (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_pk BIGINT NOT NULL REFERENCES customers(id),
    entry_id BIGINT NOT NULL REFERENCES ledger_entries(id),
    points BIGINT NOT NULL,
    remaining BIGINT NOT NULL,
    expires_at BIGINT            -- NULL: never
);
CREATE INDEX point_lots_open ON point_lots (customer_pk, remaining, expires_at);

CREATE TABLE orders (
    shop_id TEXT NOT NULL,
    order_id TEXT NOT NULL,
    customer_pk BIGINT NOT NULL REFERENCES customers(id),
    total_minor BIGINT NOT NULL,
    refunded_minor BIGINT NOT NULL DEFAULT 0,
    points_awarded BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (shop_id, order_id)
);
CREATE INDEX orders_by_customer ON orders (customer_pk, created_at);

CREATE TABLE refunds (
    shop_id TEXT NOT NULL,
    refund_id TEXT NOT NULL,
    order_id TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    points_reversed BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (shop_id, refund_id)
);

CREATE TABLE redemptions (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL,
    customer_pk BIGINT NOT NULL REFERENCES customers(id),
    reward_id TEXT NOT NULL,
    code TEXT NOT NULL,
    points_spent BIGINT NOT NULL,
    balance BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX redemptions_by_customer ON redemptions (customer_pk, created_at);

-- A friend is referred at most once.
CREATE TABLE referrals (
    friend_pk BIGINT PRIMARY KEY REFERENCES customers(id),
    shop_id TEXT NOT NULL,
    advocate_pk BIGINT NOT NULL REFERENCES customers(id),
    advocate_points BIGINT NOT NULL,
    friend_points BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX referrals_by_advocate ON referrals (advocate_pk);

-- The first answer to every keyed write, replayed on a retry with the same body.
CREATE TABLE idempotency_keys (
    shop_id TEXT NOT NULL,
    scope TEXT NOT NULL,            -- order | refund | redemption:CUSTOMER | adjustment:CUSTOMER | activity:CUSTOMER
    idem_key TEXT NOT NULL,
    request_sha256 TEXT NOT NULL,
    status BIGINT NOT NULL,
    response_json TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (shop_id, scope, idem_key)
);
