//! Cash movements, counts and Z reports: the SQL both stores share (`$n` parameters).

/// `$1` location code.
pub const REASONS: &str = "SELECT r.kind, r.code, r.label, r.position FROM cash_reasons r
    JOIN locations l ON l.id = r.location_id WHERE l.code = $1 ORDER BY r.kind, r.position, r.code";
/// `$1` location code, `$2` kind, `$3` code, `$4` label, `$5` position.
pub const ADD_REASON: &str = "INSERT INTO cash_reasons (location_id, kind, code, label, position)
    SELECT l.id, $2, $3, $4, $5 FROM locations l WHERE l.code = $1 RETURNING kind, code, label, position";
macro_rules! movement_select {
    () => {
        "SELECT m.*, a.name AS approved_by_name, s.currency FROM cash_movements m
        JOIN sessions s ON s.id = m.session_id LEFT JOIN users a ON a.id = m.approved_by"
    };
}
/// A Z with its own journal entry (its anchor).
macro_rules! z_select {
    () => {
        "SELECT z.*, j.seq AS entry_seq, j.hash AS entry_hash FROM z_reports z
        LEFT JOIN journal j ON j.ref_id = z.session_id AND j.chain_id = z.register_id AND j.event = 'z_report'"
    };
}
/// `$1` movement id.
pub const MOVEMENT: &str = concat!(movement_select!(), " WHERE m.id = $1");
/// `$1` session id.
pub const MOVEMENTS: &str = concat!(movement_select!(), " WHERE m.session_id = $1 ORDER BY m.at, m.id");
/// `$1` session id.
pub const OPENING_COUNT: &str = "SELECT denomination, count FROM cash_counts WHERE session_id = $1 AND stage = 'open'
    ORDER BY denomination DESC";
/// `$1` session id.
pub const CLOSING_COUNT: &str = "SELECT denomination, count FROM cash_counts WHERE session_id = $1 AND stage = 'close'
    ORDER BY denomination DESC";
/// `$1` session id.
pub const Z_OF_SESSION: &str = concat!(z_select!(), " WHERE z.session_id = $1");
/// `$1` location code, `$2` register id, `$3` from day, `$4` to day (each optional).
pub const Z_LIST: &str = concat!(
    z_select!(),
    " JOIN sessions s ON s.id = z.session_id
    WHERE ($1 IS NULL OR s.location_code = $1) AND ($2 IS NULL OR z.register_id = $2)
      AND ($3 IS NULL OR s.business_day >= $3) AND ($4 IS NULL OR s.business_day <= $4)
    ORDER BY s.location_code, s.register_code, z.z_number"
);
/// `$1` void id: the void with its session's currency and its request's fingerprint.
pub const VOID: &str = "SELECT v.id, v.session_id, v.kind, v.amount, s.currency, v.user_name, v.device, v.at,
    v.request_hash FROM voids v JOIN sessions s ON s.id = v.session_id WHERE v.id = $1";
/// `$1` void id: its lines, in the order the till sent them.
pub const VOID_LINES: &str =
    "SELECT product_id, quantity, unit_price, amount FROM void_lines WHERE void_id = $1 ORDER BY line_no";
