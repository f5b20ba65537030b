-- Step two of a PIN check: its outcome, once, to the role that made it, in a transaction
-- other than the check's (whose row it then sees committed), within a minute of the check.
-- Settles the user's checks first, so the answer is the state the database keeps. A right PIN
-- of an active, unlocked user opens a login: a random 256-bit token, given once and stored
-- only as its sha256, bound to the user and the device.
-- outcome: ok, wrong_pin, locked (this very miss locked, or a right PIN found a lock in force),
-- inactive, pin_reset_needed.
-- SQLSTATEs: TL440 no such check (unknown, answered, another role's, or expired), TL441 asked
-- in the check's own transaction.
-- Besides the outcome and the token, the user's columns as the check left them (never the hash).
CREATE OR REPLACE FUNCTION till_pin_result(
    p_attempt uuid, OUT outcome text, OUT token text, OUT id uuid, OUT name text, OUT role text, OUT active boolean,
    OUT failed_pins integer, OUT lockouts integer, OUT locked_until timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT
AS $fn$
DECLARE
    a pin_attempts%ROWTYPE;
    v users%ROWTYPE;
    v_now timestamptz;
BEGIN
    SELECT * INTO a FROM pin_attempts x WHERE x.id = p_attempt;
    IF NOT FOUND OR a.answered OR a.role_name <> session_user THEN
        RAISE EXCEPTION 'no PIN check to answer (unknown, answered already, or another role''s): enter the PIN again' USING ERRCODE = 'TL440';
    END IF;
    IF a.xact = pg_current_xact_id_if_assigned() THEN
        RAISE EXCEPTION 'a PIN check is answered only after its transaction commits' USING ERRCODE = 'TL441';
    END IF;
    PERFORM 1 FROM users u WHERE u.id = a.user_id FOR NO KEY UPDATE;
    v := till_settle_pins(a.user_id);
    SELECT * INTO a FROM pin_attempts x WHERE x.id = p_attempt;
    v_now := clock_timestamp();
    IF a.at < v_now - interval '1 minute' THEN
        RAISE EXCEPTION 'the PIN check expired: enter the PIN again' USING ERRCODE = 'TL440';
    END IF;
    UPDATE pin_attempts x SET answered = true WHERE x.id = a.id;
    id := v.id;
    name := v.name;
    role := v.role;
    active := v.active;
    failed_pins := v.failed_pins;
    lockouts := v.lockouts;
    locked_until := v.locked_until;
    IF a.outcome <> 'checked' THEN
        outcome := a.outcome;
    ELSIF NOT v.active THEN
        outcome := 'inactive';
    ELSIF NOT a.matched THEN
        -- As of the check: a miss answers wrong_pin, unless it is the one that locked.
        outcome := CASE WHEN a.locked_user THEN 'locked' ELSE 'wrong_pin' END;
    ELSIF v.locked_until > v_now THEN
        -- A right PIN, but a lock came into force since (misses checked after it): refused.
        outcome := 'locked';
    ELSE
        outcome := 'ok';
        token := encode(till_pgcrypto.gen_random_bytes(32), 'hex');
        INSERT INTO logins (token_hash, user_id, device, role_name, created_at, last_used)
        VALUES (encode(sha256(convert_to(token, 'UTF8')), 'hex'), v.id, a.device, session_user, v_now, v_now);
    END IF;
END;
$fn$;
REVOKE ALL ON FUNCTION till_pin_result(uuid) FROM PUBLIC;
