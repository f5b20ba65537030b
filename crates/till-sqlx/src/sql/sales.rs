//! Sales and refunds: the SQL both stores share (`$n` parameters).

/// `$1` location code.
pub const PRICING: &str =
    "SELECT id, currency, prices_include_tax, cash_rounding_minor, discount_limit_ppm, card_reference_required
    FROM locations WHERE code = $1";
macro_rules! receipt_select {
    ($anchor:literal, $journal:literal) => {
        concat!(
            "SELECT s.*, se.number AS session_number, r.code AS register_code, l.code AS location_code,
                l.name AS location_name, l.address AS location_address,
                l.tax_number AS location_tax_number, l.timezone AS time_zone, l.locale AS locale,
                o.number AS refund_of_number, ap.name AS approved_by_name,
                (SELECT CAST(coalesce(sum(x.receipt_discount), 0) AS bigint) FROM sale_lines x
                  WHERE x.sale_id = s.id) AS receipt_discount, ",
            $anchor,
            " FROM sales s JOIN sessions se ON se.id = s.session_id JOIN registers r ON r.id = s.register_id
            JOIN locations l ON l.id = s.location_id LEFT JOIN sales o ON o.id = s.refund_of
            LEFT JOIN users ap ON ap.id = s.approved_by ",
            $journal
        )
    };
}
/// `$1` receipt id: its number and its request's fingerprint (a retry's answer).
pub const PRIOR_RECEIPT: &str = "SELECT number, request_hash FROM sales WHERE id = $1";
/// `$1` number. With its anchor (the QR code it prints).
pub const RECEIPT_BY_NUMBER: &str = concat!(
    receipt_select!(
        "j.seq AS entry_seq, j.hash AS entry_hash",
        "LEFT JOIN journal j ON j.ref_id = s.id AND j.chain_id = s.register_id AND j.event = s.kind"
    ),
    " WHERE s.number = $1"
);
/// `$1` session id. Without anchors: a list prints no QR codes, and drawing one per receipt
/// would cost a shift's list a millisecond a receipt.
pub const RECEIPTS_OF_SESSION: &str = concat!(
    receipt_select!("CAST(NULL AS bigint) AS entry_seq, CAST(NULL AS text) AS entry_hash", ""),
    " WHERE s.session_id = $1 ORDER BY s.receipt_seq"
);
/// `$1` receipt id.
pub const LINES: &str = "SELECT sl.*, coalesce(lr.refunded_quantity, 0) AS refunded_quantity,
        coalesce(lr.refunded_total, 0) AS refunded_total, coalesce(lr.refunded_tax, 0) AS refunded_tax
    FROM sale_lines sl LEFT JOIN line_refunds lr ON lr.sale_id = sl.sale_id AND lr.line_no = sl.line_no
    WHERE sl.sale_id = $1 ORDER BY sl.line_no";
/// `$1` receipt id.
pub const TENDERS: &str = "SELECT kind, amount, reference FROM sale_tenders WHERE sale_id = $1 ORDER BY n";
/// `$1` receipt id.
pub const TAXES: &str = "SELECT * FROM sale_taxes WHERE sale_id = $1 ORDER BY rate_ppm DESC, name";
/// `$1` session id.
pub const TOTALS: &str = "SELECT id, opening_cash, cash_net, sales_count, refunds_count, sales_total, refunds_total,
    discounts_total, discounts_count, tax_total, rounding_total, cash_sales, change_given, cash_refunds,
    paid_in_count, paid_in_total, paid_out_count, paid_out_total, drops_count, drops_total, no_sale_count,
    reprint_count, void_count, void_total FROM sessions WHERE id = $1";
/// `$1` session id.
pub const CATEGORY_TOTALS: &str =
    "SELECT category, count, amount FROM session_category_totals WHERE session_id = $1 ORDER BY category";
/// `$1` session id.
pub const TENDER_TOTALS: &str =
    "SELECT kind, count, amount FROM session_tender_totals WHERE session_id = $1 ORDER BY kind";
/// `$1` session id.
pub const TAX_TOTALS: &str = "SELECT tax_rate_id, name, rate_ppm, net, tax, gross FROM session_tax_totals
    WHERE session_id = $1 ORDER BY rate_ppm DESC, name";
