-- expand: cash movements, Z reports made by the close, and the tamper-evident journal
-- (tables in 0011). Re-run by `tillctl migrate --repair-functions`.
--
-- The journal: every event is appended by till_journal_append, in the event's own transaction,
-- to its register's hash chain. Session opens, joins and closes are appended by triggers on
-- their rows, so every close path (this file's till_close_session, and 0004's till_close_shift
-- that older Tills call) journals and makes its Z alike; receipts and movements append in their
-- functions, once their rows are all written.
-- SQLSTATEs (besides 0004's and 0010's): TL430 a variance above the location's limit needs a
-- manager's sign-off with a reason (after a refused count), TL431 a cash movement's reason is not
-- one of the location's, TL432 a paid out or drop above the location's limit needs a manager,
-- TL433 no count is pending, TL434 a force-close of a session that is not forgotten.

SELECT pg_catalog.set_config('search_path', pg_catalog.quote_ident(pg_catalog.current_schema()) || ', pg_temp', true);

-- Appends one entry to a register's chain; the chain's head row serialises appends (held to
-- the end of the transaction, so chains never fork). Owner only: called by Till's functions
-- and triggers, never by a terminal.
CREATE OR REPLACE FUNCTION till_journal_append(
    p_chain uuid, p_at timestamptz, p_device text, p_user uuid, p_event text, p_ref uuid, p_payload jsonb,
    OUT seq bigint, OUT hash text)
LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT
AS $fn$
DECLARE
    v_prev text;
    v_body text;
BEGIN
    SELECT h.seq, h.hash INTO seq, v_prev FROM journal_heads h WHERE h.chain_id = p_chain FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO journal_heads (chain_id, seq, hash) VALUES (p_chain, 0, repeat('0', 64)) ON CONFLICT DO NOTHING;
        SELECT h.seq, h.hash INTO seq, v_prev FROM journal_heads h WHERE h.chain_id = p_chain FOR UPDATE;
    END IF;
    seq := seq + 1;
    v_body := jsonb_build_object(
        'chain', p_chain, 'seq', seq,
        'at', to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        'device', p_device, 'user', p_user, 'event', p_event, 'ref', p_ref, 'payload', p_payload)::text;
    hash := encode(sha256(convert_to(v_prev || v_body, 'UTF8')), 'hex');
    INSERT INTO journal (chain_id, seq, at, device, user_id, event, ref_id, body, prev_hash, hash)
    VALUES (p_chain, seq, p_at, p_device, p_user, p_event, p_ref, v_body, v_prev, hash);
    UPDATE journal_heads h SET seq = till_journal_append.seq, hash = till_journal_append.hash WHERE h.chain_id = p_chain;
END;
$fn$;
REVOKE ALL ON FUNCTION till_journal_append(uuid, timestamptz, text, uuid, text, uuid, jsonb) FROM PUBLIC;

-- A session opened: journaled with its opening cash and the float the last close left.
CREATE OR REPLACE FUNCTION till_journal_session_open() RETURNS trigger
LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT
AS $fn$
BEGIN
    PERFORM till_journal_append(NEW.register_id, NEW.opened_at, NEW.opening_device, NEW.opened_by, 'session_open',
        NEW.id, jsonb_build_object('id', NEW.id, 'number', NEW.number, 'opening_cash', NEW.opening_cash,
                                   'float_expected', NEW.float_expected));
    RETURN NULL;
END;
$fn$;
REVOKE ALL ON FUNCTION till_journal_session_open() FROM PUBLIC;
CREATE OR REPLACE TRIGGER sessions_journal_open AFTER INSERT ON sessions
    FOR EACH ROW EXECUTE FUNCTION till_journal_session_open();

CREATE OR REPLACE FUNCTION till_journal_session_join() RETURNS trigger
LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT
AS $fn$
BEGIN
    PERFORM till_journal_append(s.register_id, NEW.joined_at, NEW.device, NEW.user_id, 'session_join', NEW.session_id,
        jsonb_build_object('session_id', NEW.session_id, 'user_id', NEW.user_id))
       FROM sessions s WHERE s.id = NEW.session_id;
    RETURN NULL;
END;
$fn$;
REVOKE ALL ON FUNCTION till_journal_session_join() FROM PUBLIC;
CREATE OR REPLACE TRIGGER session_joins_journal AFTER INSERT ON session_joins
    FOR EACH ROW EXECUTE FUNCTION till_journal_session_join();

-- A session closed, by any path: journal the close, make its Z (the next number of the
-- register's gapless sequence, the grand totals moved by this session's, the journal's head
-- at the close as the anchor), and journal the Z. All in the close's transaction.
CREATE OR REPLACE FUNCTION till_journal_session_close() RETURNS trigger
LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT
AS $fn$
DECLARE
    v_close record;
    v_z register_z_counters%ROWTYPE;
    v_first text;
    v_last text;
