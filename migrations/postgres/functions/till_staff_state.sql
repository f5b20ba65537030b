-- Every user as the staff chain must last have journaled it, for `journal verify` by any role
-- that reads the staff chain: the PIN as the sha256 of its hash (what the users trigger
-- journals), never the hash itself, which a terminal role may not read. A role bound to no
-- location gets no row here, as it reads no chain (it may still read users' names and roles,
-- which are not secret).
CREATE OR REPLACE FUNCTION till_staff_state()
RETURNS TABLE (id uuid, name text, role text, active boolean, pin text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT
AS $fn$
    SELECT u.id, u.name, u.role, u.active, encode(sha256(convert_to(u.pin_hash, 'UTF8')), 'hex')
      FROM users u
     WHERE till_readable_locations() IS NULL OR cardinality(till_readable_locations()) > 0
     ORDER BY u.created_at, u.id
$fn$;
REVOKE ALL ON FUNCTION till_staff_state() FROM PUBLIC;
