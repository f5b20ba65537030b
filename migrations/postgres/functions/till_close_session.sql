-- The close with cash control: counted cash (with its denominations), the cash removed to the
-- safe and the float left, and, when the variance is above the location's limit, a manager's
-- sign-off with a reason (TL430 otherwise, which says nothing of the expected cash: the count
-- stays blind). The Z is made by the close trigger above. A repeat of the same request answers
-- the first close.
CREATE OR REPLACE FUNCTION till_close_session(p jsonb, OUT session sessions, OUT already_closed boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT
AS $fn$
DECLARE
    v_session_id uuid := (p->>'session_id')::uuid;
    v_counted bigint := (p->>'counted_cash')::bigint;
    v_float bigint := (p->>'float_left')::bigint;
    v_row sessions%ROWTYPE;
    v_user users%ROWTYPE;
    v_approver users%ROWTYPE;
    v_closer users%ROWTYPE;
    v_limit bigint;
    v_expected bigint;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'till_close_session must run under READ COMMITTED' USING ERRCODE = 'TL001';
    END IF;
    IF v_counted IS NULL OR v_counted < 0 OR v_counted > till_money_max()
       OR v_float IS NULL OR v_float < 0 OR v_float > v_counted THEN
        RAISE EXCEPTION 'counted cash and float left must be between 0 and 10^12, the float at most the count'
            USING ERRCODE = 'TL002';
    END IF;
    -- Its notes and coins, if counted with them, add up to the count (0030).
    PERFORM till_count_adds_up(p->'denominations', v_counted, 'the counted cash');
    -- Who acts, before any lock: a call without a live login locks nothing.
    PERFORM till_text('variance reason', p->>'variance_reason', 200, false, false);
    v_user := till_session_actor(p, false);
    SELECT * INTO v_row FROM sessions s WHERE s.id = v_session_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'session % not found', v_session_id USING ERRCODE = 'TL405', DETAIL = v_session_id::text;
    END IF;
    -- This very close, repeated (its answer was lost): answer it again.
    IF v_row.status = 'closed' AND v_row.close_request_id = (p->>'request_id')::uuid THEN
        session := v_row;
        already_closed := false;
        RETURN;
    END IF;
    -- Closed by another close: an approval this one carries is not spent on it.
    IF v_row.status = 'closed' THEN
        session := v_row;
        already_closed := true;
        RETURN;
    END IF;
    -- The manager who closes: their approval of this very close, or the acting user if a manager.
    v_closer := till_manager('close', p, v_user);
    IF v_closer.id IS NULL THEN
        RAISE EXCEPTION 'only a manager or admin may close a session; % is a %', v_user.name, v_user.role
            USING ERRCODE = 'TL403', DETAIL = v_user.name, HINT = v_user.role;
    END IF;
    v_expected := till_expected_cash(v_row.opening_cash, v_row.cash_net);
    SELECT l.variance_limit_minor INTO v_limit FROM locations l WHERE l.id = v_row.location_id;
    IF abs(v_counted - v_expected) > v_limit THEN
        -- A sign-off is accepted only after a refused count (till_refuse_count): the recount
        -- is not skipped.
        -- The closing manager signs off, with a reason.
        v_approver := v_closer;
        IF coalesce(length(trim(p->>'variance_reason')), 0) = 0 OR v_row.refused_counts < 1 THEN
            RAISE EXCEPTION 'the count is off by more than the location allows: count again, or a manager signs off with a reason'
                USING ERRCODE = 'TL430';
        END IF;
    END IF;
    INSERT INTO cash_counts (session_id, stage, denomination, count)
    SELECT v_session_id, 'close', (d->>'denomination')::bigint, (d->>'count')::integer
      FROM jsonb_array_elements(coalesce(p->'denominations', '[]'::jsonb)) d;
    UPDATE sessions s
       SET status = 'closed', closed_by = v_closer.id, closed_by_name = v_closer.name,
           closed_at = greatest(s.opened_at, clock_timestamp()),
           closing_device = p->>'device',
           counted_cash = v_counted, expected_cash = v_expected, variance = v_counted - v_expected,
           close_request_id = (p->>'request_id')::uuid,
           cash_removed = v_counted - v_float, float_left = v_float,
           variance_reason = nullif(trim(p->>'variance_reason'), ''),
           approved_by = v_approver.id, approved_by_name = v_approver.name
     WHERE s.id = v_session_id
    RETURNING s.* INTO session;
    already_closed := false;
END;
$fn$;
REVOKE ALL ON FUNCTION till_close_session(jsonb) FROM PUBLIC;
