-- The silence the runtime waited after the caller's speech before it took
-- the turn as over (issue 13): the agent's fixed end_of_turn_silence, or
-- the adaptive wait decided for the turn. NULL for agent turns and turns
-- stored before.
ALTER TABLE turns ADD COLUMN end_of_turn_wait_ns INTEGER CHECK (end_of_turn_wait_ns IS NULL OR end_of_turn_wait_ns >= 0);
