-- Step one of every PIN check (a login, a manager's approval): compares the PIN with the
-- user's bcrypt hash and records the check in pin_attempts. It answers only the check's id,
-- never whether the PIN was right, and it changes nothing a terminal can read according to
-- this PIN: the outcome comes from till_pin_result, in a later transaction, once this one is
-- committed. So a guess inside a transaction rolled back, or inside a statement that fails,
-- learns nothing, and every guess that could teach anything is counted. Before deciding, the
-- user's earlier checks are settled under the user's row lock, on the database's clock: a
-- locked or inactive user is refused without comparing. One check of a user per transaction:
-- its own checks are settled only once committed, so a second in the same transaction would
-- be compared unbounded by the lockout. READ COMMITTED only: an older snapshot would not see
-- the committed checks that locked the user. SQLSTATEs: TL001 isolation level, TL002 bad input
-- or a second check of the user in this transaction, TL406 user not found.
CREATE OR REPLACE FUNCTION till_pin_check(p_user text, p_pin text, p_device text)
RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT
AS $fn$
DECLARE
    v users%ROWTYPE;
    v_id uuid := gen_random_uuid();
    v_outcome text;
    v_matched boolean := false;
    v_at timestamptz;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'till_pin_check must run under READ COMMITTED' USING ERRCODE = 'TL001';
    END IF;
    IF p_pin IS NULL OR length(p_pin) NOT BETWEEN 1 AND 64 OR p_device IS NULL
       OR length(p_device) NOT BETWEEN 1 AND 64 THEN
        RAISE EXCEPTION 'a PIN check needs a PIN and a device name (1 to 64 characters each)' USING ERRCODE = 'TL002';
    END IF;
    PERFORM till_text('device', p_device, 64, false, true);
    SELECT * INTO v FROM users u WHERE u.name = p_user FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'user % not found', p_user USING ERRCODE = 'TL406', DETAIL = p_user;
    END IF;
    IF EXISTS (SELECT 1 FROM pin_attempts x WHERE x.user_id = v.id AND x.xact = pg_current_xact_id_if_assigned()) THEN
        RAISE EXCEPTION 'one PIN check of a user per transaction: commit, then check again' USING ERRCODE = 'TL002';
    END IF;
    v := till_settle_pins(v.id);
    v_at := clock_timestamp();
    IF NOT v.active THEN
        v_outcome := 'inactive';
    ELSIF v.locked_until > v_at THEN
        v_outcome := 'locked';
    ELSIF v.pin_hash NOT LIKE '$2a$%' THEN
        v_outcome := 'pin_reset_needed';
    ELSE
        v_outcome := 'checked';
        v_matched := till_pgcrypto.crypt(p_pin, v.pin_hash) = v.pin_hash;
        -- A manager's right PIN shorter than the strictest location requires: set again by IT
        -- (the plpgsql copy of till-core's auth::pin_long_enough).
        IF v_matched AND till_approves(v.role)
           AND length(p_pin) < (SELECT coalesce(max(l.manager_pin_min_length), 4) FROM locations l) THEN
            v_outcome := 'pin_reset_needed';
            v_matched := false;
        END IF;
    END IF;
    INSERT INTO pin_attempts (id, user_id, device, role_name, at, outcome, matched, xact)
    VALUES (v_id, v.id, p_device, session_user, v_at, v_outcome, v_matched, pg_current_xact_id());
    RETURN v_id;
END;
$fn$;
REVOKE ALL ON FUNCTION till_pin_check(text, text, text) FROM PUBLIC;
