-- A count's notes and coins (p_counts: [{denomination, count}, ...]) add up to p_expected (p_what
-- names it: the opening cash, the counted cash): till-core's DenominationCount::check_adds_up,
-- second copy, so what a terminal stores as a count always adds up (0030; before, only the core
-- checked, and a terminal's SQL stored any count). No count at all (SQL NULL, or []) passes.
-- TL002 for anything else that is not a list of at most 32 {denomination, count} objects of
-- whole numbers (as the core reads them: JSON null or 100.0 is not one; 0033), a denomination
-- outside 1 to 10^8 minor units, more than 10^6 of one, one listed twice, or a total other than
-- p_expected. Owner only.
CREATE OR REPLACE FUNCTION till_count_adds_up(p_counts jsonb, p_expected bigint, p_what text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
AS $fn$
DECLARE
    v_lines bigint;
    v_denominations bigint;
    v_bad bigint;
    v_total numeric;
BEGIN
    IF p_counts IS NULL OR p_counts = '[]'::jsonb THEN
        RETURN;
    END IF;
    IF jsonb_typeof(p_counts) <> 'array' OR jsonb_array_length(p_counts) > 32
       OR EXISTS (SELECT 1 FROM jsonb_array_elements(p_counts) e
                   WHERE jsonb_typeof(e) <> 'object' OR jsonb_typeof(e->'denomination') IS DISTINCT FROM 'number'
                      OR jsonb_typeof(e->'count') IS DISTINCT FROM 'number'
                      OR e->>'denomination' !~ '^[0-9]{1,18}$' OR e->>'count' !~ '^[0-9]{1,18}$') THEN
        RAISE EXCEPTION 'denominations: a list of at most 32 notes and coins, each a whole denomination and count'
            USING ERRCODE = 'TL002';
    END IF;
    SELECT count(*), count(DISTINCT (e->>'denomination')::bigint),
           count(*) FILTER (WHERE NOT ((e->>'denomination')::bigint BETWEEN 1 AND 100000000
                                       AND (e->>'count')::bigint BETWEEN 0 AND 1000000)),
           sum((e->>'denomination')::numeric * (e->>'count')::numeric)
      INTO v_lines, v_denominations, v_bad, v_total
      FROM jsonb_array_elements(p_counts) e;
    IF v_bad > 0 OR v_denominations <> v_lines THEN
        RAISE EXCEPTION 'denominations: each a note or coin of 1 to 10^8 minor units, listed once, at most 10^6 of it'
            USING ERRCODE = 'TL002';
    END IF;
    IF v_total IS DISTINCT FROM p_expected THEN
        RAISE EXCEPTION 'denominations: they add up to % minor units, not %', v_total, p_what USING ERRCODE = 'TL002';
    END IF;
END;
$fn$;
REVOKE ALL ON FUNCTION till_count_adds_up(jsonb, bigint, text) FROM PUBLIC;
