//! What the database holds at the end, read directly with the owner's URL (PostgreSQL) or the
//! file (SQLite), never through Till's own code: the audit must not trust what it audits.
//!
//! Each query is written once with three markers the dialects spell differently: `ID(x)` (a
//! UUID column as text: SQLite holds 16-byte BLOBs, PostgreSQL `uuid`), `INT(x)` (a bigint:
//! PostgreSQL's `integer` columns do not decode as i64) and `TXT(x)` (a `date` as text).

use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{PgPool, Row, SqlitePool};
use std::str::FromStr;
use uuid::Uuid;

pub enum Db {
    Sqlite(SqlitePool),
    Pg(PgPool),
}

impl Db {
    pub async fn open(url: &str) -> Result<Db, sqlx::Error> {
        if url.starts_with("sqlite:") {
            // Not read-only: a tillctl killed mid-write leaves a WAL that the first reader recovers.
            let options = SqliteConnectOptions::from_str(url)?;
            Ok(Db::Sqlite(SqlitePoolOptions::new().max_connections(1).connect_with(options).await?))
        } else {
            Ok(Db::Pg(PgPoolOptions::new().max_connections(1).connect(url).await?))
        }
    }

    fn is_pg(&self) -> bool {
        matches!(self, Db::Pg(_))
    }
}

