-- 0002: webhooks (SQLite dialect). A shop's endpoints; the outbox of events, written in the same
-- transaction as the change each reports; one delivery per event and endpoint; the log of every attempt.
-- Times are integer Unix milliseconds.

-- An endpoint of a shop. The secret signs deliveries, so it is kept as given (`whsec_…`).
CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY,                 -- wh_…
    shop_id TEXT NOT NULL REFERENCES shops(id),
    url TEXT NOT NULL,
    events_json TEXT NOT NULL,           -- JSON array of event types, or ["*"]
    secret TEXT NOT NULL,
    enabled BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_by_shop ON webhook_endpoints (shop_id, created_at);

-- The outbox. The worker fans an event out into deliveries and marks it dispatched (an event no endpoint
-- wanted is deleted then).
CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,             -- evt_…: the webhook-id of every attempt
    shop_id TEXT NOT NULL,
    type TEXT NOT NULL,                  -- e.g. points.changed
    data TEXT NOT NULL,                  -- JSON object
    created_at BIGINT NOT NULL,
    dispatched BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX events_undispatched ON events (seq) WHERE dispatched = 0;

-- One event for one endpoint. A worker claims a due delivery by setting claimed_until (a lease), sends
-- outside any transaction, then records the outcome.
CREATE TABLE webhook_deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- the paging cursor
    id TEXT NOT NULL UNIQUE,             -- dlv_…
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    event_id TEXT NOT NULL REFERENCES events(id),
    status TEXT NOT NULL,                -- pending | succeeded | failed
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT,              -- null once succeeded or failed
    claimed_until BIGINT,
    response_status BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (event_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, seq);

-- Every attempt: when, the answer's status or the error, how long it took.
CREATE TABLE webhook_attempts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    attempted_at BIGINT NOT NULL,
    response_status BIGINT,
    error TEXT,
    duration_ms BIGINT NOT NULL
);
CREATE INDEX webhook_attempts_by_delivery ON webhook_attempts (delivery_id, seq);
