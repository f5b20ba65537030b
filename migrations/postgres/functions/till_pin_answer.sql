-- Step two of a PIN check, shared by a login (till_pin_result) and an approval
-- (till_pin_approval): the check's outcome, once, to the role that made it, in a transaction
-- other than the check's (whose row it then sees committed), within a minute of the check.
-- Settles the user's checks first, so the answer is the state the database keeps.
-- outcome: ok, wrong_pin, locked (this very miss locked, or a right PIN found a lock in force),
-- inactive, pin_reset_needed. Owner only.
-- SQLSTATEs: TL440 no such check (unknown, answered, another role's, or expired), TL441 asked
-- in the check's own transaction.
CREATE OR REPLACE FUNCTION till_pin_answer(p_attempt uuid, OUT outcome text, OUT who users, OUT device text)
LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT
AS $fn$
DECLARE
    a pin_attempts%ROWTYPE;
    v_now timestamptz;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'a PIN check is answered under READ COMMITTED only' USING ERRCODE = 'TL001';
    END IF;
    SELECT * INTO a FROM pin_attempts x WHERE x.id = p_attempt;
    IF NOT FOUND OR a.answered OR a.role_name <> session_user THEN
        RAISE EXCEPTION 'no PIN check to answer (unknown, answered already, or another role''s): enter the PIN again' USING ERRCODE = 'TL440';
    END IF;
    IF a.xact = pg_current_xact_id_if_assigned() THEN
        RAISE EXCEPTION 'a PIN check is answered only after its transaction commits' USING ERRCODE = 'TL441';
    END IF;
    PERFORM 1 FROM users u WHERE u.id = a.user_id FOR NO KEY UPDATE;
    who := till_settle_pins(a.user_id);
    SELECT * INTO a FROM pin_attempts x WHERE x.id = p_attempt;
    v_now := clock_timestamp();
    IF a.at < v_now - interval '1 minute' THEN
        RAISE EXCEPTION 'the PIN check expired: enter the PIN again' USING ERRCODE = 'TL440';
    END IF;
    UPDATE pin_attempts x SET answered = true WHERE x.id = a.id;
    device := a.device;
    IF a.outcome <> 'checked' THEN
        outcome := a.outcome;
    ELSIF NOT who.active THEN
        outcome := 'inactive';
    ELSIF NOT a.matched THEN
        -- As of the check: a miss answers wrong_pin, unless it is the one that locked.
        outcome := CASE WHEN a.locked_user THEN 'locked' ELSE 'wrong_pin' END;
    ELSIF who.locked_until > v_now THEN
        -- A right PIN, but a lock came into force since (misses checked after it): refused.
        outcome := 'locked';
    ELSE
        outcome := 'ok';
    END IF;
END;
$fn$;
REVOKE ALL ON FUNCTION till_pin_answer(uuid) FROM PUBLIC;
