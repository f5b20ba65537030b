-- The user of a live login: the token's, not ended, used within p_idle_minutes (0: no idle
-- limit), by a user still active. Touches the login (its idle clock) at most once a second.
-- Owner only: Till's functions call it for whoever acts. SQLSTATE TL442 not logged in.
CREATE OR REPLACE FUNCTION till_login_user(p_token text, p_idle_minutes integer)
RETURNS users
LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT
AS $fn$
DECLARE
    v_login logins%ROWTYPE;
    v users%ROWTYPE;
    v_now timestamptz := clock_timestamp();
BEGIN
    SELECT * INTO v_login FROM logins l
     WHERE l.token_hash = encode(sha256(convert_to(coalesce(p_token, ''), 'UTF8')), 'hex') AND l.ended_at IS NULL
       AND l.role_name = session_user;
    IF NOT FOUND OR (coalesce(p_idle_minutes, 5) > 0
                     AND v_login.last_used < v_now - make_interval(mins => least(greatest(coalesce(p_idle_minutes, 5), 1), 1440))) THEN
        RAISE EXCEPTION 'not logged in (the login ended, expired or is unknown): log in again' USING ERRCODE = 'TL442';
    END IF;
    SELECT * INTO v FROM users u WHERE u.id = v_login.user_id;
    IF NOT v.active THEN
        RAISE EXCEPTION 'user % is not active', v.name USING ERRCODE = 'TL408', DETAIL = v.name;
    END IF;
    IF v_login.last_used < v_now - interval '1 second' THEN
        UPDATE logins l SET last_used = v_now WHERE l.token_hash = v_login.token_hash;
    END IF;
    RETURN v;
END;
$fn$;
REVOKE ALL ON FUNCTION till_login_user(text, integer) FROM PUBLIC;
