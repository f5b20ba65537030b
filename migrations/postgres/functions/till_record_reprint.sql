-- A receipt printed again: counted on the register's open session (the X and Z show it) and
-- journaled.
CREATE OR REPLACE FUNCTION till_record_reprint(p jsonb)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT
AS $fn$
DECLARE
    v_row sessions%ROWTYPE;
    v_user users%ROWTYPE;
    v_sale uuid;
    v_at timestamptz := clock_timestamp();
BEGIN
    -- Who acts, before any lock: a call without a live login locks nothing.
    v_user := till_session_actor(p, false);
    SELECT * INTO v_row FROM sessions s WHERE s.id = (p->>'session_id')::uuid FOR NO KEY UPDATE;
    IF NOT FOUND OR v_row.status <> 'open' THEN
        RAISE EXCEPTION 'session % is not open', p->>'session_id' USING ERRCODE = 'TL421';
    END IF;
    SELECT x.id INTO v_sale FROM sales x WHERE x.number = p->>'number' AND x.location_id = v_row.location_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'receipt % is not one of this location''s', p->>'number' USING ERRCODE = 'TL425';
    END IF;
    UPDATE sessions s SET reprint_count = s.reprint_count + 1 WHERE s.id = v_row.id;
    PERFORM till_journal_append(v_row.register_id, v_at, p->>'device', v_user.id, 'reprint', v_sale,
        jsonb_build_object('session_id', v_row.id, 'number', p->>'number'));
END;
$fn$;
REVOKE ALL ON FUNCTION till_record_reprint(jsonb) FROM PUBLIC;
