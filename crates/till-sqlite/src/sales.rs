//! Receipts: each sale or refund is one `BEGIN IMMEDIATE` transaction on the writer, so the
//! session it reads as open stays open until it commits (a close waits for the write lock), and
//! the register's counter, the receipt's rows and the session's totals move together.

use crate::{map_err, SqliteStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};
use std::collections::BTreeMap;
use till_core::journal::NewEntry;
use till_core::sales::figures::{self, LineLeft};
use till_core::*;
use till_sqlx::sales as sql;
use uuid::Uuid;

/// Reads a receipt's lines, tenders and taxes.
async fn complete(conn: &mut SqliteConnection, mut receipt: Receipt) -> Result<Receipt, StoreError> {
    let id = receipt.id.0;
    receipt.lines = sqlx::query(sql::LINES)
        .bind(id)
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?
        .iter()
        .map(till_sqlx::receipt_line)
        .collect::<Result<_, _>>()?;
    receipt.tenders = sqlx::query(sql::TENDERS)
        .bind(id)
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?
        .iter()
        .map(till_sqlx::receipt_tender)
        .collect::<Result<_, _>>()?;
    receipt.taxes = sqlx::query(sql::TAXES)
        .bind(id)
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?
        .iter()
        .map(till_sqlx::receipt_tax)
        .collect::<Result<_, _>>()?;
    Ok(receipt)
}

/// The checks the PostgreSQL function makes too: the receipt adds up.
fn adds_up(r: &NewReceipt) -> Result<(), StoreError> {
    let lines_total: i64 = r.lines.iter().map(|l| l.total).sum();
    let lines_tax: i64 = r.lines.iter().map(|l| l.tax).sum();
    let taxes: i64 = r.taxes.iter().map(|t| t.tax).sum();
    let tendered: i64 = r.tenders.iter().map(|t| t.amount).sum();
    if r.lines.is_empty() || lines_total != r.total || lines_tax != r.tax || taxes != r.tax || tendered != r.tendered {
        return Err(Refusal::Rejected(format!("receipt {} does not add up", r.id)).into());
    }
    Ok(())
}

/// Most lines one statement binds (the most a receipt may have: till-core refuses more, but
/// the catalog check runs before that rule and must not meet SQLite's limit on bound values).
const LINES_PER_STATEMENT: usize = till_core::pricing::MAX_LINES;

/// What a receipt starts from, read in one statement of its transaction with who acts and the
/// session ([`crate::session_actor_answer`]): the session, its location's rules, an earlier receipt under the same
/// id, the register's journal head, and the first answer of the catalog check (each statement
/// is a round trip to SQLite's worker thread; the checks still refuse in their order, [`record`]
/// reads the answers in it).
struct Context {
    session: Session,
    /// `(session_limit_minutes, timezone, cutoff_minutes)`: the forgotten-session rule.
    forgotten: (i64, String, i32),
    discount_limit_ppm: u32,
    cash_rounding_minor: i64,
    location_prices_include_tax: bool,
    /// The earlier receipt's `(request_hash, number)`, if the id was used before.
    earlier: Option<(String, String)>,
    /// The register's journal head `(seq, hash)`: the sale's entry follows it.
    head: Option<(i64, String)>,
    /// What [`refuse_stale`] found in the receipt's first [`LINES_PER_STATEMENT`] lines.
    first_check: Staleness,
}

/// The catalog check's answer for one part of a receipt, read against the session's location.
enum Staleness {
    /// A sale: the SKU of its first line that is no longer the catalog's, if any.
    Sale(Option<String>),
    /// A refund: whether the sale it names is a sale of this location.
    Refund { sale_found: bool },
}

