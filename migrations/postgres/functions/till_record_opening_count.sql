-- The opening count's notes and coins, recorded once for a session (a repeat changes nothing)
-- and journaled. The core checks they add up to the opening cash before it calls this.
CREATE OR REPLACE FUNCTION till_record_opening_count(p jsonb)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT
AS $fn$
DECLARE
    v_row sessions%ROWTYPE;
    v_user users%ROWTYPE;
BEGIN
    -- Who acts, before any lock: a call without a live login locks nothing.
    v_user := till_session_actor(p, false);
    SELECT * INTO v_row FROM sessions s WHERE s.id = (p->>'session_id')::uuid FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'session % not found', p->>'session_id' USING ERRCODE = 'TL405', DETAIL = p->>'session_id';
    END IF;
    IF EXISTS (SELECT 1 FROM cash_counts c WHERE c.session_id = v_row.id AND c.stage = 'open') THEN
        RETURN;
    END IF;
    INSERT INTO cash_counts (session_id, stage, denomination, count)
    SELECT v_row.id, 'open', (d->>'denomination')::bigint, (d->>'count')::integer
      FROM jsonb_array_elements(coalesce(p->'denominations', '[]'::jsonb)) d;
    PERFORM till_journal_append(v_row.register_id, clock_timestamp(), p->>'device', v_user.id,
        'opening_count', v_row.id, jsonb_build_object('session_id', v_row.id, 'denominations', p->'denominations'));
END;
$fn$;
REVOKE ALL ON FUNCTION till_record_opening_count(jsonb) FROM PUBLIC;
