-- A receipt's figures, recomputed from its lines (issue 16): the plpgsql copy of till-core's
-- sales::figures (check_sale, and check_refund's sums; each refund line's share of its sold
-- line is checked by till_record_receipt under the line's row lock). tests/figures.rs runs
-- random carts priced by till-core through both, and every moved figure. Four passes: the
-- lines (each one's arithmetic and the receipt's sums), the rates against the tax rows, a sale's
-- splits over its lines, the tenders. Owner only. SQLSTATE TL423 with what does not add up.
-- No SET search_path of its own (issue 21: it is on the sale's path): owner only, so no terminal
-- calls it under a search_path of its choosing; Till's functions call it under their pinned one.
-- (The three passes as one statement were measured slower, not faster: their cost is the
-- aggregates' start-up, not the number of statements.)
CREATE OR REPLACE FUNCTION till_receipt_figures(p jsonb, p_include boolean, p_increment integer)
RETURNS void
LANGUAGE plpgsql STABLE
AS $fn$
DECLARE
    v_sale boolean := p->>'kind' = 'sale';
    v_max constant bigint := till_money_max();
    v_inc bigint := greatest(coalesce(p_increment, 1), 1);
    v_total bigint := (p->>'total')::bigint;
    v_lines bigint;
    v_bad_lines bigint;
    v_subtotal numeric;
    v_discount numeric;
    v_line_total numeric;
    v_tax_rows bigint;
    v_rates bigint;
    v_bad_rates bigint;
    v_tax numeric;
    v_tenders bigint;
    v_cash numeric;
    v_non_cash numeric;
    v_any_cash boolean;
    v_bad_tenders bigint;
    v_exact numeric;
    v_due numeric;
BEGIN
    IF v_sale AND (p->>'prices_include_tax')::boolean IS DISTINCT FROM p_include THEN
        RAISE EXCEPTION 'receipt %: priced as the location does not price', p->>'id' USING ERRCODE = 'TL423';
    END IF;
    -- The lines: each one's arithmetic (a sale's; a refund line's is its sold line's share), and
    -- the receipt's sums. Every figure bounded first, so nothing below can wrap.
    SELECT count(*),
           count(*) FILTER (WHERE NOT (l.quantity BETWEEN 1 AND 10000 AND l.unit_price BETWEEN 0 AND v_max
                                       AND l.catalog_unit_price BETWEEN 0 AND v_max AND l.extended BETWEEN 0 AND v_max
                                       AND l.line_discount BETWEEN 0 AND l.extended AND l.receipt_discount BETWEEN 0 AND v_max
                                       AND l.amount = l.extended - l.line_discount - l.receipt_discount AND l.amount >= 0
                                       AND l.tax BETWEEN 0 AND v_max
                                       AND l.total = CASE WHEN (p->>'prices_include_tax')::boolean THEN l.amount
                                                          ELSE l.amount + l.tax END
                                       AND (NOT v_sale OR (l.extended = l.unit_price * l.quantity
                                                           AND l.refund_of_line IS NULL))) IS NOT FALSE),
           sum(CASE WHEN v_sale THEN l.extended - l.line_discount ELSE l.amount END),
           sum(l.line_discount + l.receipt_discount), sum(l.total)
      INTO v_lines, v_bad_lines, v_subtotal, v_discount, v_line_total
      FROM jsonb_to_recordset(p->'lines') AS l(quantity bigint, unit_price bigint, catalog_unit_price bigint,
           extended bigint, line_discount bigint, receipt_discount bigint, amount bigint, tax bigint, total bigint,
           refund_of_line integer);
    IF v_lines NOT BETWEEN 1 AND 500 OR v_bad_lines > 0 OR v_subtotal IS DISTINCT FROM (p->>'subtotal')::numeric
       OR v_discount IS DISTINCT FROM (p->>'discount')::numeric OR v_line_total IS DISTINCT FROM v_total
       OR v_total NOT BETWEEN 0 AND v_max THEN
        RAISE EXCEPTION 'receipt %: its lines do not add up (1 to 500 lines, each and the sums)', p->>'id'
            USING ERRCODE = 'TL423';
    END IF;
    -- Each rate: one tax row, its tax the lines' taxes (a sale: recomputed from the lines'
    -- amounts, half up), its gross their totals, its net the gross less the tax.
    WITH rates AS (
        SELECT l.tax_rate_id, min(l.rate_ppm) AS ppm, count(DISTINCT l.rate_ppm) AS ppms, sum(l.amount) AS base,
               sum(l.tax) AS tax, sum(l.total) AS gross
          FROM jsonb_to_recordset(p->'lines') AS l(tax_rate_id uuid, rate_ppm numeric, amount numeric, tax numeric,
                                                   total numeric)
         GROUP BY l.tax_rate_id
    ), expected AS (
        SELECT r.*, CASE WHEN NOT v_sale THEN r.tax
                         WHEN p_include THEN floor((2 * r.base * r.ppm + (1000000 + r.ppm)) / (2 * (1000000 + r.ppm)))
                         ELSE floor((2 * r.base * r.ppm + 1000000) / 2000000) END AS rate_tax
          FROM rates r
    )
    SELECT count(*), count(*) FILTER (WHERE NOT (e.ppms = 1 AND t.rate_ppm = e.ppm AND t.tax = e.rate_tax
                                                 AND e.tax = e.rate_tax AND t.gross = e.gross
                                                 AND t.net = e.gross - e.rate_tax) IS NOT FALSE),
           sum(t.tax), (SELECT count(*) FROM expected)
      INTO v_tax_rows, v_bad_rates, v_tax, v_rates
      FROM expected e
      FULL JOIN jsonb_to_recordset(coalesce(p->'taxes', '[]')) AS t(tax_rate_id uuid, rate_ppm numeric, net numeric,
                                                                    tax numeric, gross numeric)
        ON t.tax_rate_id = e.tax_rate_id;
    IF v_bad_rates > 0 OR coalesce(v_tax, 0) <> (p->>'tax')::numeric
       OR jsonb_array_length(coalesce(p->'taxes', '[]')) <> v_rates THEN
        RAISE EXCEPTION 'receipt %: its taxes do not follow from its lines', p->>'id' USING ERRCODE = 'TL423';
    END IF;
    -- A sale's receipt discount and each rate's tax, split over the lines as till-core's
    -- pricing::allocate splits them (sales::figures::check_shares): largest remainder, in the
    -- lines' order, the discount by each line's amount after its line discount, a rate's tax by
    -- its lines' amounts. The sums alone would let a whole receipt discount sit on one line while
    -- the others are refunded at full price (0029). The passes above bounded every figure.
    IF v_sale THEN
        WITH l AS (
            SELECT e.ord, (e.v->>'tax_rate_id')::uuid AS rate, (e.v->>'receipt_discount')::numeric AS discount,
                   (e.v->>'extended')::numeric - (e.v->>'line_discount')::numeric AS weight,
                   (e.v->>'tax')::numeric AS tax, (e.v->>'amount')::numeric AS amount
              FROM jsonb_array_elements(p->'lines') WITH ORDINALITY AS e(v, ord)
        ), parts AS (
            SELECT l.ord, 'discount' AS split, NULL::uuid AS rate, l.discount AS part, l.weight,
                   sum(l.discount) OVER () AS whole, sum(l.weight) OVER () AS weights
              FROM l
            UNION ALL
            SELECT l.ord, 'tax', l.rate, l.tax, l.amount,
                   sum(l.tax) OVER (PARTITION BY l.rate), sum(l.amount) OVER (PARTITION BY l.rate)
              FROM l
        ), floored AS (
            SELECT t.*, CASE WHEN t.weights = 0 THEN 0 ELSE div(t.whole * t.weight, t.weights) END AS share,
                   CASE WHEN t.weights = 0 THEN 0 ELSE mod(t.whole * t.weight, t.weights) END AS remainder
              FROM parts t
        ), ranked AS (
            SELECT f.*, row_number() OVER (PARTITION BY f.split, f.rate ORDER BY f.remainder DESC, f.ord) AS rank,
                   f.whole - sum(f.share) OVER (PARTITION BY f.split, f.rate) AS left_over
              FROM floored f
        )
        SELECT count(*) INTO v_bad_lines
          FROM ranked r
         WHERE r.part IS DISTINCT FROM r.share + CASE WHEN r.remainder > 0 AND r.rank <= r.left_over THEN 1 ELSE 0 END;
        IF v_bad_lines > 0 THEN
            RAISE EXCEPTION 'receipt %: its receipt discount or a rate''s tax is not split over its lines as priced',
                p->>'id' USING ERRCODE = 'TL423';
        END IF;
    END IF;
    -- The tenders: a sale's cash part rounded to the location's increment, and only when cash
    -- is tendered; change only from cash. A refund: one tender of its whole total (in cash, rounded).
    SELECT count(*), coalesce(sum(t.amount) FILTER (WHERE t.kind = 'cash'), 0),
           coalesce(sum(t.amount) FILTER (WHERE t.kind <> 'cash'), 0), coalesce(bool_or(t.kind = 'cash'), false),
           count(*) FILTER (WHERE NOT (t.amount BETWEEN 1 AND v_max) IS NOT FALSE)
      INTO v_tenders, v_cash, v_non_cash, v_any_cash, v_bad_tenders
      FROM jsonb_to_recordset(coalesce(p->'tenders', '[]')) AS t(kind text, amount numeric);
    IF v_sale THEN
        v_exact := v_total - v_non_cash;
        v_due := CASE WHEN v_any_cash THEN floor((2 * greatest(v_exact, 0) + v_inc) / (2 * v_inc)) * v_inc ELSE v_exact END;
        IF NOT (v_tenders <= 20 AND v_bad_tenders = 0 AND v_non_cash <= v_total
                AND (p->>'rounding')::numeric = v_due - v_exact AND v_cash >= v_due
                AND (p->>'change')::numeric = v_cash - v_due AND (p->>'tendered')::numeric = v_cash + v_non_cash
                AND (p->>'cash_net')::numeric = v_cash - (p->>'change')::numeric) IS NOT FALSE THEN
            RAISE EXCEPTION 'receipt %: the tenders do not settle the total', p->>'id' USING ERRCODE = 'TL423';
        END IF;
    ELSE
        -- Back to a card: its total exactly; in cash, rounded as a cash sale is (CHF 0.05).
        v_due := CASE WHEN v_non_cash > 0 THEN v_total
                      ELSE floor((2 * greatest(v_total, 0) + v_inc) / (2 * v_inc)) * v_inc END;
        IF NOT (v_bad_tenders = 0 AND (p->>'rounding')::numeric = v_due - v_total AND (p->>'change')::numeric = 0
                AND (p->>'tendered')::numeric = v_due
                AND CASE WHEN v_due > 0 THEN v_tenders = 1 AND v_cash + v_non_cash = v_due ELSE v_tenders = 0 END
                AND (p->>'cash_net')::numeric = -v_cash) IS NOT FALSE THEN
            RAISE EXCEPTION 'receipt %: the refund''s tender is not its total', p->>'id' USING ERRCODE = 'TL423';
        END IF;
    END IF;
END;
$fn$;
REVOKE ALL ON FUNCTION till_receipt_figures(jsonb, boolean, integer) FROM PUBLIC;