/// The query in the database's dialect (see the module's comment).
pub fn dialect(sql: &str, pg: bool) -> String {
    let mut out = String::with_capacity(sql.len() + 64);
    let mut rest = sql;
    'scan: while !rest.is_empty() {
        for marker in ["ID(", "INT(", "TXT("] {
            let starts_word = out.chars().last().is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'));
            if rest.starts_with(marker) && starts_word {
                let inner_start = marker.len();
                let mut depth = 1;
                let mut end = None;
                for (i, c) in rest[inner_start..].char_indices() {
                    match c {
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                end = Some(inner_start + i);
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                let Some(end) = end else { break 'scan };
                let inner = dialect(&rest[inner_start..end], pg);
                out.push_str(&match (marker, pg) {
                    ("ID(", true) => format!("({inner})::text"),
                    ("ID(", false) => format!("lower(hex({inner}))"),
                    ("INT(", true) => format!("({inner})::bigint"),
                    ("TXT(", true) => format!("({inner})::text"),
                    _ => format!("({inner})"),
                });
                rest = &rest[end + 1..];
                continue 'scan;
            }
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            out.push(c);
        }
        rest = chars.as_str();
    }
    out.push_str(rest);
    out
}

/// Runs `$sql` on either backend and maps each row with `$body` (`$row` bound to it).
macro_rules! fetch {
    ($db:expr, $sql:expr, |$row:ident| $body:expr) => {{
        let sql = dialect($sql, $db.is_pg());
        match $db {
            Db::Sqlite(pool) => {
                let rows = sqlx::query(&sql).fetch_all(pool).await?;
                rows.iter().map(|$row| -> Result<_, sqlx::Error> { Ok($body) }).collect::<Result<Vec<_>, _>>()?
            }
            Db::Pg(pool) => {
                let rows = sqlx::query(&sql).fetch_all(pool).await?;
                rows.iter().map(|$row| -> Result<_, sqlx::Error> { Ok($body) }).collect::<Result<Vec<_>, _>>()?
            }
        }
    }};
}

/// A UUID column read as text (SQLite's `hex(NULL)` is the empty string).
fn id(text: Option<String>) -> Result<Option<Uuid>, sqlx::Error> {
    match text.as_deref() {
        None | Some("") => Ok(None),
        Some(text) => Uuid::parse_str(text).map(Some).map_err(|e| sqlx::Error::Decode(Box::new(e))),
    }
}

fn must(text: Option<String>) -> Result<Uuid, sqlx::Error> {
    id(text)?.ok_or_else(|| sqlx::Error::Decode("an id column is empty".into()))
}

#[derive(Debug, Clone, Default)]
pub struct SessionRow {
    pub id: Uuid,
    pub number: String,
    pub register_id: Uuid,
    pub location_id: Uuid,
    pub business_day: String,
    pub day_seq: i64,
    pub status: String,
    pub opening_cash: i64,
    pub close_request_id: Option<Uuid>,
    pub counted_cash: Option<i64>,
    pub expected_cash: Option<i64>,
    pub variance: Option<i64>,
    pub cash_removed: Option<i64>,
    pub float_left: Option<i64>,
    pub count_pending: i64,
    /// The running totals, by column name.
    pub totals: std::collections::BTreeMap<&'static str, i64>,
}

/// The session's running-total columns the audit recomputes.
pub const TOTAL_COLUMNS: &[&str] = &[
    "cash_net",
    "sales_count",
    "refunds_count",
    "sales_total",
    "refunds_total",
    "discounts_total",
    "discounts_count",
    "tax_total",
    "rounding_total",
    "cash_sales",
    "change_given",
    "cash_refunds",
    "paid_in_count",
    "paid_in_total",
    "paid_out_count",
    "paid_out_total",
    "drops_count",
    "drops_total",
    "no_sale_count",
];

#[derive(Debug, Clone)]
pub struct SaleRow {
    pub id: Uuid,
    pub kind: String,
    pub number: String,
    pub register_id: Uuid,
    pub receipt_seq: i64,
    pub session_id: Uuid,
    pub refund_of: Option<Uuid>,
    pub discount: i64,
    pub tax: i64,
    pub total: i64,
    pub rounding: i64,
    pub tendered: i64,
    pub change: i64,
    pub cash_net: i64,
}

#[derive(Debug, Clone)]
pub struct LineRow {
    pub sale_id: Uuid,
    pub line_no: i64,
    pub sku: String,
    pub category: String,
    pub quantity: i64,
    pub amount: i64,
    pub tax: i64,
    pub total: i64,
    pub refund_of_line: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct TenderRow {
    pub sale_id: Uuid,
    pub kind: String,
    pub amount: i64,
}

#[derive(Debug, Clone)]
pub struct TaxRow {
    pub sale_id: Uuid,
    pub tax_rate_id: Uuid,
    pub net: i64,
    pub tax: i64,
    pub gross: i64,
}

#[derive(Debug, Clone)]
pub struct LineRefundRow {
    pub sale_id: Uuid,
    pub line_no: i64,
    pub sold_quantity: i64,
    pub refunded_quantity: i64,
    pub sold_total: i64,
    pub refunded_total: i64,
    pub sold_tax: i64,
    pub refunded_tax: i64,
}

#[derive(Debug, Clone)]
pub struct MovementRow {
    pub id: Uuid,
    pub session_id: Uuid,
    pub kind: String,
    pub amount: i64,
}

/// A per-session total row: tender kind, tax rate or category.
#[derive(Debug, Clone)]
pub struct SessionPart {
    pub session_id: Uuid,
    pub name: String,
    pub count: i64,
    pub amount: i64,
    /// Tax totals only: net and tax (`amount` is the gross).
    pub net: i64,
    pub tax: i64,
}

#[derive(Debug, Clone)]
pub struct ZRow {
    pub register_id: Uuid,
    pub z_number: i64,
    pub session_id: Uuid,
    pub first_receipt: Option<String>,
    pub last_receipt: Option<String>,
    pub grand_sales: i64,
    pub grand_refunds: i64,
}

#[derive(Debug, Clone)]
pub struct JournalRow {
    pub chain_id: Uuid,
    pub seq: i64,
    pub event: String,
    pub ref_id: Option<Uuid>,
}

#[derive(Debug, Default)]
pub struct Snapshot {
    pub sessions: Vec<SessionRow>,
    /// (location, business day, last seq).
    pub day_counters: Vec<(Uuid, String, i64)>,
    /// (register, last receipt seq).
    pub register_counters: Vec<(Uuid, i64)>,
    /// (session, request id) of each recorded join.
    pub joins: Vec<(Uuid, Option<Uuid>)>,
    /// (request id, session) of repeat joins.
    pub shift_requests: Vec<(Uuid, Uuid)>,
    pub sales: Vec<SaleRow>,
    pub lines: Vec<LineRow>,
    pub tenders: Vec<TenderRow>,
    pub taxes: Vec<TaxRow>,
    pub line_refunds: Vec<LineRefundRow>,
    pub movements: Vec<MovementRow>,
    pub tender_totals: Vec<SessionPart>,
    pub tax_totals: Vec<SessionPart>,
    pub category_totals: Vec<SessionPart>,
    pub z_reports: Vec<ZRow>,
    pub journal: Vec<JournalRow>,
    /// Each location's id and whether its prices include tax.
    pub locations: Vec<(Uuid, String, bool)>,
}

pub async fn snapshot(db: &Db) -> Result<Snapshot, sqlx::Error> {
    let mut s = Snapshot::default();
    let totals = TOTAL_COLUMNS.iter().map(|c| format!("INT({c}) AS {c}")).collect::<Vec<_>>().join(", ");
    let sessions_sql = format!(
        "SELECT ID(id) AS id, number, ID(register_id) AS register_id, ID(location_id) AS location_id,
                TXT(business_day) AS business_day, INT(day_seq) AS day_seq, status, INT(opening_cash) AS opening_cash,
                ID(close_request_id) AS close_request_id, INT(counted_cash) AS counted_cash,
                INT(expected_cash) AS expected_cash, INT(variance) AS variance, INT(cash_removed) AS cash_removed,
                INT(float_left) AS float_left, INT(CASE WHEN count_pending THEN 1 ELSE 0 END) AS count_pending, {totals}
         FROM sessions ORDER BY number"
    );
    s.sessions = fetch!(db, &sessions_sql, |r| {
        let mut totals = std::collections::BTreeMap::new();
        for c in TOTAL_COLUMNS {
            totals.insert(*c, r.try_get::<i64, _>(*c)?);
        }
        SessionRow {
            id: must(r.try_get("id")?)?,
            number: r.try_get("number")?,
            register_id: must(r.try_get("register_id")?)?,
            location_id: must(r.try_get("location_id")?)?,
            business_day: r.try_get("business_day")?,
            day_seq: r.try_get("day_seq")?,
            status: r.try_get("status")?,
            opening_cash: r.try_get("opening_cash")?,
            close_request_id: id(r.try_get("close_request_id")?)?,
            counted_cash: r.try_get("counted_cash")?,
            expected_cash: r.try_get("expected_cash")?,
            variance: r.try_get("variance")?,
            cash_removed: r.try_get("cash_removed")?,
            float_left: r.try_get("float_left")?,
            count_pending: r.try_get("count_pending")?,
            totals,
        }
    });
    s.day_counters = fetch!(
        db,
        "SELECT ID(location_id) AS l, TXT(business_day) AS d, INT(last_seq) AS n FROM day_counters",
        |r| (must(r.try_get("l")?)?, r.try_get::<String, _>("d")?, r.try_get::<i64, _>("n")?)
    );
    s.register_counters = fetch!(
        db,
        "SELECT ID(register_id) AS r, INT(last_receipt) AS n FROM register_counters",
        |r| (must(r.try_get("r")?)?, r.try_get::<i64, _>("n")?)
    );
    s.joins = fetch!(db, "SELECT ID(session_id) AS s, ID(request_id) AS q FROM session_joins", |r| (
        must(r.try_get("s")?)?,
        id(r.try_get("q")?)?
    ));
    s.shift_requests = fetch!(db, "SELECT ID(request_id) AS q, ID(session_id) AS s FROM shift_requests", |r| (
        must(r.try_get("q")?)?,
        must(r.try_get("s")?)?
    ));
    s.sales = fetch!(
        db,
        "SELECT ID(id) AS id, kind, number, ID(register_id) AS register_id, INT(receipt_seq) AS receipt_seq,
                ID(session_id) AS session_id, ID(refund_of) AS refund_of, INT(discount) AS discount, INT(tax) AS tax, INT(total) AS total, INT(rounding) AS rounding,
                INT(tendered) AS tendered, INT(change) AS change, INT(cash_net) AS cash_net
         FROM sales ORDER BY number",
        |r| SaleRow {
            id: must(r.try_get("id")?)?,
            kind: r.try_get("kind")?,
            number: r.try_get("number")?,
            register_id: must(r.try_get("register_id")?)?,
            receipt_seq: r.try_get("receipt_seq")?,
            session_id: must(r.try_get("session_id")?)?,
            refund_of: id(r.try_get("refund_of")?)?,
            discount: r.try_get("discount")?,
            tax: r.try_get("tax")?,
            total: r.try_get("total")?,
            rounding: r.try_get("rounding")?,
            tendered: r.try_get("tendered")?,
            change: r.try_get("change")?,
            cash_net: r.try_get("cash_net")?,
        }
    );
    s.lines = fetch!(
        db,
        "SELECT ID(sale_id) AS sale_id, INT(line_no) AS line_no, sku, category, INT(quantity) AS quantity,
                INT(amount) AS amount, INT(tax) AS tax, INT(total) AS total, INT(refund_of_line) AS refund_of_line
         FROM sale_lines ORDER BY sale_id, line_no",
        |r| LineRow {
            sale_id: must(r.try_get("sale_id")?)?,
            line_no: r.try_get("line_no")?,
            sku: r.try_get("sku")?,
            category: r.try_get("category")?,
            quantity: r.try_get("quantity")?,
            amount: r.try_get("amount")?,
            tax: r.try_get("tax")?,
            total: r.try_get("total")?,
            refund_of_line: r.try_get("refund_of_line")?,
        }
    );
    s.tenders = fetch!(
        db,
        "SELECT ID(sale_id) AS sale_id, kind, INT(amount) AS amount FROM sale_tenders ORDER BY sale_id, n",
        |r| TenderRow { sale_id: must(r.try_get("sale_id")?)?, kind: r.try_get("kind")?, amount: r.try_get("amount")? }
    );
    s.taxes = fetch!(
        db,
        "SELECT ID(sale_id) AS sale_id, ID(tax_rate_id) AS tax_rate_id, INT(net) AS net, INT(tax) AS tax,
                INT(gross) AS gross FROM sale_taxes",
        |r| TaxRow {
            sale_id: must(r.try_get("sale_id")?)?,
            tax_rate_id: must(r.try_get("tax_rate_id")?)?,
            net: r.try_get("net")?,
            tax: r.try_get("tax")?,
            gross: r.try_get("gross")?,
        }
    );
    s.line_refunds = fetch!(
        db,
        "SELECT ID(sale_id) AS sale_id, INT(line_no) AS line_no, INT(sold_quantity) AS sq,
                INT(refunded_quantity) AS rq, INT(sold_total) AS st, INT(refunded_total) AS rt,
                INT(sold_tax) AS sx, INT(refunded_tax) AS rx FROM line_refunds",
        |r| LineRefundRow {
            sale_id: must(r.try_get("sale_id")?)?,
            line_no: r.try_get("line_no")?,
            sold_quantity: r.try_get("sq")?,
            refunded_quantity: r.try_get("rq")?,
            sold_total: r.try_get("st")?,
            refunded_total: r.try_get("rt")?,
            sold_tax: r.try_get("sx")?,
            refunded_tax: r.try_get("rx")?,
        }
    );
    s.movements = fetch!(
        db,
        "SELECT ID(id) AS id, ID(session_id) AS session_id, kind, INT(amount) AS amount FROM cash_movements",
        |r| MovementRow {
            id: must(r.try_get("id")?)?,
            session_id: must(r.try_get("session_id")?)?,
            kind: r.try_get("kind")?,
            amount: r.try_get("amount")?,
        }
    );
    s.tender_totals = fetch!(
        db,
        "SELECT ID(session_id) AS s, kind, INT(count) AS c, INT(amount) AS a FROM session_tender_totals",
        |r| SessionPart {
            session_id: must(r.try_get("s")?)?,
            name: r.try_get("kind")?,
            count: r.try_get("c")?,
            amount: r.try_get("a")?,
            net: 0,
            tax: 0,
        }
    );
    s.tax_totals = fetch!(
        db,
        "SELECT ID(session_id) AS s, ID(tax_rate_id) AS t, INT(net) AS n, INT(tax) AS x, INT(gross) AS g
         FROM session_tax_totals",
        |r| SessionPart {
            session_id: must(r.try_get("s")?)?,
            name: must(r.try_get("t")?)?.to_string(),
            count: 0,
            amount: r.try_get("g")?,
            net: r.try_get("n")?,
            tax: r.try_get("x")?,
        }
    );
    s.category_totals = fetch!(
        db,
        "SELECT ID(session_id) AS s, category, INT(count) AS c, INT(amount) AS a FROM session_category_totals",
        |r| SessionPart {
            session_id: must(r.try_get("s")?)?,
            name: r.try_get("category")?,
            count: r.try_get("c")?,
            amount: r.try_get("a")?,
            net: 0,
            tax: 0,
        }
    );
    s.z_reports = fetch!(
        db,
        "SELECT ID(register_id) AS r, INT(z_number) AS z, ID(session_id) AS s, first_receipt, last_receipt,
                INT(grand_sales) AS gs, INT(grand_refunds) AS gr FROM z_reports ORDER BY z_number",
        |r| ZRow {
            register_id: must(r.try_get("r")?)?,
            z_number: r.try_get("z")?,
            session_id: must(r.try_get("s")?)?,
            first_receipt: r.try_get("first_receipt")?,
            last_receipt: r.try_get("last_receipt")?,
            grand_sales: r.try_get("gs")?,
            grand_refunds: r.try_get("gr")?,
        }
    );
    s.journal = fetch!(
        db,
        "SELECT ID(chain_id) AS c, INT(seq) AS q, event, ID(ref_id) AS r FROM journal ORDER BY chain_id, seq",
        |r| JournalRow {
            chain_id: must(r.try_get("c")?)?,
            seq: r.try_get("q")?,
            event: r.try_get("event")?,
            ref_id: id(r.try_get("r")?)?,
        }
    );
    s.locations = fetch!(
        db,
        "SELECT ID(id) AS id, code, INT(CASE WHEN prices_include_tax THEN 1 ELSE 0 END) AS inc FROM locations",
        |r| (must(r.try_get("id")?)?, r.try_get::<String, _>("code")?, r.try_get::<i64, _>("inc")? != 0)
    );
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::dialect;

    #[test]
    fn markers_become_each_dialect() {
        let sql = "SELECT ID(s.id) AS id, INT(count(x)) AS n, TXT(day) FROM t WHERE VALID(a)";
        assert_eq!(
            dialect(sql, true),
            "SELECT (s.id)::text AS id, (count(x))::bigint AS n, (day)::text FROM t WHERE VALID(a)"
        );
        assert_eq!(dialect(sql, false), "SELECT lower(hex(s.id)) AS id, (count(x)) AS n, (day) FROM t WHERE VALID(a)");
    }
}
