-- expand: nothing to do on SQLite (no database roles or functions); kept so that both dialects
-- number their migrations alike. See migrations/postgres/0008_expand_catalog_functions.sql.
SELECT 1;
