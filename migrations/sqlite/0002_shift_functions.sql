-- SQLite has no stored functions: on SQLite each shift operation is one BEGIN IMMEDIATE
-- transaction in till-sqlite. This step exists so that the two dialects' migrations carry the
-- same numbers (PostgreSQL's 0002 deploys till_start_shift and till_close_shift).
SELECT 1;
