-- The locations whose rows the calling role may read (row-level security, migration 0014): a
-- terminal's role reads the locations it is bound to, by location or by one of its registers,
-- and nothing if it is bound to nothing. NULL for any other role (the owner, IT): no
-- restriction. Terminal roles execute it (their policies call it); it tells a role only its own
-- bindings.
CREATE OR REPLACE FUNCTION till_readable_locations()
RETURNS uuid[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT
AS $fn$
    SELECT CASE
        WHEN NOT EXISTS (SELECT 1 FROM terminal_roles t WHERE t.role_name = session_user) THEN NULL
        ELSE ARRAY(SELECT DISTINCT coalesce(b.location_id, r.location_id)
                     FROM terminal_bindings b LEFT JOIN registers r ON r.id = b.register_id
                    WHERE b.role_name = session_user)
    END
$fn$;
REVOKE ALL ON FUNCTION till_readable_locations() FROM PUBLIC;
