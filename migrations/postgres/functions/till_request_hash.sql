-- The fingerprint an approval is bound to: the sha256 of a function's request (its jsonb)
-- without the login and the approval themselves, in jsonb's own canonical text, so the
-- approval and the use compute it the same way whatever key order the caller sent.
CREATE OR REPLACE FUNCTION till_request_hash(p jsonb)
RETURNS text
LANGUAGE sql IMMUTABLE SET search_path FROM CURRENT
AS $fn$
    SELECT encode(sha256(convert_to((p - 'login' - 'approval')::text, 'UTF8')), 'hex')
$fn$;
REVOKE ALL ON FUNCTION till_request_hash(jsonb) FROM PUBLIC;
