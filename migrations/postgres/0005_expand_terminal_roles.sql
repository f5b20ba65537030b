-- expand: adds a table; nothing an older Till uses changes.
--
-- From here on every migration's name says whether Tills built before it keep working
-- (`NNNN_expand_*`: it only adds) or not (`NNNN_contract_*`: it removes or changes what they
-- use). A terminal reads that from `_sqlx_migrations` for migrations it does not know: it works
-- on a schema a newer Till expanded, and refuses a contracted one with `app_too_old`.
--
-- The database roles store terminals connect with (`tillctl db create-terminal-role NAME`).
-- `tillctl migrate` and `tillctl migrate --repair-functions` re-grant each of them exactly what
-- the current schema's functions and screens need (see till_grant_terminal).
CREATE TABLE terminal_roles (
    role_name  text PRIMARY KEY CHECK (role_name ~ '^[a-z_][a-z0-9_]{0,62}$'),
    created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
