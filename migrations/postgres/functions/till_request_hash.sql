-- The fingerprint an approval is bound to: the sha256 of a function's request (its jsonb,
-- the login included: the approval is for this login's request, not another's on the same
-- role and device) without the approval itself, in jsonb's own canonical text, so the
-- approval and the use compute it the same way whatever key order the caller sent.
CREATE OR REPLACE FUNCTION till_request_hash(p jsonb)
RETURNS text
LANGUAGE sql IMMUTABLE SET search_path FROM CURRENT
AS $fn$
    SELECT encode(sha256(convert_to((p - 'approval')::text, 'UTF8')), 'hex')
$fn$;
REVOKE ALL ON FUNCTION till_request_hash(jsonb) FROM PUBLIC;
