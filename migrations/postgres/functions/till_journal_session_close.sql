-- A session closed, by any path: journal the close, make its Z (the next number of the
-- register's gapless sequence, the grand totals moved by this session's, the journal's head
-- at the close as the anchor), and journal the Z with the staff chain's head. All in the
-- close's transaction.
CREATE OR REPLACE FUNCTION till_journal_session_close() RETURNS trigger
LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT
AS $fn$
DECLARE
    v_close record;
    v_z register_z_counters%ROWTYPE;
    v_first text;
    v_last text;
    v_staff_seq bigint;
    v_staff_hash text;
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
    -- The staff chain's head as committed now (no lock: a staff change in flight lands after
    -- this Z): the Z's entry records it, so the Z's printed anchor pins the staff chain too.
    SELECT h.seq, h.hash INTO v_staff_seq, v_staff_hash
      FROM journal_heads h WHERE h.chain_id = '00000000-0000-0000-0000-000000000000';
    PERFORM till_journal_append(NEW.register_id, NEW.closed_at, NEW.closing_device, NEW.closed_by, 'z_report', NEW.id,
        jsonb_build_object('z_number', v_z.last_z, 'session_id', NEW.id, 'first_receipt', v_first,
                           'last_receipt', v_last, 'sales_total', NEW.sales_total, 'refunds_total', NEW.refunds_total,
                           'cash_net', NEW.cash_net, 'grand_sales', v_z.grand_sales,
                           'grand_refunds', v_z.grand_refunds, 'journal_seq', v_close.seq,
                           'journal_head', v_close.hash, 'staff_seq', coalesce(v_staff_seq, 0),
                           'staff_hash', coalesce(v_staff_hash, repeat('0', 64))));
    RETURN NULL;
END;
$fn$;
REVOKE ALL ON FUNCTION till_journal_session_close() FROM PUBLIC;
CREATE OR REPLACE TRIGGER sessions_journal_close AFTER UPDATE OF status ON sessions
    FOR EACH ROW WHEN (OLD.status = 'open' AND NEW.status = 'closed') EXECUTE FUNCTION till_journal_session_close();