/// Pushes, as the column `stale_sku` of a statement over the session `s`, the SKU of the first
/// of `lines` (numbered from `first_no`, in order) whose product, price, tax rate or rate is no
/// longer the catalog's at the session's location, or whose printed SKU, name or category is
/// not the product's (a 899.00 TV cannot be printed as a cable). `lines` is not empty.
fn push_stale_sku<'a>(q: &mut QueryBuilder<'a, Sqlite>, lines: &'a [ReceiptLine], first_no: usize) {
    q.push("(WITH l (n, product_id, catalog_unit_price, tax_rate_id, rate_ppm, sku, name, category) AS (");
    q.push_values(lines.iter().enumerate(), |mut row, (i, l)| {
        row.push_bind((first_no + i) as i64)
            .push_bind(l.product_id.0)
            .push_bind(l.catalog_unit_price)
            .push_bind(l.tax_rate_id.0)
            .push_bind(l.rate_ppm)
            .push_bind(&l.sku)
            .push_bind(&l.name)
            .push_bind(&l.category);
    });
    q.push(
        ") SELECT l.sku FROM l
          WHERE NOT EXISTS (SELECT 1 FROM products p JOIN tax_rates t ON t.id = p.tax_rate_id
             LEFT JOIN categories c ON c.id = p.category_id
             WHERE p.id = l.product_id AND p.location_id = s.location_id
               AND p.active = 1 AND p.price_minor = l.catalog_unit_price AND p.tax_rate_id = l.tax_rate_id
               AND t.rate_ppm = l.rate_ppm AND p.sku = l.sku AND p.name = l.name
               AND coalesce(c.name, '') = l.category)
          ORDER BY l.n LIMIT 1) AS stale_sku",
    );
}

/// Reads the start of `r` in one statement: who acts and the session, as every session
/// operation reads them ([`crate::push_session_actor_tables`], answered by
/// [`crate::session_actor_answer`]), and [`Context`]'s columns.
async fn start_of(tx: &mut SqliteConnection, r: &NewReceipt) -> Result<SqliteRow, StoreError> {
    let mut q = QueryBuilder::<Sqlite>::new("SELECT ");
    crate::push_login_columns(&mut q);
    q.push(
        ", s.*, l.session_limit_minutes AS loc_session_limit_minutes, l.timezone AS loc_timezone,
            l.cutoff_minutes AS loc_cutoff_minutes, l.discount_limit_ppm AS loc_discount_limit_ppm,
            l.cash_rounding_minor AS loc_cash_rounding_minor, l.prices_include_tax AS loc_prices_include_tax,
            e.request_hash AS earlier_request_hash, e.number AS earlier_number,
            h.seq AS head_seq, h.hash AS head_hash, ",
    );
    match r.kind {
        ReceiptKind::Sale if r.lines.is_empty() => {
            q.push("NULL AS stale_sku");
        }
        ReceiptKind::Sale => push_stale_sku(&mut q, &r.lines[..r.lines.len().min(LINES_PER_STATEMENT)], 0),
        ReceiptKind::Refund => {
            q.push("EXISTS (SELECT 1 FROM sales o WHERE o.id = ");
            q.push_bind(r.refund_of.map(|id| id.0));
            q.push(" AND o.kind = 'sale' AND o.location_id = s.location_id) AS refunded_sale_found");
        }
    }
    crate::push_session_actor_tables(&mut q, r.session_id, Some(r.register_id), &r.actor.login, &r.device);
    q.push(" LEFT JOIN locations l ON l.id = s.location_id LEFT JOIN sales e ON e.id = ");
    q.push_bind(r.id.0);
    q.push(" LEFT JOIN journal_heads h ON h.chain_id = s.register_id");
    q.build().fetch_one(&mut *tx).await.map_err(map_err)
}

