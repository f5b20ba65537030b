//! The journal's SQL, the same in both dialects (`$n` parameters).

/// Every chain's head row, and every chain that has entries but no head row (seq 0): verify
/// walks them all, and export writes them all.
pub const HEADS: &str = "SELECT chain_id, seq, hash FROM journal_heads
    UNION ALL
    SELECT DISTINCT j.chain_id, 0, '0000000000000000000000000000000000000000000000000000000000000000' FROM journal j
     WHERE NOT EXISTS (SELECT 1 FROM journal_heads h WHERE h.chain_id = j.chain_id)
    ORDER BY 1";
/// When migration 0011 (the journal's) was applied.
pub const START: &str = "SELECT installed_on FROM _sqlx_migrations WHERE version = 11";
/// `$1` chain: every entry, by seq (verify's snapshot).
pub const ALL_ENTRIES: &str = "SELECT * FROM journal WHERE chain_id = $1 ORDER BY seq";
/// Every register's id (each has a chain).
pub const REGISTER_IDS: &str = "SELECT id FROM registers";
/// `$1` chain, `$2` after seq, `$3` limit.
pub const ENTRIES: &str = "SELECT * FROM journal WHERE chain_id = $1 AND seq > $2 ORDER BY seq LIMIT $3";
/// `$1` register (chain) id.
pub const ANCHORS: &str = "SELECT register_id, z_number, session_id, journal_seq, journal_head FROM z_reports
    WHERE register_id = $1 ORDER BY z_number";
/// `$1` register id, `$2` since.
pub const SALES: &str = "SELECT id, kind, number, total, tax, discount, tendered, change, cash_net, user_id,
    user_name, approved_by, refund_reason_kind, refund_reason_text, receipt_discount_reason_kind,
    receipt_discount_reason_text FROM sales WHERE register_id = $1 AND at >= $2";
/// `$1` register id, `$2` since.
pub const LINES: &str = "SELECT l.sale_id, CAST(l.line_no AS bigint) AS line_no, l.product_id,
    CAST(l.quantity AS bigint) AS quantity, l.unit_price, l.amount, l.tax, l.total, l.price_change_reason_kind,
    l.price_change_reason_text
    FROM sale_lines l JOIN sales s ON s.id = l.sale_id WHERE s.register_id = $1 AND s.at >= $2
    ORDER BY l.sale_id, l.line_no";
/// `$1` register id, `$2` since.
pub const MOVEMENTS: &str = "SELECT id, kind, amount, reason, session_id, approved_by, user_id, user_name
    FROM cash_movements WHERE register_id = $1 AND at >= $2";
/// `$1` register id, `$2` since.
pub const TENDERS: &str = "SELECT t.sale_id, t.kind, t.amount, t.reference FROM sale_tenders t
    JOIN sales s ON s.id = t.sale_id WHERE s.register_id = $1 AND s.at >= $2 ORDER BY t.sale_id, t.n";
/// `$1` register id, `$2` since.
pub const VOIDS: &str = "SELECT id, kind, amount, session_id, user_id, user_name FROM voids
    WHERE register_id = $1 AND at >= $2";
/// `$1` register id, `$2` since.
pub const VOID_LINES: &str = "SELECT l.void_id, l.product_id, CAST(l.quantity AS bigint) AS quantity, l.unit_price
    FROM void_lines l JOIN voids v ON v.id = l.void_id WHERE v.register_id = $1 AND v.at >= $2
    ORDER BY l.void_id, l.line_no";
/// `$1` register id (every session: an entry may name one opened before the journal began).
pub const SESSIONS: &str = "SELECT id, opened_at, opening_cash, closed_at, expected_cash, counted_cash, variance,
    late_counted_at, late_counted_by, opened_by, opened_by_name, closed_by, closed_by_name, approved_by,
    approved_by_name FROM sessions WHERE register_id = $1";
/// `$1` register id, `$2` since.
pub const ZS: &str = "SELECT z.*, s.closed_by FROM z_reports z JOIN sessions s ON s.id = z.session_id
    WHERE z.register_id = $1 AND z.at >= $2";
/// `$1` since: PIN events (the staff chain).
pub const AUTH_EVENTS: &str = "SELECT id, kind, user_id FROM auth_events WHERE at >= $1";
/// The database's identity (migration 0015).
pub const IDENTITY: &str = "SELECT id FROM database_identity";
/// Every user, with its PIN hash (SQLite's store hashes it for [`crate::expected::user`];
/// PostgreSQL's asks `till_staff_state()`, as a terminal may not read the hash).
pub const USERS: &str = "SELECT id, name, role, active, pin_hash FROM users";
/// Every location (as the role may read them), for [`crate::expected::location`].
pub const LOCATIONS: &str = "SELECT * FROM locations";
