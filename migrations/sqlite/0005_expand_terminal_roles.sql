-- expand: nothing to do on SQLite (no database roles); kept so that both dialects number their
-- migrations alike. See migrations/postgres/0005_expand_terminal_roles.sql.
SELECT 1;
