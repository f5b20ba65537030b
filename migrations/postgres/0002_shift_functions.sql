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

CREATE OR REPLACE FUNCTION till_start_shift(
    p_session_id uuid, p_register_id uuid, p_user_id uuid, p_opening_cash bigint,
    p_device text, p_notes text, p_at timestamptz)
RETURNS TABLE (
    id uuid, number text, register_id uuid, register_code text, location_id uuid,
    location_code text, currency text, business_day date, day_seq bigint, status text,
    opened_by text, opened_at timestamptz, opening_device text, opening_cash bigint, notes text,
    closed_by text, closed_at timestamptz, counted_cash bigint, expected_cash bigint,
    variance bigint, joined boolean)
LANGUAGE plpgsql VOLATILE
AS $fn$
#variable_conflict use_column
DECLARE
    v_session uuid;
    v_location uuid;
    v_location_code text;
    v_timezone text;
    v_cutoff integer;
    v_at timestamptz;
    v_day date;
    v_seq bigint;
    v_joined boolean;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'till_start_shift must run under READ COMMITTED, not %',
            current_setting('transaction_isolation') USING ERRCODE = 'TL001';
    END IF;
    IF p_opening_cash IS NULL OR p_opening_cash < 0 THEN
        RAISE EXCEPTION 'opening cash must be zero or more' USING ERRCODE = 'TL002';
    END IF;

    -- A session closed between our join and our read is joined again from the top: the
    -- caller always gets a session that is open after its call.
    FOR attempt IN 1..3 LOOP
        v_joined := true;
        -- Fast path, no lock: joining an open session writes at most one join row.
        SELECT s.id INTO v_session FROM sessions s
        WHERE s.register_id = p_register_id AND s.status = 'open';

        IF NOT FOUND THEN
            SELECT r.location_id, l.code, l.timezone, l.cutoff_minutes
              INTO v_location, v_location_code, v_timezone, v_cutoff
              FROM registers r JOIN locations l ON l.id = r.location_id
             WHERE r.id = p_register_id
               FOR NO KEY UPDATE OF r;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'register % not found', p_register_id USING ERRCODE = 'TL404';
            END IF;

            -- A new statement, a new snapshot: sees a session the previous holder committed.
            SELECT s.id INTO v_session FROM sessions s
            WHERE s.register_id = p_register_id AND s.status = 'open';

            IF NOT FOUND THEN
                v_joined := false;
                v_at := coalesce(p_at, clock_timestamp());
                v_day := ((v_at AT TIME ZONE v_timezone) - make_interval(mins => v_cutoff))::date;
                INSERT INTO day_counters AS c (location_id, business_day, last_seq)
                VALUES (v_location, v_day, 1)
                ON CONFLICT (location_id, business_day) DO UPDATE SET last_seq = c.last_seq + 1
                RETURNING c.last_seq INTO v_seq;
                INSERT INTO sessions (id, register_id, location_id, business_day, day_seq, number,
                                      status, opened_by, opened_at, opening_device, opening_cash, notes)
                VALUES (p_session_id, p_register_id, v_location, v_day, v_seq,
                        v_location_code || '-' || to_char(v_day, 'YYYYMMDD') || '-'
                            || lpad(v_seq::text, greatest(3, length(v_seq::text)), '0'),
                        'open', p_user_id, v_at, p_device, p_opening_cash, p_notes);
                v_session := p_session_id;
            END IF;
        END IF;

        IF v_joined THEN
            INSERT INTO session_joins (session_id, user_id, device, joined_at)
            VALUES (v_session, p_user_id, p_device, coalesce(p_at, clock_timestamp()))
            ON CONFLICT DO NOTHING;
        END IF;

        RETURN QUERY SELECT v.id, v.number, v.register_id, v.register_code, v.location_id,
            v.location_code, v.currency, v.business_day, v.day_seq, v.status, v.opened_by,
            v.opened_at, v.opening_device, v.opening_cash, v.notes, v.closed_by, v.closed_at,
            v.counted_cash, v.expected_cash, v.variance, v_joined
        FROM session_view v WHERE v.id = v_session AND v.status = 'open';
        IF FOUND THEN
            RETURN;
        END IF;
    END LOOP;
    RAISE EXCEPTION 'register % kept closing while joining; try again', p_register_id
        USING ERRCODE = '40001';
END;
$fn$;

CREATE OR REPLACE FUNCTION till_close_shift(
    p_session_id uuid, p_user_id uuid, p_counted_cash bigint, p_device text, p_at timestamptz)
RETURNS TABLE (
    id uuid, number text, register_id uuid, register_code text, location_id uuid,
    location_code text, currency text, business_day date, day_seq bigint, status text,
    opened_by text, opened_at timestamptz, opening_device text, opening_cash bigint, notes text,
    closed_by text, closed_at timestamptz, counted_cash bigint, expected_cash bigint,
    variance bigint, already_closed boolean)
LANGUAGE plpgsql VOLATILE
AS $fn$
#variable_conflict use_column
DECLARE
    v_status text;
    v_expected bigint;
    v_already boolean := false;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'till_close_shift must run under READ COMMITTED, not %',
            current_setting('transaction_isolation') USING ERRCODE = 'TL001';
    END IF;
    IF p_counted_cash IS NULL OR p_counted_cash < 0 THEN
        RAISE EXCEPTION 'counted cash must be zero or more' USING ERRCODE = 'TL002';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM users u WHERE u.id = p_user_id AND u.active
                   AND u.role IN ('manager', 'admin')) THEN
        RAISE EXCEPTION 'only an active manager or admin may close a session' USING ERRCODE = 'TL403';
    END IF;

    -- Lock the session row; expected cash comes from the locked row's own columns.
    SELECT s.status, s.opening_cash + s.cash_net INTO v_status, v_expected
      FROM sessions s WHERE s.id = p_session_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'session % not found', p_session_id USING ERRCODE = 'TL405';
    END IF;

    IF v_status = 'closed' THEN
        v_already := true;
    ELSE
        UPDATE sessions s
           SET status = 'closed', closed_by = p_user_id, closed_at = coalesce(p_at, clock_timestamp()),
               closing_device = p_device, counted_cash = p_counted_cash,
               expected_cash = v_expected, variance = p_counted_cash - v_expected
         WHERE s.id = p_session_id;
    END IF;

    RETURN QUERY SELECT v.id, v.number, v.register_id, v.register_code, v.location_id,
        v.location_code, v.currency, v.business_day, v.day_seq, v.status, v.opened_by,
        v.opened_at, v.opening_device, v.opening_cash, v.notes, v.closed_by, v.closed_at,
        v.counted_cash, v.expected_cash, v.variance, v_already
    FROM session_view v WHERE v.id = p_session_id;
END;
$fn$;
