-- The tools an agent turn called (issue 12): one row per call, in the order
-- the model made them, attached to the assistant turn that made them.
-- Arguments are the model's JSON as written (possibly malformed); result
-- and error are what the model was told; a call has one of them.
CREATE TABLE tool_calls (
    call_id     TEXT NOT NULL,
    turn_seq    INTEGER NOT NULL,
    idx         INTEGER NOT NULL CHECK (idx >= 0),
    id          TEXT NOT NULL,
    name        TEXT NOT NULL CHECK (name <> ''),
    arguments   TEXT NOT NULL,
    result      TEXT,
    error       TEXT,
    started_at  TEXT,
    duration_ns INTEGER NOT NULL DEFAULT 0 CHECK (duration_ns >= 0),
    PRIMARY KEY (call_id, turn_seq, idx),
    FOREIGN KEY (call_id, turn_seq) REFERENCES turns (call_id, seq) ON DELETE CASCADE
) STRICT;
