-- The whole schema of store/sqlite's migrations 0001-0007, in PostgreSQL.
--
-- Conventions: a value whose Go zero means "absent" (time.Time,
-- call.PhoneNumber, time.Duration, *store.Sentiment) is NULL; strings are
-- stored as they are, the empty string included. Times are timestamptz
-- (microseconds); durations are integer nanoseconds. Statuses are
-- call.Status.String(); phone numbers are call.PhoneNumber.String().

CREATE TABLE calls (
    id              TEXT PRIMARY KEY CHECK (id <> ''),
    session_id      TEXT NOT NULL UNIQUE CHECK (session_id <> ''),
    caller_number   TEXT,
    receiver_number TEXT,
    agent           TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL CHECK (status IN
                        ('INITIATING', 'RINGING', 'CONNECTING', 'IN_PROGRESS', 'ENDED', 'FAILED')),
    created_at      TIMESTAMPTZ NOT NULL,
    connected_at    TIMESTAMPTZ,
    ended_at        TIMESTAMPTZ,
    end_reason      TEXT NOT NULL DEFAULT '',
    -- The call token that created the call (key mode); NULL otherwise.
    token_id        TEXT UNIQUE CHECK (token_id <> ''),
    -- An agent call's variables: a JSON object, NULL for none; text, as
    -- written (jsonb would reorder its keys and rewrite its numbers).
    variables       TEXT CHECK (variables IS NULL OR json_typeof(variables::json) = 'object')
);

-- Listing is newest first, optionally by status or by agent; id breaks ties
-- so pages are stable.
CREATE INDEX calls_created_idx        ON calls (created_at DESC, id DESC);
CREATE INDEX calls_status_created_idx ON calls (status, created_at DESC, id DESC);
CREATE INDEX calls_agent_created_idx  ON calls (agent, created_at DESC, id DESC);

-- Timings are columns rather than a JSON blob so that latency can be
-- aggregated in SQL (AVG ignores the NULLs of stages not measured).
CREATE TABLE turns (
    call_id             TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    seq                 INTEGER NOT NULL CHECK (seq > 0),
    role                TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    text                TEXT NOT NULL,
    sentiment_label     TEXT,
    sentiment_score     DOUBLE PRECISION,
    interrupted         BOOLEAN NOT NULL DEFAULT FALSE,
    started_at          TIMESTAMPTZ,
    ended_at            TIMESTAMPTZ,
    speech_start_at     TIMESTAMPTZ,
    speech_end_at       TIMESTAMPTZ,
    stt_final_delay_ns  BIGINT,
    chat_first_token_ns BIGINT,
    tts_first_audio_ns  BIGINT,
    first_packet_at     TIMESTAMPTZ,
    runtime_overhead_ns BIGINT,
    -- The silence waited after the caller's speech before the turn was
    -- taken as over (issue 13); NULL for agent turns.
    end_of_turn_wait_ns BIGINT CHECK (end_of_turn_wait_ns IS NULL OR end_of_turn_wait_ns >= 0),
    -- An acknowledgement said over the agent ("uh-huh"): not answered.
    backchannel         BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (call_id, seq),
    CHECK ((sentiment_label IS NULL) = (sentiment_score IS NULL))
);

-- The tools an agent turn called, in the order the model made them.
CREATE TABLE tool_calls (
    call_id     TEXT NOT NULL,
    turn_seq    INTEGER NOT NULL,
    idx         INTEGER NOT NULL CHECK (idx >= 0),
    id          TEXT NOT NULL,
    name        TEXT NOT NULL CHECK (name <> ''),
    arguments   TEXT NOT NULL,
    result      TEXT,
    error       TEXT,
    started_at  TIMESTAMPTZ,
    duration_ns BIGINT NOT NULL DEFAULT 0 CHECK (duration_ns >= 0),
    PRIMARY KEY (call_id, turn_seq, idx),
    FOREIGN KEY (call_id, turn_seq) REFERENCES turns (call_id, seq) ON DELETE CASCADE
);

-- Webhook deliveries: one row per event per endpoint. payload is the JSON
-- body as signed (text: byte for byte), NULL until built.
CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY CHECK (id <> ''),
    event_id        TEXT NOT NULL CHECK (event_id <> ''),
    event           TEXT NOT NULL CHECK (event <> ''),
    call_id         TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    agent           TEXT NOT NULL,
    url             TEXT NOT NULL CHECK (url <> ''),
    secret_env      TEXT NOT NULL,
    timeout_ns      BIGINT NOT NULL CHECK (timeout_ns > 0),
    payload         TEXT,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL,
    next_attempt_at TIMESTAMPTZ,
    finished_at     TIMESTAMPTZ
);

CREATE INDEX webhook_deliveries_due_idx     ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_created_idx ON webhook_deliveries (created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_status_idx  ON webhook_deliveries (status, created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_call_idx    ON webhook_deliveries (call_id);
