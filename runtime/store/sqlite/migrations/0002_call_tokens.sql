-- The call token that created a call (key mode): a token creates one call,
-- and its holder may signal only that call. NULL for calls created with an
-- API key or in open mode.
ALTER TABLE calls ADD COLUMN token_id TEXT CHECK (token_id <> '');
CREATE UNIQUE INDEX calls_token_idx ON calls (token_id) WHERE token_id IS NOT NULL;
