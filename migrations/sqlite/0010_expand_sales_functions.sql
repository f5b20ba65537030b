-- expand: nothing to do on SQLite (no functions: a receipt is one BEGIN IMMEDIATE transaction in
-- till-sqlite); kept so that both dialects number their migrations alike.
SELECT 1;
