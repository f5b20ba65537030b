-- expand: terminals may read the catalog (the sale screen looks products up).
-- Re-run by `tillctl migrate --repair-functions` after 0006 (name order), so this definition of
-- till_grant_terminal is the one that stays.

SELECT pg_catalog.set_config('search_path', pg_catalog.quote_ident(pg_catalog.current_schema()) || ', pg_temp', true);

CREATE OR REPLACE FUNCTION till_grant_terminal(p_role text)
RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT
AS $fn$
BEGIN
    EXECUTE pg_catalog.format('GRANT CONNECT ON DATABASE %I TO %I', pg_catalog.current_database(), p_role);
    EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA %I TO %I', pg_catalog.current_schema(), p_role);
    -- What the screens and the start-up checks read. Nothing may be written directly.
    EXECUTE pg_catalog.format('GRANT SELECT ON TABLE locations, registers, users, sessions, session_joins, '
                   'auth_events, _sqlx_migrations, tax_rates, categories, products, product_barcodes TO %I', p_role);
    EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION '
                   'till_start_shift(uuid, uuid, uuid, bigint, text, text, timestamptz), '
                   'till_close_shift(uuid, uuid, uuid, bigint, text, timestamptz), '
                   'till_lock_user(uuid, text), '
                   'till_set_pin_state(uuid, integer, integer, timestamptz, uuid[], text[], text[], text, timestamptz) '
                   'TO %I', p_role);
END;
$fn$;
REVOKE ALL ON FUNCTION till_grant_terminal(text) FROM PUBLIC;

-- Roles dropped by hand since are skipped: their grants went with them.
SELECT till_grant_terminal(t.role_name) FROM terminal_roles t JOIN pg_catalog.pg_roles r ON r.rolname = t.role_name;