BEGIN
    v_close := till_journal_append(NEW.register_id, NEW.closed_at, NEW.closing_device, NEW.closed_by, 'session_close',
        NEW.id, jsonb_build_object('id', NEW.id, 'number', NEW.number, 'counted_cash', NEW.counted_cash,
                                   'expected_cash', NEW.expected_cash, 'variance', NEW.variance,
                                   'variance_reason', NEW.variance_reason, 'approved_by', NEW.approved_by,
                                   'cash_removed', NEW.cash_removed, 'float_left', NEW.float_left,
                                   'count_pending', NEW.count_pending, 'force_close_reason', NEW.force_close_reason));
    INSERT INTO register_z_counters AS c (register_id, last_z, grand_sales, grand_refunds)
    VALUES (NEW.register_id, 1, NEW.sales_total, NEW.refunds_total)
    ON CONFLICT (register_id) DO UPDATE
        SET last_z = c.last_z + 1, grand_sales = c.grand_sales + excluded.grand_sales,
            grand_refunds = c.grand_refunds + excluded.grand_refunds
    RETURNING c.* INTO v_z;
    SELECT x.number INTO v_first FROM sales x WHERE x.session_id = NEW.id ORDER BY x.receipt_seq LIMIT 1;
    SELECT x.number INTO v_last FROM sales x WHERE x.session_id = NEW.id ORDER BY x.receipt_seq DESC LIMIT 1;
    INSERT INTO z_reports (register_id, z_number, session_id, at, first_receipt, last_receipt, grand_sales,
                           grand_refunds, journal_seq, journal_head)
    VALUES (NEW.register_id, v_z.last_z, NEW.id, NEW.closed_at, v_first, v_last, v_z.grand_sales, v_z.grand_refunds,
            v_close.seq, v_close.hash);
    PERFORM till_journal_append(NEW.register_id, NEW.closed_at, NEW.closing_device, NEW.closed_by, 'z_report', NEW.id,
        jsonb_build_object('z_number', v_z.last_z, 'session_id', NEW.id, 'first_receipt', v_first,
                           'last_receipt', v_last, 'sales_total', NEW.sales_total, 'refunds_total', NEW.refunds_total,
                           'cash_net', NEW.cash_net, 'grand_sales', v_z.grand_sales,
                           'grand_refunds', v_z.grand_refunds, 'journal_seq', v_close.seq,
                           'journal_head', v_close.hash));
    RETURN NULL;
END;
$fn$;
REVOKE ALL ON FUNCTION till_journal_session_close() FROM PUBLIC;
CREATE OR REPLACE TRIGGER sessions_journal_close AFTER UPDATE OF status ON sessions
    FOR EACH ROW WHEN (OLD.status = 'open' AND NEW.status = 'closed') EXECUTE FUNCTION till_journal_session_close();

-- The float carried over: a new session expects what the register's last close left in the
-- drawer (by any start path); the opening difference is opening_cash - float_expected.
CREATE OR REPLACE FUNCTION till_session_float_expected() RETURNS trigger
LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT
AS $fn$
BEGIN
    SELECT s.float_left INTO NEW.float_expected FROM sessions s
     WHERE s.register_id = NEW.register_id AND s.status = 'closed' ORDER BY s.closed_at DESC LIMIT 1;
    RETURN NEW;
END;
$fn$;
REVOKE ALL ON FUNCTION till_session_float_expected() FROM PUBLIC;
CREATE OR REPLACE TRIGGER sessions_float_expected BEFORE INSERT ON sessions
    FOR EACH ROW EXECUTE FUNCTION till_session_float_expected();

-- PIN failures, lockouts and unlocks belong to no register: they go to the staff chain (the
-- nil UUID), in the transaction that records them.
CREATE OR REPLACE FUNCTION till_journal_auth_event() RETURNS trigger
LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT
AS $fn$
BEGIN
    PERFORM till_journal_append('00000000-0000-0000-0000-000000000000', NEW.at, NEW.device, NEW.user_id, NEW.kind,
        NEW.id, jsonb_build_object('id', NEW.id, 'user_id', NEW.user_id, 'kind', NEW.kind, 'detail', NEW.detail));
    RETURN NULL;
END;
$fn$;
REVOKE ALL ON FUNCTION till_journal_auth_event() FROM PUBLIC;
CREATE OR REPLACE TRIGGER auth_events_journal AFTER INSERT ON auth_events
    FOR EACH ROW EXECUTE FUNCTION till_journal_auth_event();

