-- contract: every terminal write names a login the database issued (never a user id), what
-- needs a manager carries a one-use approval the database issued for exactly that request, a
-- terminal role acts only on the registers IT bound it to, and no caller chooses a time
-- (issue 15). The positional till_start_shift, which took a user id and a time from the caller,
-- is dropped: tills built before this migration refuse this schema with `app_too_old`.

-- How long a login may sit unused before the database ends it (the screens log out sooner, by
-- the device's own idle setting; this is the bound a terminal cannot lift).
ALTER TABLE locations
    ADD COLUMN login_idle_minutes integer NOT NULL DEFAULT 15 CHECK (login_idle_minutes BETWEEN 1 AND 1440);

-- Managers' and admins' PINs may be required longer than the 4 digits a cashier's may have.
-- Users belong to every location, so the strictest location's setting applies to every
-- manager. A right PIN shorter than that answers pin_reset_needed (IT sets a longer one).
ALTER TABLE locations
    ADD COLUMN manager_pin_min_length integer NOT NULL DEFAULT 4 CHECK (manager_pin_min_length BETWEEN 4 AND 8);

-- A manager's approval of one action: issued by till_pin_approval after the database checked
-- the manager's PIN, bound to the action and to the sha256 of its request (the function's
-- jsonb, its login included, without the approval), used once, within minutes, by the same
-- role and device.
CREATE TABLE approvals (
    token_hash   text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    user_id      uuid NOT NULL REFERENCES users (id),
    action       text NOT NULL CHECK (action ~ '^[a-z_]{1,40}$'),
    request_hash text NOT NULL CHECK (request_hash ~ '^[0-9a-f]{64}$'),
    device       text NOT NULL,
    role_name    text NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz,
    CHECK (expires_at > created_at AND (used_at IS NULL OR used_at >= created_at))
);
REVOKE ALL ON approvals FROM PUBLIC;

-- Which registers a terminal role may act on: each register named, or every register of a
-- location. A terminal role with no binding acts on none (made before this migration: IT binds
-- it with `tillctl db create-terminal-role NAME --register LOC/REG`).
CREATE TABLE terminal_bindings (
    role_name   text NOT NULL REFERENCES terminal_roles (role_name) ON DELETE CASCADE,
    register_id uuid REFERENCES registers (id),
    location_id uuid REFERENCES locations (id),
    CHECK ((register_id IS NULL) <> (location_id IS NULL)),
    UNIQUE (role_name, register_id),
    UNIQUE (role_name, location_id)
);
REVOKE ALL ON terminal_bindings FROM PUBLIC;

-- Row-level security: a terminal's role reads only its own locations' rows (the owner, who
-- owns the tables, is not subject to it; Till's SECURITY DEFINER functions run as the owner).
-- The policies call till_readable_locations() and till_readable_chains(), declared here so the
-- policies can name them; their text is in the function files, applied after this migration.
-- A child row is readable when its parent is (the parent's own policy applies in the EXISTS).
CREATE FUNCTION till_readable_locations() RETURNS uuid[] LANGUAGE sql STABLE AS 'SELECT NULL::uuid[]';
CREATE FUNCTION till_readable_chains() RETURNS uuid[] LANGUAGE sql STABLE AS 'SELECT NULL::uuid[]';
REVOKE ALL ON FUNCTION till_readable_locations(), till_readable_chains() FROM PUBLIC;
DO $do$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['registers', 'sessions', 'tax_rates', 'categories', 'products', 'product_barcodes',
                             'sales', 'cash_reasons', 'cash_movements'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY terminal_reads ON %I FOR SELECT USING ((SELECT till_readable_locations()) IS NULL '
                       'OR location_id = ANY ((SELECT till_readable_locations())::uuid[]))', t);
    END LOOP;
    FOREACH t IN ARRAY ARRAY['session_joins', 'session_tender_totals', 'session_tax_totals', 'session_category_totals',
                             'cash_counts', 'z_reports'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY terminal_reads ON %I FOR SELECT USING ((SELECT till_readable_locations()) IS NULL '
                       'OR EXISTS (SELECT 1 FROM sessions s WHERE s.id = session_id))', t);
    END LOOP;
    FOREACH t IN ARRAY ARRAY['sale_lines', 'sale_tenders', 'sale_taxes', 'line_refunds'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY terminal_reads ON %I FOR SELECT USING ((SELECT till_readable_locations()) IS NULL '
                       'OR EXISTS (SELECT 1 FROM sales s WHERE s.id = sale_id))', t);
    END LOOP;
    FOREACH t IN ARRAY ARRAY['journal', 'journal_heads'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY terminal_reads ON %I FOR SELECT USING ((SELECT till_readable_chains()) IS NULL '
                       'OR chain_id = ANY ((SELECT till_readable_chains())::uuid[]))', t);
    END LOOP;
END;
$do$;
ALTER TABLE locations ENABLE ROW LEVEL SECURITY;
CREATE POLICY terminal_reads ON locations FOR SELECT
    USING ((SELECT till_readable_locations()) IS NULL OR id = ANY ((SELECT till_readable_locations())::uuid[]));
ALTER TABLE register_z_counters ENABLE ROW LEVEL SECURITY;
CREATE POLICY terminal_reads ON register_z_counters FOR SELECT
    USING ((SELECT till_readable_locations()) IS NULL OR EXISTS (SELECT 1 FROM registers r WHERE r.id = register_id));

DROP FUNCTION IF EXISTS till_start_shift(uuid, uuid, uuid, bigint, text, text, timestamptz);
-- Now also bound to the device the login was made on (made by 0013's function files, so absent
-- from a database migrated from empty in one go).
DROP FUNCTION IF EXISTS till_login_user(text, integer);