/// Decodes [`Context`] for `r` into `session` from the row [`start_of`] read.
fn context(row: &SqliteRow, r: &NewReceipt, session: Session) -> Result<Context, StoreError> {
    let get = |e| map_err(e);
    let earlier = match row.try_get::<Option<String>, _>("earlier_request_hash").map_err(get)? {
        Some(hash) => Some((hash, row.try_get("earlier_number").map_err(get)?)),
        None => None,
    };
    let head = match row.try_get::<Option<i64>, _>("head_seq").map_err(get)? {
        Some(seq) => Some((seq, row.try_get("head_hash").map_err(get)?)),
        None => None,
    };
    let first_check = match r.kind {
        ReceiptKind::Sale => Staleness::Sale(row.try_get("stale_sku").map_err(get)?),
        ReceiptKind::Refund => Staleness::Refund { sale_found: row.try_get("refunded_sale_found").map_err(get)? },
    };
    Ok(Context {
        session,
        forgotten: (
            row.try_get("loc_session_limit_minutes").map_err(get)?,
            row.try_get("loc_timezone").map_err(get)?,
            row.try_get("loc_cutoff_minutes").map_err(get)?,
        ),
        discount_limit_ppm: row.try_get("loc_discount_limit_ppm").map_err(get)?,
        cash_rounding_minor: row.try_get("loc_cash_rounding_minor").map_err(get)?,
        location_prices_include_tax: row.try_get("loc_prices_include_tax").map_err(get)?,
        earlier,
        head,
        first_check,
    })
}

/// The sale a refund names, line by line, with what earlier refunds took of each (read in the
/// refund's write transaction), and whether it was priced with tax included.
async fn sold_lines(
    tx: &mut SqliteConnection,
    r: &NewReceipt,
) -> Result<(BTreeMap<u32, (ReceiptLine, LineLeft)>, bool), StoreError> {
    let sale = r.refund_of.map(|id| id.0);
    let include: Option<bool> =
        sqlx::query_scalar("SELECT prices_include_tax FROM sales WHERE id = ?1 AND kind = 'sale'")
            .bind(sale)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?;
    let include = include.ok_or_else(|| StoreError::not_found(Entity::Receipt, "the refunded sale"))?;
    let rows = sqlx::query(sql::LINES).bind(sale).fetch_all(&mut *tx).await.map_err(map_err)?;
    let mut lines = BTreeMap::new();
    for row in &rows {
        let line = till_sqlx::receipt_line(row)?;
        let left = LineLeft::of(&line);
        lines.insert(line.line_no, (line, left));
    }
    Ok((lines, include))
}

