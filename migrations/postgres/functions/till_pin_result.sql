-- A login: step two of a PIN check (till_pin_answer). A right PIN of an active, unlocked user
-- opens a login: a random 256-bit token, given once and stored only as its sha256, bound to
-- the user, this role and the check's device.
-- Besides the outcome and the token, the user's columns as the check left them (never the hash).
CREATE OR REPLACE FUNCTION till_pin_result(
    p_attempt uuid, OUT outcome text, OUT token text, OUT id uuid, OUT name text, OUT role text, OUT active boolean,
    OUT failed_pins integer, OUT lockouts integer, OUT locked_until timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT
AS $fn$
DECLARE
    r record;
    v users%ROWTYPE;
    v_now timestamptz;
BEGIN
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
    IF outcome = 'ok' THEN
        v_now := clock_timestamp();
        token := encode(till_pgcrypto.gen_random_bytes(32), 'hex');
        INSERT INTO logins (token_hash, user_id, device, role_name, created_at, last_used)
        VALUES (encode(sha256(convert_to(token, 'UTF8')), 'hex'), v.id, r.device, session_user, v_now, v_now);
    END IF;
END;
$fn$;
REVOKE ALL ON FUNCTION till_pin_result(uuid) FROM PUBLIC;
