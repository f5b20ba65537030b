-- The opening count's notes and coins, recorded once for a session (a repeat changes nothing)
-- and journaled. They add up to the session's opening cash (till_count_adds_up, 0030: before,
-- only the core checked), the session is open, and the journal holds the count as stored, not
-- the request's text.
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
    -- Nothing counted, nothing recorded or journaled (0033; the core does not call with none).
    IF p->'denominations' IS NULL OR p->'denominations' = '[]'::jsonb THEN
        RETURN;
    END IF;
    IF v_row.status <> 'open' THEN
        RAISE EXCEPTION 'session % was closed', v_row.number USING ERRCODE = 'TL421', DETAIL = v_row.number;
    END IF;
    PERFORM till_count_adds_up(p->'denominations', v_row.opening_cash, 'the opening cash');
    INSERT INTO cash_counts (session_id, stage, denomination, count)
    SELECT v_row.id, 'open', (d->>'denomination')::bigint, (d->>'count')::integer
      FROM jsonb_array_elements(coalesce(p->'denominations', '[]'::jsonb)) d;
    PERFORM till_journal_append(v_row.register_id, clock_timestamp(), p->>'device', v_user.id,
        'opening_count', v_row.id, jsonb_build_object('session_id', v_row.id, 'denominations',
            (SELECT coalesce(jsonb_agg(jsonb_build_object('denomination', (d->>'denomination')::bigint,
                                                          'count', (d->>'count')::integer) ORDER BY n), '[]'::jsonb)
               FROM jsonb_array_elements(coalesce(p->'denominations', '[]'::jsonb)) WITH ORDINALITY AS e(d, n))));
END;
$fn$;
REVOKE ALL ON FUNCTION till_record_opening_count(jsonb) FROM PUBLIC;
