-- A receipt's figures, recomputed from its lines (issue 16): the plpgsql copy of till-core's
-- sales::figures (check_sale, and check_refund's sums; each refund line's share of its sold
-- line is checked by till_record_receipt under the line's row lock). tests/figures.rs runs
-- random carts priced by till-core through both, and every perturbation of them. Owner only.
-- SQLSTATE TL423 with what does not add up.
CREATE OR REPLACE FUNCTION till_receipt_figures(p jsonb, p_include boolean, p_increment integer)
RETURNS void
LANGUAGE plpgsql STABLE SET search_path FROM CURRENT
AS $fn$
DECLARE
    v_sale boolean := p->>'kind' = 'sale';
    v_max constant numeric := 1000000000000;
    v_lines integer := jsonb_array_length(coalesce(p->'lines', '[]'));
    v_bad text;
    v_cash numeric;
    v_non_cash numeric;
    v_any_cash boolean;
    v_tenders integer;
    v_exact numeric;
    v_due numeric;
    v_inc numeric := greatest(coalesce(p_increment, 1), 1);
BEGIN
    IF v_lines NOT BETWEEN 1 AND 500 OR (v_sale AND (p->>'prices_include_tax')::boolean IS DISTINCT FROM p_include) THEN
        RAISE EXCEPTION 'receipt %: 1 to 500 lines, priced as the location prices', p->>'id' USING ERRCODE = 'TL423';
    END IF;
    -- Each sale line's arithmetic, in numeric (nothing wraps).
    IF v_sale THEN
        SELECT 'line ' || l.line_no INTO v_bad
          FROM jsonb_to_recordset(p->'lines') AS l(line_no integer, quantity numeric, unit_price numeric,
               catalog_unit_price numeric, extended numeric, line_discount numeric, receipt_discount numeric,
               amount numeric, tax numeric, total numeric, refund_of_line integer)
         WHERE NOT (l.quantity BETWEEN 1 AND 10000 AND l.unit_price BETWEEN 0 AND v_max
                    AND l.catalog_unit_price BETWEEN 0 AND v_max AND l.extended = l.unit_price * l.quantity
                    AND l.extended <= v_max AND l.line_discount BETWEEN 0 AND l.extended AND l.receipt_discount >= 0
                    AND l.amount = l.extended - l.line_discount - l.receipt_discount AND l.amount >= 0 AND l.tax >= 0
                    AND l.total = CASE WHEN p_include THEN l.amount ELSE l.amount + l.tax END
                    AND l.refund_of_line IS NULL) IS NOT FALSE
         LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'receipt %: % does not add up', p->>'id', v_bad USING ERRCODE = 'TL423';
        END IF;
    END IF;
    -- Each rate: one tax row, its tax the lines' taxes (a sale: recomputed from the lines'
    -- amounts, half up), its gross their totals, its net the gross less the tax.
    WITH lines AS (
        SELECT l.tax_rate_id, l.rate_ppm, l.amount, l.tax, l.total
          FROM jsonb_to_recordset(p->'lines') AS l(tax_rate_id uuid, rate_ppm numeric, amount numeric, tax numeric,
                                                   total numeric)
    ), rates AS (
        SELECT tax_rate_id, min(rate_ppm) AS ppm, count(DISTINCT rate_ppm) AS ppms, sum(amount) AS base,
               sum(tax) AS tax, sum(total) AS gross
          FROM lines GROUP BY tax_rate_id
    ), taxes AS (
        SELECT t.tax_rate_id, t.rate_ppm, t.net, t.tax, t.gross
          FROM jsonb_to_recordset(coalesce(p->'taxes', '[]')) AS t(tax_rate_id uuid, rate_ppm numeric, net numeric,
                                                                   tax numeric, gross numeric)
    ), expected AS (
        SELECT r.*, CASE WHEN NOT v_sale THEN r.tax
                         WHEN p_include THEN floor((2 * r.base * r.ppm + (1000000 + r.ppm)) / (2 * (1000000 + r.ppm)))
                         ELSE floor((2 * r.base * r.ppm + 1000000) / 2000000) END AS rate_tax
          FROM rates r
    )
    SELECT 'the tax of rate ' || coalesce(e.tax_rate_id, t.tax_rate_id)::text INTO v_bad
      FROM expected e FULL JOIN taxes t ON t.tax_rate_id = e.tax_rate_id
     WHERE NOT (e.ppms = 1 AND t.rate_ppm = e.ppm AND t.tax = e.rate_tax AND e.tax = e.rate_tax
                AND t.gross = e.gross AND t.net = e.gross - e.rate_tax) IS NOT FALSE
     LIMIT 1;
    IF FOUND OR (SELECT count(*) FROM jsonb_array_elements(coalesce(p->'taxes', '[]')))
                <> (SELECT count(DISTINCT l->>'tax_rate_id') FROM jsonb_array_elements(p->'lines') l) THEN
        RAISE EXCEPTION 'receipt %: % does not follow from its lines', p->>'id', coalesce(v_bad, 'a tax row')
            USING ERRCODE = 'TL423';
    END IF;
    -- The receipt's sums.
    IF (SELECT NOT (coalesce(sum(CASE WHEN v_sale THEN (l->>'extended')::numeric - (l->>'line_discount')::numeric
                                        ELSE (l->>'amount')::numeric END), -1) = (p->>'subtotal')::numeric
                    AND sum((l->>'line_discount')::numeric + (l->>'receipt_discount')::numeric) = (p->>'discount')::numeric
                    AND sum((l->>'total')::numeric) = (p->>'total')::numeric
                    AND (p->>'total')::numeric BETWEEN 0 AND v_max
                    AND (SELECT coalesce(sum((t->>'tax')::numeric), 0)
                           FROM jsonb_array_elements(coalesce(p->'taxes', '[]')) t) = (p->>'tax')::numeric) IS NOT FALSE
          FROM jsonb_array_elements(p->'lines') l) THEN
        RAISE EXCEPTION 'receipt %: its sums do not follow from its lines', p->>'id' USING ERRCODE = 'TL423';
    END IF;
    -- The tenders: a sale's cash part rounded to the location's increment, and only when cash
    -- is tendered; change only from cash. A refund: one tender of its whole total, no rounding.
    SELECT count(*), coalesce(sum(t.amount) FILTER (WHERE t.kind = 'cash'), 0),
           coalesce(sum(t.amount) FILTER (WHERE t.kind <> 'cash'), 0), coalesce(bool_or(t.kind = 'cash'), false),
           min(CASE WHEN t.amount BETWEEN 1 AND v_max THEN 'ok' ELSE 'out of range' END)
      INTO v_tenders, v_cash, v_non_cash, v_any_cash, v_bad
      FROM jsonb_to_recordset(coalesce(p->'tenders', '[]')) AS t(kind text, amount numeric);
    IF v_sale THEN
        v_exact := (p->>'total')::numeric - v_non_cash;
        v_due := CASE WHEN v_any_cash THEN floor((2 * greatest(v_exact, 0) + v_inc) / (2 * v_inc)) * v_inc ELSE v_exact END;
        IF NOT (v_tenders <= 20 AND coalesce(v_bad, 'ok') = 'ok' AND v_non_cash <= (p->>'total')::numeric
                AND (p->>'rounding')::numeric = v_due - v_exact AND v_cash >= v_due
                AND (p->>'change')::numeric = v_cash - v_due AND (p->>'tendered')::numeric = v_cash + v_non_cash
                AND (p->>'cash_net')::numeric = v_cash - (p->>'change')::numeric) IS NOT FALSE THEN
            RAISE EXCEPTION 'receipt %: the tenders do not settle the total', p->>'id' USING ERRCODE = 'TL423';
        END IF;
    ELSIF NOT ((p->>'rounding')::numeric = 0 AND (p->>'change')::numeric = 0
               AND (p->>'tendered')::numeric = (p->>'total')::numeric
               AND CASE WHEN (p->>'total')::numeric > 0 THEN v_tenders = 1 AND v_cash + v_non_cash = (p->>'total')::numeric
                        ELSE v_tenders = 0 END
               AND (p->>'cash_net')::numeric = -v_cash) IS NOT FALSE THEN
        RAISE EXCEPTION 'receipt %: the refund''s tender is not its total', p->>'id' USING ERRCODE = 'TL423';
    END IF;
END;
$fn$;
REVOKE ALL ON FUNCTION till_receipt_figures(jsonb, boolean, integer) FROM PUBLIC;
