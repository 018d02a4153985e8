-- Instances and call ownership (issue 14): every runtime sharing the
-- store has an id and a lease it renews; a live call records the instance
-- that holds it (its media). An instance fails its own calls when it
-- starts again, and a survivor fails the calls of an instance whose lease
-- ran out ("instance lost"), deleting the lease in the same transaction
-- so that it happens once. Calls stored before have owner ''.
ALTER TABLE calls ADD COLUMN owner TEXT NOT NULL DEFAULT '';
CREATE INDEX calls_owner_live_idx ON calls (owner) WHERE status IN ('INITIATING', 'RINGING', 'CONNECTING', 'IN_PROGRESS');

CREATE TABLE instances (
    id          TEXT PRIMARY KEY CHECK (id <> ''),
    started_at  TIMESTAMPTZ NOT NULL,
    lease_until TIMESTAMPTZ NOT NULL
);
