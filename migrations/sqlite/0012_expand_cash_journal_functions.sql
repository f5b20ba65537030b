-- expand: nothing to do on SQLite (no functions: movements, closes and journal appends are
-- BEGIN IMMEDIATE transactions in till-sqlite); kept so that both dialects number alike.
SELECT 1;
