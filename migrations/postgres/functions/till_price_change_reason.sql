-- Why a sale's price was changed, as till_record_receipt stores it: till-core's
-- PriceChangeReason::for_change and NewReceipt::check_price_change_reasons, second copy.
-- p_reason is what the request gave (a line's price_change_reason, or the receipt's
-- receipt_discount_reason), p_given whether its key was there at all (a Till from before
-- reasons sends none: recorded as other, "none given (an older Till)", so a store upgrading one
-- PC at a time keeps selling), p_changed whether the price was changed (a new unit price or a
-- discount above zero, on a sale). A changed price needs a kind from the list, and "other" a
-- text (till_text: 200 characters, one line); an unchanged one carries no reason.
-- Owner only. SQLSTATE TL002.
-- No SET search_path of its own (issue 21: it is on the sale's path): owner only, so no terminal
-- calls it under a search_path of its choosing; Till's functions call it under their pinned one.
CREATE OR REPLACE FUNCTION till_price_change_reason(
    p_what text, p_reason jsonb, p_given boolean, p_changed boolean, OUT kind text, OUT text text)
LANGUAGE plpgsql IMMUTABLE
AS $fn$
BEGIN
    IF NOT p_changed THEN
        IF p_reason IS NOT NULL AND jsonb_typeof(p_reason) <> 'null' THEN
            RAISE EXCEPTION '% has no price change to give a reason for', p_what USING ERRCODE = 'TL002';
        END IF;
        RETURN;
    END IF;
    IF NOT p_given THEN
        kind := 'other';
        text := 'none given (an older Till)';
        RETURN;
    END IF;
    kind := CASE WHEN jsonb_typeof(p_reason) = 'object' THEN p_reason->>'kind' END;
    IF kind IS NULL OR kind NOT IN ('damaged', 'price_match', 'staff', 'other') THEN
        RAISE EXCEPTION '%''s discount or new price needs a reason from the list (damaged, price_match, staff, other)', p_what
            USING ERRCODE = 'TL002';
    END IF;
    text := NULLIF(btrim(till_text('reason', btrim(p_reason->>'text'), 200, false, kind = 'other')), '');
END;
$fn$;
REVOKE ALL ON FUNCTION till_price_change_reason(text, jsonb, boolean, boolean) FROM PUBLIC;