/// Records `r` in `tx`. `approver`: the manager whose PIN the store checked for it, if the
/// actor carried one.
async fn record(
    tx: &mut SqliteConnection,
    r: &NewReceipt,
    approver: Option<User>,
    now: DateTime<Utc>,
) -> Result<Recorded, StoreError> {
    let start = start_of(tx, r).await?;
    let (user, session) =
        crate::session_actor_answer(tx, &start, r.session_id, Some(r.register_id), &r.actor.login, now).await?;
    if session.register_id != r.register_id {
        return Err(StoreError::not_found(Entity::Session, r.session_id));
    }
    let Context {
        session,
        forgotten,
        discount_limit_ppm: limit,
        cash_rounding_minor: increment,
        location_prices_include_tax: include,
        earlier,
        head,
        first_check,
    } = context(&start, r, session)?;
    if let Some(earlier) = earlier_answer(r, earlier)? {
        return Ok(earlier);
    }
    if session.status != SessionStatus::Open {
        return Err(Refusal::SessionClosed(session.number).into());
    }
    crate::refuse_forgotten_by(&session, (forgotten.0, &forgotten.1, forgotten.2), now)?;
    refuse_stale(tx, r, session.location_id, first_check).await?;
    adds_up(r)?;
    // What it adds to the drawer follows from its cash tenders, never from the caller's word.
    let cash: i64 = r.tenders.iter().filter(|t| t.kind == "cash").map(|t| t.amount).sum();
    let drawer = match r.kind {
        ReceiptKind::Sale => cash - r.change,
        ReceiptKind::Refund => -cash,
    };
    if r.cash_net != drawer || (r.kind == ReceiptKind::Sale && r.change > cash) {
        return Err(Refusal::Rejected(format!("receipt {} does not add up: its cash", r.id)).into());
    }
    let approved_by = if r.needs_manager(limit) {
        let manager = crate::answering_manager(approver, &user).ok_or_else(|| {
            Refusal::ApprovalNeeded(match r.kind {
                ReceiptKind::Refund => "a refund".into(),
                ReceiptKind::Sale => "a price override or a discount above the limit".into(),
            })
        })?;
        Some(manager.id)
    } else {
        None
    };
    // A refund says why (till-core's rule, checked again: the store is called directly too); a
    // sale has no reason.
    let reason = match (r.kind, &r.refund_reason) {
        (ReceiptKind::Refund, Some(reason)) => {
            Some(reason.checked().map_err(|e| Refusal::Rejected(format!("receipt {}: {e}", r.id)))?)
        }
        (ReceiptKind::Refund, None) => {
            return Err(Refusal::Rejected(format!("receipt {}: a refund needs a reason from the list", r.id)).into())
        }
        (ReceiptKind::Sale, Some(_)) => {
            return Err(Refusal::Rejected(format!("receipt {}: a sale has no refund reason", r.id)).into())
        }
        (ReceiptKind::Sale, None) => None,
    };
    // A changed price says why, and nothing else carries a reason (till-core's rule, checked
    // again here for the same reason).
    r.check_price_change_reasons().map_err(|e| Refusal::Rejected(format!("receipt {}: {e}", r.id)))?;
    // Every figure follows from the lines (till-core's rule; PostgreSQL has its copy).
    let figures = match r.kind {
        ReceiptKind::Sale if r.prices_include_tax != include => {
            Err(figures::Refused::Figures("priced as the location does not".to_string()))
        }
        ReceiptKind::Sale => figures::check_sale(r, increment),
        ReceiptKind::Refund => {
            let (original, sold_include) = sold_lines(tx, r).await?;
            figures::check_refund(r, &original, sold_include, increment)
        }
    };
    figures?;
    let seq: i64 = sqlx::query_scalar(
        "INSERT INTO register_counters (register_id, last_receipt) VALUES (?1, 1)
         ON CONFLICT (register_id) DO UPDATE SET last_receipt = last_receipt + 1 RETURNING last_receipt",
    )
    .bind(r.register_id.0)
    .fetch_one(&mut *tx)
    .await
    .map_err(map_err)?;
    let number = till_core::sales::receipt_number(&session.location_code, &session.register_code, seq);
    let at = now;
    sqlx::query(
        "INSERT INTO sales (id, kind, number, register_id, location_id, receipt_seq, session_id, refund_of, user_id,
            user_name, device, at, currency, prices_include_tax, subtotal, discount, tax, total, rounding, tendered,
            change, cash_net, request_hash, approved_by, refund_reason_kind, refund_reason_text,
            receipt_discount_reason_kind, receipt_discount_reason_text)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23,
            ?24, ?25, ?26, ?27, ?28)",
    )
    .bind(r.id.0)
    .bind(r.kind.as_str())
    .bind(&number)
    .bind(r.register_id.0)
    .bind(session.location_id.0)
    .bind(seq)
    .bind(session.id.0)
    .bind(r.refund_of.map(|id| id.0))
    .bind(user.id.0)
    .bind(&user.name)
    .bind(&r.device)
    .bind(at)
    .bind(session.currency.code())
    .bind(r.prices_include_tax)
    .bind(r.subtotal)
    .bind(r.discount)
    .bind(r.tax)
    .bind(r.total)
    .bind(r.rounding)
    .bind(r.tendered)
    .bind(r.change)
    .bind(r.cash_net)
    .bind(&r.request_hash)
    .bind(approved_by.map(|u| u.0))
    .bind(reason.as_ref().map(|r| r.kind.as_str()))
    .bind(reason.as_ref().and_then(|r| r.text.clone()))
    .bind(r.receipt_discount_reason.as_ref().map(|r| r.kind.as_str()))
    .bind(r.receipt_discount_reason.as_ref().and_then(|r| r.text.clone()))
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    insert_rows(tx, r).await?;
    take_refunded(tx, r).await?;
    add_to_session_totals(tx, r, session.id, cash).await?;
    // The journal entry, as PostgreSQL's function writes it.
    let payload = json!({
        "id": r.id.0, "number": number, "kind": r.kind.as_str(), "session_id": session.id.0,
        "refund_of": r.refund_of.map(|id| id.0), "total": r.total, "tax": r.tax, "discount": r.discount,
        "rounding": r.rounding, "tendered": r.tendered, "change": r.change, "cash_net": r.cash_net,
        "approved_by": approved_by.map(|u| u.0),
        "refund_reason": reason.as_ref().map(|r| json!({ "kind": r.kind.as_str(), "text": r.text })),
        "receipt_discount_reason": r.receipt_discount_reason.as_ref().map(|r| json!({ "kind": r.kind.as_str(), "text": r.text })),
        "price_change_reasons": till_core::journal::price_change_reasons(
            r.lines.iter().filter_map(|l| l.price_change_reason.as_ref().map(|reason| (l.line_no, reason))),
        ),
        "lines": r.lines.iter().map(|l| json!([l.line_no, l.product_id.0, l.quantity, l.unit_price, l.amount, l.tax, l.total])).collect::<Vec<_>>(),
        "tenders": r.tenders.iter().map(|t| json!([t.kind, t.amount, t.reference])).collect::<Vec<_>>(),
    });
    let entry = NewEntry {
        chain: session.register_id.0,
        at,
        device: r.device.clone(),
        user: Some(user.id.0),
        event: r.kind.as_str(),
        reference: Some(r.id.0),
        payload,
    };
    crate::journal::append_after(tx, head, entry).await?;
    Ok(Recorded { number, repeated: false })
}

