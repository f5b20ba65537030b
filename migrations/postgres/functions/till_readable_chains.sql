-- The journal chains the calling role may read: the registers of its readable locations
-- (till_readable_locations) and the staff chain (PIN events and staff changes, as auth_events
-- and users are), the latter only for a role bound to some location: a role bound to nothing
-- reads no chain. NULL for a role that is not a terminal's: no restriction.
CREATE OR REPLACE FUNCTION till_readable_chains()
RETURNS uuid[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT
AS $fn$
    SELECT CASE
        WHEN till_readable_locations() IS NULL THEN NULL
        WHEN cardinality(till_readable_locations()) = 0 THEN '{}'::uuid[]
        ELSE ARRAY(SELECT r.id FROM registers r WHERE r.location_id = ANY (till_readable_locations()))
             || '00000000-0000-0000-0000-000000000000'::uuid
    END
$fn$;
REVOKE ALL ON FUNCTION till_readable_chains() FROM PUBLIC;
