-- Receipts: 0010's function, now also keeping the drawer's split totals and the sales per
-- category, checking its cash, and appending its journal entry. A refund says why (0019): a
-- kind from the list and a text ("other" needs one), checked as till-core's RefundReason::checked
-- does, stored on its row and journaled; a sale has no reason. A Till from before reasons sends no
-- reason key at all (a store upgrades one PC at a time): its refund says "none given". A sale's
-- changed price says why (0020): each line with a discount or new price, and a receipt discount,
-- through till_price_change_reason (stored on the rows and journaled). A card tender carries the
-- terminal's approval reference where the location requires one (0023; till-core's settle).
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
    v_user users%ROWTYPE;
    v_manager users%ROWTYPE;
    v_limit integer;
    v_include boolean;
    v_increment integer;
    v_card_reference boolean;
    v_reason_kind text;
    v_reason_text text;
    v_discount_reason_kind text;
    v_discount_reason_text text;
    v_overridden boolean;
    v_receipt_discount numeric;
    v_net numeric;
    v_discounted boolean;
    v_journal_lines jsonb;
    v_journal_reasons jsonb;
    v_journal_tenders jsonb;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'till_record_receipt must run under READ COMMITTED' USING ERRCODE = 'TL001';
    END IF;
    -- The session's row lock orders this receipt against a close, and repeats of one id
    -- against each other.
    -- Who acts, before any lock: a call without a live login locks nothing.
    v_user := till_session_actor(p, false);
    SELECT * INTO v_session FROM sessions WHERE id = (p->>'session_id')::uuid FOR NO KEY UPDATE;
    IF NOT FOUND OR v_session.register_id <> (p->>'register_id')::uuid THEN
        RAISE EXCEPTION 'session % of register %', p->>'session_id', p->>'register_id' USING ERRCODE = 'TL405',
            DETAIL = p->>'session_id';
    END IF;
    v_user_name := v_user.name;
    SELECT s.request_hash, s.number, s.receipt_seq INTO v_hash, number, receipt_seq FROM sales s WHERE s.id = v_id;
    IF FOUND THEN
        IF v_hash <> p->>'request_hash' THEN
            RAISE EXCEPTION 'receipt id % was already used for another receipt', v_id USING ERRCODE = 'TL409';
        END IF;
        repeated := true;
        RETURN;
    END IF;
    PERFORM till_session_takes_trade(v_session);
    -- A refund always answers to a manager; a sale when a price was overridden or a discount
    -- is above the location's limit (compared as till-core does, allowing its half-up rounding
    -- of a percentage: a discount the core accepts is never refused here).
    SELECT l.discount_limit_ppm, l.prices_include_tax, l.cash_rounding_minor, l.card_reference_required
      INTO v_limit, v_include, v_increment, v_card_reference
      FROM locations l WHERE l.id = v_session.location_id;
    -- (Nested: where the location does not require it, no statement is run.)
    IF v_card_reference THEN
        IF EXISTS (SELECT 1 FROM jsonb_array_elements(p->'tenders') t
                    WHERE t->>'kind' = 'card' AND coalesce(btrim(t->>'reference'), '') = '') THEN
            RAISE EXCEPTION 'this store records the card terminal''s approval reference of each card tender'
                USING ERRCODE = 'TL002';
        END IF;
    END IF;
    -- A sale's lines, read once for both questions (a refund's are not asked; a receipt of any
    -- other kind is asked them as a sale, as before, and refused further on).
    IF v_kind IS DISTINCT FROM 'refund' THEN
        SELECT coalesce(bool_or(l.unit_price <> l.catalog_unit_price
                                OR l.line_discount::numeric > round(l.extended::numeric * v_limit / 1000000)), false),
               coalesce(sum(l.receipt_discount), 0), coalesce(sum(l.extended::numeric - l.line_discount::numeric), 0)
          INTO v_overridden, v_receipt_discount, v_net
          FROM jsonb_to_recordset(p->'lines')
               AS l(unit_price bigint, catalog_unit_price bigint, extended bigint, line_discount bigint,
                    receipt_discount numeric);
    END IF;
    IF v_kind = 'refund' OR v_overridden OR v_receipt_discount > round(v_net * v_limit / 1000000) THEN
        v_manager := till_manager(CASE WHEN v_kind = 'refund' THEN 'refund' ELSE 'sale' END, p, v_user);
        IF v_manager.id IS NULL THEN
            RAISE EXCEPTION 'a % needs a manager''s approval', CASE WHEN v_kind = 'refund' THEN 'refund'
                ELSE 'price override or a discount above the limit' END USING ERRCODE = 'TL432';
        END IF;
    END IF;
    -- A refund's reason: a kind from the list, a text only as till-core allows it.
    IF v_kind = 'refund' AND NOT p ? 'refund_reason' THEN
        v_reason_kind := 'other';
        v_reason_text := 'none given (an older Till)';
    ELSIF v_kind = 'refund' THEN
        v_reason_kind := p->'refund_reason'->>'kind';
        IF v_reason_kind IS NULL OR v_reason_kind NOT IN ('damaged', 'wrong_item', 'changed_mind', 'price_match', 'other') THEN
            RAISE EXCEPTION 'a refund needs a reason from the list' USING ERRCODE = 'TL002';
        END IF;
        v_reason_text := NULLIF(btrim(till_text('reason', btrim(p->'refund_reason'->>'text'), 200, false, v_reason_kind = 'other')), '');
    ELSIF p->'refund_reason' IS NOT NULL AND jsonb_typeof(p->'refund_reason') <> 'null' THEN
        RAISE EXCEPTION 'a sale has no refund reason' USING ERRCODE = 'TL002';
    END IF;
    -- The receipt discount's reason (each line's is taken as its row is written), asked where
    -- there is one to judge, as a line's is: a receipt discount on a sale, or a reason given.
    v_discounted := v_kind = 'sale' AND v_receipt_discount > 0;
    IF v_discounted IS NOT FALSE OR coalesce(jsonb_typeof(p->'receipt_discount_reason'), 'null') <> 'null' THEN
        SELECT r.kind, r.text INTO v_discount_reason_kind, v_discount_reason_text
          FROM till_price_change_reason('the receipt', p->'receipt_discount_reason', p ? 'receipt_discount_reason',
                   v_discounted) r;
    END IF;
    -- Every figure follows from the lines (till_receipt_figures: till-core's rule, second copy).
    PERFORM till_receipt_figures(p, v_include, v_increment);

    IF v_kind = 'sale' THEN
        -- Each line is the catalog's product at the catalog's price and rate, printed under the
        -- product's own SKU, name and category (a 899.00 TV cannot be printed as a cable).
        SELECT count(*) INTO v_bad
          FROM jsonb_to_recordset(p->'lines') AS l(product_id uuid, catalog_unit_price bigint, tax_rate_id uuid,
               rate_ppm integer, sku text, name text, category text)
          LEFT JOIN products pr ON pr.id = l.product_id AND pr.location_id = v_session.location_id AND pr.active
                               AND pr.price_minor = l.catalog_unit_price AND pr.tax_rate_id = l.tax_rate_id
                               AND pr.sku = l.sku AND pr.name = l.name
                               AND coalesce((SELECT c.name FROM categories c WHERE c.id = pr.category_id), '')
                                   = l.category
          LEFT JOIN tax_rates t ON t.id = l.tax_rate_id AND t.rate_ppm = l.rate_ppm
         WHERE pr.id IS NULL OR t.id IS NULL;
        IF v_bad > 0 THEN
            RAISE EXCEPTION '% line(s) priced from a catalog that has changed since', v_bad USING ERRCODE = 'TL422';
        END IF;
    ELSE
        -- The original: a sale of this location.
        PERFORM 1 FROM sales o WHERE o.id = (p->>'refund_of')::uuid AND o.kind = 'sale'
                                 AND o.location_id = v_session.location_id
                                 AND o.prices_include_tax = (p->>'prices_include_tax')::boolean;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'sale % is not one of this location''s', p->>'refund_of' USING ERRCODE = 'TL425';
        END IF;
    END IF;
    -- The receipt's number (the register's counter, locked to the commit), then its rows, in one
    -- statement; what the journal entry and the drawer's totals need is read back from the rows
    -- as written, not from the request again. The time is taken once the counter is held.
    WITH k AS (
        INSERT INTO register_counters AS c (register_id, last_receipt) VALUES (v_session.register_id, 1)
            ON CONFLICT (register_id) DO UPDATE SET last_receipt = c.last_receipt + 1
            RETURNING c.last_receipt AS seq, clock_timestamp() AS at,
                      v_session.location_code || '-' || v_session.register_code || '-'
                      || lpad(c.last_receipt::text, greatest(6, length(c.last_receipt::text)), '0') AS number
    ), s AS (
        INSERT INTO sales (id, kind, number, register_id, location_id, receipt_seq, session_id, refund_of, user_id,
                           user_name, device, at, currency, prices_include_tax, subtotal, discount, tax, total, rounding,
                           tendered, change, cash_net, request_hash, approved_by, refund_reason_kind, refund_reason_text,
                           receipt_discount_reason_kind, receipt_discount_reason_text)
        SELECT v_id, v_kind, k.number, v_session.register_id, v_session.location_id, k.seq, v_session.id,
               (p->>'refund_of')::uuid, v_user.id, v_user_name, p->>'device', k.at, v_session.currency,
               (p->>'prices_include_tax')::boolean, (p->>'subtotal')::bigint, (p->>'discount')::bigint,
               (p->>'tax')::bigint, (p->>'total')::bigint, (p->>'rounding')::bigint, (p->>'tendered')::bigint,
               (p->>'change')::bigint, (p->>'cash_net')::bigint, p->>'request_hash', v_manager.id, v_reason_kind,
               v_reason_text, v_discount_reason_kind, v_discount_reason_text
          FROM k
    ), l AS (
        -- A line's price change reason is asked only where there is one to judge: a changed
        -- price on a sale, or a reason given (which an unchanged price refuses). Elsewhere it
        -- is none (what till_price_change_reason answers there), without the call: the
        -- subquery's condition, on the line alone, is checked before the function is run.
        INSERT INTO sale_lines (sale_id, line_no, product_id, sku, name, category, tax_rate_id, rate_ppm, quantity,
                                catalog_unit_price, unit_price, extended, line_discount, receipt_discount, amount, tax,
                                total, refund_of_line, price_change_reason_kind, price_change_reason_text)
        SELECT v_id, l.line_no, l.product_id, l.sku, l.name, l.category, l.tax_rate_id, l.rate_ppm, l.quantity,
               l.catalog_unit_price, l.unit_price, l.extended, l.line_discount, l.receipt_discount, l.amount, l.tax,
               l.total, l.refund_of_line, r.kind, r.text
          FROM jsonb_array_elements(p->'lines') e(v)
         CROSS JOIN LATERAL jsonb_to_record(e.v) AS l(line_no integer, product_id uuid, sku text, name text,
               category text, tax_rate_id uuid, rate_ppm integer, quantity integer, catalog_unit_price bigint,
               unit_price bigint, extended bigint, line_discount bigint, receipt_discount bigint, amount bigint, tax bigint,
               total bigint, refund_of_line integer)
         CROSS JOIN LATERAL (SELECT v_kind = 'sale' AND (l.unit_price <> l.catalog_unit_price OR l.line_discount > 0)
                                    AS changed) c
          LEFT JOIN LATERAL (
               SELECT r.kind, r.text
                 FROM till_price_change_reason('line ' || (l.line_no + 1), e.v->'price_change_reason',
                                               e.v ? 'price_change_reason', c.changed) r
                WHERE c.changed IS NOT FALSE OR coalesce(jsonb_typeof(e.v->'price_change_reason'), 'null') <> 'null'
               OFFSET 0) r ON true
        RETURNING line_no, product_id, quantity, unit_price, amount, tax, total, price_change_reason_kind,
                  price_change_reason_text
    ), t AS (
        INSERT INTO sale_tenders (sale_id, n, kind, amount, reference)
        SELECT v_id, t.n, t.kind, t.amount, t.reference
          FROM jsonb_to_recordset(p->'tenders') AS t(n integer, kind text, amount bigint, reference text)
        RETURNING n, kind, amount, reference
    ), x AS (
        -- Each rate under its own name, not the caller's (0031): what the receipt and the Z print.
        INSERT INTO sale_taxes (sale_id, tax_rate_id, name, rate_ppm, net, tax, gross)
        SELECT v_id, t.tax_rate_id, (SELECT r.name FROM tax_rates r WHERE r.id = t.tax_rate_id), t.rate_ppm, t.net,
               t.tax, t.gross
          FROM jsonb_to_recordset(p->'taxes') AS t(tax_rate_id uuid, rate_ppm integer, net bigint, tax bigint, gross bigint)
    )
    SELECT k.seq, k.number, k.at,
           (SELECT jsonb_agg(jsonb_build_array(l.line_no, l.product_id, l.quantity, l.unit_price, l.amount, l.tax, l.total)
                             ORDER BY l.line_no) FROM l),
           (SELECT jsonb_agg(jsonb_build_array(l.line_no, l.price_change_reason_kind, l.price_change_reason_text)
                             ORDER BY l.line_no) FROM l WHERE l.price_change_reason_kind IS NOT NULL),
           (SELECT coalesce(jsonb_agg(jsonb_build_array(t.kind, t.amount, t.reference) ORDER BY t.n), '[]'::jsonb) FROM t),
           -- What it adds to the drawer's cash sales or refunds: its cash tenders
           -- (till_receipt_figures has checked that the tenders, the change and cash_net settle the total).
           (SELECT coalesce(sum(t.amount), 0) FROM t WHERE t.kind = 'cash')
      INTO receipt_seq, number, v_at, v_journal_lines, v_journal_reasons, v_journal_tenders, v_cash
      FROM k;

    IF v_kind = 'refund' THEN
        IF (SELECT count(DISTINCT l->>'refund_of_line') <> count(*) FROM jsonb_array_elements(p->'lines') l) THEN
            RAISE EXCEPTION 'receipt %: a sold line refunded twice in one refund', v_id
                USING ERRCODE = '23514', CONSTRAINT = 'line_refunds_never_more_than_sold';
        END IF;
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
        -- Each line gives back its share of what was paid for the sold line, half up; the last
        -- units exactly what is left. Checked after the upsert, under each line's row lock, so
        -- refunds racing for one line are judged on what the others took (till-core's
        -- sales::figures::refund_share).
        SELECT count(*) INTO v_bad
          FROM jsonb_to_recordset(p->'lines') AS l(refund_of_line integer, quantity bigint, total bigint, tax bigint,
               amount bigint, extended bigint, line_discount bigint, receipt_discount bigint, unit_price bigint,
               product_id uuid, tax_rate_id uuid, rate_ppm integer, sku text, name text, category text)
          JOIN line_refunds r ON r.sale_id = (p->>'refund_of')::uuid AND r.line_no = l.refund_of_line
          JOIN sale_lines o ON o.sale_id = r.sale_id AND o.line_no = r.line_no
         WHERE NOT (CASE WHEN r.refunded_quantity = r.sold_quantity
                         THEN r.refunded_total = r.sold_total AND r.refunded_tax = r.sold_tax
                         ELSE l.total = (2 * o.total * l.quantity + o.quantity) / (2 * o.quantity)
                              AND l.tax = (2 * o.tax * l.quantity + o.quantity) / (2 * o.quantity) END
                    AND l.amount = CASE WHEN (p->>'prices_include_tax')::boolean THEN l.total ELSE l.total - l.tax END
                    AND l.extended = o.unit_price * l.quantity AND l.line_discount = l.extended - l.amount
                    AND l.line_discount >= 0 AND l.receipt_discount = 0
                    AND (l.product_id, l.tax_rate_id, l.rate_ppm, l.unit_price, l.sku, l.name, l.category)
                        = (o.product_id, o.tax_rate_id, o.rate_ppm, o.unit_price, o.sku, o.name, o.category))
                   IS NOT FALSE;
        IF v_bad > 0 THEN
            RAISE EXCEPTION 'receipt %: % refund line(s) not their share of the sale', v_id, v_bad USING ERRCODE = 'TL423';
        END IF;
    END IF;

    -- The session's running totals and its per-tender, per-rate and per-category totals.
    WITH se AS (
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
         WHERE s.id = v_session.id
    ), tt AS (
        INSERT INTO session_tender_totals AS x (session_id, kind, count, amount)
        SELECT v_session.id, t.kind, count(*), v_sign * sum(t.amount)
          FROM jsonb_to_recordset(p->'tenders') AS t(kind text, amount bigint) GROUP BY t.kind
        ON CONFLICT (session_id, kind) DO UPDATE SET count = x.count + excluded.count, amount = x.amount + excluded.amount
    ), xt AS (
        INSERT INTO session_tax_totals AS x (session_id, tax_rate_id, name, rate_ppm, net, tax, gross)
        SELECT v_session.id, t.tax_rate_id, (SELECT r.name FROM tax_rates r WHERE r.id = t.tax_rate_id), t.rate_ppm,
               v_sign * t.net, v_sign * t.tax, v_sign * t.gross
          FROM jsonb_to_recordset(p->'taxes') AS t(tax_rate_id uuid, rate_ppm integer, net bigint, tax bigint, gross bigint)
        ON CONFLICT (session_id, tax_rate_id) DO UPDATE
            SET net = x.net + excluded.net, tax = x.tax + excluded.tax, gross = x.gross + excluded.gross
    )
    INSERT INTO session_category_totals AS x (session_id, category, count, amount)
    SELECT v_session.id, l.category, v_sign * sum(l.quantity), v_sign * sum(l.amount)
      FROM jsonb_to_recordset(p->'lines') AS l(category text, quantity integer, amount bigint) GROUP BY l.category
    ON CONFLICT (session_id, category) DO UPDATE SET count = x.count + excluded.count, amount = x.amount + excluded.amount;
    -- The journal entry, in this transaction: what the receipt says, as the rows hold it.
    PERFORM till_journal_append(v_session.register_id, v_at, p->>'device', v_user.id, v_kind, v_id,
        jsonb_build_object(
            'id', v_id, 'number', number, 'kind', v_kind, 'session_id', v_session.id, 'refund_of', to_jsonb((p->>'refund_of')::uuid),
            'total', (p->>'total')::bigint, 'tax', (p->>'tax')::bigint, 'discount', (p->>'discount')::bigint,
            'rounding', (p->>'rounding')::bigint, 'tendered', (p->>'tendered')::bigint,
            'change', (p->>'change')::bigint, 'cash_net', (p->>'cash_net')::bigint, 'approved_by', to_jsonb(v_manager.id),
            'refund_reason', CASE WHEN v_reason_kind IS NULL THEN NULL
                                  ELSE jsonb_build_object('kind', v_reason_kind, 'text', v_reason_text) END,
            'receipt_discount_reason', CASE WHEN v_discount_reason_kind IS NULL THEN NULL
                ELSE jsonb_build_object('kind', v_discount_reason_kind, 'text', v_discount_reason_text) END,
            'price_change_reasons', v_journal_reasons, 'lines', v_journal_lines, 'tenders', v_journal_tenders));
    repeated := false;
END;
$fn$;
REVOKE ALL ON FUNCTION till_record_receipt(jsonb) FROM PUBLIC;
