-- Opens the register's session, or joins the one open: the one path, ordered by the register's
-- row lock. p: request_id (the new session's id), register_id, login (whoever acts: never a
-- user id), opening_cash (absent: join only), device, notes. The time is the database's.
-- SQLSTATEs: TL001 isolation level, TL002 amount, TL404 register, TL407 nothing to join, TL408
-- user inactive, TL409 request id reused, TL435 the open session is forgotten, TL442 not logged
-- in, TL444 role not bound here.
CREATE OR REPLACE FUNCTION till_start_shift(p jsonb, OUT session sessions, OUT joined boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT
AS $fn$
DECLARE
    p_session_id uuid := (p->>'request_id')::uuid;
    p_register_id uuid := (p->>'register_id')::uuid;
    p_opening_cash bigint := (p->>'opening_cash')::bigint;
    p_device text := p->>'device';
    p_notes text := p->>'notes';
    p_user_id uuid;
    v_location uuid;
    v_location_code text;
    v_register_code text;
    v_currency text;
    v_timezone text;
    v_cutoff integer;
    v_user_name text;
    v_at timestamptz;
    v_day date;
    v_repeat record;
    v_actor users;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'till_start_shift must run under READ COMMITTED, not %',
            current_setting('transaction_isolation') USING ERRCODE = 'TL001';
    END IF;
    IF p_opening_cash < 0 OR p_opening_cash > till_money_max() THEN
        RAISE EXCEPTION 'opening cash must be between 0 and 10^12 minor units' USING ERRCODE = 'TL002';
    END IF;
    -- (Assignments, not PERFORM: a simple expression, without an executor run.)
    p_notes := till_text('notes', p_notes, 500, true, false);

    -- A repeated request: the session it created (its id is the request id), or the one whose
    -- join it recorded. Answer the same, whatever happened to the session since; but only to
    -- the same user, on the same register, with the same opening cash. The answer writes
    -- nothing (0021: the app's resume and every retry of a recorded join cost a read): who asks
    -- is checked as for any call, without the lock and touch that only a write needs. The
    -- session and who made the recorded join come in one statement (issue 21: a resume is
    -- mostly the cost of its statements).
    SELECT s AS found,
           ARRAY(SELECT j.user_id FROM session_joins j WHERE j.request_id = p_session_id
                 UNION ALL
                 SELECT q.user_id FROM shift_requests q WHERE q.request_id = p_session_id) AS joined_by
      INTO v_repeat
      FROM sessions s
     WHERE s.id = p_session_id
        OR s.id = (SELECT j.session_id FROM session_joins j WHERE j.request_id = p_session_id)
        OR s.id = (SELECT q.session_id FROM shift_requests q WHERE q.request_id = p_session_id);
    IF FOUND THEN
        session := v_repeat.found;
        p_user_id := (till_actor(p->>'login', p_device, p_register_id, false, false)).id;
        joined := session.id <> p_session_id;
        IF session.register_id <> p_register_id
           OR (NOT joined AND (session.opened_by <> p_user_id
                               OR session.opening_cash IS DISTINCT FROM p_opening_cash))
           OR (joined AND NOT p_user_id = ANY (v_repeat.joined_by))
        THEN
            RAISE EXCEPTION 'request % was already used for a different request', p_session_id
                USING ERRCODE = 'TL409';
        END IF;
        RETURN;
    END IF;
    v_actor := till_actor(p->>'login', p_device, p_register_id);
    p_user_id := v_actor.id;
    v_user_name := v_actor.name;

    -- At most two rounds: a session found open can be closed before the join locks it; the
    -- second round then holds the register lock, so no new session can appear meanwhile.
    FOR round IN 1..3 LOOP
        -- Fast path, no lock: the register's open session.
        SELECT s.* INTO session FROM sessions s
         WHERE s.register_id = p_register_id AND s.status = 'open';

        IF NOT FOUND THEN
            SELECT r.location_id, l.code, r.code, l.currency, l.timezone, l.cutoff_minutes
              INTO v_location, v_location_code, v_register_code, v_currency, v_timezone, v_cutoff
              FROM registers r JOIN locations l ON l.id = r.location_id
             WHERE r.id = p_register_id
               FOR NO KEY UPDATE OF r;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'register % not found', p_register_id USING ERRCODE = 'TL404', DETAIL = p_register_id::text;
            END IF;

            -- A new statement, a new snapshot: sees a session the previous lock holder committed.
            SELECT s.* INTO session FROM sessions s
             WHERE s.register_id = p_register_id AND s.status = 'open';

            IF NOT FOUND THEN
                -- No opening cash means "join only": never open a drawer without a float.
                IF p_opening_cash IS NULL THEN
                    RAISE EXCEPTION 'register % has no open session to join', p_register_id
                        USING ERRCODE = 'TL407';
                END IF;
                v_at := clock_timestamp();
                v_day := till_business_day(v_at, v_timezone, v_cutoff);
                -- The day's next number and the session, in one statement of the same transaction.
                WITH counter AS (
                    INSERT INTO day_counters AS c (location_id, business_day, last_seq)
                    VALUES (v_location, v_day, 1)
                    ON CONFLICT (location_id, business_day) DO UPDATE SET last_seq = c.last_seq + 1
                    RETURNING c.last_seq
                )
                INSERT INTO sessions (id, register_id, register_code, location_code, currency,
                                      location_id, business_day, day_seq, number, status, opened_by,
                                      opened_by_name, opened_at, opening_device, opening_cash, notes)
                SELECT p_session_id, p_register_id, v_register_code, v_location_code, v_currency,
                       v_location, v_day, counter.last_seq,
                       v_location_code || '-' || to_char(v_day::timestamp, 'YYYYMMDD') || '-'
                           || lpad(counter.last_seq::text, greatest(3, length(counter.last_seq::text)), '0'),
                       'open', p_user_id, v_user_name, v_at, p_device, p_opening_cash, p_notes
                  FROM counter
                RETURNING * INTO session;
                joined := false;
                RETURN;
            END IF;
        END IF;

        -- Joining. A repeat join of the same user and device records only its request id: the
        -- session was open when read, so the answer is ordered before any close. Its commit
        -- does not wait for the WAL flush: the record only serves a retry of this exact
        -- request, and the join itself is already durable (a crash within the flush delay at
        -- worst makes such a retry a new request).
        -- Never into a forgotten session (till_session_forgotten, the one rule): a manager
        -- force-closes it first, so one business day's sales never run into the next's Z.
        IF till_session_forgotten(session) THEN
            RAISE EXCEPTION 'session % is forgotten', session.number
                USING ERRCODE = 'TL435', DETAIL = session.number, HINT = session.business_day::text;
        END IF;
        joined := true;
        PERFORM 1 FROM session_joins j
         WHERE j.session_id = session.id AND j.user_id = p_user_id AND j.device = p_device;
        IF FOUND THEN
            PERFORM set_config('synchronous_commit', 'off', true);
            INSERT INTO shift_requests (request_id, session_id, user_id, at)
            VALUES (p_session_id, session.id, p_user_id, clock_timestamp())
            ON CONFLICT (request_id) DO NOTHING;
            RETURN;
        END IF;
        -- A first join writes: lock the session FOR SHARE (a close's UPDATE then waits for this
        -- transaction) and re-check, in a new snapshot, that it is still open.
        SELECT s.* INTO session FROM sessions s
         WHERE s.id = session.id AND s.status = 'open'
           FOR SHARE;
        IF FOUND THEN
            INSERT INTO session_joins (session_id, user_id, device, joined_at, request_id)
            VALUES (session.id, p_user_id, p_device, clock_timestamp(), p_session_id)
            ON CONFLICT (session_id, user_id, device) DO NOTHING;
            RETURN;
        END IF;
        -- Closed between the read and the lock: look again.
    END LOOP;
    RAISE EXCEPTION 'register % kept changing; try again', p_register_id USING ERRCODE = '40001';
END;
$fn$;
REVOKE ALL ON FUNCTION till_start_shift(jsonb) FROM PUBLIC;