#[async_trait]
impl SalesStore for SqliteStore {
    async fn pricing_settings(&self, location: &LocationCode) -> Result<PricingSettings, StoreError> {
        let mut conn = self.reader.acquire().await.map_err(map_err)?;
        let row = sqlx::query(sql::PRICING)
            .bind(location.as_str())
            .fetch_optional(&mut *conn)
            .await
            .map_err(map_err)?
            .ok_or_else(|| StoreError::not_found(Entity::Location, location))?;
        let location_id: Uuid = row.try_get("id").map_err(map_err)?;
        let rates = sqlx::query(till_sqlx::catalog::TAX_RATES)
            .bind(location_id)
            .fetch_all(&mut *conn)
            .await
            .map_err(map_err)?
            .iter()
            .map(till_sqlx::tax_rate)
            .collect::<Result<_, _>>()?;
        till_sqlx::pricing_settings(&row, rates)
    }

    async fn record_receipt(&self, receipt: NewReceipt) -> Result<Recorded, StoreError> {
        let approver = self.approver(&receipt.actor, &receipt.device).await?;
        let mut tx = self.write().await?;
        // A dropped transaction rolls back: an error below writes nothing.
        let recorded = record(&mut tx, &receipt, approver, self.now()).await?;
        if !recorded.repeated {
            tx.commit().await.map_err(map_err)?;
        }
        Ok(recorded)
    }

    async fn find_receipt(&self, number: &str) -> Result<Receipt, StoreError> {
        let mut conn = self.reader.acquire().await.map_err(map_err)?;
        let row = sqlx::query(sql::RECEIPT_BY_NUMBER)
            .bind(number)
            .fetch_optional(&mut *conn)
            .await
            .map_err(map_err)?
            .ok_or_else(|| StoreError::not_found(Entity::Receipt, number))?;
        complete(&mut conn, till_sqlx::receipt(&row)?).await
    }

    async fn prior_receipt(&self, id: ReceiptId) -> Result<Option<Prior<String>>, StoreError> {
        let row = sqlx::query(sql::PRIOR_RECEIPT).bind(id.0).fetch_optional(&self.reader).await.map_err(map_err)?;
        row.map(|row| till_sqlx::prior(&row, "number")).transpose()
    }

