-- Webhook deliveries (issue 12): one row per event per endpoint, written
-- when the event happens and sent by the runtime's webhook worker, so that
-- a restart between the two loses nothing. A row goes with its call
-- (retention) or, once delivered or failed, after the webhook retention.
-- payload is the JSON body, NULL until built (a call-ended report is built
-- once the call's last turns are stored); the signing secret is never
-- stored, only the name of the environment variable holding it.
CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY NOT NULL CHECK (id <> ''),
    event_id        TEXT NOT NULL CHECK (event_id <> ''),
    event           TEXT NOT NULL CHECK (event <> ''),
    call_id         TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    agent           TEXT NOT NULL,
    url             TEXT NOT NULL CHECK (url <> ''),
    secret_env      TEXT NOT NULL,
    timeout_ns      INTEGER NOT NULL CHECK (timeout_ns > 0),
    payload         TEXT,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    next_attempt_at TEXT,
    finished_at     TEXT
) STRICT;

-- The worker claims pending rows by due time; the API lists newest first,
-- optionally by status or agent; a call's rows go with it.
CREATE INDEX webhook_deliveries_due_idx     ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_created_idx ON webhook_deliveries (created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_status_idx  ON webhook_deliveries (status, created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_call_idx    ON webhook_deliveries (call_id);
