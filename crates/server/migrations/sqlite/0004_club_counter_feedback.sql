-- 0004: paid tiers, limits, the shop's counter, feedback and fair referrals (SQLite dialect).

-- Limits count a customer's redemptions of one reward since a period's start, under the customer's lock.
CREATE INDEX redemptions_by_customer_reward ON redemptions (customer_pk, reward_id, created_at);

-- Awards of custom and birthday earn rules, one row each: what limits on earn rules count.
CREATE TABLE activities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    shop_id TEXT NOT NULL,
    customer_pk BIGINT NOT NULL REFERENCES customers(id),
    rule_id TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    points BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX activities_by_customer_rule ON activities (customer_pk, rule_id, created_at);

-- The membership running now (the paid tier and when it ends), kept on the customer row so /me and the
-- locked writes read it with the customer; NULL when none runs or its end was recorded.
ALTER TABLE customers ADD COLUMN membership_tier TEXT;
ALTER TABLE customers ADD COLUMN membership_started_at BIGINT;   -- the first purchase of the running chain
ALTER TABLE customers ADD COLUMN membership_expires_at BIGINT;
-- The membership-end job's scan.
CREATE INDEX customers_by_membership_end ON customers (membership_expires_at)
    WHERE membership_tier IS NOT NULL;

-- One row per membership purchase (the shop's order id), each extending the one before.
CREATE TABLE memberships (
    shop_id TEXT NOT NULL,
    order_id TEXT NOT NULL,
    customer_pk BIGINT NOT NULL REFERENCES customers(id),
    tier_id TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    cancelled_at BIGINT,          -- the whole membership was cancelled then
    created_at BIGINT NOT NULL,
    PRIMARY KEY (shop_id, order_id)
);
CREATE INDEX memberships_by_customer ON memberships (customer_pk, starts_at);

-- The shop's counter: a phone per customer, unique per shop (E.164), and the look-ups of its search.
ALTER TABLE customers ADD COLUMN phone TEXT;
CREATE UNIQUE INDEX customers_by_phone ON customers (shop_id, phone);
CREATE INDEX customers_by_email ON customers (shop_id, lower(email));
CREATE INDEX customers_newest ON customers (shop_id, id);
ALTER TABLE orders ADD COLUMN channel TEXT NOT NULL DEFAULT 'online';   -- online|pos

-- NPS answers with their comments.
CREATE TABLE feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    shop_id TEXT NOT NULL,
    customer_pk BIGINT NOT NULL REFERENCES customers(id),
    score BIGINT NOT NULL,            -- 0 to 10
    comment TEXT,
    points_awarded BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX feedback_by_customer ON feedback (customer_pk, created_at);
CREATE INDEX feedback_by_shop ON feedback (shop_id, created_at);

-- Referrals refused (or the advocate's award refused), with why, for the merchant.
CREATE TABLE referral_refusals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    shop_id TEXT NOT NULL,
    friend_pk BIGINT NOT NULL REFERENCES customers(id),
    advocate_pk BIGINT REFERENCES customers(id),   -- NULL when the code was the friend's own
    order_id TEXT NOT NULL,
    reason TEXT NOT NULL,   -- same_customer|same_email|same_phone|email_already_referred|phone_already_referred|weekly_limit
    created_at BIGINT NOT NULL
);
CREATE INDEX referral_refusals_by_friend ON referral_refusals (friend_pk);
CREATE INDEX referral_refusals_by_advocate ON referral_refusals (advocate_pk);
-- The friend's email and phone when rewarded: one friend reward per email and per phone, even after
-- the friend's account gives the number up.
ALTER TABLE referrals ADD COLUMN friend_email TEXT;
ALTER TABLE referrals ADD COLUMN friend_phone TEXT;
CREATE INDEX referrals_by_friend_email ON referrals (shop_id, lower(friend_email));
CREATE INDEX referrals_by_friend_phone ON referrals (shop_id, friend_phone);
-- The weekly limit counts an advocate's rewarded referrals of the last 7 days.
CREATE INDEX referrals_by_advocate_time ON referrals (advocate_pk, created_at);