    async fn list_receipts(&self, session: SessionId) -> Result<Vec<Receipt>, StoreError> {
        let rows =
            sqlx::query(sql::RECEIPTS_OF_SESSION).bind(session.0).fetch_all(&self.reader).await.map_err(map_err)?;
        rows.iter().map(till_sqlx::receipt).collect()
    }

    async fn session_totals(&self, session: SessionId) -> Result<SessionTotals, StoreError> {
        // One read transaction: the session's row and its per-tender, per-rate and per-category
        // rows are one moment, whatever the register records meanwhile (an X of a selling
        // register mixed two moments before: tenders, drawer and taxes disagreed).
        let mut conn = self.reader.begin().await.map_err(map_err)?;
        let row = sqlx::query(sql::TOTALS)
            .bind(session.0)
            .fetch_optional(&mut *conn)
            .await
            .map_err(map_err)?
            .ok_or_else(|| StoreError::not_found(Entity::Session, session))?;
        let mut totals = till_sqlx::session_totals(&row)?;
        totals.tenders = sqlx::query(sql::TENDER_TOTALS)
            .bind(session.0)
            .fetch_all(&mut *conn)
            .await
            .map_err(map_err)?
            .iter()
            .map(till_sqlx::tender_total)
            .collect::<Result<_, _>>()?;
        totals.taxes = sqlx::query(sql::TAX_TOTALS)
            .bind(session.0)
            .fetch_all(&mut *conn)
            .await
            .map_err(map_err)?
            .iter()
            .map(till_sqlx::receipt_tax)
            .collect::<Result<_, _>>()?;
        totals.categories = sqlx::query(sql::CATEGORY_TOTALS)
            .bind(session.0)
            .fetch_all(&mut *conn)
            .await
            .map_err(map_err)?
            .iter()
            .map(till_sqlx::category_total)
            .collect::<Result<_, _>>()?;
        Ok(totals)
    }
}

/// The first outcome of this receipt id, if it was recorded before (`earlier`: its
/// `(request_hash, number)`): the same request answers it again; another request under the id
/// is `idempotency_conflict`.
fn earlier_answer(r: &NewReceipt, earlier: Option<(String, String)>) -> Result<Option<Recorded>, StoreError> {
    match earlier {
        Some((hash, _)) if hash != r.request_hash => {
            Err(Refusal::IdempotencyConflict(format!("receipt id {} was already used for another receipt", r.id))
                .into())
        }
        Some((_, number)) => Ok(Some(Recorded { number, repeated: true })),
        None => Ok(None),
    }
}

/// A sale whose lines are no longer the catalog's, or a refund of a sale that is not this
/// location's, is refused before anything is written. `first_check`: the answer [`context`]
/// read for the first [`LINES_PER_STATEMENT`] lines (or the refunded sale); a longer receipt's
/// further lines are checked here, a statement per LINES_PER_STATEMENT, in order.
async fn refuse_stale(
    tx: &mut SqliteConnection,
    r: &NewReceipt,
    location: LocationId,
    first_check: Staleness,
) -> Result<(), StoreError> {
    let changed = |sku: String| Refusal::CatalogChanged(format!("{sku} changed since it was priced"));
    match first_check {
        Staleness::Sale(Some(sku)) => return Err(changed(sku).into()),
        Staleness::Sale(None) => {}
        Staleness::Refund { sale_found: true } => return Ok(()),
        Staleness::Refund { sale_found: false } => {
            return Err(StoreError::not_found(Entity::Receipt, "the refunded sale at this location"))
        }
    }
    for (chunk_no, chunk) in r.lines.chunks(LINES_PER_STATEMENT).enumerate().skip(1) {
        let mut q = QueryBuilder::<Sqlite>::new("SELECT ");
        push_stale_sku(&mut q, chunk, chunk_no * LINES_PER_STATEMENT);
        q.push(" FROM (SELECT ");
        q.push_bind(location.0);
        q.push(" AS location_id) s");
        let stale: Option<String> = q.build_query_scalar().fetch_one(&mut *tx).await.map_err(map_err)?;
        if let Some(sku) = stale {
            return Err(changed(sku).into());
        }
    }
    Ok(())
}

