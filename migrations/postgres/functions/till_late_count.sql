-- The late count of a force-closed session: the real count, its denominations, the cash
-- removed and the float left, and (above the variance limit) a reason. Completes its Z.
CREATE OR REPLACE FUNCTION till_late_count(p jsonb, OUT session sessions, OUT repeated boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT
AS $fn$
DECLARE
    v_row sessions%ROWTYPE;
    v_user users%ROWTYPE;
    v_counted bigint := (p->>'counted_cash')::bigint;
    v_float bigint := (p->>'float_left')::bigint;
    v_limit bigint;
    v_at timestamptz := clock_timestamp();
BEGIN
    IF v_counted IS NULL OR v_counted < 0 OR v_counted > till_money_max()
       OR v_float IS NULL OR v_float < 0 OR v_float > v_counted THEN
        RAISE EXCEPTION 'counted cash and float left must be between 0 and 10^12, the float at most the count'
            USING ERRCODE = 'TL002';
    END IF;
    -- Its notes and coins, if counted with them, add up to the count (0030).
    PERFORM till_count_adds_up(p->'denominations', v_counted, 'the counted cash');
    -- Who acts, before any lock: a call without a live login locks nothing.
    PERFORM till_text('variance reason', p->>'variance_reason', 200, false, false);
    v_user := till_session_actor(p, true);
    SELECT * INTO v_row FROM sessions s WHERE s.id = (p->>'session_id')::uuid FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'session % not found', p->>'session_id' USING ERRCODE = 'TL405', DETAIL = p->>'session_id';
    END IF;
    IF v_row.status = 'closed' AND NOT v_row.count_pending AND v_row.late_counted_by IS NOT NULL THEN
        session := v_row;
        repeated := true;
        RETURN;
    END IF;
    IF v_row.status <> 'closed' OR NOT v_row.count_pending THEN
        RAISE EXCEPTION 'session % has no count pending', v_row.number USING ERRCODE = 'TL433';
    END IF;
    v_user := till_manager('late_count', p, v_user);
    IF v_user.id IS NULL THEN
        RAISE EXCEPTION 'only an active manager may record a late count' USING ERRCODE = 'TL403';
    END IF;
    SELECT l.variance_limit_minor INTO v_limit FROM locations l WHERE l.id = v_row.location_id;
    IF abs(v_counted - v_row.expected_cash) > v_limit AND coalesce(length(trim(p->>'variance_reason')), 0) = 0 THEN
        RAISE EXCEPTION 'the count is off by more than the location allows: a reason is needed' USING ERRCODE = 'TL430';
    END IF;
    INSERT INTO cash_counts (session_id, stage, denomination, count)
    SELECT v_row.id, 'close', (d->>'denomination')::bigint, (d->>'count')::integer
      FROM jsonb_array_elements(coalesce(p->'denominations', '[]'::jsonb)) d;
    UPDATE sessions s
       SET counted_cash = v_counted, variance = v_counted - s.expected_cash, count_pending = false,
           cash_removed = v_counted - v_float, float_left = v_float,
           variance_reason = nullif(trim(p->>'variance_reason'), ''), approved_by = v_user.id,
           approved_by_name = v_user.name, late_counted_by = v_user.id, late_counted_at = v_at
     WHERE s.id = v_row.id
    RETURNING s.* INTO session;
    PERFORM till_journal_append(v_row.register_id, v_at, p->>'device', v_user.id, 'late_count', v_row.id,
        jsonb_build_object('id', v_row.id, 'counted_cash', v_counted, 'expected_cash', session.expected_cash,
                           'variance', session.variance, 'variance_reason', session.variance_reason,
                           'cash_removed', session.cash_removed, 'float_left', v_float));
    repeated := false;
END;
$fn$;
REVOKE ALL ON FUNCTION till_late_count(jsonb) FROM PUBLIC;
