-- Spends a manager's approval on the request it was issued for: the action, the request's
-- hash (till_request_hash), the role and the device must match, within its expiry, once. The
-- row lock makes two uses of one approval wait for each other: the second finds it used.
-- Owner only. SQLSTATEs: TL443 not valid for this request, TL403 no longer a manager.
CREATE OR REPLACE FUNCTION till_use_approval(p_action text, p jsonb)
RETURNS users
LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT
AS $fn$
DECLARE
    a approvals%ROWTYPE;
    v users%ROWTYPE;
BEGIN
    SELECT * INTO a FROM approvals x
     WHERE x.token_hash = encode(sha256(convert_to(coalesce(p->>'approval', ''), 'UTF8')), 'hex')
       FOR UPDATE;
    IF NOT FOUND OR a.used_at IS NOT NULL OR a.role_name <> session_user OR a.action <> p_action
       OR a.device IS DISTINCT FROM p->>'device' OR a.request_hash <> till_request_hash(p)
       OR a.expires_at <= clock_timestamp() THEN
        RAISE EXCEPTION 'the manager''s approval does not hold for this request (used, expired, or given for another): the manager approves again'
            USING ERRCODE = 'TL443';
    END IF;
    UPDATE approvals x SET used_at = clock_timestamp() WHERE x.token_hash = a.token_hash;
    SELECT * INTO v FROM users u WHERE u.id = a.user_id;
    IF NOT v.active OR NOT till_approves(v.role) THEN
        RAISE EXCEPTION 'only an active manager or admin approves; % is a %', v.name, v.role
            USING ERRCODE = 'TL403', DETAIL = v.name, HINT = v.role;
    END IF;
    RETURN v;
END;
$fn$;
REVOKE ALL ON FUNCTION till_use_approval(text, jsonb) FROM PUBLIC;
