-- Ends a login (its token is refused from then on). Unknown or ended tokens change nothing.
CREATE OR REPLACE FUNCTION till_logout(p_token text)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT
AS $fn$
    UPDATE logins l SET ended_at = clock_timestamp(), ended_why = 'logout'
     WHERE l.token_hash = encode(sha256(convert_to(coalesce(p_token, ''), 'UTF8')), 'hex') AND l.ended_at IS NULL
       AND l.role_name = session_user
$fn$;
REVOKE ALL ON FUNCTION till_logout(text) FROM PUBLIC;
