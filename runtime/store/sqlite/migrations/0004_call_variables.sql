-- Placeholder for the variables helper's 0004_call_variables.sql (issue 12):
-- migrations are numbered without gaps. Replaced by that file at the merge.
SELECT 1;
