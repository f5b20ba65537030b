-- The atomic shift operations. Migrations whose name ends in "_functions" hold only
-- CREATE OR REPLACE FUNCTION statements, so `tillctl migrate --repair-functions` can run them
-- again if a function was dropped or edited by hand.
--
-- Why it is safe under concurrency (see shared DATABASE-NOTES):
--   * READ COMMITTED is required: each statement of a VOLATILE function takes a new snapshot,
--     so the check after the register lock sees what the previous lock holder committed.
--   * We lock the register row (it always exists), never "the open session" (which may not).
--   * FOR NO KEY UPDATE does not block inserts of rows referencing the register.
--   * The counter row is incremented in the same transaction as the session insert.
--   * clock_timestamp() after the lock, never now() (the transaction start).
--   * Each returns the whole session row (`SELECT (f.session).*, ...`): one round trip.

CREATE OR REPLACE FUNCTION till_start_shift(
    p_session_id uuid, p_register_id uuid, p_user_id uuid, p_opening_cash bigint,
    p_device text, p_notes text, p_at timestamptz,
    OUT session sessions, OUT joined boolean)
LANGUAGE plpgsql VOLATILE
AS $fn$
DECLARE
    v_location uuid;
    v_location_code text;
    v_register_code text;
    v_currency text;
    v_timezone text;
    v_cutoff integer;
    v_user_name text;
    v_at timestamptz;
    v_day date;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'till_start_shift must run under READ COMMITTED, not %',
            current_setting('transaction_isolation') USING ERRCODE = 'TL001';
    END IF;
    IF p_opening_cash < 0 THEN
        RAISE EXCEPTION 'opening cash must be zero or more' USING ERRCODE = 'TL002';
    END IF;

    -- Fast path, no lock: a register with an open session is joined. Reading it without a
    -- lock is safe: it was open when read, so the join is ordered before any close.
    SELECT s.* INTO session FROM sessions s
    WHERE s.register_id = p_register_id AND s.status = 'open';

    IF NOT FOUND THEN
        SELECT r.location_id, l.code, r.code, l.currency, l.timezone, l.cutoff_minutes,
               (SELECT u.name FROM users u WHERE u.id = p_user_id AND u.active)
          INTO v_location, v_location_code, v_register_code, v_currency, v_timezone, v_cutoff,
               v_user_name
          FROM registers r JOIN locations l ON l.id = r.location_id
         WHERE r.id = p_register_id
           FOR NO KEY UPDATE OF r;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'register % not found', p_register_id USING ERRCODE = 'TL404';
        END IF;

        -- A new statement, a new snapshot: sees a session the previous lock holder committed.
        SELECT s.* INTO session FROM sessions s
        WHERE s.register_id = p_register_id AND s.status = 'open';

        IF NOT FOUND THEN
            -- No opening cash means "join only": never open a drawer without a float.
            IF p_opening_cash IS NULL THEN
                RAISE EXCEPTION 'register % has no open session to join', p_register_id
                    USING ERRCODE = 'TL407';
            END IF;
            IF v_user_name IS NULL THEN
                RAISE EXCEPTION 'user % not found or inactive', p_user_id USING ERRCODE = 'TL406';
            END IF;
            v_at := coalesce(p_at, clock_timestamp());
            v_day := ((v_at AT TIME ZONE v_timezone) - make_interval(mins => v_cutoff))::date;
            -- The day's next number and the session, in one statement of the same transaction.
            WITH counter AS (
                INSERT INTO day_counters AS c (location_id, business_day, last_seq)
                VALUES (v_location, v_day, 1)
                ON CONFLICT (location_id, business_day) DO UPDATE SET last_seq = c.last_seq + 1
                RETURNING c.last_seq
            )
            INSERT INTO sessions (id, register_id, register_code, location_code, currency,
                                  location_id, business_day, day_seq, number, status, opened_by,
                                  opened_by_name, opened_at, opening_device, opening_cash, notes)
            SELECT p_session_id, p_register_id, v_register_code, v_location_code, v_currency,
                   v_location, v_day, counter.last_seq,
                   v_location_code || '-' || to_char(v_day, 'YYYYMMDD') || '-'
                       || lpad(counter.last_seq::text, greatest(3, length(counter.last_seq::text)), '0'),
                   'open', p_user_id, v_user_name, v_at, p_device, p_opening_cash, p_notes
              FROM counter
            RETURNING * INTO session;
            joined := false;
            RETURN;
        END IF;
    END IF;

    -- Joining: record the first join of each user and device (repeat joins write nothing).
    joined := true;
    PERFORM 1 FROM session_joins j
     WHERE j.session_id = session.id AND j.user_id = p_user_id AND j.device = p_device;
    IF NOT FOUND THEN
        INSERT INTO session_joins (session_id, user_id, device, joined_at)
        VALUES (session.id, p_user_id, p_device, coalesce(p_at, clock_timestamp()))
        ON CONFLICT DO NOTHING;
    END IF;
END;
$fn$;

CREATE OR REPLACE FUNCTION till_close_shift(
    p_session_id uuid, p_user_id uuid, p_counted_cash bigint, p_device text, p_at timestamptz,
    OUT session sessions, OUT already_closed boolean)
LANGUAGE plpgsql VOLATILE
AS $fn$
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'till_close_shift must run under READ COMMITTED, not %',
            current_setting('transaction_isolation') USING ERRCODE = 'TL001';
    END IF;
    IF p_counted_cash IS NULL OR p_counted_cash < 0 THEN
        RAISE EXCEPTION 'counted cash must be zero or more' USING ERRCODE = 'TL002';
    END IF;
    -- The happy path is one statement: it locks the row, re-reads it if it had to wait, and
    -- computes expected cash from that row's own columns.
    UPDATE sessions s
       SET status = 'closed', closed_by = p_user_id, closed_by_name = u.name,
           closed_at = coalesce(p_at, clock_timestamp()), closing_device = p_device,
           counted_cash = p_counted_cash, expected_cash = s.opening_cash + s.cash_net,
           variance = p_counted_cash - (s.opening_cash + s.cash_net)
      FROM users u
     WHERE s.id = p_session_id AND s.status = 'open'
       AND u.id = p_user_id AND u.active AND u.role IN ('manager', 'admin')
    RETURNING s.* INTO session;
    already_closed := false;
    IF FOUND THEN
        RETURN;
    END IF;

    -- Nothing closed: say why.
    PERFORM 1 FROM users u WHERE u.id = p_user_id AND u.active AND u.role IN ('manager', 'admin');
    IF NOT FOUND THEN
        RAISE EXCEPTION 'only an active manager or admin may close a session' USING ERRCODE = 'TL403';
    END IF;
    SELECT s.* INTO session FROM sessions s WHERE s.id = p_session_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'session % not found', p_session_id USING ERRCODE = 'TL405';
    END IF;
    already_closed := true;
END;
$fn$;