-- Receipts: 0010's function, now also keeping the drawer's split totals and the sales per
-- category, checking its cash, and appending its journal entry.
CREATE OR REPLACE FUNCTION till_record_receipt(p jsonb, OUT number text, OUT receipt_seq bigint, OUT repeated boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT
AS $fn$
DECLARE
    v_id uuid := (p->>'id')::uuid;
    v_kind text := p->>'kind';
    v_session sessions%ROWTYPE;
    v_hash text;
    v_bad integer;
    v_at timestamptz;
    v_user_name text;
    v_register_code text;
    v_sign integer := CASE WHEN p->>'kind' = 'refund' THEN -1 ELSE 1 END;
    v_cash bigint;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'till_record_receipt must run under READ COMMITTED' USING ERRCODE = 'TL001';
    END IF;
    -- The session's row lock orders this receipt against a close, and repeats of one id
    -- against each other.
    SELECT * INTO v_session FROM sessions WHERE id = (p->>'session_id')::uuid FOR NO KEY UPDATE;
    IF NOT FOUND OR v_session.register_id <> (p->>'register_id')::uuid THEN
        RAISE EXCEPTION 'session % of register %', p->>'session_id', p->>'register_id' USING ERRCODE = 'TL405';
    END IF;
    SELECT s.request_hash, s.number, s.receipt_seq INTO v_hash, number, receipt_seq FROM sales s WHERE s.id = v_id;
    IF FOUND THEN
        IF v_hash <> p->>'request_hash' THEN
            RAISE EXCEPTION 'receipt id % was already used for another receipt', v_id USING ERRCODE = 'TL409';
        END IF;
        repeated := true;
        RETURN;
    END IF;
    IF v_session.status <> 'open' THEN
        RAISE EXCEPTION 'session % was closed', v_session.number USING ERRCODE = 'TL421', DETAIL = v_session.number;
    END IF;
    SELECT u.name INTO v_user_name FROM users u WHERE u.id = (p->>'user_id')::uuid AND u.active;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'user % is not active', p->>'user_id' USING ERRCODE = 'TL408';
    END IF;
    IF p->>'approved_by' IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM users u WHERE u.id = (p->>'approved_by')::uuid AND u.active AND u.role IN ('manager', 'admin')) THEN
        RAISE EXCEPTION 'approver % is not an active manager', p->>'approved_by' USING ERRCODE = 'TL403';
    END IF;

    IF v_kind = 'sale' THEN
        SELECT count(*) INTO v_bad
          FROM jsonb_to_recordset(p->'lines') AS l(product_id uuid, catalog_unit_price bigint, tax_rate_id uuid, rate_ppm integer)
          LEFT JOIN products pr ON pr.id = l.product_id AND pr.location_id = v_session.location_id AND pr.active
                               AND pr.price_minor = l.catalog_unit_price AND pr.tax_rate_id = l.tax_rate_id
          LEFT JOIN tax_rates t ON t.id = l.tax_rate_id AND t.rate_ppm = l.rate_ppm
         WHERE pr.id IS NULL OR t.id IS NULL;
        IF v_bad > 0 THEN
            RAISE EXCEPTION '% line(s) priced from a catalog that has changed since', v_bad USING ERRCODE = 'TL422';
        END IF;
    ELSE
        -- The original: a sale of this location.
        PERFORM 1 FROM sales o WHERE o.id = (p->>'refund_of')::uuid AND o.kind = 'sale'
                                 AND o.location_id = v_session.location_id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'sale % is not one of this location''s', p->>'refund_of' USING ERRCODE = 'TL425';
        END IF;
    END IF;
    -- The receipt adds up: lines to the total and tax, taxes to the tax, tenders to what was tendered.
    IF (SELECT coalesce(sum((l->>'total')::bigint), -1) FROM jsonb_array_elements(p->'lines') l) <> (p->>'total')::bigint
       OR (SELECT coalesce(sum((l->>'tax')::bigint), -1) FROM jsonb_array_elements(p->'lines') l) <> (p->>'tax')::bigint
       OR (SELECT coalesce(sum((t->>'tax')::bigint), 0) FROM jsonb_array_elements(p->'taxes') t) <> (p->>'tax')::bigint
       OR (SELECT coalesce(sum((t->>'amount')::bigint), 0) FROM jsonb_array_elements(p->'tenders') t) <> (p->>'tendered')::bigint THEN
        RAISE EXCEPTION 'receipt % does not add up', v_id USING ERRCODE = 'TL423';
    END IF;
    -- What it adds to the drawer follows from its cash tenders, never from the caller's word:
    -- a sale's change comes only from its cash; a cash refund takes its cash out.
    SELECT coalesce(sum((t->>'amount')::bigint), 0) INTO v_cash
      FROM jsonb_array_elements(p->'tenders') t WHERE t->>'kind' = 'cash';
    IF (p->>'cash_net')::bigint <> (CASE WHEN v_kind = 'sale' THEN v_cash - (p->>'change')::bigint ELSE -v_cash END)
       OR (v_kind = 'sale' AND (p->>'change')::bigint > v_cash) THEN
        RAISE EXCEPTION 'receipt % does not add up: its cash', v_id USING ERRCODE = 'TL423';
    END IF;

    INSERT INTO register_counters AS c (register_id, last_receipt) VALUES (v_session.register_id, 1)
        ON CONFLICT (register_id) DO UPDATE SET last_receipt = c.last_receipt + 1
        RETURNING c.last_receipt INTO receipt_seq;
    number := v_session.location_code || '-' || v_session.register_code || '-'
              || lpad(receipt_seq::text, greatest(6, length(receipt_seq::text)), '0');
    v_at := clock_timestamp();

    INSERT INTO sales (id, kind, number, register_id, location_id, receipt_seq, session_id, refund_of, user_id,
                       user_name, device, at, currency, prices_include_tax, subtotal, discount, tax, total, rounding,
                       tendered, change, cash_net, request_hash, approved_by)
    VALUES (v_id, v_kind, number, v_session.register_id, v_session.location_id, receipt_seq, v_session.id,
            (p->>'refund_of')::uuid, (p->>'user_id')::uuid, v_user_name, p->>'device', v_at, v_session.currency,
            (p->>'prices_include_tax')::boolean, (p->>'subtotal')::bigint, (p->>'discount')::bigint,
            (p->>'tax')::bigint, (p->>'total')::bigint, (p->>'rounding')::bigint, (p->>'tendered')::bigint,
            (p->>'change')::bigint, (p->>'cash_net')::bigint, p->>'request_hash', (p->>'approved_by')::uuid);
    INSERT INTO sale_lines (sale_id, line_no, product_id, sku, name, category, tax_rate_id, rate_ppm, quantity,
                            catalog_unit_price, unit_price, extended, line_discount, receipt_discount, amount, tax,
                            total, refund_of_line)
    SELECT v_id, l.line_no, l.product_id, l.sku, l.name, l.category, l.tax_rate_id, l.rate_ppm, l.quantity,
           l.catalog_unit_price, l.unit_price, l.extended, l.line_discount, l.receipt_discount, l.amount, l.tax,
           l.total, l.refund_of_line
      FROM jsonb_to_recordset(p->'lines') AS l(line_no integer, product_id uuid, sku text, name text, category text,
           tax_rate_id uuid, rate_ppm integer, quantity integer, catalog_unit_price bigint, unit_price bigint,
           extended bigint, line_discount bigint, receipt_discount bigint, amount bigint, tax bigint, total bigint,
           refund_of_line integer);
    INSERT INTO sale_tenders (sale_id, n, kind, amount, reference)
    SELECT v_id, t.n, t.kind, t.amount, t.reference
      FROM jsonb_to_recordset(p->'tenders') AS t(n integer, kind text, amount bigint, reference text);
    INSERT INTO sale_taxes (sale_id, tax_rate_id, name, rate_ppm, net, tax, gross)
    SELECT v_id, t.tax_rate_id, t.name, t.rate_ppm, t.net, t.tax, t.gross
      FROM jsonb_to_recordset(p->'taxes') AS t(tax_rate_id uuid, name text, rate_ppm integer, net bigint, tax bigint, gross bigint);

    IF v_kind = 'refund' THEN
        -- What was sold comes from the original's rows, never from the caller; the CHECK on
        -- line_refunds refuses more than that, however many refunds race for one line.
        INSERT INTO line_refunds AS r (sale_id, line_no, sold_quantity, refunded_quantity, sold_total, refunded_total,
                                       sold_tax, refunded_tax)
        SELECT o.sale_id, o.line_no, o.quantity, l.quantity, o.total, l.total, o.tax, l.tax
          FROM jsonb_to_recordset(p->'lines') AS l(refund_of_line integer, quantity integer, total bigint, tax bigint)
          JOIN sale_lines o ON o.sale_id = (p->>'refund_of')::uuid AND o.line_no = l.refund_of_line
        ON CONFLICT (sale_id, line_no) DO UPDATE
            SET refunded_quantity = r.refunded_quantity + excluded.refunded_quantity,
                refunded_total = r.refunded_total + excluded.refunded_total,
                refunded_tax = r.refunded_tax + excluded.refunded_tax;
        GET DIAGNOSTICS v_bad = ROW_COUNT;
        IF v_bad <> jsonb_array_length(p->'lines') THEN
            RAISE EXCEPTION 'a refunded line is not on sale %', p->>'refund_of' USING ERRCODE = 'TL424';
        END IF;
    END IF;

    UPDATE sessions s SET
        cash_net        = s.cash_net + (p->>'cash_net')::bigint,
        sales_count     = s.sales_count + CASE WHEN v_kind = 'sale' THEN 1 ELSE 0 END,
        refunds_count   = s.refunds_count + CASE WHEN v_kind = 'refund' THEN 1 ELSE 0 END,
        sales_total     = s.sales_total + CASE WHEN v_kind = 'sale' THEN (p->>'total')::bigint ELSE 0 END,
        refunds_total   = s.refunds_total + CASE WHEN v_kind = 'refund' THEN (p->>'total')::bigint ELSE 0 END,
        discounts_total = s.discounts_total + v_sign * (p->>'discount')::bigint,
        discounts_count = s.discounts_count + CASE WHEN v_kind = 'sale' AND (p->>'discount')::bigint > 0 THEN 1 ELSE 0 END,
        tax_total       = s.tax_total + v_sign * (p->>'tax')::bigint,
        rounding_total  = s.rounding_total + v_sign * (p->>'rounding')::bigint,
        cash_sales      = s.cash_sales + CASE WHEN v_kind = 'sale' THEN v_cash ELSE 0 END,
        change_given    = s.change_given + CASE WHEN v_kind = 'sale' THEN (p->>'change')::bigint ELSE 0 END,
        cash_refunds    = s.cash_refunds + CASE WHEN v_kind = 'refund' THEN v_cash ELSE 0 END
     WHERE s.id = v_session.id;
    INSERT INTO session_tender_totals AS x (session_id, kind, count, amount)
    SELECT v_session.id, t.kind, count(*), v_sign * sum(t.amount)
      FROM jsonb_to_recordset(p->'tenders') AS t(kind text, amount bigint) GROUP BY t.kind
    ON CONFLICT (session_id, kind) DO UPDATE SET count = x.count + excluded.count, amount = x.amount + excluded.amount;
    INSERT INTO session_tax_totals AS x (session_id, tax_rate_id, name, rate_ppm, net, tax, gross)
    SELECT v_session.id, t.tax_rate_id, t.name, t.rate_ppm, v_sign * t.net, v_sign * t.tax, v_sign * t.gross
      FROM jsonb_to_recordset(p->'taxes') AS t(tax_rate_id uuid, name text, rate_ppm integer, net bigint, tax bigint, gross bigint)
    ON CONFLICT (session_id, tax_rate_id) DO UPDATE
        SET net = x.net + excluded.net, tax = x.tax + excluded.tax, gross = x.gross + excluded.gross;
    INSERT INTO session_category_totals AS x (session_id, category, count, amount)
    SELECT v_session.id, l.category, v_sign * sum(l.quantity), v_sign * sum(l.amount)
      FROM jsonb_to_recordset(p->'lines') AS l(category text, quantity integer, amount bigint) GROUP BY l.category
    ON CONFLICT (session_id, category) DO UPDATE SET count = x.count + excluded.count, amount = x.amount + excluded.amount;
    -- The journal entry, in this transaction: what the receipt says, as the rows hold it.
    PERFORM till_journal_append(v_session.register_id, v_at, p->>'device', (p->>'user_id')::uuid, v_kind, v_id,
        jsonb_build_object(
            'id', v_id, 'number', number, 'kind', v_kind, 'session_id', v_session.id, 'refund_of', to_jsonb((p->>'refund_of')::uuid),
            'total', (p->>'total')::bigint, 'tax', (p->>'tax')::bigint, 'discount', (p->>'discount')::bigint,
            'rounding', (p->>'rounding')::bigint, 'tendered', (p->>'tendered')::bigint,
            'change', (p->>'change')::bigint, 'cash_net', (p->>'cash_net')::bigint, 'approved_by', to_jsonb((p->>'approved_by')::uuid),
            'lines', (SELECT jsonb_agg(jsonb_build_array(l.line_no, l.product_id, l.quantity, l.unit_price, l.amount,
                                                         l.tax, l.total) ORDER BY l.line_no)
                        FROM jsonb_to_recordset(p->'lines') AS l(line_no integer, product_id uuid, quantity integer,
                             unit_price bigint, amount bigint, tax bigint, total bigint)),
            'tenders', coalesce((SELECT jsonb_agg(jsonb_build_array(t.kind, t.amount, t.reference) ORDER BY t.n)
                        FROM jsonb_to_recordset(p->'tenders') AS t(n integer, kind text, amount bigint, reference text)),
                        '[]'::jsonb)));
    repeated := false;
