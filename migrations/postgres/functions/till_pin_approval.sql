-- A manager's approval of one action: step two of a PIN check (till_pin_answer). A right PIN
-- of an active, unlocked manager or admin gives a random 256-bit token, stored only as its
-- sha256, good for this action and this request only (till_request_hash of p_request), once,
-- for two minutes, from this role and the check's device (till_use_approval spends it). A
-- right PIN of anyone else answers not_a_manager. Same columns as till_pin_result.
CREATE OR REPLACE FUNCTION till_pin_approval(
    p_attempt uuid, p_action text, p_request jsonb,
    OUT outcome text, OUT token text, OUT id uuid, OUT name text, OUT role text, OUT active boolean,
    OUT failed_pins integer, OUT lockouts integer, OUT locked_until timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT
AS $fn$
DECLARE
    r record;
    v users%ROWTYPE;
    v_now timestamptz;
BEGIN
    IF p_action IS NULL OR p_action !~ '^[a-z_]{1,40}$' OR p_request IS NULL OR jsonb_typeof(p_request) <> 'object' THEN
        RAISE EXCEPTION 'an approval names an action and its request' USING ERRCODE = 'TL002';
    END IF;
    SELECT * INTO r FROM till_pin_answer(p_attempt);
    v := r.who;
    outcome := r.outcome;
    id := v.id;
    name := v.name;
    role := v.role;
    active := v.active;
    failed_pins := v.failed_pins;
    lockouts := v.lockouts;
    locked_until := v.locked_until;
    IF outcome = 'ok' AND NOT till_approves(v.role) THEN
        outcome := 'not_a_manager';
    ELSIF outcome = 'ok' THEN
        v_now := clock_timestamp();
        token := encode(till_pgcrypto.gen_random_bytes(32), 'hex');
        INSERT INTO approvals (token_hash, user_id, action, request_hash, device, role_name, created_at, expires_at)
        VALUES (encode(sha256(convert_to(token, 'UTF8')), 'hex'), v.id, p_action, till_request_hash(p_request),
                r.device, session_user, v_now, v_now + interval '2 minutes');
    END IF;
END;
$fn$;
REVOKE ALL ON FUNCTION till_pin_approval(uuid, text, jsonb) FROM PUBLIC;
