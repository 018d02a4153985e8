-- Calls and their turns.
--
-- Conventions: a value whose Go zero means "absent" (time.Time,
-- call.PhoneNumber, time.Duration, *store.Sentiment) is NULL; strings are
-- stored as they are, the empty string included. Times are UTC text in the
-- fixed-width layout 2006-01-02T15:04:05.000000000Z, so text order is time
-- order and nanoseconds round-trip. Durations are integer nanoseconds.
-- Statuses are call.Status.String(); phone numbers are call.PhoneNumber.String().

CREATE TABLE calls (
    id              TEXT PRIMARY KEY NOT NULL CHECK (id <> ''),
    session_id      TEXT NOT NULL UNIQUE CHECK (session_id <> ''),
    caller_number   TEXT,
    receiver_number TEXT,
    agent           TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL CHECK (status IN
                        ('INITIATING', 'RINGING', 'CONNECTING', 'IN_PROGRESS', 'ENDED', 'FAILED')),
    created_at      TEXT NOT NULL,
    connected_at    TEXT,
    ended_at        TEXT,
    end_reason      TEXT NOT NULL DEFAULT ''
) STRICT;

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
    sentiment_score     REAL,
    interrupted         INTEGER NOT NULL DEFAULT 0 CHECK (interrupted IN (0, 1)),
    started_at          TEXT,
    ended_at            TEXT,
    speech_start_at     TEXT,
    speech_end_at       TEXT,
    stt_final_delay_ns  INTEGER,
    chat_first_token_ns INTEGER,
    tts_first_audio_ns  INTEGER,
    first_packet_at     TEXT,
    runtime_overhead_ns INTEGER,
    PRIMARY KEY (call_id, seq),
    CHECK ((sentiment_label IS NULL) = (sentiment_score IS NULL))
) STRICT;