/// A refund's lines taken from what is left of the sold lines (`line_refunds`, whose CHECK
/// refuses more than was sold).
async fn take_refunded(tx: &mut SqliteConnection, r: &NewReceipt) -> Result<(), StoreError> {
    for l in &r.lines {
        if let (ReceiptKind::Refund, Some(original), Some(line_no)) = (r.kind, r.refund_of, l.refund_of_line) {
            // What was sold comes from the original's rows; the CHECK refuses more than that.
            let taken = sqlx::query(
                "INSERT INTO line_refunds (sale_id, line_no, sold_quantity, refunded_quantity, sold_total, refunded_total,
                    sold_tax, refunded_tax)
                 SELECT sale_id, line_no, quantity, ?3, total, ?4, tax, ?5 FROM sale_lines WHERE sale_id = ?1 AND line_no = ?2
                 ON CONFLICT (sale_id, line_no) DO UPDATE SET
                    refunded_quantity = refunded_quantity + excluded.refunded_quantity,
                    refunded_total = refunded_total + excluded.refunded_total,
                    refunded_tax = refunded_tax + excluded.refunded_tax",
            )
            .bind(original.0)
            .bind(i64::from(line_no))
            .bind(l.quantity)
            .bind(l.total)
            .bind(l.tax)
            .execute(&mut *tx)
            .await
            .map_err(|e| match map_err(e) {
                StoreError::Refused(Refusal::Rejected(text)) => Refusal::RefundExceedsSale(text).into(),
                other => other,
            })?;
            if taken.rows_affected() != 1 {
                return Err(StoreError::not_found(Entity::Receipt, format!("line {line_no} of the refunded sale")));
            }
        }
    }
    Ok(())
}

/// The session's running totals (what the X and Z read), moved by this receipt: a refund
/// subtracts.
async fn add_to_session_totals(
    tx: &mut SqliteConnection,
    r: &NewReceipt,
    session: SessionId,
    cash: i64,
) -> Result<(), StoreError> {
    let (sale, sign) = match r.kind {
        ReceiptKind::Sale => (1_i64, 1_i64),
        ReceiptKind::Refund => (0, -1),
    };
    sqlx::query(
        "UPDATE sessions SET cash_net = cash_net + ?2, sales_count = sales_count + ?3, refunds_count = refunds_count + ?4,
            sales_total = sales_total + ?5, refunds_total = refunds_total + ?6, discounts_total = discounts_total + ?7,
            tax_total = tax_total + ?8, rounding_total = rounding_total + ?9,
            discounts_count = discounts_count + ?10, cash_sales = cash_sales + ?3 * ?11,
            change_given = change_given + ?3 * ?12, cash_refunds = cash_refunds + ?4 * ?11
         WHERE id = ?1",
    )
    .bind(session.0)
    .bind(r.cash_net)
    .bind(sale)
    .bind(1 - sale)
    .bind(sale * r.total)
    .bind((1 - sale) * r.total)
    .bind(sign * r.discount)
    .bind(sign * r.tax)
    .bind(sign * r.rounding)
    .bind(i64::from(r.kind == ReceiptKind::Sale && r.discount > 0))
    .bind(cash)
    .bind(r.change)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    // From the rows just written (as the floor reads them), in three statements; refunds
    // subtract: ?3 is the sign.
    for totals in [
        "INSERT INTO session_tender_totals (session_id, kind, count, amount)
         SELECT ?1, kind, count(*), ?3 * sum(amount) FROM sale_tenders WHERE sale_id = ?2 GROUP BY kind
         ON CONFLICT (session_id, kind) DO UPDATE SET count = count + excluded.count, amount = amount + excluded.amount",
        "INSERT INTO session_tax_totals (session_id, tax_rate_id, name, rate_ppm, net, tax, gross)
         SELECT ?1, tax_rate_id, name, rate_ppm, ?3 * net, ?3 * tax, ?3 * gross FROM sale_taxes WHERE sale_id = ?2
         ON CONFLICT (session_id, tax_rate_id) DO UPDATE SET net = net + excluded.net, tax = tax + excluded.tax,
            gross = gross + excluded.gross",
        "INSERT INTO session_category_totals (session_id, category, count, amount)
         SELECT ?1, category, ?3 * sum(quantity), ?3 * sum(amount) FROM sale_lines WHERE sale_id = ?2
         GROUP BY category
         ON CONFLICT (session_id, category) DO UPDATE SET count = count + excluded.count, amount = amount + excluded.amount",
    ] {
        sqlx::query(totals).bind(session.0).bind(r.id.0).bind(sign).execute(&mut *tx).await.map_err(map_err)?;
    }
    Ok(())
}