END;
$fn$;
REVOKE ALL ON FUNCTION till_record_receipt(jsonb) FROM PUBLIC;

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
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'till_record_cash_movement must run under READ COMMITTED' USING ERRCODE = 'TL001';
    END IF;
    SELECT * INTO v_session FROM sessions WHERE id = (p->>'session_id')::uuid FOR NO KEY UPDATE;
    IF NOT FOUND OR v_session.register_id <> (p->>'register_id')::uuid THEN
        RAISE EXCEPTION 'session % of register %', p->>'session_id', p->>'register_id' USING ERRCODE = 'TL405';
    END IF;
    SELECT m.request_hash INTO v_hash FROM cash_movements m WHERE m.id = v_id;
    IF FOUND THEN
        IF v_hash <> p->>'request_hash' THEN
            RAISE EXCEPTION 'cash movement id % was already used for another movement', v_id USING ERRCODE = 'TL409';
        END IF;
        repeated := true;
        RETURN;
    END IF;
    IF v_session.status <> 'open' THEN
        RAISE EXCEPTION 'session % was closed', v_session.number USING ERRCODE = 'TL421', DETAIL = v_session.number;
    END IF;
    IF v_amount IS NULL OR v_amount < 0 OR v_amount > 1000000000000 OR (v_kind = 'no_sale') <> (v_amount = 0) THEN
        RAISE EXCEPTION 'amount % for a %', v_amount, v_kind USING ERRCODE = 'TL002';
    END IF;
    SELECT u.name INTO v_user_name FROM users u WHERE u.id = (p->>'user_id')::uuid AND u.active;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'user % is not active', p->>'user_id' USING ERRCODE = 'TL408';
    END IF;
    PERFORM 1 FROM cash_reasons r
     WHERE r.location_id = v_session.location_id AND r.kind = v_kind AND r.code = p->>'reason';
    IF NOT FOUND THEN
        RAISE EXCEPTION 'reason % is not one of this location''s for a %', p->>'reason', v_kind USING ERRCODE = 'TL431';
    END IF;
    -- Above the location's limit, a paid out or a drop names the manager who approved it.
    SELECT l.cash_out_limit_minor INTO v_limit FROM locations l WHERE l.id = v_session.location_id;
    IF v_kind IN ('paid_out', 'drop') AND v_amount > v_limit AND NOT EXISTS (
        SELECT 1 FROM users u WHERE u.id = (p->>'approved_by')::uuid AND u.active AND u.role IN ('manager', 'admin'))
    THEN
        RAISE EXCEPTION 'a % above % needs a manager', v_kind, v_limit USING ERRCODE = 'TL432';
    END IF;
    v_at := clock_timestamp();
    INSERT INTO cash_movements (id, session_id, register_id, location_id, kind, amount, reason, note, user_id,
                                user_name, approved_by, device, at, request_hash)
    VALUES (v_id, v_session.id, v_session.register_id, v_session.location_id, v_kind, v_amount, p->>'reason',
            p->>'note', (p->>'user_id')::uuid, v_user_name, (p->>'approved_by')::uuid, p->>'device', v_at,
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
    PERFORM till_journal_append(v_session.register_id, v_at, p->>'device', (p->>'user_id')::uuid, v_kind, v_id,
        jsonb_build_object('id', v_id, 'session_id', v_session.id, 'kind', v_kind, 'amount', v_amount,
                           'reason', p->>'reason', 'note', p->>'note',
                           'approved_by', to_jsonb((p->>'approved_by')::uuid)));
    repeated := false;
END;
$fn$;
REVOKE ALL ON FUNCTION till_record_cash_movement(jsonb) FROM PUBLIC;

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
    v_limit bigint;
    v_expected bigint;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'till_close_session must run under READ COMMITTED' USING ERRCODE = 'TL001';
    END IF;
    IF v_counted IS NULL OR v_counted < 0 OR v_counted > 1000000000000
       OR v_float IS NULL OR v_float < 0 OR v_float > v_counted THEN
        RAISE EXCEPTION 'counted cash and float left must be between 0 and 10^12, the float at most the count'
            USING ERRCODE = 'TL002';
    END IF;
    SELECT * INTO v_row FROM sessions s WHERE s.id = v_session_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'session % not found', v_session_id USING ERRCODE = 'TL405';
    END IF;
    -- This very close, repeated (its answer was lost): answer it again, before any check of the
    -- user, who may have been deactivated since (as 0004's close does).
    IF v_row.status = 'closed' AND v_row.close_request_id = (p->>'request_id')::uuid THEN
        session := v_row;
        already_closed := false;
        RETURN;
    END IF;
    SELECT * INTO v_user FROM users u WHERE u.id = (p->>'user_id')::uuid;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'user % not found', p->>'user_id' USING ERRCODE = 'TL406';
    ELSIF NOT v_user.active THEN
        RAISE EXCEPTION 'user % is not active', v_user.name USING ERRCODE = 'TL408', DETAIL = v_user.name;
    ELSIF v_user.role NOT IN ('manager', 'admin') THEN
        RAISE EXCEPTION 'only a manager or admin may close a session; % is a %', v_user.name, v_user.role
            USING ERRCODE = 'TL403', DETAIL = v_user.name, HINT = v_user.role;
    END IF;
    IF v_row.status = 'closed' THEN
        session := v_row;
        already_closed := true;
        RETURN;
    END IF;
    v_expected := v_row.opening_cash + v_row.cash_net;
    SELECT l.variance_limit_minor INTO v_limit FROM locations l WHERE l.id = v_row.location_id;
    IF abs(v_counted - v_expected) > v_limit THEN
        -- A sign-off is accepted only after a refused count (till_refuse_count): the recount
        -- is not skipped.
        SELECT * INTO v_approver FROM users u
         WHERE u.id = (p->>'approved_by')::uuid AND u.active AND u.role IN ('manager', 'admin');
        IF NOT FOUND OR coalesce(length(trim(p->>'variance_reason')), 0) = 0 OR v_row.refused_counts < 1 THEN
            RAISE EXCEPTION 'the count is off by more than the location allows: count again, or a manager signs off with a reason'
                USING ERRCODE = 'TL430';
        END IF;
    END IF;
    INSERT INTO cash_counts (session_id, stage, denomination, count)
    SELECT v_session_id, 'close', (d->>'denomination')::bigint, (d->>'count')::integer
      FROM jsonb_array_elements(coalesce(p->'denominations', '[]'::jsonb)) d;
    UPDATE sessions s
       SET status = 'closed', closed_by = v_user.id, closed_by_name = v_user.name,
           -- A pinned time (tests, replays) may not lie in the future or before the opening.
           closed_at = greatest(s.opened_at, least(coalesce((p->>'at')::timestamptz, clock_timestamp()), clock_timestamp())),
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
    SELECT * INTO v_row FROM sessions s WHERE s.id = (p->>'session_id')::uuid FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'session % not found', p->>'session_id' USING ERRCODE = 'TL405';
    END IF;
    IF v_row.status = 'closed' THEN
        session := v_row;
        already_closed := v_row.close_request_id IS DISTINCT FROM (p->>'request_id')::uuid;
        RETURN;
    END IF;
    SELECT * INTO v_user FROM users u WHERE u.id = (p->>'user_id')::uuid AND u.active AND u.role IN ('manager', 'admin');
    IF NOT FOUND THEN
        RAISE EXCEPTION 'only an active manager may force-close a session' USING ERRCODE = 'TL403';
    END IF;
    -- Only a forgotten session: open longer than the location's limit, or from an earlier
    -- business day. A live drawer is closed with a count.
    IF NOT EXISTS (SELECT 1 FROM locations l WHERE l.id = v_row.location_id
                      AND (clock_timestamp() - v_row.opened_at > make_interval(mins => l.session_limit_minutes)
                           OR v_row.business_day < ((clock_timestamp() AT TIME ZONE l.timezone)
                                                    - make_interval(mins => l.cutoff_minutes))::date)) THEN
        RAISE EXCEPTION 'session % is not forgotten: close it with a count', v_row.number USING ERRCODE = 'TL434';
    END IF;
    UPDATE sessions s
       SET status = 'closed', closed_by = v_user.id, closed_by_name = v_user.name, closed_at = clock_timestamp(),
           closing_device = p->>'device', counted_cash = s.opening_cash + s.cash_net,
           expected_cash = s.opening_cash + s.cash_net, variance = 0, close_request_id = (p->>'request_id')::uuid,
           count_pending = true, force_close_reason = trim(p->>'reason')
     WHERE s.id = v_row.id
    RETURNING s.* INTO session;
    already_closed := false;
END;
$fn$;
REVOKE ALL ON FUNCTION till_force_close(jsonb) FROM PUBLIC;

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
    IF v_counted IS NULL OR v_counted < 0 OR v_counted > 1000000000000
       OR v_float IS NULL OR v_float < 0 OR v_float > v_counted THEN
        RAISE EXCEPTION 'counted cash and float left must be between 0 and 10^12, the float at most the count'
            USING ERRCODE = 'TL002';
    END IF;
    SELECT * INTO v_row FROM sessions s WHERE s.id = (p->>'session_id')::uuid FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'session % not found', p->>'session_id' USING ERRCODE = 'TL405';
    END IF;
    IF v_row.status = 'closed' AND NOT v_row.count_pending AND v_row.late_counted_by IS NOT NULL THEN
        session := v_row;
        repeated := true;
        RETURN;
    END IF;
    IF v_row.status <> 'closed' OR NOT v_row.count_pending THEN
        RAISE EXCEPTION 'session % has no count pending', v_row.number USING ERRCODE = 'TL433';
    END IF;
    SELECT * INTO v_user FROM users u WHERE u.id = (p->>'user_id')::uuid AND u.active AND u.role IN ('manager', 'admin');
    IF NOT FOUND THEN
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

-- A receipt printed again: counted on the register's open session (the X and Z show it) and
-- journaled.
CREATE OR REPLACE FUNCTION till_record_reprint(p jsonb)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT
AS $fn$
DECLARE
    v_row sessions%ROWTYPE;
    v_sale uuid;
    v_at timestamptz := clock_timestamp();
BEGIN
    SELECT * INTO v_row FROM sessions s WHERE s.id = (p->>'session_id')::uuid FOR NO KEY UPDATE;
    IF NOT FOUND OR v_row.status <> 'open' THEN
        RAISE EXCEPTION 'session % is not open', p->>'session_id' USING ERRCODE = 'TL421';
    END IF;
    SELECT x.id INTO v_sale FROM sales x WHERE x.number = p->>'number' AND x.location_id = v_row.location_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'receipt % is not one of this location''s', p->>'number' USING ERRCODE = 'TL425';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM users u WHERE u.id = (p->>'user_id')::uuid AND u.active) THEN
        RAISE EXCEPTION 'user % is not active', p->>'user_id' USING ERRCODE = 'TL408';
    END IF;
    UPDATE sessions s SET reprint_count = s.reprint_count + 1 WHERE s.id = v_row.id;
    PERFORM till_journal_append(v_row.register_id, v_at, p->>'device', (p->>'user_id')::uuid, 'reprint', v_sale,
        jsonb_build_object('session_id', v_row.id, 'number', p->>'number'));
END;
$fn$;
REVOKE ALL ON FUNCTION till_record_reprint(jsonb) FROM PUBLIC;

-- The opening count's notes and coins, recorded once for a session (a repeat changes nothing)
-- and journaled. The core checks they add up to the opening cash before it calls this.
CREATE OR REPLACE FUNCTION till_record_opening_count(p jsonb)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT
AS $fn$
DECLARE
    v_row sessions%ROWTYPE;
BEGIN
    SELECT * INTO v_row FROM sessions s WHERE s.id = (p->>'session_id')::uuid FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'session % not found', p->>'session_id' USING ERRCODE = 'TL405';
    END IF;
    IF EXISTS (SELECT 1 FROM cash_counts c WHERE c.session_id = v_row.id AND c.stage = 'open') THEN
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM users u WHERE u.id = (p->>'user_id')::uuid AND u.active) THEN
        RAISE EXCEPTION 'user % is not active', p->>'user_id' USING ERRCODE = 'TL408';
    END IF;
    INSERT INTO cash_counts (session_id, stage, denomination, count)
    SELECT v_row.id, 'open', (d->>'denomination')::bigint, (d->>'count')::integer
      FROM jsonb_array_elements(coalesce(p->'denominations', '[]'::jsonb)) d;
    PERFORM till_journal_append(v_row.register_id, clock_timestamp(), p->>'device', (p->>'user_id')::uuid,
        'opening_count', v_row.id, jsonb_build_object('session_id', v_row.id, 'denominations', p->'denominations'));
