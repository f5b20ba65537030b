-- Grants a terminal role exactly what this schema's terminals need, and bounds its sessions.
-- Owner only; run for every recorded terminal role after the function files are applied (so
-- after every `tillctl migrate` and every repair) and by till_create_terminal_role.
-- users is granted column by column: never pin_hash. A transaction a terminal leaves open
-- (holding a user's or a register's row) is ended after 5 s idle, so it cannot lock a user out
-- of logging in or stop a register.
CREATE OR REPLACE FUNCTION till_grant_terminal(p_role text)
RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT
AS $fn$
BEGIN
    EXECUTE pg_catalog.format('GRANT CONNECT ON DATABASE %I TO %I', pg_catalog.current_database(), p_role);
    EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA %I TO %I', pg_catalog.current_schema(), p_role);
    EXECUTE pg_catalog.format('ALTER ROLE %I SET idle_in_transaction_session_timeout = ''5s''', p_role);
    EXECUTE pg_catalog.format('ALTER ROLE %I SET statement_timeout = ''15s''', p_role);
    EXECUTE pg_catalog.format('ALTER ROLE %I SET lock_timeout = ''5s''', p_role);
    -- A bound on what one till PC's credential can hold open at once (an app's pool is 8, and
    -- tillctl takes one or two): the role's own SETs can lift the timeouts above, not this.
    EXECUTE pg_catalog.format('ALTER ROLE %I CONNECTION LIMIT 24', p_role);
    EXECUTE pg_catalog.format('REVOKE ALL ON TABLE users FROM %I', p_role);
    EXECUTE pg_catalog.format('GRANT SELECT (id, name, role, active, created_at, failed_pins, lockouts, locked_until) '
                   'ON TABLE users TO %I', p_role);
    EXECUTE pg_catalog.format('GRANT SELECT ON TABLE locations, registers, sessions, session_joins, '
                   'auth_events, _sqlx_migrations, till_function_files, tax_rates, categories, products, product_barcodes, '
                   'sales, sale_lines, sale_tenders, sale_taxes, line_refunds, session_tender_totals, '
                   'session_tax_totals, session_category_totals, register_z_counters, cash_reasons, '
                   'cash_movements, cash_counts, z_reports, journal, journal_heads, database_identity, voids, void_lines '
                   'TO %I', p_role);
    EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION '
                   'till_start_shift(jsonb), '
                   'till_pin_check(text, text, text), till_pin_result(uuid), till_pin_approval(uuid, text, jsonb), '
                   'till_logout(text), till_readable_locations(), till_readable_chains(), '
                   'till_unlock_user(text, text, text), '
                   'till_record_receipt(jsonb), till_record_cash_movement(jsonb), till_close_session(jsonb), '
                   'till_force_close(jsonb), till_late_count(jsonb), till_record_reprint(jsonb), '
                   'till_refuse_count(jsonb), till_record_opening_count(jsonb), till_staff_state(), '
                   'till_live_login(jsonb), till_record_void(jsonb) '
                   'TO %I', p_role);
END;
$fn$;
REVOKE ALL ON FUNCTION till_grant_terminal(text) FROM PUBLIC;