/// A receipt's lines, tenders and taxes, each kind in one multi-row `INSERT` with its values
/// bound (a JSON array read by `json_each` before: SQLite re-read each line's JSON once per
/// column). Lines are at most LINES_PER_STATEMENT here: the figures check refused more.
async fn insert_rows(tx: &mut SqliteConnection, r: &NewReceipt) -> Result<(), StoreError> {
    let id = r.id.0;
    for chunk in r.lines.chunks(LINES_PER_STATEMENT) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO sale_lines (sale_id, line_no, product_id, sku, name, category, tax_rate_id, rate_ppm, quantity,
                catalog_unit_price, unit_price, extended, line_discount, receipt_discount, amount, tax, total,
                refund_of_line, price_change_reason_kind, price_change_reason_text) ",
        );
        q.push_values(chunk, |mut row, l| {
            let reason = l.price_change_reason.as_ref();
            row.push_bind(id)
                .push_bind(l.line_no)
                .push_bind(l.product_id.0)
                .push_bind(&l.sku)
                .push_bind(&l.name)
                .push_bind(&l.category)
                .push_bind(l.tax_rate_id.0)
                .push_bind(l.rate_ppm)
                .push_bind(l.quantity)
                .push_bind(l.catalog_unit_price)
                .push_bind(l.unit_price)
                .push_bind(l.extended)
                .push_bind(l.line_discount)
                .push_bind(l.receipt_discount)
                .push_bind(l.amount)
                .push_bind(l.tax)
                .push_bind(l.total)
                .push_bind(l.refund_of_line)
                .push_bind(reason.map(|r| r.kind.as_str()))
                .push_bind(reason.and_then(|r| r.text.as_deref()));
        });
        q.build().execute(&mut *tx).await.map_err(map_err)?;
    }
    if !r.tenders.is_empty() {
        let mut q = QueryBuilder::<Sqlite>::new("INSERT INTO sale_tenders (sale_id, n, kind, amount, reference) ");
        q.push_values(r.tenders.iter().enumerate(), |mut row, (n, t)| {
            row.push_bind(id).push_bind(n as i64).push_bind(&t.kind).push_bind(t.amount).push_bind(&t.reference);
        });
        q.build().execute(&mut *tx).await.map_err(map_err)?;
    }
    if !r.taxes.is_empty() {
        // Each rate under its own name, not the caller's: what the receipt and the Z print.
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO sale_taxes (sale_id, tax_rate_id, name, rate_ppm, net, tax, gross)
             SELECT t.column1, t.column2, (SELECT r.name FROM tax_rates r WHERE r.id = t.column2), t.column3,
                    t.column4, t.column5, t.column6
               FROM (",
        );
        q.push_values(&r.taxes, |mut row, t| {
            row.push_bind(id)
                .push_bind(t.tax_rate_id.0)
                .push_bind(t.rate_ppm)
                .push_bind(t.net)
                .push_bind(t.tax)
                .push_bind(t.gross);
        });
        q.push(") t");
        q.build().execute(&mut *tx).await.map_err(map_err)?;
    }
    Ok(())
}