END;
$fn$;
REVOKE ALL ON FUNCTION till_record_opening_count(jsonb) FROM PUBLIC;

-- A count refused at close (variance above the limit, no sign-off yet): counted on the session
-- and journaled, in its own transaction, so every refused count leaves a trace and the
-- sign-off that may follow is accepted only after one.
CREATE OR REPLACE FUNCTION till_refuse_count(p jsonb)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT
AS $fn$
DECLARE
    v_row sessions%ROWTYPE;
    v_at timestamptz := clock_timestamp();
BEGIN
    SELECT * INTO v_row FROM sessions s WHERE s.id = (p->>'session_id')::uuid FOR NO KEY UPDATE;
    IF NOT FOUND OR v_row.status <> 'open' THEN
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM users u WHERE u.id = (p->>'user_id')::uuid AND u.active) THEN
        RAISE EXCEPTION 'user % is not active', p->>'user_id' USING ERRCODE = 'TL408';
    END IF;
    UPDATE sessions s SET refused_counts = s.refused_counts + 1 WHERE s.id = v_row.id;
    PERFORM till_journal_append(v_row.register_id, v_at, p->>'device', (p->>'user_id')::uuid, 'count_refused', v_row.id,
        jsonb_build_object('session_id', v_row.id, 'counted_cash', (p->>'counted_cash')::bigint,
                           'attempt', v_row.refused_counts + 1));
