-- A text a terminal sends, held to till-core's rules (domain.rs check_text and the types that
-- use it): at most p_max characters, no control characters (newline and tab allowed where
-- p_multiline), no text-direction controls; with p_required, not blank. Returns the text.
-- Owner only. SQLSTATE TL002 naming the field. No SET search_path of its own (issue 21: every
-- call checks a text or two): only Till's functions call it, and each pins its own.
CREATE OR REPLACE FUNCTION till_text(p_field text, p_text text, p_max integer, p_multiline boolean, p_required boolean)
RETURNS text
LANGUAGE plpgsql IMMUTABLE
AS $fn$
BEGIN
    IF p_text IS NULL OR btrim(p_text) = '' THEN
        IF p_required THEN
            RAISE EXCEPTION '% is required', p_field USING ERRCODE = 'TL002';
        END IF;
        RETURN p_text;
    END IF;
    IF char_length(p_text) > p_max THEN
        RAISE EXCEPTION '% must be at most % characters', p_field, p_max USING ERRCODE = 'TL002';
    END IF;
    IF p_text ~ '[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]' THEN
        RAISE EXCEPTION '% must not contain a text-direction control', p_field USING ERRCODE = 'TL002';
    END IF;
    IF (p_multiline AND p_text ~ '[\u0001-\u0008\u000B-\u001F\u007F-\u009F]')
       OR (NOT p_multiline AND p_text ~ '[\u0001-\u001F\u007F-\u009F]') THEN
        RAISE EXCEPTION '% must not contain a control character', p_field USING ERRCODE = 'TL002';
    END IF;
    RETURN p_text;
END;
$fn$;
REVOKE ALL ON FUNCTION till_text(text, text, integer, boolean, boolean) FROM PUBLIC;
