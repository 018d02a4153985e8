-- Acknowledgements the caller said over the agent ("uh-huh", "okay") (issue
-- 13): stored as caller turns marked backchannel, which the agent does not
-- answer and the chat model does not see.
ALTER TABLE turns ADD COLUMN backchannel INTEGER NOT NULL DEFAULT 0 CHECK (backchannel IN (0, 1));