END;
$fn$;
REVOKE ALL ON FUNCTION till_refuse_count(jsonb) FROM PUBLIC;

-- 0004's close, still called by Tills older than this migration, now closes through
-- till_close_session: the variance rule holds for them too (an off count is refused; they must
-- be updated to sign it off), the float left is none, and the Z is made alike.
CREATE OR REPLACE FUNCTION till_close_shift(
    p_session_id uuid, p_request_id uuid, p_user_id uuid, p_counted_cash bigint, p_device text,
    p_at timestamptz, OUT session sessions, OUT already_closed boolean)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT
AS $fn$
    SELECT f.session, f.already_closed FROM till_close_session(jsonb_build_object(
        'session_id', p_session_id, 'request_id', p_request_id, 'user_id', p_user_id,
        'counted_cash', p_counted_cash, 'float_left', 0, 'device', p_device, 'at', p_at)) f
$fn$;
REVOKE ALL ON FUNCTION till_close_shift(uuid, uuid, uuid, bigint, text, timestamptz) FROM PUBLIC;

-- Terminals read the new tables and execute the new functions. Nobody but the owner may write
-- the journal: terminals get SELECT only, like every table.
CREATE OR REPLACE FUNCTION till_grant_terminal(p_role text)
RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT
AS $fn$
BEGIN
    EXECUTE pg_catalog.format('GRANT CONNECT ON DATABASE %I TO %I', pg_catalog.current_database(), p_role);
    EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA %I TO %I', pg_catalog.current_schema(), p_role);
    EXECUTE pg_catalog.format('GRANT SELECT ON TABLE locations, registers, users, sessions, session_joins, '
                   'auth_events, _sqlx_migrations, tax_rates, categories, products, product_barcodes, '
                   'sales, sale_lines, sale_tenders, sale_taxes, line_refunds, session_tender_totals, '
                   'session_tax_totals, session_category_totals, register_z_counters, cash_reasons, '
                   'cash_movements, cash_counts, z_reports, journal, journal_heads TO %I', p_role);
    EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION '
                   'till_start_shift(uuid, uuid, uuid, bigint, text, text, timestamptz), '
                   'till_close_shift(uuid, uuid, uuid, bigint, text, timestamptz), '
                   'till_lock_user(uuid, text), '
                   'till_set_pin_state(uuid, integer, integer, timestamptz, uuid[], text[], text[], text, timestamptz), '
                   'till_record_receipt(jsonb), till_record_cash_movement(jsonb), till_close_session(jsonb), '
                   'till_force_close(jsonb), till_late_count(jsonb), till_record_reprint(jsonb), '
                   'till_refuse_count(jsonb), till_record_opening_count(jsonb) '
                   'TO %I', p_role);
END;
$fn$;
REVOKE ALL ON FUNCTION till_grant_terminal(text) FROM PUBLIC;

SELECT till_grant_terminal(t.role_name) FROM terminal_roles t JOIN pg_catalog.pg_roles r ON r.rolname = t.role_name;
