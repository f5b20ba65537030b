-- The user of a live login on this device and register (till_actor: the token's, not ended,
-- within the location's idle limit, an active user, a role bound here), its idle clock
-- touched: what every write checks, for the app's commands that only read (a receipt, an X or
-- Z, the day view), so a login ended elsewhere ends here at the next read too.
-- SQLSTATEs as till_actor's: TL404, TL442, TL444; TL408 user inactive.
CREATE OR REPLACE FUNCTION till_live_login(p jsonb)
RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT
AS $fn$
BEGIN
    RETURN (till_actor(p->>'login', p->>'device', (p->>'register_id')::uuid)).id;
END;
$fn$;
REVOKE ALL ON FUNCTION till_live_login(jsonb) FROM PUBLIC;
