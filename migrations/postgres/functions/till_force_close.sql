-- A forgotten session, closed by a manager with a reason and no count: counted_cash holds the
-- expected cash until a late count (count_pending). The close trigger makes its Z.
CREATE OR REPLACE FUNCTION till_force_close(p jsonb, OUT session sessions, OUT already_closed boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT
AS $fn$
DECLARE
    v_row sessions%ROWTYPE;
    v_user users%ROWTYPE;
BEGIN
    IF coalesce(length(trim(p->>'reason')), 0) NOT BETWEEN 1 AND 200 THEN
        RAISE EXCEPTION 'a force-close needs a reason (1 to 200 characters)' USING ERRCODE = 'TL002';
    END IF;
    -- Who acts, before any lock: a call without a live login locks nothing.
    PERFORM till_text('reason', p->>'reason', 200, false, true);
    v_user := till_session_actor(p, true);
    SELECT * INTO v_row FROM sessions s WHERE s.id = (p->>'session_id')::uuid FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'session % not found', p->>'session_id' USING ERRCODE = 'TL405', DETAIL = p->>'session_id';
    END IF;
    IF v_row.status = 'closed' THEN
        session := v_row;
        already_closed := v_row.close_request_id IS DISTINCT FROM (p->>'request_id')::uuid;
        RETURN;
    END IF;
    v_user := till_manager('force_close', p, v_user);
    IF v_user.id IS NULL THEN
        RAISE EXCEPTION 'only an active manager may force-close a session' USING ERRCODE = 'TL403';
    END IF;
    -- Only a forgotten session (till_session_forgotten, the one rule). A live drawer is closed
    -- with a count.
    IF NOT till_session_forgotten(v_row) THEN
        RAISE EXCEPTION 'session % is not forgotten: close it with a count', v_row.number USING ERRCODE = 'TL434';
    END IF;
    UPDATE sessions s
       SET status = 'closed', closed_by = v_user.id, closed_by_name = v_user.name, closed_at = clock_timestamp(),
           closing_device = p->>'device', counted_cash = till_expected_cash(s.opening_cash, s.cash_net),
           expected_cash = till_expected_cash(s.opening_cash, s.cash_net), variance = 0,
           close_request_id = (p->>'request_id')::uuid, count_pending = true, force_close_reason = trim(p->>'reason')
     WHERE s.id = v_row.id
    RETURNING s.* INTO session;
    already_closed := false;
END;
$fn$;
REVOKE ALL ON FUNCTION till_force_close(jsonb) FROM PUBLIC;
