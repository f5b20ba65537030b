-- A void: lines taken off a sale before it was paid (a line removed, a quantity lowered, the
-- sale cleared). Recorded in the register's open session by the login's user at the database's
-- clock, counted and summed on the session (the X and Z show it) and journaled: one atomic,
-- idempotent operation (the id is the till's request id), ordered against a close by the
-- session's row lock. The till sends products and quantities, never money: the amount is each
-- product's catalog price, the list price before any discount or override (a figure a
-- dishonest till cannot shrink), times its quantity, read here once (till-core's
-- voids::amount, second copy); an inactive product is still the location's. The lines' bounds
-- are till-core's voids::check_lines (second copy); the kind's list and the amount's bound are
-- the tables' CHECKs. SQLSTATEs: TL002 lines that are not 1 to 500 {product_id, quantity}
-- objects of 1 to 10000 units, TL426 a product that is not in the session's location's catalog.
CREATE OR REPLACE FUNCTION till_record_void(p jsonb, OUT repeated boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT
AS $fn$
DECLARE
    v_id uuid := (p->>'id')::uuid;
    v_session sessions%ROWTYPE;
    v_user users%ROWTYPE;
    v_hash text;
    v_count bigint;
    v_known bigint;
    v_bad bigint;
    v_amount bigint;
    v_priced jsonb;
    v_at timestamptz;
    v_other uuid;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'till_record_void must run under READ COMMITTED' USING ERRCODE = 'TL001';
    END IF;
    -- Who acts, before any lock: a call without a live login locks nothing.
    v_user := till_session_actor(p, false);
    SELECT * INTO v_session FROM sessions s WHERE s.id = (p->>'session_id')::uuid FOR NO KEY UPDATE;
    IF NOT FOUND OR v_session.register_id <> (p->>'register_id')::uuid THEN
        RAISE EXCEPTION 'session % of register %', p->>'session_id', p->>'register_id' USING ERRCODE = 'TL405',
            DETAIL = format('%s of register %s', p->>'session_id', p->>'register_id');
    END IF;
    -- A retry answers the first void, whatever happened since (the session closed); an id used
    -- by another session's void is a conflict, never an answer about that session.
    SELECT v.request_hash, v.session_id INTO v_hash, v_other FROM voids v WHERE v.id = v_id;
    IF FOUND THEN
        IF v_hash <> p->>'request_hash' OR v_other <> v_session.id THEN
            RAISE EXCEPTION 'void id % was already used for another void', v_id USING ERRCODE = 'TL409';
        END IF;
        repeated := true;
        RETURN;
    END IF;
    PERFORM till_session_takes_trade(v_session);
    -- The size first: a huge array is refused before anything is priced.
    IF jsonb_typeof(p->'lines') IS DISTINCT FROM 'array' OR jsonb_array_length(p->'lines') NOT BETWEEN 1 AND 500 THEN
        RAISE EXCEPTION 'a void takes off 1 to 500 lines' USING ERRCODE = 'TL002';
    END IF;
    -- Each line priced from the location's catalog in one read: [product, quantity, unit price],
    -- in the till's order (a product of another location, or none, prices as NULL).
    BEGIN
        SELECT count(*), count(pr.id), count(*) FILTER (WHERE x.quantity IS NULL OR x.quantity NOT BETWEEN 1 AND 10000),
               coalesce(sum(pr.price_minor::numeric * x.quantity), 0),
               coalesce(jsonb_agg(jsonb_build_array(pr.id, x.quantity, pr.price_minor) ORDER BY l.n), '[]'::jsonb)
          INTO v_count, v_known, v_bad, v_amount, v_priced
          FROM jsonb_array_elements(p->'lines') WITH ORDINALITY AS l(line, n)
          CROSS JOIN LATERAL jsonb_to_record(l.line) AS x(product_id uuid, quantity integer)
          LEFT JOIN products pr ON pr.id = x.product_id AND pr.location_id = v_session.location_id;
    EXCEPTION WHEN data_exception THEN
        RAISE EXCEPTION 'a void''s lines are {product_id, quantity} objects' USING ERRCODE = 'TL002';
    END;
    IF v_count NOT BETWEEN 1 AND 500 THEN
        RAISE EXCEPTION 'a void takes off 1 to 500 lines, not %', v_count USING ERRCODE = 'TL002';
    END IF;
    IF v_bad > 0 THEN
        RAISE EXCEPTION 'a void''s quantities are whole numbers from 1 to 10000' USING ERRCODE = 'TL002';
    END IF;
    IF v_known < v_count THEN
        RAISE EXCEPTION '% line(s) of the void name no product of this location', v_count - v_known
            USING ERRCODE = 'TL426';
    END IF;
    v_at := clock_timestamp();
    INSERT INTO voids (id, session_id, register_id, location_id, kind, amount, user_id, user_name, device, at,
                       request_hash)
    VALUES (v_id, v_session.id, v_session.register_id, v_session.location_id, p->>'kind', v_amount, v_user.id,
            v_user.name, p->>'device', v_at, p->>'request_hash');
    INSERT INTO void_lines (void_id, line_no, location_id, product_id, quantity, unit_price, amount)
    SELECT v_id, (l.n - 1)::integer, v_session.location_id, (l.line->>0)::uuid, (l.line->>1)::integer,
           (l.line->>2)::bigint, (l.line->>2)::bigint * (l.line->>1)::integer
      FROM jsonb_array_elements(v_priced) WITH ORDINALITY AS l(line, n);
    UPDATE sessions s SET void_count = s.void_count + 1, void_total = s.void_total + v_amount
     WHERE s.id = v_session.id;
    PERFORM till_journal_append(v_session.register_id, v_at, p->>'device', v_user.id, 'void', v_id,
        jsonb_build_object('id', v_id, 'session_id', v_session.id, 'kind', p->>'kind', 'amount', v_amount,
                           'lines', v_priced));
    repeated := false;
END;
$fn$;
REVOKE ALL ON FUNCTION till_record_void(jsonb) FROM PUBLIC;
