-- A new PIN's hash: bcrypt (pgcrypto), cost 8, about 20 ms a check here. A terminal's role
-- cannot read the hash, and a 4-digit PIN falls to a copied hash at any cost, so the cost
-- guards only stolen backups; the login's latency matters at a busy till. Owner only.
CREATE OR REPLACE FUNCTION till_pin_hash(p_pin text)
RETURNS text
LANGUAGE sql VOLATILE SET search_path FROM CURRENT
AS $fn$
    SELECT till_pgcrypto.crypt(p_pin, till_pgcrypto.gen_salt('bf', 8))
$fn$;
REVOKE ALL ON FUNCTION till_pin_hash(text) FROM PUBLIC;
