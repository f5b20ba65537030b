-- A count refused at close (variance above the limit, no sign-off yet): counted on the session
-- and journaled, in its own transaction, so every refused count leaves a trace and the
-- sign-off that may follow is accepted only after one. Only a count the close refuses is one
-- (0032): the count is bounded (TL002), and one within the location's limit records nothing, so
-- a terminal's SQL can neither turn a count the close accepts into a refusal nor journal any
-- number. A made-up count above the limit is still taken, under the caller's login; the close
-- still needs a manager's sign-off with a reason (docs/security-review.md, open findings).
CREATE OR REPLACE FUNCTION till_refuse_count(p jsonb)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT
AS $fn$
DECLARE
    v_row sessions%ROWTYPE;
    v_user users%ROWTYPE;
    v_at timestamptz := clock_timestamp();
    v_counted bigint := (p->>'counted_cash')::bigint;
    v_limit bigint;
BEGIN
    IF v_counted IS NULL OR v_counted < 0 OR v_counted > till_money_max() THEN
        RAISE EXCEPTION 'counted cash must be between 0 and 10^12' USING ERRCODE = 'TL002';
    END IF;
    -- Who acts, before any lock: a call without a live login locks nothing.
    v_user := till_session_actor(p, false);
    SELECT * INTO v_row FROM sessions s WHERE s.id = (p->>'session_id')::uuid FOR NO KEY UPDATE;
    IF NOT FOUND OR v_row.status <> 'open' THEN
        RETURN;
    END IF;
    SELECT l.variance_limit_minor INTO v_limit FROM locations l WHERE l.id = v_row.location_id;
    IF abs(v_counted - till_expected_cash(v_row.opening_cash, v_row.cash_net)) <= v_limit THEN
        RETURN;
    END IF;
    UPDATE sessions s SET refused_counts = s.refused_counts + 1 WHERE s.id = v_row.id;
    PERFORM till_journal_append(v_row.register_id, v_at, p->>'device', v_user.id, 'count_refused', v_row.id,
        jsonb_build_object('session_id', v_row.id, 'counted_cash', v_counted,
                           'attempt', v_row.refused_counts + 1));
END;
$fn$;
REVOKE ALL ON FUNCTION till_refuse_count(jsonb) FROM PUBLIC;
