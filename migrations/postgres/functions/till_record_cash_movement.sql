-- A paid in, paid out, drop to safe or no-sale: one atomic, idempotent operation (the id is
-- the caller's), ordered against a close by the session's row lock, like a receipt.
CREATE OR REPLACE FUNCTION till_record_cash_movement(p jsonb, OUT repeated boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT
AS $fn$
DECLARE
    v_id uuid := (p->>'id')::uuid;
    v_kind text := p->>'kind';
    v_amount bigint := (p->>'amount')::bigint;
    v_session sessions%ROWTYPE;
    v_hash text;
    v_user_name text;
    v_limit bigint;
    v_at timestamptz;
    v_user users%ROWTYPE;
    v_manager users%ROWTYPE;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'till_record_cash_movement must run under READ COMMITTED' USING ERRCODE = 'TL001';
    END IF;
    -- Who acts, before any lock: a call without a live login locks nothing.
    v_user := till_session_actor(p, false);
    SELECT * INTO v_session FROM sessions WHERE id = (p->>'session_id')::uuid FOR NO KEY UPDATE;
    IF NOT FOUND OR v_session.register_id <> (p->>'register_id')::uuid THEN
        RAISE EXCEPTION 'session % of register %', p->>'session_id', p->>'register_id' USING ERRCODE = 'TL405',
            DETAIL = format('%s of register %s', p->>'session_id', p->>'register_id');
    END IF;
    v_user_name := v_user.name;
    SELECT m.request_hash INTO v_hash FROM cash_movements m WHERE m.id = v_id;
    IF FOUND THEN
        IF v_hash <> p->>'request_hash' THEN
            RAISE EXCEPTION 'cash movement id % was already used for another movement', v_id USING ERRCODE = 'TL409';
        END IF;
        repeated := true;
        RETURN;
    END IF;
    PERFORM till_session_takes_trade(v_session);
    PERFORM till_text('note', p->>'note', 200, false, false);
    IF v_amount IS NULL OR v_amount < 0 OR v_amount > till_money_max() OR (v_kind = 'no_sale') <> (v_amount = 0) THEN
        RAISE EXCEPTION 'amount % for a %', v_amount, v_kind USING ERRCODE = 'TL002';
    END IF;
    PERFORM 1 FROM cash_reasons r
     WHERE r.location_id = v_session.location_id AND r.kind = v_kind AND r.code = p->>'reason';
    IF NOT FOUND THEN
        RAISE EXCEPTION 'reason % is not one of this location''s for a %', p->>'reason', v_kind USING ERRCODE = 'TL431',
            DETAIL = format('%s (%s)', p->>'reason', v_kind);
    END IF;
    -- A paid out or a drop that takes the session's cash taken out above the location's limit
    -- answers to a manager (per session: ten of 50.00 like one of 500.00; till-core's
    -- MovementKind::needs_manager): their approval of this very movement, or the acting user if
    -- a manager. The session's row is locked, so racing movements add up.
    SELECT l.cash_out_limit_minor INTO v_limit FROM locations l WHERE l.id = v_session.location_id;
    IF v_kind IN ('paid_out', 'drop')
       AND v_session.paid_out_total::numeric + v_session.drops_total + v_amount > v_limit THEN
        v_manager := till_manager('cash_movement', p, v_user);
        IF v_manager.id IS NULL THEN
            RAISE EXCEPTION 'a % above % needs a manager', v_kind, v_limit USING ERRCODE = 'TL432';
        END IF;
    END IF;
    v_at := clock_timestamp();
    INSERT INTO cash_movements (id, session_id, register_id, location_id, kind, amount, reason, note, user_id,
                                user_name, approved_by, device, at, request_hash)
    VALUES (v_id, v_session.id, v_session.register_id, v_session.location_id, v_kind, v_amount, p->>'reason',
            p->>'note', v_user.id, v_user_name, v_manager.id, p->>'device', v_at,
            p->>'request_hash');
    UPDATE sessions s SET
        cash_net       = s.cash_net + CASE v_kind WHEN 'paid_in' THEN v_amount WHEN 'no_sale' THEN 0 ELSE -v_amount END,
        paid_in_count  = s.paid_in_count + CASE WHEN v_kind = 'paid_in' THEN 1 ELSE 0 END,
        paid_in_total  = s.paid_in_total + CASE WHEN v_kind = 'paid_in' THEN v_amount ELSE 0 END,
        paid_out_count = s.paid_out_count + CASE WHEN v_kind = 'paid_out' THEN 1 ELSE 0 END,
        paid_out_total = s.paid_out_total + CASE WHEN v_kind = 'paid_out' THEN v_amount ELSE 0 END,
        drops_count    = s.drops_count + CASE WHEN v_kind = 'drop' THEN 1 ELSE 0 END,
        drops_total    = s.drops_total + CASE WHEN v_kind = 'drop' THEN v_amount ELSE 0 END,
        no_sale_count  = s.no_sale_count + CASE WHEN v_kind = 'no_sale' THEN 1 ELSE 0 END
     WHERE s.id = v_session.id;
    PERFORM till_journal_append(v_session.register_id, v_at, p->>'device', v_user.id, v_kind, v_id,
        jsonb_build_object('id', v_id, 'session_id', v_session.id, 'kind', v_kind, 'amount', v_amount,
                           'reason', p->>'reason', 'note', p->>'note',
                           'approved_by', to_jsonb(v_manager.id)));
    repeated := false;
END;
$fn$;
REVOKE ALL ON FUNCTION till_record_cash_movement(jsonb) FROM PUBLIC;
