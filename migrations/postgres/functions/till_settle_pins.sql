-- Applies a user's committed PIN checks that are not applied yet, oldest first, to the user's
-- PIN state: a wrong PIN counts, the fifth in a row locks for 1, 2, 4 ... 60 minutes (each
-- lockout in a row doubles it) and ends the user's logins, a right PIN clears the count. The
-- second copy of till-core's PinPolicy (auth.rs), held equal by the lockout tests that run on
-- both backends. Owner only; the caller holds the user's row lock. Returns the state after.
CREATE OR REPLACE FUNCTION till_settle_pins(p_user uuid)
RETURNS users
LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT
AS $fn$
DECLARE
    v users%ROWTYPE;
    v_before users%ROWTYPE;
    a pin_attempts%ROWTYPE;
    v_until timestamptz;
BEGIN
    SELECT * INTO v FROM users u WHERE u.id = p_user;
    v_before := v;
    -- Never the caller's own uncommitted check: applied inside its transaction, it would show
    -- in the user's readable columns whether that guess was right, and a rollback would undo
    -- the count (tests/attacks.rs, a_guess_rolled_back_teaches_nothing...).
    FOR a IN SELECT * FROM pin_attempts x
              WHERE x.user_id = p_user AND NOT x.settled AND x.xact IS DISTINCT FROM pg_current_xact_id_if_assigned()
              ORDER BY x.at, x.id LOOP
        IF a.outcome = 'checked' AND a.matched THEN
            v.failed_pins := 0;
            v.lockouts := 0;
            v.locked_until := NULL;
        ELSIF a.outcome = 'checked' THEN
            v.failed_pins := v.failed_pins + 1;
            INSERT INTO auth_events (id, user_id, kind, device, at, detail)
            VALUES (gen_random_uuid(), p_user, 'pin_failed', a.device, a.at, NULL);
            IF v.failed_pins >= 5 THEN
                v_until := a.at + make_interval(mins => least(60, 1 << least(v.lockouts, 20)));
                v.failed_pins := 0;
                v.lockouts := v.lockouts + 1;
                v.locked_until := v_until;
                INSERT INTO auth_events (id, user_id, kind, device, at, detail)
                VALUES (gen_random_uuid(), p_user, 'locked', a.device, a.at,
                        'until ' || to_char(v_until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'));
                UPDATE logins l SET ended_at = a.at, ended_why = 'locked' WHERE l.user_id = p_user AND l.ended_at IS NULL;
                a.locked_user := true;
            END IF;
        END IF;
        UPDATE pin_attempts x SET settled = true, locked_user = a.locked_user WHERE x.id = a.id;
    END LOOP;
    IF (v.failed_pins, v.lockouts, v.locked_until) IS DISTINCT FROM (v_before.failed_pins, v_before.lockouts, v_before.locked_until) THEN
        UPDATE users u SET failed_pins = v.failed_pins, lockouts = v.lockouts, locked_until = v.locked_until
         WHERE u.id = p_user;
    END IF;
    RETURN v;
END;
$fn$;
REVOKE ALL ON FUNCTION till_settle_pins(uuid) FROM PUBLIC;
