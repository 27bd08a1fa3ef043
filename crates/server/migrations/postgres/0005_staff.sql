-- 0005: staff who sign in to the console, their sessions and lockouts, key rotation, the audit log,
-- program versions and where the widget was seen (PostgreSQL dialect).

-- One person, by email (trimmed, lower-cased), whatever shops they work for.
CREATE TABLE staff (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,        -- Argon2id, PHC string
    created_at BIGINT NOT NULL
);

-- Who works for which shop, as what (owner|manager|clerk).
CREATE TABLE staff_shops (
    staff_id TEXT NOT NULL REFERENCES staff(id),
    shop_id TEXT NOT NULL REFERENCES shops(id),
    role TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (staff_id, shop_id)
);
CREATE INDEX staff_shops_by_shop ON staff_shops (shop_id, created_at);

-- Signed-in sessions: only SHA-256 of the cookie's token is kept.
CREATE TABLE staff_sessions (
    token_sha256 TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL REFERENCES staff(id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL          -- the absolute end; the idle end is last_seen_at + 12 h
);
CREATE INDEX staff_sessions_by_staff ON staff_sessions (staff_id);

-- Failed sign-ins by email, for the lockout (more than 5 in 15 minutes); shared by every server.
CREATE TABLE sign_in_failures (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email TEXT NOT NULL,
    failed_at BIGINT NOT NULL
);
CREATE INDEX sign_in_failures_by_email ON sign_in_failures (email, failed_at);

-- The key before the last rotation, accepted until previous_key_expires_at.
ALTER TABLE shops ADD COLUMN previous_secret_key_sha256 TEXT;
ALTER TABLE shops ADD COLUMN previous_signing_key TEXT;
ALTER TABLE shops ADD COLUMN previous_key_expires_at BIGINT;

-- Who changed what: the program, staff, keys, webhooks, adjustments, codes, memberships.
CREATE TABLE audit_log (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    shop_id TEXT NOT NULL,
    actor TEXT NOT NULL,                -- 'key' or a staff email
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX audit_log_by_shop ON audit_log (shop_id, id);

-- Every saved program, whole (tally_core::ProgramUpdate as JSON), numbered per shop.
CREATE TABLE program_versions (
    shop_id TEXT NOT NULL REFERENCES shops(id),
    version BIGINT NOT NULL,
    saved_by TEXT NOT NULL,
    saved_at BIGINT NOT NULL,
    program_json TEXT NOT NULL,
    PRIMARY KEY (shop_id, version)
);

-- The origins a widget of the shop loaded from, and when last (written at most once a minute).
CREATE TABLE widget_sightings (
    shop_id TEXT NOT NULL,
    origin TEXT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    PRIMARY KEY (shop_id, origin)
);
