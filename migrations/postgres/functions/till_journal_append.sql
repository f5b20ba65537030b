-- Appends one entry to a register's chain; the chain's head row serialises appends (held to
-- the end of the transaction, so chains never fork). Owner only: called by Till's functions
-- and triggers, never by a terminal.
-- No SET search_path of its own (issue 21: it is on the sale's path): owner only, so no terminal
-- calls it under a search_path of its choosing; Till's functions call it under their pinned one.
CREATE OR REPLACE FUNCTION till_journal_append(
    p_chain uuid, p_at timestamptz, p_device text, p_user uuid, p_event text, p_ref uuid, p_payload jsonb,
    OUT seq bigint, OUT hash text)
LANGUAGE plpgsql VOLATILE
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
