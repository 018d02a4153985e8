-- The per-call variables of an agent call (issue 12): a JSON object of the
-- values given when the call was created, with the agent's defaults filled
-- in. NULL for a call without variables.
ALTER TABLE calls ADD COLUMN variables TEXT CHECK (variables IS NULL OR json_type(variables) = 'object');
